/**
 * Which server processes run at the same time, and how sure Crosswire is of it.
 *
 * - Certain: one entry script starts both (index/runs.ts: `turbo run dev`, `pnpm -r --parallel dev`,
 *   `concurrently`, ...).
 * - Assumed: the apps form one system, shown by their configuration: one names a port the other listens on
 *   (a service URL, a CORS origin), they use one database server in their live env files, or they share a
 *   live secret. Apps side by side that form one system are deployed together (the setting Crosswire is for),
 *   so their dev servers run together, and so do their production servers.
 * - Otherwise (packages of one monorepo that nothing starts together, a collection of independent examples):
 *   not together, and the port rules say nothing.
 */
import * as path from 'node:path';
import type { App, EnvEntry, Location, Runs, WorkspaceView } from '../model/types';
import { exact } from '../model/compact';
import { processKey } from '../index/runs';
import { appDatabaseUses, type DbUse } from './databases';
import { machines } from './machines';
import { liveSecrets } from './secrets';
import {
  commonDepth,
  exampleRoot,
  identity,
  isLocalHost,
  isTestCode,
  originOf,
  perApp,
  positionsById,
  pushTo,
  rel,
  replacedPositions,
  replaceItems,
  runningListeners,
} from './util';
import { derived, lazyDerived, raw } from './track';

// (its value is large and changes with almost every edit that reaches it: no early cutoff)
lazyDerived('systems');

/** A place that names a local port: an env value (live or template), a code default. */
export interface PortName {
  app: App;
  key: string;
  location: Location;
  port: number;
  /** What it is, for messages: `CORS_ORIGIN in api/.env` (computed when a message needs it). */
  readonly text: string;
}

export interface Systems {
  apps: readonly App[];
  /** Identity -> its system, from every link (what dev servers run with). */
  component: Map<string, string>;
  /** Identity -> its system from links in live configuration only (what production servers on this machine run with). */
  liveComponent: Map<string, string>;
  /** Port -> places naming it. */
  names: Map<number, PortName[]>;
  /** System -> how many apps (replicas counted once) it holds. */
  componentSize: Map<string, number>;
  /**
   * Identity -> its direct links and what each link's reason is made from, in order (neighbour, reason, ...): when equal
   * in two computations, so are the identity's links and their messages (for facts kept per system: port-collisions.ts).
   * The only record of the links: their text is made from the reason when a message needs it (linkText).
   */
  linkSignature: Map<string, readonly string[]>;
}

/**
 * A PortName whose text is made when a message needs it (a class, not an object literal with a getter: V8 keeps
 * those in dictionary mode, ~430 bytes each, and a workspace of 2,000 apps holds ~6,600 of them).
 */
class SitePortName implements PortName {
  // (a private field: invisible to JSON, fingerprints and anything else that walks the object)
  readonly #index: WorkspaceView;
  constructor(
    index: WorkspaceView,
    readonly app: App,
    readonly key: string,
    readonly location: Location,
    readonly port: number,
  ) {
    this.#index = index;
  }
  get text(): string {
    return `${this.key} in ${rel(this.#index, this.location.file)}`;
  }
}

/** URL values in an app's env files (live and templates) and code defaults. */
const urlSites = perApp(urlSitesOf);
function urlSitesOf(app: App): { key: string; value: string; location: Location; file: string; live: boolean; port: number }[] {
  // Only local web origins with a port matter (what names a port on this machine).
  const out: { key: string; value: string; location: Location; file: string; live: boolean; port: number }[] = [];
  const add = (key: string, value: string, location: Location, live: boolean) => {
    if (!value.includes('://')) return;
    const o = originOf(value);
    if (!o || !o.local || !o.port || !/^(https?|wss?)$/.test(o.scheme)) return;
    out.push({ key, value, location, file: location.file, live, port: o.port });
  };
  for (const f of app.envFiles)
    for (const e of f.entries) for (const value of splitUrls(e)) add(e.key, value, { file: e.file, range: e.range }, f.kind === 'live');
  for (const c of app.code) {
    // Tests, stories, mocks and test runners' configs hold test inputs, not what the running app calls.
    if (isTestCode(app, c.file)) continue;
    for (const d of c.defaults) add(d.key, d.value, { file: c.file, range: d.range }, false);
    for (const u of c.urlLiterals ?? []) add(`"${u.value.replace(/^(\w+:\/\/[^/]+).*$/, '$1')}"`, u.value, { file: c.file, range: u.range }, false);
  }
  return out;
}

function splitUrls(e: EnvEntry): string[] {
  const v = e.expanded ?? e.value;
  return v.includes(',')
    ? v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : [v];
}

/**
 * Union-find over app identities, with the reason for each direct link (for messages). Identities are numbered
 * once per computation; a root is the identity the last join pointed at, whatever the path compression. A link is
 * kept as its reason (a string its message is made from), not as a map per identity with a closure per link:
 * ~2,000 maps and ~4,500 closures with their contexts at 2,000 apps, made again on every edit that reaches them.
 */
class Linker {
  private readonly num = new Map<string, number>();
  private readonly ids: string[] = [];
  private readonly parent: Int32Array;
  private readonly liveParent: Int32Array;
  /** The pairs linked, as `min * count + max` of their identities' numbers (a lookup, not a scan of an identity's links: one identity can have hundreds). */
  private readonly edges = new Set<number>();
  readonly signature = new Map<string, string[]>();

  constructor(apps: readonly App[]) {
    for (const a of apps) {
      const id = identity(a);
      if (!this.num.has(id)) {
        this.num.set(id, this.ids.length);
        this.ids.push(id);
      }
    }
    this.parent = new Int32Array(this.ids.length);
    this.liveParent = new Int32Array(this.ids.length);
    for (let i = 0; i < this.ids.length; i++) this.parent[i] = this.liveParent[i] = i;
  }

  private static find(par: Int32Array, x: number): number {
    while (par[x] !== x) {
      par[x] = par[par[x]];
      x = par[x];
    }
    return x;
  }

  private static join(par: Int32Array, x: number, y: number): void {
    const rx = Linker.find(par, x);
    const ry = Linker.find(par, y);
    if (rx !== ry) par[rx] = ry;
  }

  /** The system of an identity: the identity of its root (all links, or live ones only). */
  root(id: string, live: boolean): string {
    return this.ids[Linker.find(live ? this.liveParent : this.parent, this.num.get(id)!)];
  }

  /** Links two apps; `live`: the link comes from live configuration (env files in use on this machine), not templates, code defaults or dev scripts. */
  union(a: App, b: App, reason: string, live: boolean): void {
    // Independent examples of a collection run one at a time: what they share (a local Postgres on 5432, a
    // placeholder secret) links neither them nor the rest of the repository to them.
    if (exampleRoot(a) !== exampleRoot(b)) return;
    this.link(identity(a), identity(b), reason, live);
  }

  /** `reason`: what the link's text is made from (linkText). */
  link(x: string, y: string, reason: string, live: boolean): void {
    if (x === y) return;
    const i = this.num.get(x)!;
    const j = this.num.get(y)!;
    // (both directions are recorded together: the first reason found for a pair is the one given)
    const pair = Math.min(i, j) * this.ids.length + Math.max(i, j);
    if (!this.edges.has(pair)) {
      this.edges.add(pair);
      this.edge(x, y, reason);
      this.edge(y, x, reason);
    }
    Linker.join(this.parent, i, j);
    if (live) Linker.join(this.liveParent, i, j);
  }

  /** Records the link x -> y. */
  private edge(x: string, y: string, reason: string): void {
    const sig = this.signature.get(x);
    if (sig) sig.push(y, reason);
    else this.signature.set(x, [y, reason]);
  }
}

/**
 * What one computation of the systems lends the next, per workspace index: an edit re-derives one app, so the
 * listeners and port names of every other app stay as they were, and so do its links by the ports its URLs name
 * while the servers on those ports stay the same.
 */
interface LinkCache {
  /** Port -> a version that changes whenever the running listeners' apps on it (identity, folder, name, in order) change. */
  versions: Map<number, { apps: App[]; version: number; trie?: TrieNode }>;
  next: number;
  /** The last computation: its apps, runs, and per port the running listeners' apps and the places naming it (lists never changed once made). */
  last?: { apps: readonly App[]; runs: Runs; listeners: Map<number, App[]>; names: Map<number, PortName[]> };
  /** Links by database server and by secret value (sharedKeyLinks). */
  servers?: SharedKeys;
  secrets?: SharedKeys;
}
const linkCaches = new WeakMap<object, LinkCache>();

/** An app's links by the ports its URLs name, with the versions of the ports it looked up. */
interface PortLinks {
  links: { target: string; reason: string; live: boolean }[];
  /** The ports looked up and their versions then: port, version, port, version... */
  looked: number[];
  /** The cache's `next` when the versions were last found current (none has changed since: no need to look again). */
  checkedAt: number;
}
const portLinksOf = new WeakMap<App, PortLinks>();

/** An app's places naming a port (they depend on the app alone). */
const portNamesOf = new WeakMap<App, PortName[]>();
function namesOf(index: WorkspaceView, a: App): PortName[] {
  let hit = portNamesOf.get(a);
  if (!hit) portNamesOf.set(a, (hit = urlSites(a).map((s) => new SitePortName(index, a, s.key, s.location, s.port))));
  return hit;
}

function compute(index: WorkspaceView): Systems {
  const apps = index.apps;
  const links = new Linker(apps);
  const runs = index.runs();
  const names = linkByPortNames(index, runs, links);
  const cache = linkCache(index);
  linkByDatabaseServer(index, cache, links);
  linkBySecret(apps, cache, links);
  // (Processes one script starts together run together for certain: index/runs.ts's sets, which the port rules consult
  // first. A run set does not make the apps one system: their other scripts (a plain `next dev` beside the
  // `dev:monorepo` a root script starts) are alternatives, not evidence.)
  const component = new Map<string, string>();
  const liveComponent = new Map<string, string>();
  const componentSize = new Map<string, number>();
  for (const a of apps) {
    const id = identity(a);
    if (component.has(id)) continue;
    const comp = links.root(id, false);
    component.set(id, comp);
    liveComponent.set(id, links.root(id, true));
    componentSize.set(comp, (componentSize.get(comp) ?? 0) + 1);
  }
  return { apps, component, liveComponent, names, componentSize, linkSignature: links.signature };
}

/** Per port, the running listeners' apps and the places naming it, from every app. */
function byPort(index: WorkspaceView, runs: Runs): Omit<NonNullable<LinkCache['last']>, 'apps' | 'runs'> & { touched?: Set<number> } {
  const listeners = new Map<number, App[]>();
  const names = new Map<number, PortName[]>();
  for (const a of index.apps) {
    for (const l of runningListeners(a, runs)) pushTo(listeners, l.port, a);
    for (const n of namesOf(index, a)) pushTo(names, n.port, n);
  }
  return { listeners, names };
}

/**
 * The last computation's lists with only the replaced apps' contributions changed: new lists for the ports they
 * touch, the others shared. `touched`: the ports whose listeners may have changed.
 */
function replaceApps(
  index: WorkspaceView,
  last: NonNullable<LinkCache['last']>,
  replaced: number[],
  runs: Runs,
): Omit<NonNullable<LinkCache['last']>, 'apps' | 'runs'> & { touched: Set<number> } {
  const apps = index.apps;
  const listeners = new Map(last.listeners);
  const names = new Map(last.names);
  const position = positionsById(apps);
  const touched = new Set<number>();
  for (const i of replaced) {
    const [old, neu] = [last.apps[i], apps[i]];
    const ports = replaceItems(
      listeners,
      (a) => a,
      old,
      runningListeners(old, runs).map((l) => [l.port, old] as const),
      runningListeners(neu, runs).map((l) => [l.port, neu] as const),
      i,
      position,
    );
    for (const port of ports) touched.add(port);
    const pair = (n: PortName) => [n.port, n] as const;
    replaceItems(names, (n) => n.app, old, namesOf(index, old).map(pair), namesOf(index, neu).map(pair), i, position);
  }
  return { listeners, names, touched };
}

/** What the last computation of the systems on this index lends the next. */
function linkCache(index: WorkspaceView): LinkCache {
  let cache = linkCaches.get(raw(index));
  if (!cache) linkCaches.set(raw(index), (cache = { versions: new Map(), next: 1 }));
  return cache;
}

/** 1. One app names a port another listens on (the listener closest in the folder tree, when it is the only one there). Returns every place naming a port. */
function linkByPortNames(index: WorkspaceView, runs: Runs, links: Linker): Map<number, PortName[]> {
  const cache = linkCache(index);
  const apps = index.apps;
  const last = cache.last;
  // (the same runs, and a few apps re-derived in place: their contributions are replaced; else a rebuild)
  const replaced = last && last.runs === runs ? replacedPositions(last.apps, apps) : undefined;
  // Who listens where (running processes only), and the places naming each port, in the order of the apps.
  const { listeners, names, touched } = last && replaced ? replaceApps(index, last, replaced, runs) : byPort(index, runs);
  cache.last = { apps, runs, listeners, names };
  // A port's version changes when what a lookup on it reads changes: its listeners' identities, folders and names.
  const versions = cache.versions;
  for (const port of touched ?? listeners.keys()) {
    const list = listeners.get(port) ?? [];
    const v = versions.get(port);
    if (!v) {
      if (list.length) versions.set(port, { apps: list, version: cache.next++ });
    } else if (!sameListeners(v.apps, list)) {
      v.apps = list;
      v.version = cache.next++;
      v.trie = undefined;
    }
  }
  if (!touched)
    for (const [port, v] of versions) {
      if (listeners.has(port) || v.apps.length === 0) continue;
      v.apps = [];
      v.version = cache.next++;
      v.trie = undefined;
    }
  const versionOf = (port: number) => versions.get(port)?.version ?? 0;
  const trieOf = (port: number): TrieNode => {
    const v = versions.get(port);
    if (!v) return folderTrie([]);
    return (v.trie ??= folderTrie(listeners.get(port) ?? []));
  };
  const next = cache.next;
  for (const a of apps) {
    let pl = portLinksOf.get(a);
    if (pl && pl.checkedAt !== next) {
      if (stillValid(pl, versionOf)) pl.checkedAt = next;
      else pl = undefined;
    }
    if (!pl) portLinksOf.set(a, (pl = portLinks(a, versionOf, trieOf, next)));
    if (pl.links.length) {
      const id = identity(a);
      for (const k of pl.links) links.link(id, k.target, k.reason, k.live);
    }
  }
  return names;
}

/** Whether a lookup on two lists of listening apps gives the same answer: the same identities, folders and names, in order. */
function sameListeners(a: App[], b: App[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && (identity(a[i]) !== identity(b[i]) || a[i].dir !== b[i].dir || a[i].name !== b[i].name)) return false;
  return true;
}

function stillValid(pl: PortLinks, versionOf: (port: number) => number): boolean {
  const l = pl.looked;
  for (let i = 0; i < l.length; i += 2) if (versionOf(l[i]) !== l[i + 1]) return false;
  return true;
}

/** The app each of an app's places naming a port links it to (by the port's listeners as of `versionOf`). */
function portLinks(a: App, versionOf: (port: number) => number, trieOf: (port: number) => TrieNode, now: number): PortLinks {
  const own = new Set(a.listeners.map((l) => l.port));
  const out: PortLinks = { links: [], looked: [], checkedAt: now };
  const looked = new Map<number, number>();
  for (const s of urlSites(a)) {
    if (own.has(s.port)) continue;
    looked.set(s.port, versionOf(s.port));
    const target = nearestIn(trieOf(s.port), a);
    if (!target || exampleRoot(target) !== exampleRoot(a)) continue;
    out.links.push({ target: identity(target), reason: `p\u0001${s.key}\u0001${s.file}\u0001${s.port}\u0001${target.name}`, live: s.live });
  }
  for (const [port, version] of looked) out.looked.push(port, version);
  // (kept until a port it looked up changes: at their exact length)
  return { links: exact(out.links), looked: exact(out.looked), checkedAt: now };
}

/** 2. The same database server in live configuration (an app's uses depend on the app and its machine alone). */
function linkByDatabaseServer(index: WorkspaceView, cache: LinkCache, links: Linker): void {
  linkByKeys(
    cache,
    'servers',
    links,
    index.apps,
    machines(index),
    (a) => localServers(index, a).map((u) => ({ key: u.target.server, label: u.target.serverLabel })),
    (first, a, label) => `d\u0001${first.name}\u0001${a.name}\u0001${label}`,
  );
}

/** The database uses of an app's live env files on a local server (memoised per list of uses). */
const localMemo = new WeakMap<readonly DbUse[], DbUse[]>();
function localServers(index: WorkspaceView, a: App): DbUse[] {
  const uses = appDatabaseUses(index, a);
  let hit = localMemo.get(uses);
  if (!hit) {
    hit = uses.filter((u) => {
      if (!u.envEntry) return false;
      const host = /^[a-z]+:\/\/([^:/]+)/.exec(u.target.server)?.[1] ?? '';
      return isLocalHost(host.replace(/@.*$/, '')) || host.startsWith('localhost');
    });
    localMemo.set(uses, hit);
  }
  return hit;
}

/** 3. A live secret value shared (an app's live secrets depend on the app alone). */
function linkBySecret(apps: readonly App[], cache: LinkCache, links: Linker): void {
  linkByKeys(
    cache,
    'secrets',
    links,
    apps,
    undefined,
    (a) => liveSecrets(a).map((o) => ({ key: o.value, label: o.entry.key })),
    (first, a, label) => `s\u0001${first.name}\u0001${a.name}\u0001${label}`,
  );
}

/** Links each app to the first holder of each key it holds, from the cache's last links by those keys (sharedKeyLinks). */
function linkByKeys(
  cache: LinkCache,
  slot: 'servers' | 'secrets',
  links: Linker,
  ...args: [
    apps: readonly App[],
    basis: unknown,
    keysOf: (a: App) => readonly { key: string; label: string }[],
    reason: (first: App, a: App, label: string) => string,
  ]
): void {
  const prev = cache[slot];
  // (updated in place: a computation that fails half-way leaves nothing half-updated behind)
  cache[slot] = undefined;
  const keys = sharedKeyLinks(prev, ...args);
  cache[slot] = keys;
  replayKeyLinks(keys, links);
}

/** A link by a key two apps hold (a database server, a secret value): from the app holding it later to its first holder. */
interface KeyLink {
  a: App;
  first: App;
  reason: string;
}

/**
 * Links by shared keys, kept from one computation to the next: per key its holders in app order, and per position of
 * an app the links it makes (to the first holder of each of its keys). An edit that re-derives a few apps in place
 * updates their keys, and the links of every holder of a key they had or have; every other app's links are kept.
 */
interface SharedKeys {
  apps: readonly App[];
  /** What the keys depend on besides the apps (for database servers: the apps' machines). */
  basis: unknown;
  holders: Map<string, App[]>;
  made: (KeyLink[] | undefined)[];
}

/**
 * The links an app makes to each key's first holder, in the order of its keys: as the loop over every app in order
 * made them (a key's first holder is the first app that holds it), from the holders of the current apps.
 */
function keyLinksOf(
  a: App,
  keys: readonly { key: string; label: string }[],
  holders: Map<string, App[]>,
  reason: (first: App, a: App, label: string) => string,
): KeyLink[] | undefined {
  let out: KeyLink[] | undefined;
  for (const k of keys) {
    const first = holders.get(k.key)![0];
    if (first !== a) (out ??= []).push({ a, first, reason: reason(first, a, k.label) });
  }
  // (kept until one of the app's keys changes: at its exact length)
  return out && exact(out);
}

/** The shared-key links of `apps`: the last computation's, updated for the apps re-derived in place since; else made anew. */
function sharedKeyLinks(
  prev: SharedKeys | undefined,
  apps: readonly App[],
  basis: unknown,
  keysOf: (a: App) => readonly { key: string; label: string }[],
  reason: (first: App, a: App, label: string) => string,
): SharedKeys {
  const replaced = prev && prev.basis === basis ? replacedPositions(prev.apps, apps) : undefined;
  if (!prev || !replaced) {
    const holders = new Map<string, App[]>();
    const keys = apps.map(keysOf);
    apps.forEach((a, i) => {
      for (const k of keys[i]) pushTo(holders, k.key, a);
    });
    return { apps, basis, holders, made: apps.map((a, i) => keyLinksOf(a, keys[i], holders, reason)) };
  }
  // (the previous state is this computation's to update: nothing else holds it)
  const { holders, made } = prev;
  const position = positionsById(apps);
  const dirty = new Set<number>(replaced);
  for (const i of replaced) {
    const [old, neu] = [prev.apps[i], apps[i]];
    const item = (a: App) => (k: { key: string }) => [k.key, a] as const;
    for (const key of replaceItems(holders, (a) => a, old, keysOf(old).map(item(old)), keysOf(neu).map(item(neu)), i, position))
      for (const h of holders.get(key) ?? []) dirty.add(position.get(h.id)!);
  }
  for (const i of dirty) made[i] = keyLinksOf(apps[i], keysOf(apps[i]), holders, reason);
  return { apps, basis, holders, made };
}

/** Makes the links of `keys`, app by app in order (the first reason given for a pair is the one kept). */
function replayKeyLinks(keys: SharedKeys, links: Linker): void {
  for (const list of keys.made) if (list) for (const l of list) links.union(l.a, l.first, l.reason, true);
}

/** A folder tree of the apps that listen on one port; each folder knows up to 3 of the identities below it. */
interface TrieNode {
  children: Map<string, TrieNode>;
  apps: App[];
}

function folderTrie(apps: App[]): TrieNode {
  const root: TrieNode = { children: new Map(), apps: [] };
  for (const a of apps) {
    let node = root;
    const add = (n: TrieNode) => {
      if (n.apps.length < 3 && !n.apps.some((x) => identity(x) === identity(a))) n.apps.push(a);
    };
    add(node);
    for (const seg of a.dir.split(path.sep)) {
      let next = node.children.get(seg);
      if (!next) node.children.set(seg, (next = { children: new Map(), apps: [] }));
      node = next;
      add(node);
    }
  }
  compactTrie(root);
  return root;
}

/** (a port's trie is kept until its listeners change: its lists at their exact length) */
function compactTrie(node: TrieNode): void {
  node.apps = exact(node.apps);
  for (const child of node.children.values()) compactTrie(child);
}

/**
 * Of the apps in the trie other than `a` (and its replicas), the one closest to `a` in the folder tree, when the
 * closest folder that holds any of them holds exactly one: O(depth of the folder), not O(apps).
 */
function nearestIn(root: TrieNode, a: App): App | undefined {
  const path_: TrieNode[] = [root];
  let node = root;
  for (const seg of a.dir.split(path.sep)) {
    const next = node.children.get(seg);
    if (!next) break;
    path_.push(next);
    node = next;
  }
  for (let i = path_.length - 1; i >= 0; i--) {
    const others = path_[i].apps.filter((x) => identity(x) !== identity(a));
    if (others.length === 0) continue;
    // Up to 3 identities are kept per folder: with `a` among them, 2 others known means "more than one".
    return others.length === 1 && (path_[i].apps.length < 3 || path_[i].apps.some((x) => identity(x) === identity(a))) ? others[0] : undefined;
  }
  return undefined;
}

export function systems(index: WorkspaceView): Systems {
  return derived('systems', index, compute);
}

/** Why two apps of one system are linked (for messages). */
export function whyLinked(index: WorkspaceView, a: App, b: App): string {
  return linkPath(index, systems(index), identity(a), identity(b));
}

/** The text of a link from its reason (Linker): what names the port, or what the two apps share. */
export function linkText(index: WorkspaceView, reason: string): string {
  const [kind, a, b, c, d] = reason.split('\u0001');
  if (kind === 'p') return `${a} in ${rel(index, b)} names port ${c} of ${d}`;
  if (kind === 'd') return `${a} and ${b} use the database server ${c}`;
  return `${a} and ${b} share the value of ${c}`;
}

/** The reason of the direct link from one identity to another (undefined when they are not linked directly). */
export function linkReason(sys: Systems, from: string, to: string): string | undefined {
  const sig = sys.linkSignature.get(from);
  if (sig) for (let i = 0; i < sig.length; i += 2) if (sig[i] === to) return sig[i + 1];
  return undefined;
}

function linkPath(index: WorkspaceView, sys: Systems, from: string, to: string): string {
  const direct = linkReason(sys, from, to);
  if (direct !== undefined) return linkText(index, direct);
  const prev = new Map<string, string>([[from, from]]);
  const queue = [from];
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    const cur = queue[i];
    const sig = sys.linkSignature.get(cur) ?? [];
    for (let j = 0; j < sig.length; j += 2) {
      const next = sig[j];
      if (prev.has(next)) continue;
      prev.set(next, cur);
      if (next === to) {
        const steps: string[] = [];
        for (let n = to; n !== from; n = prev.get(n)!) steps.unshift(linkText(index, linkReason(sys, prev.get(n)!, n)!));
        return steps.length > 3 ? `${steps.slice(0, 2).join('; ')}; and ${steps.length - 2} more links` : steps.join('; ');
      }
      queue.push(next);
    }
  }
  return 'they form one system';
}

/** Places (in apps other than `except`) that name a local port. */
/** Places in the system of `near` (apps other than `except`) that name a local port, the closest in the folder tree first. */
export function portNames(index: WorkspaceView, port: number, near: App, except?: App): PortName[] {
  const sys = systems(index);
  const comp = sys.component.get(identity(near));
  const out = (sys.names.get(port) ?? []).filter((n) => sys.component.get(identity(n.app)) === comp && (!except || identity(n.app) !== identity(except)));
  if (out.length < 2) return out;
  // (a stable sort on the depth of each, computed once)
  const depth = new Map<PortName, number>(out.map((n) => [n, commonDepth(n.app.dir, near.dir)]));
  return out.sort((x, y) => depth.get(y)! - depth.get(x)!);
}

/**
 * Whether two of `apps` run together: they are in one system (facts `components`), or one script starts processes of
 * both (run sets). Replicas (one identity) count as one app. Reads only the listeners of `apps` (a rule passes the
 * apps it judges).
 */
export function runTogetherAmong(index: WorkspaceView, apps: Iterable<App>): (a: App, b: App) => boolean {
  const comps = components(index).component;
  const runs = index.runs();
  const setsOf = new Map<string, Set<number>>();
  for (const a of apps) {
    const id = identity(a);
    const sets = setsOf.get(id) ?? new Set<number>();
    setsOf.set(id, sets);
    for (const l of [...a.listeners, ...a.unknownPorts]) for (const i of runs.setsOf.get(processKey(a.id, l.script)) ?? []) sets.add(i);
  }
  return (a, b) => {
    const [ia, ib] = [identity(a), identity(b)];
    if (comps.get(ia) !== undefined && comps.get(ia) === comps.get(ib)) return true;
    const sb = setsOf.get(ib);
    for (const i of setsOf.get(ia) ?? []) if (sb?.has(i)) return true;
    return false;
  };
}

/** Which system each app (by identity) belongs to, named by its first member: the derived fact `components`, small and stable. */
export interface Components {
  component: Map<string, string>;
  liveComponent: Map<string, string>;
}

export function components(index: WorkspaceView): Components {
  return derived('components', index, (ix) => {
    const sys = systems(ix);
    const last = lastComponents.get(raw(ix));
    // The same systems with the same roots as last time (most edits): the same names, without naming them again.
    if (last && sameMap(last.from.component, sys.component) && sameMap(last.from.liveComponent, sys.liveComponent)) {
      last.from = sys;
      return last.value;
    }
    // Each system is named by its first member in localeCompare order (one pass: no sort of every identity).
    // (a collator made once compares as localeCompare without arguments does, which makes one per call in effect)
    const normal = (m: Map<string, string>) => {
      const first = new Map<string, string>();
      for (const [id, root] of m) {
        const f = first.get(root);
        if (f === undefined || collator.compare(id, f) < 0) first.set(root, id);
      }
      const out = new Map<string, string>();
      for (const [id, root] of m) out.set(id, first.get(root)!);
      return out;
    };
    const value = { component: normal(sys.component), liveComponent: normal(sys.liveComponent) };
    // The previous object when nothing changed: the early cutoff then needs no fingerprint.
    if (last && sameMap(last.value.component, value.component) && sameMap(last.value.liveComponent, value.liveComponent)) {
      last.from = sys;
      return last.value;
    }
    lastComponents.set(raw(ix), { from: sys, value });
    return value;
  });
}

const collator = new Intl.Collator();
/** Per index: the last value of `components`, and the systems it was named from. */
const lastComponents = new WeakMap<WorkspaceView, { from: Systems; value: Components }>();

/** Two maps hold the same entries (forEach: no entry array made per entry, on every edit, for ~2,000 of them). */
function sameMap(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  let same = true;
  a.forEach((v, k) => {
    if (same && b.get(k) !== v) same = false;
  });
  return same;
}
