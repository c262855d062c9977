import * as path from 'node:path';
import type { App, CodeDefault, CorsFact, EnvEntry, Location, RelatedInfo, TextEditAt, WorkspaceView } from '../model/types';
import { commonDepth, originOf, perApp, replaceEnvValue } from '../facts/util';
import { appRule, type Report } from '../model/rule';
import { derived } from '../facts/track';
import { appLabel, BROWSER_PREFIX, safeUrl, effectiveEnvEntry, TextAt } from '../facts/sessions';

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

interface DevServer {
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
function devServers(app: App): DevServer[] {
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
}

function dedupe(list: DevServer[]): DevServer[] {
  return [...new Map(list.map((d) => [d.origin, d])).values()];
}

interface ApiLink {
  frontend: App;
  key: string;
  value: string;
  location: Location;
}

/** The allowed origins of one CORS setting, where they are written, and how the fix rewrites them. */
interface Allowed {
  origins: string[];
  /** `*` with no reflection. */
  any: boolean;
  reflect: boolean;
  location: Location;
  /** For messages: `CORS_ORIGIN=http://localhost:5173 in .env`. */
  source: string;
  envEntry?: EnvEntry;
  codeDefault?: CodeDefault;
  /** The code splits the env value into a list. */
  list: boolean;
  /** The env variable is read but set nowhere: the middleware falls back to `*`. */
  unset?: string;
}

function splitOrigins(value: string, list: boolean): string[] {
  const v = value.trim();
  if (!list) return [v];
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function allowedOf(backend: App, c: CorsFact): Allowed | undefined {
  const at: Location = { file: c.file, range: c.range };
  if (c.reflect) return { origins: [], any: true, reflect: true, location: at, source: 'origin: true', list: false };
  if (c.envVar) {
    const e = effectiveEnvEntry(backend, c.envVar);
    const literal = c.origins ?? [];
    if (e) {
      const value = (e.expanded ?? e.value).trim();
      const origins = [...splitOrigins(value, !!c.splits), ...literal];
      return {
        origins,
        any: origins.includes('*'),
        reflect: false,
        location: { file: e.file, range: e.range },
        source: `${e.key}=${value} in ${path.basename(e.file)}`,
        envEntry: e,
        list: !!c.splits,
      };
    }
    const d = backend.code.flatMap((x) => x.defaults).find((x) => x.key === c.envVar && x.file === c.file);
    if (d) {
      const origins = [...splitOrigins(d.value, !!c.splits), ...literal];
      return {
        origins,
        any: origins.includes('*'),
        reflect: false,
        location: { file: d.file, range: d.range },
        source: `the default "${d.value}" of ${c.envVar} in ${path.basename(d.file)}`,
        codeDefault: d,
        list: !!c.splits,
      };
    }
    if (literal.length)
      return {
        origins: literal,
        any: literal.includes('*'),
        reflect: false,
        location: at,
        source: `the origins written in ${path.basename(c.file)}`,
        list: false,
      };
    // Read but set nowhere: cors() treats an undefined origin as its default `*`.
    return {
      origins: ['*'],
      any: true,
      reflect: false,
      location: at,
      source: `${c.envVar}, which no env file of ${backend.name} sets`,
      list: false,
      unset: c.envVar,
    };
  }
  if (c.origins)
    return {
      origins: c.origins,
      any: c.origins.includes('*'),
      reflect: false,
      location: at,
      source: `origin ${c.origins.length === 1 ? JSON.stringify(c.origins[0]) : JSON.stringify(c.origins)} in ${path.basename(c.file)}`,
      list: c.origins.length !== 1,
    };
  return undefined;
}

/** Rewrites the CORS setting so that it allows `add` (a list keeps the origins it already has). */
function fixEdits(index: WorkspaceView, backend: App, a: Allowed, keep: string[], add: string): TextEditAt[] {
  const origins = a.list ? [...new Set([...keep, add])] : [add];
  if (a.envEntry) return [replaceEnvValue(a.envEntry, origins.join(','))];
  if (a.codeDefault) return [{ file: a.codeDefault.file, range: a.codeDefault.range, newText: origins.join(',') }];
  const t = TextAt.of(index, a.location.file);
  if (!t) return [];
  if (a.unset) {
    // Add the variable to the env file the backend loads.
    const file =
      backend.envFiles.find((f) => f.kind === 'live' && (f.mode === 'default' || f.mode === 'development') && f.name === '.env') ??
      backend.envFiles.find((f) => f.kind === 'live' && (f.mode === 'default' || f.mode === 'development'));
    if (!file) return [];
    const text = index.textOf(file.file) ?? file.text;
    const env = new TextAt(text);
    const end = env.position(text.length);
    return [{ file: file.file, range: { start: end, end }, newText: `${text.length && !text.endsWith('\n') ? '\n' : ''}${a.unset}=${add}\n` }];
  }
  // A literal in code: rewrite the origin property's value.
  const start = t.offset(a.location.range.start);
  const seg = t.text.slice(start, t.offset(a.location.range.end));
  const m = /^(\s*["']?origin["']?\s*:\s*)([\s\S]*?)\s*$/.exec(seg);
  if (!m) return [];
  const q = t.quoteOn(a.location.range.start.line);
  const lit = (s: string) => `${q}${s}${q}`;
  const value = origins.length === 1 ? lit(origins[0]) : `[${origins.map(lit).join(', ')}]`;
  const s = start + m[1].length;
  return [{ file: a.location.file, range: { start: t.position(s), end: t.position(s + m[2].length) }, newText: value }];
}

export const corsOriginMismatch = appRule({
  id: 'cors-origin-mismatch',
  docs: {
    description: "A backend's CORS origin does not allow a frontend of the workspace whose API URL points at it (or allows `*` with credentials).",
    url: 'docs/rules/cors-origin-mismatch.md',
  },
  defaultSeverity: 'warning',
  fixable: true,
  facts: ['code', 'env', 'listeners', 'corsLinks'],
  check(app, ctx) {
    const links = corsLinks(ctx.index).get(app);
    if (links) for (const r of backendFindings(ctx.index, app, links)) ctx.report(r);
  },
});

/** A frontend's API URL that reaches a backend, with the frontend's dev servers. */
interface Link {
  link: ApiLink;
  servers: DevServer[];
}

/**
 * Backend -> the frontends' API URLs that reach it (the derived fact `corsLinks`): backends with a CORS setting, by
 * the machine and port they listen on; each frontend's browser-exposed API URL names one of them.
 */
function corsLinks(index: WorkspaceView): Map<App, Link[]> {
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

interface Backend {
  app: App;
  cors: CorsFact[];
  ports: number[];
}

/** An app's CORS settings and the ports it listens on (memoised per app). */
const backendOf = perApp((app: App): Backend | undefined => {
  const cors = app.code.flatMap((c) => c.auth?.cors ?? []);
  return cors.length ? { app, cors, ports: [...new Set(app.listeners.map((l) => l.port))] } : undefined;
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
  for (const d of fe.code.flatMap((c) => c.defaults)) {
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

function backendFindings(index: WorkspaceView, backend: App, links: Link[]): Report[] {
  const findings: Report[] = [];
  const cors = backend.code.flatMap((c) => c.auth?.cors ?? []);
  const frontends = links.filter((x) => x.servers.length);
  if (!frontends.length) return findings;
  const seen = new Set<string>();
  for (const c of cors) {
    const a = allowedOf(backend, c);
    if (!a || a.reflect) continue;
    const at = `${a.location.file}:${a.location.range.start.line}:${a.location.range.start.character}`;
    for (const { link, servers } of frontends) {
      for (const srv of servers) {
        if (seen.has(`${at}|${srv.origin}`)) continue;
        const included = a.origins.includes(srv.origin);
        const wildcard = a.any && !included;
        if (included || (wildcard && !c.credentials)) continue;
        seen.add(`${at}|${srv.origin}`);
        const keep = a.list ? a.origins.filter((o) => o !== '*') : [];
        const related: RelatedInfo[] = [
          { location: link.location, message: `${link.key}=${safeUrl(link.value)} in ${appLabel(index, link.frontend)} points at ${appLabel(index, backend)}` },
          { location: srv.location, message: `${appLabel(index, link.frontend)} runs at ${srv.origin}` },
        ];
        if (a.location.file !== c.file || a.location.range.start.line !== c.range.start.line)
          related.push({ location: { file: c.file, range: c.range }, message: `the CORS origin is read here${c.credentials ? ' (credentials: true)' : ''}` });
        const hint = a.origins.map((o) => o.replace(/\/+$/, '')).includes(srv.origin)
          ? ' (the allowed origin ends with a slash)'
          : !a.list && a.origins.some((o) => o.includes(','))
            ? ' (several origins passed as one string)'
            : '';
        const front = appLabel(index, link.frontend);
        const back = appLabel(index, backend);
        const message = wildcard
          ? a.unset
            ? `${back} leaves its CORS origin ${a.unset} unset, so \`*\` with credentials blocks ${front} at ${srv.origin}.`
            : `The CORS origin of ${back} is \`*\` with credentials, which browsers reject for ${front} at ${srv.origin}.`
          : `The CORS origin of ${back} does not allow ${srv.origin}, where ${front} runs and calls it${hint}.`;
        findings.push({
          message,
          at: a.location,
          related,
          app: backend,
          fixes: [
            {
              kind: 'judgement',
              title:
                a.list && keep.length ? `Add ${srv.origin} to the CORS origins of ${backend.name}` : `Set the CORS origin of ${backend.name} to ${srv.origin}`,
              preferred: true,
              edits: () => fixEdits(index, backend, a, keep, srv.origin),
            },
          ],
        });
      }
    }
  }
  return findings;
}
