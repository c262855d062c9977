import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { applyEdits, audit, byRule, makeWorkspace, pkg } from './helpers/workspace';

const NEXT = { next: '14.2.5' };
const S = 'x7Qp2LwN9vRt4KzB8mYc3HdF6jGs1AeU';

function twoApps(extra: Record<string, string> = {}) {
  return makeWorkspace({
    'a/package.json': pkg('a', { dev: 'next dev -p 3001' }, NEXT),
    'a/.env': `JWT_SECRET=${S}\nPORT=9999\n`,
    'b/package.json': pkg('b', { dev: 'next dev -p 3002' }, NEXT),
    'b/.env': `JWT_SECRET=${S}\n`,
    ...extra,
  });
}

test('config: per-rule severity, "off", ignore globs', async () => {
  const ws = twoApps({
    'crosswire.config.json': '{\n  // JSON with comments\n  "rules": { "duplicate-secret": "warning", "ineffective-port": "off" },\n  "ignore": ["b"]\n}\n',
  });
  const { findings } = await audit(ws);
  const dup = byRule(findings, 'duplicate-secret');
  assert.equal(dup.length, 0, 'b is ignored, so a alone has nothing to share with');
  assert.deepEqual(byRule(findings, 'ineffective-port'), []);
  const ws2 = twoApps({ 'crosswire.config.json': '{ "rules": { "duplicate-secret": "warning" } }' });
  const dup2 = byRule((await audit(ws2)).findings, 'duplicate-secret');
  assert.equal(dup2.length, 2);
  assert.ok(dup2.every((f) => f.severity === 'warning'));
});

test('config: unknown keys, unknown rule ids and bad values are reported on the config file', async () => {
  const ws = twoApps({ 'crosswire.config.json': '{\n  "rules": { "no-such-rule": "error", "duplicate-secret": "loud" },\n  "ignroe": []\n}\n' });
  const { findings } = await audit(ws);
  const bad = byRule(findings, 'invalid-config');
  assert.equal(bad.length, 3);
  assert.ok(bad.every((f) => f.location.file === path.join(ws, 'crosswire.config.json')));
  assert.deepEqual(bad.map((f) => f.location.range.start.line).sort(), [1, 1, 2]);
  assert.ok(bad.some((f) => /ignroe/.test(f.message)));
});

test('config: explicit replica groups share secrets without a finding', async () => {
  const ws = twoApps({ 'crosswire.config.json': '{ "replicas": [["a", "b"]] }' });
  assert.deepEqual(byRule((await audit(ws)).findings, 'duplicate-secret'), []);
});

test('suppressions: next-line and file-level directives, and unused ones reported', async () => {
  const ws = twoApps();
  const { engine, findings } = await audit(ws);
  const onA = byRule(findings, 'duplicate-secret').find((f) => f.location.file === path.join(ws, 'a/.env'))!;
  const edit = engine.disableEdit(onA)!;
  assert.equal(edit.newText, '# crosswire-disable-next-line duplicate-secret\n');
  applyEdits([edit]);
  const after = await audit(ws);
  assert.equal(byRule(after.findings, 'duplicate-secret').filter((f) => f.location.file === path.join(ws, 'a/.env')).length, 0);
  assert.equal(byRule(after.findings, 'duplicate-secret').length, 1, 'b still has its finding');
  assert.deepEqual(byRule(after.findings, 'unused-suppression'), []);

  const ws2 = twoApps({
    'b/.env': `# crosswire-disable duplicate-secret -- b is a throwaway demo\nJWT_SECRET=${S}\n# crosswire-disable-next-line port-collision\nOTHER=1\n`,
  });
  const f2 = (await audit(ws2)).findings;
  assert.equal(byRule(f2, 'duplicate-secret').length, 1);
  const unused = byRule(f2, 'unused-suppression');
  assert.equal(unused.length, 1);
  assert.equal(unused[0].severity, 'info');
  assert.equal(unused[0].location.range.start.line, 2);
});
