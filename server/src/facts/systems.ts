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
import type { App, EnvEntry, Listener, Location, Runs, WorkspaceView } from '../model/types';
import { processKey } from '../index/runs';
import { appDatabaseUses } from './databases';
import { liveSecrets } from './secrets';
import { commonDepth, identity, isLocalHost, isTestCode, originOf, perApp, rel } from './util';
import { derived, lazyDerived } from './track';

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
  /** Identity -> identity -> why they are linked (direct links only; the text is made when a message needs it). */
  edges: Map<string, Map<string, () => string>>;
  /** Port -> places naming it. */
  names: Map<number, PortName[]>;
  /** System -> how many apps (replicas counted once) it holds. */
  componentSize: Map<string, number>;
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

/** Union-find over app identities, with the reason for each direct link (for messages). */
class Linker {
  readonly parent = new Map<string, string>();
  readonly liveParent = new Map<string, string>();
  readonly edges = new Map<string, Map<string, () => string>>();

  constructor(apps: readonly App[]) {
    for (const a of apps) {
      this.parent.set(identity(a), identity(a));
      this.liveParent.set(identity(a), identity(a));
    }
  }

  find(par: Map<string, string>, x: string): string {
    let r = x;
    while (par.get(r) !== undefined && par.get(r) !== r) r = par.get(r)!;
    par.set(x, r);
    return r;
  }

  private join(par: Map<string, string>, x: string, y: string): void {
    const rx = this.find(par, x);
    const ry = this.find(par, y);
    if (rx !== ry) par.set(rx, ry);
  }

  /** Links two apps; `live`: the link comes from live configuration (env files in use on this machine), not templates, code defaults or dev scripts. */
  union(a: App, b: App, why: () => string, live: boolean): void {
    const x = identity(a);
    const y = identity(b);
    if (x === y) return;
    for (const [p, q] of [
      [x, y],
      [y, x],
    ]) {
      const m = this.edges.get(p) ?? new Map<string, () => string>();
      if (!m.has(q)) m.set(q, why);
      this.edges.set(p, m);
    }
    this.join(this.parent, x, y);
    if (live) this.join(this.liveParent, x, y);
  }
}

function compute(index: WorkspaceView): Systems {
  const apps = index.apps;
  const links = new Linker(apps);
  const runs = index.runs();
  const names = linkByPortNames(index, runs, links);
  linkByDatabaseServer(index, links);
  linkBySecret(apps, links);
  // (Processes one script starts together run together for certain: index/runs.ts's sets, which the port rules consult
  // first. A run set does not make the apps one system: their other scripts (a plain `next dev` beside the
  // `dev:monorepo` a root script starts) are alternatives, not evidence.)
  const component = new Map<string, string>();
  const liveComponent = new Map<string, string>();
  for (const a of apps) {
    component.set(identity(a), links.find(links.parent, identity(a)));
    liveComponent.set(identity(a), links.find(links.liveParent, identity(a)));
  }
  const componentSize = new Map<string, number>();
  for (const c of new Set(apps.map((a) => identity(a)))) {
    const comp = component.get(c)!;
    componentSize.set(comp, (componentSize.get(comp) ?? 0) + 1);
  }
  return { apps, component, liveComponent, edges: links.edges, names, componentSize };
}

/** 1. One app names a port another listens on (the listener closest in the folder tree, when it is the only one there). Returns every place naming a port. */
function linkByPortNames(index: WorkspaceView, runs: Runs, links: Linker): Map<number, PortName[]> {
  // Who listens where (running processes only).
  const listenersByPort = new Map<number, { app: App; l: Listener }[]>();
  for (const a of index.apps) {
    for (const l of a.listeners) {
      if (!runs.running.has(processKey(a.id, l.script))) continue;
      const list = listenersByPort.get(l.port) ?? [];
      list.push({ app: a, l });
      listenersByPort.set(l.port, list);
    }
  }
  const tries = new Map<number, TrieNode>();
  const names = new Map<number, PortName[]>();
  for (const a of index.apps) {
    const own = new Set(a.listeners.map((l) => l.port));
    for (const s of urlSites(a)) {
      const list = names.get(s.port) ?? [];
      list.push({
        app: a,
        key: s.key,
        location: s.location,
        port: s.port,
        get text() {
          return `${s.key} in ${rel(index, s.file)}`;
        },
      });
      names.set(s.port, list);
      if (own.has(s.port)) continue;
      let trie = tries.get(s.port);
      if (!trie) tries.set(s.port, (trie = folderTrie((listenersByPort.get(s.port) ?? []).map((x) => x.app))));
      const target = nearestIn(trie, a);
      if (target) links.union(a, target, () => `${s.key} in ${rel(index, s.file)} names port ${s.port} of ${target.name}`, s.live);
    }
  }
  return names;
}

/** 2. The same database server in live configuration. */
function linkByDatabaseServer(index: WorkspaceView, links: Linker): void {
  const byServer = new Map<string, App>();
  for (const a of index.apps) {
    for (const u of appDatabaseUses(index, a)) {
      if (!u.envEntry) continue;
      const host = /^[a-z]+:\/\/([^:/]+)/.exec(u.target.server)?.[1] ?? '';
      if (!isLocalHost(host.replace(/@.*$/, '')) && !host.startsWith('localhost')) continue;
      const first = byServer.get(u.target.server);
      if (!first) byServer.set(u.target.server, a);
      else links.union(a, first, () => `${first.name} and ${a.name} use the database server ${u.target.serverLabel}`, true);
    }
  }
}

/** 3. A live secret value shared. */
function linkBySecret(apps: readonly App[], links: Linker): void {
  const bySecret = new Map<string, App>();
  for (const a of apps) {
    for (const o of liveSecrets(a)) {
      const first = bySecret.get(o.value);
      if (!first) bySecret.set(o.value, a);
      else links.union(a, first, () => `${first.name} and ${a.name} share the value of ${o.entry.key}`, true);
    }
  }
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
  return root;
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
  return linkPath(systems(index), identity(a), identity(b));
}

function linkPath(sys: Systems, from: string, to: string): string {
  const direct = sys.edges.get(from)?.get(to);
  if (direct) return direct();
  const prev = new Map<string, string>([[from, from]]);
  const queue = [from];
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    const cur = queue[i];
    for (const next of sys.edges.get(cur)?.keys() ?? []) {
      if (prev.has(next)) continue;
      prev.set(next, cur);
      if (next === to) {
        const steps: string[] = [];
        for (let n = to; n !== from; n = prev.get(n)!) steps.unshift(sys.edges.get(prev.get(n)!)!.get(n)!());
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
  out.sort((x, y) => commonDepth(y.app.dir, near.dir) - commonDepth(x.app.dir, near.dir));
  return out;
}

/** Which system each app (by identity) belongs to, named by its first member: the derived fact `components`, small and stable. */
export interface Components {
  component: Map<string, string>;
  liveComponent: Map<string, string>;
}

export function components(index: WorkspaceView): Components {
  return derived('components', index, (ix) => {
    const sys = systems(ix);
    const normal = (m: Map<string, string>) => {
      const first = new Map<string, string>();
      for (const [id, root] of [...m].sort((a, b) => a[0].localeCompare(b[0]))) if (!first.has(root)) first.set(root, id);
      return new Map([...m].map(([id, root]) => [id, first.get(root)!]));
    };
    return { component: normal(sys.component), liveComponent: normal(sys.liveComponent) };
  });
}
