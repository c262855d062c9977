/**
 * The derived facts the engine carries over an edit that changed none of their inputs (facts/registry.ts CARRIED)
 * must hold no App object: an edit re-derives an app as a new object, and a carried value would keep the old one,
 * which rules look up by identity. After a full pass over the test workspace and the bench's synthetic one, each
 * carried fact has been computed and nothing reachable from its value is an app of the index.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Engine } from '../src/engine';
import { CARRIED } from '../src/facts/registry';
import { evaluate } from '../src/facts/track';
import type { App } from '../src/model/types';
import { REPO_ROOT, tempDir } from './helpers/files';

/** A path from the value to the first App object found in it, or undefined. */
function appIn(value: unknown, apps: ReadonlySet<App>): string | undefined {
  const seen = new Set<object>();
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length) {
    const [v, at] = stack.pop()!;
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (apps.has(v as App)) return at || '(the value)';
    if (v instanceof Map) for (const [k, x] of v) stack.push([k, `${at}<key>`], [x, `${at}.get(${String(k)})`]);
    else if (v instanceof Set) for (const x of v) stack.push([x, `${at}<item>`]);
    else for (const [k, x] of Object.entries(v)) stack.push([x, `${at}.${k}`]);
  }
  return undefined;
}

async function checkCarried(root: string): Promise<void> {
  const engine = await Engine.create({ roots: [root] });
  engine.findings();
  const apps = new Set(engine.index.apps);
  assert.ok(apps.size > 1, `${root} has apps`);
  for (const name of CARRIED) {
    const v = evaluate(name, engine.index);
    assert.ok(v, `${name} was computed by the pass`);
    assert.equal(appIn(v.value, apps), undefined, `${name} holds an App object`);
  }
}

test('carried derived facts hold no App object: the test workspace', async () => {
  await checkCarried(path.join(REPO_ROOT, 'test-workspace'));
});

test('carried derived facts hold no App object: the bench workspace', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bench = require(path.join(REPO_ROOT, 'bench', 'generate.js')) as { generate(o: { dir: string; n: number }): { dir: string } };
  const ws = bench.generate({ dir: path.join(tempDir('crosswire-carried-'), 'ws'), n: 40 });
  await checkCarried(ws.dir);
});
