import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyEdits, audit, byRule, lineOf, makeWorkspace, pkg } from './helpers/workspace';
import { fixThroughProtocol } from './helpers/protocol-fix';
import { isNodeIdKey, newNodeId, newNodeName } from '../src/rules/duplicate-node-id';
import { read, REPO_ROOT } from './helpers/files';

const NEXT = { next: '14.2.18', 'next-auth': '^4.24.10' };

test('duplicate-node-id: which keys must be unique per server', () => {
  for (const k of ['SYNC_NODE_ID', 'SYNC_NODE_NAME', 'NODE_ID', 'CLUSTER_NODE_NAME', 'WORKER_INSTANCE_ID', 'PEER_ID']) assert.ok(isNodeIdKey(k), k);
  for (const k of ['NODE_ENV', 'SYNC_SERVICE_PORT', 'APP_NAME', 'NODE_OPTIONS', 'SYNC_REGISTRATION_KEY', 'CLIENT_ID']) assert.ok(!isNodeIdKey(k), k);
});

test('duplicate-node-id: new ids are 8 random bytes in hex (a UUID stays a UUID); names get the next free number or a hex suffix', () => {
  const a = newNodeId('2595930f841f02e1');
  assert.match(a, /^[0-9a-f]{16}$/);
  assert.notEqual(a, newNodeId('2595930f841f02e1'));
  assert.match(newNodeId('a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d'), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(newNodeName('sync-node-server-1', new Set(['sync-node-server-1'])), 'sync-node-server-2');
  assert.equal(newNodeName('sync-node-server-1', new Set(['sync-node-server-1', 'sync-node-server-2'])), 'sync-node-server-3');
  assert.match(newNodeName('sync-node', new Set(['sync-node'])), /^sync-node-[0-9a-f]{4}$/);
});

test('duplicate-node-id: replicas sharing SYNC_NODE_ID and SYNC_NODE_NAME get an error on each line; unique values and different apps are fine', async () => {
  const ws = makeWorkspace({
    'server-1/package.json': pkg('shop', { dev: 'next dev -p 8080' }, NEXT),
    'server-1/.env': `SYNC_NODE_ID="2595930f841f02e1"\nSYNC_NODE_NAME="sync-node-server-1"\nCLUSTER_NODE_ID=n1\n`,
    'server-2/package.json': pkg('shop', { dev: 'next dev -p 8080' }, NEXT),
    'server-2/.env.local': `# copied from server 1\nSYNC_NODE_ID="2595930f841f02e1"\nSYNC_NODE_NAME="sync-node-server-1"\nCLUSTER_NODE_ID=n2\n`,
    'server-2/.env.example': `SYNC_NODE_ID="2595930f841f02e1"\n`,
    // Another app with the same id: a different sync network, not this rule's business.
    'other/package.json': pkg('other', { dev: 'next dev -p 9000' }, NEXT),
    'other/.env': `SYNC_NODE_ID="2595930f841f02e1"\n`,
  });
  const found = byRule((await audit(ws)).findings, 'duplicate-node-id');
  const sites = found.map((f) => `${path.relative(ws, f.location.file)}:${f.location.range.start.line}`).sort();
  assert.deepEqual(sites, ['server-1/.env:0', 'server-1/.env:1', 'server-2/.env.local:1', 'server-2/.env.local:2']);
  for (const f of found) {
    assert.equal(f.severity, 'error');
    assert.equal(f.related.length, 1);
    const other = f.location.file.includes('server-1') ? path.join(ws, 'server-2/.env.local') : path.join(ws, 'server-1/.env');
    assert.equal(f.related[0].location.file, other);
    assert.match(f.message, /of shop is also used by its replica in server-[12]\.$/);
    assert.equal(f.fixes.length, 1);
  }
  assert.match(found.find((f) => f.location.range.start.line === 1 && f.location.file.endsWith('.env.local'))!.message, /SYNC_NODE_ID "2595930f841f02e1"/);
});

test('duplicate-node-id: the fix writes a new id into every live env file of that replica holding it; the name fix takes the next free number', async () => {
  const ws = makeWorkspace({
    'server-1/package.json': pkg('shop', { dev: 'next dev -p 8080' }, NEXT),
    'server-1/.env': `SYNC_NODE_ID="2595930f841f02e1"\nSYNC_NODE_NAME=sync-node-server-1\n`,
    'server-2/package.json': pkg('shop', { dev: 'next dev -p 8080' }, NEXT),
    'server-2/.env': `SYNC_NODE_ID="2595930f841f02e1"\nSYNC_NODE_NAME=sync-node-server-1\n`,
    'server-2/.env.local': `SYNC_NODE_ID='2595930f841f02e1'\n`,
  });
  const found = byRule((await audit(ws)).findings, 'duplicate-node-id');
  const idOn2 = found.find((f) => f.location.file === path.join(ws, 'server-2/.env.local'))!;
  assert.equal(idOn2.fixes[0].title, 'Generate a new SYNC_NODE_ID for shop (server-2)');
  const edits = idOn2.fixes[0].edits();
  assert.deepEqual(edits.map((e) => path.relative(ws, e.file)).sort(), ['server-2/.env', 'server-2/.env.local']);
  applyEdits(edits);
  const a = /^SYNC_NODE_ID="([0-9a-f]{16})"$/m.exec(read(path.join(ws, 'server-2/.env')));
  const b = /^SYNC_NODE_ID='([0-9a-f]{16})'$/m.exec(read(path.join(ws, 'server-2/.env.local')));
  assert.ok(a && b, 'quoting kept');
  assert.equal(a[1], b[1]);
  assert.notEqual(a[1], '2595930f841f02e1');
  assert.match(read(path.join(ws, 'server-1/.env')), /^SYNC_NODE_ID="2595930f841f02e1"$/m, 'the other replica keeps its id');

  const name = byRule((await audit(ws)).findings, 'duplicate-node-id');
  assert.equal(name.length, 2, 'only the names are left');
  const nameOn2 = name.find((f) => f.location.file === path.join(ws, 'server-2/.env'))!;
  applyEdits(nameOn2.fixes[0].edits());
  assert.match(read(path.join(ws, 'server-2/.env')), /^SYNC_NODE_NAME=sync-node-server-2$/m);
  assert.deepEqual(byRule((await audit(ws)).findings, 'duplicate-node-id'), []);
});

test('duplicate-node-id: test-workspace server 2 copied SYNC_NODE_ID from server 1; SYNC_NODE_NAME differs', async () => {
  const ws = path.join(REPO_ROOT, 'test-workspace');
  const found = byRule((await audit(ws)).findings, 'duplicate-node-id');
  const s1 = path.join(ws, 'multi-business-multi-apps', '.env');
  const s2 = path.join(ws, 'multi-business-server-2', '.env.local');
  assert.deepEqual(
    found.map((f) => `${f.location.file}:${f.location.range.start.line}`).sort(),
    [`${s1}:${lineOf(s1, 'SYNC_NODE_ID=')}`, `${s2}:${lineOf(s2, 'SYNC_NODE_ID=')}`].sort(),
  );
});

test('duplicate-node-id: the fix through the language server clears the error on both replicas', { timeout: 60_000 }, async () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-nodeid-')));
  for (const app of ['multi-business-multi-apps', 'multi-business-server-2'])
    fs.cpSync(path.join(REPO_ROOT, 'test-workspace', app), path.join(dir, app), { recursive: true });
  const s1 = path.join(dir, 'multi-business-multi-apps', '.env');
  const s2 = path.join(dir, 'multi-business-server-2', '.env.local');
  const { client, edited } = await fixThroughProtocol({
    folder: dir,
    file: s2,
    rule: 'duplicate-node-id',
    line: lineOf(s2, 'SYNC_NODE_ID='),
    title: 'Generate a new SYNC_NODE_ID for multi-business-multi-apps (multi-business-server-2)',
    cleared: (c) => !c.diagnosticsOf(s1).some((d) => d.code === 'duplicate-node-id'),
  });
  try {
    assert.deepEqual(edited, [s2]);
    const id = /^SYNC_NODE_ID="([0-9a-f]{16})"$/m.exec(read(s2));
    assert.ok(id, read(s2));
    assert.notEqual(id[1], '2595930f841f02e1');
    assert.match(read(s1), /^SYNC_NODE_ID="2595930f841f02e1"$/m);
  } finally {
    client.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
