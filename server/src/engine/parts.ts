/**
 * Re-runs app by app through the parts of derived facts (model/rule.ts `ownParts`, facts/track.ts `derivedPart` and
 * `derivedKeys`): what each rule last ran with, and which apps' parts (or keys read) differ from it now.
 */
import type { App, WorkspaceView } from '../model/types';
import type { AppRule, DerivedFact, FactName } from '../model/rule';
import { currentValue, isKeyed, keysChangedOf, partOf } from '../facts/track';
import { sameItems } from '../model/same';

const NONE: readonly unknown[] = Object.freeze([]);

/** Two parts of a derived fact about one app are the same: one object, or arrays of the same objects (none = empty). */
function samePart(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const x = a ?? NONE;
  const y = b ?? NONE;
  return Array.isArray(x) && Array.isArray(y) && sameItems(x, y);
}

/**
 * A derived fact's current value, or undefined when computing it fails: the rule then runs everywhere, where the
 * failure is caught and reported as the rule's own (runner.ts guard), instead of breaking the whole pass here.
 */
function factValue(f: DerivedFact, index: WorkspaceView): unknown {
  try {
    return currentValue(f, index);
  } catch {
    return undefined;
  }
}

export class PartsSeen {
  /** Rule id -> the value of each of its `ownParts` facts when it last ran (what its findings were made from). */
  private readonly seen = new Map<string, Map<DerivedFact, unknown>>();

  /** Rule id -> app id -> the keys of keyed facts its last check of the app read (facts/track.ts readKey). */
  private readonly reads = new Map<string, Map<string, Set<string>>>();

  clear(): void {
    this.seen.clear();
    this.reads.clear();
  }

  /** Before a run of an app rule: a run over every app (`fresh`) drops the keys recorded before. */
  beginRun(rule: AppRule, fresh: boolean): void {
    if (fresh) this.reads.delete(rule.id);
  }

  /** A set to record the keys one check of an app reads into, for a rule with keyed facts among its `ownParts` (else undefined). */
  recorder(rule: AppRule, appId: string): Set<string> | undefined {
    if (!rule.ownParts?.some(isKeyed)) return undefined;
    let byApp = this.reads.get(rule.id);
    if (!byApp) this.reads.set(rule.id, (byApp = new Map()));
    const keys = new Set<string>();
    byApp.set(appId, keys);
    return keys;
  }

  /** Records the values of an app rule's `ownParts` facts it just ran with. */
  note(rule: AppRule, index: WorkspaceView): void {
    if (!rule.ownParts?.length) return;
    const seen = new Map<DerivedFact, unknown>();
    for (const f of rule.ownParts) seen.set(f, factValue(f, index));
    this.seen.set(rule.id, seen);
  }

  /**
   * For an app rule whose changed facts (`facts` among its `wide` ones) are all among its `ownParts`: the ids of the
   * apps whose part of one of them is not the one the rule last ran with; undefined when it must run everywhere.
   */
  changed(
    rule: AppRule,
    index: WorkspaceView,
    facts: ReadonlySet<FactName>,
    wide: ReadonlySet<FactName>,
    prevApps: readonly App[] | undefined,
  ): Set<string> | undefined {
    const own = rule.ownParts;
    const seen = this.seen.get(rule.id);
    if (!own?.length || !seen || !prevApps || prevApps.length !== index.apps.length) return undefined;
    for (const f of wide) if (facts.has(f) && !own.includes(f as DerivedFact)) return undefined;
    const out = new Set<string>();
    for (const f of own) {
      const part = partOf(f);
      const keysChanged = keysChangedOf(f);
      const before = seen.get(f);
      const now = factValue(f, index);
      if ((!part && !keysChanged) || before === undefined || now === undefined) return undefined;
      if (before === now) continue;
      if (keysChanged) {
        // The apps whose last check read a key whose answer changed.
        const diff = keysChanged(before, now);
        const reads = this.reads.get(rule.id);
        if (!diff || !reads) return undefined;
        const keys = [...diff].map((k) => `${f}\0${k}`);
        if (keys.length) for (const [id, read] of reads) if (keys.some((k) => read.has(k))) out.add(id);
        continue;
      }
      if (!part) return undefined;
      for (let i = 0; i < index.apps.length; i++) {
        const app = index.apps[i];
        if (prevApps[i].id !== app.id) return undefined;
        if (!samePart(part(before, prevApps[i]), part(now, app))) out.add(app.id);
      }
    }
    return out;
  }
}
