/**
 * Two server processes of different apps that run at the same time (one script starts both, or the apps form
 * one system: facts/systems.ts) on one machine and want one port. The rules port-collision and implicit-port read it.
 */
import type { App, Fix, Listener, Runs, RunSet, WorkspaceView } from '../model/types';
import type { Report } from '../model/rule';
import { exact } from '../model/compact';
import { processKey } from '../index/runs';
import { identity, inTestFolder, label, listNames, positionsById, pushTo, replacedPositions, replaceItems } from './util';
import { choosePort, setPortFix } from './ports';
import { portNames, systems, whyLinked, type PortName, type Systems } from './systems';
import { checking, derived, derivedPart, lazyDerived, raw } from './track';

// (recomputed with the systems it depends on; the rules that read it are cheap lookups: no early cutoff)
lazyDerived('portCollisions');
// An app's collisions: the same objects while its port's servers, systems and naming places are (computeCollisions).
derivedPart('portCollisions', (value: { byApp: Map<App, Collision[]> }, app: App) => value.byApp.get(app));

interface Entry {
  app: App;
  l: Listener;
}

/** Places in the system that name the port, in the order a message should cite them. */
function portNamesFor(index: WorkspaceView, port: number, e: Entry, sample: Entry[]) {
  // The process's own app first (its own URL expects it there), then third apps, then its partners.
  const partners = new Set(sample.map((p) => identity(p.app)));
  const rank = (n: PortName) => (identity(n.app) === identity(e.app) ? 0 : partners.has(identity(n.app)) ? 2 : 1);
  // The systems of the process and of its partners (one script may start apps that are not one system).
  const seen = new Set<PortName>();
  const all: PortName[] = [];
  for (const near of [e.app, ...sample.map((p) => p.app)]) {
    for (const n of portNames(index, port, near)) {
      if (seen.has(n)) continue;
      seen.add(n);
      all.push(n);
    }
  }
  return all.sort((x, y) => rank(x) - rank(y));
}

interface Bucket {
  entries: Entry[];
  total: number;
  hard: number;
  /** identity -> [entries, non-drifting entries] */
  byId: Map<string, [number, number]>;
}

/**
 * The buckets a process is placed in (the run sets that start it; its system for its role) and the buckets it looks
 * for partners in: dev servers meet dev servers of their system, production servers those their live configuration
 * links, `server` processes both. A test harness (an app under a test folder) meets only the processes one script
 * starts with it.
 */
function bucketKeys(index: WorkspaceView, sys: Systems) {
  const runs = index.runs();
  const comp = (e: Entry) => sys.component.get(identity(e.app));
  const live = (e: Entry) => sys.liveComponent.get(identity(e.app));
  const setsOf = (e: Entry) => runs.setsOf.get(processKey(e.app.id, e.l.script)) ?? [];
  // A test harness: an app under a test folder, or a process only a test runner starts (Playwright's webServer).
  const harness = (e: Entry) => inTestFolder(e.app.root, e.app.dir) || !!runs.harnessOnly?.has(processKey(e.app.id, e.l.script));
  const memberKeys = (e: Entry): string[] => {
    const keys = setsOf(e).map((i) => `set:${i}`);
    if (harness(e)) return keys;
    if (e.l.role === 'dev') keys.push(`D:${comp(e)}`);
    else if (e.l.role === 'start') keys.push(`S:${live(e)}`);
    else if (e.l.role === 'server') keys.push(`V:${comp(e)}`, `W:${live(e)}`);
    return keys;
  };
  const queryKeys = (e: Entry): string[] => {
    if (harness(e)) return [];
    if (e.l.role === 'dev') return [`D:${comp(e)}`, `V:${comp(e)}`];
    if (e.l.role === 'start') return [`S:${live(e)}`, `W:${live(e)}`];
    if (e.l.role === 'server') return [`D:${comp(e)}`, `S:${live(e)}`, `W:${live(e)}`];
    return [];
  };
  return { setsOf, memberKeys, queryKeys };
}

/**
 * Who runs together with whom on one port, without comparing every pair (a default port can have hundreds of
 * servers): each process is placed in buckets (the run sets that start it; its system for its role) and looks for
 * partners in the buckets its role meets (rules/systems.ts: dev servers with dev servers of their system, production
 * servers with those their live configuration links, `server` processes with both).
 */
function partnerBuckets(index: WorkspaceView, sys: Systems, entries: Entry[]) {
  const runs = index.runs();
  const buckets = new Map<string, Bucket>();
  const { setsOf, memberKeys, queryKeys } = bucketKeys(index, sys);
  for (const e of entries) for (const key of memberKeys(e)) addToBucket(buckets, key, e);
  return {
    /** The partners of a process: whether one script starts them (certain), whether one cannot move either (hard), and a few of them. */
    partnersOf(e: Entry): { certain?: RunSet; hard: boolean; others: number; sample: Entry[] } | undefined {
      const id = identity(e.app);
      // Run groups of scripts first, then the servers a test runner starts together (Playwright's webServer).
      const [setKeys, harnessKeys] = splitSets(runs, setsOf(e));
      const look = (keys: string[]) => {
        let others = 0;
        let hard = 0;
        for (const key of keys) {
          const b = buckets.get(key);
          if (!b) continue;
          const mine = b.byId.get(id) ?? [0, 0];
          others += b.total - mine[0];
          hard += b.hard - mine[1];
        }
        return { others, hard };
      };
      const sampleFrom = (keys: string[], hardOnly: boolean): Entry[] => {
        const out = new Map<string, Entry>();
        for (const key of keys) {
          for (const x of buckets.get(key)?.entries ?? []) {
            if (identity(x.app) === id || out.has(identity(x.app)) || (hardOnly && x.l.drifts)) continue;
            out.set(identity(x.app), x);
            if (out.size >= 20) return [...out.values()];
          }
        }
        return [...out.values()];
      };
      let certain = look(setKeys);
      let certainKeys = setKeys;
      if (certain.others <= 0 && harnessKeys.length) [certain, certainKeys] = [look(harnessKeys), harnessKeys];
      const keys = certain.others > 0 ? certainKeys : queryKeys(e);
      const counts = certain.others > 0 ? certain : look(keys);
      if (counts.others <= 0) return undefined;
      const hard = !e.l.drifts && counts.hard > 0;
      const sample = sampleFrom(keys, hard);
      if (!sample.length) return undefined;
      const inKeys = new Set(certainKeys);
      const sampleKeys = certain.others > 0 ? new Set(sample.map((x) => processKey(x.app.id, x.l.script))) : undefined;
      const set = sampleKeys
        ? setsOf(e)
            .filter((i) => inKeys.has(`set:${i}`))
            .map((i) => runs.sets[i])
            .find((s2) => s2.processes.some((p) => sampleKeys.has(p)))
        : undefined;
      return { certain: set ?? (certain.others > 0 ? runs.sets[Number(certainKeys[0].slice(4))] : undefined), hard, others: counts.others, sample };
    },
  };
}

function addToBucket(buckets: Map<string, Bucket>, key: string, e: Entry): void {
  let b = buckets.get(key);
  if (!b) buckets.set(key, (b = { entries: [], total: 0, hard: 0, byId: new Map() }));
  const id = identity(e.app);
  const c = b.byId.get(id) ?? [0, 0];
  c[0]++;
  b.total++;
  if (!e.l.drifts) {
    c[1]++;
    b.hard++;
  }
  b.byId.set(id, c);
  if (b.entries.length < 64) b.entries.push(e);
}

/** The keys of a process's run sets: those of scripts, and those of test runners. */
function splitSets(runs: Runs, sets: number[]): [string[], string[]] {
  const plain: string[] = [];
  const harness: string[] = [];
  for (const i of sets) (runs.sets[i].harness ? harness : plain).push(`set:${i}`);
  return [plain, harness];
}

const MAX_NAMED = 2;

/** A collision to report, on the app whose listener it is about. */
export type Collision = Report & { app: App };

/**
 * The port collisions of the workspace, by app, and the listeners they are about (implicit-port stays silent on
 * those): the derived fact `portCollisions`.
 */
export function collisions(index: WorkspaceView): { byApp: Map<App, Collision[]>; reported: Set<Listener> } {
  return derived('portCollisions', index, computeCollisions);
}

/**
 * What the last computation of the collisions lends the next, per workspace index. The collisions on one port are a
 * function of the servers on it, of the runs, of the systems of those servers' apps (their links and the places in
 * them naming the port): an edit of one app recomputes only the ports whose servers or systems it touched.
 */
interface PortMemo {
  entries: Entry[];
  /** Which of the entries' apps, and of the apps naming the port, are in one system (partition()). */
  partition: string;
  /** The systems of the entries' apps. */
  systems: string[];
  names: readonly PortName[] | undefined;
  /** The reasons given for two apps running together, as computed (whyLinked). */
  why: { a: App; b: App; text: string }[];
  found: Collision[];
  reported: Listener[];
}
interface CollisionCache {
  /** The apps (messages label an app by its name, with its id when another app has that name). */
  apps: readonly App[];
  runs: Runs;
  config: unknown;
  roots: readonly string[];
  component: Map<string, string>;
  liveComponent: Map<string, string>;
  linkSignature: Map<string, readonly string[]>;
  ports: Map<string, PortMemo>;
  /** The started servers by host and port (serversByPort). */
  byPort: Map<string, Entry[]>;
}
const caches = new WeakMap<object, CollisionCache>();

/** The systems (old or new names) of the identities whose links or system changed between two computations. */
function changedSystems(before: CollisionCache, sys: Systems): Set<string> {
  const out = new Set<string>();
  const check = (id: string) => {
    const c = sys.component.get(id);
    const l = sys.liveComponent.get(id);
    const c0 = before.component.get(id);
    const l0 = before.liveComponent.get(id);
    if (c === c0 && l === l0 && sameStrings(sys.linkSignature.get(id), before.linkSignature.get(id))) return;
    for (const x of [c, l, c0, l0]) if (x !== undefined) out.add(x);
  };
  for (const id of sys.component.keys()) check(id);
  for (const id of before.component.keys()) if (!sys.component.has(id)) check(id);
  return out;
}

/**
 * Which servers on a port are in one system (all links, live links), and which places naming the port are in the
 * system of which server: all the collisions on a port read of the systems, but the reasons for links.
 */
function partition(sys: Systems, entries: Entry[], names: readonly PortName[] | undefined): string {
  const classes = new Map<string, number>();
  const cls = (c: string) => {
    let i = classes.get(c);
    if (i === undefined) classes.set(c, (i = classes.size));
    return i;
  };
  let out = '';
  for (const e of entries) out += `${cls(`c${sys.component.get(identity(e.app))}`)},${cls(`l${sys.liveComponent.get(identity(e.app))}`)};`;
  out += '|';
  for (const n of names ?? []) out += `${classes.get(`c${sys.component.get(identity(n.app))}`) ?? -1},`;
  return out;
}

function sameRoster(a: readonly App[], b: readonly App[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && (a[i].id !== b[i].id || a[i].name !== b[i].name)) return false;
  return true;
}

function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameEntries(a: Entry[], b: Entry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].app !== b[i].app || a[i].l !== b[i].l) return false;
  return true;
}

function sameNames(a: readonly PortName[] | undefined, b: readonly PortName[] | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * An app's servers that something starts (a script, or only a test runner), each with its host and port: memoised
 * per app while the runs are the same object (the index keeps them while the scripts that start servers are the same).
 */
function startedServers(app: App, runs: Runs): { k: string; e: { app: App; l: Listener } }[] {
  const hit = checking() ? undefined : started.get(app);
  if (hit && hit.runs === runs) return hit.list;
  const list: { k: string; e: { app: App; l: Listener } }[] = [];
  for (const l of app.listeners) {
    const pk = processKey(app.id, l.script);
    if (!runs.running.has(pk) && !runs.harnessOnly?.has(pk)) continue;
    list.push({ k: `${app.host}\0${l.port}`, e: { app, l } });
  }
  if (checking()) return list;
  const kept = exact(list);
  started.set(app, { runs, list: kept });
  return kept;
}
const started = new WeakMap<App, { runs: Runs; list: { k: string; e: { app: App; l: Listener } }[] }>();

/**
 * The started servers by host and port, in app order: the last computation's lists with only the re-derived apps'
 * servers replaced (new lists for the keys they touch, the others shared) when it was made with the same runs and at
 * most a few apps were re-derived in place; else made from every app.
 */
function serversByPort(apps: readonly App[], runs: Runs, before: CollisionCache | undefined): Map<string, Entry[]> {
  const replaced = before && before.runs === runs ? replacedPositions(before.apps, apps) : undefined;
  if (!before || !replaced) {
    const byPort = new Map<string, Entry[]>();
    for (const app of apps) for (const { k, e } of startedServers(app, runs)) pushTo(byPort, k, e);
    return byPort;
  }
  const byPort = new Map(before.byPort);
  const position = positionsById(apps);
  const pair = (x: { k: string; e: Entry }) => [x.k, x.e] as const;
  for (const i of replaced)
    replaceItems(byPort, (e) => e.app, before.apps[i], startedServers(before.apps[i], runs).map(pair), startedServers(apps[i], runs).map(pair), i, position);
  return byPort;
}

function computeCollisions(index: WorkspaceView): { byApp: Map<App, Collision[]>; reported: Set<Listener> } {
  const runs = index.runs();
  const ix = raw(index);
  const before = caches.get(ix);
  const byPort = serversByPort(index.apps, runs, before);
  const byApp = new Map<App, Collision[]>();
  const reported = new Set<Listener>();
  const sys = systems(index);
  const reuse = before && before.runs === runs && before.config === ix.config && before.roots === ix.roots && sameRoster(before.apps, index.apps);
  const dirty = reuse ? changedSystems(before, sys) : undefined;
  const ports = new Map<string, PortMemo>();
  caches.set(ix, {
    apps: index.apps,
    roots: ix.roots,
    runs,
    config: ix.config,
    component: sys.component,
    liveComponent: sys.liveComponent,
    linkSignature: sys.linkSignature,
    ports,
    byPort,
  });
  for (const [portKey, entries] of byPort) {
    if (entries.length < 2 || new Set(entries.map((e) => identity(e.app))).size < 2) continue;
    const systemsOf = entries.map((e) => sys.component.get(identity(e.app))!);
    const names = sys.names.get(entries[0].l.port);
    const part = partition(sys, entries, names);
    const old = reuse ? before.ports.get(portKey) : undefined;
    let memo: PortMemo;
    if (
      old &&
      sameEntries(old.entries, entries) &&
      sameNames(old.names, names) &&
      old.partition === part &&
      // Links changed in these systems: the reasons given must be the same.
      (![...old.systems, ...systemsOf].some((c) => dirty!.has(c)) || old.why.every((w) => whyLinked(index, w.a, w.b) === w.text))
    ) {
      memo = old;
      memo.systems = systemsOf;
    } else {
      memo = { entries, partition: part, systems: systemsOf, names, why: [], found: [], reported: [] };
      collisionsOn(index, sys, entries, memo);
    }
    ports.set(portKey, memo);
    for (const c of memo.found) {
      const list = byApp.get(c.app);
      if (list) list.push(c);
      else byApp.set(c.app, [c]);
    }
    for (const l of memo.reported) reported.add(l);
  }
  return { byApp, reported };
}

/** The collisions among the servers on one port (of one host). */
function collisionsOn(index: WorkspaceView, sys: Systems, entries: Entry[], memo: PortMemo): void {
  {
    if (new Set(entries.map((e) => identity(e.app))).size < 2) return;
    const port = entries[0].l.port;
    const buckets = partnerBuckets(index, sys, entries);
    // One finding per distinct source of the port (several scripts may read one .env line).
    const seen = new Set<string>();
    for (const e of entries) {
      const k = `${e.l.source.file}\0${e.l.source.range.start.line}\0${e.l.source.range.start.character}`;
      if (seen.has(k)) continue;
      const found = buckets.partnersOf(e);
      if (!found) continue;
      const { certain, hard, sample } = found;
      const names = portNamesFor(index, port, e, sample);
      // A server that does not move, started together with one that does: if the mover starts first, this one fails.
      const race = !hard && !names.length && !e.l.drifts && !!certain;
      if (!hard && !names.length && !race) continue; // the movers move: nothing in the workspace depends on who gets the port
      seen.add(k);
      memo.reported.push(e.l);
      const first = sample[0];
      const shown = sample.slice(0, MAX_NAMED).map((p) => label(index, p.app));
      const rest = sample.length - shown.length;
      const who = rest > 0 ? `${shown.join(', ')} and ${rest}${sample.length >= 20 ? '+' : ''} other app${rest === 1 ? '' : 's'}` : listNames(shown);
      let how: string;
      if (certain) how = `started together by ${certain.label}`;
      else {
        const text = whyLinked(index, e.app, first.app);
        memo.why.push({ a: e.app, b: first.app, text });
        how = `assumed to run together: ${text}`;
      }
      const mover = sample.find((p) => p.l.drifts) ?? first;
      const message = hard
        ? `Port ${port} of ${label(index, e.app)} is also the port of ${who}, which run${sample.length > 1 ? '' : 's'} at the same time.`
        : race
          ? `Port ${port} of ${label(index, e.app)} is also the port of ${who}, started with it: if ${label(index, mover.app)} (${mover.l.tool}, which moves) is first, ${label(index, e.app)} fails with EADDRINUSE.`
          : `${label(index, e.app)} and ${sample.length === 1 ? label(index, first.app) : `${sample.length}${sample.length >= 20 ? '+' : ''} other apps`} want port ${port}: ${(e.l.drifts ? e.l : first.l).tool} moves but ${names[0].key} in ${label(index, names[0].app)} expects it.`;
      // Why the apps are taken to run together goes with the first other app (the message stays one short line).
      const related = sample
        .slice(0, 20)
        .map((p, i) => ({ location: p.l.source, message: `${label(index, p.app)} listens on ${port}: ${p.l.reason}${i === 0 ? ` (${how})` : ''}` }));
      if (!hard) related.push(...names.slice(0, 5).map((n) => ({ location: n.location, message: `${n.text} names port ${port}` })));
      const l = e.l;
      const app = e.app;
      const fixes = (): Fix[] => {
        if (l.explicit) return [];
        const n = choosePort(index, app, l);
        const fix = n !== undefined && n !== port ? setPortFix(index, app, l, n, { move: true }) : undefined;
        return fix ? [fix] : [];
      };
      memo.found.push({ weaker: !hard, message, at: l.source, related, app, fixes });
    }
  }
}
