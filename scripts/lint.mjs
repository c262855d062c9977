// `npm run lint`: every check runs (one failing does not hide the others), then the exit code says whether all passed.
//  1. Biome: lint rules and the formatting check (biome.jsonc; `npm run format` writes the formatting).
//  2. TypeScript (tsconfig.base.json has noUnusedLocals / noUnusedParameters), server and client (type-checks only, writes nothing).
//  3. scripts/check-size.mjs: functions over 80 lines, classes over 250, without a `// size:` reason.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const biome = join(root, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const unused = ['--noEmit'];

const steps = [
  ['biome check (lint + format)', [biome, 'check', '--error-on-warnings', '--max-diagnostics=50', '.']],
  ['tsc server (unused locals and parameters)', [tsc, '-p', 'server', ...unused]],
  ['tsc client (unused locals and parameters)', [tsc, '-p', 'client', ...unused]],
  ['check-size', [join(root, 'scripts', 'check-size.mjs')]],
];

const failed = [];
for (const [name, args] of steps) {
  console.log(`--- lint: ${name}`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed.push(name);
}
if (failed.length) {
  console.error(`lint: failed: ${failed.join('; ')}`);
  process.exit(1);
}
console.log('lint: all checks passed');
