/**
 * Keeps the benchmark working inside `npm test`: generates the bench's synthetic workspace at N = 20 and checks
 * that the engine reports, per rule, exactly the number of findings the generator planted (bench/generate.js
 * computes it from what it wrote). Timing is not asserted here: `npm run bench` measures.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../src/engine';
import { REPO_ROOT } from './helpers/files';


interface Generated {
  dir: string;
  apps: number;
  expected: Record<string, number>;
}
interface GenerateModule {
  generate(o: { dir: string; n: number }): Generated;
  RULE_IDS: string[];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const bench = require(path.join(REPO_ROOT, 'bench', 'generate.js')) as GenerateModule;

test('bench smoke: N=20 synthetic workspace, findings per rule exactly as planted', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-bench-smoke-'));
  try {
    const ws = bench.generate({ dir, n: 20 });
    const engine = await Engine.create({ roots: [ws.dir] });
    const found: Record<string, number> = {};
    for (const f of engine.findings()) found[f.ruleId] = (found[f.ruleId] ?? 0) + 1;

    assert.equal(engine.apps().length, ws.apps, 'app folders (node_modules/, .next/, dist/ decoys must be skipped)');
    for (const rule of bench.RULE_IDS) {
      assert.ok(ws.expected[rule] > 0, `the generator plants ${rule}`);
      assert.equal(found[rule] ?? 0, ws.expected[rule], `${rule}: found ${found[rule] ?? 0}, planted ${ws.expected[rule]}`);
    }
    assert.equal(found['parse-error'] ?? 0, 0, 'every generated file parses');
    const others = Object.entries(found).filter(([r]) => !bench.RULE_IDS.includes(r) && r !== 'parse-error');
    if (others.length) t.diagnostic(`rules the generator does not plant yet: ${others.map(([r, n]) => `${r} ${n}`).join(', ')}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
