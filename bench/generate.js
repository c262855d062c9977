'use strict';
/**
 * Writes a synthetic but realistic multi-app workspace of N apps (a turbo-style monorepo: apps/, services/,
 * packages/, replicas/) with a known number of planted conflicts for every rule, and computes the exact
 * number of findings each rule must report from what it planted.
 *
 *   const { generate } = require('./bench/generate');
 *   const ws = generate({ dir: '/tmp/ws-100', n: 100 });   // ws.expected = { 'duplicate-secret': 12, ... }
 *
 * Every app is one of Next.js (next-auth, often Prisma), Vite + React, NestJS (ConfigModule, JWT, Prisma),
 * Express (dotenv, express-session) or a Python/FastAPI service. Apps get `.env`, often `.env.local` and
 * `.env.example`, and realistic source files; many have `prisma/schema.prisma` and an auth module. Decoys
 * that must be skipped live in `node_modules/`, `.next/` and `dist/` (a copy of another app's secret, a
 * package.json whose `next start` would collide on 3000, ...).
 *
 * Planted per "unit" (u = max(1, floor(N / 50)) units; duplicate-node-id and replica-drift per replica pair):
 *   duplicate-secret          a pair (every third unit: a trio) of different apps sharing one secret value
 *   port-collision            two different apps on one explicit port that the root's `turbo run dev` starts together
 *                             (Next -p vs Express PORT, or two NestJS PORT= with a `dev` script): errors, and for Next.js /
 *                             Express their production servers too when live configuration links the apps; and a Vite
 *                             `--port` without --strictPort on an Express app's port, which the CORS_ORIGIN of the Vite
 *                             app's backend names: a warning for each
 *   implicit-port             a Vite app with bare `vite` (its `start` script) / `vite preview` and a NestJS backend of its
 *                             own (its VITE_API_URL names the backend's port, the backend's CORS_ORIGIN the Vite default
 *                             origins; nothing links the pair to the rest), so each unit's Vite app is alone on 5173 in
 *                             its system; and once (unit 0) a Next.js app with bare `next dev`/`next start` in the root's
 *                             `turbo run dev`, whose port 3000 the auth service's CORS_ORIGIN names (info each; previews
 *                             and `next start`, which never moves, are not reported)
 *   ineffective-port          a PORT= line in a Next.js (or Vite) app's .env that the server never reads
 *   missing-connection-limit  three apps' Prisma datasources on one database server (one of them with connection_limit
 *                             every other unit), a Prisma app sharing a server with a Python service's DATABASE_URL, and
 *                             a `connection_limit = 10` property inside a datasource block (the error)
 *   inconsistent-service-url  a *_SERVICE_URL with a 3-vs-1 majority, one with a 1-vs-1 tie, and a Python service
 *                             whose .env disagrees with its pydantic default and its template
 *   weak-secret               an Express app whose SESSION_SECRET is too short (a value of its own: no duplicate-secret)
 *   duplicate-node-id         every other replica pair (k = 0, 2, ...) with one SYNC_NODE_ID in both .env files (the
 *                             other pairs have distinct ids); both members are reported
 *   replica-drift             the same pairs: the replica's NEXTAUTH_SECRET differs from its source's (1 vs 1: both reported)
 *   shared-database           two Prisma apps (NestJS / Express, with connection_limit) on one database of one server
 *   compose-port-collision    two Express apps' docker-compose.yml publishing one Redis host port (one finding for the pair)
 *   nextauth-url-mismatch     a Next.js app whose NEXTAUTH_URL names another local port than its -p (one per .env / .env.local)
 *   cluster-without-session-store  an Express app (express-session, no store; no Prisma) in PM2 cluster mode (4 / "max")
 *   missing-secret            a Next.js app (no .env.production) whose live env files lack NEXTAUTH_SECRET
 *   dangling-service-url      a backend's .env with ARCHIVE<u>_SERVICE_URL=http://localhost:<29000+u> (nothing listens there)
 *   cors-origin-mismatch      an explicit-port Vite app whose backend's CORS_ORIGIN lists its preview origin but not its dev one
 *   shared-session-cookie     two Express apps (on localhost) whose express-session cookies share one name
 *   cookie-options            an Express app whose express-session cookie has httpOnly: false
 *   connection-budget         two Prisma apps with connection_limit=60 on one PostgreSQL server (120 > 97): both reported
 * and decoys that must NOT be reported: replicas (same package name) sharing secrets, ports and a database;
 * PORT= lines equal to the real port; identical placeholder secrets in every .env.example; one AUTH_SERVICE_URL
 * shared consistently by hundreds of apps (127.0.0.1 vs localhost spellings); localhost databases on distinct ports;
 * `vite preview` scripts on 4173 that nothing starts; the implicit Vite apps of different units, each on 5173 in a
 * system of its own.
 *
 * The expected counts are not hard-coded: every env entry, listener (port, source, script, role, whether it moves
 * when its port is taken), datasource and code default the generator writes is recorded in a model, and
 * expectedFindings() applies each rule's documented semantics to that model (group secrets by value, listeners by
 * port and source over what runs together, datasources by server, service URLs by key and origin).
 */
const fs = require('node:fs');
const path = require('node:path');

const RULE_IDS = ['duplicate-secret', 'port-collision', 'ineffective-port', 'implicit-port', 'missing-connection-limit', 'inconsistent-service-url',
  'weak-secret', 'duplicate-node-id', 'replica-drift', 'shared-database', 'compose-port-collision',
  'nextauth-url-mismatch', 'cluster-without-session-store',
  'missing-secret', 'dangling-service-url', 'cors-origin-mismatch',
  'shared-session-cookie', 'cookie-options', 'connection-budget'];

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

const AREAS = ['billing', 'payments', 'inventory', 'orders', 'catalog', 'search', 'notifications', 'identity', 'admin', 'reports',
  'analytics', 'shipping', 'checkout', 'crm', 'support', 'onboarding', 'scheduler', 'media', 'docs', 'marketing', 'pricing',
  'loyalty', 'fleet', 'payroll', 'ledger', 'tickets', 'assets', 'warehouse', 'procurement', 'compliance'];
const SUFFIX = { next: ['portal', 'dashboard', 'console', 'web', 'site', 'admin'], vite: ['ui', 'spa', 'frontend', 'widget', 'studio'],
  nest: ['api', 'service', 'gateway', 'backend'], express: ['server', 'api', 'webhooks', 'proxy'], python: ['worker', 'ml', 'etl', 'jobs'] };
/** The monorepo root's scripts: each `turbo run <task>` runs that script of every package under the root, all at once. */
const ROOT_SCRIPTS = { dev: 'turbo run dev', build: 'turbo run build', lint: 'turbo run lint', test: 'turbo run test', typecheck: 'turbo run typecheck' };
const SERVICES = ['LEDGER', 'FULFILMENT', 'RISK', 'TAX', 'GEO', 'PRICING', 'AUDIT', 'QUOTA', 'RATING', 'ROUTING', 'SEARCH_INDEX', 'MAILER'];

// 20-app pattern: next 6, vite 4, nest 4, express 4, python 2.
const KIND_PATTERN = ['next', 'vite', 'nest', 'express', 'next', 'vite', 'next', 'nest', 'express', 'python',
  'next', 'vite', 'nest', 'express', 'next', 'vite', 'next', 'nest', 'express', 'python'];

// ------------------------------------------------------------------------------------------------
// the model the expected counts are computed from

/** Mirrors the rules' key predicates (server/src/rules/duplicate-secret.ts, inconsistent-service-url.ts). */
function isSecretKey(key) {
  const k = key.toUpperCase();
  return /(^|_)SECRET$/.test(k) || /_PRIVATE_KEY$/.test(k) || k === 'SECRET_KEY' || k === 'SECRET_KEY_BASE' || k === 'APP_KEY';
}
function isServiceUrlKey(key) {
  return /_SERVICE_URL$/.test(key) || /(^|_)API_URL$/.test(key);
}
const FRAMEWORK_PREFIXES = /^(NEXT_PUBLIC_|VITE_|REACT_APP_|PUBLIC_|NUXT_PUBLIC_|EXPO_PUBLIC_|GATSBY_|NG_APP_|VUE_APP_)/;
function serviceGroup(key, identity) {
  const s = key.replace(FRAMEWORK_PREFIXES, '');
  return s === 'API_URL' || s === 'SERVICE_URL' || s === 'BACKEND_URL' ? `app:${identity}:${s}` : `svc:${s}`;
}
const LOCAL = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0', '']);
const DEFAULT_PORTS = { http: 80, https: 443, postgres: 5432, postgresql: 5432, mysql: 3306, redis: 6379 };
function origin(value) {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || value.includes('${')) return undefined;
  let u;
  try {
    u = new URL(value);
  } catch {
    return undefined; // like originOf: not a URL (e.g. a comma-separated list of origins)
  }
  const scheme = u.protocol.slice(0, -1).toLowerCase();
  const host = u.hostname.toLowerCase();
  return { scheme, key: `${scheme}://${LOCAL.has(host) ? 'localhost' : host}:${u.port ? Number(u.port) : DEFAULT_PORTS[scheme] ?? 0}` };
}
/** Mirrors isPublicHost of server/src/rules/inconsistent-service-url.ts. */
function isPublicHost(host) {
  if (!host.includes('.') || /^[\d.]+$/.test(host) || host.includes(':')) return false;
  return !/\.(local|localhost|internal|lan|test|home|svc|cluster\.local)$/.test(host);
}
function dbServer(value) {
  const o = origin(value);
  if (!o || !['postgres', 'postgresql', 'mysql'].includes(o.scheme)) return undefined;
  return o.key.replace(/^postgres:/, 'postgresql:');
}
/** Mirrors server/src/rules/weak-secret.ts: placeholder, the app's own template value, < 32 characters, < 128 bits. */
const PLACEHOLDERS = [/^change[-_ .]?(me|it|this)/i, /^replace[-_ .]?(me|with|this)/i, /^your[-_ .]/i, /^<[^>]*>$/,
  /^(secret|changeme|password|passw0rd|default|example|test|dev|development|supersecret|super[-_]secret|mysecret|my[-_]secret|keyboard cat|s3cr3t|todo|xxx+|null|undefined|none|123456\d*|qwerty)$/i,
  /^(generate|insert|put|enter|add)[-_ ]/i, /(^|[-_ ])(placeholder|here)$/i];
function isWeakSecret(value, templateValues) {
  if (PLACEHOLDERS.some((re) => re.test(value.trim())) || templateValues.includes(value)) return true;
  const len = [...value].length;
  if (len < 32) return true;
  let alphabet;
  if (/^[0-9]+$/.test(value)) alphabet = 10;
  else if (/^[0-9a-f]+$/.test(value) || /^[0-9A-F]+$/.test(value)) alphabet = 16;
  else alphabet = (/[a-z]/.test(value) ? 26 : 0) + (/[A-Z]/.test(value) ? 26 : 0) + (/[0-9]/.test(value) ? 10 : 0) + (/[^a-zA-Z0-9]/.test(value) ? 33 : 0);
  return len * Math.log2(alphabet) < 128;
}
const isSecretValue = (v) => v.trim().length > 0 && !/^[a-z][a-z0-9+.-]*:\/\//i.test(v.trim()) && !/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v.trim());

const isNodeIdKey = (key) => /(^|_)NODE_(ID|NAME)$/.test(key.toUpperCase()) || /(^|_)(INSTANCE|PEER)_ID$/.test(key.toUpperCase());

const hasLimit = (url) => url.includes('?') && new URLSearchParams(url.slice(url.indexOf('?') + 1)).has('connection_limit');

/**
 * Applies each rule's semantics to the recorded model. `apps` are the model records (one per app folder).
 * Rule semantics (see server/src/rules/*.ts and docs/rules/*.md):
 * - duplicate-secret: secrets in live env files grouped by value; a value held by >= 2 identities (package names)
 *   yields one finding per occurrence.
 * - port-collision: running listeners grouped by port; a listener with a listener of another identity that runs with it
 *   (runsAndSystems) is reported when one of them does not move to another port (error), or, when one moves, when a
 *   URL site of its system names the port (warning); one finding per distinct source of a port.
 * - implicit-port: a running listener on a framework default that moves when the port is taken, not reported by
 *   port-collision, in a run set or in a system of >= 2 identities, whose port a URL site of another identity of its
 *   system names.
 * - ineffective-port: a PORT= line in a live env file no PORT-reading listener loads, whose value is not a real port.
 * - missing-connection-limit: an error per in-block connection_limit property; a warning per datasource without
 *   connection_limit whose server another identity also uses (datasource or DATABASE_URL-like env entry).
 * - inconsistent-service-url: sites grouped by key (workspace-wide for named services) and environment, development
 *   sites on a public domain left out; in a group with >= 2 origins, every site outside the strict majority origin (all sites when there is none).
 */
function expectedFindings(apps) {
  const out = Object.fromEntries(RULE_IDS.map((r) => [r, 0]));
  // duplicate-secret
  const byValue = new Map();
  for (const a of apps) for (const f of a.env) if (f.live) for (const [k, v] of f.entries) {
    if (!isSecretKey(k) || !v.trim() || /^[a-z][a-z0-9+.-]*:\/\//i.test(v)) continue;
    if (!byValue.has(v)) byValue.set(v, []);
    byValue.get(v).push(a.identity);
  }
  for (const ids of byValue.values()) if (new Set(ids).size >= 2) out['duplicate-secret'] += ids.length;
  // weak-secret: one finding per weak live secret site.
  for (const a of apps) for (const f of a.env) if (f.live) for (const [k, v] of f.entries) {
    if (!isSecretKey(k) || !isSecretValue(v)) continue;
    const templ = a.env.filter((t) => !t.live).flatMap((t) => t.entries.filter(([tk, tv]) => tk === k && tv.trim()).map(([, tv]) => tv));
    if (isWeakSecret(v, templ)) out['weak-secret']++;
  }
  // duplicate-node-id: replica groups (apps of one identity); per node-id key, the value each member resolves
  // (development precedence); every member of a value held by >= 2 members.
  const groupsById = new Map();
  for (const a of apps) {
    if (!groupsById.has(a.identity)) groupsById.set(a.identity, []);
    groupsById.get(a.identity).push(a);
  }
  const replicaGroups = [...groupsById.values()].filter((g) => g.length > 1);
  for (const g of replicaGroups) {
    const keys = new Set();
    for (const a of g) for (const f of a.env) if (f.live) for (const [k] of f.entries) if (isNodeIdKey(k)) keys.add(k);
    for (const k of keys) {
      const count = new Map();
      for (const a of g) {
        const v = (devValue(a, k) ?? '').trim();
        if (v) count.set(v, (count.get(v) ?? 0) + 1);
      }
      for (const c of count.values()) if (c >= 2) out['duplicate-node-id'] += c;
    }
  }
  // replica-drift: per replica group and shared value (the whole NEXTAUTH_SECRET / AUTH_SECRET / SYNC_REGISTRATION_KEY /
  // SYNC_SERVICE_PORT, DATABASE_URL's database name and non-local server), the value each member resolves; with >= 2
  // values, every member outside the strict majority value (all of them when there is none).
  const urlPart = (v) => /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(\/[^?#]*)?(.*)$/is.exec(v.trim());
  const isDbScheme = (m) => /^(postgres(ql)?|mysql|cockroachdb|mongodb(\+srv)?|sqlserver):\/\/$/i.test(m[1]);
  const DRIFT = [
    ['NEXTAUTH_SECRET', (v) => (v.trim() ? v : undefined)], ['AUTH_SECRET', (v) => (v.trim() ? v : undefined)],
    ['SYNC_REGISTRATION_KEY', (v) => (v.trim() ? v : undefined)], ['SYNC_SERVICE_PORT', (v) => v.trim() || undefined],
    ['DATABASE_URL', (v) => { const m = urlPart(v); if (!m || !isDbScheme(m)) return undefined; return (m[3] ?? '').replace(/^\//, '') || undefined; }],
    ['DATABASE_URL', (v) => {
      const m = urlPart(v);
      if (!m || !isDbScheme(m)) return undefined;
      const hostport = m[2].slice(m[2].lastIndexOf('@') + 1);
      const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostport);
      const host = hp && hp[1].replace(/^\[|\]$/g, '');
      if (!host || LOCAL.has(host.toLowerCase())) return undefined;
      const scheme = m[1].slice(0, -3).toLowerCase();
      return `${host.toLowerCase()}:${hp[2] || { postgresql: '5432', postgres: '5432', mysql: '3306', cockroachdb: '26257', mongodb: '27017', 'mongodb+srv': '27017' }[scheme] || ''}`;
    }],
  ];
  for (const g of replicaGroups) for (const [key, project] of DRIFT) {
    const vals = [];
    for (const a of g) {
      const raw = devValue(a, key);
      const v = raw === undefined ? undefined : project(raw);
      if (v !== undefined) vals.push(v);
    }
    const count = new Map();
    for (const v of vals) count.set(v, (count.get(v) ?? 0) + 1);
    if (count.size < 2) continue;
    const ranked = [...count.entries()].sort((x, y) => y[1] - x[1]);
    const majority = ranked[0][1] > ranked[1][1] ? ranked[0][0] : undefined;
    out['replica-drift'] += vals.filter((v) => v !== majority).length;
  }
  // shared-database: every app's database uses (its datasources' development URLs and every postgres/mysql URL of its
  // live env files, by environment), deduplicated per app; a (environment, server, database, schema) used by >= 2
  // identities yields one finding per use. A local host is the app's machine (a replica's own).
  const dbUses = new Map();
  for (const a of apps) {
    const mine = new Set();
    const add = (url, bucket) => {
      const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url.trim());
      const scheme = m && { postgresql: 'postgresql', postgres: 'postgresql', mysql: 'mysql' }[m[1].toLowerCase()];
      if (!scheme || url.includes('${')) return;
      let u;
      try { u = new URL(url.trim()); } catch { return; }
      const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
      if (!host) return;
      const server = `${scheme}://${LOCAL.has(host) ? `localhost@${a.machine ?? ''}` : host}:${u.port ? Number(u.port) : scheme === 'postgresql' ? 5432 : 3306}`;
      let database = decodeURIComponent(u.pathname.replace(/^\//, ''));
      if (!database && scheme === 'postgresql') database = decodeURIComponent(u.username) || 'postgres';
      const schema = scheme === 'postgresql' ? u.searchParams.get('schema') ?? 'public' : '';
      mine.add(`${bucket}\0${server}\0${database}\0${schema}`);
    };
    for (const d of a.datasources) { const url = d.envVar ? devValue(a, d.envVar) : d.literal; if (url) add(url, 'development'); }
    for (const f of a.env) if (f.live) for (const [, v] of f.entries) add(v, f.bucket);
    for (const k of mine) {
      if (!dbUses.has(k)) dbUses.set(k, []);
      dbUses.get(k).push(a.identity);
    }
  }
  for (const ids of dbUses.values()) if (new Set(ids).size >= 2) out['shared-database'] += ids.length;
  // compose-port-collision: host ports published by compose stacks. Each stack here is the infrastructure of the
  // Express app whose folder holds it (a Redis image), so two stacks on one port collide: one finding per pair of
  // services. (Apps' servers never listen on the 31000+ ports the stacks publish.)
  const pubsByPort = new Map();
  for (const a of apps) for (const c of a.compose ?? []) {
    if (!pubsByPort.has(c.port)) pubsByPort.set(c.port, []);
    pubsByPort.get(c.port).push({ ...c, identity: a.identity });
  }
  for (const pubs of pubsByPort.values()) {
    const stacks = new Set(pubs.map((p) => p.stack)).size;
    out['compose-port-collision'] += (stacks * (stacks - 1)) / 2;
  }
  // nextauth-url-mismatch: in a next-auth v4 app, every NEXTAUTH_URL of a live file naming a local host on a port none
  // of the listeners the file applies to uses (the generator writes local URLs only in default-mode files: all listeners).
  for (const a of apps) if (a.nextAuth && a.listeners.length) for (const f of a.env) if (f.live) for (const [k, v] of f.entries) {
    if (k !== 'NEXTAUTH_URL') continue;
    const m = /^(https?):\/\/([^/?#:]+)(?::(\d+))?/i.exec(v.trim());
    if (!m || !LOCAL.has(m[2].toLowerCase())) continue;
    if (f.name !== '.env' && f.name !== '.env.local') throw new Error(`model: local NEXTAUTH_URL in ${f.name}`);
    const port = m[3] ? Number(m[3]) : m[1].toLowerCase() === 'https' ? 443 : 80;
    if (!a.listeners.some((l) => l.port === port)) out['nextauth-url-mismatch']++;
  }
  // cluster-without-session-store: one finding per PM2 entry with several instances of an app whose sessions live in
  // process memory (every Express app: express-session without a store).
  for (const a of apps) if (a.memorySessions) for (const n of a.pm2Instances ?? []) if (n === 'max' || n === -1 || n > 1) out['cluster-without-session-store']++;
  // missing-secret: a Next.js app (src/lib/auth.ts reads process.env.NEXTAUTH_SECRET: one need) none of whose live env
  // files (Next.js loads them all) defines NEXTAUTH_SECRET. NestJS apps always define their JWT_SECRET.
  for (const a of apps) if (a.nextAuth && a.env.some((f) => f.live)) {
    if (!a.env.some((f) => f.live && f.entries.some(([k, v]) => k === 'NEXTAUTH_SECRET' && v.trim()))) out['missing-secret']++;
  }
  // dangling-service-url: every development-bucket service-URL site (env files, templates, code defaults) with a local
  // http(s) origin on a port no app listens on and no compose service publishes. (The generator's keys never name an
  // app without listeners, and replicas listen on the same ports as their sources.)
  const boundPorts = new Set();
  for (const a of apps) {
    for (const l of a.listeners) boundPorts.add(l.port);
    for (const c of a.compose ?? []) boundPorts.add(c.port);
  }
  for (const a of apps) {
    const sites = [];
    for (const f of a.env) if (f.bucket === 'development') for (const [k, v] of f.entries) if (isServiceUrlKey(k)) sites.push(v);
    for (const c of a.codeDefaults) if (isServiceUrlKey(c.key)) sites.push(c.value);
    for (const v of sites) {
      const o = origin(v.trim());
      if (!o || !['http', 'https', 'ws', 'wss'].includes(o.scheme) || !o.key.includes('://localhost:')) continue;
      if (!boundPorts.has(Number(o.key.split(':').pop()))) out['dangling-service-url']++;
    }
  }
  // cors-origin-mismatch: a Vite frontend's VITE_API_URL reaches the backend listening on that port (on this machine);
  // one finding per backend CORS setting (CORS_ORIGIN in its .env) and frontend dev-server origin it does not list.
  const corsMissing = new Set();
  for (const fe of apps) if (fe.devOrigin) for (const b of apps) {
    if (!b.corsOrigins || b.machine || !b.listeners.some((l) => l.port === fe.apiPort)) continue;
    if (!b.corsOrigins.includes(fe.devOrigin)) corsMissing.add(`${b.identity}|${fe.devOrigin}`);
  }
  out['cors-origin-mismatch'] += corsMissing.size;
  // shared-session-cookie: session cookie names by host (Express apps: express-session's name on localhost; every
  // Next.js app's NextAuth cookie name is its own); a (host, name) of >= 2 identities yields one finding per app.
  const cookieGroups = new Map();
  for (const a of apps) for (const c of a.cookieSites ?? []) {
    const k = `${c.host}\0${c.name}`;
    if (!cookieGroups.has(k)) cookieGroups.set(k, []);
    cookieGroups.get(k).push(a.identity);
  }
  for (const ids of cookieGroups.values()) if (new Set(ids).size >= 2) out['shared-session-cookie'] += ids.length;
  // cookie-options: one finding per session cookie written with httpOnly: false (every other option the generator writes
  // is valid: sameSite lax, the library's path, secure only with NODE_ENV=production on localhost or https URLs).
  for (const a of apps) out['cookie-options'] += a.httpOnlyFalse ?? 0;
  // port-collision, implicit-port (over what runs and what runs together: see runsAndSystems)
  const { running, together, component, namesOf } = runsAndSystems(apps);
  const byPort = new Map();
  for (const a of apps) for (const l of a.listeners) {
    if (!running.has(l)) continue;
    if (!byPort.has(l.port)) byPort.set(l.port, []);
    byPort.get(l.port).push({ a, l });
  }
  const reported = new Set();
  for (const [port, entries] of byPort) {
    if (new Set(entries.map((e) => e.a.identity)).size < 2) continue;
    const seen = new Set();
    for (const e of entries) {
      const partners = entries.filter((o) => o.a.identity !== e.a.identity && together(e.a, e.l, o.a, o.l));
      if (!partners.length) continue;
      const hard = partners.filter((o) => !e.l.drifts && !o.l.drifts);
      if (!hard.length && !namesOf(port, e.a).length) continue;
      if (seen.has(e.l.source)) continue;
      seen.add(e.l.source);
      reported.add(e.l);
      out['port-collision']++;
    }
  }
  const systemSize = new Map();
  for (const id of new Set(apps.map((a) => a.identity))) systemSize.set(component(id), (systemSize.get(component(id)) ?? 0) + 1);
  for (const a of apps) for (const l of a.listeners) {
    if (l.explicit || !l.drifts || reported.has(l) || !running.has(l)) continue;
    if (!running.inSet.has(l) && systemSize.get(component(a.identity)) < 2) continue;
    if (namesOf(l.port, a, a).length) out['implicit-port']++;
  }
  // ineffective-port
  for (const a of apps) {
    if (a.listeners.length === 0) continue;
    const real = new Set(a.listeners.map((l) => l.port));
    for (const f of a.env) {
      if (!f.live || a.loadsEnv.includes(f.name)) continue;
      for (const [k, v] of f.entries) if (k === 'PORT' && /^\d+$/.test(v) && !real.has(Number(v))) out['ineffective-port']++;
    }
  }
  // missing-connection-limit
  const users = new Map();
  const dsOf = (a) => a.datasources.map((d) => {
    const url = d.envVar ? devValue(a, d.envVar) : d.literal;
    return { ...d, url, server: url && dbServer(url) };
  });
  for (const a of apps) {
    for (const d of dsOf(a)) if (d.server) addTo(users, d.server, a.identity);
    for (const f of a.env) if (f.live && f.dev) for (const [, v] of f.entries) { const s = dbServer(v); if (s) addTo(users, s, a.identity); }
  }
  for (const a of apps) for (const d of dsOf(a)) {
    if (d.inBlock) out['missing-connection-limit']++;
    if (!d.server || hasLimit(d.url)) continue;
    if ([...users.get(d.server)].some((id) => id !== a.identity)) out['missing-connection-limit']++;
  }
  // connection-budget: per PostgreSQL server (a local host is the app's machine), the sum over apps of Prisma pool size
  // (connection_limit, else 2 x 4 cores + 1) x processes (PM2 instances, "max" = 4 cores, else 1); a server over
  // 100 - 3 reserved yields one finding per app using it (one datasource URL line each).
  const budget = new Map();
  for (const a of apps) for (const d of dsOf(a)) {
    if (!d.server || !d.server.startsWith('postgresql:')) continue;
    const server = d.server.includes('://localhost:') ? `${d.server}@${a.machine ?? ''}` : d.server;
    const q = d.url.indexOf('?');
    const lim = q === -1 ? null : new URLSearchParams(d.url.slice(q + 1)).get('connection_limit');
    const size = lim !== null && /^\d+$/.test(lim) ? Number(lim) : 9;
    const procs = (a.pm2Instances ?? []).length ? a.pm2Instances.reduce((n, x) => n + (x === 'max' ? 4 : x === -1 ? 3 : x), 0) : 1;
    if (!budget.has(server)) budget.set(server, new Map());
    const m = budget.get(server);
    m.set(a, (m.get(a) ?? 0) + size * procs);
  }
  for (const m of budget.values()) if ([...m.values()].reduce((x, y) => x + y, 0) > 97) out['connection-budget'] += m.size;
  // inconsistent-service-url
  const groups = new Map();
  for (const a of apps) {
    const sites = [];
    for (const f of a.env) for (const [k, v] of f.entries) if (isServiceUrlKey(k)) sites.push({ k, v, bucket: f.bucket });
    for (const c of a.codeDefaults) if (isServiceUrlKey(c.key)) sites.push({ k: c.key, v: c.value, bucket: 'development' });
    for (const s of sites) {
      const o = origin(s.v.trim());
      if (!o) continue;
      // a public domain among development values is the production default, not a competing development value
      if (s.bucket === 'development' && isPublicHost(new URL(s.v.trim()).hostname.toLowerCase())) continue;
      const g = `${serviceGroup(s.k, a.identity)}\0${s.bucket}`;
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(o.key);
    }
  }
  for (const origins of groups.values()) {
    const counts = new Map();
    for (const o of origins) counts.set(o, (counts.get(o) ?? 0) + 1);
    if (counts.size < 2) continue;
    const sorted = [...counts.values()].sort((x, y) => y - x);
    out['inconsistent-service-url'] += sorted[0] > sorted[1] ? origins.length - sorted[0] : origins.length;
  }
  return out;
}

/**
 * What runs and what runs together (server/src/index/runs.ts, server/src/rules/systems.ts), over the model:
 * - A listener runs when its app has no package.json (a Python service), when its script is one of the app's entry
 *   scripts, or when a root script (`turbo run <task>`) runs it. Each root script's processes form a run set when they
 *   belong to >= 2 app folders; processes of one run set run together for certain.
 * - Apps (by identity) are linked into systems by: a URL (http/ws, local host, with a port; env files, templates and
 *   code defaults; comma-separated lists split) naming a port another app's running listener uses (the nearest such
 *   app in the folder tree, when exactly one is nearest; not a port of the app itself), a local database server in live
 *   env files, a live secret value, a run set. Live links (URLs of live env files, databases, secrets) also make the
 *   live systems.
 * - Two running processes of different identities run together when a run set has both; otherwise when their roles
 *   meet (never a preview or storybook; the same role, or one is a plain server) and their apps are of one system:
 *   any system when one of them is a dev server, a live system otherwise.
 * - The names of a port near an app: URL sites of apps of its system naming that port.
 */
const ENTRY_SCRIPTS = /^(dev|develop|start|serve|start:dev|start:prod|dev:all|prod)$/;
const ROOT_TASKS = Object.values(ROOT_SCRIPTS).map((c) => /^turbo run (\S+)$/.exec(c)[1]);
function runsAndSystems(apps) {
  const running = new Set();
  running.inSet = new Set();
  const setsOf = new Map();
  for (const a of apps) for (const l of a.listeners) if (!a.pkg || ENTRY_SCRIPTS.test(l.script) || ROOT_TASKS.includes(l.script)) running.add(l);
  ROOT_TASKS.forEach((task, i) => {
    const members = apps.filter((a) => a.pkg && a.listeners.some((l) => l.script === task));
    if (members.length < 2) return;
    for (const a of members) for (const l of a.listeners) if (l.script === task) {
      running.inSet.add(l);
      if (!setsOf.has(l)) setsOf.set(l, new Set());
      setsOf.get(l).add(i);
    }
  });
  const makeUf = () => {
    const parent = new Map();
    const find = (x) => {
      let r = x;
      while (parent.has(r) && parent.get(r) !== r) r = parent.get(r);
      parent.set(x, r);
      return r;
    };
    return { find, join: (x, y) => { const rx = find(x); const ry = find(y); if (rx !== ry) parent.set(rx, ry); } };
  };
  const all = makeUf();
  const live = makeUf();
  const link = (x, y, isLive) => {
    if (x === y) return;
    all.join(x, y);
    if (isLive) live.join(x, y);
  };
  // 1. URLs naming another app's port.
  const listening = new Map();
  for (const a of apps) for (const l of a.listeners) if (running.has(l)) addTo(listening, l.port, a);
  const names = new Map();
  const depth = (x, y) => {
    const p = x.split('/');
    const q = y.split('/');
    let i = 0;
    while (i < p.length && i < q.length && p[i] === q[i]) i++;
    return i;
  };
  for (const a of apps) {
    const sites = [];
    for (const f of a.env) for (const [, v] of f.entries) for (const x of v.includes(',') ? v.split(',').map((y) => y.trim()).filter(Boolean) : [v]) sites.push({ value: x, live: f.live });
    for (const c of a.codeDefaults) sites.push({ value: c.value, live: false });
    const own = new Set(a.listeners.map((l) => l.port));
    for (const s of sites) {
      const o = localPortOf(s.value);
      if (!o || !/^(https?|wss?)$/.test(o.scheme)) continue;
      if (!names.has(o.port)) names.set(o.port, []);
      names.get(o.port).push(a);
      if (own.has(o.port)) continue;
      const candidates = [...(listening.get(o.port) ?? [])].filter((b) => b.identity !== a.identity);
      const best = Math.max(...candidates.map((b) => depth(a.dir, b.dir)));
      const nearest = new Set(candidates.filter((b) => depth(a.dir, b.dir) === best).map((b) => b.identity));
      if (nearest.size === 1) link(a.identity, [...nearest][0], s.live);
    }
  }
  // 2. A local database server in live env files (a replica's localhost is its own machine).
  const byServer = new Map();
  for (const a of apps) for (const f of a.env) if (f.live) for (const [, v] of f.entries) {
    const m = /^(postgres(?:ql)?|mysql):\/\//i.exec(v.trim());
    if (!m || v.includes('${')) continue;
    let u;
    try { u = new URL(v.trim()); } catch { continue; }
    const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (!LOCAL.has(host) && !host.endsWith('.localhost')) continue;
    const scheme = m[1].toLowerCase() === 'mysql' ? 'mysql' : 'postgresql';
    const server = `${scheme}://localhost@${a.machine ?? ''}:${u.port ? Number(u.port) : scheme === 'mysql' ? 3306 : 5432}`;
    if (byServer.has(server)) link(a.identity, byServer.get(server), true);
    else byServer.set(server, a.identity);
  }
  // 3. A live secret value shared.
  const bySecret = new Map();
  for (const a of apps) for (const f of a.env) if (f.live) for (const [k, v] of f.entries) {
    if (!isSecretKey(k) || !isSecretValue(v)) continue;
    if (bySecret.has(v)) link(a.identity, bySecret.get(v), true);
    else bySecret.set(v, a.identity);
  }
  // 4. Run sets.
  for (const task of ROOT_TASKS) {
    const members = apps.filter((a) => a.pkg && a.listeners.some((l) => l.script === task && running.inSet.has(l)));
    for (const b of members.slice(1)) link(members[0].identity, b.identity, false);
  }
  const component = (id) => all.find(id);
  const liveComponent = (id) => live.find(id);
  const rolesMeet = (x, y) => !['preview', 'storybook'].includes(x.role) && !['preview', 'storybook'].includes(y.role) && (x.role === y.role || x.role === 'server' || y.role === 'server');
  const together = (a, la, b, lb) => {
    if (!running.has(la) || !running.has(lb)) return false;
    const sb = setsOf.get(lb) ?? new Set();
    if ([...(setsOf.get(la) ?? [])].some((i) => sb.has(i))) return true;
    if (!rolesMeet(la, lb)) return false;
    const comp = la.role === 'dev' || lb.role === 'dev' ? component : liveComponent;
    return comp(a.identity) === comp(b.identity);
  };
  const namesOf = (port, near, except) => (names.get(port) ?? []).filter((n) => component(n.identity) === component(near.identity) && (!except || n.identity !== except.identity));
  return { running, together, component, namesOf };
}

/** The scheme and port of a URL on a local host (like originOf: the scheme's default port when none is written). */
function localPortOf(value) {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || value.includes('${')) return undefined;
  let u;
  try {
    u = new URL(value);
  } catch {
    return undefined;
  }
  const scheme = u.protocol.slice(0, -1).toLowerCase();
  const host = u.hostname.toLowerCase();
  if (!LOCAL.has(host) && !host.endsWith('.localhost')) return undefined;
  const port = u.port ? Number(u.port) : { http: 80, https: 443, ws: 80, wss: 443 }[scheme] ?? 0;
  return port ? { scheme, port } : undefined;
}

function addTo(map, key, v) {
  if (!map.has(key)) map.set(key, new Set());
  map.get(key).add(v);
}

/** The development value of a key: Next.js precedence over the app's default/development live env files. */
function devValue(app, key) {
  const order = ['.env.development.local', '.env.local', '.env.development', '.env'];
  for (const name of order) {
    const f = app.env.find((e) => e.name === name);
    const hit = f && [...f.entries].reverse().find(([k]) => k === key);
    if (hit) return hit[1];
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------------
// the generator

function classify(name) {
  if (/\.(example|sample|template)$/.test(name)) return { live: false, dev: false, bucket: 'development' };
  const mode = name === '.env' || name === '.env.local' ? 'default' : name.replace(/^\.env\./, '').replace(/\.local$/, '');
  return { live: true, dev: mode === 'default' || mode === 'development', bucket: mode === 'default' || mode === 'development' ? 'development' : mode };
}

class Workspace {
  constructor(dir, seed) {
    this.dir = dir;
    this.rand = mulberry32(seed);
    this.files = 0;
    this.decoyFiles = 0;
    this.bytes = 0;
    this.apps = [];
  }

  pick(list) {
    return list[Math.floor(this.rand() * list.length)];
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

  /** Writes an env file and records its entries in the app's model. entries: [key, value, quote?] or '# comment' or ''. */
  env(app, name, lines) {
    const entries = [];
    const text = lines.map((l) => {
      if (typeof l === 'string') return l;
      const [k, v, q] = l;
      entries.push([k, v]);
      return q ? `${k}="${v}"` : `${k}=${v}`;
    }).join('\n') + '\n';
    this.write(`${app.dir}/${name}`, text);
    app.model.env.push({ name, entries, ...classify(name) });
  }
}

function pkgJson(name, version, scripts, deps, devDeps, extra = {}) {
  return JSON.stringify({ name, version, private: true, ...extra, scripts, dependencies: deps, devDependencies: devDeps }, null, 2) + '\n';
}

/** Builds the app specs, assigns the planted conflicts, and writes everything. */
function generate({ dir, n, seed = 20240601 }) {
  if (!(n >= 20)) throw new Error(`generate: n must be >= 20 (got ${n})`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const ws = new Workspace(dir, seed);
  const units = Math.max(1, Math.floor(n / 50));

  // ---- specs
  const specs = [];
  for (let i = 0; i < n; i++) {
    const kind = KIND_PATTERN[i % KIND_PATTERN.length];
    const name = `${AREAS[i % AREAS.length]}-${SUFFIX[kind][Math.floor(i / AREAS.length) % SUFFIX[kind].length]}-${i}`;
    const folder = kind === 'next' || kind === 'vite' ? 'apps' : 'services';
    specs.push({
      i, kind, name, dir: `${folder}/${name}`, pkgName: `@acme/${name}`,
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
      extraUrls: [], // [key, value] added to .env
      plants: [],
    });
  }
  const used = { any: new Set(), port: new Set(), db: new Set(), secret: new Set(), compose: new Set(), nextauth: new Set(), pm2: new Set(), dangling: new Set(), cookie: new Set(), cookieOptions: new Set() };
  const take = (kinds, cat, pred = () => true) => {
    const s = specs.find((x) => kinds.includes(x.kind) && !used.any.has(x.i) && !used[cat].has(x.i) && pred(x));
    if (!s) throw new Error(`generate: not enough ${kinds.join('/')} apps for the ${cat} plants at n=${n}`);
    used[cat].add(s.i);
    return s;
  };
  const reserve = (s) => used.any.add(s.i);

  // The service every AUTH_SERVICE_URL names: a NestJS app that really listens on 8001 (so no URL dangles).
  const authSvc = specs.find((s) => s.kind === 'nest');
  Object.assign(authSvc, { name: 'auth-service', dir: 'services/auth-service', pkgName: '@acme/auth-service', port: 8001, authService: false });
  reserve(authSvc);
  // The incremental benchmark edits this app's .env: two Express apps nothing else touches.
  const editTarget = specs.find((s) => s.kind === 'express');
  reserve(editTarget);
  const editOther = specs.find((s) => s.kind === 'express' && !used.any.has(s.i));
  reserve(editOther);
  // Replicas (same package name, same secrets, ports and database): never reported against each other.
  const replicaSources = [];
  for (let k = 0; k < Math.max(1, Math.floor(units / 2)); k++) {
    const s = specs.find((x) => x.kind === (k % 2 ? 'nest' : 'next') && !used.any.has(x.i));
    s.prisma = true;
    s.dbLimit = false;
    s.authService = false; // a replica runs on another machine: its localhost is not this one's
    // duplicate-node-id: every other replica pair shares one SYNC_NODE_ID (the others have distinct ids).
    s.nodeId = k % 2 === 0 ? [`sync-node-${k}`, `sync-node-${k}`] : [`sync-node-${k}-a`, `sync-node-${k}-b`];
    if (k % 2 === 0) s.plants.push('duplicate-node-id');
    // replica-drift: the Next.js replicas (k = 0, 2, ...) get a NEXTAUTH_SECRET of their own (strong, unique).
    if (k % 2 === 0) {
      s.driftSecret = ws.secret('base64');
      s.plants.push('replica-drift');
    }
    reserve(s);
    replicaSources.push(s);
  }

  // implicit-port: per unit, a Vite frontend with bare `vite` / `vite preview` and its own NestJS backend, a system of
  // their own: the frontend's `start` script runs it (the root's `turbo run dev` does not), its VITE_API_URL names the
  // backend's port, and the backend's CORS_ORIGIN names the frontend's default ports. Nothing else links the two to
  // other apps: the frontend is reserved, and the backend gets no shared secret, no planted port and no local URL (it
  // may still carry plants on database servers of other hosts), so the frontends never run together on 5173.
  const standalone = [];
  for (let u = 0; u < units; u++) {
    const fe = specs.find((x) => x.kind === 'vite' && !used.any.has(x.i));
    const be = specs.find((x) => x.kind === 'nest' && !used.any.has(x.i) && !used.secret.has(x.i) && !used.port.has(x.i));
    if (!fe || !be) throw new Error(`generate: not enough vite/nest apps for the implicit-port plants at n=${n}`);
    Object.assign(fe, { implicit: true, standalone: true, backend: be });
    be.authService = false;
    fe.plants.push('implicit-port');
    reserve(fe);
    for (const cat of ['secret', 'port', 'dangling']) used[cat].add(be.i);
    standalone.push(fe);
  }

  for (let u = 0; u < units; u++) {
    // duplicate-secret: a pair, every third unit a trio, of different apps with one secret value.
    const holders = [take(['next', 'nest', 'express', 'python'], 'secret'), take(['next', 'nest', 'express', 'python'], 'secret')];
    if (u % 3 === 2) holders.push(take(['next', 'nest', 'express', 'python'], 'secret'));
    for (const h of holders.slice(1)) {
      h.secret = holders[0].secret;
      h.plants.push('duplicate-secret');
    }
    holders[0].plants.push('duplicate-secret');

    // weak-secret: a too-short SESSION_SECRET (unique per unit, so no duplicate-secret) in an Express app's .env.
    const weak = take(['express'], 'secret');
    weak.secret = `express-session-dev-${u}`;
    weak.plants.push('weak-secret');

    // port-collision on an explicit port.
    const planted = 40000 + u;
    if (u % 2 === 0) {
      const a = take(['next'], 'port', (x) => !x.portLine);
      const b = take(['express'], 'port');
      a.port = planted;
      b.port = planted;
      a.plants.push('port-collision');
      b.plants.push('port-collision');
    } else {
      // two NestJS apps with a `dev` script (`nest start --watch`), so the root's `turbo run dev` starts both.
      const a = take(['nest'], 'port');
      const b = take(['nest'], 'port');
      a.port = planted;
      b.port = planted;
      a.devScript = true;
      b.devScript = true;
      a.plants.push('port-collision');
      b.plants.push('port-collision');
    }

    // port-collision (warnings): a Vite dev server on an explicit port without --strictPort and an Express app on that
    // port, both started by the root's `turbo run dev`: Vite moves to the next free port, but the CORS_ORIGIN of the
    // backend the Vite app calls names the port (both reported, as warnings).
    const dv = take(['vite'], 'port');
    const de = take(['express'], 'port');
    dv.port = 41000 + 2 * u;
    de.port = dv.port;
    dv.noStrictPort = true;
    dv.plants.push('port-collision(drift)');
    de.plants.push('port-collision(drift)');

    // implicit-port: one Next.js app with bare `next dev`/`next start` in the root's `turbo run dev` (one only: two
    // would be a port-collision on 3000); the auth service's CORS_ORIGIN names its default origin (see below).
    if (u === 0) {
      const nx = take(['next'], 'port', (x) => !x.portLine);
      nx.implicit = true;
      nx.plants.push('implicit-port');
    }

    // ineffective-port: PORT= in .env that the Next.js CLI / Vite never reads.
    const ie = take([u % 2 ? 'vite' : 'next'], 'port', (x) => !x.portLine);
    ie.ineffectivePort = ie.port + 1000 + u;
    ie.plants.push('ineffective-port');

    // missing-connection-limit: three apps' datasources on one server (every other unit one has connection_limit).
    const host = `pg-shared-${u}.db.internal`;
    for (let k = 0; k < 3; k++) {
      const a = take(['next', 'nest', 'express'], 'db');
      a.prisma = true;
      a.db = { host, port: 5432 };
      a.dbLimit = u % 2 === 1 && k === 0;
      a.plants.push('missing-connection-limit(shared)');
    }
    // a Prisma app and a Python service's DATABASE_URL on one server.
    const pa = take(['next', 'nest', 'express'], 'db');
    const py = take(['python'], 'db');
    pa.prisma = true;
    pa.dbLimit = false;
    pa.db = { host: `pg-analytics-${u}.db.internal`, port: 5432 };
    py.db = pa.db;
    pa.plants.push('missing-connection-limit(env-sharer)');
    py.plants.push('missing-connection-limit(env-sharer)');
    // `connection_limit = 10` inside the datasource block (own server: only the error).
    const ib = take(['next', 'nest'], 'db');
    ib.prisma = true;
    ib.inBlock = true;
    ib.plants.push('missing-connection-limit(in-block)');

    // shared-database: two Prisma apps (with connection_limit: no missing-connection-limit) on one database of one server.
    for (const k of [0, 1]) {
      const a = take(['nest', 'express'], 'db');
      a.prisma = true;
      a.dbLimit = true;
      a.db = { host: `pg-orders-${u}.db.internal`, port: 5432 };
      a.dbName = `orders_${u}`;
      a.plants.push('shared-database');
    }

    // compose-port-collision: two Express apps' compose stacks publishing one Redis host port.
    for (const k of [0, 1]) {
      const a = take(['express'], 'compose');
      a.composePort = 31000 + u;
      a.plants.push('compose-port-collision');
    }

    // nextauth-url-mismatch: a Next.js app whose NEXTAUTH_URL (.env, and .env.local when it has one) names port + 2.
    const na = take(['next'], 'nextauth', (x) => !x.portLine);
    na.authUrlPort = na.port + 2;
    na.plants.push('nextauth-url-mismatch');

    // cluster-without-session-store: an Express app without Prisma (no connection pool to multiply) run by PM2 in
    // cluster mode, every other unit with instances: "max".
    const cl = take(['express'], 'pm2', (x) => !x.prisma && !used.db.has(x.i));
    cl.pm2Instances = u % 2 ? 'max' : 4;
    used.db.add(cl.i); // and no later database plant
    cl.plants.push('cluster-without-session-store');

    // missing-secret: a Next.js app (no .env.production) whose .env and .env.local lack NEXTAUTH_SECRET.
    const ms = take(['next'], 'secret', (x) => !x.envProd);
    ms.noSecret = true;
    ms.plants.push('missing-secret');

    // dangling-service-url: a backend's .env names a local ARCHIVE<u>_SERVICE_URL port nothing listens on (a key of its
    // own: one origin, so no inconsistent-service-url; its word names no app).
    const dg = take(['nest', 'express', 'python'], 'dangling');
    dg.extraUrls.push([`ARCHIVE${u}_SERVICE_URL`, `http://localhost:${29000 + u}`]);
    dg.plants.push('dangling-service-url');

    // shared-session-cookie: two Express apps whose express-session cookie has one name.
    for (const k of [0, 1]) {
      const a = take(['express'], 'cookie');
      a.cookieName = `acme-${u}.sid`;
      a.plants.push('shared-session-cookie');
    }

    // cookie-options: an Express app whose express-session cookie has httpOnly: false.
    const co = take(['express'], 'cookieOptions');
    co.httpOnlyFalse = true;
    co.plants.push('cookie-options');

    // connection-budget: two Prisma apps with connection_limit=60 each on one server (120 > 100 - 3).
    for (const k of [0, 1]) {
      const a = take(['next', 'nest', 'express'], 'db');
      a.prisma = true;
      a.dbLimit = true;
      a.connLimit = 60;
      a.db = { host: `pg-budget-${u}.db.internal`, port: 5432 };
      a.plants.push('connection-budget');
    }

    // inconsistent-service-url: 3 vs 1, and a 1 vs 1 tie (keys unique to the plant); a Python .env vs its defaults.
    const svc = `${SERVICES[u % SERVICES.length]}${u >= SERVICES.length ? `_${Math.floor(u / SERVICES.length)}` : ''}`;
    const notUsed = specs.filter((x) => !used.any.has(x.i));
    const picked = new Set();
    const pickAt = (k) => {
      let j = (u * 7 + k * 13) % notUsed.length;
      while (picked.has(j)) j = (j + 1) % notUsed.length;
      picked.add(j);
      return notUsed[j];
    };
    const maj = `${svc}_SERVICE_URL`;
    const svcHost = `${svc.toLowerCase().replace(/_/g, '-')}.internal`;
    for (let k = 0; k < 4; k++) pickAt(k).extraUrls.push([maj, k === 3 ? `http://${svcHost}:8081` : `http://${svcHost}:8080`, k === 3]);
    const tie = `${svc}_API_URL`;
    pickAt(4).extraUrls.push([tie, `https://${svcHost}:9443/v1`, true]);
    pickAt(5).extraUrls.push([tie, `https://${svcHost}:9444/v1`, true]);
    const pyu = specs.find((x) => x.kind === 'python' && !used.any.has(x.i) && !x.urlDrift);
    if (pyu) {
      const cb = `${svc.toLowerCase().replace(/_/g, '-')}-callbacks.internal`;
      pyu.urlDrift = { key: `${svc}_CALLBACK_SERVICE_URL`, env: `http://${cb}:${9100 + u}`, def: `http://${cb}:${9200 + u}` };
      pyu.plants.push('inconsistent-service-url(python)');
    }
  }

  // Every frontend's API URL names a real backend, and that backend's CORS origins list every frontend that
  // calls it (dev and preview origins), so nothing dangles and no CORS origin is missing.
  const portUsers = new Map();
  for (const x of specs) portUsers.set(x.port, (portUsers.get(x.port) ?? 0) + 1);
  const standaloneBackends = new Set(standalone.map((fe) => fe.backend));
  const backends = specs.filter((x) => (x.kind === 'nest' || x.kind === 'express') && x !== editTarget && x !== editOther && x !== authSvc && !standaloneBackends.has(x) && portUsers.get(x.port) === 1);
  const frontends = specs.filter((x) => x.kind === 'vite' && !x.standalone);
  const origins = (fe) => (fe.implicit ? [5173, 4173] : [fe.port, fe.port + 1]).map((p) => `http://localhost:${p}`);
  for (const b of specs) b.corsOrigins = [];
  // cors-origin-mismatch: per unit, an explicit-port Vite app whose backend lists only its preview origin, not its dev one.
  const explicitFrontends = frontends.filter((fe) => !fe.implicit && !fe.noStrictPort);
  for (let u = 0; u < units; u++) {
    explicitFrontends[u * 3].corsPlant = true;
    explicitFrontends[u * 3].plants.push('cors-origin-mismatch');
  }
  for (const fe of frontends) {
    const b = backends[(fe.i * 7) % backends.length];
    fe.apiPort = b.port;
    b.corsOrigins.push(...origins(fe).slice(fe.corsPlant ? 1 : 0));
  }
  for (const fe of standalone) {
    fe.apiPort = fe.backend.port;
    fe.backend.corsOrigins.push(...origins(fe));
  }
  // (a backend nothing calls lists some frontend; never one on its own port)
  const fallback = frontends.filter((fe) => !fe.noStrictPort);
  for (const b of specs) if (b.corsOrigins.length === 0) b.corsOrigins.push(...origins(fallback[(b.i * 3) % fallback.length]));
  // The implicit Next.js app calls the auth service from the browser: its CORS_ORIGIN names http://localhost:3000.
  authSvc.corsOrigins.push('http://localhost:3000');

  // ---- write
  writeRoot(ws, n);
  for (const s of specs) writeApp(ws, s);
  for (const s of replicaSources) writeApp(ws, { ...s, dir: `replicas/${s.name}-eu`, replica: true, decoy: false, extraUrls: [], secret: s.driftSecret ?? s.secret });
  const libs = Math.max(1, Math.floor(n / 20));
  for (let k = 0; k < libs; k++) writeLibrary(ws, k);

  const expected = expectedFindings(ws.apps.map((a) => a.model));
  const editEnv = path.join(dir, editTarget.dir, '.env');
  return {
    dir,
    n,
    units,
    apps: ws.apps.length, // engine-visible app folders: the N apps, replicas and libraries
    files: ws.files,
    decoyFiles: ws.decoyFiles,
    bytes: ws.bytes,
    expected,
    plants: summarizePlants(specs),
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

function summarizePlants(specs) {
  const out = {};
  for (const s of specs) for (const p of s.plants) out[p] = (out[p] ?? 0) + 1;
  return out;
}

function writeRoot(ws, n) {
  ws.write('package.json', pkgJson('acme-platform', '0.0.0', ROOT_SCRIPTS,
    {}, { turbo: '^2.0.14', prettier: '^3.3.3' }, { workspaces: ['apps/*', 'services/*', 'packages/*'], packageManager: 'pnpm@9.6.0' }));
  ws.write('turbo.json', JSON.stringify({ $schema: 'https://turbo.build/schema.json', tasks: { build: { dependsOn: ['^build'], outputs: ['dist/**', '.next/**'] }, dev: { cache: false, persistent: true } } }, null, 2) + '\n');
  ws.write('README.md', `# acme-platform\n\n${n} apps and services. Run \`pnpm dev\` at the root.\n`);
  // Hoisted dependencies: decoys with listeners, env files and secrets that discovery must skip.
  ws.write('node_modules/next/package.json', JSON.stringify({ name: 'next', version: '14.2.5', bin: { next: './dist/bin/next' }, scripts: { dev: 'next dev', start: 'next start' } }, null, 2), true);
  ws.write('node_modules/next/dist/server/config.js', 'module.exports = { port: process.env.PORT || 3000 };\n', true);
  ws.write('node_modules/@nestjs/core/package.json', JSON.stringify({ name: '@nestjs/core', version: '10.4.1', scripts: { start: 'nest start' } }, null, 2), true);
  ws.write('node_modules/.pnpm/dotenv@16.4.5/node_modules/dotenv/.env', 'SESSION_SECRET=fixture-secret-for-dotenv-tests\nPORT=3000\n', true);
  ws.write('node_modules/.pnpm/dotenv@16.4.5/node_modules/dotenv/package.json', JSON.stringify({ name: 'dotenv', version: '16.4.5', scripts: { start: 'node server.js' } }), true);
}

function writeLibrary(ws, k) {
  const name = ['ui', 'utils', 'config', 'logger', 'auth-client', 'tsconfig', 'eslint-config', 'types'][k % 8] + (k >= 8 ? `-${Math.floor(k / 8)}` : '');
  const dir = `packages/${name}`;
  ws.write(`${dir}/package.json`, pkgJson(`@acme/${name}`, '0.0.0', { build: 'tsup src/index.ts --format cjs,esm --dts', lint: 'eslint src', test: 'vitest run', dev: 'tsup src/index.ts --watch' },
    { clsx: '^2.1.1' }, { tsup: '^8.2.4', typescript: '^5.5.4', vitest: '^2.0.5' }, { main: './dist/index.js', types: './dist/index.d.ts' }));
  ws.write(`${dir}/src/index.ts`, `export * from './format';\nexport * from './retry';\n`);
  ws.write(`${dir}/src/format.ts`, `export function formatMoney(cents: number, currency = 'USD'): string {\n  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);\n}\n`);
  ws.write(`${dir}/src/retry.ts`, `export async function retry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {\n  let last: unknown;\n  for (let i = 0; i < attempts; i++) {\n    try {\n      return await fn();\n    } catch (e) {\n      last = e;\n      await new Promise((r) => setTimeout(r, 2 ** i * 100));\n    }\n  }\n  throw last;\n}\n`);
  ws.write(`${dir}/dist/index.js`, `"use strict";module.exports={};\n`, true);
  ws.apps.push({ model: { identity: `@acme/${name}`, dir, pkg: true, env: [], listeners: [], datasources: [], codeDefaults: [], loadsEnv: [] } });
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
${s.kind === 'next' ? `
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
` : `
model Order {
  id        Int      @id @default(autoincrement())
  userId    String
  total     Decimal  @db.Decimal(12, 2)
  status    String   @default("pending")
  createdAt DateTime @default(now())
  user      User     @relation(fields: [userId], references: [id])

  @@index([userId, createdAt])
}
`}
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
  const model = { identity: s.pkgName, dir: s.dir, pkg: s.kind !== 'python', machine: s.replica ? s.dir : undefined, env: [], listeners: [], datasources: [], codeDefaults: [], loadsEnv: [] };
  const app = { dir: s.dir, model };
  ws.apps.push(app);
  ({ next: writeNext, vite: writeVite, nest: writeNest, express: writeExpress, python: writePython })[s.kind](ws, s, app);
  if (s.prisma) {
    ws.write(`${s.dir}/prisma/schema.prisma`, prismaSchema(s));
    model.datasources.push({ envVar: 'DATABASE_URL', inBlock: !!s.inBlock });
  }
}

const title = (s) => s.name.replace(/-\d+$/, '').split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join(' ');

function writeNext(ws, s, app) {
  const m = app.model;
  const p = s.implicit ? '' : ` -p ${s.port}`;
  const scripts = { dev: `next dev${p}`, build: s.prisma ? 'prisma generate && next build' : 'next build', start: `next start${p}`, lint: 'next lint', typecheck: 'tsc --noEmit' };
  if (s.prisma) Object.assign(scripts, { 'db:migrate': 'prisma migrate dev', 'db:studio': 'prisma studio' });
  const deps = { next: '14.2.5', react: '18.3.1', 'react-dom': '18.3.1', 'next-auth': '^4.24.7', zod: '^3.23.8', '@acme/ui': 'workspace:*' };
  const dev = { typescript: '^5.5.4', '@types/node': '^20.14.10', '@types/react': '^18.3.3', eslint: '^8.57.0', 'eslint-config-next': '14.2.5' };
  if (s.prisma) Object.assign(deps, { '@prisma/client': '^5.17.0', '@auth/prisma-adapter': '^2.4.1' }), Object.assign(dev, { prisma: '^5.17.0' });
  ws.write(`${s.dir}/package.json`, pkgJson(s.pkgName, '0.3.1', scripts, deps, dev));
  const port = s.implicit ? 3000 : s.port;
  // `next dev` moves to the next free port when its port is implicit; `next start` never moves.
  m.listeners.push({ port, source: `${s.dir}/package.json#dev`, explicit: !s.implicit, script: 'dev', role: 'dev', drifts: !!s.implicit });
  m.listeners.push({ port, source: `${s.dir}/package.json#start`, explicit: !s.implicit, script: 'start', role: 'start', drifts: false });

  // A replica is deployed on its own machine behind TLS (its Secure session cookie needs https).
  const url = s.replica ? `https://${s.name}.eu.acme.internal` : `http://localhost:${s.authUrlPort ?? port}`;
  m.nextAuth = true; // next-auth ^4 in its dependencies
  const lines = ['# Local development settings (not committed)', ['NODE_ENV', 'development'], ''];
  if (s.prisma) lines.push(['DATABASE_URL', dbUrl(s, s.name), true]);
  lines.push(['NEXTAUTH_URL', url], ...(s.noSecret ? [] : [['NEXTAUTH_SECRET', s.secret, true]]), ['NEXT_PUBLIC_APP_NAME', title(s), true]);
  if (s.portLine) lines.push(['PORT', String(s.port)]);
  if (s.nodeId) lines.push(['SYNC_NODE_ID', s.nodeId[s.replica ? 1 : 0]]);
  if (s.ineffectivePort) lines.push('# moved off the shared port', ['PORT', String(s.ineffectivePort)]);
  lines.push(['SENTRY_DSN', `https://${(s.i * 7919).toString(16)}@o4507.ingest.sentry.io/${1000 + s.i}`], ['REDIS_URL', `redis://cache-${s.i}.internal:6379`], ...urlLines(s));
  ws.env(app, '.env', lines);
  if (s.envLocal) ws.env(app, '.env.local', ['# machine-local overrides', ['NEXTAUTH_URL', url], ...(s.noSecret ? [] : [['NEXTAUTH_SECRET', s.secret, true]]), ['NEXT_TELEMETRY_DISABLED', '1']]);
  if (s.envProd) ws.env(app, '.env.production', [['NEXTAUTH_URL', `https://${s.name}.acme.example`], ['NEXTAUTH_SECRET', s.prodSecret, true]]);
  if (s.envExample) ws.env(app, '.env.example', ['# Copy to .env and fill in', ['DATABASE_URL', 'postgresql://user:password@localhost:5432/mydb', true], ['NEXTAUTH_URL', 'http://localhost:3000'], ['NEXTAUTH_SECRET', 'change-me-in-production', true], ...(s.authService ? [['AUTH_SERVICE_URL', 'http://127.0.0.1:8001']] : [])]);

  ws.write(`${s.dir}/next.config.mjs`, `/** @type {import('next').NextConfig} */\nconst nextConfig = {\n  reactStrictMode: true,\n  transpilePackages: ['@acme/ui'],\n  output: 'standalone',\n};\n\nexport default nextConfig;\n`);
  ws.write(`${s.dir}/src/lib/auth.ts`, `import type { NextAuthOptions } from 'next-auth';
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
`);
  if (s.prisma) ws.write(`${s.dir}/src/lib/db.ts`, `import { PrismaClient } from '@prisma/client';\n\nconst globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };\n\nexport const prisma = globalForPrisma.prisma ?? new PrismaClient({ log: process.env.NODE_ENV === 'development' ? ['query'] : [] });\n\nif (process.env.NODE_ENV !== 'production') globalForPrisma.prisma = prisma;\n`);
  ws.write(`${s.dir}/src/app/api/auth/[...nextauth]/route.ts`, `import NextAuth from 'next-auth';\nimport { authOptions } from '@/lib/auth';\n\nconst handler = NextAuth(authOptions);\nexport { handler as GET, handler as POST };\n`);
  ws.write(`${s.dir}/src/app/layout.tsx`, `import type { ReactNode } from 'react';\nimport './globals.css';\n\nexport const metadata = { title: '${title(s)}' };\n\nexport default function RootLayout({ children }: { children: ReactNode }) {\n  return (\n    <html lang="en">\n      <body>{children}</body>\n    </html>\n  );\n}\n`);
  ws.write(`${s.dir}/src/app/page.tsx`, `import { getServerSession } from 'next-auth';\nimport { authOptions } from '@/lib/auth';\nimport { Button } from '@acme/ui';\n\nexport default async function Home() {\n  const session = await getServerSession(authOptions);\n  return (\n    <main className="p-8">\n      <h1>${title(s)}</h1>\n      <p>{session ? \`Signed in as \${session.user?.email}\` : 'Not signed in'}</p>\n      <Button href="/login">Sign in</Button>\n    </main>\n  );\n}\n`);
  ws.write(`${s.dir}/src/components/DataTable.tsx`, dataTable());
  if (s.authService) {
    ws.write(`${s.dir}/src/lib/services.ts`, `export const AUTH_SERVICE_URL = process.env.AUTH_SERVICE_URL ?? 'http://localhost:8001';\n\nexport async function introspect(token: string) {\n  const res = await fetch(\`\${AUTH_SERVICE_URL}/introspect\`, { method: 'POST', headers: { authorization: \`Bearer \${token}\` } });\n  if (!res.ok) throw new Error(\`auth service: \${res.status}\`);\n  return res.json();\n}\n`);
    m.codeDefaults.push({ key: 'AUTH_SERVICE_URL', value: 'http://localhost:8001' });
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

function writeVite(ws, s, app) {
  const m = app.model;
  // A standalone frontend (with its own backend, outside the root's `turbo run dev`) is started by its `start` script.
  const devScript = s.standalone ? 'start' : 'dev';
  const scripts = s.implicit
    ? { [devScript]: 'vite', build: 'tsc -b && vite build', preview: 'vite preview', lint: 'eslint .', test: 'vitest run' }
    : { dev: `vite --port ${s.port}${s.noStrictPort ? '' : ' --strictPort'}`, build: 'tsc -b && vite build', preview: `vite preview --port ${s.port + 1} --strictPort`, lint: 'eslint .', test: 'vitest run' };
  ws.write(`${s.dir}/package.json`, pkgJson(s.pkgName, '0.1.0', scripts, { react: '^18.3.1', 'react-dom': '^18.3.1', '@tanstack/react-query': '^5.51.1', 'react-router-dom': '^6.25.1' },
    { vite: '^5.3.4', '@vitejs/plugin-react': '^4.3.1', typescript: '^5.5.4', vitest: '^2.0.5', eslint: '^9.7.0' }, { type: 'module' }));
  // Without --strictPort Vite moves to the next free port; `vite preview` is a preview (it runs only when something starts it).
  m.listeners.push({ port: s.implicit ? 5173 : s.port, source: `${s.dir}/package.json#${devScript}`, explicit: !s.implicit, script: devScript, role: 'dev', drifts: !!s.implicit || !!s.noStrictPort });
  m.listeners.push({ port: s.implicit ? 4173 : s.port + 1, source: `${s.dir}/package.json#preview`, explicit: !s.implicit, script: 'preview', role: 'preview', drifts: !!s.implicit });
  const backend = `http://localhost:${s.apiPort}`;
  m.apiPort = s.apiPort;
  m.devOrigin = `http://localhost:${s.implicit ? 5173 : s.port}`;
  const lines = [['VITE_API_URL', backend], ['VITE_SENTRY_DSN', `https://${(s.i * 104729).toString(16)}@o4507.ingest.sentry.io/${2000 + s.i}`], ['VITE_FEATURE_FLAGS', 'search,exports']];
  if (s.ineffectivePort) lines.push(['PORT', String(s.ineffectivePort)]);
  lines.push(...urlLines(s));
  ws.env(app, '.env', lines);
  if (s.envLocal) ws.env(app, '.env.local', [['VITE_API_URL', backend.replace('localhost', '127.0.0.1')]]);
  if (s.envExample) ws.env(app, '.env.example', [['VITE_API_URL', 'http://localhost:' + backend.split(':').pop()]]);
  ws.write(`${s.dir}/vite.config.ts`, `import { defineConfig } from 'vite';\nimport react from '@vitejs/plugin-react';\n\nexport default defineConfig({\n  plugins: [react()],\n  build: { outDir: 'dist', sourcemap: true },\n});\n`);
  ws.write(`${s.dir}/index.html`, `<!doctype html>\n<html><body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body></html>\n`);
  ws.write(`${s.dir}/src/main.tsx`, `import React from 'react';\nimport ReactDOM from 'react-dom/client';\nimport { QueryClient, QueryClientProvider } from '@tanstack/react-query';\nimport App from './App';\n\nconst client = new QueryClient();\nReactDOM.createRoot(document.getElementById('root')!).render(\n  <React.StrictMode>\n    <QueryClientProvider client={client}>\n      <App />\n    </QueryClientProvider>\n  </React.StrictMode>,\n);\n`);
  ws.write(`${s.dir}/src/App.tsx`, `import { useQuery } from '@tanstack/react-query';\nimport { api } from './api/client';\n\nexport default function App() {\n  const { data, isLoading } = useQuery({ queryKey: ['items'], queryFn: () => api('/items') });\n  if (isLoading) return <p>Loading…</p>;\n  return <ul>{(data as { id: string; name: string }[]).map((i) => <li key={i.id}>{i.name}</li>)}</ul>;\n}\n`);
  ws.write(`${s.dir}/src/api/client.ts`, `const BASE = import.meta.env.VITE_API_URL ?? '${backend}';\n\nexport async function api<T = unknown>(path: string, init?: RequestInit): Promise<T> {\n  const res = await fetch(\`\${BASE}\${path}\`, { credentials: 'include', ...init });\n  if (!res.ok) throw new Error(\`\${res.status} \${res.statusText}\`);\n  return res.json() as Promise<T>;\n}\n`);
  m.codeDefaults.push({ key: 'VITE_API_URL', value: backend });
  ws.write(`${s.dir}/src/components/DataTable.tsx`, dataTable());
  if (s.decoy) {
    ws.write(`${s.dir}/dist/assets/index-3f9a1c.js`, `const e="${backend}";fetch(e+"/items");\n`, true);
    ws.write(`${s.dir}/node_modules/vite/package.json`, JSON.stringify({ name: 'vite', version: '5.3.4', scripts: { dev: 'vite' } }), true);
  }
}

function writeNest(ws, s, app) {
  const m = app.model;
  const scripts = { ...(s.devScript ? { dev: 'nest start --watch' } : {}), build: 'nest build', start: 'nest start', 'start:dev': 'nest start --watch', 'start:debug': 'nest start --debug --watch', 'start:prod': 'node dist/main', lint: 'eslint "{src,test}/**/*.ts" --fix', test: 'jest', 'test:e2e': 'jest --config ./test/jest-e2e.json' };
  if (s.prisma) Object.assign(scripts, { 'prisma:generate': 'prisma generate', 'prisma:migrate': 'prisma migrate dev' });
  const deps = { '@nestjs/common': '^10.3.10', '@nestjs/core': '^10.3.10', '@nestjs/config': '^3.2.3', '@nestjs/jwt': '^10.2.0', '@nestjs/passport': '^10.0.3', '@nestjs/platform-express': '^10.3.10', passport: '^0.7.0', 'passport-jwt': '^4.0.1', 'reflect-metadata': '^0.2.2', rxjs: '^7.8.1' };
  const dev = { '@nestjs/cli': '^10.4.2', '@nestjs/testing': '^10.3.10', jest: '^29.7.0', 'ts-jest': '^29.2.3', typescript: '^5.5.4' };
  if (s.prisma) deps['@prisma/client'] = '^5.17.0', dev.prisma = '^5.17.0';
  ws.write(`${s.dir}/package.json`, pkgJson(s.pkgName, '1.2.0', scripts, deps, dev));
  // Every start script reads PORT from .env (ConfigModule loads it before listen): one source.
  // (`nest start --watch` / `--debug --watch` are dev servers; `nest start` and `node dist/main` production ones.)
  const nestRoles = { dev: 'dev', start: 'start', 'start:dev': 'dev', 'start:debug': 'dev', 'start:prod': 'start' };
  for (const script of Object.keys(scripts)) if (nestRoles[script]) m.listeners.push({ port: s.port, source: `${s.dir}/.env#PORT`, explicit: true, script, role: nestRoles[script], drifts: false });
  m.loadsEnv.push('.env');
  const lines = ['# NestJS service configuration', ['PORT', String(s.port)]];
  if (s.prisma) lines.push(['DATABASE_URL', dbUrl(s, s.name), true]);
  if (s.nodeId) lines.push(['SYNC_NODE_ID', s.nodeId[s.replica ? 1 : 0]]);
  lines.push(['JWT_SECRET', s.secret, true], ['JWT_EXPIRES_IN', '1h'], ['REDIS_HOST', `cache-${s.i}.internal`], ['REDIS_PORT', '6379'], ['CORS_ORIGIN', s.corsOrigins.join(',')], ...urlLines(s));
  m.corsOrigins = s.corsOrigins;
  ws.env(app, '.env', lines);
  if (s.envExample) ws.env(app, '.env.example', [['PORT', '3000'], ['DATABASE_URL', 'postgresql://user:password@localhost:5432/app', true], ['JWT_SECRET', 'change-me-in-production', true], ['JWT_EXPIRES_IN', '1h']]);
  ws.write(`${s.dir}/nest-cli.json`, JSON.stringify({ collection: '@nestjs/schematics', sourceRoot: 'src' }, null, 2) + '\n');
  ws.write(`${s.dir}/src/main.ts`, `import { NestFactory } from '@nestjs/core';
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
`);
  ws.write(`${s.dir}/src/app.module.ts`, `import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from './auth/auth.module';
${s.prisma ? "import { PrismaModule } from './prisma/prisma.module';\n" : ''}import { HealthController } from './health.controller';

@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true }), AuthModule${s.prisma ? ', PrismaModule' : ''}],
  controllers: [HealthController],
})
export class AppModule {}
`);
  ws.write(`${s.dir}/src/health.controller.ts`, `import { Controller, Get } from '@nestjs/common';\n\n@Controller('health')\nexport class HealthController {\n  @Get()\n  check() {\n    return { status: 'ok', uptime: process.uptime() };\n  }\n}\n`);
  ws.write(`${s.dir}/src/auth/auth.module.ts`, `import { Module } from '@nestjs/common';
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
`);
  ws.write(`${s.dir}/src/auth/jwt.strategy.ts`, `import { Injectable } from '@nestjs/common';
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
`);
  if (s.prisma) {
    ws.write(`${s.dir}/src/prisma/prisma.module.ts`, `import { Global, Module } from '@nestjs/common';\nimport { PrismaService } from './prisma.service';\n\n@Global()\n@Module({ providers: [PrismaService], exports: [PrismaService] })\nexport class PrismaModule {}\n`);
    ws.write(`${s.dir}/src/prisma/prisma.service.ts`, `import { Injectable, OnModuleInit } from '@nestjs/common';\nimport { PrismaClient } from '@prisma/client';\n\n@Injectable()\nexport class PrismaService extends PrismaClient implements OnModuleInit {\n  async onModuleInit() {\n    await this.$connect();\n  }\n}\n`);
  }
  if (s.decoy) {
    ws.write(`${s.dir}/dist/main.js`, `"use strict";\nconst core_1 = require("@nestjs/core");\nasync function bootstrap() { const app = await core_1.NestFactory.create(AppModule); await app.listen(3000); }\nbootstrap();\n`, true);
    ws.write(`${s.dir}/node_modules/@acme/config/.env`, `JWT_SECRET="${s.secret.slice(0, 8)}shared-test-fixture"\nPORT=3000\n`, true);
  }
}

function writeExpress(ws, s, app) {
  const m = app.model;
  const scripts = { dev: s.i % 2 ? 'nodemon server.js' : 'node --watch server.js', start: 'node server.js', lint: 'eslint .', test: 'node --test test/' };
  if (s.prisma) scripts.postinstall = 'prisma generate';
  const deps = { express: '^4.19.2', dotenv: '^16.4.5', 'express-session': '^1.18.0', helmet: '^7.1.0', cors: '^2.8.5' };
  if (s.prisma) deps['@prisma/client'] = '^5.17.0';
  ws.write(`${s.dir}/package.json`, pkgJson(s.pkgName, '2.0.3', scripts, deps, { nodemon: '^3.1.4', eslint: '^9.7.0', ...(s.prisma ? { prisma: '^5.17.0' } : {}) }));
  for (const script of ['dev', 'start']) m.listeners.push({ port: s.port, source: `${s.dir}/.env#PORT`, explicit: true, script, role: script, drifts: false });
  m.loadsEnv.push('.env');
  const lines = [['PORT', String(s.port)], ['SESSION_SECRET', s.secret]];
  if (s.prisma) lines.push(['DATABASE_URL', dbUrl(s, s.name), true]);
  lines.push(['CORS_ORIGIN', s.corsOrigins.join(',')], ['LOG_LEVEL', 'info'], ['TRUST_PROXY', '1'], ...urlLines(s));
  m.corsOrigins = s.corsOrigins;
  ws.env(app, '.env', lines);
  if (s.envExample) ws.env(app, '.env.example', [['PORT', '4000'], ['SESSION_SECRET', 'change-me-in-production'], ['LOG_LEVEL', 'info']]);
  ws.write(`${s.dir}/server.js`, `require('dotenv').config();
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
`);
  ws.write(`${s.dir}/src/routes/index.js`, `const { Router } = require('express');\nconst router = Router();\n\nrouter.get('/health', (req, res) => res.json({ ok: true }));\nrouter.post('/webhooks/:source', (req, res) => {\n  req.app.emit('webhook', req.params.source, req.body);\n  res.status(202).end();\n});\n\nmodule.exports = router;\n`);
  ws.write(`${s.dir}/src/lib/errors.js`, `class HttpError extends Error {\n  constructor(status, message) {\n    super(message);\n    this.status = status;\n  }\n}\n\nmodule.exports = { HttpError };\n`);
  m.memorySessions = true; // express-session without a store
  m.cookieSites = [{ host: 'localhost', name: s.cookieName ?? `${s.name}.sid` }];
  m.httpOnlyFalse = s.httpOnlyFalse ? 1 : 0;
  if (s.pm2Instances !== undefined) {
    ws.write(`${s.dir}/ecosystem.config.js`, `module.exports = {\n  apps: [\n    {\n      name: '${s.name}',\n      script: 'server.js',\n      instances: ${JSON.stringify(s.pm2Instances)},\n      exec_mode: 'cluster',\n    },\n  ],\n};\n`);
    m.pm2Instances = [s.pm2Instances];
  }
  if (s.composePort) {
    ws.write(`${s.dir}/docker-compose.yml`, `services:\n  redis:\n    image: redis:7-alpine\n    ports:\n      - "${s.composePort}:6379"\n`);
    m.compose = [{ port: s.composePort, stack: s.dir }];
  }
  if (s.decoy) ws.write(`${s.dir}/node_modules/express/package.json`, JSON.stringify({ name: 'express', version: '4.19.2', scripts: { start: 'node index.js' } }), true);
}

function writePython(ws, s, app) {
  const m = app.model;
  ws.write(`${s.dir}/pyproject.toml`, `[project]\nname = "${s.name}"\nversion = "0.5.0"\nrequires-python = ">=3.11"\ndependencies = ["fastapi>=0.111", "uvicorn[standard]>=0.30", "pydantic-settings>=2.3", "sqlalchemy>=2.0", "psycopg[binary]>=3.2", "python-dotenv>=1.0"]\n`);
  const lines = [['PORT', String(s.port)], ['SECRET_KEY', s.secret], ['DATABASE_URL', `postgresql://etl:etl_pw_${s.i}@${s.db.host}:${s.db.port}/${s.name.replace(/-/g, '_')}`], ['LOG_LEVEL', 'INFO'], ...urlLines(s)];
  if (s.urlDrift) lines.push([s.urlDrift.key, s.urlDrift.env]);
  ws.env(app, '.env', lines);
  if (s.urlDrift) ws.env(app, '.env.example', [['SECRET_KEY', 'change-me'], [s.urlDrift.key, s.urlDrift.def]]);
  ws.write(`${s.dir}/app/__init__.py`, '');
  ws.write(`${s.dir}/app/main.py`, `import os\n\nimport uvicorn\nfrom dotenv import load_dotenv\nfrom fastapi import FastAPI\n\nfrom app.config import settings\n\nload_dotenv()\napp = FastAPI(title="${title(s)}")\n\n\n@app.get("/health")\ndef health() -> dict:\n    return {"ok": True, "env": settings.log_level}\n\n\nif __name__ == "__main__":\n    uvicorn.run(app, host="0.0.0.0", port=int(os.getenv("PORT", "${s.port}")))\n`);
  // uvicorn on PORT from .env, with the same port as its fallback: one explicit listener whichever the server reads.
  m.listeners.push({ port: s.port, source: `${s.dir}/.env#PORT`, explicit: true, script: 'app/main.py', role: 'server', drifts: false });
  m.loadsEnv.push('.env');
  const fields = [];
  if (s.authService) {
    fields.push('    AUTH_SERVICE_URL: str = "http://127.0.0.1:8001"');
    m.codeDefaults.push({ key: 'AUTH_SERVICE_URL', value: 'http://127.0.0.1:8001' });
  }
  if (s.urlDrift) {
    fields.push(`    ${s.urlDrift.key}: str = "${s.urlDrift.def}"`);
    m.codeDefaults.push({ key: s.urlDrift.key, value: s.urlDrift.def });
  }
  ws.write(`${s.dir}/app/config.py`, `from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\nclass Settings(BaseSettings):\n    model_config = SettingsConfigDict(env_file=".env")\n\n    log_level: int = 20\n${fields.join('\n')}${fields.length ? '\n' : ''}\n\nsettings = Settings()\n`);
  if (s.decoy) ws.write(`${s.dir}/.venv/lib/python3.11/site-packages/fastapi/.env`, `SECRET_KEY=${s.secret}\n`, true);
}

module.exports = { generate, expectedFindings, RULE_IDS };

if (require.main === module) {
  const n = Number(process.argv[2] ?? 100);
  const dir = path.resolve(process.argv[3] ?? path.join(require('node:os').tmpdir(), `crosswire-bench-${n}`));
  const t = Date.now();
  const ws = generate({ dir, n });
  const { text: _t, ...edit } = ws.edit;
  console.log(JSON.stringify({ ...ws, edit, ms: Date.now() - t }, null, 2));
}
