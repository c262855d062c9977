// `crosswire audit --fix` and `--fix-secrets`, on real temporary folders through the BUILT bundle (server/dist/cli.js).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, TEST_WORKSPACE } from './helpers/files';
import { makeWorkspace, pkg } from './helpers/workspace';

const SECRET = 'k8Jd9sLq2Wm4Xv7Zp1Rt6Yb3Nc5Hf0Ga';
const NEXT = { next: '14.2.3', 'next-auth': '4.24.7', react: '18.3.1' };
const PRISMA5 = { '@prisma/client': '5.22.0', prisma: '5.22.0', express: '4.21.1', dotenv: '16.4.5' };
const SCHEMA = (extra = '') => `datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n${extra}}\n`;

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function workspace(files: Record<string, string>): string {
  const ws = fs.realpathSync(makeWorkspace(files));
  dirs.push(ws);
  return ws;
}

function run(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const read = (ws: string, rel: string) => fs.readFileSync(path.join(ws, rel), 'utf8');

interface JsonFinding {
  ruleId: string;
  file: string;
}
const findingsOf = (stdout: string): JsonFinding[] => {
  return JSON.parse(stdout) as JsonFinding[];
};

/** Two Next.js apps sharing a NEXTAUTH_SECRET; web's NEXTAUTH_URL names the wrong port; two Prisma apps share a server. */
function mixed(): string {
  return workspace({
    'web/package.json': pkg('web', { dev: 'next dev -p 3001', start: 'next start -p 3001' }, NEXT),
    'web/.env': `NEXTAUTH_URL=http://localhost:3000\nNEXTAUTH_SECRET=${SECRET}\n`,
    'admin/package.json': pkg('admin', { dev: 'next dev -p 3002', start: 'next start -p 3002' }, NEXT),
    'admin/.env': `NEXTAUTH_URL=http://localhost:3002\nNEXTAUTH_SECRET=${SECRET}\n`,
    'api/package.json': pkg('api', { start: 'node server.js' }, PRISMA5),
    'api/prisma/schema.prisma': SCHEMA(),
    'api/.env': 'DATABASE_URL="postgresql://a:a@localhost:5432/api"\n',
    'jobs/package.json': pkg('jobs', { start: 'node worker.js' }, PRISMA5),
    'jobs/prisma/schema.prisma': SCHEMA('  connection_limit = 4\n'),
    'jobs/.env': 'DATABASE_URL="postgresql://a:a@localhost:5432/jobs"\n',
  });
}

test('--fix applies the safe fixes, says what it changed (file and title), re-audits and exits on what remains', () => {
  const ws = mixed();
  const before = findingsOf(run(['audit', '.', '--format', 'json'], ws).stdout);
  for (const id of ['nextauth-url-mismatch', 'duplicate-secret', 'missing-connection-limit'])
    assert.ok(
      before.some((f) => f.ruleId === id),
      `${id} before`,
    );

  const r = run(['audit', '.', '--fix'], ws);
  // What changed, one line per file and fix, paths from the current directory.
  assert.match(r.stdout, /^Fixed web\/\.env: Use port 3001 in NEXTAUTH_URL$/m);
  assert.match(r.stdout, /^Fixed api\/\.env: Add connection_limit=\d+ to DATABASE_URL$/m);
  assert.match(r.stdout, /^Fixed jobs\/prisma\/schema\.prisma: Move connection_limit=4 into the DATABASE_URL$/m);
  assert.match(r.stdout, /^Fixed jobs\/\.env: Move connection_limit=4 into the DATABASE_URL$/m);
  assert.match(r.stdout, /^Applied 4 fixes in 4 files\.$/m);
  assert.ok(!r.stdout.includes(SECRET.slice(0, 8)) && !r.stderr.includes(SECRET.slice(0, 8)), 'no secret printed');

  // The files: the edits, applied once each.
  assert.equal(read(ws, 'web/.env'), `NEXTAUTH_URL=http://localhost:3001\nNEXTAUTH_SECRET=${SECRET}\n`);
  assert.match(read(ws, 'api/.env'), /^DATABASE_URL="postgresql:\/\/a:a@localhost:5432\/api\?connection_limit=\d+"\n$/);
  // The in-block limit (the user's 4) is moved, not replaced by a computed one: the more serious finding is fixed first.
  assert.equal(read(ws, 'jobs/.env'), 'DATABASE_URL="postgresql://a:a@localhost:5432/jobs?connection_limit=4"\n');
  assert.equal(read(ws, 'jobs/prisma/schema.prisma'), SCHEMA());
  // Secrets are not --fix's business.
  assert.equal(read(ws, 'admin/.env'), `NEXTAUTH_URL=http://localhost:3002\nNEXTAUTH_SECRET=${SECRET}\n`);

  // The report is the re-audit: only the duplicated secret remains, and the exit status says so.
  assert.match(r.stdout, /duplicate-secret/);
  assert.doesNotMatch(r.stdout, /nextauth-url-mismatch|missing-connection-limit/);
  assert.equal(r.code, 1);

  // A second run has nothing left to fix.
  const again = run(['audit', '.', '--fix', '--format', 'json'], ws);
  assert.match(again.stderr, /No fixes applied\./);
  assert.deepEqual([...new Set(findingsOf(again.stdout).map((f) => f.ruleId))], ['duplicate-secret'], 'json stays data; what changed goes to stderr');
});

test('--fix-secrets regenerates the duplicated secrets (never implied by --fix), prints no secret, and the run is clean', () => {
  const ws = mixed();
  const r = run(['audit', '.', '--fix-secrets'], ws);
  assert.match(r.stdout, /^Fixed (web|admin)\/\.env: Generate a new secret for (web|admin)$/m);
  assert.ok(!r.stdout.includes(SECRET.slice(0, 8)) && !r.stderr.includes(SECRET.slice(0, 8)), 'no secret printed');
  const web = /NEXTAUTH_SECRET=(.*)/.exec(read(ws, 'web/.env'))![1];
  const admin = /NEXTAUTH_SECRET=(.*)/.exec(read(ws, 'admin/.env'))![1];
  assert.notEqual(web, admin, 'the apps no longer share a secret');
  for (const s of [web, admin]) {
    assert.ok(!r.stdout.includes(s.replace(/"/g, '').slice(0, 8)), 'the new secret is not printed either');
  }
  // Only secrets: the safe fixes wait for --fix.
  assert.match(read(ws, 'web/.env'), /^NEXTAUTH_URL=http:\/\/localhost:3000$/m);
  assert.match(read(ws, 'api/.env'), /\/api"\n$/);
  assert.doesNotMatch(r.stdout, /duplicate-secret/);
  assert.match(r.stdout, /nextauth-url-mismatch/);

  const both = run(['audit', '.', '--fix', '--fix-secrets', '--fail-on', 'warning'], ws);
  assert.equal(both.code, 0, both.stdout + both.stderr);
  assert.match(both.stdout, /No problems|0 problems|✔/);
});

test('--fix on a port collision moves one app to a free port, and the collision is gone (test-workspace copy)', () => {
  const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-fix-')));
  dirs.push(ws);
  fs.cpSync(TEST_WORKSPACE, ws, { recursive: true });
  const before = findingsOf(run(['audit', '.', '--format', 'json', '--fail-on', 'never'], ws).stdout);
  const collisions = before.filter((f) => f.ruleId === 'port-collision').length;
  assert.ok(collisions > 0, 'test-workspace has a port collision');
  const r = run(['audit', '.', '--fix', '--format', 'json', '--fail-on', 'never'], ws);
  const portFixes = r.stderr.split('\n').filter((l) => /: Set the port of .* to \d+$/.test(l));
  assert.ok(portFixes.length >= 1, r.stderr);
  const after = findingsOf(r.stdout);
  assert.equal(after.filter((f) => f.ruleId === 'port-collision').length, 0, 'no collision left (the two sides did not both move to one port)');
  assert.ok(after.length < before.length);
  // Judgement and secret fixes were not applied.
  assert.doesNotMatch(r.stderr, /Generate|Copy |CORS|Name the session cookie|single instance/);
});

test('--fix with apps is a usage error', () => {
  const ws = mixed();
  const r = run(['apps', '.', '--fix'], ws);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--fix and --fix-secrets apply to "audit" only/);
});
