import * as path from 'node:path';
import type { App, CodeFileInfo, EnvEntry, Location, WorkspaceView } from '../model/types';
import { exact } from '../model/compact';
import { pm2Processes } from '../parsers/pm2';
import { datasourceUrls, isPrisma7, resolveEnv } from './datasources';
import { localHostName, machineOf, publishedPorts } from './machines';
import { isLocalHost } from './util';
import { checking, derived } from './track';
export { isLibrary } from './libraries';

/** A database on a server: what two apps must not share (server + database + schema). */
export interface DbTarget {
  scheme: 'postgresql' | 'mysql';
  /** Machine-aware server id: a local host is the machine the app runs on. */
  server: string;
  /** host:port for messages (a replica's own machine is named). */
  serverLabel: string;
  /** The key `maxConnections` uses: `localhost:5432`, `db.example.com:5432`. */
  configKey: string;
  machine?: string;
  port: number;
  database: string;
  schema: string;
}

const SCHEMES: Record<string, DbTarget['scheme']> = { postgresql: 'postgresql', postgres: 'postgresql', mysql: 'mysql' };

/** The database a URL names, as used by `app` (whose machine a local host means). Credentials are never kept. */
export function dbTarget(index: WorkspaceView, app: App, url: string): DbTarget | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url.trim());
  const scheme = m ? SCHEMES[m[1].toLowerCase()] : undefined;
  if (!scheme || url.includes('${')) return undefined;
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return undefined;
  }
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!host) return undefined;
  const port = u.port ? Number(u.port) : scheme === 'postgresql' ? 5432 : 3306;
  const local = isLocalHost(host);
  const machine = local ? machineOf(index, app) : undefined;
  const hostName = local ? localHostName(machine!) : host;
  const serverId = local && machine!.startsWith('replica:') ? `${hostName}@${machine!.slice(8)}` : hostName;
  let database = '';
  try {
    database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  } catch {
    database = u.pathname.replace(/^\//, '');
  }
  // PostgreSQL connects to the database named like the user when none is given.
  if (!database && scheme === 'postgresql') database = decodeURIComponent(u.username) || 'postgres';
  let schema = '';
  if (scheme === 'postgresql') {
    const searchPath = /(?:^|\s)-c\s*search_path=([^\s,]+)/.exec(u.searchParams.get('options') ?? '');
    schema = u.searchParams.get('schema') ?? searchPath?.[1] ?? 'public';
  }
  return {
    scheme,
    server: `${scheme}://${serverId}:${port}`,
    serverLabel: `${hostName}:${port}${local && machine!.startsWith('replica:') ? ` (the machine of ${machine!.slice(8)})` : ''}`,
    configKey: `${hostName}:${port}`,
    machine,
    port,
    database,
    schema,
  };
}

/** One place an app names a database: the URL line (env file) or the literal in the schema / prisma.config.ts. */
export interface DbUse {
  app: App;
  target: DbTarget;
  location: Location;
  /** What names it, for messages: `DATABASE_URL`, `datasource db`, `prisma.config.ts`. */
  what: string;
  envEntry?: EnvEntry;
  /** `development` for the default/development env files and the clients' URLs; else the env file's mode. */
  bucket: string;
}

function envUse(index: WorkspaceView, app: App, e: EnvEntry, bucket: string): DbUse | undefined {
  const target = dbTarget(index, app, e.expanded ?? e.value);
  return target ? { app, target, location: { file: e.file, range: e.range }, what: e.key, envEntry: e, bucket } : undefined;
}

/** The URL a Prisma 7 project's CLI uses: `datasource.url` of prisma.config.ts. */
function prismaConfigUse(index: WorkspaceView, app: App): DbUse | undefined {
  for (const c of app.code) {
    const pc = c.prismaConfig;
    if (!pc) continue;
    if (pc.envVar) {
      const e = resolveEnv(app, pc.envVar);
      if (e) return envUse(index, app, e, 'development');
    } else if (pc.literal) {
      const target = dbTarget(index, app, pc.literal);
      if (target) return { app, target, location: { file: c.file, range: pc.range }, what: 'datasource.url in prisma.config.ts', bucket: 'development' };
    }
  }
  return undefined;
}

/** Every database an app uses, one entry per (environment, database): a function of the app's facts and its machine. */
export function appDatabaseUses(index: WorkspaceView, app: App): DbUse[] {
  const machine = machineOf(index, app);
  const hit = checking() ? undefined : usesMemo.get(app);
  if (hit && hit.machine === machine) return hit.uses;
  const uses = exact(computeDatabaseUses(index, app));
  usesMemo.set(app, { machine, uses });
  return uses;
}
const usesMemo = new WeakMap<App, { machine: string; uses: DbUse[] }>();

function computeDatabaseUses(index: WorkspaceView, app: App): DbUse[] {
  const out: DbUse[] = [];
  const seen = new Set<string>();
  const add = (u: DbUse | undefined) => {
    if (!u) return;
    const k = `${u.bucket}\0${u.target.server}\0${u.target.database}\0${u.target.schema}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(u);
  };
  for (const d of datasourceUrls(app)) {
    if (d.envEntry) add(envUse(index, app, d.envEntry, 'development'));
    else {
      const target = dbTarget(index, app, d.url);
      if (target) add({ app, target, location: { file: d.ds.file, range: d.assignment.range }, what: `datasource ${d.ds.name}`, bucket: 'development' });
    }
  }
  add(prismaConfigUse(index, app));
  for (const c of app.code) {
    for (const p of c.driverPools) {
      const e = p.connectionEnvVar ? resolveEnv(app, p.connectionEnvVar) : undefined;
      if (e) add(envUse(index, app, e, 'development'));
    }
  }
  for (const f of app.envFiles) {
    if (f.kind !== 'live') continue;
    const bucket = f.mode === 'default' || f.mode === 'development' ? 'development' : f.mode;
    for (const e of f.entries) add(envUse(index, app, e, bucket));
  }
  return out;
}

/** A connection pool an app opens to a database server, per process. */
export interface PoolUse {
  app: App;
  target: DbTarget;
  /** Connections per process. */
  size: number;
  sizeWhy: string;
  location: Location;
  what: string;
}

function poolLocation(index: WorkspaceView, app: App, p: CodeFileInfo['driverPools'][number]): DbUse | undefined {
  const e = p.connectionEnvVar ? resolveEnv(app, p.connectionEnvVar) : undefined;
  if (e) return envUse(index, app, e, 'development');
  if (p.kind === 'adapter-pg') return prismaConfigUse(index, app);
  return undefined;
}

/** The pools of an app: Prisma ≤ 6 datasources, Prisma 7's PrismaPg adapter, pg Pools. */
export function appPools(index: WorkspaceView, app: App): PoolUse[] {
  const cores = index.options.cores;
  const out: PoolUse[] = [];
  if (!isPrisma7(app)) {
    for (const d of datasourceUrls(app)) {
      const use = d.envEntry ? envUse(index, app, d.envEntry, 'development') : undefined;
      const target = use?.target ?? dbTarget(index, app, d.url);
      if (!target) continue;
      const q = d.url.indexOf('?');
      const limit = q === -1 ? null : new URLSearchParams(d.url.slice(q + 1)).get('connection_limit');
      const n = limit !== null && /^\d+$/.test(limit) ? Number(limit) : undefined;
      out.push({
        app,
        target,
        size: n ?? 2 * cores + 1,
        sizeWhy: n !== undefined ? `connection_limit=${n}` : `Prisma's default pool, 2 × ${cores} cores + 1`,
        location: use?.location ?? { file: d.ds.file, range: d.assignment.range },
        what: use?.what ?? `datasource ${d.ds.name}`,
      });
    }
  }
  const hasPgPool = app.code.some((c) => c.driverPools.some((p) => p.kind === 'pg-pool'));
  for (const c of app.code) {
    for (const p of c.driverPools) {
      // `new PrismaPg(pool)`: the pool passed in is the one that counts.
      if (p.kind === 'adapter-pg' && !p.connectionEnvVar && hasPgPool) continue;
      const use = poolLocation(index, app, p);
      if (!use || use.target.scheme !== 'postgresql') continue;
      const lib = p.kind === 'adapter-pg' ? '@prisma/adapter-pg' : 'pg Pool';
      out.push({
        app,
        target: use.target,
        size: p.max ?? 10,
        sizeWhy: p.max !== undefined ? `max: ${p.max} on the ${lib}` : `${lib}'s default max of 10`,
        location: use.location,
        what: use.what,
      });
    }
  }
  return out;
}

/** Processes an app runs: the PM2 instances of its ecosystem file(s) (`"max"` = the configured cores), else 1. */
export function processCount(index: WorkspaceView, app: App): { n: number; why: string } {
  const cores = index.options.cores;
  const entries = app.pm2.flatMap((f) => f.apps);
  if (entries.length === 0) return { n: 1, why: '1 process' };
  let n = 0;
  for (const e of entries) n += pm2Processes(e, cores);
  const max = entries.some((e) => e.instances === 'max' || e.instances === -1);
  return { n, why: `${n} PM2 process${n === 1 ? '' : 'es'}${max ? ` (instances "max" = ${cores} cores)` : ''}` };
}

/** max_connections of a PostgreSQL server, and where it is set. */
export interface ServerLimit {
  max: number;
  location?: Location;
  why: string;
}

/** Where max_connections is set for local servers: compose commands and postgresql.conf files, by machine and port. */
export interface LimitSources {
  compose: Map<string, ServerLimit>;
  confs: Map<string, ServerLimit>;
}

export function limitSources(index: WorkspaceView): LimitSources {
  return derived('databases', index, computeLimitSources);
}

function computeLimitSources(index: WorkspaceView): LimitSources {
  const compose = new Map<string, ServerLimit>();
  for (const p of publishedPorts(index)) {
    const mc = p.service.maxConnections;
    if (!mc || p.port.protocol !== 'tcp') continue;
    const k = `${p.machine}\0${p.port.host}`;
    const cur = compose.get(k);
    if (!cur || mc.value < cur.max)
      compose.set(k, {
        max: mc.value,
        location: { file: p.file.file, range: mc.range },
        why: `\`-c max_connections=${mc.value}\` in the command of service ${p.service.name}`,
      });
  }
  const confs = new Map<string, ServerLimit>();
  if (index.postgresConfs.length) {
    const dirs = [...index.apps].sort((a, b) => b.dir.length - a.dir.length);
    for (const conf of index.postgresConfs) {
      if (!conf.maxConnections) continue;
      const port = Number(/^\s*port\s*=\s*'?(\d+)/m.exec(conf.text)?.[1] ?? 5432);
      const app = dirs.find((a) => conf.file.startsWith(a.dir + path.sep));
      const k = `${app ? machineOf(index, app) : 'local'}\0${port}`;
      if (!confs.has(k))
        confs.set(k, {
          max: conf.maxConnections.value,
          location: { file: conf.file, range: conf.maxConnections.range },
          why: `max_connections = ${conf.maxConnections.value} in postgresql.conf`,
        });
    }
  }
  return { compose, confs };
}

/** From crosswire.config.json, a compose service's `-c max_connections=N`, a postgresql.conf, else PostgreSQL's default 100. */
export function serverLimit(index: WorkspaceView, target: DbTarget, sources: LimitSources = limitSources(index)): ServerLimit {
  const cfg = index.config.maxConnections[target.configKey] ?? (target.machine ? index.config.maxConnections[`localhost:${target.port}`] : undefined);
  if (cfg !== undefined) return { max: cfg, why: `maxConnections in crosswire.config.json` };
  if (target.machine === undefined) return { max: 100, why: "PostgreSQL's default" };
  const k = `${target.machine}\0${target.port}`;
  return sources.compose.get(k) ?? sources.confs.get(k) ?? { max: 100, why: "PostgreSQL's default" };
}
