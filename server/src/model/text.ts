import type { Position, Range } from './types';

/** The empty range at the start of a file (where a problem about the whole file points); shared, do not mutate. */
export const ZERO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/**
 * Positions and ranges are values: nothing compares them by identity or changes them, so the ones LineIndex makes are
 * shared, frozen objects, one per (line, character) and per (start, end) while both are small. A workspace holds a few
 * hundred thousand of them (every env entry, script, listener and code default has two or three ranges) but only a few
 * thousand distinct ones, most of them on the first lines of small files: at 2,000 apps, 263,000 positions and 130,000
 * ranges took 15 MB of the language server's ~114 MB heap. Each table stops growing at INTERN_LIMIT entries (fresh
 * objects after that): full, the two hold under ~10 MB, for the life of the process.
 */
const INTERN_LIMIT = 1 << 17;
const MAX_LINE = 4096;
const MAX_CHARACTER = 512;
const positionTable: (Position | undefined)[][] = [];
let positionCount = 0;
const rangeTable = new Map<number, Range>();

/** The position (line, character): a shared frozen object while both are small. */
export function position(line: number, character: number): Position {
  if (line >= MAX_LINE || character >= MAX_CHARACTER || line < 0 || character < 0) return { line, character };
  let row = positionTable[line];
  if (!row) row = positionTable[line] = [];
  let p = row[character];
  if (!p) {
    if (positionCount >= INTERN_LIMIT) return { line, character };
    p = row[character] = Object.freeze({ line, character });
    positionCount++;
  }
  return p;
}

/** The range from `start` to `end`: a shared frozen object while both are small. */
export function rangeOf(start: Position, end: Position): Range {
  if (start.line >= MAX_LINE || end.line >= MAX_LINE || start.character >= MAX_CHARACTER || end.character >= MAX_CHARACTER) return { start, end };
  // (exact in a double: 12 + 9 + 12 + 9 = 42 bits)
  const key = ((start.line * MAX_CHARACTER + start.character) * MAX_LINE + end.line) * MAX_CHARACTER + end.character;
  let r = rangeTable.get(key);
  if (!r) {
    if (rangeTable.size >= INTERN_LIMIT) return { start, end };
    r = Object.freeze({ start: position(start.line, start.character), end: position(end.line, end.character) });
    rangeTable.set(key, r);
  }
  return r;
}

/** Converts between string offsets (UTF-16) and LSP positions for one text. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* \n */) this.starts.push(i + 1);
      else if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return position(lo, o - this.starts[lo]);
  }

  offsetAt(pos: Position): number {
    if (pos.line >= this.starts.length) return this.text.length;
    if (pos.line < 0) return 0;
    return Math.min(this.starts[pos.line] + pos.character, this.lineEnd(pos.line));
  }

  range(start: number, end: number): Range {
    return rangeOf(this.positionAt(start), this.positionAt(end));
  }

  /** Offset of the start of a line. */
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))];
  }

  /** Offset of the end of a line's content (before its line break). */
  lineEnd(line: number): number {
    if (line + 1 < this.starts.length) {
      let e = this.starts[line + 1] - 1;
      if (e > this.starts[line] && this.text.charCodeAt(e) === 10 && this.text.charCodeAt(e - 1) === 13) e--;
      else if (this.text.charCodeAt(e) === 13) {
        /* lone CR */
      }
      return e;
    }
    return this.text.length;
  }

  lineText(line: number): string {
    return this.text.slice(this.starts[line] ?? this.text.length, this.lineEnd(line));
  }

  /** Range of a whole line's content. */
  lineRange(line: number): Range {
    return rangeOf(position(line, 0), this.positionAt(this.lineEnd(line)));
  }
}

export function rangeContains(outer: Range, p: Position): boolean {
  const afterStart = p.line > outer.start.line || (p.line === outer.start.line && p.character >= outer.start.character);
  const beforeEnd = p.line < outer.end.line || (p.line === outer.end.line && p.character <= outer.end.character);
  return afterStart && beforeEnd;
}

/**
 * A string for a terminal or a log line: control characters (C0, DEL, C1, and the line and
 * paragraph separators) escaped as `\n`, `\r`, `\t`, `\e` or `\xNN` / `\uNNNN`, so that a folder or
 * package name cannot move the cursor, set the terminal's title or clear its screen.
 */
export function escapeControl(s: string, keepNewlines = false): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this function's job.
  return s.replace(keepNewlines ? /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g : /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    if (c === '\u001b') return '\\e';
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}
