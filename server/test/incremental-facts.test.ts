/**
 * The engine re-runs a rule only where a fact it declared changed (engine/runner.ts). These tests drive edits from
 * the declarations themselves: every fact some rule declares (directly or through a derived fact) has an editor that
 * changes files of that kind, and after every edit the incrementally updated engine must equal a fresh one. A rule
 * that reads a fact it did not declare fails here twice: fact checking throws (npm test sets CROSSWIRE_CHECK_FACTS=1),
 * and its stale findings differ from the fresh index.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../src/engine';
import type { Finding } from '../src/model/types';
import type { FactName } from '../src/model/rule';
import { RULES } from '../src/rules';
import { APP_FACTS, WORKSPACE_FACTS, inputsOf } from '../src/facts/registry';
import { machineOf } from '../src/facts/machines';
import { mulberry32 } from './helpers/rng';
import { REPO_ROOT } from './helpers/files';
import { byRule, makeWorkspace, pkg, withoutFactChecking } from './helpers/workspace';

type Base = (typeof APP_FACTS)[number] | (typeof WORKSPACE_FACTS)[number];

function snapshot(findings: Finding[]): string[] {
  return findings.map(
    (f) =>
      `${f.ruleId}|${f.severity}|${f.location.file}:${f.location.range.start.line}:${f.location.range.start.character}|${f.message}|` +
      `${f.related.map((r) => `${r.location.file}:${r.location.range.start.line}:${r.message}`).join(',')}|${f.fixes.map((x) => x.title).join(',')}`,
  );
}

/** The app and workspace facts the rules read, directly or through derived facts. */
function declaredBaseFacts(): Set<Base> {
  const out = new Set<Base>();
  const add = (f: FactName) => {
    if ((APP_FACTS as readonly string[]).includes(f) || (WORKSPACE_FACTS as readonly string[]).includes(f)) out.add(f as Base);
  };
  for (const r of RULES) {
    for (const f of r.facts) {
      add(f);
      for (const i of inputsOf(f)) add(i);
    }
  }
  return out;
}

type Rand = () => number;
const pickOf =
  (rand: Rand) =>
  <T>(xs: readonly T[]): T =>
    xs[Math.floor(rand() * xs.length)];

/** Changes one line of an env file: a line removed, one added (invented or copied), one replaced. */
function editEnv(text: string, rand: Rand, copied: string[]): string {
  const pick = pickOf(rand);
  const inventions = [
    () => `PORT=${pick([3000, 3001, 4000, 5173, 8000, 8080])}`,
    () => `NEXTAUTH_URL=http://${pick(['localhost', '127.0.0.1', 'app.example.com'])}:${pick([3000, 3001, 8080])}`,
    () => `APP_URL=${pick(['https://a.example.com', 'http://10.0.0.5:8080', 'http://localhost:3000'])}`,
    () => `CORS_ORIGIN=http://localhost:${pick([3000, 5173, 5174])}`,
    () => `VITE_API_${pick(['URL', 'ENDPOINT'])}=http://localhost:${pick([3000, 4000, 8000])}`,
    () => `AUTH_SERVICE_URL=http://localhost:${pick([8000, 8001, 9000])}`,
    () => `NEXTAUTH_SECRET=${pick(['short', 'x7Qp2LwN9vRt4KzB8mYc3HdF6jGs1AeU'])}`,
    () => `DATABASE_URL=postgresql://u:p@localhost:${pick([5432, 5433])}/${pick(['a', 'b'])}${pick(['', '?connection_limit=5'])}`,
    () => `SYNC_NODE_ID=${pick(['2595930f841f02e1', 'a1b2c3d4e5f6a7b8'])}`,
    () => 'NODE_ENV=production',
    () => pick(copied),
  ];
  const ls = text.split('\n');
  const op = rand();
  if (op < 0.35 && ls.length > 1) ls.splice(Math.floor(rand() * ls.length), 1);
  else if (op < 0.75) ls.splice(Math.floor(rand() * (ls.length + 1)), 0, pick(inventions)());
  else ls[Math.floor(rand() * ls.length)] = pick(inventions)();
  return ls.join('\n');
}

/** Replaces one port-like number with another. */
function editPort(text: string, rand: Rand): string {
  const pick = pickOf(rand);
  return text.replace(/\b(3\d{3}|4\d{3}|5\d{3}|8\d{3})\b/, () => String(pick([3000, 3001, 4000, 5173, 5433, 8080])));
}

interface Editor {
  /** Files of this fact's kind. */
  files(f: string): boolean;
  edit(text: string, rand: Rand): string;
}

function editors(copied: string[]): Record<Base, Editor> {
  return {
    env: { files: (f) => /[\\/]\.env(\.[\w.-]+)?$/.test(f), edit: (t, r) => editEnv(t, r, copied) },
    code: {
      files: (f) => /^(server|main|auth|session|vite\.config|app\.module)\.[jt]s$/.test(path.basename(f)),
      edit: (t, r) =>
        r() < 0.6
          ? editPort(t, r)
          : t.replace(/sameSite: '\w+'/, "sameSite: 'none'").replace(/secure: \w+/, 'secure: true') + `\n// ${Math.floor(r() * 1e6)}\n`,
    },
    schemas: {
      files: (f) => f.endsWith('.prisma'),
      edit: (t, r) =>
        r() < 0.5
          ? t.replace(/env\("(\w+)"\)/, (_m, k) => `env("${k === 'DATABASE_URL' ? 'DIRECT_URL' : 'DATABASE_URL'}")`)
          : t.replace(/(datasource \w+ \{)/, '$1\n  connection_limit = 5'),
    },
    listeners: {
      files: (f) => /[\\/]\.env$/.test(f) || path.basename(f) === 'package.json',
      edit: (t, r) =>
        t.trimStart().startsWith('{')
          ? t.replace(/"(next dev|vite|nest start)([^"]*)"/, (_m, c) => `"${c} --port ${pickOf(r)([3000, 3001, 4000])}"`)
          : editEnv(t, r, ['PORT=3000', 'PORT=4000']),
    },
    compose: { files: (f) => /docker-compose\.ya?ml$|compose\.ya?ml$/.test(path.basename(f)), edit: (t, r) => editPort(t, r) },
    pm2: {
      files: (f) => /^ecosystem.*\.(c?js|json)$/.test(path.basename(f)),
      edit: (t, r) => t.replace(/instances:\s*['"\w]+|"instances":\s*['"\w]+/, (m) => m.replace(/:\s*.*/, `: ${pickOf(r)(['1', '2', '"max"'])}`)),
    },
    package: {
      files: (f) => path.basename(f) === 'package.json' && !f.endsWith(`ws${path.sep}package.json`),
      edit: (t, r) => t.replace(/"dependencies": \{/, `"dependencies": { "left-pad-${Math.floor(r() * 100)}": "1.0.0",`),
    },
    composeFiles: { files: (f) => /[\\/]infra[\\/].*compose\.ya?ml$/.test(f), edit: (t, r) => editPort(t, r) },
    postgresConfs: {
      files: (f) => path.basename(f) === 'postgresql.conf',
      edit: (t, r) => t.replace(/max_connections = \d+/, `max_connections = ${pickOf(r)([20, 40, 100])}`),
    },
    monorepoRoots: {
      files: (f) => f.endsWith(`ws${path.sep}package.json`),
      edit: (t, r) => t.replace(/"dev": "[^"]*"/, `"dev": "${pickOf(r)(['turbo run dev', 'turbo run dev --filter=web', 'pnpm -r --parallel dev'])}"`),
    },
    otherFiles: {
      files: (f) => path.basename(f) === 'names.ts',
      edit: (_t, r) => `export const SESSION_COOKIE = ${r() < 0.5 ? "'acme_session'" : 'process.env.COOKIE_NAME'};\n`,
    },
  };
}

/** Files beyond the bench workspace so that every fact kind is present: a postgresql.conf, compose outside apps, a shared constant, a PM2 file. */
function extras(): Record<string, string> {
  const svc = (name: string, port: number) => ({
    [`${name}/package.json`]: pkg(name, { start: 'node server.js' }, { express: '4.21.1', 'express-session': '1.18.1', '@prisma/client': '5.22.0' }),
    [`${name}/server.js`]: `const express = require('express');\nconst session = require('express-session');\nconst app = express();\napp.use(session({ name: 'sid', secret: process.env.SESSION_SECRET, cookie: { sameSite: 'lax' } }));\napp.listen(process.env.PORT || ${port});\n`,
    [`${name}/session.ts`]:
      "import session from 'express-session';\nimport { SESSION_COOKIE } from '../shared/names';\nexport const mw = session({ name: SESSION_COOKIE, secret: process.env.SESSION_SECRET as string, cookie: { sameSite: 'lax' } });\n",
    [`${name}/.env`]: `PORT=${port}\nDATABASE_URL=postgresql://u:p@localhost:5432/${name}\nSESSION_SECRET=${name}-0123456789abcdef0123456789abcdef\n`,
    [`${name}/prisma/schema.prisma`]: 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
  });
  return {
    ...svc('alpha', 4301),
    ...svc('beta', 4302),
    'alpha/ecosystem.config.json': JSON.stringify({ apps: [{ name: 'alpha', script: 'server.js', instances: 2 }] }, null, 2),
    'shared/package.json': pkg('@acme/shared', { build: 'tsc' }),
    'shared/names.ts': "export const SESSION_COOKIE = 'acme_session';\n",
    'infra/docker-compose.yml':
      'services:\n  db:\n    image: postgres:16\n    ports:\n      - "5432:5432"\n  cache:\n    image: redis:7\n    ports:\n      - "4302:6379"\n',
    'infra/postgresql.conf': 'max_connections = 20\n',
  };
}

test('edits of every fact the rules declare: incremental findings equal a fresh index', async () => {
  const seed = Number(process.env.CROSSWIRE_INCR_SEED ?? 20261203);
  const rand = mulberry32(seed);
  const pick = pickOf(rand);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-incr-facts-'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { generate } = require(path.join(REPO_ROOT, 'bench', 'generate.js')) as { generate(o: { dir: string; n: number }): { dir: string } };
  const bench = generate({ dir: path.join(dir, 'ws'), n: 40 }).dir;
  const extra = makeWorkspace(extras());
  try {
    const roots = [bench, extra];
    const engine = await Engine.create({ roots });
    const all = engine.files();
    const copied = [
      ...new Set(
        all.filter((f) => /[\\/]\.env/.test(f)).flatMap((f) => (engine.index.textOf(f) ?? '').split('\n').filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l))),
      ),
    ];
    const eds = editors(copied);
    const facts = declaredBaseFacts();
    assert.ok(facts.size >= 8, 'the rules declare the facts they read');
    const overlaid = new Set<string>();
    for (const fact of facts) {
      const ed = eds[fact];
      assert.ok(ed, `no editor for the fact "${fact}": add one so that the rules reading it are exercised`);
      const files = all.filter(ed.files);
      assert.ok(files.length, `the test workspace holds no file for the fact "${fact}"`);
      for (let step = 0; step < 8; step++) {
        const file = pick(files);
        const text = ed.edit(engine.index.textOf(file) ?? fs.readFileSync(file, 'utf8'), rand);
        fs.writeFileSync(file, text);
        if (overlaid.has(file) || rand() < 0.5) {
          overlaid.add(file);
          engine.setOverlay(file, text);
        } else await engine.refreshFromDisk(file);
        const fresh = await Engine.create({ roots });
        assert.deepEqual(snapshot(engine.findings()), snapshot(fresh.findings()), `seed ${seed}, fact ${fact}, step ${step}: ${path.relative(dir, file)}`);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(extra, { recursive: true, force: true });
  }
});

// Two stale-findings bugs of the regex gates that deps.ts used to hold (issue 12), now regression tests.

test('cors-origin-mismatch: adding VITE_API_ENDPOINT to an open frontend .env reports as a fresh audit does', async () => {
  const ws = makeWorkspace({
    'api/package.json': pkg('api', { start: 'node server.js' }, { express: '4.21.1', cors: '2.8.5' }),
    'api/server.js':
      "const express = require('express');\nconst cors = require('cors');\nconst app = express();\napp.use(cors({ origin: 'http://localhost:3000', credentials: true }));\napp.listen(4000);\n",
    'web/package.json': pkg('web', { dev: 'vite' }, { vite: '5.4.0' }),
    'web/.env': 'VITE_TITLE=Shop\n',
  });
  try {
    const engine = await Engine.create({ roots: [ws] });
    assert.equal(byRule(engine.findings(), 'cors-origin-mismatch').length, 0);
    const env = path.join(ws, 'web/.env');
    engine.setOverlay(env, 'VITE_TITLE=Shop\nVITE_API_ENDPOINT=http://localhost:4000\n');
    fs.writeFileSync(env, 'VITE_TITLE=Shop\nVITE_API_ENDPOINT=http://localhost:4000\n');
    const fresh = await Engine.create({ roots: [ws] });
    assert.equal(byRule(fresh.findings(), 'cors-origin-mismatch').length, 1, 'vite serves on 5173, which the CORS origin does not allow');
    assert.deepEqual(snapshot(engine.findings()), snapshot(fresh.findings()));
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('compose-port-collision: a replica that moves to its own machine (APP_URL) moves the finding as a fresh audit does', async () => {
  await replicaMovesMachine();
});

// With fact checking off, as for users: the machines are then kept over edits that leave every re-derived app alone in
// its replica group on its machine (facts/machines.ts), and this edit is not one of those.
test('compose-port-collision: a replica that moves to its own machine moves the finding (fact checking off)', () => withoutFactChecking(replicaMovesMachine));

test('compose-port-collision: an app the config moves to another host leaves the collision, as a fresh audit does (fact checking off)', () =>
  withoutFactChecking(async () => {
    const ws = makeWorkspace({
      'api/package.json': pkg('api', { start: 'node server.js', db: 'docker compose -f ../infra/docker-compose.yml up -d' }, { express: '4.21.1' }),
      'api/server.js': "require('express')().listen(8080);\n",
      'api/.env': 'PORT=8080\n',
      'infra/docker-compose.yml': 'services:\n  db:\n    image: postgres:16\n    ports:\n      - "8080:5432"\n',
    });
    try {
      const engine = await Engine.create({ roots: [ws] });
      assert.equal(byRule(engine.findings(), 'compose-port-collision').length, 1);
      const config = path.join(ws, 'crosswire.config.json');
      const text = JSON.stringify({ hosts: { api: '10.0.0.9' } });
      engine.setOverlay(config, text);
      const got = snapshot(engine.findings());
      fs.writeFileSync(config, text);
      const fresh = await Engine.create({ roots: [ws] });
      assert.equal(byRule(fresh.findings(), 'compose-port-collision').length, 0, 'api runs on 10.0.0.9, not beside the project');
      assert.deepEqual(got, snapshot(fresh.findings()));
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  }));

test('machines: an app renamed into a replica group gets a machine of its own, as in a fresh index (fact checking off)', () =>
  withoutFactChecking(async () => {
    const app = (dir: string, name: string) => ({
      [`${dir}/package.json`]: pkg(name, { start: 'node server.js' }, { express: '4.21.1' }),
      [`${dir}/server.js`]: "require('express')().listen(8080);\n",
    });
    const ws = makeWorkspace({ ...app('one', 'shop'), ...app('two', 'shop-next') });
    const machinesOf = (e: Engine) => e.apps().map((a) => `${a.id}: ${machineOf(e.index, a)}`);
    try {
      const engine = await Engine.create({ roots: [ws] });
      engine.findings();
      assert.deepEqual(machinesOf(engine), ['one: local', 'two: local']);
      const manifest = path.join(ws, 'two/package.json');
      const text = pkg('shop', { start: 'node server.js' }, { express: '4.21.1' });
      engine.setOverlay(manifest, text);
      engine.findings();
      const got = machinesOf(engine);
      fs.writeFileSync(manifest, text);
      const fresh = await Engine.create({ roots: [ws] });
      assert.deepEqual(got, machinesOf(fresh));
      assert.deepEqual(got, ['one: local', 'two: replica:two']);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  }));

async function replicaMovesMachine(): Promise<void> {
  // Two replicas of one app run the same infrastructure project, which publishes the port their server binds: the
  // collision is on this machine, with whichever replica runs here. When one names its own machine, the other runs here.
  const replica = (dir: string) => ({
    [`${dir}/package.json`]: pkg('shop', { start: 'node server.js', db: 'docker compose -f ../infra/docker-compose.yml up -d' }, { express: '4.21.1' }),
    [`${dir}/server.js`]: "require('express')().listen(8080);\n",
    [`${dir}/.env`]: 'PORT=8080\n',
  });
  const ws = makeWorkspace({
    ...replica('one'),
    ...replica('two'),
    'infra/docker-compose.yml': 'services:\n  db:\n    image: postgres:16\n    ports:\n      - "8080:5432"\n',
  });
  try {
    const engine = await Engine.create({ roots: [ws] });
    assert.match(byRule(engine.findings(), 'compose-port-collision')[0]?.message ?? '', /which shop \(one\) also listens on\./);
    const env = path.join(ws, 'one/.env');
    engine.setOverlay(env, 'PORT=8080\nAPP_URL=http://10.0.0.5:8080\n');
    // (the edited engine's findings first: a fresh engine computed in between would be the last computation it follows)
    const got = snapshot(engine.findings());
    fs.writeFileSync(env, 'PORT=8080\nAPP_URL=http://10.0.0.5:8080\n');
    const fresh = await Engine.create({ roots: [ws] });
    assert.match(
      byRule(fresh.findings(), 'compose-port-collision')[0]?.message ?? '',
      /which shop \(two\) also listens on\./,
      'the replica that stays here collides now',
    );
    assert.deepEqual(got, snapshot(fresh.findings()));
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

/**
 * missing-secret reads the env files an app loads from another app's folder (`dotenv -e ../api/.env`) through
 * envFilesByPath, which an edit of a file's text updates in place (the same paths: only the edited app's entries are
 * new). The worker signs JWTs with JWT_SECRET from api's .env: removing it there, putting it back, and adding a file
 * to api (the paths change: the map is made again) must each give what a fresh audit gives.
 */
async function secretInAnotherAppsFile(): Promise<void> {
  const ws = makeWorkspace({
    'api/package.json': pkg('api', { start: 'node server.js' }, { express: '4.21.1' }),
    'api/.env': 'JWT_SECRET=k7Qp2LwN9vRt4KzB8mYc3HdF6jGs1AeU\nPORT=4000\n',
    'worker/package.json': pkg(
      'worker',
      { start: 'dotenv -e ../api/.env -- node src/index.js' },
      { express: '4.21.1', jsonwebtoken: '9.0.2', 'dotenv-cli': '7.4.2' },
    ),
    'worker/.env': 'LOG_LEVEL=info\n',
    'worker/src/index.js':
      "const express = require('express');\nconst jwt = require('jsonwebtoken');\nconst app = express();\n" +
      "app.get('/', (_req, res) => res.send(jwt.sign({ sub: 1 }, process.env.JWT_SECRET)));\napp.listen(5000);\n",
  });
  const engine = await Engine.create({ roots: [ws] });
  const missing = () => byRule(engine.findings(), 'missing-secret').length;
  assert.equal(missing(), 0, "api's .env, which the worker loads, defines JWT_SECRET");
  const steps: [string, (t: string) => string, number][] = [
    ['api/.env', (t) => t.replace(/JWT_SECRET=.*\n/, ''), 1],
    ['api/.env', (t) => `JWT_SECRET=Zr5Tq8WmX2vN7bLc4HpJ9sKd3FgY6aQe\n${t}`, 0],
    ['api/.env.local', () => 'DEBUG=1\n', 0],
    ['api/.env', (t) => t.replace(/JWT_SECRET=.*\n/, ''), 1],
  ];
  for (const [rel, edit, expected] of steps) {
    const file = path.join(ws, rel);
    const next = edit(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
    fs.writeFileSync(file, next);
    if (rel.endsWith('.local')) await engine.refreshFromDisk(file);
    else engine.setOverlay(file, next);
    assert.equal(missing(), expected, `after editing ${rel}`);
    const fresh = await Engine.create({ roots: [ws] });
    assert.deepEqual(snapshot(engine.findings()), snapshot(fresh.findings()), `after editing ${rel}`);
  }
  fs.rmSync(ws, { recursive: true, force: true });
}

test("missing-secret: a secret removed from and put back in another app's env file the app loads, as a fresh audit says", secretInAnotherAppsFile);

test("missing-secret: a secret removed from and put back in another app's env file the app loads (fact checking off)", () =>
  withoutFactChecking(secretInAnotherAppsFile));
