/**
 * Where services are said to be and what listens there (read by dangling-service-url): every app's development
 * service-URL sites with a local web origin (the derived fact `serviceUrls`), the app servers and published compose
 * ports by machine and port, and the servers whose port is unknown (the derived fact `listening`).
 */
import * as path from 'node:path';
import { CODE_SERVER_FRAMEWORKS } from '../frameworks';
import type { App, WorkspaceView } from '../model/types';
import { scopedServiceUrlSites, serviceGroup, type UrlSite } from './service-urls';
import { bindingsOf, machineOf, publishedPorts, type AppBinding, type PublishedPort } from './machines';
import { byApps, identity, originOf, perApp, positionsById, pushTo, replacedPositions, replaceItems, type Origin } from './util';
import { checking, derived, derivedKeys, derivedSignature, lazyDerived, raw, readKey } from './track';
import { containerEnv, type ContainerEnv } from './compose-model';
import { flat } from './fingerprint';

// (a large value that changes with every edit of a listener: no early cutoff)
lazyDerived('listening');
// What the rule reads of other apps' sites: the key, value, place, kind and machine of each. (Each site's line is
// kept per site object, memoised per app, while its group and machine are the same.)
const siteLines = new WeakMap<UrlSite, { group: string; machine: string; line: string }>();
derivedSignature<Map<string, Parsed[]>>('serviceUrls', (byGroup) => {
  const out: string[] = [];
  for (const [group, list] of byGroup)
    for (const x of list) {
      let l = siteLines.get(x.s);
      if (!l || l.group !== group || l.machine !== x.machine)
        siteLines.set(
          x.s,
          (l = {
            group,
            machine: x.machine,
            line: flat(
              `${group}\t${x.s.app.id}\t${x.s.key}\t${x.s.value}\t${x.s.kind}\t${x.machine}\t${x.s.location.file}:${x.s.location.range.start.line}:${x.s.location.range.start.character}`,
            ),
          }),
        );
      out.push(l.line);
    }
  return out;
});

const WEB_SCHEMES = new Set(['http', 'https', 'ws', 'wss']);
import { BROWSER_PREFIX as PREFIXES } from '../model/env';
import { exact } from '../model/compact';

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
export const appWords = perApp(
  (app: App): Set<string> => new Set([app.name, path.basename(app.dir)].flatMap((n) => n.toLowerCase().split(/[^a-z0-9]+/)).filter(Boolean)),
);

const readable = new WeakMap<object, boolean>();
/** The path of the package.json in an app's folder (memoised per app: its folder never changes). */
const packageFileOf = perApp((app: App) => path.join(app.dir, 'package.json'));

/**
 * The package.json of an app that Crosswire cannot read (invalid JSON, or so broken that no
 * package was parsed from it): the app's servers are unknown, so it may listen anywhere.
 */
export function unreadablePackage(index: WorkspaceView, app: App): string | undefined {
  const pkg = app.packageJson;
  if (!pkg) {
    const file = packageFileOf(app);
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

/** What the derived fact `listening` is made of. */
interface ListeningData {
  pubKeys: Set<string>;
  /** The apps and each one's bindings, in app order (the index's list and bindingsOf). */
  apps: readonly App[];
  lists: readonly AppBinding[][];
  /** `machine\0port` -> the app servers bound there, in app order. */
  at: Map<string, AppBinding[]>;
  /** Apps whose package.json Crosswire cannot read, in app order. */
  unknownApps: { app: App; file: string }[];
  /** Apps that run a server whose port Crosswire does not know. */
  unseen: App[];
  /** Their identities. */
  unseenIds: Set<string>;
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * What listens where (the derived fact `listening`): app servers and published compose ports by machine and port,
 * and the servers Crosswire cannot see. Read only through its methods, which record the keys a rule's check reads
 * (facts/track.ts readKey): when a port is edited, the rules that read it run again only for the apps that asked
 * about what changed.
 */
export class Listening {
  readonly #d: ListeningData;
  /** Numbers the values (see changedKeys). */
  readonly version: number;
  constructor(d: ListeningData, version: number) {
    this.#d = d;
    this.version = version;
  }
  /** Whether an app server or a published compose port is bound at `key` (`machine\0port`). */
  isBound(key: string): boolean {
    readKey('listening', `k:${key}`);
    return this.#d.at.has(key) || this.#d.pubKeys.has(key);
  }
  /** Whether a compose service publishes `key` (`machine\0port`, TCP). */
  published(key: string): boolean {
    readKey('listening', `k:${key}`);
    return this.#d.pubKeys.has(key);
  }
  /** The app servers bound at `key` (`machine\0port`), in app order. */
  at(key: string): readonly AppBinding[] {
    readKey('listening', `k:${key}`);
    return this.#d.at.get(key) ?? NONE;
  }
  /** An app's servers with their machine. */
  bindingsOf(app: App): readonly AppBinding[] {
    readKey('listening', `b:${app.id}`);
    const i = positionsById(this.#d.apps).get(app.id);
    return i !== undefined && this.#d.apps[i] === app ? this.#d.lists[i] : NONE;
  }
  /** Apps whose package.json Crosswire cannot read, in app order. */
  unknownApps(): readonly { app: App; file: string }[] {
    readKey('listening', 'unknown');
    return this.#d.unknownApps;
  }
  /** Apps that run a server whose port Crosswire does not know, in app order. */
  unseen(): readonly App[] {
    readKey('listening', 'unseen');
    return this.#d.unseen;
  }
  /** Whether the identity is of such an app. */
  isUnseen(id: string): boolean {
    readKey('listening', 'unseen');
    return this.#d.unseenIds.has(id);
  }
  /** The data, for the next value's update (not for rules: their reads would not be recorded). */
  static data(l: Listening): ListeningData {
    return l.#d;
  }
}

/** Version -> the version it was updated from and the keys whose answers changed (the last few updates). */
const deltas = new Map<number, { from: number; keys: Set<string> }>();
let versions = 0;

/** The keys whose answers differ between two values of `listening`; undefined when they are not a few updates apart. */
function changedKeys(before: Listening, now: Listening): ReadonlySet<string> | undefined {
  const out = new Set<string>();
  let v = now.version;
  for (let steps = 0; v !== before.version; steps++) {
    const d = deltas.get(v);
    if (!d || steps === 32) return undefined;
    for (const k of d.keys) out.add(k);
    v = d.from;
  }
  return out;
}
derivedKeys<Listening>('listening', changedKeys);

const bindingKeys = new WeakMap<AppBinding, string>();

/**
 * Env files some server of the workspace loads and takes PORT from (the derived fact `portEnvFiles`): a set of paths
 * that changes when what servers load or which variable they read changes, not when a port does, so a rule that
 * only asks "does anything take PORT from this file?" is not re-run over every app when a port is edited.
 */
export function portEnvFiles(index: WorkspaceView): Set<string> {
  return derived('portEnvFiles', index, (ix) => {
    const out = new Set<string>();
    for (const app of ix.apps) for (const l of app.listeners) if (l.portEnvVar === 'PORT') for (const f of l.loadedEnvFiles) out.add(f);
    return out;
  });
}
derivedSignature<Set<string>>('portEnvFiles', (s) => [...s]);

export function listening(index: WorkspaceView): Listening {
  return derived('listening', index, computeListening);
}

/** The last value of `listening` per index, with what it was made from: an edit updates it app by app. */
interface ListeningMemo {
  apps: readonly App[];
  /** bindingsOf each app, in app order. */
  lists: AppBinding[][];
  pubs: readonly PublishedPort[];
  value: Listening;
}
const listeningMemos = new WeakMap<object, ListeningMemo>();

function computeListening(ix: WorkspaceView): Listening {
  const apps = ix.apps;
  // (memoised per app while its machine is the same: an app's list is the same object while nothing it is made from changed)
  const lists = apps.map((a) => bindingsOf(ix, a));
  const pubs = publishedPorts(ix);
  const last = listeningMemos.get(raw(ix));
  // (the apps re-derived, or whose bindings changed with their machine)
  const changed = last ? replacedPositions(last.apps, apps, (i) => apps[i] === last.apps[i] && lists[i] === last.lists[i]) : undefined;
  const value = last && changed ? updateListening(ix, last, changed, lists, pubs) : buildListening(ix, lists, pubs);
  if (!checking()) listeningMemos.set(raw(ix), { apps, lists, pubs, value });
  return value;
}

/** The key of a binding: its machine and port (kept per binding object). */
function keyOf(b: AppBinding): string {
  let k = bindingKeys.get(b);
  if (k === undefined) bindingKeys.set(b, (k = `${b.machine}\0${b.listener.port}`));
  return k;
}

function isUnseen(a: App): boolean {
  return (
    a.unknownPorts.length > 0 || a.foreign !== undefined || (a.listeners.length === 0 && (CODE_SERVER_FRAMEWORKS.has(a.framework) || a.framework === 'python'))
  );
}

function pubKeysOf(pubs: readonly PublishedPort[]): Set<string> {
  return new Set(pubs.filter((p) => p.port.protocol === 'tcp').map((p) => `${p.machine}\0${p.port.host}`));
}

function unknownAppsOf(ix: WorkspaceView): { app: App; file: string }[] {
  return ix.apps.flatMap((app) => {
    const file = unreadablePackage(ix, app);
    return file ? [{ app, file }] : [];
  });
}

/** Two lists of bindings say the same to a rule: the same apps (by id and name), machines and servers (port, role, reason, where), in order. */
function sameBindings(a: readonly AppBinding[], b: readonly AppBinding[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i], b[i]];
    const [l, m] = [x.listener, y.listener];
    if (x.app.id !== y.app.id || x.app.name !== y.app.name || x.machine !== y.machine) return false;
    if (l.port !== m.port || l.role !== m.role || l.reason !== m.reason || l.source.file !== m.source.file) return false;
    const [r, q] = [l.source.range, m.source.range];
    if (r.start.line !== q.start.line || r.start.character !== q.start.character || r.end.line !== q.end.line || r.end.character !== q.end.character)
      return false;
  }
  return true;
}

function buildListening(ix: WorkspaceView, lists: AppBinding[][], pubs: readonly PublishedPort[]): Listening {
  const at = new Map<string, AppBinding[]>();
  for (const list of lists) for (const b of list) pushTo(at, keyOf(b), b);
  const unseen = ix.apps.filter(isUnseen);
  const d = {
    apps: ix.apps,
    lists,
    pubKeys: pubKeysOf(pubs),
    at,
    unknownApps: unknownAppsOf(ix),
    unseen,
    unseenIds: new Set(unseen.map(identity)),
  };
  return new Listening(d, ++versions);
}

/** `last` with the bindings of the apps at `changed` replaced: new lists for the keys they touch, the others shared. */
function updateListening(ix: WorkspaceView, last: ListeningMemo, changed: number[], lists: AppBinding[][], pubs: readonly PublishedPort[]): Listening {
  const apps = ix.apps;
  const prev = Listening.data(last.value);
  /** The keys whose answers change (Listening's methods). */
  const keys = new Set<string>();
  const at = new Map(prev.at);
  const position = positionsById(apps);
  let unknown = false;
  let unseenChanged = false;
  for (const i of changed) {
    const old = last.apps[i];
    const neu = apps[i];
    // (a re-derived app whose servers are as they were, an edit of a secret: no key changes)
    if (!sameBindings(last.lists[i], lists[i])) keys.add(`b:${neu.id}`);
    const pair = (b: AppBinding) => [keyOf(b), b] as const;
    for (const k of replaceItems(at, (b) => b.app, old, last.lists[i].map(pair), lists[i].map(pair), i, position)) {
      const mine = (l: readonly AppBinding[]) => l.filter((b) => keyOf(b) === k);
      if (!sameBindings(mine(last.lists[i]), mine(lists[i]))) keys.add(`k:${k}`);
    }
    if (old !== neu) {
      unknown ||= unreadablePackage(ix, old) !== undefined || unreadablePackage(ix, neu) !== undefined;
      unseenChanged ||= isUnseen(old) || isUnseen(neu);
    }
  }
  const unseen = unseenChanged ? apps.filter(isUnseen) : prev.unseen;
  if (unseenChanged) keys.add('unseen');
  if (unknown) keys.add('unknown');
  let pubKeys = prev.pubKeys;
  if (pubs !== last.pubs) {
    pubKeys = pubKeysOf(pubs);
    for (const k of pubKeys) if (!prev.pubKeys.has(k)) keys.add(`k:${k}`);
    for (const k of prev.pubKeys) if (!pubKeys.has(k)) keys.add(`k:${k}`);
  }
  const d = {
    apps,
    lists,
    pubKeys,
    at,
    unknownApps: unknown ? unknownAppsOf(ix) : prev.unknownApps,
    unseen,
    unseenIds: unseenChanged ? new Set(unseen.map(identity)) : prev.unseenIds,
  };
  const value = new Listening(d, ++versions);
  deltas.set(value.version, { from: last.value.version, keys });
  // (the last few updates: older values are not asked about)
  if (deltas.size > 64) deltas.delete(deltas.keys().next().value!);
  return value;
}

/** Every app's development service-URL sites with a local web origin, by service (the derived fact `serviceUrls`). */
export function serviceUrlsByGroup(index: WorkspaceView): Map<string, Parsed[]> {
  return derived('serviceUrls', index, (ix) => {
    const out = new Map<string, Parsed[]>();
    for (const app of ix.apps) for (const x of parsedOf(ix, app)) pushTo(out, x.group, x);
    return out;
  });
}

/** A development site with a local web origin, on the machine of its app. */
export interface Parsed {
  s: UrlSite;
  o: Origin;
  machine: string;
  /** machine and port */
  key: string;
  /** serviceGroup() */
  group: string;
}

/**
 * An app's development service-URL sites with a local web origin (values only containers read are not: see
 * scopedServiceUrlSites). Memoised per app while the container environments (a workspace-wide value, carried over
 * edits that change none of its inputs) and the app's machine are the same.
 */
export function parsedOf(index: WorkspaceView, app: App): Parsed[] {
  const machine = machineOf(index, app);
  if (checking()) return computeParsed(index, app, machine);
  const ce = containerEnv(index);
  const hit = parsedMemo.get(app);
  if (hit && hit.ce === ce && hit.machine === machine) return hit.parsed;
  const parsed = exact(computeParsed(index, app, machine));
  parsedMemo.set(app, { ce, machine, parsed });
  return parsed;
}
const parsedMemo = new WeakMap<App, { ce: ContainerEnv; machine: string; parsed: Parsed[] }>();

function computeParsed(index: WorkspaceView, app: App, machine: string): Parsed[] {
  const parsed: Parsed[] = [];
  for (const s of scopedServiceUrlSites(index, app)) {
    if (s.bucket !== 'development') continue;
    const o = originOf(s.value);
    if (o && o.local && WEB_SCHEMES.has(o.scheme)) parsed.push({ s, o, machine, key: `${machine}\0${o.port}`, group: serviceGroup(s.key, s.app) });
  }
  return parsed;
}

/** Apps by name word, to find the app a key names (AUTH_SERVICE_URL -> netra/auth_service): from names and folders only. */
const words = new WeakMap<readonly App[], Map<string, App[]>>();
export function appsByWord(index: WorkspaceView): Map<string, App[]> {
  return byApps(index.apps, words, () => {
    const byWord = new Map<string, App[]>();
    for (const app of index.apps) for (const w of appWords(app)) pushTo(byWord, w, app);
    return byWord;
  });
}

/**
 * The one app a URL key names: every word of the key, without a framework prefix and the `_URL` / `_ORIGIN` suffix
 * (`_API_URL`, `_SERVICE_URL`), and without the `ignore`d words, is a word of its name or folder
 * (`NEXT_PUBLIC_WEB_URL` -> web, `BILLING_API_URL` -> billing). Undefined when no word is left, or none or several
 * apps (replicas count once) match.
 */
export function appNamedByKey(index: WorkspaceView, key: string, ignore?: ReadonlySet<string>): App | undefined {
  const words = keyWords(key, ignore);
  if (!words.length) return undefined;
  const named = (appsByWord(index).get(words[0]) ?? []).filter((a) => words.every((w) => appWords(a).has(w)));
  return new Set(named.map(identity)).size === 1 ? named[0] : undefined;
}

/** The words of a URL key that may name an app (kept per key and ignore set: keys are few, and asked on every pass). */
function keyWords(key: string, ignore: ReadonlySet<string> | undefined): string[] {
  const cache = ignore ? (wordsIgnoring.get(ignore) ?? wordsIgnoring.set(ignore, new Map()).get(ignore)!) : wordsOfKeys;
  let words = cache.get(key);
  if (words === undefined) {
    words = key
      .replace(PREFIXES, '')
      .replace(/_?(SERVICE_|API_)?(URL|ORIGIN)$/, '')
      .toLowerCase()
      .split('_')
      .filter((w) => w && !ignore?.has(w));
    if (cache.size > 10_000) cache.clear();
    cache.set(key, words);
  }
  return words;
}
const wordsOfKeys = new Map<string, string[]>();
const wordsIgnoring = new WeakMap<ReadonlySet<string>, Map<string, string[]>>();
