/**
 * Baselines, for adopting Crosswire on a legacy repository: `--baseline-write FILE` records the
 * current findings; `--baseline FILE` then reports only findings that are not in it, so CI fails
 * only on new problems. An entry is (rule, file, SHA-256 of the finding's line text, count):
 * stable when lines move, and it never stores the line itself (which may hold a secret).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../model/types';

export interface BaselineEntry {
  ruleId: string;
  file: string;
  lineHash: string;
  count: number;
}

export interface Baseline {
  version: 1;
  tool: 'crosswire';
  findings: BaselineEntry[];
}

function lineText(file: string, line: number, cache: Map<string, string[]>): string {
  let lines = cache.get(file);
  if (!lines) {
    try {
      lines = fs.readFileSync(file, 'utf8').split(/\r\n|\r|\n/);
    } catch {
      lines = [];
    }
    cache.set(file, lines);
  }
  return (lines[line] ?? '').trim();
}

function keyOf(f: Finding, baseDir: string, cache: Map<string, string[]>): { ruleId: string; file: string; lineHash: string } {
  const file = path.relative(baseDir, f.location.file).split(path.sep).join('/');
  const lineHash = createHash('sha256')
    .update(lineText(f.location.file, f.location.range.start.line, cache))
    .digest('hex')
    .slice(0, 16);
  return { ruleId: f.ruleId, file, lineHash };
}

export function makeBaseline(findings: readonly Finding[], baseDir: string): Baseline {
  const cache = new Map<string, string[]>();
  const counts = new Map<string, BaselineEntry>();
  for (const f of findings) {
    const k = keyOf(f, baseDir, cache);
    const id = `${k.ruleId}\0${k.file}\0${k.lineHash}`;
    const e = counts.get(id);
    if (e) e.count++;
    else counts.set(id, { ...k, count: 1 });
  }
  return {
    version: 1,
    tool: 'crosswire',
    findings: [...counts.values()].sort((a, b) => a.file.localeCompare(b.file) || a.ruleId.localeCompare(b.ruleId) || a.lineHash.localeCompare(b.lineHash)),
  };
}

export function readBaseline(file: string): Baseline {
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Baseline>;
  if (data.version !== 1 || !Array.isArray(data.findings)) throw new Error(`${file} is not a Crosswire baseline (version 1)`);
  return data as Baseline;
}

/** The findings that the baseline does not account for. */
export function filterByBaseline(findings: readonly Finding[], baseline: Baseline, baseDir: string): Finding[] {
  return filterByBaselineWithStats(findings, baseline, baseDir).kept;
}

/** The findings the baseline does not account for, and how many of its findings no longer occur (fixed, or moved to another line text). */
export function filterByBaselineWithStats(findings: readonly Finding[], baseline: Baseline, baseDir: string): { kept: Finding[]; unmatched: number } {
  const cache = new Map<string, string[]>();
  const left = new Map<string, number>();
  for (const e of baseline.findings)
    left.set(`${e.ruleId}\0${e.file}\0${e.lineHash}`, (left.get(`${e.ruleId}\0${e.file}\0${e.lineHash}`) ?? 0) + Math.max(0, Number(e.count) || 0));
  const kept: Finding[] = [];
  for (const f of findings) {
    const k = keyOf(f, baseDir, cache);
    const id = `${k.ruleId}\0${k.file}\0${k.lineHash}`;
    const n = left.get(id) ?? 0;
    if (n > 0) left.set(id, n - 1);
    else kept.push(f);
  }
  let unmatched = 0;
  for (const n of left.values()) unmatched += n;
  return { kept, unmatched };
}

/** "3 findings hidden by the baseline b.json (1 of its findings no longer occurs: ...)." */
export function baselineSentence(b: { file: string; hidden: number; fixed: number }): string {
  const n = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  const fixed =
    b.fixed > 0
      ? ` (${n(b.fixed, 'finding')} of the baseline no longer ${b.fixed === 1 ? 'occurs' : 'occur'}: --baseline-write records the current state)`
      : '';
  return `${b.hidden === 0 ? 'No findings' : n(b.hidden, 'finding')} hidden by the baseline ${b.file}${fixed}.`;
}

/**
 * SARIF partialFingerprints for the findings, in order: a hash of (rule, file relative to baseDir, the text
 * of the finding's line) and the occurrence of that triple, as "hash:n". Stable when lines move (code
 * scanning keeps tracking the alert across commits), new when the line itself changes. Like the
 * baseline, it never holds the line (which may hold a secret), only a hash of it with the rule and file.
 */
export function fingerprints(findings: readonly Finding[], baseDir: string): string[] {
  const cache = new Map<string, string[]>();
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const k = keyOf(f, baseDir, cache);
    const hash = createHash('sha256').update(`crosswire\0${k.ruleId}\0${k.file}\0${k.lineHash}`).digest('hex').slice(0, 32);
    const n = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, n);
    return `${hash}:${n}`;
  });
}
