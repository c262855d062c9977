/**
 * Keeps the benchmark working inside `npm test`: generates the bench's synthetic workspace at its smallest size
 * (N = 40, with a crowd of 5 apps on one port and 5 sharing one secret) and checks that the engine's findings are
 * exactly the ones the generator planted, as a set of (rule, file, line): each planted case of bench/generate.js
 * states the findings it must produce, and the background is built to produce none. Timing is not asserted here:
 * `npm run bench` measures.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../src/engine';
import { REPO_ROOT } from './helpers/files';

interface Found {
  rule: string;
  file: string;
  line: number;
  message?: string;
}
interface Planted extends Found {
  plant: string;
}
interface Generated {
  dir: string;
  apps: number;
  planted: Planted[];
}
interface GenerateModule {
  generate(o: { dir: string; n: number; crowd?: number }): Generated;
  compareFindings(planted: Planted[], found: Found[]): { missing: Planted[]; unexpected: Found[] };
  describeDifferences(d: { missing: Planted[]; unexpected: Found[] }, max?: number): string[];
  RULE_IDS: string[];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const bench = require(path.join(REPO_ROOT, 'bench', 'generate.js')) as GenerateModule;

test('bench smoke: N=40 synthetic workspace, findings exactly as planted (rule, file, line)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-bench-smoke-'));
  try {
    const ws = bench.generate({ dir: path.join(dir, 'ws'), n: 40, crowd: 5 });
    const engine = await Engine.create({ roots: [ws.dir] });
    const found: Found[] = engine.findings().map((f) => ({
      rule: f.ruleId,
      file: path.relative(ws.dir, f.location.file).split(path.sep).join('/'),
      line: f.location.range.start.line + 1,
      message: f.message,
    }));

    assert.equal(engine.apps().length, ws.apps, 'app folders (node_modules/, .next/, dist/ decoys must be skipped)');
    for (const rule of bench.RULE_IDS)
      assert.ok(
        ws.planted.some((p) => p.rule === rule),
        `the generator plants ${rule}`,
      );
    assert.ok(
      ws.planted.filter((p) => p.plant === 'crowd-port').length === 5 && ws.planted.filter((p) => p.plant === 'crowd-secret').length === 5,
      'the crowd is planted',
    );
    const diff = bench.compareFindings(ws.planted, found);
    assert.deepEqual(bench.describeDifferences(diff, 50), [], 'findings other than the planted ones');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
