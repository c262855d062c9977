/**
 * Re-runs app by app through the parts of derived facts (model/rule.ts `ownParts`, facts/track.ts `derivedPart`): what
 * each rule last ran with, and which apps' parts differ from it now.
 */
import type { App, WorkspaceView } from '../model/types';
import type { AppRule, DerivedFact, FactName } from '../model/rule';
import { currentValue, partOf } from '../facts/track';
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

  clear(): void {
    this.seen.clear();
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
      const before = seen.get(f);
      const now = factValue(f, index);
      if (!part || before === undefined || now === undefined) return undefined;
      if (before === now) continue;
      for (let i = 0; i < index.apps.length; i++) {
        const app = index.apps[i];
        if (prevApps[i].id !== app.id) return undefined;
        if (!samePart(part(before, prevApps[i]), part(now, app))) out.add(app.id);
      }
    }
    return out;
  }
}
