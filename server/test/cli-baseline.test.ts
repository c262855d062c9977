import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, REPO_ROOT, tempDir } from './helpers/files';

function copy(): string {
  const dir = tempDir('crosswire-baseline-');
  fs.cpSync(path.join(REPO_ROOT, 'test-workspace'), path.join(dir, 'ws'), { recursive: true });
  return dir;
}

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('baseline: write, then only new findings fail; the baseline never stores line text', () => {
  const dir = copy();
  const w = run(['audit', 'ws', '--baseline-write', 'baseline.json'], dir);
  assert.equal(w.code, 0, w.stderr);
  const baselineText = fs.readFileSync(path.join(dir, 'baseline.json'), 'utf8');
  const baseline = JSON.parse(baselineText);
  assert.equal(baseline.version, 1);
  assert.ok(baseline.findings.length > 10);
  assert.ok(!baselineText.includes('pano-pamusha'), 'no secret in the baseline');
  assert.ok(!baselineText.includes('NEXTAUTH_SECRET'), 'no line text in the baseline');

  const clean = run(['audit', 'ws', '--baseline', 'baseline.json', '--format', 'json'], dir);
  assert.equal(clean.code, 0, clean.stdout);
  assert.deepEqual(JSON.parse(clean.stdout), []);

  // lines moving does not matter
  const env = path.join(dir, 'ws', 'electricity-tokens', '.env');
  fs.writeFileSync(env, '# a comment added on top\n' + fs.readFileSync(env, 'utf8'));
  assert.equal(run(['audit', 'ws', '--baseline', 'baseline.json'], dir).code, 0);

  // a new shared secret is new
  fs.appendFileSync(path.join(dir, 'ws', 'status-page', '.env'), 'JWT_SECRET=pano-pamusha-hapa-pindwi-nemuroyi\n');
  const fresh = run(['audit', 'ws', '--baseline', 'baseline.json', '--format', 'json'], dir);
  assert.equal(fresh.code, 1);
  const news = JSON.parse(fresh.stdout) as { ruleId: string; file: string }[];
  assert.ok(news.length >= 1);
  assert.ok(
    news.some((f) => f.ruleId === 'duplicate-secret' && f.file === 'status-page/.env'),
    JSON.stringify(news),
  );
  assert.ok(
    news.every((f) => f.file === 'status-page/.env' || f.ruleId === 'duplicate-secret' || f.ruleId === 'weak-secret'),
    JSON.stringify(news),
  );
});

test('--config: severities from a config file outside the workspace; invalid config is a usage error', () => {
  const dir = copy();
  fs.writeFileSync(path.join(dir, 'cfg.json'), '{ "rules": { "duplicate-secret": "off", "port-collision": "warning" } }');
  const r = run(['audit', 'ws', '--config', 'cfg.json', '--format', 'json'], dir);
  const findings = JSON.parse(r.stdout) as { ruleId: string; severity: string }[];
  assert.ok(!findings.some((f) => f.ruleId === 'duplicate-secret'));
  assert.ok(findings.filter((f) => f.ruleId === 'port-collision').every((f) => f.severity === 'warning'));
  assert.ok(findings.some((f) => f.ruleId === 'port-collision'));
  fs.writeFileSync(path.join(dir, 'bad.json'), '{ "rulez": {} }');
  const bad = run(['audit', 'ws', '--config', 'bad.json'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /rulez/);
  assert.equal(run(['audit', 'ws', '--config', 'missing.json'], dir).code, 2);
});
