import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../src/engine';
import { setChecking } from '../src/facts/track';
import type { Finding } from '../src/model/types';
import { mulberry32 } from './helpers/rng';
import { REPO_ROOT } from './helpers/files';
import { withoutFactChecking } from './helpers/workspace';

function snapshot(findings: Finding[]): string[] {
  return findings.map(
    (f) =>
      `${f.ruleId}|${f.severity}|${f.location.file}:${f.location.range.start.line}:${f.location.range.start.character}|${f.message}|${f.related.map((r) => `${r.location.file}:${r.location.range.start.line}`).join(',')}|${f.fixes.map((x) => x.title).join(',')}`,
  );
}

/**
 * The incremental index (one app re-derived per changed file) must agree with a fresh full index of
 * the same files after every step, whether the change comes from the disk or an open document.
 */
test('incremental updates agree with a fresh index after every kind of change', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-incr-'));
  const ws = path.join(dir, 'ws');
  fs.cpSync(path.join(REPO_ROOT, 'test-workspace'), ws, { recursive: true });
  const engine = await Engine.create({ roots: [ws] });
  const p = (rel: string) => path.join(ws, rel);
  const edit = (rel: string, fn: (t: string) => string) => fs.writeFileSync(p(rel), fn(fs.readFileSync(p(rel), 'utf8')));

  const steps: [string, () => Promise<void>][] = [
    [
      'env value changes (disk)',
      async () => {
        edit('multi-business-multi-apps/.env', (t) => t.replace(/NEXTAUTH_SECRET=.*/, 'NEXTAUTH_SECRET="another-value-for-server-one-0123456789"'));
        await engine.refreshFromDisk(p('multi-business-multi-apps/.env'));
      },
    ],
    [
      'env line added (open document)',
      async () => {
        const t = fs.readFileSync(p('electricity-tokens/.env'), 'utf8') + 'PORT=8080\nJWT_SECRET=shared-between-two-apps-on-purpose-000000\n';
        engine.setOverlay(p('electricity-tokens/.env'), t);
        fs.writeFileSync(p('electricity-tokens/.env'), t);
      },
    ],
    [
      'the same secret in another app (open document)',
      async () => {
        const t = fs.readFileSync(p('status-page/.env'), 'utf8') + 'JWT_SECRET=shared-between-two-apps-on-purpose-000000\n';
        engine.setOverlay(p('status-page/.env'), t);
        fs.writeFileSync(p('status-page/.env'), t);
      },
    ],
    [
      'env file deleted in an app founded by an env file',
      async () => {
        fs.rmSync(p('netra/.env'));
        await engine.refreshFromDisk(p('netra/.env'));
      },
    ],
    [
      'new env file in a new folder (a new app)',
      async () => {
        fs.mkdirSync(p('new-service'));
        fs.writeFileSync(p('new-service/.env'), 'SESSION_SECRET=shared-between-two-apps-on-purpose-000000\nAUTH_SERVICE_URL=http://localhost:8999\n');
        await engine.refreshFromDisk(p('new-service/.env'));
      },
    ],
    [
      'schema url changed',
      async () => {
        edit('electricity-tokens/prisma/schema.prisma', (t) => t.replace('env("DATABASE_URL")', 'env("DIRECT_DATABASE_URL")'));
        await engine.refreshFromDisk(p('electricity-tokens/prisma/schema.prisma'));
      },
    ],
    [
      'script changed in package.json (app boundaries re-derived)',
      async () => {
        edit('it-assets-manager/package.json', (t) => t.replace('"next start"', '"next start -p 3100"'));
        await engine.refreshFromDisk(p('it-assets-manager/package.json'));
      },
    ],
    [
      'code default changed',
      async () => {
        edit('netra/schemas/Config.py', (t) => t.replace('8081', '8082'));
        await engine.refreshFromDisk(p('netra/schemas/Config.py'));
      },
    ],
    [
      'open document closed (back to disk)',
      async () => {
        engine.setOverlay(p('electricity-tokens/.env'), undefined);
      },
    ],
  ];
  for (const [what, step] of steps) {
    await step();
    const fresh = await Engine.create({ roots: [ws] });
    assert.deepEqual(snapshot(engine.findings()), snapshot(fresh.findings()), what);
    assert.deepEqual(
      engine.apps().map((a) => a.id),
      fresh.apps().map((a) => a.id),
      what,
    );
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
  fs.cpSync(path.join(REPO_ROOT, 'test-workspace'), ws, { recursive: true });
  const engine = await Engine.create({ roots: [ws] });
  const envFiles = engine.files().filter((f) => /[\\/]\.env(\.[\w.-]+)?$/.test(f) && !f.includes('.next'));
  const existing = new Set<string>();
  for (const f of envFiles)
    for (const l of fs.readFileSync(f, 'utf8').split('\n')) {
      const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(l);
      if (m) existing.add(`${m[1]}=${m[2]}`);
    }
  const lines = [...existing];
  const inventions = [
    () => `PORT=${pick([3000, 3001, 4000, 4100, 5173, 8080, 8081])}`,
    () => `NEXTAUTH_SECRET=${pick(['pano-pamusha-hapa-pindwi-nemuroyi', 'short', 'x7Qp2LwN9vRt4KzB8mYc3HdF6jGs1AeU'])}`,
    () => `AUTH_SERVICE_URL=http://localhost:${pick([8001, 8081, 9000])}`,
    () =>
      `DATABASE_URL=postgresql://u:p@localhost:${pick([5432, 5433])}/${pick(['a', 'insight_garden', 'electricity_tokens'])}${pick(['', '?connection_limit=5'])}`,
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

/**
 * The same on the benchmark's synthetic workspace, where every workspace rule has findings: random edits of
 * env files (ports, served and service URLs, CORS origins, secrets, NODE_ENV, lines copied from other apps)
 * and of ports in code, from the disk or open documents. Each rule memoises per app and keeps cross-app
 * groups from one edit to the next (rules/incremental.ts): findings, related locations and fix titles must
 * equal a fresh index after every edit, in the same order.
 */
test('random edits of the bench workspace: memoised rules equal a fresh index', async () => {
  await benchEdits();
});

/**
 * The same with fact checking off, as users run it (`npm test` turns it on): the memos that checking bypasses
 * (per-app results, the compose model kept while its inputs are the same, the runs kept by the index and read by
 * the early cutoff) are in play. Edits of package.json scripts' ports change listeners without changing the
 * compose model's inputs.
 */
test('random edits of the bench workspace with fact checking off: memoised facts equal a fresh index', async () => {
  await withoutFactChecking(() => benchEdits(20261203, true));
});

async function benchEdits(seedDefault = 20261124, packages = false): Promise<void> {
  const seed = Number(process.env.CROSSWIRE_INCR_SEED ?? seedDefault);
  const rand = mulberry32(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-incr-bench-'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { generate } = require(path.join(REPO_ROOT, 'bench', 'generate.js')) as { generate(o: { dir: string; n: number }): { dir: string } };
  const ws = generate({ dir: path.join(dir, 'ws'), n: 40 }).dir;
  const full = (fs_: Finding[]) => fs_.map((f) => `${snapshot([f])[0]}|${f.related.map((r) => r.message).join(',')}`);
  const engine = await Engine.create({ roots: [ws] });
  const files = engine
    .files()
    .filter(
      (f) =>
        /[\\/]\.env(\.[\w.-]+)?$/.test(f) || /^(server|main|vite\.config)\.[jt]s$/.test(path.basename(f)) || (packages && path.basename(f) === 'package.json'),
    );
  const envFiles = files.filter((f) => /[\\/]\.env/.test(f));
  const lines = new Set<string>();
  for (const f of envFiles) for (const l of (engine.index.textOf(f) ?? '').split('\n')) if (/^[A-Z_][A-Z0-9_]*=/.test(l)) lines.add(l);
  const copied = [...lines];
  const inventions = [
    () => `PORT=${pick([3000, 3001, 4000, 5173, 8000, 8080])}`,
    () => `NEXTAUTH_URL=http://${pick(['localhost', '127.0.0.1', 'app.example.com'])}:${pick([3000, 3001, 8080])}`,
    () => `APP_URL=${pick(['https://a.example.com', 'http://b.example.com', 'http://localhost:3000'])}`,
    () => `CORS_ORIGIN=http://localhost:${pick([3000, 5173, 5174])}`,
    () => `VITE_API_URL=http://localhost:${pick([3000, 4000, 8000])}`,
    () => `AUTH_SERVICE_URL=http://localhost:${pick([8000, 8001, 9000])}`,
    () => `NEXTAUTH_SECRET=${pick(['short', 'x7Qp2LwN9vRt4KzB8mYc3HdF6jGs1AeU'])}`,
    () => 'NODE_ENV=production',
    () => pick(copied),
    () => pick(copied),
  ];
  const overlaid = new Set<string>();
  for (let step = 0; step < 60; step++) {
    const file = rand() < 0.85 ? pick(envFiles) : pick(files);
    let text = engine.index.textOf(file) ?? '';
    if (envFiles.includes(file)) {
      const ls = text.split('\n');
      const op = rand();
      if (op < 0.35 && ls.length > 1) ls.splice(Math.floor(rand() * ls.length), 1);
      else if (op < 0.75) ls.splice(Math.floor(rand() * (ls.length + 1)), 0, pick(inventions)());
      else ls[Math.floor(rand() * ls.length)] = pick(inventions)();
      text = ls.join('\n');
    } else {
      text = text.replace(/\b(3\d{3}|4\d{3}|5\d{3}|8\d{3})\b/, () => String(pick([3000, 3001, 4000, 5173, 8080])));
    }
    fs.writeFileSync(file, text);
    // An open document's text wins over the disk: once opened, a file is edited as a document.
    if (overlaid.has(file) || rand() < 0.5) {
      overlaid.add(file);
      engine.setOverlay(file, text);
    } else await engine.refreshFromDisk(file);
    const fresh = await Engine.create({ roots: [ws] });
    assert.deepEqual(full(engine.findings()), full(fresh.findings()), `seed ${seed}, step ${step}: ${path.relative(ws, file)}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * With fact checking off (as users run it), the compose model is kept while what it reads is the same (an edit of a
 * port keeps whether an app serves) and recomputed when a script, a compose file or whether an app is a program
 * changes: after each edit the findings equal a fresh index's.
 */
test('compose model kept over edits of ports, recomputed over edits of scripts and compose files (fact checking off)', async () => {
  const was = setChecking(false);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-incr-compose-'));
  try {
    const ws = path.join(dir, 'ws');
    fs.cpSync(path.join(REPO_ROOT, 'server', 'test', 'fixtures', 'compose-port-collision', 'infrastructure-of-two-apps'), ws, { recursive: true });
    fs.rmSync(path.join(ws, 'expected.json'));
    const p = (rel: string) => path.join(ws, rel);
    const engine = await Engine.create({ roots: [ws] });
    const write = async (rel: string, text: string) => {
      fs.writeFileSync(p(rel), text);
      await engine.refreshFromDisk(p(rel));
    };
    const steps: [string, () => Promise<void>][] = [
      ['a server moves onto a published port', () => write('insight-garden/server.js', "require('express')().listen(6379);\n")],
      ['and back', () => write('insight-garden/server.js', "require('express')().listen(4000);\n")],
      [
        "a script of one app runs the other app's project",
        () =>
          write(
            'it-assets/package.json',
            `${JSON.stringify({ name: 'it-assets', private: true, scripts: { start: 'node server.js', infra: 'docker compose -f ../insight-garden/docker-compose.yml up -d' }, dependencies: { express: '4.21.1' } }, null, 2)}\n`,
          ),
      ],
      ['a server moves onto a published port again', () => write('insight-garden/server.js', "require('express')().listen(5432);\n")],
      [
        'the other project publishes redis elsewhere',
        () => write('it-assets/docker-compose.yml', fs.readFileSync(p('it-assets/docker-compose.yml'), 'utf8').replace('6379:6379', '6380:6379')),
      ],
      [
        'an app stops being a program (its package.json goes)',
        async () => {
          fs.rmSync(p('insight-garden/package.json'));
          await engine.refreshFromDisk(p('insight-garden/package.json'));
        },
      ],
    ];
    for (const [what, step] of steps) {
      await step();
      const fresh = await Engine.create({ roots: [ws] });
      assert.deepEqual(snapshot(engine.findings()), snapshot(fresh.findings()), what);
    }
  } finally {
    setChecking(was);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
