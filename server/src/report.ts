/**
 * The Markdown report of "Crosswire: Audit workspace": counts, a table of the apps, then the
 * findings grouped by rule and by app, each with a clickable `file:///...#L<line>` location
 * (VS Code's Markdown preview opens those at the line). Never prints a secret: finding messages
 * are already masked by the rules, and database URLs are reduced to host:port.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { App, EnvFile, Finding, Location, PrismaDatasource, Severity } from './model/types';
import type { RuleMeta as Rule } from './model/rule';
import { escapeControl } from './model/text';
import { docsHref } from './docs';

export interface AuditReportData {
  roots: readonly string[];
  apps: readonly App[];
  findings: readonly Finding[];
  rules: readonly Pick<Rule, 'id' | 'docs' | 'defaultSeverity' | 'fixable'>[];
  /** Absolute URI (ending in '/') that rules' repo-relative docs urls are resolved against. */
  docsBaseUri?: string;
  /** Report title (default "Crosswire audit"). */
  title?: string;
  /**
   * Folder the report document will live in: locations become relative links (`app/.env#L3`), which
   * VS Code's Markdown preview opens (it does not render `file:` links). Without it, `file://` URLs.
   */
  linkBase?: string;
}

const SEVERITIES: Severity[] = ['error', 'warning', 'info'];

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Text safe in Markdown prose / table cells (no HTML, no table breaks, one line). Code spans (`` `-p <port>` ``)
 * are kept as they are: Markdown shows their text literally, so an entity there would show as `&lt;port&gt;`.
 * Only a `|` in a code span of a table cell is escaped (GFM tables split cells there even in code spans).
 */
function md(text: string, cell = false): string {
  const line = escapeControl(text.replace(/\r?\n/g, ' '));
  const prose = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
  let out = '';
  let from = 0;
  for (const span of codeSpans(line)) {
    out += prose(line.slice(from, span.start)) + (cell ? line.slice(span.start, span.end).replace(/\|/g, '\\|') : line.slice(span.start, span.end));
    from = span.end;
  }
  return out + prose(line.slice(from));
}

/** CommonMark code spans: a run of n backticks up to the next run of exactly n (an unclosed run is plain text). */
function codeSpans(text: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  const runs = [...text.matchAll(/`+/g)].map((m) => ({ at: m.index!, n: m[0].length }));
  for (let i = 0; i < runs.length; i++) {
    const close = runs.findIndex((r, j) => j > i && r.n === runs[i].n);
    if (close < 0) continue;
    spans.push({ start: runs[i].at, end: runs[close].at + runs[close].n });
    i = close;
  }
  return spans;
}

/** Text safe inside a link's [label] (a file path: no code spans there, everything escaped). */
function mdLabel(text: string): string {
  return escapeControl(text.replace(/\r?\n/g, ' '))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/([[\]\\])/g, '\\$1');
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** How the report names and links files, apps and docs. */
interface Links {
  /** A file's path for display: relative to its workspace folder (prefixed by the folder's name when several). */
  display(file: string): string;
  /** Link target of a file or folder: relative to linkBase when given (see AuditReportData.linkBase), else a file:// URL. */
  target(p: string): string;
  link(loc: Location): string;
  docsLink(url: string): string;
  appLabel(a: App): string;
}

function links(data: AuditReportData): Links {
  const roots = [...data.roots];
  const multiRoot = roots.length > 1;
  const display = (file: string): string => {
    const root = roots.filter((r) => isInside(r, file)).sort((a, b) => b.length - a.length)[0];
    if (!root) return file;
    const rel = path.relative(root, file).split(path.sep).join('/') || '.';
    if (!multiRoot) return rel;
    const name = path.basename(root);
    return rel === '.' ? name : `${name}/${rel}`;
  };
  const target = (p: string): string =>
    data.linkBase ? path.relative(data.linkBase, p).split(path.sep).map(encodeURIComponent).join('/') || '.' : pathToFileURL(p).href;
  const link = (loc: Location): string => {
    const line = loc.range.start.line + 1;
    return `[${mdLabel(`${display(loc.file)}:${line}`)}](${target(loc.file)}#L${line})`;
  };
  const docsLink = (url: string): string => docsHref(url, data.docsBaseUri);
  const nameCount = new Map<string, number>();
  for (const a of data.apps) nameCount.set(a.name, (nameCount.get(a.name) ?? 0) + 1);
  const appLabel = (a: App): string => (nameCount.get(a.name)! > 1 ? `${a.name} (${display(a.dir)})` : a.name);
  return { display, target, link, docsLink, appLabel };
}

export function renderAuditReport(data: AuditReportData): string {
  const l = links(data);
  const apps = [...data.apps];
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of data.findings) counts[f.severity]++;

  const out: string[] = [];
  out.push(`# ${data.title ?? 'Crosswire audit'}`, '');
  out.push(`Workspace: ${data.roots.map((r) => `[${mdLabel(path.basename(r) || r)}](${l.target(r)})`).join(', ')}`, '');
  out.push(
    `**${plural(apps.length, 'app')} indexed** · ` +
      `**${plural(data.findings.length, 'finding')}**: ` +
      SEVERITIES.map((s) => plural(counts[s], s === 'info' ? 'info' : s)).join(', '),
    '',
  );
  out.push(...appsSection(data, l));
  out.push(...findingsSection(data, l));
  return out.join('\n');
}

function appsSection(data: AuditReportData, l: Links): string[] {
  const out = ['## Apps', ''];
  if (data.apps.length === 0) {
    out.push('No apps found.', '');
    return out;
  }
  out.push('| App | Folder | Framework | Listens on | Database servers | Findings |', '|---|---|---|---|---|---|');
  const sorted = [...data.apps].sort((a, b) => l.display(a.dir).localeCompare(l.display(b.dir)));
  for (const a of sorted) {
    const n = data.findings.filter((f) => f.appId === a.id).length;
    out.push(
      `| ${md(a.name, true)} | [${mdLabel(l.display(a.dir))}](${l.target(a.dir)}) | ${md(a.framework, true)} | ` +
        `${md(listenSummary(a), true) || '—'} | ${md(databaseSummary(a), true) || '—'} | ${n} |`,
    );
  }
  out.push('');
  return out;
}

function findingsSection(data: AuditReportData, l: Links): string[] {
  const out = ['## Findings', ''];
  if (data.findings.length === 0) {
    out.push('No problems found.', '');
    return out;
  }
  const appById = new Map(data.apps.map((a) => [a.id, a] as const));
  const ruleIds = [...data.rules.map((r) => r.id)];
  for (const f of data.findings) if (!ruleIds.includes(f.ruleId)) ruleIds.push(f.ruleId);
  for (const ruleId of ruleIds) {
    const list = data.findings.filter((f) => f.ruleId === ruleId);
    if (list.length === 0) continue;
    const rule = data.rules.find((r) => r.id === ruleId);
    const c: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
    for (const f of list) c[f.severity]++;
    const sev = SEVERITIES.filter((s) => c[s] > 0)
      .map((s) => plural(c[s], s))
      .join(', ');
    out.push(`### \`${ruleId}\` — ${sev}`, '');
    if (rule) out.push(`${md(rule.docs.description)} [Documentation](${l.docsLink(rule.docs.url)})`, '');

    // by app, in the order apps first appear
    const groups = new Map<string, Finding[]>();
    for (const f of list) {
      const key = f.appId ?? '';
      const g = groups.get(key);
      if (g) g.push(f);
      else groups.set(key, [f]);
    }
    for (const [appId, fs] of groups) {
      const app = appById.get(appId);
      out.push(`#### ${app ? md(l.appLabel(app)) : appId ? md(appId) : '(no app)'}`, '');
      for (const f of fs) {
        const fixes = f.fixes.length > 0 ? ` _Quick fix: ${f.fixes.map((x) => md(x.title)).join('; ')}_` : '';
        out.push(`- **${f.severity}** ${l.link(f.location)} ${md(f.message)}${fixes}`);
        for (const r of f.related) out.push(`  - ${l.link(r.location)} ${md(r.message)}`);
      }
      out.push('');
    }
  }
  return out;
}

/** "3000 (dev, start: default port), 8080 (serve)" */
function listenSummary(app: App): string {
  const byPort = new Map<number, { scripts: string[]; implicit: boolean }>();
  for (const l of app.listeners ?? []) {
    const s = byPort.get(l.port) ?? { scripts: [], implicit: true };
    s.scripts.push(l.script);
    s.implicit &&= !l.explicit;
    byPort.set(l.port, s);
  }
  return [...byPort]
    .sort((a, b) => a[0] - b[0])
    .map(([port, s]) => `${port} (${s.scripts.join(', ')}${s.implicit ? ': default port' : ''})`)
    .join(', ');
}

const DEFAULT_DB_PORTS: Record<string, number> = {
  postgres: 5432,
  postgresql: 5432,
  mysql: 3306,
  sqlserver: 1433,
  mongodb: 27017,
  'mongodb+srv': 27017,
  cockroachdb: 26257,
};

/** host:port of each datasource (never user, password or database name). */
function databaseSummary(app: App): string {
  const servers = new Set<string>();
  for (const schema of app.schemas ?? []) {
    for (const ds of schema.datasources) {
      const s = datasourceServer(app, ds);
      if (s) servers.add(s);
    }
  }
  return [...servers].join(', ');
}

function datasourceServer(app: App, ds: PrismaDatasource): string | undefined {
  const url = ds.url;
  if (!url) return undefined;
  let value = url.literal;
  if (value === undefined && url.envVar) value = envValue(app.envFiles ?? [], url.envVar);
  if (value === undefined) return url.envVar ? `env(${url.envVar}): unset` : undefined;
  try {
    const u = new URL(value);
    const scheme = u.protocol.replace(/:$/, '');
    if (scheme === 'file') return 'file (SQLite)';
    const port = u.port || DEFAULT_DB_PORTS[scheme];
    return `${u.hostname}${port ? `:${port}` : ''}`;
  } catch {
    return undefined;
  }
}

/** The value of a key as the app would see it in development: `.local` files first, templates last. */
function envValue(files: readonly EnvFile[], key: string): string | undefined {
  const rank = (f: EnvFile): number => (f.kind === 'template' ? 3 : f.mode === 'default' || f.mode === 'development' ? (f.local ? 0 : 1) : 2);
  for (const f of [...files].sort((a, b) => rank(a) - rank(b))) {
    if (f.kind === 'template' || rank(f) === 2) continue;
    const e = f.entries.find((x) => x.key === key);
    if (e) return e.expanded ?? e.value;
  }
  return undefined;
}
