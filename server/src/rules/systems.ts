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
import type { App, EnvEntry, Listener, Location, RunSet, WorkspaceView } from '../model/types';
import { processKey } from '../index/runs';
import { appDatabaseUses } from './databases';
import { liveSecrets } from './duplicate-secret';
import { identity, isLocalHost, originOf, rel } from './util';

/** A place that names a local port: an env value (live or template), a code default. */
export interface PortName {
  app: App;
  key: string;
  location: Location;
  port: number;
  /** What it is, for messages: `CORS_ORIGIN in api/.env`. */
  text: string;
}

interface Systems {
  apps: readonly App[];
  /** Identity -> its system, from every link (what dev servers run with). */
  component: Map<string, string>;
  /** Identity -> its system from links in live configuration only (what production servers on this machine run with). */
  liveComponent: Map<string, string>;
  /** Identity -> identity -> why they are linked (direct links only). */
  edges: Map<string, Map<string, string>>;
  /** Port -> places naming it. */
  names: Map<number, PortName[]>;
}

const cache = new WeakMap<WorkspaceView, Systems>();

/** URL values in an app's env files (live and templates) and code defaults. */
function urlSites(app: App): { key: string; value: string; location: Location; file: string; live: boolean }[] {
  const out: { key: string; value: string; location: Location; file: string; live: boolean }[] = [];
  for (const f of app.envFiles) for (const e of f.entries) out.push(...splitUrls(e).map((value) => ({ key: e.key, value, location: { file: e.file, range: e.range }, file: e.file, live: f.kind === 'live' })));
  for (const c of app.code) for (const d of c.defaults) out.push({ key: d.key, value: d.value, location: { file: c.file, range: d.range }, file: c.file, live: false });
  return out;
}

function splitUrls(e: EnvEntry): string[] {
  const v = e.expanded ?? e.value;
  return v.includes(',') ? v.split(',').map((x) => x.trim()).filter(Boolean) : [v];
}

function compute(index: WorkspaceView): Systems {
  const apps = index.apps;
  const parent = new Map<string, string>();
  const edges = new Map<string, Map<string, string>>();
  const liveParent = new Map<string, string>();
  const find = (par: Map<string, string>, x: string): string => {
    let r = x;
    while (par.get(r) !== undefined && par.get(r) !== r) r = par.get(r)!;
    par.set(x, r);
    return r;
  };
  const join = (par: Map<string, string>, x: string, y: string) => {
    const rx = find(par, x);
    const ry = find(par, y);
    if (rx !== ry) par.set(rx, ry);
  };
  /** Links two apps; `live`: the link comes from live configuration (env files in use on this machine), not templates, code defaults or dev scripts. */
  const union = (a: App, b: App, why: string, live: boolean) => {
    const x = identity(a);
    const y = identity(b);
    if (x === y) return;
    for (const [p, q] of [[x, y], [y, x]]) {
      const m = edges.get(p) ?? new Map<string, string>();
      if (!m.has(q)) m.set(q, why);
      edges.set(p, m);
    }
    join(parent, x, y);
    if (live) join(liveParent, x, y);
  };
  for (const a of apps) {
    parent.set(identity(a), identity(a));
    liveParent.set(identity(a), identity(a));
  }

  // Who listens where (running processes only).
  const runs = index.runs();
  const listenersByPort = new Map<number, { app: App; l: Listener }[]>();
  for (const a of apps) {
    for (const l of a.listeners) {
      if (!runs.running.has(processKey(a.id, l.script))) continue;
      const list = listenersByPort.get(l.port) ?? [];
      list.push({ app: a, l });
      listenersByPort.set(l.port, list);
    }
  }

  // 1. One app names a port another listens on.
  const names = new Map<number, PortName[]>();
  for (const a of apps) {
    const own = new Set(a.listeners.map((l) => l.port));
    for (const s of urlSites(a)) {
      const o = originOf(s.value);
      if (!o || !o.local || !o.port || !/^(https?|wss?)$/.test(o.scheme)) continue;
      const list = names.get(o.port) ?? [];
      list.push({ app: a, key: s.key, location: s.location, port: o.port, text: `${s.key} in ${rel(index, s.file)}` });
      names.set(o.port, list);
      if (own.has(o.port)) continue;
      const target = nearest(a, (listenersByPort.get(o.port) ?? []).map((x) => x.app).filter((b) => identity(b) !== identity(a)));
      if (target) union(a, target, `${s.key} in ${rel(index, s.file)} names port ${o.port} of ${target.name}`, s.live);
    }
  }
  // 2. The same database server in live configuration.
  const byServer = new Map<string, App>();
  for (const a of apps) {
    for (const u of appDatabaseUses(index, a)) {
      if (!u.envEntry) continue;
      const host = /^[a-z]+:\/\/([^:/]+)/.exec(u.target.server)?.[1] ?? '';
      if (!isLocalHost(host.replace(/@.*$/, '')) && !host.startsWith('localhost')) continue;
      const first = byServer.get(u.target.server);
      if (!first) byServer.set(u.target.server, a);
      else union(a, first, `${first.name} and ${a.name} use the database server ${u.target.serverLabel}`, true);
    }
  }
  // 3. A live secret value shared.
  const bySecret = new Map<string, App>();
  for (const a of apps) {
    for (const o of liveSecrets(a)) {
      const first = bySecret.get(o.value);
      if (!first) bySecret.set(o.value, a);
      else union(a, first, `${first.name} and ${a.name} share the value of ${o.entry.key}`, true);
    }
  }
  // 4. Processes one script starts together.
  const byId = new Map(apps.map((a) => [a.id, a]));
  for (const set of runs.sets) {
    const members = set.processes.map((k) => byId.get(k.slice(0, k.indexOf('\0')))).filter((x): x is App => !!x);
    for (const m of members.slice(1)) union(members[0], m, `${set.label} starts them together`, false);
  }
  const component = new Map<string, string>();
  const liveComponent = new Map<string, string>();
  for (const a of apps) {
    component.set(identity(a), find(parent, identity(a)));
    liveComponent.set(identity(a), find(liveParent, identity(a)));
  }
  return { apps, component, liveComponent, edges, names };
}

/** Of several candidate apps, the one closest to `a` in the folder tree, when exactly one is closest. */
function nearest(a: App, candidates: App[]): App | undefined {
  const ids = new Set(candidates.map(identity));
  if (ids.size === 0) return undefined;
  if (ids.size === 1) return candidates[0];
  const depth = (b: App) => commonDepth(a.dir, b.dir);
  let best = -1;
  let winners: App[] = [];
  for (const c of candidates) {
    const d = depth(c);
    if (d > best) [best, winners] = [d, [c]];
    else if (d === best) winners.push(c);
  }
  return new Set(winners.map(identity)).size === 1 ? winners[0] : undefined;
}

function commonDepth(a: string, b: string): number {
  const x = a.split(path.sep);
  const y = b.split(path.sep);
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return i;
}

export function systems(index: WorkspaceView): Systems {
  let s = cache.get(index);
  if (!s || s.apps !== index.apps) cache.set(index, (s = compute(index)));
  return s;
}

/** How two processes run together: a run set that starts both, or the link that makes their apps one system; undefined when nothing shows they do. */
export function together(index: WorkspaceView, a: App, la: Listener, b: App, lb: Listener): { certain?: RunSet; assumed?: string } | undefined {
  const runs = index.runs();
  const ka = processKey(a.id, la.script);
  const kb = processKey(b.id, lb.script);
  if (!runs.running.has(ka) || !runs.running.has(kb)) return undefined;
  const sa = runs.setsOf.get(ka) ?? [];
  const sb = new Set(runs.setsOf.get(kb) ?? []);
  const shared = sa.find((i) => sb.has(i));
  if (shared !== undefined) return { certain: runs.sets[shared] };
  if (!rolesMeet(la, lb)) return undefined;
  const sys = systems(index);
  // Dev servers of one system run together; production servers only when live configuration on this machine links them
  // (a monorepo's apps are usually deployed apart, while checkouts configured side by side on one machine run there together).
  const dev = la.role === 'dev' || lb.role === 'dev';
  const comp = dev ? sys.component : sys.liveComponent;
  const ca = comp.get(identity(a));
  if (ca === undefined || ca !== comp.get(identity(b))) return undefined;
  return { assumed: linkPath(sys, identity(a), identity(b)) };
}

/** Why two apps of one system are linked: the direct link, else the links of a shortest path (breadth-first, bounded). */
function linkPath(sys: Systems, from: string, to: string): string {
  const direct = sys.edges.get(from)?.get(to);
  if (direct) return direct;
  const prev = new Map<string, string>([[from, from]]);
  const queue = [from];
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    const cur = queue[i];
    for (const next of sys.edges.get(cur)?.keys() ?? []) {
      if (prev.has(next)) continue;
      prev.set(next, cur);
      if (next === to) {
        const steps: string[] = [];
        for (let n = to; n !== from; n = prev.get(n)!) steps.unshift(sys.edges.get(prev.get(n)!)!.get(n)!);
        return steps.length > 3 ? `${steps.slice(0, 2).join('; ')}; and ${steps.length - 2} more links` : steps.join('; ');
      }
      queue.push(next);
    }
  }
  return 'they form one system';
}

/** Dev servers run with dev servers, production servers with production servers; previews and component explorers only when a script starts them together. */
function rolesMeet(a: Listener, b: Listener): boolean {
  if (a.role === 'preview' || a.role === 'storybook' || b.role === 'preview' || b.role === 'storybook') return false;
  return a.role === b.role || a.role === 'server' || b.role === 'server';
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
