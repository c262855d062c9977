// CLI tests: spawn the BUILT bundle (server/dist/cli.js) on a temporary copy of test-workspace/.
// Every expected line number is read from the workspace files themselves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, REPO_ROOT } from './helpers/files';

const SECRET = 'pano-pamusha-hapa-pindwi-nemuroyi';

let ws = ''; // the temporary copy of test-workspace
const outputs: string[] = []; // everything any run printed, checked for the secret at the end

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd = ws, env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '', ...env },
  });
  if (r.error) throw r.error;
  outputs.push(r.stdout, r.stderr);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonFinding {
  ruleId: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  app: string | null;
  related: { file: string; line: number; column: number; message: string }[];
  fixable: boolean;
  fixes: string[];
}

function json(args: string[], cwd = ws): { run: Run; findings: JsonFinding[] } {
  const r = run([...args, '--format', 'json'], cwd);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  return { run: r, findings: JSON.parse(r.stdout) };
}

/** 1-based line of the single line of a workspace file matching `re`. */
function lineOf(rel: string, re: RegExp): number {
  const lines = fs.readFileSync(path.join(ws, rel), 'utf8').split(/\r?\n/);
  const hits = lines.flatMap((l, i) => (re.test(l) ? [i + 1] : []));
  assert.equal(hits.length, 1, `${re} should match exactly one line of ${rel}, matched ${hits.length}`);
  return hits[0];
}

function pkgName(relDir: string): string {
  return JSON.parse(fs.readFileSync(path.join(ws, relDir, 'package.json'), 'utf8')).name;
}

const key = (file: string, line: number) => `${file}:${line}`;
function at(findings: JsonFinding[], ruleId: string): Set<string> {
  return new Set(findings.filter((f) => f.ruleId === ruleId).map((f) => key(f.file, f.line)));
}
function sorted(s: Iterable<string>): string[] {
  return [...s].sort();
}
/** Every expected location is reported (exactness is checked against expected-findings.json below). */
function assertIncludes(actual: Set<string>, expected: string[], what: string): void {
  const missing = expected.filter((k) => !actual.has(k));
  assert.deepEqual(missing, [], `${what}: missing ${missing.join(', ')} (got ${sorted(actual).join(', ')})`);
}

interface Expected {
  rule: string;
  severity: string;
  file: string;
  /** The trimmed text of the line the finding starts on. */
  line: string;
}
function expectedFindings(): Expected[] {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test-workspace', 'expected-findings.json'), 'utf8')).findings;
}

const envLine = (k: string) => new RegExp(`^\\s*(export\\s+)?${k}\\s*=`);
const scriptLine = (name: string) => new RegExp(`^\\s*"${name}"\\s*:`);

let all: JsonFinding[] = [];
let allRun: Run;

before(() => {
  assert.ok(fs.existsSync(CLI), `build the CLI first (node scripts/build.mjs): ${CLI} is missing`);
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-cli-'));
  fs.cpSync(path.join(REPO_ROOT, 'test-workspace'), ws, { recursive: true });
  const r = json(['audit', '.', '--fail-on', 'never']);
  allRun = r.run;
  all = r.findings;
});

after(() => {
  if (ws) fs.rmSync(ws, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// usage

test('--help and --version', () => {
  const h = run(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /Usage: crosswire audit \[DIR\.\.\.\]/);
  assert.match(h.stdout, /--format/);
  assert.match(h.stdout, /--fail-on/);
  const v = run(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.stdout.trim(), JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version);
});

test('usage errors exit 2 with a message on stderr and nothing on stdout', () => {
  fs.writeFileSync(path.join(ws, 'not-a-dir.txt'), 'x');
  const cases: [string[], RegExp][] = [
    [['audit', '--bogus'], /--bogus/],
    [['audit', '.', '--format', 'xml'], /unknown format "xml"/],
    [['audit', '.', '--fail-on', 'sometimes'], /sometimes/],
    [['audit', 'no-such-dir'], /not found: no-such-dir/],
    [['audit', 'not-a-dir.txt'], /not a directory: not-a-dir\.txt/],
    [['audit', '.', 'no-such-dir'], /not found: no-such-dir/],
    [[], /missing command/],
    [['inspect', '.'], /unknown command "inspect"/],
  ];
  for (const [args, re] of cases) {
    const r = run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.match(r.stderr, /^crosswire: /);
    assert.equal(r.stdout, '', args.join(' '));
  }
  fs.rmSync(path.join(ws, 'not-a-dir.txt'));
});

// ---------------------------------------------------------------------------------------------
// exit codes

test('exit codes follow --fail-on on the whole test-workspace', () => {
  assert.ok(
    all.some((f) => f.severity === 'error'),
    'test-workspace has errors',
  );
  assert.equal(allRun.code, 0, '--fail-on never exits 0');
  assert.equal(run(['audit', '.', '--format', 'json']).code, 1, 'default --fail-on error');
  assert.equal(run(['audit']).code, 1, 'DIR defaults to the current directory');
  assert.equal(run(['audit', '.', '--fail-on', 'warning', '--format', 'json']).code, 1);
});

test('the clean app alone: no problems, exit 0 at every level', () => {
  const r = run(['audit', 'status-page', '--fail-on', 'info']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout.trim(), 'No problems found in 1 app.');
  const j = json(['audit', 'status-page', '--fail-on', 'info']);
  assert.deepEqual(j.findings, []);
  assert.equal(j.run.code, 0);
});

test('one app alone has nothing to conflict with: only warnings, paths relative to DIR', () => {
  const j = json(['audit', 'electricity-tokens']);
  assert.equal(j.run.code, 0, 'no errors: exit 0 with the default --fail-on error');
  assert.deepEqual(
    j.findings.filter((f) => f.severity === 'error'),
    [],
    'nothing to conflict with',
  );
  // Issue 10: a default port is not a finding when no other app runs beside it or depends on its port.
  for (const rule of ['duplicate-secret', 'port-collision', 'missing-connection-limit', 'implicit-port']) assert.equal(at(j.findings, rule).size, 0, rule);
  assert.ok(
    j.findings.every((f) => !f.file.startsWith('electricity-tokens/')),
    'paths relative to DIR',
  );
});

// ---------------------------------------------------------------------------------------------
// the expected findings of PLAN.md, in the JSON output

test('json: duplicate-secret on every NEXTAUTH_SECRET line, naming the other app, never between replicas', () => {
  const files = [
    'electricity-tokens/.env',
    'electricity-tokens/.env.local',
    'multi-business-multi-apps/.env',
    'multi-business-multi-apps/.env.local',
    'multi-business-server-2/.env.local',
  ];
  assertIncludes(
    at(all, 'duplicate-secret'),
    files.map((f) => key(f, lineOf(f, envLine('NEXTAUTH_SECRET')))),
    'duplicate-secret',
  );
  const et = pkgName('electricity-tokens');
  const mb = pkgName('multi-business-multi-apps');
  for (const f of all.filter((x) => x.ruleId === 'duplicate-secret')) {
    assert.equal(f.severity, 'error');
    const mine = f.file.split('/')[0];
    const other = mine === 'electricity-tokens' ? mb : et;
    assert.ok(f.message.includes(other), `${f.file}: "${f.message}" should name ${other}`);
    assert.ok(f.related.length > 0, 'related locations at the other app');
    for (const r of f.related) {
      const theirs = r.file.split('/')[0];
      assert.notEqual(theirs, mine, 'related to another app');
      if (mine.startsWith('multi-business')) assert.equal(theirs, 'electricity-tokens', 'never between the two replicas');
    }
    const app = mine === 'electricity-tokens' ? et : mb;
    assert.ok(f.fixes.includes(`Generate a new secret for ${app}`), `${f.file}: fixes ${JSON.stringify(f.fixes)}`);
    assert.equal(f.fixable, true);
  }
});

test('json: port-collision at 3000 between apps that run together, and ineffective-port', () => {
  // Issue 10: electricity-tokens and insight-garden's backend share the database server localhost:5432, so they are
  // assumed to run on one machine together; it-assets-manager shares nothing with them, so it is not compared.
  const errors = [
    key('electricity-tokens/package.json', lineOf('electricity-tokens/package.json', scriptLine('start'))),
    key('insight-garden/backend/.env', lineOf('insight-garden/backend/.env', envLine('PORT'))),
  ];
  const drifting = key('electricity-tokens/package.json', lineOf('electricity-tokens/package.json', scriptLine('dev')));
  assert.deepEqual([...at(all, 'port-collision')].sort(), [...errors, drifting].sort(), 'port-collision');
  for (const f of all.filter((x) => x.ruleId === 'port-collision')) {
    // `next dev` moves to another port: a warning, because NEXTAUTH_URL names 3000; the others cannot both bind.
    assert.equal(f.severity, key(f.file, f.line) === drifting ? 'warning' : 'error', `${f.file}:${f.line}`);
    assert.match(f.message, /3000/);
    assert.match(f.related[0].message, /assumed to run together: .*localhost:5432/, 'says why they are taken to run together');
    assert.ok(f.related.length > 0);
    assert.ok(
      f.related.some((r) => r.file.split('/')[0] !== f.file.split('/')[0]),
      'related to the other apps',
    );
  }
  assert.match(
    all.find((f) => key(f.file, f.line) === drifting)!.message,
    /want port 3000: next dev moves but (VITE_API_URL|NEXTAUTH_URL) in .* expects it\./,
    'names what expects the port',
  );
  const ineffectiveAt = key('it-assets-manager/.env', lineOf('it-assets-manager/.env', envLine('PORT')));
  assertIncludes(at(all, 'ineffective-port'), [ineffectiveAt], 'ineffective-port');
  const mbPort = key('multi-business-multi-apps/.env', lineOf('multi-business-multi-apps/.env', envLine('PORT')));
  assert.ok(!at(all, 'ineffective-port').has(mbPort), 'PORT=8080 equals the real port (-p 8080): not reported');
  const ineffective = all.find((f) => f.ruleId === 'ineffective-port' && key(f.file, f.line) === ineffectiveAt)!;
  assert.equal(ineffective.severity, 'warning');
  assert.match(ineffective.message, /3000/, 'says which port the app really uses');
});

test('json: implicit-port (info) where another app depends on a default port that moves, with its fix', () => {
  // Issue 10: the Vite frontend's default 5173 is named by its backend's CORS_ORIGIN; vite moves when 5173 is taken.
  // Default ports that nothing depends on (vite preview, a lone app) are not reported; collisions are port-collision's.
  const expected = [key('insight-garden/frontend/package.json', lineOf('insight-garden/frontend/package.json', scriptLine('dev')))];
  assert.deepEqual([...at(all, 'implicit-port')], expected, 'implicit-port');
  const f = all.find((x) => x.ruleId === 'implicit-port')!;
  assert.equal(f.severity, 'info');
  assert.equal(f.message, "insight-garden-frontend relies on Vite's default port 5173, which CORS_ORIGIN in insight-garden-backend expects.");
  assert.ok(
    f.related.some((r) => r.file === 'insight-garden/backend/.env' && r.message === 'CORS_ORIGIN in insight-garden/backend/.env names port 5173'),
    JSON.stringify(f.related),
  );
  assert.ok(
    f.fixes.some((t) => /^Set the port of insight-garden-frontend to 5173$/.test(t)),
    JSON.stringify(f.fixes),
  );
});

test('json: missing-connection-limit on shared-server url lines, error on in-block connection_limit', () => {
  const schemas = ['electricity-tokens', 'multi-business-multi-apps', 'multi-business-server-2', 'insight-garden/backend'].map(
    (d) => `${d}/prisma/schema.prisma`,
  );
  const urlLines = schemas.map((s) => key(s, lineOf(s, /^\s*url\s*=/)));
  const blockLines = ['multi-business-multi-apps', 'multi-business-server-2']
    .map((d) => `${d}/prisma/schema.prisma`)
    .map((s) => key(s, lineOf(s, /^\s*connection_limit\s*=/)));
  const mcl = all.filter((f) => f.ruleId === 'missing-connection-limit');
  assertIncludes(at(all, 'missing-connection-limit'), [...urlLines, ...blockLines], 'missing-connection-limit');
  assert.deepEqual(
    mcl.filter((f) => f.file.startsWith('status-page/')),
    [],
    'status-page has connection_limit in its URL',
  );
  for (const f of mcl.filter((x) => schemas.includes(x.file))) {
    const k = key(f.file, f.line);
    assert.equal(f.severity, blockLines.includes(k) ? 'error' : 'warning', k);
  }
});

test('json: inconsistent-service-url on netra/.env (not .env.test, not the template)', () => {
  const netra = key('netra/.env', lineOf('netra/.env', envLine('AUTH_SERVICE_URL')));
  assertIncludes(at(all, 'inconsistent-service-url'), [netra], 'inconsistent-service-url');
  for (const other of ['netra/.env.test', 'netra/.env.unified.template']) {
    assert.ok(![...at(all, 'inconsistent-service-url')].some((k) => k.startsWith(other + ':')), `${other} is not reported`);
  }
  const f = all.find((x) => x.ruleId === 'inconsistent-service-url' && key(x.file, x.line) === netra)!;
  assert.equal(f.severity, 'warning');
  assert.ok(f.related.length > 0);
});

test('json: exactly the findings of test-workspace/expected-findings.json (rule, severity, file, line text)', () => {
  const text = (rel: string, line: number) => (fs.readFileSync(path.join(ws, rel), 'utf8').split(/\r?\n/)[line - 1] ?? '').trim();
  const actual = all.map((f) => `${f.ruleId} ${f.severity} ${f.file} | ${text(f.file, f.line)}`);
  const expected = expectedFindings().map((e) => `${e.rule} ${e.severity} ${e.file} | ${e.line}`);
  assert.deepEqual(actual.sort(), expected.sort());
});

test('json: well-formed findings, nothing in the clean app, no parse errors', () => {
  assert.deepEqual(
    all.filter((f) => f.file.startsWith('status-page/')),
    [],
  );
  assert.deepEqual(
    all.filter((f) => f.ruleId === 'parse-error').map((f) => `${f.file}:${f.line} ${f.message}`),
    [],
  );
  for (const f of all) {
    assert.ok(!path.isAbsolute(f.file) && !f.file.includes('\\') && !f.file.startsWith('..'), f.file);
    assert.ok(f.line >= 1 && f.column >= 1 && f.endLine >= f.line, JSON.stringify(f));
    assert.ok(fs.existsSync(path.join(ws, f.file)), f.file);
    for (const r of f.related) assert.ok(fs.existsSync(path.join(ws, r.file)), r.file);
    assert.equal(f.fixable, f.fixes.length > 0);
  }
});

// ---------------------------------------------------------------------------------------------
// text and sarif tell the same story as json

test('text: stylish blocks per file, one row per finding, summary line, no colours in a pipe', () => {
  const r = run(['audit', '.']);
  assert.equal(r.code, 1);
  assert.ok(!r.stdout.includes('\u001b['), 'no ANSI when stdout is not a TTY');
  const rows: string[] = [];
  let file = '';
  for (const line of r.stdout.split('\n')) {
    const m = /^ {2}(\d+):(\d+)\s+(error|warning|info)\s+.*\s(\S+)$/.exec(line);
    if (m) rows.push(`${file}:${m[1]}:${m[2]} ${m[3]} ${m[4]}`);
    else if (line && !line.startsWith(' ') && !line.startsWith('✖')) file = line;
  }
  assert.deepEqual(rows.sort(), all.map((f) => `${f.file}:${f.line}:${f.column} ${f.severity} ${f.ruleId}`).sort());
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of all) counts[f.severity]++;
  const s = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  assert.ok(
    r.stdout.includes(`✖ ${s(all.length, 'problem')} (${s(counts.error, 'error')}, ${s(counts.warning, 'warning')}, ${s(counts.info, 'info')})`),
    r.stdout,
  );
  // related locations under their row
  const dup = all.find((f) => f.ruleId === 'duplicate-secret')!;
  assert.ok(r.stdout.includes(`      → ${dup.related[0].file}:${dup.related[0].line}: `));
  // colours only on request
  const colored = run(['audit', '.', '--color']);
  assert.ok(colored.stdout.includes('\u001b['));
  assert.ok(!run(['audit', '.', '--color', '--no-color']).stdout.includes('\u001b['));
});

test('sarif: 2.1.0 log whose results match the json findings', () => {
  const r = run(['audit', '.', '--format', 'sarif']);
  assert.equal(r.code, 1);
  const log = JSON.parse(r.stdout);
  assert.equal(log.version, '2.1.0');
  assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
  const runObj = log.runs[0];
  const driver = runObj.tool.driver;
  assert.equal(driver.name, 'Crosswire');
  assert.equal(driver.version, JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version);
  assert.equal(typeof driver.informationUri, 'string');
  for (const id of ['duplicate-secret', 'port-collision', 'ineffective-port', 'implicit-port', 'missing-connection-limit', 'inconsistent-service-url']) {
    const rule = driver.rules.find((x: { id: string }) => x.id === id);
    assert.ok(rule, `rule ${id} listed`);
    assert.ok(rule.shortDescription.text && rule.help.text);
    assert.ok(rule.helpUri.endsWith(`docs/rules/${id}.md`), rule.helpUri);
    assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration.level));
  }
  const base = runObj.originalUriBaseIds['%SRCROOT%'].uri;
  assert.equal(fileURLToPath(base).replace(/\/$/, ''), ws);
  const level = { error: 'error', warning: 'warning', info: 'note' } as const;
  // biome-ignore lint/suspicious/noExplicitAny: a SARIF result, read as parsed JSON
  const got = runObj.results.map((res: any) => {
    assert.equal(driver.rules[res.ruleIndex].id, res.ruleId);
    const pl = res.locations[0].physicalLocation;
    assert.equal(pl.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.ok(fs.existsSync(new URL(pl.artifactLocation.uri, base)), pl.artifactLocation.uri);
    for (const rl of res.relatedLocations ?? []) {
      assert.ok(Number.isInteger(rl.id));
      assert.ok(rl.message.text);
      assert.ok(rl.physicalLocation.region.startLine >= 1);
    }
    return `${decodeURIComponent(pl.artifactLocation.uri)}:${pl.region.startLine}:${pl.region.startColumn} ${res.level} ${res.ruleId} ${(res.relatedLocations ?? []).length}`;
  });
  assert.deepEqual(got.sort(), all.map((f) => `${f.file}:${f.line}:${f.column} ${level[f.severity]} ${f.ruleId} ${f.related.length}`).sort());
});

test('--output writes the report to a file', () => {
  const out = path.join(ws, '..', `${path.basename(ws)}-report.json`);
  try {
    const r = run(['audit', '.', '--format', 'json', '--output', out, '--fail-on', 'never']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    const written: JsonFinding[] = JSON.parse(fs.readFileSync(out, 'utf8'));
    // (the order of related locations may differ between two runs: compare the findings themselves)
    const id = (f: JsonFinding) => `${f.ruleId} ${f.file}:${f.line}:${f.column} ${f.related.length}`;
    assert.deepEqual(written.map(id).sort(), all.map(id).sort());
    outputs.push(fs.readFileSync(out, 'utf8'));
  } finally {
    fs.rmSync(out, { force: true });
  }
});

// ---------------------------------------------------------------------------------------------
// several DIRs: one multi-root workspace, paths relative to the current directory

test('several DIRs are audited together: duplicate-secret across two unrelated folders', () => {
  const j = json(['audit', 'electricity-tokens', 'multi-business-multi-apps']);
  assert.equal(j.run.code, 1);
  const files = ['electricity-tokens/.env', 'electricity-tokens/.env.local', 'multi-business-multi-apps/.env', 'multi-business-multi-apps/.env.local'];
  assert.deepEqual(sorted(at(j.findings, 'duplicate-secret')), sorted(files.map((f) => key(f, lineOf(f, envLine('NEXTAUTH_SECRET'))))));
  // from another current directory, with absolute DIRs: still relative to the current directory
  const parent = path.dirname(ws);
  const k = json(['audit', path.join(ws, 'electricity-tokens'), path.join(ws, 'multi-business-multi-apps')], parent);
  assert.deepEqual(
    sorted(at(k.findings, 'duplicate-secret')),
    sorted(files.map((f) => key(`${path.basename(ws)}/${f}`, lineOf(f, envLine('NEXTAUTH_SECRET'))))),
  );
  const text = run(['audit', 'electricity-tokens', 'multi-business-multi-apps']);
  assert.ok(text.stdout.split('\n').includes('electricity-tokens/.env'), text.stdout);
  const sarif = JSON.parse(run(['audit', 'electricity-tokens', 'multi-business-multi-apps', '--format', 'sarif']).stdout);
  assert.equal(fileURLToPath(sarif.runs[0].originalUriBaseIds['%SRCROOT%'].uri).replace(/\/$/, ''), ws);
});

test('--verbose logs go to stderr only', () => {
  const quiet = run(['audit', 'status-page']);
  assert.equal(quiet.stderr, '');
  const loud = run(['audit', 'status-page', '--verbose', '--format', 'json']);
  assert.equal(loud.code, 0);
  assert.deepEqual(JSON.parse(loud.stdout), []);
});

test('no output of any format ever contains the secret', () => {
  run(['audit', '.', '--verbose', '--format', 'sarif']);
  run(['audit', '.', '--verbose', '--format', 'text', '--color']);
  assert.ok(outputs.length > 10);
  for (const out of outputs) {
    for (let i = 0; i + 8 <= SECRET.length; i++) {
      assert.ok(!out.includes(SECRET.slice(i, i + 8)), `output contains a piece of the secret: ${SECRET.slice(i, i + 8)}`);
    }
  }
});
