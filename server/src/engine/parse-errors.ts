/** The engine's own findings about files: parse-error (a file read only in part, or skipped) and invalid-config. */
import * as path from 'node:path';
import type { Finding, PrismaSchemaInfo } from '../model/types';
import type { WorkspaceIndex } from '../index/workspace';
import { PARSE_ERROR_RULE } from '../rules';

/** Code files whose syntax errors matter to Crosswire (it relies on them for ports, auth and config). */
const RELIED_ON = /^(auth|main|server|app|index)\.[cm]?[jt]sx?$|^(vite|prisma)\.config\.[cm]?[jt]s$/;

/** parse-error and invalid-config findings of one file: its own problems and those of the schemas read from it. */
export function parseErrorsOf(index: WorkspaceIndex, file: string, schemas: readonly PrismaSchemaInfo[]): Finding[] {
  const out: Finding[] = [];
  const push = (message: string, range: Finding['location']['range'], ruleId = PARSE_ERROR_RULE.id) =>
    out.push({ ruleId, severity: 'warning', message, location: { file, range }, related: [], fixes: [] });
  const f = index.files.get(file);
  if (f) {
    if (f.kind === 'config') {
      for (const p of f.problems) push(p.message, p.range, 'invalid-config');
    } else if (f.kind !== 'code' || RELIED_ON.test(path.basename(f.file))) {
      for (const p of f.problems) push(p.message, p.range);
      if (f.code && RELIED_ON.test(path.basename(f.file))) for (const p of f.code.problems) push(p.message, p.range);
    }
    // A package.json's "crosswire" key: Crosswire's own settings, so invalid-config.
    for (const p of f.configProblems ?? []) push(p.message, p.range, 'invalid-config');
  }
  for (const s of schemas) for (const p of s.problems) push(p.message, p.range);
  const unread = f ? undefined : index.unread.get(file);
  if (unread !== undefined) {
    out.push({
      ruleId: PARSE_ERROR_RULE.id,
      severity: 'info',
      message: `Crosswire did not read this file (${unread}): findings that depend on it may be missing`,
      location: { file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
      related: [],
      fixes: [],
    });
  }
  return capParseErrors(out);
}

/** At most this many parse-error findings on one file: the last one counts the rest. */
export const MAX_PARSE_ERRORS_PER_FILE = 50;

/** Bounds what one (hostile or garbage) file can produce: the first problems, then one finding that counts the others. */
function capParseErrors(list: Finding[]): Finding[] {
  const pe = list.filter((f) => f.ruleId === PARSE_ERROR_RULE.id);
  if (pe.length <= MAX_PARSE_ERRORS_PER_FILE) return list;
  pe.sort((a, b) => a.location.range.start.line - b.location.range.start.line || a.location.range.start.character - b.location.range.start.character);
  const kept = pe.slice(0, MAX_PARSE_ERRORS_PER_FILE - 1);
  const next = pe[MAX_PARSE_ERRORS_PER_FILE - 1];
  const rest = pe.length - kept.length;
  kept.push({ ...next, message: `Crosswire could not read ${rest} more places of this file (the first is here); only the first ${kept.length} are listed` });
  return [...list.filter((f) => f.ruleId !== PARSE_ERROR_RULE.id), ...kept];
}
