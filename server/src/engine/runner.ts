/**
 * Runs the rules and owns their incrementality. Each rule's results are cached per app (AppRule) or per group
 * (GroupRule); after an edit, a rule runs again only for the apps (or groups) where a fact it declared changed, and
 * everywhere when a derived or workspace fact it declared may have changed. Rules hold no state of their own.
 */
import type { App, Finding, Fix, Logger, RelatedInfo, Severity, WorkspaceView } from '../model/types';
import type { AppRule, DerivedFact, FactName, GroupRule, Member, Report, Rule, RuleContext, WorkspaceRule } from '../model/rule';
import { DERIVED_INPUTS, DERIVED_ORDER, isAppFact } from '../facts/registry';
import {
  carry,
  checking,
  evaluate,
  inPass,
  isKeyed,
  passCount,
  previous,
  recordingKeys,
  samePrint,
  signatureOf,
  UndeclaredFactError,
  within,
  type Print,
} from '../facts/track';
import { PartsSeen } from './parts';
import { fingerprint } from '../facts/fingerprint';
import { positionsById } from '../facts/util';
import { sameData } from '../model/same';

/** What changed since the last run: per app id (re-derived in place) the app facts that differ, and the workspace facts that differ. */
export interface Delta {
  apps: Map<string, Set<FactName>>;
  workspace: Set<FactName>;
  /** Ids of the apps re-derived (a new App object), whether or not a fact of theirs changed. */
  replaced: Set<string>;
}

interface AppState {
  byApp: Map<string, Finding[]>;
  /** appId -> the app (object) its findings were made for (app rules; one map for all runs: an entry is read before it is replaced). */
  madeFor?: Map<string, App>;
}

interface GroupState {
  /** appId -> its contributions, in order. */
  contrib: Map<string, (readonly [string, unknown])[]>;
  /** key -> ids of the apps contributing to it. */
  keyApps: Map<string, Set<string>>;
  /** key -> its findings (groups without findings are absent). */
  results: Map<string, Finding[]>;
}

const WEAKER: Record<Severity, Severity> = { error: 'warning', warning: 'info', info: 'info' };
const STRONGER: Record<Severity, Severity> = { error: 'error', warning: 'error', info: 'warning' };

export class RuleRunner {
  private readonly states = new Map<string, AppState | GroupState>();
  private readonly out = new Map<string, Finding[]>();
  private readonly direct = new Map<string, Set<FactName>>();
  private readonly wide = new Map<string, Set<FactName>>();
  /** The fingerprint of each derived fact's value when it was last evaluated (early cutoff). */
  private readonly lastPrint = new Map<string, Print>();
  /** Each derived fact's value when it was last evaluated: the very same object again is the same value. */
  private readonly lastValue = new Map<string, unknown>();
  /** The apps of the state the rules were last brought up to date with. */
  private lastApps: readonly App[] | undefined;
  /** What each rule with `ownParts` last ran with (parts.ts). */
  private readonly parts = new PartsSeen();

  constructor(
    readonly rules: readonly Rule[],
    private readonly log: Logger,
  ) {
    for (const r of rules) {
      this.direct.set(r.id, new Set(r.facts.filter(isAppFact)));
      // Derived and workspace facts (read across apps) re-run the rule everywhere when they change; so do the app
      // facts of a workspace rule, which reads them of every app.
      this.wide.set(r.id, new Set(r.kind === 'workspace' ? r.facts : r.facts.filter((f) => !isAppFact(f))));
    }
  }

  /** The rule's findings as of the last run (the same array while they did not change). */
  findings(ruleId: string): Finding[] {
    return this.out.get(ruleId) ?? [];
  }

  /** Runs every rule from scratch; returns the ids of every rule. */
  runAll(index: WorkspaceView): string[] {
    return inPass(() => this.runAllNow(index));
  }

  private runAllNow(index: WorkspaceView): string[] {
    this.states.clear();
    this.parts.clear();
    this.lastPrint.clear();
    this.lastValue.clear();
    for (const rule of this.rules) this.runRule(rule, index, undefined);
    this.lastApps = index.apps;
    // The runs are kept by the index, not by a memo the first edit could read back (track.ts previous()).
    remember(this.lastPrint, this.lastValue, 'runs', evaluate('runs', index));
    return this.rules.map((r) => r.id);
  }

  /** Brings every rule up to date after `delta`; returns the ids of the rules whose findings changed. */
  update(index: WorkspaceView, delta: Delta): string[] {
    return inPass(() => this.updateNow(index, delta));
  }

  private updateNow(index: WorkspaceView, delta: Delta): string[] {
    const facts = this.changedFacts(index, delta);
    const changed: string[] = [];
    for (const rule of this.rules) {
      const before = this.out.get(rule.id);
      const wide = this.wide.get(rule.id)!;
      const direct = this.direct.get(rule.id)!;
      const everywhere = [...wide].some((f) => facts.has(f));
      const apps = new Set<string>();
      for (const [id, fs] of delta.apps) for (const f of fs) if (direct.has(f)) apps.add(id);
      // A group's items may hold an app: the items of a re-derived app are made again, so that they hold the new one.
      if (rule.kind === 'group') for (const id of delta.replaced) apps.add(id);
      const parts = everywhere && rule.kind === 'app' ? this.parts.changed(rule, index, facts, wide, this.lastApps) : undefined;
      if (parts) for (const id of parts) apps.add(id);
      if (everywhere && !parts) this.runRule(rule, index, undefined);
      else if (apps.size) this.runRule(rule, index, apps);
      else continue;
      if (this.out.get(rule.id) !== before) changed.push(rule.id);
    }
    this.lastApps = index.apps;
    return changed;
  }

  /**
   * The facts an update changed: the app and workspace facts of the delta, and each derived fact one of whose inputs
   * changed, unless its value is the same as before (early cutoff: then the rules that read it need not run again).
   */
  private changedFacts(index: WorkspaceView, delta: Delta): Set<FactName> {
    const out = new Set<FactName>(delta.workspace);
    for (const fs of delta.apps.values()) for (const f of fs) out.add(f);
    for (const d of DERIVED_ORDER) {
      if (!DERIVED_INPUTS[d].some((i) => out.has(i))) {
        // Unchanged inputs: a value computed in the previous state is the value of this one.
        if (this.lastApps) carry(d, index, this.lastApps);
        continue;
      }
      // No fingerprint of the previous state yet (the first edit after a full run): the value rules read then.
      if (!this.lastPrint.has(d) && this.lastApps) remember(this.lastPrint, this.lastValue, d, previous(d, index, this.lastApps));
      const now = evaluate(d, index);
      // A derived fact whose computation found its inputs as before returns its previous value (compose-model.ts).
      if (now && this.lastPrint.has(d) && now.value === this.lastValue.get(d)) continue;
      const before = this.lastPrint.get(d);
      const print = remember(this.lastPrint, this.lastValue, d, now);
      if (print === undefined || !samePrint(print, before)) out.add(d);
    }
    return out;
  }

  /** Runs a rule for every app (`only` undefined) or for the given apps, and rebuilds its findings list if they changed. */
  private runRule(rule: Rule, index: WorkspaceView, only: Set<string> | undefined): void {
    const changed =
      rule.kind === 'app'
        ? this.runAppRule(rule, index, only)
        : rule.kind === 'group'
          ? this.runGroupRule(rule, index, only)
          : this.runWorkspaceRule(rule, index);
    if (changed) this.out.set(rule.id, collect(rule, this.states.get(rule.id)!, index));
    // (after the run: the values it read are computed by then)
    if (rule.kind === 'app') this.parts.note(rule, index);
  }

  private runAppRule(rule: AppRule, index: WorkspaceView, only: Set<string> | undefined): boolean {
    const prev = this.states.get(rule.id) as AppState | undefined;
    let s = prev;
    if (!s || !only) this.states.set(rule.id, (s = { byApp: new Map(), madeFor: prev?.madeFor ?? new Map() }));
    const checked = checking();
    const facts = checked ? new Set(rule.facts) : undefined;
    let changed = !only;
    // One context and one check function for the run, the context pointed at each app in turn (an edit re-runs a
    // rule over 2,000 apps: a context, a set and three closures per app were ~5 of the ~33 MB an edit allocated).
    const sink: Sink = { app: undefined, list: [] };
    const ctx = contextFor(rule, index, sink);
    this.parts.beginRun(rule, !only);
    const check = checkOf(rule, facts, this.parts);
    for (const app of index.apps) {
      if (only && !only.has(app.id)) continue;
      const list: Finding[] = [];
      sink.app = app;
      sink.list = list;
      this.attempt(rule, app.id, check, app, ctx);
      const old = prev?.byApp.get(app.id);
      const sameApp = prev?.madeFor?.get(app.id) === app;
      s.madeFor!.set(app.id, app);
      // The same findings as before about the very same app: the old objects are kept, so that the files they are in
      // are not published again (an edit re-runs a rule over every app when a fact all of them read changes).
      if (old && sameApp && sameFindings(old, list)) {
        s.byApp.set(app.id, old);
        continue;
      }
      if (list.length) s.byApp.set(app.id, list);
      else s.byApp.delete(app.id);
      if (old?.length || list.length) changed = true;
    }
    return changed;
  }

  private runGroupRule(rule: GroupRule, index: WorkspaceView, only: Set<string> | undefined): boolean {
    let s = this.states.get(rule.id) as GroupState | undefined;
    if (!s || !only) this.states.set(rule.id, (s = { contrib: new Map(), keyApps: new Map(), results: new Map() }));
    const facts = new Set(rule.facts);
    const checked = checking();
    const groupCtx = { index };
    const groupItems = checked
      ? (app: App, c: typeof groupCtx) => within(rule.id, facts, new Set([app]), () => [...rule.groupBy(app, c)])
      : (app: App, c: typeof groupCtx) => [...rule.groupBy(app, c)];
    const dirty = new Set<string>();
    for (const app of index.apps) {
      if (only && !only.has(app.id)) continue;
      const old = s.contrib.get(app.id) ?? NO_ITEMS;
      const items = this.attempt(rule, app.id, groupItems, app, groupCtx);
      const next: readonly (readonly [string, unknown])[] = items?.length ? items : NO_ITEMS;
      for (const [key] of old) {
        dirty.add(key);
        s.keyApps.get(key)?.delete(app.id);
      }
      for (const [key] of next) {
        dirty.add(key);
        let set = s.keyApps.get(key);
        if (!set) s.keyApps.set(key, (set = new Set()));
        set.add(app.id);
      }
      if (next.length) s.contrib.set(app.id, next as (readonly [string, unknown])[]);
      else s.contrib.delete(app.id);
    }
    if (!dirty.size) return !only;
    const position = positionsById(index.apps);
    let changed = !only;
    for (const key of dirty) {
      const ids = s.keyApps.get(key);
      const old = s.results.get(key);
      if (!ids?.size) {
        s.keyApps.delete(key);
        if (old) changed = true;
        s.results.delete(key);
        continue;
      }
      const members: Member<unknown>[] = [];
      for (const id of [...ids].sort((a, b) => position.get(a)! - position.get(b)!)) {
        const app = index.apps[position.get(id)!];
        for (const [k, item] of s.contrib.get(id)!) if (k === key) members.push({ app, item });
      }
      const list: Finding[] = [];
      const apps = new Set(members.map((m) => m.app));
      this.guard(rule, `the group of ${members[0].app.id}`, () =>
        within(rule.id, facts, apps, () => rule.check(key, members, contextFor(rule, index, { app: undefined, list }))),
      );
      if (list.length) s.results.set(key, list);
      else s.results.delete(key);
      if (old?.length || list.length) changed = true;
    }
    return changed;
  }

  private runWorkspaceRule(rule: WorkspaceRule, index: WorkspaceView): boolean {
    const list: Finding[] = [];
    this.guard(rule, 'the workspace', () =>
      within(rule.id, new Set(rule.facts), undefined, () => rule.check(contextFor(rule, index, { app: undefined, list }))),
    );
    // The same findings as before, none with a fix (a fix's edits may read objects of the run that made it): the old
    // objects are kept, and their files are not published again.
    const old = (this.states.get(rule.id) as AppState | undefined)?.byApp.get('');
    if (old && sameFindings(old, list) && old.every((f) => f.fixes.length === 0)) return false;
    this.states.set(rule.id, { byApp: new Map([['', list]]) });
    return true;
  }

  private readonly failed = new RuleFailures();

  /** The rules whose last run failed somewhere (their findings there are missing), with where and why. */
  failures(): { ruleId: string; where: string; message: string }[] {
    return this.failed.list();
  }

  /** A failing rule loses its own findings for that app or group, never the other rules' (it is logged, and kept for failures()). */
  private guard(rule: Rule, where: string, fn: () => void): void {
    this.attempt(rule, where, fn, undefined, undefined);
  }

  /** fn(a, b) under the guard (arguments instead of a closure: called per app, in the loops of an edit). */
  private attempt<A, B, R>(rule: Rule, where: string, fn: (a: A, b: B) => R, a: A, b: B): R | undefined {
    try {
      const out = fn(a, b);
      this.failed.clear(rule.id, where);
      return out;
    } catch (e) {
      this.failure(rule, where, e);
      return undefined;
    }
  }

  /** Records and logs a rule's failure on an app or group (an undeclared fact read is a bug of the tests' kind: rethrown). */
  private failure(rule: Rule, where: string, e: unknown): void {
    if (e instanceof UndeclaredFactError) throw e;
    this.failed.set(rule.id, where, (e as Error)?.message ?? String(e));
    this.log.error(`Rule ${rule.id} failed on ${where}: ${(e as Error).stack ?? e}`);
  }
}

const NO_ITEMS: readonly (readonly [string, unknown])[] = Object.freeze([]);

/**
 * Related locations without repeats: one place said twice with the same words (a NestJS app's `start` and `start:dev`
 * scripts both read PORT from one .env line: two servers, one line) is listed once.
 */
function distinctRelated(related: RelatedInfo[]): RelatedInfo[] {
  if (related.length < 2) return related;
  const seen = new Set<string>();
  return related.filter((x) => {
    const r = x.location.range;
    const k = `${x.location.file}\0${r.start.line}\0${r.start.character}\0${r.end.line}\0${r.end.character}\0${x.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The context a rule reports through: findings go to `sink.list`, about `sink.app` unless the report names an app. */
function contextFor(rule: Rule, index: WorkspaceView, sink: Sink): RuleContext {
  return {
    index,
    report: (r: Report) => {
      const about = r.app ?? sink.app;
      const f = {
        ruleId: rule.id,
        severity: r.weaker ? WEAKER[rule.defaultSeverity] : r.stronger ? STRONGER[rule.defaultSeverity] : rule.defaultSeverity,
        message: r.message,
        location: r.at,
        related: distinctRelated(r.related ?? []),
        ...(about ? { appId: about.id } : {}),
      } as Finding;
      if (typeof r.fixes === 'function') lazyFixes(f, r.fixes);
      else f.fixes = r.fixes ?? [];
      sink.list.push(f);
    },
  };
}

/**
 * The check of an app rule for one run: within its declared facts when checking them (`facts`), recording the keys of
 * keyed facts each check reads when it reads any (for re-runs app by app, engine/parts.ts).
 */
function checkOf(rule: AppRule, facts: ReadonlySet<FactName> | undefined, parts: PartsSeen): (app: App, c: RuleContext) => void {
  const plain = facts
    ? (app: App, c: RuleContext) => within(rule.id, facts, new Set([app]), () => rule.check(app, c))
    : (app: App, c: RuleContext) => rule.check(app, c);
  if (!rule.ownParts?.some(isKeyed)) return plain;
  return (app: App, c: RuleContext) => {
    const into = parts.recorder(rule, app.id);
    return into ? recordingKeys(into, () => plain(app, c)) : plain(app, c);
  };
}

/** Two lists of findings say the same (rule, severity, message, places, related, fixes' titles and kinds), in order. */
function sameFindings(a: readonly Finding[], b: readonly Finding[]): boolean {
  return a.length === b.length && a.every((f, i) => sameData(f, b[i]));
}

/** The rule's findings in the order a full pass meets them: apps in index order; groups by their first member. */
function collect(rule: Rule, s: AppState | GroupState, index: WorkspaceView): Finding[] {
  const out: Finding[] = [];
  if (rule.kind === 'workspace') return (s as AppState).byApp.get('')!;
  if (rule.kind === 'app') {
    const byApp = (s as AppState).byApp;
    for (const app of index.apps) for (const f of byApp.get(app.id) ?? []) out.push(f);
    return out;
  }
  const g = s as GroupState;
  const position = positionsById(index.apps);
  const order = (key: string): number => {
    let best = Infinity;
    for (const id of g.keyApps.get(key) ?? []) {
      const list = g.contrib.get(id)!;
      const at = list.findIndex(([k]) => k === key);
      best = Math.min(best, position.get(id)! * 65536 + at);
    }
    return best;
  };
  const keys = [...g.results.keys()].map((k) => [k, order(k)] as const).sort((a, b) => a[1] - b[1]);
  for (const [k] of keys) for (const f of g.results.get(k)!) out.push(f);
  return out;
}

/** Where a rule's reports go while it runs (one per run of an app rule, pointed at each app in turn). */
interface Sink {
  app: App | undefined;
  list: Finding[];
}

/** Keeps a derived fact's value and fingerprint (forgets them for undefined); returns the fingerprint. */
function remember(prints: Map<string, Print>, values: Map<string, unknown>, d: DerivedFact, v: { value: unknown } | undefined): Print | undefined {
  if (!v) {
    prints.delete(d);
    values.delete(d);
    return undefined;
  }
  const print = (signatureOf(d) ?? fingerprint)(v.value);
  values.set(d, v.value);
  prints.set(d, print);
  return print;
}

/** Rules that failed on an app or group in their last run there (`rule\0where` -> the error's message). */
class RuleFailures {
  private readonly byKey = new Map<string, string>();
  set(ruleId: string, where: string, message: string): void {
    this.byKey.set(`${ruleId}\0${where}`, message);
  }
  clear(ruleId: string, where: string): void {
    if (this.byKey.size) this.byKey.delete(`${ruleId}\0${where}`);
  }
  list(): { ruleId: string; where: string; message: string }[] {
    return [...this.byKey].map(([k, message]) => {
      const [ruleId, where] = k.split('\0');
      return { ruleId, where, message };
    });
  }
}

/**
 * Fixes computed when first asked, and again after any later pass of the engine: they read the whole workspace (a
 * free port: what every app and compose file binds or names), and a finding outlives the passes that do not re-run
 * its rule where it is.
 */
function lazyFixes(finding: Finding, compute: () => Fix[]): void {
  let computedIn = -1;
  let fixes: Fix[] = [];
  Object.defineProperty(finding, 'fixes', {
    enumerable: true,
    configurable: true,
    get() {
      if (computedIn !== passCount()) {
        fixes = compute();
        computedIn = passCount();
      }
      return fixes;
    },
  });
}
