import * as path from 'node:path';
import { CODE_SERVER_FRAMEWORKS } from '../frameworks';
import type { App, EnvEntry, Fix, Range, RelatedInfo, TextEditAt, WorkspaceView } from '../model/types';
import { LineIndex } from '../model/text';
import { appServiceUrlSites, display, serviceGroup, type UrlSite } from '../facts/service-urls';
import { bindingsOf, machineOf, publishedPorts, type AppBinding } from '../facts/machines';
import { byApps, fewNames, identity, label, originOf, perApp, type Origin } from '../facts/util';
import { appRule, type Report } from '../model/rule';
import { derived, derivedSignature, lazyDerived } from '../facts/track';

// (a large value that changes with every edit of a listener: no early cutoff)
lazyDerived('listening');
// What the rule reads of other apps' sites: the key, value, place, kind and machine of each.
derivedSignature<Map<string, Parsed[]>>('serviceUrls', (byGroup) => {
  const out: string[] = [];
  for (const [group, list] of byGroup)
    for (const x of list)
      out.push(
        `${group}\t${x.s.app.id}\t${x.s.key}\t${x.s.value}\t${x.s.kind}\t${x.machine}\t${x.s.location.file}:${x.s.location.range.start.line}:${x.s.location.range.start.character}`,
      );
  return out.join('\n');
});

const WEB_SCHEMES = new Set(['http', 'https', 'ws', 'wss']);
import { BROWSER_PREFIX as PREFIXES } from '../model/env';

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
const appWords = perApp(
  (app: App): Set<string> => new Set([app.name, path.basename(app.dir)].flatMap((n) => n.toLowerCase().split(/[^a-z0-9]+/)).filter(Boolean)),
);

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

export const danglingServiceUrl = appRule({
  id: 'dangling-service-url',
  docs: {
    description:
      'A local service URL (*_SERVICE_URL, *_API_URL) names a port on which no app of the workspace listens and no docker compose service publishes.',
    url: 'docs/rules/dangling-service-url.md',
  },
  defaultSeverity: 'warning',
  fixable: true,
  facts: ['env', 'code', 'machines', 'serviceUrls', 'listening'],
  check(app, ctx) {
    const index = ctx.index;
    const l = listening(index);
    const byGroup = serviceUrlsByGroup(index);
    const isBound = (key: string) => l.bound.has(key) || l.pubKeys.has(key);
    // Per service: the development sites that point at a live port (at most 10 named), and their ports.
    const boundPeers = new Map<string, { list: Parsed[]; ports: number[] }>();
    for (const x of parsedOf(index, app)) {
      if (isBound(x.key)) continue;
      const { s, machine } = x;
      // Apps on that machine whose package.json Crosswire cannot read: they may listen there.
      const unsure = l.unknownApps.filter((u) => machineOf(index, u.app) === machine && identity(u.app) !== identity(s.app)).slice(0, 5);
      // The app the key names, when exactly one other app matches every word of the service name.
      const words = serviceWords(s.key);
      let named: App[] = [];
      if (words.length) {
        const candidates = appsByWord(index).get(words[0]) ?? [];
        named = candidates.filter((a) => identity(a) !== identity(s.app) && words.every((w) => appWords(a).has(w)));
        named = [...new Map(named.map((a) => [identity(a), a])).values()];
      }
      const namedApp = named.length === 1 ? named[0] : undefined;
      const bindings = namedApp ? (l.bindings.get(namedApp) ?? []) : [];
      // An app it names whose servers Crosswire cannot see (port computed at run time): it may listen there.
      if (namedApp && bindings.length === 0) continue;
      const namedBindings = bindings.filter((b) => b.machine === machine);
      // Unless the URL names a service Crosswire knows to listen elsewhere, a server whose port it cannot know (an
      // unreadable package.json, a port computed at run time, a Python service started in a way it does not read)
      // may be the one listening there: unknown is not "nothing".
      if (!namedBindings.length && (unsure.length || l.unseen.some((a) => identity(a) !== identity(s.app) && machineOf(index, a) === machine))) continue;
      // A replica's own machine inferred without evidence (no URL or configuration names it): what else runs there is unknown.
      if (!namedBindings.length && machine.startsWith('replica:')) continue;
      // The other development sites of the same service that do point at a live port.
      let bp = boundPeers.get(x.group);
      if (!bp) {
        const list = (byGroup.get(x.group) ?? []).filter((y) => isBound(y.key));
        boundPeers.set(x.group, (bp = { list: list.slice(0, 10), ports: [...new Set(list.map((y) => y.o.port))] }));
      }
      ctx.report(danglingFinding(index, x, unsure, namedApp, namedBindings, bp.list, bp.ports));
    }
  },
});

/** What listens where (the derived fact `listening`): app servers and published compose ports by machine and port, and the servers Crosswire cannot see. */
interface Listening {
  bound: Set<string>;
  pubKeys: Set<string>;
  bindings: Map<App, AppBinding[]>;
  /** Apps whose package.json Crosswire cannot read, in app order. */
  unknownApps: { app: App; file: string }[];
  /** Apps that run a server whose port Crosswire does not know. */
  unseen: App[];
}

function listening(index: WorkspaceView): Listening {
  return derived('listening', index, (ix) => {
    const bound = new Set<string>();
    const bindings = new Map<App, AppBinding[]>();
    for (const app of ix.apps) {
      const list = bindingsOf(ix, app);
      bindings.set(app, list);
      for (const b of list) bound.add(`${b.machine}\0${b.listener.port}`);
    }
    const pubKeys = new Set(
      publishedPorts(ix)
        .filter((p) => p.port.protocol === 'tcp')
        .map((p) => `${p.machine}\0${p.port.host}`),
    );
    const unknownApps = ix.apps.flatMap((app) => {
      const file = unreadablePackage(ix, app);
      return file ? [{ app, file }] : [];
    });
    const unseen = ix.apps.filter(
      (a) => a.unknownPorts.length > 0 || (a.listeners.length === 0 && (CODE_SERVER_FRAMEWORKS.has(a.framework) || a.framework === 'python')),
    );
    return { bound, pubKeys, bindings, unknownApps, unseen };
  });
}

/** Every app's development service-URL sites with a local web origin, by service (the derived fact `serviceUrls`). */
function serviceUrlsByGroup(index: WorkspaceView): Map<string, Parsed[]> {
  return derived('serviceUrls', index, (ix) => {
    const out = new Map<string, Parsed[]>();
    for (const app of ix.apps) for (const x of parsedOf(ix, app)) push(out, x.group, x);
    return out;
  });
}

/** A development site with a local web origin, on the machine of its app. */
interface Parsed {
  s: UrlSite;
  o: Origin;
  machine: string;
  /** machine and port */
  key: string;
  /** serviceGroup() */
  group: string;
}

/** An app's development service-URL sites with a local web origin. */
function parsedOf(index: WorkspaceView, app: App): Parsed[] {
  const machine = machineOf(index, app);
  const parsed: Parsed[] = [];
  for (const s of appServiceUrlSites(app)) {
    if (s.bucket !== 'development') continue;
    const o = originOf(s.value);
    if (o && o.local && WEB_SCHEMES.has(o.scheme)) parsed.push({ s, o, machine, key: `${machine}\0${o.port}`, group: serviceGroup(s.key, s.app) });
  }
  return parsed;
}

/** Apps by name word, to find the app a key names (AUTH_SERVICE_URL -> netra/auth_service): from names and folders only. */
const words = new WeakMap<readonly App[], Map<string, App[]>>();
function appsByWord(index: WorkspaceView): Map<string, App[]> {
  return byApps(index.apps, words, () => {
    const byWord = new Map<string, App[]>();
    for (const app of index.apps) for (const w of appWords(app)) push(byWord, w, app);
    return byWord;
  });
}

function danglingFinding(
  index: WorkspaceView,
  x: Parsed,
  unsure: { app: App; file: string }[],
  namedApp: App | undefined,
  namedBindings: AppBinding[],
  peers: Parsed[],
  peerPorts: number[],
): Report {
  const { s, o, machine } = x;
  const namedPorts = [...new Set(namedBindings.map((b) => b.listener.port))];
  const target = namedPorts.length === 1 ? namedPorts[0] : !namedApp && peerPorts.length === 1 ? peerPorts[0] : undefined;

  const related: RelatedInfo[] = [];
  for (const b of namedBindings)
    related.push({ location: b.listener.source, message: `${label(index, b.app)} listens on ${b.listener.port}: ${b.listener.reason}` });
  for (const x of peers)
    related.push({
      location: x.s.location,
      message: `${x.s.key} = ${display(x.s.value)} (${x.s.kind === 'code' ? 'default in code' : x.s.kind === 'template' ? 'template' : 'env file'} of ${x.s.app.name}), where something listens`,
    });

  for (const u of unsure)
    related.push({
      location: { file: u.file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
      message: `${u.app.name}: package.json could not be read, so its servers are unknown`,
    });

  let hint: string;
  if (namedApp && namedPorts.length) hint = ` (${label(index, namedApp)} listens on ${fewNames(namedPorts.map(String), 2, ['port', 'ports'])})`;
  else if (peerPorts.length) hint = ` (other definitions point at ${fewNames(peerPorts.map(String), 2, ['port', 'ports'])})`;
  else hint = '';
  const fixes: Fix[] = [];
  const written = target !== undefined ? urlRange(s) : undefined;
  if (target !== undefined && written) {
    fixes.push({
      kind: 'judgement',
      title: `Point ${s.key} at port ${target}${namedApp ? ` (${namedApp.name})` : ''}`,
      preferred: true,
      edits: () => {
        const e = portEdit(index, s.location.file, written.range, target);
        return e ? [e] : [];
      },
    });
  }
  const what = s.kind === 'code' ? `The default of ${s.key} in code` : s.kind === 'template' ? `${s.key} in this template` : s.key;
  return {
    message:
      `${what} points at ${display(s.value)}, but nothing in the workspace listens on port ${o.port}${machine === 'local' ? '' : ` of ${machine.replace(/^replica:/, 'the machine of ')}`}` +
      (hint ||
        (unsure.length
          ? ` (unless ${fewNames(
              unsure.map((u) => label(index, u.app)),
              1,
            )}, whose package.json could not be read, does)`
          : '')) +
      '.',
    at: s.location,
    related,
    app: s.app,
    fixes,
  };
}

/** Appends to the list under `key` (created on first use). */
function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
