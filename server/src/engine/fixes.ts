/**
 * Applying fixes in bulk (`crosswire audit --fix`, the editor's `source.fixAll.crosswire`): which of the findings'
 * fixes are taken together, and how their edits are applied to a text.
 *
 * A plan takes, per finding, its first acceptable fix (the preferred one first) and keeps the fixes whose edits
 * neither overlap each other nor insert at the same place: a fix that collides with one already taken is left
 * for the next pass (recomputed on the new text), a fix whose edits are all already taken (two findings of one
 * problem offering the same change) is the same change and is applied once. At most one `workspaceWide` fix (a
 * free port: its choice depends on the other apps) is taken per plan, after the local ones.
 */
import type { Finding, Fix, FixKind, Position, Range, Severity, TextEditAt } from '../model/types';
import { LineIndex } from '../model/text';

const RANK: Record<Severity, number> = { info: 1, warning: 2, error: 3 };

export interface PlannedFix {
  finding: Finding;
  fix: Fix;
  edits: TextEditAt[];
}

export interface FixPlan {
  fixes: PlannedFix[];
  /** Fixes left for a later pass because their edits collide with a fix taken in this one. */
  deferred: number;
}

export interface PlanOptions {
  /** Kinds of fix to take ('judgement' fixes are never taken in bulk). */
  kinds: ReadonlySet<FixKind>;
  /** Only fixes whose edits all stay in this file (the document being saved). */
  onlyFile?: string;
  /** Fixes already applied in an earlier pass, by {@link fixKey}: never applied twice. */
  done?: ReadonlySet<string>;
  /** Called when a fix's edits throw (the fix is skipped). */
  onError?(fix: Fix, e: unknown): void;
}

/** The kind of a fix; absent means a person must decide. */
export function kindOf(fix: Fix): FixKind {
  return fix.kind ?? 'judgement';
}

/** Identity of a fix across passes: its title and the files it edits. */
export function fixKey(fix: Fix, edits: readonly TextEditAt[]): string {
  return `${fix.title}\0${[...new Set(edits.map((e) => e.file))].sort().join('\0')}`;
}

export function planFixes(findings: readonly Finding[], o: PlanOptions): FixPlan {
  const taken: PlannedFix[] = [];
  const byFile = new Map<string, TextEditAt[]>();
  let deferred = 0;
  let wide: PlannedFix | undefined;
  const candidates: { finding: Finding; fix: Fix }[] = [];
  for (const finding of findings) {
    let fixes: Fix[];
    try {
      fixes = finding.fixes;
    } catch (e) {
      o.onError?.({ title: finding.ruleId, edits: () => [] }, e);
      continue;
    }
    const ok = fixes.filter((f) => kindOf(f) !== 'judgement' && o.kinds.has(kindOf(f)));
    const fix = ok.find((f) => f.preferred) ?? ok[0];
    if (fix) candidates.push({ finding, fix });
  }
  // Local fixes first; the workspace-wide ones (a free port) see the others' result in the next pass. Among them,
  // the fix of the more serious finding first (an in-block connection_limit Prisma rejects is moved to the URL
  // before a limit is added to that URL).
  candidates.sort((a, b) => Number(!!a.fix.workspaceWide) - Number(!!b.fix.workspaceWide) || RANK[b.finding.severity] - RANK[a.finding.severity]);
  for (const { finding, fix } of candidates) {
    let edits: TextEditAt[];
    try {
      edits = fix.edits();
    } catch (e) {
      o.onError?.(fix, e);
      continue;
    }
    if (edits.length === 0) continue;
    if (o.onlyFile !== undefined && edits.some((e) => e.file !== o.onlyFile)) continue;
    if (o.done?.has(fixKey(fix, edits))) continue;
    const same = edits.every((e) => (byFile.get(e.file) ?? []).some((t) => sameEdit(t, e)));
    if (same) continue;
    if (edits.some((e) => (byFile.get(e.file) ?? []).some((t) => collide(t.range, e.range))) || collideWithin(edits)) {
      deferred++;
      continue;
    }
    if (fix.workspaceWide) {
      if (wide) {
        deferred++;
        continue;
      }
      wide = { finding, fix, edits };
    }
    taken.push({ finding, fix, edits });
    for (const e of edits) {
      const list = byFile.get(e.file);
      if (list) list.push(e);
      else byFile.set(e.file, [e]);
    }
  }
  return { fixes: taken, deferred };
}

function cmp(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

function sameEdit(a: TextEditAt, b: TextEditAt): boolean {
  return a.file === b.file && cmp(a.range.start, b.range.start) === 0 && cmp(a.range.end, b.range.end) === 0 && a.newText === b.newText;
}

/**
 * Two edits of one file that cannot both be applied in a well-defined order: overlapping ranges, two insertions
 * at one place, or an insertion inside (or at an end of) a replaced range.
 */
function collide(a: Range, b: Range): boolean {
  const aEmpty = cmp(a.start, a.end) === 0;
  const bEmpty = cmp(b.start, b.end) === 0;
  if (aEmpty && bEmpty) return cmp(a.start, b.start) === 0;
  if (aEmpty) return cmp(a.start, b.start) >= 0 && cmp(a.start, b.end) <= 0;
  if (bEmpty) return cmp(b.start, a.start) >= 0 && cmp(b.start, a.end) <= 0;
  return cmp(a.start, b.end) < 0 && cmp(b.start, a.end) < 0;
}

function collideWithin(edits: readonly TextEditAt[]): boolean {
  for (let i = 0; i < edits.length; i++) {
    for (let j = i + 1; j < edits.length; j++) {
      if (edits[i].file === edits[j].file && !sameEdit(edits[i], edits[j]) && collide(edits[i].range, edits[j].range)) return true;
    }
  }
  return false;
}

/** Applies one file's edits (which do not collide) to its text, from the end backwards; identical edits once. */
export function applyEdits(text: string, edits: readonly TextEditAt[]): string {
  const lines = new LineIndex(text);
  const unique: TextEditAt[] = [];
  for (const e of edits) if (!unique.some((u) => sameEdit(u, e))) unique.push(e);
  const withOffsets = unique.map((e) => ({ start: lines.offsetAt(e.range.start), end: lines.offsetAt(e.range.end), text: e.newText }));
  withOffsets.sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of withOffsets) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
