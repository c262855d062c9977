// The CLI as a CI user meets it, on real temporary folders: wrong input fails loudly (exit 2), paths
// open from the current directory, -o creates folders, the progress line, the node_modules/build folder
// warning, SARIF partialFingerprints and what a baseline hides. Spawns the BUILT bundle (server/dist/cli.js).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../src/engine';

const repoRoot = path.resolve(__dirname, '../../..');
const cli = path.join(repoRoot, 'server', 'dist', 'cli.js');
const SECRET = 'Zq8vK2mW9xLr4TnB7yHc3PdF6sJg1QeA';

let tmp = '';
let n = 0;
const outputs: string[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '', ...env } });
  if (r.error) throw r.error;
  outputs.push(r.stdout, r.stderr);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function writeFiles(root: string, files: Record<string, string>): string {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

/** A turbo monorepo whose two Next.js apps share a secret and port 3000: 4 errors. */
function monorepo(extra: Record<string, string> = {}): string {
  const app = (name: string) =>
    JSON.stringify({ name, private: true, scripts: { dev: 'next dev -p 3000' }, dependencies: { next: '14.2.0', 'next-auth': '4.24.0' } }, null, 2) + '\n';
  return writeFiles(path.join(tmp, `mono-${++n}`), {
    'package.json': JSON.stringify({ name: 'acme', private: true, workspaces: ['apps/*'], scripts: { dev: 'turbo run dev' } }, null, 2) + '\n',
    'turbo.json': '{ "tasks": { "dev": { "persistent": true } } }\n',
    'apps/web/package.json': app('web'),
    'apps/api/package.json': app('api'),
    'apps/web/.env': `# web\nNEXTAUTH_SECRET=${SECRET}\n`,
    'apps/api/.env': `NEXTAUTH_SECRET=${SECRET}\n`,
    ...extra,
  });
}

before(() => {
  assert.ok(fs.existsSync(cli), `build the CLI first (node scripts/build.mjs): ${cli} is missing`);
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-cli-input-')));
});

after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function assertExit2(r: Run, re: RegExp, what: string): void {
  assert.equal(r.code, 2, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, re, what);
  assert.doesNotMatch(r.stderr, /internal error/, what);
  assert.equal(r.stdout, '', `${what}: no report`);
}

test('the fixture monorepo has findings (the cases below change only the input)', () => {
  const dir = monorepo();
  const r = run(['audit', '.', '--format', 'json'], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual([...new Set(JSON.parse(r.stdout).map((f: { ruleId: string }) => f.ruleId))].sort(), ['duplicate-secret', 'port-collision']);
  assert.equal(r.stderr, '', 'nothing on stderr when it is not a terminal');
});

test('a folder with no apps exits 2 instead of passing as clean', () => {
  const empty = path.join(tmp, 'empty');
  fs.mkdirSync(empty);
  const docs = writeFiles(path.join(tmp, 'docs-only'), { 'README.md': '# notes\n', 'docs/guide.md': 'PORT=3000\n', 'notes.txt': 'x\n' });
  for (const [dir, args] of [
    [empty, ['audit', '.']],
    [docs, ['audit', '.']],
    [docs, ['audit', '.', '--format', 'sarif']],
    [docs, ['apps', '.']],
  ] as const) {
    const r = run([...args], dir);
    assertExit2(r, /^crosswire: no apps found in the current directory\. .*package\.json/, `${args.join(' ')} in ${path.basename(dir)}`);
  }
  // Named, and among several DIRs: the one without apps is named.
  const mono = monorepo();
  const r = run(['audit', mono, 'docs-only'], tmp);
  assertExit2(r, /no apps found in docs-only\./, 'several DIRs');
});

test('an invalid crosswire.config.json exits 2 with each problem at file:line:col, with the nearest suggestion', () => {
  const cases: [string, RegExp[]][] = [
    ['{ "rules": { "port-collision": "off" ', [/crosswire\.config\.json:1:\d+: Invalid JSON/]],
    ['{\n  "rules": { "implict-port": "off" }\n}\n', [/^ {2}crosswire\.config\.json:2:14: Unknown rule id "implict-port"\. Did you mean "implicit-port"\?$/m]],
    [
      '{\n  "rules": {\n    "port-collision": "warn",\n    "duplicate-secret": "err"\n  }\n}\n',
      [
        /crosswire\.config\.json:3:23: Severity of "port-collision" must be "off", "info", "warning" or "error" \(not "warn"\)\. Did you mean "warning"\?/,
        /crosswire\.config\.json:4:25: Severity of "duplicate-secret" .*\(not "err"\)\. Did you mean "error"\?/,
      ],
    ],
    ['{ "ignores": ["legacy/**"] }', [/Unknown key "ignores"\. Did you mean "ignore"\?/]],
    ['{ "rules": { "port-collision": 2 } }', [/Severity of "port-collision" must be "off", "info", "warning" or "error"\.$/m]],
  ];
  for (const [config, res] of cases) {
    const dir = monorepo({ 'crosswire.config.json': config });
    for (const format of ['text', 'json', 'sarif']) {
      const r = run(['audit', '.', '--format', format, '--fail-on', 'never'], dir);
      assertExit2(r, /^crosswire: invalid crosswire\.config\.json:\n/, `${config} (${format})`);
      for (const re of res) assert.match(r.stderr, re, config);
    }
  }
  // A suggestion only when one is near: no "Did you mean" for a word unlike any rule.
  const far = run(['audit', '.'], monorepo({ 'crosswire.config.json': '{ "rules": { "quantum-flux": "off" } }' }));
  assertExit2(far, /Unknown rule id "quantum-flux"\.$/m, 'far');
  // invalid-config turned off on purpose: the CLI runs with what it could read (the typo'd rule stays on).
  const off = run(
    ['audit', '.', '--format', 'json'],
    monorepo({ 'crosswire.config.json': '{ "rules": { "invalid-config": "off", "duplicate-secert": "off" } }' }),
  );
  assert.equal(off.code, 1, off.stderr);
  assert.ok(JSON.parse(off.stdout).some((f: { ruleId: string }) => f.ruleId === 'duplicate-secret'));
  // A valid config still works (and applies).
  const ok = run(
    ['audit', '.', '--format', 'json'],
    monorepo({ 'crosswire.config.json': '{ "rules": { "duplicate-secret": "off", "port-collision": "warning" } }' }),
  );
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(JSON.parse(ok.stdout).every((f: { ruleId: string; severity: string }) => f.ruleId === 'port-collision' && f.severity === 'warning'));
});

test('--config with the same problems exits 2 too; a missing --config file is named', () => {
  const dir = monorepo({ 'ci/crosswire.json': '{ "rules": { "implicit-port": "warn" } }' });
  const r = run(['audit', '.', '--config', 'ci/crosswire.json'], dir);
  assertExit2(r, /ci\/crosswire\.json:1:\d+: Severity of "implicit-port" .* Did you mean "warning"\?/, '--config');
  assertExit2(
    run(['audit', '.', '--config', 'ci/nope.json'], dir),
    /cannot read the config file ci\/nope\.json: no such file or directory/,
    'missing --config',
  );
  assertExit2(run(['audit', '.', '--config', 'ci'], dir), /cannot read the config file ci: it is a directory/, '--config a folder');
});

test('the engine (what the editor shows) still reports the config problems as invalid-config findings, with the suggestion', async () => {
  const dir = monorepo({ 'crosswire.config.json': '{ "rules": { "implict-port": "off", "port-collision": "warn" } }' });
  const engine = await Engine.create({ roots: [dir] });
  const found = engine
    .findings()
    .filter((f) => f.ruleId === 'invalid-config')
    .map((f) => f.message);
  assert.equal(found.length, 2, found.join('\n'));
  assert.ok(found.some((m) => /Did you mean "implicit-port"\?/.test(m)));
  assert.ok(found.some((m) => /Did you mean "warning"\?/.test(m)));
});

test('text paths open from the current directory: relative inside it, absolute outside; json stays relative to DIR', () => {
  const dir = monorepo();
  const parent = path.dirname(dir);
  const name = path.basename(dir);
  // From the parent: every path starts with the DIR as typed, and each one exists from there.
  const fromParent = run(['audit', name], parent);
  assert.equal(fromParent.code, 1);
  const headers = fromParent.stdout.split('\n').filter((l) => l !== '' && !l.startsWith(' ') && !l.startsWith('✖'));
  assert.deepEqual(headers, [`${name}/apps/api/.env`, `${name}/apps/api/package.json`, `${name}/apps/web/.env`, `${name}/apps/web/package.json`]);
  for (const h of headers) assert.ok(fs.existsSync(path.join(parent, h)), h);
  const related = [...fromParent.stdout.matchAll(/→ (\S+):(\d+):/g)].map((m) => m[1]);
  assert.ok(related.length >= 4);
  for (const r of related) assert.ok(fs.existsSync(path.join(parent, r)), `related ${r}`);
  // From inside one app, auditing the repository: its own files are relative, the others absolute.
  const fromApp = run(['audit', '../..'], path.join(dir, 'apps', 'web'));
  assert.match(fromApp.stdout, /^\.env$/m);
  assert.match(fromApp.stdout, new RegExp(`^${escapeRe(path.join(dir, 'apps', 'api', '.env'))}$`, 'm'));
  // json keeps paths relative to DIR (machine-readable, independent of where it ran).
  const json = run(['audit', name, '--format', 'json'], parent);
  assert.ok(JSON.parse(json.stdout).every((f: { file: string }) => f.file.startsWith('apps/')));
});

test('-o creates missing folders; an output that cannot be written is exit 2, not an internal error', () => {
  const dir = monorepo();
  const r = run(['audit', '.', '--format', 'sarif', '-o', 'reports/ci/crosswire.sarif'], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'reports/ci/crosswire.sarif'), 'utf8')).version, '2.1.0');
  const b = run(['audit', '.', '--baseline-write', 'ci/baselines/crosswire.json'], dir);
  assert.equal(b.code, 0, b.stderr);
  assert.ok(fs.existsSync(path.join(dir, 'ci/baselines/crosswire.json')));
  assertExit2(
    run(['audit', '.', '-o', 'apps/web/package.json/report.txt'], dir),
    /cannot write the report to apps\/web\/package\.json\/report\.txt: a folder in its path is a file/,
    'through a file',
  );
  assertExit2(run(['audit', '.', '-o', 'apps'], dir), /cannot write the report to apps: it is a directory/, 'onto a folder');
  fs.writeFileSync(path.join(dir, 'baseline.json'), '{ not json');
  assertExit2(run(['audit', '.', '--baseline', 'baseline.json'], dir), /cannot read the baseline baseline\.json: it is not JSON/, 'baseline not JSON');
  assertExit2(run(['audit', '.', '--baseline', 'nope.json'], dir), /cannot read the baseline nope\.json: no such file or directory/, 'baseline missing');
});

test('a warning when the folder audited is inside node_modules or is a build folder', () => {
  const dir = monorepo({
    'node_modules/some-lib/package.json': JSON.stringify({ name: 'some-lib', scripts: { start: 'node server.js' } }),
    'dist/package.json': JSON.stringify({ name: 'web-dist' }),
  });
  const nm = run(['audit', 'node_modules/some-lib'], dir);
  assert.match(nm.stderr, /^crosswire: warning: node_modules\/some-lib is inside node_modules\/ \(installed packages, not your apps\)/m);
  const dist = run(['audit', 'dist'], dir);
  assert.match(dist.stderr, /^crosswire: warning: dist is a build or cache folder \("dist"\)/m);
  const fine = run(['audit', '.'], dir);
  assert.doesNotMatch(fine.stderr, /warning/);
});

test('progress line on stderr only when it is a terminal (after the delay), erased before the report', {
  skip: !hasScript() && 'the `script` command (util-linux) is needed to give the CLI a terminal',
}, () => {
  const dir = monorepo();
  // Under `script` stdout and stderr are one terminal. The delay is lowered so a small workspace shows it.
  const shown = spawnSync('script', ['-qec', `${shq(process.execPath)} ${shq(cli)} audit . --no-color`, '/dev/null'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, CROSSWIRE_PROGRESS_AFTER_MS: '0' },
  });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the progress line's terminal escape
  assert.match(shown.stdout, /\r\u001b\[Kcrosswire: \d+ files indexed, 2 apps found; checking…/);
  // Erased before the report: the report starts on a clean line.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the progress line's terminal escape
  assert.match(shown.stdout, /\r\u001b\[K\r?\n?apps\/api\/\.env/);
  // With the default delay a quick run draws nothing (checked with a delay no run reaches).
  const quiet = spawnSync('script', ['-qec', `${shq(process.execPath)} ${shq(cli)} audit . --no-color`, '/dev/null'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, CROSSWIRE_PROGRESS_AFTER_MS: '600000' },
  });
  assert.doesNotMatch(quiet.stdout, /files indexed/);
  assert.match(quiet.stdout, /apps\/api\/\.env/);
  // Not a terminal: nothing, whatever the delay.
  const piped = run(['audit', '.'], dir, { CROSSWIRE_PROGRESS_AFTER_MS: '0' });
  assert.equal(piped.stderr, '');
});

function hasScript(): boolean {
  return spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
}
function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface SarifResult {
  ruleId: string;
  partialFingerprints: Record<string, string>;
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
}
function sarifResults(dir: string): SarifResult[] {
  const r = run(['audit', '.', '--format', 'sarif'], dir);
  assert.equal(r.code, 1, r.stderr);
  return JSON.parse(r.stdout).runs[0].results;
}

test('SARIF partialFingerprints: one per result, distinct, stable when lines move, new when the line changes', () => {
  const dir = monorepo();
  const before = sarifResults(dir);
  assert.ok(before.length >= 4);
  const fp = (r: SarifResult) => Object.values(r.partialFingerprints);
  for (const r of before) {
    assert.equal(fp(r).length, 1);
    assert.match(fp(r)[0], /^[0-9a-f]{32}:\d+$/);
    assert.doesNotMatch(fp(r)[0], new RegExp(SECRET.slice(0, 8)));
  }
  assert.equal(new Set(before.map((r) => fp(r)[0])).size, before.length, 'distinct');
  const key = (r: SarifResult) => `${r.ruleId} ${r.locations[0].physicalLocation.artifactLocation.uri}`;

  // Lines move (comments and blank lines above, keys reordered in package.json): same fingerprints, new line numbers.
  fs.writeFileSync(path.join(dir, 'apps/web/.env'), `# web app\n\n# auth\nNEXTAUTH_SECRET=${SECRET}\n`);
  const pkgFile = path.join(dir, 'apps/api/package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  fs.writeFileSync(pkgFile, JSON.stringify({ description: 'the api', version: '1.0.0', ...pkg }, null, 2) + '\n');
  const moved = sarifResults(dir);
  assert.deepEqual(moved.map((r) => `${key(r)} ${fp(r)[0]}`).sort(), before.map((r) => `${key(r)} ${fp(r)[0]}`).sort());
  const line = (rs: SarifResult[], k: string) => rs.find((r) => key(r) === k)!.locations[0].physicalLocation.region.startLine;
  assert.notEqual(line(moved, 'duplicate-secret apps/web/.env'), line(before, 'duplicate-secret apps/web/.env'), 'the line did move');

  // The flagged line itself changes (another port): a new fingerprint for that finding.
  for (const app of ['web', 'api']) {
    const f = path.join(dir, `apps/${app}/package.json`);
    fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('next dev -p 3000', 'next dev -p 3100'));
  }
  const changed = sarifResults(dir);
  const pc = (rs: SarifResult[]) => new Set(rs.filter((r) => r.ruleId === 'port-collision').map((r) => fp(r)[0]));
  assert.equal(pc(changed).size, 2);
  for (const f of pc(changed)) assert.ok(!pc(moved).has(f), 'a changed line is a new alert');
});

test('a baseline run says how many findings it hides (text: in the report; json/sarif: on stderr)', () => {
  const dir = monorepo();
  assert.equal(run(['audit', '.', '--baseline-write', 'crosswire-baseline.json'], dir).code, 0);
  const text = run(['audit', '.', '--baseline', 'crosswire-baseline.json'], dir);
  assert.equal(text.code, 0, text.stdout + text.stderr);
  assert.match(text.stdout, /No problems found in 2 apps\.\n4 findings hidden by the baseline crosswire-baseline\.json\.\n$/);
  const json = run(['audit', '.', '--baseline', 'crosswire-baseline.json', '--format', 'json'], dir);
  assert.deepEqual(JSON.parse(json.stdout), []);
  assert.equal(json.stderr, 'crosswire: 4 findings hidden by the baseline crosswire-baseline.json.\n');
  // One finding fixed (api gets its own secret): two hidden, the baseline's two others no longer occur.
  fs.writeFileSync(path.join(dir, 'apps/api/.env'), 'NEXTAUTH_SECRET=a-different-secret-for-the-api-0123456789\n');
  const after = run(['audit', '.', '--baseline', 'crosswire-baseline.json'], dir);
  assert.match(
    after.stdout,
    /2 findings hidden by the baseline crosswire-baseline\.json \(2 findings of the baseline no longer occur: --baseline-write records the current state\)\./,
  );
  const sarif = run(['audit', '.', '--baseline', 'crosswire-baseline.json', '--format', 'sarif'], dir);
  assert.match(sarif.stderr, /^crosswire: 2 findings hidden by the baseline/);
  assert.equal(JSON.parse(sarif.stdout).runs[0].results.length, 0);
});

test('no output ever contains the secret', () => {
  assert.doesNotMatch(outputs.join('\n'), new RegExp(SECRET.slice(0, 8)));
});
