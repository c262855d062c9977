import type { App, EnvEntry, Location, PrismaAssignment, PrismaDatasource, WorkspaceView } from '../model/types';
import { exampleRoot, identity, originOf, perApp, SharingIndex } from './util';
import { derived, derivedSignature } from './track';
import { isLibrary } from './libraries';
import { fingerprint, flat } from './fingerprint';

// The early cutoff's text of `serverUses`: its fingerprint, with each use's part kept per use object (an app's uses
// are memoised per App object: only the re-derived app's are written again).
const useTexts = new WeakMap<ServerUse, { ident: string; text: string }>();
derivedSignature<SharingIndex<ServerUse>>('serverUses', (sharing) => {
  const out: string[] = [];
  for (const [server, m] of sharing.entries()) {
    out.push(`S${JSON.stringify(server)}`);
    for (const [ident, use] of m) {
      let t = useTexts.get(use);
      if (t?.ident !== ident) useTexts.set(use, (t = { ident, text: flat(`${JSON.stringify(ident)}:${fingerprint(use)}`) }));
      out.push(t.text);
    }
  }
  return out;
});
import { devEnvEntry as resolveEnv, devEnvFiles } from '../model/env';

/** The entry an app uses for a key in development (model/env.ts). */
export { devEnvFiles, devEnvEntry as resolveEnv } from '../model/env';

const POOLED_PROVIDERS = new Set(['postgresql', 'postgres', 'mysql', 'cockroachdb']);
const DB_SCHEMES = new Set(['postgresql', 'postgres', 'mysql', 'cockroachdb']);

/** The server a database URL points at: local hosts are one host. */
export function serverKey(url: string): string | undefined {
  const o = originOf(url);
  if (!o || !DB_SCHEMES.has(o.scheme)) return undefined;
  const scheme = o.scheme === 'postgres' ? 'postgresql' : o.scheme;
  return `${scheme}://${o.local ? 'localhost' : o.host}:${o.port}`;
}

export function hasConnectionLimit(url: string): boolean {
  const q = url.indexOf('?');
  return q !== -1 && new URLSearchParams(url.slice(q + 1)).has('connection_limit');
}

export interface DatasourceUrl {
  app: App;
  ds: PrismaDatasource;
  url: string;
  server: string;
  /** The env entry that supplies the URL, for `env("X")`. */
  envEntry?: EnvEntry;
  assignment: PrismaAssignment;
}

export function isPrisma7(app: App): boolean {
  return (app.prismaMajor ?? 0) >= 7 || (app.prismaMajor === undefined && app.hasPrismaConfig);
}

/** The Prisma datasource URLs of an app, resolved through its env files (memoised per app). */
export const datasourceUrls = perApp(computeDatasourceUrls);

function computeDatasourceUrls(app: App): DatasourceUrl[] {
  const out: DatasourceUrl[] = [];
  for (const schema of app.schemas) {
    for (const ds of schema.datasources) {
      const provider = ds.provider?.literal;
      if (!ds.url || (provider && !POOLED_PROVIDERS.has(provider))) continue;
      let url: string | undefined;
      let envEntry: EnvEntry | undefined;
      if (ds.url.envVar) {
        envEntry = resolveEnv(app, ds.url.envVar);
        url = envEntry ? (envEntry.expanded ?? envEntry.value) : undefined;
      } else url = ds.url.literal;
      if (!url) continue;
      const server = serverKey(url);
      if (server) out.push({ app, ds, url, server, envEntry, assignment: ds.url });
    }
  }
  return out;
}

/** One app's use of a database server. */
export interface ServerUse {
  app: App;
  server: string;
  location: Location;
  what: string;
  /** The database the URL names (its path), when it names one. */
  database?: string;
}

/** The database a URL names: its path without the leading slash (undefined when it names none or is not a URL). */
export function databaseName(url: string): string | undefined {
  try {
    const name = decodeURIComponent(new URL(url.trim()).pathname.replace(/^\//, ''));
    return name || undefined;
  } catch {
    return undefined;
  }
}

/** Every app's use of each database server: Prisma datasources and database URLs in live env files. */
function databaseUses(index: WorkspaceView): Map<string, ServerUse[]> {
  const uses = new Map<string, ServerUse[]>();
  for (const app of index.apps) {
    for (const u of appDatabaseServerUses(app)) {
      let l = uses.get(u.server);
      if (!l) uses.set(u.server, (l = []));
      l.push(u);
    }
  }
  return uses;
}

/** One app's uses of database servers: its datasources, then database URLs in its env files (memoised per app). */
const appDatabaseServerUses = perApp((app: App): ServerUse[] => {
  const out: ServerUse[] = [];
  const seen = new Set<string>();
  for (const d of datasourceUrls(app)) {
    seen.add(d.server);
    out.push({
      app,
      server: d.server,
      location: { file: d.ds.file, range: d.assignment.range },
      what: `datasource ${d.ds.name}`,
      database: databaseName(d.url),
    });
  }
  for (const f of devEnvFiles(app)) {
    for (const e of f.entries) {
      const server = serverKey(e.expanded ?? e.value);
      if (!server || seen.has(server)) continue;
      seen.add(server);
      out.push({ app, server, location: { file: e.file, range: e.range }, what: e.key, database: databaseName(e.expanded ?? e.value) });
    }
  }
  return out;
});

/**
 * Who uses each database server, replicas counted once (the derived fact `serverUses`): O(apps), never app × app. A
 * library (a schema and migrations package that runs nothing, facts/libraries.ts) opens no pool of its own: its
 * schema is the pool of the app that uses it, which it must not be counted beside.
 */
/**
 * The key under which an app's uses of a server are shared: the server, and for an app of a collection of independent
 * examples its example (examples run one at a time: their servers are not shared with each other or the repository's apps).
 */
export function sharingKey(server: string, app: App): string {
  const ex = exampleRoot(app);
  return ex === undefined ? server : `${server}\0${ex}`;
}

export function serverSharing(index: WorkspaceView): SharingIndex<ServerUse> {
  return derived('serverUses', index, (ix) => {
    const sharing = new SharingIndex<ServerUse>();
    for (const [server, list] of databaseUses(ix)) for (const u of list) if (!isLibrary(u.app)) sharing.add(sharingKey(server, u.app), identity(u.app), u);
    return sharing;
  });
}
