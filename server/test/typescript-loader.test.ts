/**
 * The TypeScript compiler is loaded through a V8 code cache kept beside it (parsers/typescript-loader.ts): the first
 * process writes it, the next ones use it, a cache V8 refuses (corrupt, other flags) is replaced, a changed compiler
 * gets a new one, an unwritable place is no error, and the bundled CLI's findings are the same with or without it.
 * Each load runs in a child process, as a user's CLI run or language server does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, REPO_ROOT, TEST_WORKSPACE, tempDir } from './helpers/files';

const LOADER = path.join(REPO_ROOT, 'server', 'out', 'src', 'parsers', 'typescript-loader.js');
const COMPILER = require.resolve('typescript');
function tempCopy(): string {
  const file = path.join(tempDir('crosswire-tsload-'), 'typescript.js');
  fs.copyFileSync(COMPILER, file);
  return file;
}

/** Loads `file` in a fresh process; the cache state and what the loaded compiler parsed. */
function load(file: string, env: NodeJS.ProcessEnv = {}, afterLoad = ''): { cache: string; cacheFile: string; kinds: string } {
  const script = `
    const { loadWithCodeCache } = require(${JSON.stringify(LOADER)});
    const r = loadWithCodeCache(${JSON.stringify(file)});
    ${afterLoad}
    const ts = r.exports;
    const sf = ts.createSourceFile('a.ts', 'app.listen(3000);', ts.ScriptTarget.Latest, true);
    const kinds = sf.statements.map((s) => ts.SyntaxKind[s.kind]).join(',');
    process.stdout.write(JSON.stringify({ cache: r.cache, cacheFile: r.cacheFile, kinds }));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, CROSSWIRE_NO_COMPILE_CACHE: '', ...env } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const caches = (file: string) => fs.readdirSync(path.dirname(file)).filter((n) => n.endsWith('.cache'));

test('the first load writes a code cache beside the compiler, the next loads use it; the compiler works either way', () => {
  const file = tempCopy();
  const first = load(file);
  assert.equal(first.cache, 'absent');
  assert.equal(first.kinds, 'ExpressionStatement');
  assert.ok(fs.statSync(first.cacheFile).size > 100_000, 'a cache of the compiled compiler');
  assert.equal(path.dirname(first.cacheFile), path.dirname(file));
  const second = load(file);
  assert.deepEqual(second, { ...first, cache: 'used' });
  // A process that changes V8's flags after loading (prisma.ts turns on --liftoff-only for its validators) leaves
  // the cache usable by the next one (a cache made at exit, under the changed flags, was refused every time).
  assert.equal(load(file, {}, "require('node:v8').setFlagsFromString('--liftoff-only');").cache, 'used');
  assert.equal(load(file).cache, 'used');
  assert.deepEqual(caches(file), [path.basename(first.cacheFile)]);
  assert.deepEqual(
    fs.readdirSync(path.dirname(file)).filter((n) => n.endsWith('.tmp')),
    [],
    'no temporary file left behind',
  );
});

test('a corrupt cache is refused by V8 and replaced; other Node flags get a cache of their own', () => {
  const file = tempCopy();
  const { cacheFile } = load(file);
  fs.writeFileSync(cacheFile, Buffer.alloc(4096, 7));
  const after1 = load(file);
  assert.equal(after1.cache, 'rejected');
  assert.equal(after1.kinds, 'ExpressionStatement');
  assert.equal(load(file).cache, 'used', 'the refused cache was written again');
  // The language server runs with other flags than the CLI: its cache does not replace the CLI's.
  const server = load(file, { NODE_OPTIONS: '--max-semi-space-size=2' });
  assert.equal(server.cache, 'absent');
  assert.notEqual(server.cacheFile, cacheFile);
  assert.equal(load(file).cache, 'used');
  assert.equal(load(file, { NODE_OPTIONS: '--max-semi-space-size=2' }).cache, 'used');
  // A preloaded module (a test harness's guard, a profiler's) is no flag: the same cache.
  const preload = path.join(path.dirname(file), 'preload.js');
  fs.writeFileSync(preload, '// nothing\n');
  assert.deepEqual(load(file, { NODE_OPTIONS: `--require ${preload}` }), { ...load(file), cache: 'used' });
});

test('a changed compiler gets a new cache and the old one is removed; no cache where none can be written; off by env', () => {
  const file = tempCopy();
  const old = load(file).cacheFile;
  fs.appendFileSync(file, '\n// a newer compiler\n');
  const next = load(file);
  assert.equal(next.cache, 'absent');
  assert.notEqual(next.cacheFile, old);
  assert.deepEqual(caches(file), [path.basename(next.cacheFile)]);
  // A cache path that cannot be written (here a folder stands where the file would go): loaded all the same.
  fs.rmSync(next.cacheFile);
  fs.mkdirSync(next.cacheFile);
  const blocked = load(file);
  assert.equal(blocked.kinds, 'ExpressionStatement');
  assert.ok(fs.statSync(blocked.cacheFile).isDirectory());
  assert.deepEqual(
    fs.readdirSync(path.dirname(file)).filter((n) => n.endsWith('.tmp')),
    [],
  );
  fs.rmdirSync(next.cacheFile);
  const off = load(file, { CROSSWIRE_NO_COMPILE_CACHE: '1' });
  assert.equal(off.cache, 'off');
  assert.equal(off.kinds, 'ExpressionStatement');
  assert.deepEqual(caches(file), []);
});

test('the bundled CLI loads its compiler through the cache, and audits the same with or without it', () => {
  const audit = (env: NodeJS.ProcessEnv) => {
    const r = spawnSync(process.execPath, [CLI, 'audit', TEST_WORKSPACE, '--format', 'json'], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    return r.stdout;
  };
  const withCache = audit({ CROSSWIRE_NO_COMPILE_CACHE: '' });
  const lib = path.join(path.dirname(CLI), 'node_modules', 'typescript', 'lib');
  assert.ok(
    fs.readdirSync(lib).some((n) => n.startsWith('typescript.js.') && n.endsWith('.cache')),
    'a cache beside the bundled compiler',
  );
  assert.equal(audit({ CROSSWIRE_NO_COMPILE_CACHE: '' }), withCache);
  assert.equal(audit({ CROSSWIRE_NO_COMPILE_CACHE: '1' }), withCache);
  assert.ok(JSON.parse(withCache).length > 10, 'the test workspace has findings');
});
