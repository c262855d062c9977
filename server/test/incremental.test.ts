import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../src/engine';
import type { Finding } from '../src/model/types';
import { mulberry32 } from './helpers/rng';

const root = path.resolve(__dirname, '../../..');

function snapshot(findings: Finding[]): string[] {
  return findings.map((f) => `${f.ruleId}|${f.severity}|${f.location.file}:${f.location.range.start.line}:${f.location.range.start.character}|${f.message}|${f.related.map((r) => `${r.location.file}:${r.location.range.start.line}`).join(',')}|${f.fixes.map((x) => x.title).join(',')}`);
}

/**
 * The incremental index (one app re-derived per changed file) must agree with a fresh full index of
 * the same files after every step, whether the change comes from the disk or an open document.
 */
test('incremental updates agree with a fresh index after every kind of change', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-incr-'));
  const ws = path.join(dir, 'ws');
  fs.cpSync(path.join(root, 'test-workspace'), ws, { recursive: true });
  const engine = await Engine.create({ roots: [ws] });
  const p = (rel: string) => path.join(ws, rel);
  const edit = (rel: string, fn: (t: string) => string) => fs.writeFileSync(p(rel), fn(fs.readFileSync(p(rel), 'utf8')));

  const steps: [string, () => Promise<void>][] = [
    ['env value changes (disk)', async () => {
      edit('multi-business-multi-apps/.env', (t) => t.replace(/NEXTAUTH_SECRET=.*/, 'NEXTAUTH_SECRET="another-value-for-server-one-0123456789"'));
      await engine.refreshFromDisk(p('multi-business-multi-apps/.env'));
    }],
    ['env line added (open document)', async () => {
      const t = fs.readFileSync(p('electricity-tokens/.env'), 'utf8') + 'PORT=8080\nJWT_SECRET=shared-between-two-apps-on-purpose-000000\n';
      engine.setOverlay(p('electricity-tokens/.env'), t);
      fs.writeFileSync(p('electricity-tokens/.env'), t);
    }],
    ['the same secret in another app (open document)', async () => {
      const t = fs.readFileSync(p('status-page/.env'), 'utf8') + 'JWT_SECRET=shared-between-two-apps-on-purpose-000000\n';
      engine.setOverlay(p('status-page/.env'), t);
      fs.writeFileSync(p('status-page/.env'), t);
    }],
    ['env file deleted in an app founded by an env file', async () => {
      fs.rmSync(p('netra/.env'));
      await engine.refreshFromDisk(p('netra/.env'));
    }],
    ['new env file in a new folder (a new app)', async () => {
      fs.mkdirSync(p('new-service'));
      fs.writeFileSync(p('new-service/.env'), 'SESSION_SECRET=shared-between-two-apps-on-purpose-000000\nAUTH_SERVICE_URL=http://localhost:8999\n');
      await engine.refreshFromDisk(p('new-service/.env'));
    }],
    ['schema url changed', async () => {
      edit('electricity-tokens/prisma/schema.prisma', (t) => t.replace('env("DATABASE_URL")', 'env("DIRECT_DATABASE_URL")'));
      await engine.refreshFromDisk(p('electricity-tokens/prisma/schema.prisma'));
    }],
    ['script changed in package.json (app boundaries re-derived)', async () => {
      edit('it-assets-manager/package.json', (t) => t.replace('"next start"', '"next start -p 3100"'));
      await engine.refreshFromDisk(p('it-assets-manager/package.json'));
    }],
    ['code default changed', async () => {
      edit('netra/schemas/Config.py', (t) => t.replace('8081', '8082'));
      await engine.refreshFromDisk(p('netra/schemas/Config.py'));
    }],
    ['open document closed (back to disk)', async () => {
      engine.setOverlay(p('electricity-tokens/.env'), undefined);
    }],
  ];
  for (const [what, step] of steps) {
    await step();
    const fresh = await Engine.create({ roots: [ws] });
    assert.deepEqual(snapshot(engine.findings()), snapshot(fresh.findings()), what);
    assert.deepEqual(engine.apps().map((a) => a.id), fresh.apps().map((a) => a.id), what);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Random edits of env files as a user would type them (open documents): each rule re-runs only when
 * something it depends on changed (Rule.dependsOn), and the result must still equal a fresh index.
 */
test('random env edits: incremental findings (with rules skipped by their dependencies) equal a fresh index', async () => {
  const seed = Number(process.env.CROSSWIRE_INCR_SEED ?? 20261124);
  const rand = mulberry32(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-incr-rand-'));
  const ws = path.join(dir, 'ws');
  fs.cpSync(path.join(root, 'test-workspace'), ws, { recursive: true });
  const engine = await Engine.create({ roots: [ws] });
  const envFiles = engine.files().filter((f) => /[\\/]\.env(\.[\w.-]+)?$/.test(f) && !f.includes('.next'));
  const existing = new Set<string>();
  for (const f of envFiles) for (const l of fs.readFileSync(f, 'utf8').split('\n')) { const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(l); if (m) existing.add(`${m[1]}=${m[2]}`); }
  const lines = [...existing];
  const inventions = [
    () => `PORT=${pick([3000, 3001, 4000, 4100, 5173, 8080, 8081])}`,
    () => `NEXTAUTH_SECRET=${pick(['pano-pamusha-hapa-pindwi-nemuroyi', 'short', 'x7Qp2LwN9vRt4KzB8mYc3HdF6jGs1AeU'])}`,
    () => `AUTH_SERVICE_URL=http://localhost:${pick([8001, 8081, 9000])}`,
    () => `DATABASE_URL=postgresql://u:p@localhost:${pick([5432, 5433])}/${pick(['a', 'insight_garden', 'electricity_tokens'])}${pick(['', '?connection_limit=5'])}`,
    () => `CORS_ORIGIN=http://localhost:${pick([5173, 5174, 3000])}`,
    () => `NEXTAUTH_URL=http://localhost:${pick([3000, 8080, 3005])}`,
    () => `SYNC_NODE_ID=${pick(['2595930f841f02e1', 'a1b2c3d4e5f6a7b8'])}`,
    () => pick(lines),
  ];
  for (let step = 0; step < 40; step++) {
    const file = pick(envFiles);
    const text = engine.index.textOf(file) ?? '';
    const ls = text.split('\n');
    const op = rand();
    if (op < 0.4 && ls.length > 1) ls.splice(Math.floor(rand() * ls.length), 1);
    else if (op < 0.8) ls.splice(Math.floor(rand() * (ls.length + 1)), 0, pick(inventions)());
    else ls[Math.floor(rand() * ls.length)] = pick(inventions)();
    const next = ls.join('\n');
    engine.setOverlay(file, next);
    fs.writeFileSync(file, next);
    const fresh = await Engine.create({ roots: [ws] });
    assert.deepEqual(snapshot(engine.findings()), snapshot(fresh.findings()), `seed ${seed}, step ${step}: ${path.relative(ws, file)}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
