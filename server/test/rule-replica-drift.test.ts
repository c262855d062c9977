import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyEdits, audit, byRule, lineOf, makeWorkspace, pkg } from './helpers/workspace';
import { fixThroughProtocol } from './helpers/protocol-fix';
import { urlParts } from '../src/facts/replicas';
import { read, REPO_ROOT } from './helpers/files';

const NEXT = { next: '14.2.18', 'next-auth': '^4.24.10' };
const KEY = 'b3f1c9d7a5e4f2c3819d6b7a2e4f0c1d2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7';
const TYPO = KEY.slice(0, -1);
const SECRET = 'V4h2s9mZqL1t8R0pXy3N6bQwFh7uJrT5aKzPdUcYv2M=';

test('replica-drift: two replicas disagreeing on SYNC_REGISTRATION_KEY, SYNC_SERVICE_PORT and the database name: both lines, values masked, no credentials', async () => {
  const ws = makeWorkspace({
    'server-1/package.json': pkg('shop', { dev: 'next dev -p 8080' }, NEXT),
    'server-1/.env': `NEXTAUTH_SECRET="${SECRET}"\nSYNC_REGISTRATION_KEY="${KEY}"\nSYNC_SERVICE_PORT=8765\nDATABASE_URL="postgresql://postgres:pw-one@localhost:5432/shop_db"\n`,
    'server-2/package.json': pkg('shop', { dev: 'next dev -p 8080' }, NEXT),
    'server-2/.env.local': `NEXTAUTH_SECRET="${SECRET}"\nSYNC_REGISTRATION_KEY="${TYPO}"\nSYNC_SERVICE_PORT=8766\nDATABASE_URL="postgresql://postgres:pw-two@localhost:5432/shop_copy"\n`,
  });
  const { findings } = await audit(ws);
  const drift = byRule(findings, 'replica-drift');
  const at = (rel: string, needle: string) =>
    drift.filter((f) => f.location.file === path.join(ws, rel) && f.location.range.start.line === lineOf(path.join(ws, rel), needle));
  for (const [rel, other] of [
    ['server-1/.env', 'server-2/.env.local'],
    ['server-2/.env.local', 'server-1/.env'],
  ]) {
    for (const needle of ['SYNC_REGISTRATION_KEY=', 'SYNC_SERVICE_PORT=', 'DATABASE_URL=']) {
      const [f] = at(rel, needle);
      assert.ok(
        f,
        `replica-drift on ${rel} ${needle}; got ${drift.map((x) => `${path.relative(ws, x.location.file)}:${x.location.range.start.line}`).join(', ')}`,
      );
      assert.equal(f.severity, 'error');
      assert.deepEqual(
        f.related.map((r) => path.relative(ws, r.location.file)),
        [other],
      );
      assert.equal(f.related[0].location.range.start.line, lineOf(path.join(ws, other), needle));
      assert.match(f.message, /of shop is .* here but .* on its replica in server-[12]\.$/, 'replicas are told apart by folder');
      assert.equal(f.fixes.length, 1, 'two replicas: no majority, one fix copying the other replica');
      assert.notEqual(f.fixes[0].preferred, true);
    }
  }
  assert.equal(drift.length, 6, 'NEXTAUTH_SECRET is equal: not reported');
  for (const f of drift) {
    assert.ok(!f.message.includes(KEY.slice(0, 12)), 'the key is never printed');
    assert.ok(!/pw-one|pw-two/.test(f.message + f.related.map((r) => r.message).join()), 'no credentials');
  }
  const key = at('server-2/.env.local', 'SYNC_REGISTRATION_KEY=')[0];
  assert.match(key.message, /sha256:[0-9a-f]{6}.*sha256:[0-9a-f]{6}/);
  assert.match(at('server-1/.env', 'SYNC_SERVICE_PORT=')[0].message, /8765.*8766/);
  assert.match(at('server-1/.env', 'DATABASE_URL=')[0].message, /database "shop_db".*database "shop_copy"/);
});

test('replica-drift: with three replicas only the odd one out is reported, and its preferred fix copies the majority', async () => {
  const files: Record<string, string> = {};
  for (const [i, k] of [
    [1, KEY],
    [2, KEY],
    [3, TYPO],
  ] as const) {
    files[`node-${i}/package.json`] = pkg('sync-app', { start: 'next start -p 8080' }, NEXT);
    files[`node-${i}/.env`] = `SYNC_REGISTRATION_KEY=${k}\n`;
  }
  const ws = makeWorkspace(files);
  const drift = byRule((await audit(ws)).findings, 'replica-drift');
  assert.equal(drift.length, 1);
  assert.equal(drift[0].location.file, path.join(ws, 'node-3/.env'));
  assert.equal(drift[0].related.length, 2);
  assert.match(drift[0].message, /differs on its replicas in node-1 and node-2 \(most use sha256:[0-9a-f]{6}\)/);
  assert.equal(drift[0].fixes.length, 1);
  assert.equal(drift[0].fixes[0].preferred, true);
  applyEdits(drift[0].fixes[0].edits());
  assert.equal(read(path.join(ws, 'node-3/.env')), `SYNC_REGISTRATION_KEY=${KEY}\n`);
  assert.deepEqual(byRule((await audit(ws)).findings, 'replica-drift'), []);
});

test('replica-drift: not reported for equal values, shadowed values, different apps, local database hosts, templates; a remote server is compared', async () => {
  const ws = makeWorkspace({
    // Effective values are equal: server-1's .env differs, but .env.local wins.
    'a1/package.json': pkg('shop', { dev: 'next dev -p 8080' }, NEXT),
    'a1/.env': `SYNC_REGISTRATION_KEY=old-key-in-env\nDATABASE_URL=postgresql://u:p@localhost:5432/shop\n`,
    'a1/.env.local': `SYNC_REGISTRATION_KEY=${KEY}\n`,
    'a1/.env.example': `SYNC_REGISTRATION_KEY=template-value\n`,
    'a2/package.json': pkg('shop', { dev: 'next dev -p 8080' }, NEXT),
    'a2/.env.local': `SYNC_REGISTRATION_KEY=${KEY}\nDATABASE_URL=postgresql://u:p@192.168.1.100:5432/shop\n`,
    // Different apps may use different keys.
    'other/package.json': pkg('other', { dev: 'next dev -p 9000' }, NEXT),
    'other/.env': `SYNC_REGISTRATION_KEY=${TYPO}\n`,
    // Two replicas on two different remote database servers.
    'b1/package.json': pkg('ledger', { start: 'node server.js' }, { express: '4.21.1', dotenv: '16.4.5' }),
    'b1/.env': `DATABASE_URL=postgresql://u:p@db-a.internal:5432/ledger\n`,
    'b2/package.json': pkg('ledger', { start: 'node server.js' }, { express: '4.21.1', dotenv: '16.4.5' }),
    'b2/.env': `DATABASE_URL=postgresql://u:p@db-b.internal/ledger\n`,
  });
  const drift = byRule((await audit(ws)).findings, 'replica-drift');
  assert.deepEqual(drift.map((f) => path.relative(ws, f.location.file)).sort(), ['b1/.env', 'b2/.env'], drift.map((f) => f.message).join('\n'));
  for (const f of drift) assert.match(f.message, /server db-[ab]\.internal:5432.*server db-[ab]\.internal:5432/);
  // The fix copies host:port only: credentials and database name stay.
  const onB2 = drift.find((f) => f.location.file.endsWith(path.join('b2', '.env')))!;
  applyEdits(onB2.fixes[0].edits());
  assert.equal(read(path.join(ws, 'b2/.env')), 'DATABASE_URL=postgresql://u:p@db-a.internal:5432/ledger\n');
});

test('replica-drift: explicit replicas from crosswire.config.json; the fix writes every env file of the replica holding the value, quoting and credentials kept', async () => {
  const ws = makeWorkspace({
    'crosswire.config.json': JSON.stringify({ replicas: [['site-a', 'site-b']] }),
    'site-a/package.json': pkg('site-a', { dev: 'next dev -p 8080' }, NEXT),
    'site-a/.env': `DATABASE_URL="postgresql://app:alpha@localhost:5432/shop"\nSYNC_SERVICE_PORT=8765\n`,
    'site-b/package.json': pkg('site-b', { dev: 'next dev -p 8080' }, NEXT),
    'site-b/.env': `DATABASE_URL='postgresql://app:beta@localhost:5432/shop_b?schema=public'\nSYNC_SERVICE_PORT=9765\n`,
    'site-b/.env.local': `SYNC_SERVICE_PORT=9765 # local\n`,
  });
  const drift = byRule((await audit(ws)).findings, 'replica-drift');
  assert.equal(drift.length, 4, drift.map((f) => f.message).join('\n'));
  const dbB = drift.find((f) => f.location.file === path.join(ws, 'site-b/.env') && /database/.test(f.message))!;
  assert.equal(dbB.fixes[0].title, "Copy DATABASE_URL's database name from site-a");
  applyEdits(dbB.fixes[0].edits());
  assert.equal(read(path.join(ws, 'site-b/.env')).split('\n')[0], `DATABASE_URL='postgresql://app:beta@localhost:5432/shop?schema=public'`);
  const portB = byRule((await audit(ws)).findings, 'replica-drift').find((f) => f.location.file === path.join(ws, 'site-b/.env.local'))!;
  assert.ok(portB, 'the effective SYNC_SERVICE_PORT of site-b is in .env.local');
  const edits = portB.fixes[0].edits();
  assert.deepEqual(edits.map((e) => path.relative(ws, e.file)).sort(), ['site-b/.env', 'site-b/.env.local']);
  applyEdits(edits);
  assert.equal(read(path.join(ws, 'site-b/.env.local')), 'SYNC_SERVICE_PORT=8765 # local\n');
  assert.deepEqual(byRule((await audit(ws)).findings, 'replica-drift'), []);
});

test('replica-drift: urlParts splits a connection URL as written', () => {
  assert.deepEqual(urlParts('postgresql://u:p@w@[::1]:5433/db?x=1'), {
    scheme: 'postgresql://',
    userinfo: 'u:p@w@',
    hostport: '[::1]:5433',
    host: '::1',
    port: '5433',
    path: '/db',
    rest: '?x=1',
  });
  assert.equal(urlParts('not a url'), undefined);
});

test('replica-drift: test-workspace server 2 has SYNC_REGISTRATION_KEY with a typo: both servers get the error', async () => {
  const ws = path.join(REPO_ROOT, 'test-workspace');
  const drift = byRule((await audit(ws)).findings, 'replica-drift');
  const s1 = path.join(ws, 'multi-business-multi-apps', '.env');
  const s2 = path.join(ws, 'multi-business-server-2', '.env.local');
  assert.deepEqual(
    drift.map((f) => `${f.location.file}:${f.location.range.start.line}`).sort(),
    [`${s1}:${lineOf(s1, 'SYNC_REGISTRATION_KEY=')}`, `${s2}:${lineOf(s2, 'SYNC_REGISTRATION_KEY=')}`].sort(),
  );
});

test('replica-drift: the fix through the language server clears the error on both replicas', { timeout: 60_000 }, async () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-drift-')));
  for (const app of ['multi-business-multi-apps', 'multi-business-server-2'])
    fs.cpSync(path.join(REPO_ROOT, 'test-workspace', app), path.join(dir, app), { recursive: true });
  const s1 = path.join(dir, 'multi-business-multi-apps', '.env');
  const s2 = path.join(dir, 'multi-business-server-2', '.env.local');
  const { client, edited } = await fixThroughProtocol({
    folder: dir,
    file: s2,
    rule: 'replica-drift',
    line: lineOf(s2, 'SYNC_REGISTRATION_KEY='),
    title: 'Copy SYNC_REGISTRATION_KEY from multi-business-multi-apps (multi-business-multi-apps)',
    cleared: (c) => !c.diagnosticsOf(s1).some((d) => d.code === 'replica-drift'),
  });
  try {
    assert.deepEqual(edited, [s2]);
    assert.match(read(s2), new RegExp(`^SYNC_REGISTRATION_KEY="${KEY}"$`, 'm'));
    assert.match(read(s1), new RegExp(`^SYNC_REGISTRATION_KEY="${KEY}"$`, 'm'), 'server 1 untouched');
  } finally {
    client.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
