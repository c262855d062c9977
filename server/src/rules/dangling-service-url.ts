import * as path from 'node:path';
import type { App, EnvEntry, Finding, Fix, Range, RelatedInfo, Rule, TextEditAt, WorkspaceView } from '../model/types';
import { LineIndex } from '../model/text';
import { display, serviceGroup, serviceUrlSites, type UrlSite } from './inconsistent-service-url';
import { appBindings, machineOf, publishedPorts, type AppBinding, type PublishedPort } from './machines';
import { identity, label, listNames, originOf, perApp, where } from './util';

const WEB_SCHEMES = new Set(['http', 'https', 'ws', 'wss']);
const PREFIXES = /^(NEXT_PUBLIC_|VITE_|REACT_APP_|PUBLIC_|NUXT_PUBLIC_|EXPO_PUBLIC_|GATSBY_|NG_APP_|VUE_APP_)/;

/** The service a key names, as words: AUTH_SERVICE_URL -> [auth]; BILLING_API_URL -> [billing]; API_URL -> []. */
export function serviceWords(key: string): string[] {
  return key
    .replace(PREFIXES, '')
    .replace(/_?(SERVICE|API)_URL$/, '')
    .toLowerCase()
    .split('_')
    .filter(Boolean);
}

/** The words of an app's name and folder (memoised per app). */
const appWords = perApp((app: App): Set<string> => new Set([app.name, path.basename(app.dir)].flatMap((n) => n.toLowerCase().split(/[^a-z0-9]+/)).filter(Boolean)));


/** `scheme://[user@]host` then an optional `:port`, at the start of a URL. */
const AUTHORITY = /^([a-z][a-z0-9+.-]*:\/\/(?:[^@/?#\s]*@)?(?:\[[^\]]*\]|[^:/?#\s]*))(?::(\d+))?/i;

/** The edit that points a URL written at `range` of `file` at another port (null when the written text is not a plain URL). */
function portEdit(index: WorkspaceView, file: string, range: Range, port: number): TextEditAt | undefined {
  const text = index.textOf(file);
  if (text === undefined) return undefined;
  const li = new LineIndex(text);
  const start = li.offsetAt(range.start);
  const written = text.slice(start, li.offsetAt(range.end));
  const m = AUTHORITY.exec(written);
  if (!m) return undefined;
  const from = start + m[1].length;
  const to = start + m[0].length;
  return { file, range: li.range(from, to), newText: `:${port}` };
}

/** Where the URL's text is written: the value inside its quotes for an env line, the string for a code default. */
function urlRange(site: UrlSite): { range: Range; entry?: EnvEntry } | undefined {
  if (site.kind === 'code') return { range: site.location.range };
  for (const f of site.app.envFiles) {
    if (f.file !== site.location.file) continue;
    const e = f.entries.find((x) => x.range.start.line === site.location.range.start.line && x.key === site.key);
    // `${VAR}` in the value: the written text is not the URL; no edit.
    if (e && (e.expanded ?? e.value) === e.value) return { range: e.innerRange, entry: e };
    return undefined;
  }
  return undefined;
}

const readable = new WeakMap<object, boolean>();

/**
 * The package.json of an app that Crosswire cannot read (invalid JSON, or so broken that no
 * package was parsed from it): the app's servers are unknown, so it may listen anywhere.
 */
function unreadablePackage(index: WorkspaceView, app: App): string | undefined {
  const pkg = app.packageJson;
  if (!pkg) {
    const file = path.join(app.dir, 'package.json');
    return index.textOf(file) !== undefined ? file : undefined;
  }
  let ok = readable.get(pkg);
  if (ok === undefined) {
    try {
      JSON.parse(pkg.text);
      ok = true;
    } catch {
      ok = false;
    }
    readable.set(pkg, ok);
  }
  return ok ? undefined : pkg.file;
}

export const danglingServiceUrl: Rule = {
  id: 'dangling-service-url',
  docs: {
    description: 'A local service URL (*_SERVICE_URL, *_API_URL) names a port on which no app of the workspace listens and no docker compose service publishes.',
    url: 'docs/rules/dangling-service-url.md',
  },
  defaultSeverity: 'warning',
  fixable: true,
  check(index: WorkspaceView): Finding[] {
    const sites = serviceUrlSites(index).filter((s) => s.bucket === 'development');
    if (sites.length === 0) return [];
    // What listens on each machine and port: app servers and published compose ports.
    const bound = new Map<string, { apps: AppBinding[]; pubs: PublishedPort[] }>();
    const slot = (machine: string, port: number) => {
      const k = `${machine}\0${port}`;
      let s = bound.get(k);
      if (!s) bound.set(k, (s = { apps: [], pubs: [] }));
      return s;
    };
    const byApp = new Map<App, AppBinding[]>();
    for (const b of appBindings(index)) {
      slot(b.machine, b.listener.port).apps.push(b);
      push(byApp, b.app, b);
    }
    for (const p of publishedPorts(index)) if (p.port.protocol === 'tcp') slot(p.machine, p.port.host).pubs.push(p);

    // Apps by name word, to find the app a key names (AUTH_SERVICE_URL -> netra/auth_service).
    const byWord = new Map<string, App[]>();
    for (const app of index.apps) for (const w of appWords(app)) push(byWord, w, app);

    const parsed = sites.flatMap((s) => {
      const o = originOf(s.value);
      return o && o.local && WEB_SCHEMES.has(o.scheme) ? [{ s, o, machine: machineOf(index, s.app) }] : [];
    });
    const byGroup = new Map<string, typeof parsed>();
    for (const x of parsed) {
      const g = serviceGroup(x.s.key, x.s.app);
      push(byGroup, g, x);
    }
    const isBound = (machine: string, port: number) => {
      const b = bound.get(`${machine}\0${port}`);
      return !!b && (b.apps.length > 0 || b.pubs.length > 0);
    };
    const findings: Finding[] = [];
    let unknown: { app: App; file: string }[] | undefined;
    // Per service: the development sites that point at a live port (at most 10 named), and their ports.
    const boundPeers = new Map<string, { list: typeof parsed; ports: number[] }>();
    for (const { s, o, machine } of parsed) {
      if (isBound(machine, o.port)) continue;
      // Apps on that machine whose package.json Crosswire cannot read: they may listen there.
      unknown ??= index.apps.flatMap((app) => {
        const file = unreadablePackage(index, app);
        return file ? [{ app, file }] : [];
      });
      const unsure = unknown.filter((u) => machineOf(index, u.app) === machine && identity(u.app) !== identity(s.app)).slice(0, 5);
      // The app the key names, when exactly one other app matches every word of the service name.
      const words = serviceWords(s.key);
      let named: App[] = [];
      if (words.length) {
        const candidates = byWord.get(words[0]) ?? [];
        named = candidates.filter((a) => identity(a) !== identity(s.app) && words.every((w) => appWords(a).has(w)));
        named = [...new Map(named.map((a) => [identity(a), a])).values()];
      }
      const namedApp = named.length === 1 ? named[0] : undefined;
      // An app it names whose servers Crosswire cannot see (port computed at run time): it may listen there.
      if (namedApp && (byApp.get(namedApp) ?? []).length === 0) continue;
      const namedBindings = namedApp ? (byApp.get(namedApp) ?? []).filter((b) => b.machine === machine) : [];
      const namedPorts = [...new Set(namedBindings.map((b) => b.listener.port))];
      // The other development sites of the same service that do point at a live port.
      const g = serviceGroup(s.key, s.app);
      let bp = boundPeers.get(g);
      if (!bp) {
        const list = (byGroup.get(g) ?? []).filter((x) => isBound(x.machine, x.o.port));
        boundPeers.set(g, (bp = { list: list.slice(0, 10), ports: [...new Set(list.map((x) => x.o.port))] }));
      }
      // (a dangling site is never among the bound ones)
      const peers = bp.list;
      const peerPorts = bp.ports;
      const target = namedPorts.length === 1 ? namedPorts[0] : !namedApp && peerPorts.length === 1 ? peerPorts[0] : undefined;

      const related: RelatedInfo[] = [];
      for (const b of namedBindings) related.push({ location: b.listener.source, message: `${label(index, b.app)} listens on ${b.listener.port}: ${b.listener.reason}` });
      for (const x of peers) related.push({ location: x.s.location, message: `${x.s.key} = ${display(x.s.value)} (${x.s.kind === 'code' ? 'default in code' : x.s.kind === 'template' ? 'template' : 'env file'} of ${x.s.app.name}), where something listens` });

      for (const u of unsure) related.push({ location: { file: u.file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }, message: `${u.app.name}: package.json could not be read, so its servers are unknown` });

      let hint: string;
      if (namedApp && namedPorts.length) hint = ` ${label(index, namedApp)} listens on ${listNames(namedPorts.map(String))} (${listNames([...new Set(namedBindings.map((b) => b.listener.reason))])}).`;
      else if (peerPorts.length) hint = ` Other definitions of ${s.key} point at ${listNames(peerPorts.map(String))}, where something listens (${peers.map((x) => where(index, x.s.location)).join(', ')}).`;
      else hint = '';
      const fixes: Fix[] = [];
      const written = target !== undefined ? urlRange(s) : undefined;
      if (target !== undefined && written) {
        fixes.push({
          title: `Point ${s.key} at port ${target}${namedApp ? ` (${namedApp.name})` : ''}`,
          preferred: true,
          edits: () => {
            const e = portEdit(index, s.location.file, written.range, target);
            return e ? [e] : [];
          },
        });
      }
      const what = s.kind === 'code' ? `The default of ${s.key} in code` : s.kind === 'template' ? `${s.key} in this template` : s.key;
      findings.push({
        ruleId: 'dangling-service-url',
        severity: 'warning',
        message:
          `${what} points at ${display(s.value)}, but nothing in the workspace listens on port ${o.port}${machine === 'local' ? '' : ` of ${machine.replace(/^replica:/, 'the machine of ')}`}: ` +
          `no app's server and no docker compose service. Requests to it fail with ECONNREFUSED.${hint}` +
          (unsure.length ? ` (The package.json of ${listNames(unsure.map((u) => label(index, u.app)))} could not be read: ${unsure.length === 1 ? 'it' : 'they'} may listen there.)` : ''),
        location: s.location,
        related,
        appId: s.app.id,
        fixes,
      });
    }
    return findings;
  },
};

/** Appends to the list under `key` (created on first use). */
function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
