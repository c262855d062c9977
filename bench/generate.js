'use strict';
/**
 * Writes a synthetic but realistic multi-app workspace of N apps (a turbo-style monorepo: apps/, services/,
 * packages/, replicas/) that is free of conflicts, plants known cases in it, and returns the list of findings the
 * planted cases must produce: for each one its rule, file and line.
 *
 *   const { generate, compareFindings } = require('./bench/generate');
 *   const ws = generate({ dir: '/tmp/ws-100', n: 100 });
 *   ws.planted   // [{ rule: 'duplicate-secret', file: 'services/identity-api-7/.env', line: 6, plant: 'duplicate-secret#0' }, ...]
 *   compareFindings(ws.planted, found)   // found: [{ rule, file, line }] from the engine: { missing, unexpected }
 *
 * The benchmark checks the engine's findings against that list as an exact set of (rule, file, line): a missing
 * finding or one nobody planted fails the run. Nothing here predicts a rule's output from a model of the workspace:
 * the background is built to give no finding at all, and each planted case states the findings it must produce, at
 * the lines it wrote (located in the written file by the key, script or text the case planted there).
 *
 * The background: every app is one of Next.js (next-auth, often Prisma), Vite + React, NestJS (ConfigModule, JWT,
 * Prisma), Express (dotenv, express-session) or a Python/FastAPI service, each on a port of its own (10000 + 3i),
 * with a secret of its own, its own database server, `.env` and often `.env.local` / `.env.example` /
 * `.env.production`, realistic source files; frontends call a backend whose CORS origins list them; one
 * AUTH_SERVICE_URL is shared consistently by hundreds of apps (127.0.0.1 vs localhost spellings); replicas (same
 * package name) share secrets, ports and a database; libraries; identical placeholder secrets in every
 * `.env.example`; decoys that must be skipped live in `node_modules/`, `.next/`, `dist/` and `.venv/` (a copy of
 * another app's secret, a package.json whose `next start` would collide on 3000, ...).
 *
 * Planted per unit (u = max(1, floor(N / 50)) units; the replica cases per replica pair). "Exclusive" cases take
 * apps that carry no other case (they change ports, or link apps into one system); the others only touch one facet
 * of an app (its secret, database, cookie, compose file, ...) and may share an app with a case of another facet.
 *   duplicate-secret          exclusive: a pair (every third unit a trio) of apps sharing one secret value: the secret's
 *                             line in each live env file of each (.env, and a Next.js app's .env.local)
 *   port-collision            exclusive, even units: a Next.js app (`next dev -p P` / `next start -p P`) and an Express app
 *                             (PORT=P), both started by the root's `turbo run dev` and both calling the auth service (one
 *                             live system, so their production servers collide too): the two scripts' lines and the
 *                             PORT= line; odd units: two NestJS apps with a `dev` script and one PORT=: each PORT= line
 *                             warnings: a Vite dev server on P without --strictPort and an Express app on P, both in
 *                             `turbo run dev`; the Vite app's backend names P in its CORS_ORIGIN: the `dev` script line
 *                             and the PORT= line
 *   implicit-port             exclusive: a Vite app with bare `vite` (its `start` script) and a NestJS backend of its own
 *                             (VITE_API_URL names the backend, the backend's CORS_ORIGIN Vite's default origins; nothing
 *                             links the pair to the rest): the `start` script line; once (unit 0) a Next.js app with bare
 *                             `next dev` in `turbo run dev`, whose port 3000 the `.env.example` templates and the auth
 *                             service's CORS_ORIGIN name: the `dev` script line
 *   ineffective-port          a PORT= line in a Next.js (even units) / Vite (odd) app's .env that its server never reads
 *   missing-connection-limit  three apps' Prisma datasources on one server (every other unit one has connection_limit):
 *                             the `url` line of each schema without it; a Prisma app and a Python service's DATABASE_URL
 *                             on one server: the Prisma app's `url` line; `connection_limit = 10` inside a datasource
 *                             block (own server): that line (the error)
 *   inconsistent-service-url  a *_SERVICE_URL defined by four apps, 3 vs 1: the minority line; a *_API_URL 1 vs 1: both
 *                             lines; a Python service whose .env disagrees with its pydantic default and its template:
 *                             the .env line
 *   weak-secret               an Express app's SESSION_SECRET of 21 characters (a value of its own)
 *   duplicate-node-id         every other replica pair (k = 0, 2, ...) with one SYNC_NODE_ID: both lines
 *   replica-drift             the same pairs: the replica's NEXTAUTH_SECRET differs from its source's (1 vs 1): the line
 *                             each member uses (.env.local when it has one, else .env)
 *   shared-database           two Prisma apps (with connection_limit) on one database of one server: both DATABASE_URL lines
 *   compose-port-collision    two Express apps' docker-compose.yml publishing one Redis host port: one finding, on the
 *                             later file by path (the rule's documented convention), at the port's line
 *   nextauth-url-mismatch     a Next.js app whose NEXTAUTH_URL names its port + 2 (.env, and .env.local when it has one)
 *   cluster-without-session-store  an Express app (express-session without a store, no Prisma) run by PM2 in cluster
 *                             mode (4 / "max"): the `instances` line
 *   missing-secret            a Next.js app whose env files, .env.production included, lack NEXTAUTH_SECRET: the line of
 *                             `secret: process.env.NEXTAUTH_SECRET` in its auth options
 *   dangling-service-url      a backend's ARCHIVE<u>_SERVICE_URL=http://localhost:<29000+u> (nothing listens there)
 *   cors-origin-mismatch      exclusive: an explicit-port Vite app and a backend of its own whose CORS_ORIGIN lists its
 *                             preview origin but not its dev one: the CORS_ORIGIN line
 *   shared-session-cookie     two Express apps whose express-session cookies share one name: each session(...) line
 *   cookie-options            an Express app whose express-session cookie has httpOnly: false: its session(...) line
 *   connection-budget         two Prisma apps with connection_limit=60 on one PostgreSQL server (120 > 97): both
 *                             DATABASE_URL lines
 *
 * With `crowd: g`, the workspace also holds g NestJS apps on one port (all in `turbo run dev`: each PORT= line is a
 * port-collision) and g Express apps sharing one SESSION_SECRET (each line a duplicate-secret): the size of the
 * output per finding as the groups grow (issue 14).
 */
const fs = require('node:fs');
const path = require('node:path');

const RULE_IDS = [
  'duplicate-secret',
  'port-collision',
  'ineffective-port',
  'implicit-port',
  'missing-connection-limit',
  'inconsistent-service-url',
  'weak-secret',
  'duplicate-node-id',
  'replica-drift',
  'shared-database',
  'compose-port-collision',
  'nextauth-url-mismatch',
  'cluster-without-session-store',
  'missing-secret',
  'dangling-service-url',
  'cors-origin-mismatch',
  'shared-session-cookie',
  'cookie-options',
  'connection-budget',
];

// ------------------------------------------------------------------------------------------------
// deterministic randomness

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AREAS = [
  'billing',
  'payments',
  'inventory',
  'orders',
  'catalog',
  'search',
  'notifications',
  'identity',
  'admin',
  'reports',
  'analytics',
  'shipping',
  'checkout',
  'crm',
  'support',
  'onboarding',
  'scheduler',
  'media',
  'docs',
  'marketing',
  'pricing',
  'loyalty',
  'fleet',
  'payroll',
  'ledger',
  'tickets',
  'assets',
  'warehouse',
  'procurement',
  'compliance',
];
const SUFFIX = {
  next: ['portal', 'dashboard', 'console', 'web', 'site', 'admin'],
  vite: ['ui', 'spa', 'frontend', 'widget', 'studio'],
  nest: ['api', 'service', 'gateway', 'backend'],
  express: ['server', 'api', 'webhooks', 'proxy'],
  python: ['worker', 'ml', 'etl', 'jobs'],
};
/** The monorepo root's scripts: each `turbo run <task>` runs that script of every package under the root, all at once. */
const ROOT_SCRIPTS = { dev: 'turbo run dev', build: 'turbo run build', lint: 'turbo run lint', test: 'turbo run test', typecheck: 'turbo run typecheck' };
const SERVICES = ['LEDGER', 'FULFILMENT', 'RISK', 'TAX', 'GEO', 'PRICING', 'AUDIT', 'QUOTA', 'RATING', 'ROUTING', 'SEARCH_INDEX', 'MAILER'];
/** The env key each kind of app keeps its signing secret in. */
const SECRET_KEY = { next: 'NEXTAUTH_SECRET', nest: 'JWT_SECRET', express: 'SESSION_SECRET', python: 'SECRET_KEY' };

// 20-app pattern: next 6, vite 4, nest 4, express 4, python 2.
const KIND_PATTERN = [
  'next',
  'vite',
  'nest',
  'express',
  'next',
  'vite',
  'next',
  'nest',
  'express',
  'python',
  'next',
  'vite',
  'nest',
  'express',
  'next',
  'vite',
  'next',
  'nest',
  'express',
  'python',
];

// ------------------------------------------------------------------------------------------------
// the writer

class Workspace {
  constructor(dir, seed) {
    this.dir = dir;
    this.rand = mulberry32(seed);
    this.files = 0;
    this.decoyFiles = 0;
    this.bytes = 0;
    this.appFolders = 0;
  }

  chance(p) {
    return this.rand() < p;
  }

  secret(style) {
    const bytes = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) bytes[i] = Math.floor(this.rand() * 256);
    return style === 'hex' ? bytes.toString('hex') : bytes.toString('base64');
  }

  write(rel, text, decoy = false) {
    const abs = path.join(this.dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
    if (decoy) this.decoyFiles++;
    else this.files++;
    this.bytes += Buffer.byteLength(text);
  }

  /** Writes an env file of app s. lines: [key, value, quote?], '# comment' or ''. */
  env(s, name, lines) {
    const text =
      lines
        .map((l) => {
          if (typeof l === 'string') return l;
          const [k, v, q] = l;
          return q ? `${k}="${v}"` : `${k}=${v}`;
        })
        .join('\n') + '\n';
    this.write(`${s.dir}/${name}`, text);
  }
}

function pkgJson(name, version, scripts, deps, devDeps, extra = {}) {
  return JSON.stringify({ name, version, private: true, ...extra, scripts, dependencies: deps, devDependencies: devDeps }, null, 2) + '\n';
}

// ------------------------------------------------------------------------------------------------
// planted findings: where each planted case must be reported

/**
 * The 1-based line of a planted finding in the written file: `key` is an env line `KEY=...`, `script` a package.json
 * script, `text` the first line holding that text.
 */
function locate(dir, e, cache) {
  let lines = cache.get(e.file);
  if (!lines) {
    lines = fs.readFileSync(path.join(dir, e.file), 'utf8').split('\n');
    cache.set(e.file, lines);
  }
  const { key, script, text } = e.at;
  const i =
    key !== undefined
      ? lines.findIndex((l) => l.startsWith(`${key}=`))
      : script !== undefined
        ? lines.findIndex((l) => l.trimStart().startsWith(`${JSON.stringify(script)}:`))
        : lines.findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`generate: plant ${e.plant} expects ${e.rule} at ${JSON.stringify(e.at)} in ${e.file}, which does not hold it`);
  return i + 1;
}

const findingKey = (f) => `${f.rule}\t${f.file}\t${f.line}`;

/**
 * Compares found findings ({ rule, file (relative to the workspace, '/'-separated), line (1-based) }) with the
 * planted ones, as multisets of (rule, file, line). Returns the planted findings not found and the found ones
 * nobody planted.
 */
function compareFindings(planted, found) {
  const want = new Map();
  for (const p of planted) {
    const k = findingKey(p);
    if (!want.has(k)) want.set(k, []);
    want.get(k).push(p);
  }
  const unexpected = [];
  for (const f of found) {
    const list = want.get(findingKey(f));
    if (list && list.length) list.pop();
    else unexpected.push(f);
  }
  const missing = [...want.values()].flat();
  return { missing, unexpected };
}

/** Findings per rule of a planted (or found) list: { rule: count }, every rule of RULE_IDS present. */
function countByRule(list) {
  const out = Object.fromEntries(RULE_IDS.map((r) => [r, 0]));
  for (const f of list) out[f.rule] = (out[f.rule] ?? 0) + 1;
  return out;
}

/** One line per difference, for reports: at most `max` of each kind. */
function describeDifferences({ missing, unexpected }, max = 12) {
  const out = [];
  for (const m of missing.slice(0, max)) out.push(`missing ${m.rule} at ${m.file}:${m.line} (planted by ${m.plant})`);
  if (missing.length > max) out.push(`... and ${missing.length - max} more missing`);
  for (const u of unexpected.slice(0, max)) out.push(`unexpected ${u.rule} at ${u.file}:${u.line}${u.message ? `: ${u.message.slice(0, 160)}` : ''}`);
  if (unexpected.length > max) out.push(`... and ${unexpected.length - max} more unexpected`);
  return out;
}

// ------------------------------------------------------------------------------------------------
// the generator

/** Builds the app specs, plants the cases, writes everything and locates the planted findings. */
function generate({ dir, n, seed = 20240601, crowd = 0 }) {
  if (!(n >= 20)) throw new Error(`generate: n must be >= 20 (got ${n})`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const ws = new Workspace(dir, seed);
  const units = Math.max(1, Math.floor(n / 50));

  // ---- the background: every app on a port, with a secret and a database server of its own
  const specs = [];
  for (let i = 0; i < n; i++) {
    const kind = KIND_PATTERN[i % KIND_PATTERN.length];
    const name = `${AREAS[i % AREAS.length]}-${SUFFIX[kind][Math.floor(i / AREAS.length) % SUFFIX[kind].length]}-${i}`;
    const folder = kind === 'next' || kind === 'vite' ? 'apps' : 'services';
    specs.push({
      i,
      kind,
      name,
      dir: `${folder}/${name}`,
      pkgName: `@acme/${name}`,
      port: 10000 + 3 * i, // 10000..25000: never a framework default, never a planted port
      prisma: kind !== 'vite' && kind !== 'python' && ws.chance(0.6),
      db: ws.chance(0.5) ? { host: `pg-${i}.db.internal`, port: 5432 } : { host: 'localhost', port: 15432 + i }, // own server
      dbLimit: ws.chance(0.25),
      envLocal: kind === 'next' ? ws.chance(0.6) : kind === 'vite' ? ws.chance(0.3) : false,
      envExample: ws.chance(0.7),
      envProd: kind === 'next' && ws.chance(0.2),
      authService: kind !== 'vite' && ws.chance(0.45),
      portLine: kind === 'next' && ws.chance(0.1), // PORT=<its -p port>: correct, never reported
      decoy: i % 4 === 1,
      secret: ws.secret(ws.chance(0.5) ? 'hex' : 'base64'),
      prodSecret: ws.secret('base64'),
      extraUrls: [], // [key, value, quoted?] added to .env
    });
  }

  // ---- planting
  const planted = [];
  /** The planted case `plant` must produce a finding of `rule` in `file` at the line `at` locates (see locate). */
  const expect = (plant, rule, file, at) => planted.push({ plant, rule, file, at });
  const envFiles = (s, key) => ['.env', ...(s.envLocal && (key === 'NEXTAUTH_SECRET' || key === 'NEXTAUTH_URL') ? ['.env.local'] : [])];

  // Each app carries at most one case per facet; an exclusive case's apps carry no other case at all.
  const used = { any: new Set(), touched: new Set() };
  const take = (kinds, facet, { exclusive = false, pred = () => true } = {}) => {
    used[facet] ??= new Set();
    for (const kind of kinds) {
      const s = specs.find((x) => x.kind === kind && !used.any.has(x.i) && !used[facet].has(x.i) && (!exclusive || !used.touched.has(x.i)) && pred(x));
      if (!s) continue;
      used[facet].add(s.i);
      used.touched.add(s.i);
      if (exclusive) used.any.add(s.i);
      return s;
    }
    throw new Error(`generate: not enough ${kinds.join('/')} apps for the ${facet} cases at n=${n}`);
  };
  const reserve = (s) => {
    used.any.add(s.i);
    used.touched.add(s.i);
  };

  // The service every AUTH_SERVICE_URL names: a NestJS app that really listens on 8001 (so no URL dangles).
  const authSvc = specs.find((s) => s.kind === 'nest');
  Object.assign(authSvc, { name: 'auth-service', dir: 'services/auth-service', pkgName: '@acme/auth-service', port: 8001, authService: false });
  reserve(authSvc);
  // The incremental benchmark edits this app's .env: two Express apps nothing else touches.
  const editTarget = take(['express'], 'edit', { exclusive: true });
  const editOther = take(['express'], 'edit', { exclusive: true });

  // Replicas (same package name, same secrets, ports and database): never reported against each other, except:
  const replicaSources = [];
  for (let k = 0; k < Math.max(1, Math.floor(units / 2)); k++) {
    const s = take([k % 2 ? 'nest' : 'next'], 'replica', { exclusive: true });
    s.prisma = true;
    s.dbLimit = false;
    s.authService = false; // a replica runs on another machine: its localhost is not this one's
    s.replicaDir = `replicas/${s.name}-eu`;
    const plant = `replica#${k}`;
    // duplicate-node-id: every other replica pair shares one SYNC_NODE_ID (the others have distinct ids).
    s.nodeId = k % 2 === 0 ? [`sync-node-${k}`, `sync-node-${k}`] : [`sync-node-${k}-a`, `sync-node-${k}-b`];
    if (k % 2 === 0) for (const d of [s.dir, s.replicaDir]) expect(plant, 'duplicate-node-id', `${d}/.env`, { key: 'SYNC_NODE_ID' });
    // replica-drift: the Next.js replicas (k = 0, 2, ...) get a NEXTAUTH_SECRET of their own (strong, unique),
    // reported where each member takes it from (Next.js: .env.local wins over .env).
    if (k % 2 === 0) {
      s.driftSecret = ws.secret('base64');
      for (const d of [s.dir, s.replicaDir]) expect(plant, 'replica-drift', `${d}/${s.envLocal ? '.env.local' : '.env'}`, { key: 'NEXTAUTH_SECRET' });
    }
    replicaSources.push(s);
  }

  const standalone = [];
  const corsPairs = [];
  for (let u = 0; u < units; u++) {
    // implicit-port: a Vite frontend with bare `vite` / `vite preview` and its own NestJS backend, a system of their
    // own: the frontend's `start` script runs it (the root's `turbo run dev` does not), its VITE_API_URL names the
    // backend's port, and the backend's CORS_ORIGIN names the frontend's default ports. Both apps carry nothing else,
    // so the frontends of different units (each on 5173) never run together.
    const fe = take(['vite'], 'standalone', { exclusive: true });
    const be = take(['nest'], 'standalone', { exclusive: true });
    Object.assign(fe, { implicit: true, standalone: true, backend: be });
    be.authService = false;
    standalone.push(fe);
    expect(`implicit-port(vite)#${u}`, 'implicit-port', `${fe.dir}/package.json`, { script: 'start' });

    // duplicate-secret: a pair, every third unit a trio, of different apps with one secret value.
    const holders = [take(['nest', 'python', 'next'], 'secret', { exclusive: true }), take(['next', 'python', 'nest'], 'secret', { exclusive: true })];
    if (u % 3 === 2) holders.push(take(['python', 'nest', 'next', 'express'], 'secret', { exclusive: true }));
    for (const h of holders) {
      h.secret = holders[0].secret;
      for (const f of envFiles(h, SECRET_KEY[h.kind])) expect(`duplicate-secret#${u}`, 'duplicate-secret', `${h.dir}/${f}`, { key: SECRET_KEY[h.kind] });
    }

    // port-collision on an explicit port.
    const planted = 40000 + u;
    if (u % 2 === 0) {
      // `next dev -p P` and an Express app's PORT=P, both in `turbo run dev`; both call the auth service, so they are
      // one live system and `next start -p P` collides with the Express app's `start` too.
      const a = take(['next'], 'port', { exclusive: true, pred: (x) => !x.portLine });
      const b = take(['express'], 'port', { exclusive: true });
      for (const x of [a, b]) Object.assign(x, { port: planted, authService: true });
      expect(`port-collision#${u}`, 'port-collision', `${a.dir}/package.json`, { script: 'dev' });
      expect(`port-collision#${u}`, 'port-collision', `${a.dir}/package.json`, { script: 'start' });
      expect(`port-collision#${u}`, 'port-collision', `${b.dir}/.env`, { key: 'PORT' });
    } else {
      // two NestJS apps with a `dev` script (`nest start --watch`), so the root's `turbo run dev` starts both; every
      // script of one app takes its port from one PORT= line: one finding each.
      for (let k = 0; k < 2; k++) {
        const a = take(['nest'], 'port', { exclusive: true });
        Object.assign(a, { port: planted, devScript: true });
        expect(`port-collision#${u}`, 'port-collision', `${a.dir}/.env`, { key: 'PORT' });
      }
    }

    // port-collision (warnings): a Vite dev server on an explicit port without --strictPort and an Express app on that
    // port, both started by the root's `turbo run dev`: Vite moves to the next free port, but the CORS_ORIGIN of the
    // backend the Vite app calls names the port.
    const dv = take(['vite'], 'port', { exclusive: true });
    const de = take(['express'], 'port', { exclusive: true });
    dv.port = 41000 + 2 * u;
    de.port = dv.port;
    dv.noStrictPort = true;
    expect(`port-collision(moves)#${u}`, 'port-collision', `${dv.dir}/package.json`, { script: 'dev' });
    expect(`port-collision(moves)#${u}`, 'port-collision', `${de.dir}/.env`, { key: 'PORT' });

    // implicit-port: one Next.js app with bare `next dev`/`next start` in the root's `turbo run dev` (one only: two
    // would collide on 3000); the templates' NEXTAUTH_URL and the auth service's CORS_ORIGIN name its port.
    if (u === 0) {
      const nx = take(['next'], 'port', { exclusive: true, pred: (x) => !x.portLine });
      nx.implicit = true;
      expect('implicit-port(next)#0', 'implicit-port', `${nx.dir}/package.json`, { script: 'dev' });
    }

    // cors-origin-mismatch: an explicit-port Vite app and a backend of its own that lists its preview origin only.
    const cf = take(['vite'], 'cors', { exclusive: true });
    const cb = take(['express', 'nest'], 'cors', { exclusive: true });
    cf.corsBackend = cb;
    corsPairs.push(cf);
    expect(`cors-origin-mismatch#${u}`, 'cors-origin-mismatch', `${cb.dir}/.env`, { key: 'CORS_ORIGIN' });

    // nextauth-url-mismatch: NEXTAUTH_URL (.env, and .env.local when it has one) names port + 2, where nothing listens.
    const na = take(['next'], 'port', { pred: (x) => !x.portLine });
    na.authUrlPort = na.port + 2;
    for (const f of envFiles(na, 'NEXTAUTH_URL')) expect(`nextauth-url-mismatch#${u}`, 'nextauth-url-mismatch', `${na.dir}/${f}`, { key: 'NEXTAUTH_URL' });

    // ineffective-port: PORT= in .env that the Next.js CLI / Vite never reads.
    const ie = take([u % 2 ? 'vite' : 'next'], 'port', { pred: (x) => !x.portLine });
    ie.ineffectivePort = ie.port + 1000 + u;
    expect(`ineffective-port#${u}`, 'ineffective-port', `${ie.dir}/.env`, { key: 'PORT' });

    // weak-secret: a too-short SESSION_SECRET (unique per unit, so no duplicate-secret) in an Express app's .env.
    const weak = take(['express'], 'secret');
    weak.secret = `express-session-dev-${u}`;
    expect(`weak-secret#${u}`, 'weak-secret', `${weak.dir}/.env`, { key: 'SESSION_SECRET' });

    // missing-secret: a Next.js app whose .env, .env.local and .env.production lack NEXTAUTH_SECRET (NextAuth v4 needs
    // it in production only: its .env.production is what is judged).
    const ms = take(['next'], 'secret', { pred: (x) => !x.envProd });
    ms.noSecret = true;
    ms.envProd = true;
    expect(`missing-secret#${u}`, 'missing-secret', `${ms.dir}/src/lib/auth.ts`, { text: 'secret: process.env.NEXTAUTH_SECRET' });

    // cluster-without-session-store: an Express app without Prisma (no connection pool to multiply) run by PM2 in
    // cluster mode, every other unit with instances: "max"; no database case may come to it later.
    const cl = take(['express'], 'pm2', { pred: (x) => !x.prisma && !used.db?.has(x.i) });
    (used.db ??= new Set()).add(cl.i);
    cl.pm2Instances = u % 2 ? 'max' : 4;
    expect(`cluster-without-session-store#${u}`, 'cluster-without-session-store', `${cl.dir}/ecosystem.config.js`, { text: 'instances:' });

    // missing-connection-limit: three apps' datasources on one server (every other unit one has connection_limit).
    const schemaUrl = { text: 'url      = env("DATABASE_URL")' };
    for (let k = 0; k < 3; k++) {
      const a = take(['nest', 'express', 'next'], 'db');
      Object.assign(a, { prisma: true, db: { host: `pg-shared-${u}.db.internal`, port: 5432 }, dbLimit: u % 2 === 1 && k === 0 });
      if (!a.dbLimit) expect(`missing-connection-limit(shared)#${u}`, 'missing-connection-limit', `${a.dir}/prisma/schema.prisma`, schemaUrl);
    }
    // a Prisma app and a Python service's DATABASE_URL on one server.
    const pa = take(['express', 'nest', 'next'], 'db');
    const py = take(['python'], 'db');
    Object.assign(pa, { prisma: true, dbLimit: false, db: { host: `pg-analytics-${u}.db.internal`, port: 5432 } });
    py.db = pa.db;
    expect(`missing-connection-limit(python)#${u}`, 'missing-connection-limit', `${pa.dir}/prisma/schema.prisma`, schemaUrl);
    // `connection_limit = 10` inside the datasource block (own server: only the error).
    const ib = take(['next', 'nest'], 'db');
    Object.assign(ib, { prisma: true, inBlock: true });
    expect(`missing-connection-limit(in-block)#${u}`, 'missing-connection-limit', `${ib.dir}/prisma/schema.prisma`, { text: 'connection_limit = 10' });

    // shared-database: two Prisma apps (with connection_limit: no missing-connection-limit) on one database of one server.
    for (let k = 0; k < 2; k++) {
      const a = take(['nest', 'express'], 'db');
      Object.assign(a, { prisma: true, dbLimit: true, db: { host: `pg-orders-${u}.db.internal`, port: 5432 }, dbName: `orders_${u}` });
      expect(`shared-database#${u}`, 'shared-database', `${a.dir}/.env`, { key: 'DATABASE_URL' });
    }

    // connection-budget: two Prisma apps with connection_limit=60 each on one server (120 > 100 - 3).
    for (let k = 0; k < 2; k++) {
      const a = take(['next', 'nest', 'express'], 'db');
      Object.assign(a, { prisma: true, dbLimit: true, connLimit: 60, db: { host: `pg-budget-${u}.db.internal`, port: 5432 } });
      expect(`connection-budget#${u}`, 'connection-budget', `${a.dir}/.env`, { key: 'DATABASE_URL' });
    }

    // compose-port-collision: two Express apps' compose stacks publishing one Redis host port, reported once, on the
    // later compose file by path.
    const stacks = [take(['express'], 'compose'), take(['express'], 'compose')];
    for (const a of stacks) a.composePort = 31000 + u;
    const later = stacks.map((a) => `${a.dir}/docker-compose.yml`).sort((x, y) => x.localeCompare(y))[1];
    expect(`compose-port-collision#${u}`, 'compose-port-collision', later, { text: `"${31000 + u}:6379"` });

    // dangling-service-url: a backend's .env names a local ARCHIVE<u>_SERVICE_URL port nothing listens on (a key of its
    // own: one origin, so no inconsistent-service-url; its word names no app).
    const dg = take(['nest', 'express', 'python'], 'url');
    dg.extraUrls.push([`ARCHIVE${u}_SERVICE_URL`, `http://localhost:${29000 + u}`]);
    expect(`dangling-service-url#${u}`, 'dangling-service-url', `${dg.dir}/.env`, { key: `ARCHIVE${u}_SERVICE_URL` });

    // shared-session-cookie: two Express apps whose express-session cookie has one name.
    for (let k = 0; k < 2; k++) {
      const a = take(['express'], 'cookie');
      a.cookieName = `acme-${u}.sid`;
      expect(`shared-session-cookie#${u}`, 'shared-session-cookie', `${a.dir}/server.js`, { text: 'app.use(session(' });
    }

    // cookie-options: an Express app whose express-session cookie has httpOnly: false.
    const co = take(['express'], 'cookieOptions');
    co.httpOnlyFalse = true;
    expect(`cookie-options#${u}`, 'cookie-options', `${co.dir}/server.js`, { text: 'app.use(session(' });

    // inconsistent-service-url: 3 vs 1 and a 1 vs 1 tie on remote hosts (keys of the case's own), in apps that carry
    // no exclusive case; and a Python .env against its code default and template.
    const svc = `${SERVICES[u % SERVICES.length]}${u >= SERVICES.length ? `_${Math.floor(u / SERVICES.length)}` : ''}`;
    const notUsed = specs.filter((x) => !used.any.has(x.i));
    const picked = new Set();
    const pickAt = (k) => {
      let j = (u * 7 + k * 13) % notUsed.length;
      while (picked.has(j)) j = (j + 1) % notUsed.length;
      picked.add(j);
      used.touched.add(notUsed[j].i);
      return notUsed[j];
    };
    const maj = `${svc}_SERVICE_URL`;
    const svcHost = `${svc.toLowerCase().replace(/_/g, '-')}.internal`;
    for (let k = 0; k < 4; k++) {
      const a = pickAt(k);
      a.extraUrls.push([maj, k === 3 ? `http://${svcHost}:8081` : `http://${svcHost}:8080`, k === 3]);
      if (k === 3) expect(`inconsistent-service-url(3 vs 1)#${u}`, 'inconsistent-service-url', `${a.dir}/.env`, { key: maj });
    }
    const tie = `${svc}_API_URL`;
    for (const [k, port] of [
      [4, 9443],
      [5, 9444],
    ]) {
      const a = pickAt(k);
      a.extraUrls.push([tie, `https://${svcHost}:${port}/v1`, true]);
      expect(`inconsistent-service-url(1 vs 1)#${u}`, 'inconsistent-service-url', `${a.dir}/.env`, { key: tie });
    }
    const pyu = specs.find((x) => x.kind === 'python' && !used.any.has(x.i) && !x.urlDrift);
    if (pyu) {
      const cbHost = `${svc.toLowerCase().replace(/_/g, '-')}-callbacks.internal`;
      pyu.urlDrift = { key: `${svc}_CALLBACK_SERVICE_URL`, env: `http://${cbHost}:${9100 + u}`, def: `http://${cbHost}:${9200 + u}` };
      used.touched.add(pyu.i);
      expect(`inconsistent-service-url(python)#${u}`, 'inconsistent-service-url', `${pyu.dir}/.env`, { key: pyu.urlDrift.key });
    }
  }

  // ---- the crowd (issue 14): g NestJS apps on one port, g Express apps sharing one secret
  const crowdSpecs = [];
  if (crowd > 0) {
    const shared = ws.secret('base64');
    for (let k = 0; k < crowd; k++) {
      for (const [kind, group] of [
        ['nest', 'port'],
        ['express', 'secret'],
      ]) {
        const name = `crowd-${group}-${k}`;
        const s = {
          i: n + crowdSpecs.length,
          kind,
          name,
          dir: `services/${name}`,
          pkgName: `@acme/${name}`,
          port: group === 'port' ? 45000 : 46000 + k,
          devScript: group === 'port',
          prisma: false,
          db: { host: `pg-${name}.db.internal`, port: 5432 },
          dbLimit: false,
          envLocal: false,
          envExample: false,
          envProd: false,
          authService: false,
          portLine: false,
          decoy: false,
          secret: group === 'secret' ? shared : ws.secret('hex'),
          prodSecret: ws.secret('base64'),
          extraUrls: [],
        };
        crowdSpecs.push(s);
        expect(`crowd-${group}`, group === 'port' ? 'port-collision' : 'duplicate-secret', `${s.dir}/.env`, {
          key: group === 'port' ? 'PORT' : 'SESSION_SECRET',
        });
      }
    }
  }

  // ---- frontends and backends: every frontend's API URL names a real backend, and that backend's CORS origins list
  // every frontend that calls it (dev and preview origins), so nothing dangles and no CORS origin is missing. The
  // backends carry no exclusive case.
  const standaloneBackends = new Set(standalone.map((fe) => fe.backend));
  const backends = specs.filter((x) => (x.kind === 'nest' || x.kind === 'express') && !used.any.has(x.i));
  const frontends = specs.filter((x) => x.kind === 'vite' && !x.standalone);
  const origins = (fe) => (fe.implicit ? [5173, 4173] : [fe.port, fe.port + 1]).map((p) => `http://localhost:${p}`);
  for (const b of [...specs, ...crowdSpecs]) b.corsOrigins = [];
  for (const fe of frontends) {
    const b = fe.corsBackend ?? backends[(fe.i * 7) % backends.length];
    fe.apiPort = b.port;
    b.corsOrigins.push(...origins(fe).slice(fe.corsBackend ? 1 : 0)); // the case's backend lacks the dev origin
  }
  for (const fe of standalone) {
    fe.apiPort = fe.backend.port;
    fe.backend.corsOrigins.push(...origins(fe));
  }
  // (a backend nothing calls lists some frontend's origins; never one on its own port)
  const fallback = frontends.filter((fe) => !fe.noStrictPort && !fe.corsBackend);
  for (const b of [...specs, ...crowdSpecs])
    if (b.corsOrigins.length === 0 && !standaloneBackends.has(b)) b.corsOrigins.push(...origins(fallback[(b.i * 3) % fallback.length]));
  // The implicit Next.js app calls the auth service from the browser: its CORS_ORIGIN names http://localhost:3000.
  authSvc.corsOrigins.push('http://localhost:3000');

  // ---- write
  writeRoot(ws, n);
  for (const s of specs) writeApp(ws, s);
  for (const s of crowdSpecs) writeApp(ws, s);
  for (const s of replicaSources) writeApp(ws, { ...s, dir: s.replicaDir, replica: true, decoy: false, extraUrls: [], secret: s.driftSecret ?? s.secret });
  const libs = Math.max(1, Math.floor(n / 20));
  for (let k = 0; k < libs; k++) writeLibrary(ws, k);

  const cache = new Map();
  const located = planted.map((e) => ({ rule: e.rule, file: e.file, line: locate(dir, e, cache), plant: e.plant }));
  const editEnv = path.join(dir, editTarget.dir, '.env');
  return {
    dir,
    n,
    units,
    crowd,
    apps: ws.appFolders, // engine-visible app folders: the N apps, the crowd, replicas and libraries
    files: ws.files,
    decoyFiles: ws.decoyFiles,
    bytes: ws.bytes,
    planted: located,
    expected: countByRule(located),
    edit: {
      file: editEnv,
      text: fs.readFileSync(editEnv, 'utf8'),
      secretKey: 'SESSION_SECRET',
      ownSecret: editTarget.secret,
      otherSecret: editOther.secret,
      ownPort: editTarget.port,
      otherPort: editOther.port,
      otherApp: editOther.pkgName,
      otherEnv: path.join(dir, editOther.dir, '.env'),
    },
  };
}

function writeRoot(ws, n) {
  ws.write(
    'package.json',
    pkgJson(
      'acme-platform',
      '0.0.0',
      ROOT_SCRIPTS,
      {},
      { turbo: '^2.0.14', prettier: '^3.3.3' },
      { workspaces: ['apps/*', 'services/*', 'packages/*'], packageManager: 'pnpm@9.6.0' },
    ),
  );
  ws.write(
    'turbo.json',
    JSON.stringify(
      {
        $schema: 'https://turbo.build/schema.json',
        tasks: { build: { dependsOn: ['^build'], outputs: ['dist/**', '.next/**'] }, dev: { cache: false, persistent: true } },
      },
      null,
      2,
    ) + '\n',
  );
  ws.write('README.md', `# acme-platform\n\n${n} apps and services. Run \`pnpm dev\` at the root.\n`);
  // Hoisted dependencies: decoys with listeners, env files and secrets that discovery must skip.
  ws.write(
    'node_modules/next/package.json',
    JSON.stringify({ name: 'next', version: '14.2.5', bin: { next: './dist/bin/next' }, scripts: { dev: 'next dev', start: 'next start' } }, null, 2),
    true,
  );
  ws.write('node_modules/next/dist/server/config.js', 'module.exports = { port: process.env.PORT || 3000 };\n', true);
  ws.write(
    'node_modules/@nestjs/core/package.json',
    JSON.stringify({ name: '@nestjs/core', version: '10.4.1', scripts: { start: 'nest start' } }, null, 2),
    true,
  );
  ws.write('node_modules/.pnpm/dotenv@16.4.5/node_modules/dotenv/.env', 'SESSION_SECRET=fixture-secret-for-dotenv-tests\nPORT=3000\n', true);
  ws.write(
    'node_modules/.pnpm/dotenv@16.4.5/node_modules/dotenv/package.json',
    JSON.stringify({ name: 'dotenv', version: '16.4.5', scripts: { start: 'node server.js' } }),
    true,
  );
}

function writeLibrary(ws, k) {
  const name = ['ui', 'utils', 'config', 'logger', 'auth-client', 'tsconfig', 'eslint-config', 'types'][k % 8] + (k >= 8 ? `-${Math.floor(k / 8)}` : '');
  const dir = `packages/${name}`;
  ws.write(
    `${dir}/package.json`,
    pkgJson(
      `@acme/${name}`,
      '0.0.0',
      { build: 'tsup src/index.ts --format cjs,esm --dts', lint: 'eslint src', test: 'vitest run', dev: 'tsup src/index.ts --watch' },
      { clsx: '^2.1.1' },
      { tsup: '^8.2.4', typescript: '^5.5.4', vitest: '^2.0.5' },
      { main: './dist/index.js', types: './dist/index.d.ts' },
    ),
  );
  ws.write(`${dir}/src/index.ts`, `export * from './format';\nexport * from './retry';\n`);
  ws.write(
    `${dir}/src/format.ts`,
    `export function formatMoney(cents: number, currency = 'USD'): string {\n  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);\n}\n`,
  );
  ws.write(
    `${dir}/src/retry.ts`,
    `export async function retry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {\n  let last: unknown;\n  for (let i = 0; i < attempts; i++) {\n    try {\n      return await fn();\n    } catch (e) {\n      last = e;\n      await new Promise((r) => setTimeout(r, 2 ** i * 100));\n    }\n  }\n  throw last;\n}\n`,
  );
  ws.write(`${dir}/dist/index.js`, `"use strict";module.exports={};\n`, true);
  ws.appFolders++;
}

function dbUrl(s, name) {
  const user = s.kind === 'nest' ? 'nest' : 'app';
  const q = s.dbLimit ? `?connection_limit=${s.connLimit ?? 5 + (s.i % 4)}&pool_timeout=20` : s.i % 3 === 0 ? '?schema=public' : '';
  return `postgresql://${user}:${user}_pw_${s.i}@${s.db.host}:${s.db.port}/${s.dbName ?? name.replace(/-/g, '_')}${q}`;
}

function prismaSchema(s) {
  const block = s.inBlock ? '  connection_limit = 10\n' : '';
  return `// This is your Prisma schema file,
// learn more about it in the docs: https://pris.ly/d/prisma-schema

generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
${block}}

model User {
  id        String   @id @default(cuid())
  email     String   @unique
  name      String?
  role      Role     @default(USER)
  createdAt DateTime @default(now())
  updatedAt DateTime @updatedAt
  sessions  Session[]
  ${s.kind === 'next' ? 'accounts  Account[]' : 'orders    Order[]'}
}

model Session {
  id           String   @id @default(cuid())
  sessionToken String   @unique
  userId       String
  expires      DateTime
  user         User     @relation(fields: [userId], references: [id], onDelete: Cascade)
}
${
  s.kind === 'next'
    ? `
model Account {
  id                String  @id @default(cuid())
  userId            String
  type              String
  provider          String
  providerAccountId String
  refresh_token     String? @db.Text
  access_token      String? @db.Text
  expires_at        Int?
  user              User    @relation(fields: [userId], references: [id], onDelete: Cascade)

  @@unique([provider, providerAccountId])
}
`
    : `
model Order {
  id        Int      @id @default(autoincrement())
  userId    String
  total     Decimal  @db.Decimal(12, 2)
  status    String   @default("pending")
  createdAt DateTime @default(now())
  user      User     @relation(fields: [userId], references: [id])

  @@index([userId, createdAt])
}
`
}
enum Role {
  USER
  ADMIN
}
`;
}

/** Appends the app's *_SERVICE_URL / *_API_URL lines (shared consistent AUTH_SERVICE_URL and planted ones). */
function urlLines(s) {
  const lines = [];
  if (s.authService) lines.push(['AUTH_SERVICE_URL', s.i % 5 === 0 ? 'http://localhost:8001' : 'http://127.0.0.1:8001/']);
  for (const [k, v, q] of s.extraUrls) lines.push(q ? [k, v, true] : [k, v]);
  return lines;
}

function writeApp(ws, s) {
  ws.appFolders++;
  ({ next: writeNext, vite: writeVite, nest: writeNest, express: writeExpress, python: writePython })[s.kind](ws, s);
  if (s.prisma) ws.write(`${s.dir}/prisma/schema.prisma`, prismaSchema(s));
}

const title = (s) =>
  s.name
    .replace(/-\d+$/, '')
    .split('-')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');

function writeNext(ws, s) {
  const p = s.implicit ? '' : ` -p ${s.port}`;
  const scripts = {
    dev: `next dev${p}`,
    build: s.prisma ? 'prisma generate && next build' : 'next build',
    start: `next start${p}`,
    lint: 'next lint',
    typecheck: 'tsc --noEmit',
  };
  if (s.prisma) Object.assign(scripts, { 'db:migrate': 'prisma migrate dev', 'db:studio': 'prisma studio' });
  const deps = { next: '14.2.5', react: '18.3.1', 'react-dom': '18.3.1', 'next-auth': '^4.24.7', zod: '^3.23.8', '@acme/ui': 'workspace:*' };
  const dev = { typescript: '^5.5.4', '@types/node': '^20.14.10', '@types/react': '^18.3.3', eslint: '^8.57.0', 'eslint-config-next': '14.2.5' };
  if (s.prisma) {
    Object.assign(deps, { '@prisma/client': '^5.17.0', '@auth/prisma-adapter': '^2.4.1' });
    Object.assign(dev, { prisma: '^5.17.0' });
  }
  ws.write(`${s.dir}/package.json`, pkgJson(s.pkgName, '0.3.1', scripts, deps, dev));
  const port = s.implicit ? 3000 : s.port;

  // A replica is deployed on its own machine behind TLS (its Secure session cookie needs https).
  const url = s.replica ? `https://${s.name}.eu.acme.internal` : `http://localhost:${s.authUrlPort ?? port}`;
  const lines = ['# Local development settings (not committed)', ['NODE_ENV', 'development'], ''];
  if (s.prisma) lines.push(['DATABASE_URL', dbUrl(s, s.name), true]);
  lines.push(['NEXTAUTH_URL', url], ...(s.noSecret ? [] : [['NEXTAUTH_SECRET', s.secret, true]]), ['NEXT_PUBLIC_APP_NAME', title(s), true]);
  if (s.portLine) lines.push(['PORT', String(s.port)]);
  if (s.nodeId) lines.push(['SYNC_NODE_ID', s.nodeId[s.replica ? 1 : 0]]);
  if (s.ineffectivePort) lines.push('# moved off the shared port', ['PORT', String(s.ineffectivePort)]);
  lines.push(
    ['SENTRY_DSN', `https://${(s.i * 7919).toString(16)}@o4507.ingest.sentry.io/${1000 + s.i}`],
    ['REDIS_URL', `redis://cache-${s.i}.internal:6379`],
    ...urlLines(s),
  );
  ws.env(s, '.env', lines);
  if (s.envLocal)
    ws.env(s, '.env.local', [
      '# machine-local overrides',
      ['NEXTAUTH_URL', url],
      ...(s.noSecret ? [] : [['NEXTAUTH_SECRET', s.secret, true]]),
      ['NEXT_TELEMETRY_DISABLED', '1'],
    ]);
  if (s.envProd)
    ws.env(s, '.env.production', [['NEXTAUTH_URL', `https://${s.name}.acme.example`], ...(s.noSecret ? [] : [['NEXTAUTH_SECRET', s.prodSecret, true]])]);
  if (s.envExample)
    ws.env(s, '.env.example', [
      '# Copy to .env and fill in',
      ['DATABASE_URL', 'postgresql://user:password@localhost:5432/mydb', true],
      ['NEXTAUTH_URL', 'http://localhost:3000'],
      ['NEXTAUTH_SECRET', 'change-me-in-production', true],
      ...(s.authService ? [['AUTH_SERVICE_URL', 'http://127.0.0.1:8001']] : []),
    ]);

  ws.write(
    `${s.dir}/next.config.mjs`,
    `/** @type {import('next').NextConfig} */\nconst nextConfig = {\n  reactStrictMode: true,\n  transpilePackages: ['@acme/ui'],\n  output: 'standalone',\n};\n\nexport default nextConfig;\n`,
  );
  ws.write(
    `${s.dir}/src/lib/auth.ts`,
    `import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
${s.prisma ? "import { PrismaAdapter } from '@auth/prisma-adapter';\nimport { prisma } from './db';\n" : ''}
export const authOptions: NextAuthOptions = {
${s.prisma ? '  adapter: PrismaAdapter(prisma),\n' : ''}  secret: process.env.NEXTAUTH_SECRET,
  session: { strategy: 'jwt', maxAge: 60 * 60 * 8 },
  // One cookie name per app: apps on one host (any port) share cookies.
  cookies: {
    sessionToken: { name: '${s.name}.session-token', options: { httpOnly: true, sameSite: 'lax', path: '/', secure: process.env.NODE_ENV === 'production' } },
  },
  pages: { signIn: '/login' },
  providers: [
    CredentialsProvider({
      name: 'Email',
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      async authorize(credentials) {
        if (!credentials?.email || !credentials.password) return null;
        const res = await fetch(\`\${process.env.NEXTAUTH_URL}/api/login\`, { method: 'POST', body: JSON.stringify(credentials) });
        return res.ok ? res.json() : null;
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) token.role = (user as { role?: string }).role;
      return token;
    },
  },
};
`,
  );
  if (s.prisma)
    ws.write(
      `${s.dir}/src/lib/db.ts`,
      `import { PrismaClient } from '@prisma/client';\n\nconst globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };\n\nexport const prisma = globalForPrisma.prisma ?? new PrismaClient({ log: process.env.NODE_ENV === 'development' ? ['query'] : [] });\n\nif (process.env.NODE_ENV !== 'production') globalForPrisma.prisma = prisma;\n`,
    );
  ws.write(
    `${s.dir}/src/app/api/auth/[...nextauth]/route.ts`,
    `import NextAuth from 'next-auth';\nimport { authOptions } from '@/lib/auth';\n\nconst handler = NextAuth(authOptions);\nexport { handler as GET, handler as POST };\n`,
  );
  ws.write(
    `${s.dir}/src/app/layout.tsx`,
    `import type { ReactNode } from 'react';\nimport './globals.css';\n\nexport const metadata = { title: '${title(s)}' };\n\nexport default function RootLayout({ children }: { children: ReactNode }) {\n  return (\n    <html lang="en">\n      <body>{children}</body>\n    </html>\n  );\n}\n`,
  );
  ws.write(
    `${s.dir}/src/app/page.tsx`,
    `import { getServerSession } from 'next-auth';\nimport { authOptions } from '@/lib/auth';\nimport { Button } from '@acme/ui';\n\nexport default async function Home() {\n  const session = await getServerSession(authOptions);\n  return (\n    <main className="p-8">\n      <h1>${title(s)}</h1>\n      <p>{session ? \`Signed in as \${session.user?.email}\` : 'Not signed in'}</p>\n      <Button href="/login">Sign in</Button>\n    </main>\n  );\n}\n`,
  );
  ws.write(`${s.dir}/src/components/DataTable.tsx`, dataTable());
  if (s.authService) {
    ws.write(
      `${s.dir}/src/lib/services.ts`,
      `export const AUTH_SERVICE_URL = process.env.AUTH_SERVICE_URL ?? 'http://localhost:8001';\n\nexport async function introspect(token: string) {\n  const res = await fetch(\`\${AUTH_SERVICE_URL}/introspect\`, { method: 'POST', headers: { authorization: \`Bearer \${token}\` } });\n  if (!res.ok) throw new Error(\`auth service: \${res.status}\`);\n  return res.json();\n}\n`,
    );
  }
  // build output decoy: a copy of the env with the secret, and a server listening on 3000
  if (s.decoy) {
    ws.write(`${s.dir}/.next/standalone/.env`, `NEXTAUTH_SECRET="${s.secret}"\nPORT=3000\n`, true);
    ws.write(`${s.dir}/.next/standalone/server.js`, `const port = parseInt(process.env.PORT, 10) || 3000;\nrequire('next').startServer({ port });\n`, true);
    ws.write(`${s.dir}/node_modules/.bin/next`, '#!/usr/bin/env node\n', true);
    ws.write(`${s.dir}/node_modules/@acme/ui/package.json`, JSON.stringify({ name: '@acme/ui', scripts: { dev: 'next dev' } }), true);
  }
}

function dataTable() {
  return `import { useMemo, useState } from 'react';

export interface Column<T> {
  key: keyof T;
  label: string;
  width?: number;
}

export function DataTable<T extends { id: string | number }>({ rows, columns }: { rows: T[]; columns: Column<T>[] }) {
  const [sortBy, setSortBy] = useState<keyof T | undefined>();
  const sorted = useMemo(() => (sortBy ? [...rows].sort((a, b) => String(a[sortBy]).localeCompare(String(b[sortBy]))) : rows), [rows, sortBy]);
  return (
    <table>
      <thead>
        <tr>{columns.map((c) => <th key={String(c.key)} onClick={() => setSortBy(c.key)}>{c.label}</th>)}</tr>
      </thead>
      <tbody>
        {sorted.map((r) => (
          <tr key={r.id}>{columns.map((c) => <td key={String(c.key)}>{String(r[c.key])}</td>)}</tr>
        ))}
      </tbody>
    </table>
  );
}
`;
}

function writeVite(ws, s) {
  // A standalone frontend (with its own backend, outside the root's `turbo run dev`) is started by its `start` script.
  const devScript = s.standalone ? 'start' : 'dev';
  const scripts = s.implicit
    ? { [devScript]: 'vite', build: 'tsc -b && vite build', preview: 'vite preview', lint: 'eslint .', test: 'vitest run' }
    : {
        dev: `vite --port ${s.port}${s.noStrictPort ? '' : ' --strictPort'}`,
        build: 'tsc -b && vite build',
        preview: `vite preview --port ${s.port + 1} --strictPort`,
        lint: 'eslint .',
        test: 'vitest run',
      };
  ws.write(
    `${s.dir}/package.json`,
    pkgJson(
      s.pkgName,
      '0.1.0',
      scripts,
      { react: '^18.3.1', 'react-dom': '^18.3.1', '@tanstack/react-query': '^5.51.1', 'react-router-dom': '^6.25.1' },
      { vite: '^5.3.4', '@vitejs/plugin-react': '^4.3.1', typescript: '^5.5.4', vitest: '^2.0.5', eslint: '^9.7.0' },
      { type: 'module' },
    ),
  );
  const backend = `http://localhost:${s.apiPort}`;
  const lines = [
    ['VITE_API_URL', backend],
    ['VITE_SENTRY_DSN', `https://${(s.i * 104729).toString(16)}@o4507.ingest.sentry.io/${2000 + s.i}`],
    ['VITE_FEATURE_FLAGS', 'search,exports'],
  ];
  if (s.ineffectivePort) lines.push(['PORT', String(s.ineffectivePort)]);
  lines.push(...urlLines(s));
  ws.env(s, '.env', lines);
  if (s.envLocal) ws.env(s, '.env.local', [['VITE_API_URL', backend.replace('localhost', '127.0.0.1')]]);
  if (s.envExample) ws.env(s, '.env.example', [['VITE_API_URL', 'http://localhost:' + backend.split(':').pop()]]);
  ws.write(
    `${s.dir}/vite.config.ts`,
    `import { defineConfig } from 'vite';\nimport react from '@vitejs/plugin-react';\n\nexport default defineConfig({\n  plugins: [react()],\n  build: { outDir: 'dist', sourcemap: true },\n});\n`,
  );
  ws.write(`${s.dir}/index.html`, `<!doctype html>\n<html><body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body></html>\n`);
  ws.write(
    `${s.dir}/src/main.tsx`,
    `import React from 'react';\nimport ReactDOM from 'react-dom/client';\nimport { QueryClient, QueryClientProvider } from '@tanstack/react-query';\nimport App from './App';\n\nconst client = new QueryClient();\nReactDOM.createRoot(document.getElementById('root')!).render(\n  <React.StrictMode>\n    <QueryClientProvider client={client}>\n      <App />\n    </QueryClientProvider>\n  </React.StrictMode>,\n);\n`,
  );
  ws.write(
    `${s.dir}/src/App.tsx`,
    `import { useQuery } from '@tanstack/react-query';\nimport { api } from './api/client';\n\nexport default function App() {\n  const { data, isLoading } = useQuery({ queryKey: ['items'], queryFn: () => api('/items') });\n  if (isLoading) return <p>Loading…</p>;\n  return <ul>{(data as { id: string; name: string }[]).map((i) => <li key={i.id}>{i.name}</li>)}</ul>;\n}\n`,
  );
  ws.write(
    `${s.dir}/src/api/client.ts`,
    `const BASE = import.meta.env.VITE_API_URL ?? '${backend}';\n\nexport async function api<T = unknown>(path: string, init?: RequestInit): Promise<T> {\n  const res = await fetch(\`\${BASE}\${path}\`, { credentials: 'include', ...init });\n  if (!res.ok) throw new Error(\`\${res.status} \${res.statusText}\`);\n  return res.json() as Promise<T>;\n}\n`,
  );
  ws.write(`${s.dir}/src/components/DataTable.tsx`, dataTable());
  if (s.decoy) {
    ws.write(`${s.dir}/dist/assets/index-3f9a1c.js`, `const e="${backend}";fetch(e+"/items");\n`, true);
    ws.write(`${s.dir}/node_modules/vite/package.json`, JSON.stringify({ name: 'vite', version: '5.3.4', scripts: { dev: 'vite' } }), true);
  }
}

function writeNest(ws, s) {
  const scripts = {
    ...(s.devScript ? { dev: 'nest start --watch' } : {}),
    build: 'nest build',
    start: 'nest start',
    'start:dev': 'nest start --watch',
    'start:debug': 'nest start --debug --watch',
    'start:prod': 'node dist/main',
    lint: 'eslint "{src,test}/**/*.ts" --fix',
    test: 'jest',
    'test:e2e': 'jest --config ./test/jest-e2e.json',
  };
  if (s.prisma) Object.assign(scripts, { 'prisma:generate': 'prisma generate', 'prisma:migrate': 'prisma migrate dev' });
  const deps = {
    '@nestjs/common': '^10.3.10',
    '@nestjs/core': '^10.3.10',
    '@nestjs/config': '^3.2.3',
    '@nestjs/jwt': '^10.2.0',
    '@nestjs/passport': '^10.0.3',
    '@nestjs/platform-express': '^10.3.10',
    passport: '^0.7.0',
    'passport-jwt': '^4.0.1',
    'reflect-metadata': '^0.2.2',
    rxjs: '^7.8.1',
  };
  const dev = { '@nestjs/cli': '^10.4.2', '@nestjs/testing': '^10.3.10', jest: '^29.7.0', 'ts-jest': '^29.2.3', typescript: '^5.5.4' };
  if (s.prisma) {
    deps['@prisma/client'] = '^5.17.0';
    dev.prisma = '^5.17.0';
  }
  ws.write(`${s.dir}/package.json`, pkgJson(s.pkgName, '1.2.0', scripts, deps, dev));
  const lines = ['# NestJS service configuration', ['PORT', String(s.port)]];
  if (s.prisma) lines.push(['DATABASE_URL', dbUrl(s, s.name), true]);
  if (s.nodeId) lines.push(['SYNC_NODE_ID', s.nodeId[s.replica ? 1 : 0]]);
  lines.push(
    ['JWT_SECRET', s.secret, true],
    ['JWT_EXPIRES_IN', '1h'],
    ['REDIS_HOST', `cache-${s.i}.internal`],
    ['REDIS_PORT', '6379'],
    ['CORS_ORIGIN', s.corsOrigins.join(',')],
    ...urlLines(s),
  );
  ws.env(s, '.env', lines);
  if (s.envExample)
    ws.env(s, '.env.example', [
      ['PORT', '3000'],
      ['DATABASE_URL', 'postgresql://user:password@localhost:5432/app', true],
      ['JWT_SECRET', 'change-me-in-production', true],
      ['JWT_EXPIRES_IN', '1h'],
    ]);
  ws.write(`${s.dir}/nest-cli.json`, JSON.stringify({ collection: '@nestjs/schematics', sourceRoot: 'src' }, null, 2) + '\n');
  ws.write(
    `${s.dir}/src/main.ts`,
    `import { NestFactory } from '@nestjs/core';
import { ValidationPipe } from '@nestjs/common';
import { AppModule } from './app.module';

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  app.setGlobalPrefix('api');
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, transform: true }));
  app.enableCors({ origin: process.env.CORS_ORIGIN?.split(',').map((o) => o.trim()), credentials: true });
  await app.listen(process.env.PORT ?? 3000);
}
bootstrap();
`,
  );
  ws.write(
    `${s.dir}/src/app.module.ts`,
    `import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from './auth/auth.module';
${s.prisma ? "import { PrismaModule } from './prisma/prisma.module';\n" : ''}import { HealthController } from './health.controller';

@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true }), AuthModule${s.prisma ? ', PrismaModule' : ''}],
  controllers: [HealthController],
})
export class AppModule {}
`,
  );
  ws.write(
    `${s.dir}/src/health.controller.ts`,
    `import { Controller, Get } from '@nestjs/common';\n\n@Controller('health')\nexport class HealthController {\n  @Get()\n  check() {\n    return { status: 'ok', uptime: process.uptime() };\n  }\n}\n`,
  );
  ws.write(
    `${s.dir}/src/auth/auth.module.ts`,
    `import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { JwtStrategy } from './jwt.strategy';

@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        secret: config.get<string>('JWT_SECRET'),
        signOptions: { expiresIn: config.get<string>('JWT_EXPIRES_IN') },
      }),
    }),
  ],
  providers: [JwtStrategy],
})
export class AuthModule {}
`,
  );
  ws.write(
    `${s.dir}/src/auth/jwt.strategy.ts`,
    `import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(config: ConfigService) {
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), ignoreExpiration: false, secretOrKey: config.get<string>('JWT_SECRET') });
  }

  validate(payload: { sub: string; role: string }) {
    return { userId: payload.sub, role: payload.role };
  }
}
`,
  );
  if (s.prisma) {
    ws.write(
      `${s.dir}/src/prisma/prisma.module.ts`,
      `import { Global, Module } from '@nestjs/common';\nimport { PrismaService } from './prisma.service';\n\n@Global()\n@Module({ providers: [PrismaService], exports: [PrismaService] })\nexport class PrismaModule {}\n`,
    );
    ws.write(
      `${s.dir}/src/prisma/prisma.service.ts`,
      `import { Injectable, OnModuleInit } from '@nestjs/common';\nimport { PrismaClient } from '@prisma/client';\n\n@Injectable()\nexport class PrismaService extends PrismaClient implements OnModuleInit {\n  async onModuleInit() {\n    await this.$connect();\n  }\n}\n`,
    );
  }
  if (s.decoy) {
    ws.write(
      `${s.dir}/dist/main.js`,
      `"use strict";\nconst core_1 = require("@nestjs/core");\nasync function bootstrap() { const app = await core_1.NestFactory.create(AppModule); await app.listen(3000); }\nbootstrap();\n`,
      true,
    );
    ws.write(`${s.dir}/node_modules/@acme/config/.env`, `JWT_SECRET="${s.secret.slice(0, 8)}shared-test-fixture"\nPORT=3000\n`, true);
  }
}

function writeExpress(ws, s) {
  const scripts = { dev: s.i % 2 ? 'nodemon server.js' : 'node --watch server.js', start: 'node server.js', lint: 'eslint .', test: 'node --test test/' };
  if (s.prisma) scripts.postinstall = 'prisma generate';
  const deps = { express: '^4.19.2', dotenv: '^16.4.5', 'express-session': '^1.18.0', helmet: '^7.1.0', cors: '^2.8.5' };
  if (s.prisma) deps['@prisma/client'] = '^5.17.0';
  ws.write(
    `${s.dir}/package.json`,
    pkgJson(s.pkgName, '2.0.3', scripts, deps, { nodemon: '^3.1.4', eslint: '^9.7.0', ...(s.prisma ? { prisma: '^5.17.0' } : {}) }),
  );
  const lines = [
    ['PORT', String(s.port)],
    ['SESSION_SECRET', s.secret],
  ];
  if (s.prisma) lines.push(['DATABASE_URL', dbUrl(s, s.name), true]);
  lines.push(['CORS_ORIGIN', s.corsOrigins.join(',')], ['LOG_LEVEL', 'info'], ['TRUST_PROXY', '1'], ...urlLines(s));
  ws.env(s, '.env', lines);
  if (s.envExample)
    ws.env(s, '.env.example', [
      ['PORT', '4000'],
      ['SESSION_SECRET', 'change-me-in-production'],
      ['LOG_LEVEL', 'info'],
    ]);
  ws.write(
    `${s.dir}/server.js`,
    `require('dotenv').config();
const express = require('express');
const session = require('express-session');
const helmet = require('helmet');
const cors = require('cors');
const routes = require('./src/routes');

const app = express();
const PORT = process.env.PORT || 4000;

app.use(helmet());
app.use(cors({ origin: (process.env.CORS_ORIGIN || '').split(','), credentials: true }));
app.use(express.json());
app.use(session({ name: '${s.cookieName ?? `${s.name}.sid`}', secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false, cookie: { secure: process.env.NODE_ENV === 'production', httpOnly: ${!s.httpOnlyFalse}, sameSite: 'lax' } }));
app.use('/api', routes);

app.listen(PORT, () => console.log(\`${s.name} listening on \${PORT}\`));
`,
  );
  ws.write(
    `${s.dir}/src/routes/index.js`,
    `const { Router } = require('express');\nconst router = Router();\n\nrouter.get('/health', (req, res) => res.json({ ok: true }));\nrouter.post('/webhooks/:source', (req, res) => {\n  req.app.emit('webhook', req.params.source, req.body);\n  res.status(202).end();\n});\n\nmodule.exports = router;\n`,
  );
  ws.write(
    `${s.dir}/src/lib/errors.js`,
    `class HttpError extends Error {\n  constructor(status, message) {\n    super(message);\n    this.status = status;\n  }\n}\n\nmodule.exports = { HttpError };\n`,
  );
  if (s.pm2Instances !== undefined) {
    ws.write(
      `${s.dir}/ecosystem.config.js`,
      `module.exports = {\n  apps: [\n    {\n      name: '${s.name}',\n      script: 'server.js',\n      instances: ${JSON.stringify(s.pm2Instances)},\n      exec_mode: 'cluster',\n    },\n  ],\n};\n`,
    );
  }
  if (s.composePort) {
    ws.write(`${s.dir}/docker-compose.yml`, `services:\n  redis:\n    image: redis:7-alpine\n    ports:\n      - "${s.composePort}:6379"\n`);
  }
  if (s.decoy)
    ws.write(`${s.dir}/node_modules/express/package.json`, JSON.stringify({ name: 'express', version: '4.19.2', scripts: { start: 'node index.js' } }), true);
}

function writePython(ws, s) {
  ws.write(
    `${s.dir}/pyproject.toml`,
    `[project]\nname = "${s.name}"\nversion = "0.5.0"\nrequires-python = ">=3.11"\ndependencies = ["fastapi>=0.111", "uvicorn[standard]>=0.30", "pydantic-settings>=2.3", "sqlalchemy>=2.0", "psycopg[binary]>=3.2", "python-dotenv>=1.0"]\n`,
  );
  const lines = [
    ['PORT', String(s.port)],
    ['SECRET_KEY', s.secret],
    ['DATABASE_URL', `postgresql://etl:etl_pw_${s.i}@${s.db.host}:${s.db.port}/${s.name.replace(/-/g, '_')}`],
    ['LOG_LEVEL', 'INFO'],
    ...urlLines(s),
  ];
  if (s.urlDrift) lines.push([s.urlDrift.key, s.urlDrift.env]);
  ws.env(s, '.env', lines);
  if (s.urlDrift)
    ws.env(s, '.env.example', [
      ['SECRET_KEY', 'change-me'],
      [s.urlDrift.key, s.urlDrift.def],
    ]);
  ws.write(`${s.dir}/app/__init__.py`, '');
  ws.write(
    `${s.dir}/app/main.py`,
    `import os\n\nimport uvicorn\nfrom dotenv import load_dotenv\nfrom fastapi import FastAPI\n\nfrom app.config import settings\n\nload_dotenv()\napp = FastAPI(title="${title(s)}")\n\n\n@app.get("/health")\ndef health() -> dict:\n    return {"ok": True, "env": settings.log_level}\n\n\nif __name__ == "__main__":\n    uvicorn.run(app, host="0.0.0.0", port=int(os.getenv("PORT", "${s.port}")))\n`,
  );
  const fields = [];
  if (s.authService) {
    fields.push('    AUTH_SERVICE_URL: str = "http://127.0.0.1:8001"');
  }
  if (s.urlDrift) {
    fields.push(`    ${s.urlDrift.key}: str = "${s.urlDrift.def}"`);
  }
  ws.write(
    `${s.dir}/app/config.py`,
    `from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\nclass Settings(BaseSettings):\n    model_config = SettingsConfigDict(env_file=".env")\n\n    log_level: int = 20\n${fields.join('\n')}${fields.length ? '\n' : ''}\n\nsettings = Settings()\n`,
  );
  if (s.decoy) ws.write(`${s.dir}/.venv/lib/python3.11/site-packages/fastapi/.env`, `SECRET_KEY=${s.secret}\n`, true);
}

module.exports = { generate, compareFindings, describeDifferences, countByRule, RULE_IDS };

if (require.main === module) {
  const n = Number(process.argv[2] ?? 100);
  const dir = path.resolve(process.argv[3] ?? path.join(require('node:os').tmpdir(), `crosswire-bench-${n}`));
  const crowd = Number(process.argv[4] ?? 0);
  const t = Date.now();
  const ws = generate({ dir, n, crowd });
  const { text: _t, ...edit } = ws.edit;
  console.log(JSON.stringify({ ...ws, edit, ms: Date.now() - t }, null, 2));
}
