/**
 * Memoisation helpers that keep the rules pure `check(index)` functions while an edit costs
 * little: the index re-derives only the edited app (every other App object keeps its identity,
 * and the apps array keeps its order), so per-app work is memoised by App object and cross-app
 * groupings are updated for the apps that changed only.
 *
 * What a memoised computation may read: its app (or the members of its group), and workspace
 * facts that only change with a full re-derivation (app names, ids, replica keys, the
 * configuration), after which every App object is new and every memo misses.
 */
import type { App, Finding, Fix, WorkspaceView } from '../model/types';

/**
 * Positions in `next` whose app is not the one at the same position in `prev` (an app re-derived
 * in place); undefined when the apps themselves changed (added, removed, re-ordered).
 */
export function changedApps(prev: readonly App[], next: readonly App[]): number[] | undefined {
  if (prev.length !== next.length) return undefined;
  const out: number[] = [];
  for (let i = 0; i < next.length; i++) {
    if (prev[i] === next[i]) continue;
    if (prev[i].id !== next[i].id) return undefined;
    out.push(i);
  }
  return out;
}

/** State kept per workspace index (several engines may live in one process). */
export function perIndex<S>(make: (index: WorkspaceView) => S): (index: WorkspaceView) => S {
  const states = new WeakMap<WorkspaceView, S>();
  return (index) => {
    let s = states.get(index);
    if (!s) states.set(index, (s = make(index)));
    return s;
  };
}

/**
 * A workspace-wide value recomputed only when an edit could change it: kept while `deps(index)` are the
 * same objects and every app re-derived in place passes `unaffected(before, after, value)`.
 */
export function keptAcrossEdits<T>(
  compute: (index: WorkspaceView) => T,
  unaffected: (before: App, after: App, value: T) => boolean,
  deps: (index: WorkspaceView) => readonly unknown[] = () => [],
): (index: WorkspaceView) => T {
  const state = perIndex(() => ({ apps: undefined as readonly App[] | undefined, deps: [] as readonly unknown[], value: undefined as T | undefined }));
  return (index) => {
    const s = state(index);
    const apps = index.apps;
    const d = deps(index);
    if (s.apps && d.length === s.deps.length && d.every((x, i) => x === s.deps[i])) {
      if (s.apps === apps) return s.value as T;
      const before = s.apps;
      const changed = changedApps(before, apps);
      if (changed && changed.every((i) => unaffected(before[i], apps[i], s.value as T))) {
        s.apps = apps;
        return s.value as T;
      }
    }
    const value = compute(index);
    Object.assign(s, { apps, deps: d, value });
    return value;
  };
}

/** `list` itself, or `prev` when both hold the same findings in the same order (the engine then skips the rule's files). */
export function sameOr(prev: Finding[] | undefined, list: Finding[]): Finding[] {
  if (!prev || prev.length !== list.length) return list;
  for (let i = 0; i < list.length; i++) if (prev[i] !== list[i]) return list;
  return prev;
}

/**
 * A rule whose findings about each app depend on that app alone: findings memoised per App object,
 * concatenated in app order. `fn` must not read other apps (see the header), except through
 * `dependency`, whose result (compared by identity) must change whenever what it read changes.
 */
export function perAppFindings(fn: (index: WorkspaceView, app: App) => Finding[], dependency?: (index: WorkspaceView, app: App) => unknown): (index: WorkspaceView) => Finding[] {
  const memo = new WeakMap<App, { dep: unknown; findings: Finding[] }>();
  const state = perIndex(() => ({ apps: undefined as readonly App[] | undefined, out: [] as Finding[] }));
  return (index) => {
    const s = state(index);
    // (dependencies are functions of the apps: same apps, same findings)
    if (s.apps === index.apps) return s.out;
    const out: Finding[] = [];
    for (const app of index.apps) {
      const dep = dependency?.(index, app);
      let m = memo.get(app);
      if (!m || m.dep !== dep) memo.set(app, (m = { dep, findings: fn(index, app) }));
      for (const f of m.findings) out.push(f);
    }
    s.apps = index.apps;
    s.out = sameOr(s.out, out);
    return s.out;
  };
}

interface Member<T> {
  /** Position of the app in index.apps, and of the item among the app's contributions. */
  i: number;
  s: number;
  item: T;
}

/**
 * Items contributed by each app, grouped by key, kept up to date from the apps that changed. Members
 * of a group are in app order (then contribution order), as a full pass over index.apps would add them.
 */
export class AppGroups<T> {
  private apps: readonly App[] | undefined;
  private epoch: unknown;
  private byApp: (readonly (readonly [string, T])[])[] = [];
  private readonly groups = new Map<string, Member<T>[]>();

  constructor(private readonly contrib: (app: App) => readonly (readonly [string, T])[]) {}

  /** Brings the groups up to date with `apps`: the keys whose members changed, or 'all'. A new `epoch` regroups everything. */
  update(apps: readonly App[], epoch?: unknown): Set<string> | 'all' {
    if (apps === this.apps && epoch === this.epoch) return new Set();
    const changed = this.apps && epoch === this.epoch ? changedApps(this.apps, apps) : undefined;
    this.apps = apps;
    this.epoch = epoch;
    if (!changed) {
      this.groups.clear();
      this.byApp = apps.map((a) => this.contrib(a));
      this.byApp.forEach((list, i) => list.forEach(([key, item], s) => this.add(key, { i, s, item })));
      return 'all';
    }
    const dirty = new Set<string>();
    for (const i of changed) {
      const old = this.byApp[i];
      const next = this.contrib(apps[i]);
      if (old === next) continue;
      const removed = new Set<string>();
      for (const [key] of old) {
        if (removed.has(key)) continue;
        removed.add(key);
        dirty.add(key);
        const g = this.groups.get(key);
        if (!g) continue;
        const kept = g.filter((m) => m.i !== i);
        if (kept.length) this.groups.set(key, kept);
        else this.groups.delete(key);
      }
      this.byApp[i] = next;
      next.forEach(([key, item], s) => {
        dirty.add(key);
        this.add(key, { i, s, item });
      });
    }
    return dirty;
  }

  private add(key: string, m: Member<T>): void {
    const g = this.groups.get(key);
    if (!g) {
      this.groups.set(key, [m]);
      return;
    }
    let at = g.length;
    while (at > 0 && (g[at - 1].i > m.i || (g[at - 1].i === m.i && g[at - 1].s > m.s))) at--;
    g.splice(at, 0, m);
  }

  /** Whether any app contributes to the group. */
  has(key: string): boolean {
    return this.groups.has(key);
  }

  keys(): IterableIterator<string> {
    return this.groups.keys();
  }

  /** The group's items, in app order. */
  items(key: string): T[] | undefined {
    return this.groups.get(key)?.map((m) => m.item);
  }

  /** Where the group first appears in a pass over the apps (groups are reported in that order). */
  order(key: string): number {
    const m = this.groups.get(key)?.[0];
    return m ? m.i * 65536 + m.s : Infinity;
  }
}

/**
 * A rule made of groups of per-app items: only the groups whose members changed are evaluated again;
 * findings are reported group by group in the order in which a full pass would meet the groups.
 * `evaluate` may read only its group's items (and the facts the header allows).
 */
export class GroupedFindings<T> {
  private readonly groups: AppGroups<T>;
  private readonly results = new Map<string, Finding[]>();
  private out: Finding[] = [];

  constructor(contrib: (app: App) => readonly (readonly [string, T])[], private readonly evaluate: (key: string, items: T[]) => Finding[]) {
    this.groups = new AppGroups(contrib);
  }

  run(apps: readonly App[], epoch?: unknown): Finding[] {
    const dirty = this.groups.update(apps, epoch);
    if (dirty !== 'all' && dirty.size === 0) return this.out;
    let changed = false;
    if (dirty === 'all') {
      this.results.clear();
      for (const key of this.groups.keys()) {
        const r = this.evaluate(key, this.groups.items(key)!);
        if (r.length) this.results.set(key, r);
      }
      changed = true;
    } else {
      for (const key of dirty) {
        const items = this.groups.items(key);
        const r = items ? this.evaluate(key, items) : [];
        const had = this.results.get(key);
        if (r.length) this.results.set(key, r);
        else this.results.delete(key);
        if (had || r.length) changed = true;
      }
    }
    if (!changed) return this.out;
    const keys = [...this.results.keys()].sort((a, b) => this.groups.order(a) - this.groups.order(b));
    const out: Finding[] = [];
    for (const k of keys) for (const f of this.results.get(k)!) out.push(f);
    this.out = sameOr(this.out, out);
    return this.out;
  }
}

/**
 * Defines a finding's `fixes` as computed on first use and again whenever the apps changed: for fixes
 * that read the whole workspace (a free port), in findings that are otherwise kept across edits.
 */
export function lazyFixes<F extends Omit<Finding, 'fixes'>>(finding: F, index: WorkspaceView, compute: () => Fix[]): F & Finding {
  let apps: readonly App[] | undefined;
  let fixes: Fix[] = [];
  Object.defineProperty(finding, 'fixes', {
    enumerable: true,
    configurable: true,
    get() {
      if (apps !== index.apps) {
        fixes = compute();
        apps = index.apps;
      }
      return fixes;
    },
  });
  return finding as F & Finding;
}
