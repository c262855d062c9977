/**
 * Inline suppressions, like ESLint's:
 *   # crosswire-disable-next-line duplicate-secret, port-collision -- reason      (.env, Python, YAML)
 *   // crosswire-disable-next-line missing-connection-limit -- reason            (TS/JS, Prisma)
 *   # crosswire-disable ineffective-port                                          (whole file)
 * Without rule ids, a directive applies to every rule.
 */
import { commentSyntax } from '../model/file-kinds';
import { classifyEnvFile } from './env';

export interface Suppression {
  kind: 'next-line' | 'file';
  /** Rule ids; empty = every rule. */
  rules: string[];
  /** 0-based line of the directive comment. */
  line: number;
  /** Character range of the directive on its line. */
  start: number;
  end: number;
  /** Written as a `"crosswire": { "disable": [...] }` entry of a package.json (not a comment). */
  origin?: 'package.json';
}

const DIRECTIVE = /(?:#|\/\/|\/\*)\s*crosswire-(disable-next-line|disable)\b([^\n*]*)/;

export function parseSuppressions(text: string): Suppression[] {
  if (!text.includes('crosswire-disable')) return [];
  const out: Suppression[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  lines.forEach((line, i) => {
    const m = DIRECTIVE.exec(line);
    if (!m) return;
    const body = m[2].split(/\s--\s|\s--$/)[0];
    const rules = body
      .split(/[,\s]+/)
      .map((r) => r.trim())
      .filter((r) => /^[a-z][a-z0-9-]*$/.test(r));
    out.push({ kind: m[1] === 'disable' ? 'file' : 'next-line', rules, line: i, start: m.index, end: m.index + m[0].length });
  });
  return out;
}

/** The comment syntax of a file, for writing a directive: undefined where the format has no comments (JSON). From the file-kinds table. */
export function commentPrefix(file: string): string | undefined {
  return commentSyntax(file, classifyEnvFile);
}
