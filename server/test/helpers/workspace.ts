import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../../src/engine';
import type { Finding, TextEditAt } from '../../src/model/types';
import { LineIndex } from '../../src/model/text';
import { tempDir } from './files';
import { setChecking } from '../../src/facts/track';

/** Writes a workspace of real files into a fresh temp dir and returns its path (removed when the test process exits). */
export function makeWorkspace(files: Record<string, string>): string {
  const dir = tempDir('crosswire-ws-');
  for (const [rel, text] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  }
  return dir;
}

export function pkg(name: string, scripts: Record<string, string>, deps: Record<string, string> = {}): string {
  return JSON.stringify({ name, version: '1.0.0', private: true, scripts, dependencies: deps }, null, 2) + '\n';
}

export async function audit(...roots: string[]): Promise<{ engine: Engine; findings: Finding[] }> {
  const engine = await Engine.create({ roots });
  return { engine, findings: engine.findings() };
}

export function byRule(findings: Finding[], ruleId: string): Finding[] {
  return findings.filter((f) => f.ruleId === ruleId);
}

export { lineOf } from './files';

/** Applies text edits to the files on disk (edits of one file applied from last to first). */
export function applyEdits(edits: TextEditAt[]): void {
  const byFile = new Map<string, TextEditAt[]>();
  for (const e of edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [file, list] of byFile) {
    let text = fs.readFileSync(file, 'utf8');
    const idx = new LineIndex(text);
    const sorted = list
      .map((e) => ({ start: idx.offsetAt(e.range.start), end: idx.offsetAt(e.range.end), newText: e.newText }))
      .sort((a, b) => b.start - a.start);
    for (const e of sorted) text = text.slice(0, e.start) + e.newText + text.slice(e.end);
    fs.writeFileSync(file, text);
  }
}

/**
 * Runs `fn` with fact checking off, as users run Crosswire: `npm test` turns checking on, and the memos it bypasses
 * (per-app results, facts kept between edits) are then in play.
 */
export async function withoutFactChecking<T>(fn: () => Promise<T>): Promise<T> {
  const was = setChecking(false);
  try {
    return await fn();
  } finally {
    setChecking(was);
  }
}
