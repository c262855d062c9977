/**
 * Editor queries over the index: hover on .env keys and go-to-definition from code to the env
 * line that supplies a value. Pure functions of the engine's state; the LSP only converts them.
 */
import * as path from 'node:path';
import type { App, EnvEntry, Finding, Location, Position } from './model/types';
import { displayKey, mask } from './model/mask';
import { rangeContains } from './model/text';
import type { WorkspaceIndex } from './index/workspace';
import { isSecretKey } from './facts/secrets';
import { originOf } from './facts/util';

function appOf(index: WorkspaceIndex, file: string): App | undefined {
  let best: App | undefined;
  for (const a of index.apps) {
    if ((file.startsWith(a.dir + path.sep) || path.dirname(file) === a.dir) && (!best || a.dir.length > best.dir.length)) best = a;
  }
  return best;
}

/** How a value may be shown: secrets and anything that may hold credentials are masked. */
export function displayValue(key: string, value: string): string {
  if (value === '') return '(empty)';
  if (isSecretKey(key)) return mask(value);
  const o = originOf(value);
  if (o)
    return `${o.scheme}://${o.host}${o.port ? `:${o.port}` : ''}${/[?&]connection_limit=(\d+)/.exec(value) ? ` (connection_limit=${/[?&]connection_limit=(\d+)/.exec(value)![1]})` : ''} · ${mask(value)}`;
  if (/PORT$/.test(key) && /^\d{1,5}$/.test(value)) return value;
  return mask(value);
}

/** What the hover says about a rule beside its finding: the rule's one-line explanation and its docs page. */
export type RuleExplainer = (ruleId: string) => { description: string; href?: string } | undefined;

/** Markdown hover for the env key under the cursor: where else it is defined, per app, equal or not, and the findings involving it. */

export function envHover(index: WorkspaceIndex, findings: readonly Finding[], file: string, pos: Position, explain?: RuleExplainer): string | undefined {
  const envFile = index.files.get(file)?.env;
  if (!envFile) return undefined;
  const here = envFile.entries.find((e) => rangeContains(e.keyRange, pos) || rangeContains(e.range, pos));
  if (!here) return undefined;
  const key = here.key;
  const hereValue = here.expanded ?? here.value;
  const rows: string[] = [];
  let count = 0;
  for (const app of index.apps) {
    for (const f of app.envFiles) {
      for (const e of f.entries) {
        if (e.key !== key) continue;
        count++;
        const v = e.expanded ?? e.value;
        const same = e === here ? 'this line' : v === hereValue ? 'same value' : 'different';
        const rel = index.roots.length ? path.relative(app.root, e.file).split(path.sep).join('/') : e.file;
        rows.push(
          `| ${app.name} | [${rel}:${e.range.start.line + 1}](${fileLink(e.file, e.range.start.line)}) | ${f.kind === 'template' ? 'template' : f.mode} | \`${displayValue(key, v)}\` | ${same} |`,
        );
      }
    }
  }
  const line = here.range.start.line;
  const isHere = (l: Location) => l.file === file && l.range.start.line === line;
  const onLine = findings.filter((f) => isHere(f.location));
  // The other side of a finding that points here (the other app's duplicate-secret, say): one link each, not its
  // message again (it says what this line's own finding says, from the other app's side).
  const elsewhere = new Map<string, Set<string>>();
  for (const f of findings) {
    if (isHere(f.location) || !f.related.some((r) => isHere(r.location))) continue;
    const l = f.location;
    const links = elsewhere.get(f.ruleId) ?? new Set<string>();
    links.add(`[${displayPath(index, l.file)}:${l.range.start.line + 1}](${fileLink(l.file, l.range.start.line)})`);
    elsewhere.set(f.ruleId, links);
  }
  const out = [`**${displayKey(key)}**: defined ${count === 1 ? 'only here' : `in ${count} places`} in the workspace`, ''];
  if (count > 1) out.push('| app | file | kind | value | vs. here |', '|---|---|---|---|---|', ...rows, '');
  if (onLine.length) {
    out.push('Crosswire findings on this line:', '');
    // The message says what is wrong; the rule's explanation and its docs page say why and what to do (once per rule).
    const explained = new Set<string>();
    for (const f of onLine) {
      out.push(`- \`${f.ruleId}\` (${f.severity}): ${f.message}`);
      const e = explained.has(f.ruleId) ? undefined : explain?.(f.ruleId);
      explained.add(f.ruleId);
      if (e) out.push(`  ${e.description}${e.href ? ` [Documentation](${e.href})` : ''}`);
    }
    out.push('');
  }
  if (elsewhere.size) {
    const list = [...elsewhere].map(([rule, links]) => `\`${rule}\` at ${[...links].join(', ')}`).join('; ');
    out.push(`${onLine.length ? 'Also reported on the other side' : 'Crosswire findings that point to this line'}: ${list}`);
  }
  out.push('', '_Values are masked (sha256 fingerprint); equal fingerprints mean equal values._');
  return out.join('\n');
}

/** A file's path relative to the workspace folder holding it. */
function displayPath(index: WorkspaceIndex, file: string): string {
  const root = index.roots.filter((r) => file.startsWith(r.endsWith(path.sep) ? r : r + path.sep)).sort((a, b) => b.length - a.length)[0];
  return root ? path.relative(root, file).split(path.sep).join('/') : file;
}

function fileLink(file: string, line: number): string {
  return `file://${encodeURI(file.split(path.sep).join('/')).replace(/^\/*/, '/')}#L${line + 1}`;
}

/** The env variable named at a position: `env("X")` in Prisma, `process.env.X` / `process.env["X"]` / `import.meta.env.X` in code. */
export function envVarAt(text: string, pos: Position): string | undefined {
  const line = text.split(/\r\n|\r|\n/)[pos.line];
  if (line === undefined) return undefined;
  const patterns = [
    /env\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\)/g,
    /(?:process|import\.meta)\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\])/g,
    /(?:getenv|environ\.get|config\.get|configService\.get(?:OrThrow)?(?:<[^>]*>)?)\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']/g,
  ];
  for (const re of patterns) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line))) {
      if (pos.character >= m.index && pos.character <= m.index + m[0].length) return m[1] ?? m[2];
    }
  }
  return undefined;
}

/** Go to definition: the env lines that supply the variable named at the position, in the app's precedence order (templates only when no live file defines it). */
export function envDefinition(index: WorkspaceIndex, file: string, pos: Position): Location[] {
  const text = index.textOf(file);
  if (text === undefined) return [];
  const key = envVarAt(text, pos);
  if (!key) return [];
  const app = appOf(index, file);
  if (!app) return [];
  const hits = (kind: 'live' | 'template') => {
    const out: EnvEntry[] = [];
    for (const f of app.envFiles) {
      if (f.kind !== kind) continue;
      const last = f.entries.filter((e) => e.key === key).pop();
      if (last) out.push(last);
    }
    return out;
  };
  // The live files supply the value; a template is only where to look when no live file defines it.
  const live = hits('live');
  return (live.length ? live : hits('template')).map((e) => ({ file: e.file, range: e.range }));
}
