import { randomBytes } from 'node:crypto';
import { checking } from './track';
import * as path from 'node:path';
import type { App, EnvEntry, Listener, Location, Range, Runs, TextEditAt, WorkspaceView } from '../model/types';
import { processKey } from '../index/runs';
import { LineIndex } from '../model/text';
import { exact } from '../model/compact';
import { TEST_FOLDER } from '../model/file-kinds';
import { relativeTo } from '../model/paths';

export const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0', '']);

export function isLocalHost(host: string): boolean {
  return LOCAL_HOSTS.has(host.toLowerCase()) || host.toLowerCase().endsWith('.localhost');
}

/** Apps that are replicas of one app share an identity: they never conflict with each other. */
export function identity(app: App): string {
  return app.replicaKey;
}

/** How many leading folders two absolute paths share. */
export function commonDepth(a: string, b: string): number {
  const x = a.split(path.sep);
  const y = b.split(path.sep);
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return i;
}

/** A path relative to the app's workspace root, for messages. */
export function rel(index: WorkspaceView, file: string): string {
  let best = '';
  for (const r of index.roots) if (file.startsWith(r) && r.length > best.length) best = r;
  const relPath = best ? relativeTo(best, file) : file;
  const out = relPath.split(path.sep).join('/');
  return index.roots.length > 1 && best ? `${path.basename(best)}/${out}` : out;
}

export function where(index: WorkspaceView, l: Location): string {
  return `${rel(index, l.file)}:${l.range.start.line + 1}`;
}

export function envLocation(e: EnvEntry): Location {
  return { file: e.file, range: e.range };
}

/** The live (non-template) env entries of an app. */
export function liveEntries(app: App): EnvEntry[] {
  return app.envFiles.filter((f) => f.kind === 'live').flatMap((f) => f.entries);
}

/** 32 random bytes from crypto, base64: a fresh secret. Never logged. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64');
}

/** Replaces an env entry's value, keeping its quoting (unquoted values get double quotes only if needed). */
export function replaceEnvValue(e: EnvEntry, newValue: string): TextEditAt {
  if (e.quote) return { file: e.file, range: e.innerRange, newText: newValue };
  const needsQuotes = /[\s#'"`]/.test(newValue);
  return { file: e.file, range: e.valueRange, newText: needsQuotes ? `"${newValue}"` : newValue };
}

export interface Origin {
  scheme: string;
  host: string;
  port: number;
  local: boolean;
  /** Normalised text, local hosts folded to `localhost`. */
  key: string;
}

/** originOf is pure and called for every URL-valued entry on every pass: remember recent answers. */
const originCache = new Map<string, Origin | null>();
export function originOf(value: string): Origin | undefined {
  const hit = originCache.get(value);
  if (hit !== undefined) return hit ?? undefined;
  const o = computeOrigin(value);
  if (originCache.size > 50_000) originCache.clear();
  originCache.set(value, o ?? null);
  return o;
}

/**
 * Memoises a per-app computation by App object. The index keeps an app's object while none of its
 * files change (an edit re-derives only its own app), so repeated passes recompute only that app.
 * Only for functions of the app alone (the caller declares the facts they read).
 */
export function perApp<T>(fn: (app: App) => T): (app: App) => T {
  const cache = new WeakMap<App, T>();
  return (app) => {
    // With fact checking on, every call computes: the reads it makes are checked against the caller's declaration.
    if (checking()) return fn(app);
    if (cache.has(app)) return cache.get(app) as T;
    const computed = fn(app);
    // (a list is kept for as long as the app: at its exact length)
    const v = Array.isArray(computed) ? (exact(computed) as T) : computed;
    cache.set(app, v);
    return v;
  };
}

function computeOrigin(value: string): Origin | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || value.includes('${')) return undefined;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return undefined;
  }
  const scheme = u.protocol.replace(/:$/, '').toLowerCase();
  const host = u.hostname.toLowerCase();
  const defaults: Record<string, number> = {
    http: 80,
    https: 443,
    ws: 80,
    wss: 443,
    postgres: 5432,
    postgresql: 5432,
    mysql: 3306,
    redis: 6379,
    mongodb: 27017,
  };
  const port = u.port ? Number(u.port) : (defaults[scheme] ?? 0);
  const local = isLocalHost(host);
  return { scheme, host, port, local, key: `${scheme}://${local ? 'localhost' : host}:${port}` };
}

export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

export function listNames(names: string[]): string {
  const u = [...new Set(names)];
  if (u.length <= 1) return u.join('');
  return `${u.slice(0, -1).join(', ')} and ${u[u.length - 1]}`;
}

/** An app's name for messages; replicas (same name) are told apart by their folder. */
export function label(index: WorkspaceView, app: App): string {
  return (nameCounts(index).get(app.name) ?? 0) > 1 ? `${app.name} (${app.id})` : app.name;
}

/**
 * How many apps bear each name, and which replica keys each name has. Names and replica keys change only
 * with a full re-derivation of the apps: when an edit re-derived some apps in place with the same names
 * and keys, the previous counts are kept (no map is rebuilt).
 */
export function nameFacts(index: WorkspaceView): { counts: Map<string, number>; replicaKeys: Map<string, Set<string>> } {
  return byApps(index.apps, names, () => {
    const last = lastNames;
    const apps = index.apps;
    if (
      last &&
      last.apps.length === apps.length &&
      apps.every((a, i) => a === last.apps[i] || (a.name === last.apps[i].name && a.replicaKey === last.apps[i].replicaKey))
    ) {
      lastNames = { apps, value: last.value };
      return last.value;
    }
    const n = { counts: new Map<string, number>(), replicaKeys: new Map<string, Set<string>>() };
    for (const a of index.apps) {
      n.counts.set(a.name, (n.counts.get(a.name) ?? 0) + 1);
      let s = n.replicaKeys.get(a.name);
      if (!s) n.replicaKeys.set(a.name, (s = new Set()));
      s.add(a.replicaKey);
    }
    lastNames = { apps, value: n };
    return n;
  });
}
const names = new WeakMap<readonly App[], ReturnType<typeof nameFacts>>();
let lastNames: { apps: readonly App[]; value: ReturnType<typeof nameFacts> } | undefined;

/** A value computed once per list of apps from the apps' identities only (names, ids, folders): free to read, no fact. */
export function byApps<T>(apps: readonly App[], memo: WeakMap<readonly App[], T>, compute: () => T): T {
  let hit = memo.get(apps);
  if (hit === undefined) memo.set(apps, (hit = compute()));
  return hit;
}
function nameCounts(index: WorkspaceView): Map<string, number> {
  return nameFacts(index).counts;
}

/** How many related locations a finding lists at most: the message says how many more there are. */
export const MAX_RELATED = 20;

/** "a, b, c and 17 other apps": names listed up to `max`, the rest counted. */
export function namesWithTotal(names: string[], total: number, max = 5, noun = 'apps'): string {
  const u = [...new Set(names)].slice(0, max);
  const rest = total - u.length;
  if (rest <= 0) return listNames(u);
  return `${u.join(', ')} and ${rest} other ${noun}`;
}

/**
 * Names for a one-line message that must not grow with a group: up to `max` names, the rest counted
 * ("a", "a and b", "a, b and 3 other apps").
 */
export function fewNames(names: readonly string[], max = 2, noun: [string, string] = ['app', 'apps'], total?: number): string {
  const u = [...new Set(names)];
  const all = Math.max(total ?? 0, u.length);
  if (all <= max) return listNames(u);
  const rest = all - Math.min(max, u.length);
  if (u.length === 0) return `${rest} ${rest === 1 ? noun[0] : noun[1]}`;
  return `${u.slice(0, max).join(', ')} and ${rest} other ${rest === 1 ? noun[0] : noun[1]}`;
}

/**
 * Groups items by a key and, within it, keeps the first item per identity (replicas count once).
 * `othersOf` then answers "who else shares this key" in O(result) instead of scanning every item.
 */
export class SharingIndex<T> {
  private readonly byKey = new Map<string, Map<string, T>>();
  add(key: string, ident: string, item: T): void {
    let m = this.byKey.get(key);
    if (!m) this.byKey.set(key, (m = new Map()));
    if (!m.has(ident)) m.set(ident, item);
  }
  /** Every key with its identities and their first items, in the order they were added. */
  entries(): IterableIterator<[string, ReadonlyMap<string, T>]> {
    return this.byKey.entries();
  }
  /** Identities other than `ident` sharing `key`: their total, and up to `limit` of their first items. */
  othersOf(key: string, ident: string, limit = MAX_RELATED): { total: number; sample: T[] } {
    const m = this.byKey.get(key);
    if (!m) return { total: 0, sample: [] };
    const total = m.size - (m.has(ident) ? 1 : 0);
    const sample: T[] = [];
    for (const [id, item] of m) {
      if (sample.length >= limit) break;
      if (id !== ident) sample.push(item);
    }
    return { total, sample };
  }
}

/** `scheme://[user@]host` then an optional `:port`, at the start of a URL. */
const AUTHORITY = /^([a-z][a-z0-9+.-]*:\/\/(?:[^@/?#\s]*@)?(?:\[[^\]]*\]|[^:/?#\s]*))(?::(\d+))?/i;

/** The edit that points a URL written at `range` of `file` at another port (null when the written text is not a plain URL). */
export function portEdit(index: WorkspaceView, file: string, range: Range, port: number): TextEditAt | undefined {
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

/** A test runner's config (Playwright, Cypress, Vitest, Jest), by file name. */
const TEST_RUNNER_CONFIG_SRC = '(^|[\\\\/])(playwright|cypress|vitest|jest)\\.config\\.[cm]?[jt]s$';
export const TEST_RUNNER_CONFIG = new RegExp(TEST_RUNNER_CONFIG_SRC);

/** Test code, by its path in the app: `*.test.ts`, `*.spec.js`, stories, files under test/mock/fixture folders, test runners' configs. */
const TEST_CODE = new RegExp(`${TEST_FOLDER.source}|\\.(test|spec|e2e|stories|story)\\.[cm]?[jt]sx?$|${TEST_RUNNER_CONFIG_SRC}`);

/** Whether a code file of an app is test code: the URLs and defaults it holds are test inputs, not what the running app uses. */
export function isTestCode(app: App, file: string): boolean {
  // Memoised per App object and file (path.relative resolves both paths: most of the cost of a rule that asks for
  // every code file of every app). The answer reads no fact, only the app's folder and the path.
  let m = testCodeOf.get(app);
  if (!m) testCodeOf.set(app, (m = new Map()));
  let v = m.get(file);
  if (v === undefined) m.set(file, (v = TEST_CODE.test(relativeTo(app.dir, file))));
  return v;
}
const testCodeOf = new WeakMap<App, Map<string, boolean>>();

/** Folders that hold a collection of independent examples, each its own app or stack, run one at a time. */
const EXAMPLE_DIRS = new Set(['examples', 'example', 'samples', 'sample', 'demos', 'starters', 'templates']);

/**
 * The folder of the example an app belongs to (`examples/todo` for `examples/todo/server`), when it lies in a
 * collection of examples of its workspace folder; undefined for any other app (memoised per app).
 */
export const exampleRoot = perApp((app: App): string | undefined => {
  const segs = relativeTo(app.root, app.dir).split(/[\\/]/);
  const i = segs.findIndex((x) => EXAMPLE_DIRS.has(x.toLowerCase()));
  if (i < 0 || i + 1 >= segs.length) return undefined;
  return path.join(app.root, ...segs.slice(0, i + 2));
});

/** Test folders: their env files are test fixtures, their apps test harnesses. */
const TEST_DIRS = new Set(['test', 'tests', '__tests__', 'e2e', 'fixtures', '__fixtures__', 'cypress', 'playwright']);
/** A test folder's name: `test`, `__tests__`, `e2e`, `fixtures`, and `integration-tests`, `e2e_tests`, `test-apps`. */
function isTestDirName(seg: string): boolean {
  const s = seg.toLowerCase();
  return TEST_DIRS.has(s) || /^[a-z0-9]+[-_](tests?|e2e|fixtures)$/.test(s) || /^(tests?|e2e)[-_][a-z0-9]+$/.test(s);
}

/** Whether a path (a folder) lies under a test folder of its workspace folder `root`. */
export function inTestFolder(root: string, dir: string): boolean {
  // Asked for the same folders on every edit (by the rules that re-run over every app): ~2 MB of the ~33 MB an edit
  // at 2,000 apps allocated went to path.relative and split here, measured.
  const key = `${root}\0${dir}`;
  const hit = testFolders.get(key);
  if (hit !== undefined) return hit;
  const rel = relativeTo(root, dir);
  const out = !!rel && !rel.startsWith('..') && rel.split(/[\\/]/).some(isTestDirName);
  if (testFolders.size >= 100_000) testFolders.clear();
  testFolders.set(key, out);
  return out;
}
const testFolders = new Map<string, boolean>();

/**
 * An app's listeners whose process runs (something starts it: index/runs.ts), memoised per app while the runs are
 * the same object (the index keeps them while the scripts that start servers are the same).
 */
export function runningListeners(app: App, runs: Runs): Listener[] {
  if (checking()) return app.listeners.filter((l) => runs.running.has(processKey(app.id, l.script)));
  const hit = running.get(app);
  if (hit && hit.runs === runs) return hit.list;
  const list = exact(app.listeners.filter((l) => runs.running.has(processKey(app.id, l.script))));
  running.set(app, { runs, list });
  return list;
}
const running = new WeakMap<App, { runs: Runs; list: Listener[] }>();

/** Appends `item` to the list under `key` (created on first use). */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, item: V): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

const positionMaps = new WeakMap<readonly App[], Map<string, number>>();
let lastPositions: { apps: readonly App[]; map: Map<string, number> } | undefined;
/**
 * Each app id's position in `apps` (memoised per array). An edit replaces an app in place, with the same id: the
 * previous array's map is the new one's while every id is where it was (no map of 2,000 apps made on every edit).
 */
export function positionsById(apps: readonly App[]): Map<string, number> {
  let m = positionMaps.get(apps);
  if (m) return m;
  const last = lastPositions;
  if (last && last.apps.length === apps.length && apps.every((a, i) => a === last.apps[i] || a.id === last.apps[i].id)) m = last.map;
  else {
    m = new Map();
    for (let i = 0; i < apps.length; i++) m.set(apps[i].id, i);
  }
  positionMaps.set(apps, m);
  lastPositions = { apps, map: m };
  return m;
}

/**
 * An edit of a list of items of apps kept in the order of the apps: `list` without the items of `old`, with
 * `items` (of the app now at position `at`, which replaced `old` there) in their place. A new list (`list` is left
 * as it is: the previous value holds it), or undefined when none is left.
 */
function replaceIn<T>(
  list: readonly T[] | undefined,
  appOf: (x: T) => App,
  old: App,
  items: readonly T[],
  at: number,
  position: Map<string, number>,
): T[] | undefined {
  const out: T[] = [];
  let placed = items.length === 0;
  for (const x of list ?? []) {
    const a = appOf(x);
    if (a === old) continue;
    if (!placed && position.get(a.id)! > at) {
      out.push(...items);
      placed = true;
    }
    out.push(x);
  }
  if (!placed) out.push(...items);
  return out.length ? out : undefined;
}

/** At most this many apps re-derived since a last computation are updated in it, in place of a rebuild over every app. */
const FEW_REPLACED = 32;

/**
 * The positions at which `next` differs from `prev` (by `same`, default: the same app object), when each is a new
 * version of the app at that place (same id) and there are at most a few; undefined otherwise (rebuild over every app).
 */
export function replacedPositions(prev: readonly App[], next: readonly App[], same: (i: number) => boolean = (i) => prev[i] === next[i]): number[] | undefined {
  if (prev.length !== next.length) return undefined;
  const out: number[] = [];
  for (let i = 0; i < next.length; i++) {
    if (same(i)) continue;
    if (out.length === FEW_REPLACED || next[i].id !== prev[i].id) return undefined;
    out.push(i);
  }
  return out;
}

/**
 * In `map` (key -> items of apps in app order), the items of `old` replaced by those of the app that replaced it at
 * position `at`, each given with its key: new lists for the keys either has (replaceIn), the others shared. Returns
 * the keys touched.
 */
export function replaceItems<K, T>(
  map: Map<K, T[]>,
  appOf: (x: T) => App,
  old: App,
  oldItems: readonly (readonly [K, T])[],
  newItems: readonly (readonly [K, T])[],
  at: number,
  position: Map<string, number>,
): K[] {
  const keys = [...new Set([...oldItems, ...newItems].map(([k]) => k))];
  for (const k of keys) {
    const mine = newItems.filter(([key]) => key === k).map(([, x]) => x);
    const list = replaceIn(map.get(k), appOf, old, mine, at, position);
    if (list) map.set(k, list);
    else map.delete(k);
  }
  return keys;
}
