import type { Finding, Severity } from '../../model/types';
import { escapeControl as esc } from '../../model/text';
import { countBySeverity, oneBased, oneLine, plural, relPath, type FormatContext } from './common';
import { baselineSentence } from '../baseline';

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  underline: '\u001b[4m',
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  cyan: '\u001b[36m',
  green: '\u001b[32m',
};

/** Messages longer than this are not padded (nor pad the others). */
const MAX_PAD = 100;

type Paint = (codes: string[], s: string) => string;

const severityColor: Record<Severity, string> = { error: ANSI.red, warning: ANSI.yellow, info: ANSI.cyan };

/**
 * ESLint "stylish"-like output: one block per file (its relative path, then aligned
 * `line:col  severity  message  rule-id` rows, related locations indented under their row),
 * then a summary line.
 */
export function formatText(findings: readonly Finding[], ctx: FormatContext): string {
  const shown = ctx.shownPath ?? ((file: string) => relPath(ctx, file));
  const paint: Paint = ctx.color ? (codes, s) => (s ? codes.join('') + s + ANSI.reset : s) : (_codes, s) => s;

  // Group by file, keeping the engine's order (sorted by file and position).
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byFile.get(f.location.file);
    if (list) list.push(f);
    else byFile.set(f.location.file, [f]);
  }

  const out: string[] = [];
  for (const [file, list] of byFile) {
    const rows = list.map((f) => {
      const p = oneBased(f.location.range);
      return { f, pos: `${p.line}:${p.column}`, sev: f.severity, msg: esc(oneLine(f.message)), rule: f.ruleId };
    });
    const wPos = Math.max(...rows.map((r) => r.pos.length));
    const wSev = Math.max(...rows.map((r) => r.sev.length));
    // Messages are aligned like ESLint's, but a long one is not a reason to pad every other row to its width.
    const wMsg = Math.max(0, ...rows.map((r) => r.msg.length).filter((n) => n <= MAX_PAD));

    out.push('');
    out.push(paint([ANSI.underline], esc(shown(file))));
    for (const r of rows) {
      const line =
        '  ' +
        paint([ANSI.dim], r.pos.padEnd(wPos)) +
        '  ' +
        paint([severityColor[r.sev]], r.sev.padEnd(wSev)) +
        '  ' +
        r.msg.padEnd(wMsg) +
        '  ' +
        paint([ANSI.dim], r.rule);
      out.push(line.replace(/\s+$/, ''));
      for (const rel of r.f.related) {
        const where = `${esc(shown(rel.location.file))}:${rel.location.range.start.line + 1}`;
        out.push(`      ${paint([ANSI.dim], '→')} ${where}: ${esc(oneLine(rel.message))}`);
      }
    }
  }

  out.push('');
  if (findings.length === 0) {
    const n = ctx.apps?.length ?? 0;
    out.push(paint([ANSI.green, ANSI.bold], `No problems found in ${plural(n, 'app')}.`));
  } else {
    const c = countBySeverity(findings);
    const summary = `✖ ${plural(findings.length, 'problem')} ` + `(${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${plural(c.info, 'info')})`;
    const color = c.error > 0 ? ANSI.red : c.warning > 0 ? ANSI.yellow : ANSI.cyan;
    out.push(paint([color, ANSI.bold], summary));
  }
  if (ctx.baseline) out.push(paint([ANSI.dim], esc(baselineSentence(ctx.baseline))));
  return out.join('\n') + '\n';
}
