/**
 * Frontends, their browser-exposed API URLs and dev servers, and the backends those URLs reach (the derived fact
 * `corsLinks`, read by cors-origin-mismatch).
 */
import type { App, CorsFact, Location, WorkspaceView } from '../model/types';
import { BROWSER_PREFIX } from '../model/env';
import { exact } from '../model/compact';
import { commonDepth, isTestCode, originOf, perApp } from './util';
import { effectiveEnvEntry } from './sessions';
import { derived, derivedSignature } from './track';
import { flat } from './fingerprint';

// What cors-origin-mismatch reads of each link, as text; a link's and a server list's texts are kept per object
// (memoised per app: the apps an edit did not touch give the same ones).
const texts = new WeakMap<object, string>();
function textOf(o: object, make: () => unknown): string {
  let t = texts.get(o);
  if (t === undefined) texts.set(o, (t = flat(JSON.stringify(make()))));
  return t;
}
const rangeParts = (l: Location) => [l.file, l.range.start.line, l.range.start.character, l.range.end.line, l.range.end.character];
derivedSignature<Map<App, Link[]>>('corsLinks', (links) => {
  const out: string[] = [];
  for (const [backend, list] of links) {
    out.push(JSON.stringify(backend.id));
    for (const { link, servers } of list)
      out.push(
        textOf(link, () => [link.frontend.id, link.key, link.value, ...rangeParts(link.location)]),
        textOf(servers, () => servers.map((d) => [d.origin, d.what, ...rangeParts(d.location)])),
      );
  }
  return out;
});

/** Browser-app frameworks, by dependency. */
const FRONTEND_DEPS = ['vite', 'next', 'react-scripts', '@angular/core', '@sveltejs/kit', 'nuxt'];

export function isFrontend(app: App): boolean {
  const deps = app.packageJson?.dependencies ?? {};
  return FRONTEND_DEPS.some((d) => d in deps);
}

/** A browser-exposed env variable that names a backend's URL: VITE_API_URL, NEXT_PUBLIC_API_URL, REACT_APP_API_BASE_URL, ... */
export function isBrowserApiUrlKey(key: string): boolean {
  const k = key.toUpperCase();
  if (!BROWSER_PREFIX.test(k)) return false;
  const stripped = k.replace(BROWSER_PREFIX, '');
  return /(^|_)(API(_BASE)?_URL|API_ORIGIN|API_ENDPOINT|BACKEND_URL|SERVER_URL)$/.test(stripped);
}

export interface DevServer {
  origin: string;
  /** For messages: `"dev" server (server.port in vite.config.ts)`. */
  what: string;
  location: Location;
}

/**
 * The origin a frontend runs at in development: its dev server (`next dev`, `vite`, `ng serve`, `nuxt dev`,
 * `react-scripts start`), as the server prints it (`http://localhost:<port>`). A `vite preview` / `next start`
 * serves the production build, which calls the production API URL: it is not compared with the development backend.
 */
const devServers = perApp((app: App): DevServer[] => {
  const out: DevServer[] = [];
  for (const l of app.listeners) {
    if (l.tool === 'next dev' || l.tool === 'vite' || l.tool === 'vite dev' || l.tool === 'vite serve') {
      out.push({
        origin: `http://localhost:${l.port}`,
        what: `"${l.script}" server (${l.how === 'default' ? `${l.tool}'s default port` : l.reason})`,
        location: l.source,
      });
    }
  }
  if (out.length || !app.packageJson) return dedupe(out);
  // Frameworks the index does not compute listeners for: their CLI's port flag or default.
  for (const s of app.packageJson.scripts) {
    const flag = /(?:--port[= ]|-p\s+)(\d{2,5})\b/.exec(s.command);
    let port: number | undefined;
    if (/\bng\s+serve\b/.test(s.command)) port = flag ? Number(flag[1]) : 4200;
    else if (/\b(nuxt|nuxi)\s+dev\b/.test(s.command)) port = flag ? Number(flag[1]) : 3000;
    else if (/\breact-scripts\s+start\b/.test(s.command)) {
      const env = effectiveEnvEntry(app, 'PORT');
      port = env && /^\d+$/.test((env.expanded ?? env.value).trim()) ? Number((env.expanded ?? env.value).trim()) : 3000;
    }
    if (port)
      out.push({ origin: `http://localhost:${port}`, what: `"${s.name}" server (port ${port})`, location: { file: app.packageJson.file, range: s.range } });
  }
  return dedupe(out);
});

function dedupe(list: DevServer[]): DevServer[] {
  return [...new Map(list.map((d) => [d.origin, d])).values()];
}

export interface ApiLink {
  frontend: App;
  key: string;
  value: string;
  location: Location;
}

/** A frontend's API URL that reaches a backend, with the frontend's dev servers. */
export interface Link {
  link: ApiLink;
  servers: DevServer[];
}

/**
 * Backend -> the frontends' API URLs that reach it (the derived fact `corsLinks`): backends with a CORS setting, by
 * the machine and port they listen on; each frontend's browser-exposed API URL names one of them.
 */
export function corsLinks(index: WorkspaceView): Map<App, Link[]> {
  return derived('corsLinks', index, (ix) => {
    const backends = new Map<string, Backend[]>();
    for (const app of ix.apps) {
      const b = backendOf(app);
      if (!b) continue;
      for (const port of b.ports) {
        const k = `${app.host}:${port}`;
        let l = backends.get(k);
        if (!l) backends.set(k, (l = []));
        l.push(b);
      }
    }
    const links = new Map<App, Link[]>();
    if (!backends.size) return links;
    for (const fe of ix.apps) {
      for (const { site: s, port } of apiSitesOf(fe)) {
        const candidates = (backends.get(`${fe.host}:${port}`) ?? []).filter((b) => b.app !== fe);
        if (!candidates.length) continue;
        // Several backends on one port already collide (port-collision): take the nearest to the frontend.
        const depth = (b: App) => commonDepth(b.dir, fe.dir);
        const best = candidates.length === 1 ? undefined : Math.max(...candidates.map((b) => depth(b.app)));
        for (const b of best === undefined ? candidates : candidates.filter((x) => depth(x.app) === best)) {
          let l = links.get(b.app);
          if (!l) links.set(b.app, (l = []));
          if (!l.some((x) => x.link.frontend === fe)) l.push({ link: s, servers: devServers(fe) });
        }
      }
    }
    return links;
  });
}

export interface Backend {
  app: App;
  cors: CorsFact[];
  ports: number[];
}

/** An app's CORS settings and the ports it listens on (memoised per app). */
export const backendOf = perApp((app: App): Backend | undefined => {
  const cors = app.code.flatMap((c) => c.auth?.cors ?? []);
  return cors.length ? { app, cors: exact(cors), ports: [...new Set(app.listeners.map((l) => l.port))] } : undefined;
});

/** A frontend's browser-exposed API URLs that name a local http(s) port (memoised per app). */
const apiSitesOf = perApp((fe: App): { site: ApiLink; port: number }[] => {
  if (!isFrontend(fe)) return [];
  const keys = new Set<string>();
  for (const f of fe.envFiles)
    if (f.kind === 'live' && (f.mode === 'default' || f.mode === 'development')) for (const e of f.entries) if (isBrowserApiUrlKey(e.key)) keys.add(e.key);
  const sites: ApiLink[] = [];
  for (const key of keys) {
    const e = effectiveEnvEntry(fe, key);
    if (e) sites.push({ frontend: fe, key, value: (e.expanded ?? e.value).trim(), location: { file: e.file, range: e.range } });
  }
  for (const d of fe.code.filter((c) => !isTestCode(fe, c.file)).flatMap((c) => c.defaults)) {
    if (isBrowserApiUrlKey(d.key) && !keys.has(d.key))
      sites.push({ frontend: fe, key: d.key, value: d.value.trim(), location: { file: d.file, range: d.range } });
  }
  const out: { site: ApiLink; port: number }[] = [];
  for (const s of sites) {
    const o = originOf(s.value);
    if (!o || !o.local || !/^https?$/.test(o.scheme)) continue;
    out.push({ site: s, port: o.port });
  }
  return out;
});
