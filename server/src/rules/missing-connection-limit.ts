import type { App, CodeFileInfo, EnvEntry, Fix, Location, RelatedInfo, TextEditAt, WorkspaceView } from '../model/types';
import { LineIndex } from '../model/text';
import { fewNames, identity, MAX_RELATED, SharingIndex } from '../facts/util';
import {
  databaseName,
  datasourceUrls,
  hasConnectionLimit,
  isPrisma7,
  resolveEnv,
  serverKey,
  serverSharing,
  sharingKey,
  type DatasourceUrl,
  type ServerUse,
} from '../facts/datasources';
import { isLibrary } from '../facts/libraries';
import { appRule, type Report } from '../model/rule';
import { keyName, outerStart, parseJs, walk, type t } from '../parsers/js';

/** floor(80 / apps sharing the server), at most 10, at least 1. */
export function suggestedLimit(sharing: number): number {
  return Math.max(1, Math.min(10, Math.floor(80 / Math.max(1, sharing))));
}

/** Appends `connection_limit=n` to a URL written in an env file or a schema literal, quoting kept. */
function appendParam(file: string, valueText: string, insertAt: { line: number; character: number }, n: number): TextEditAt {
  const sep = valueText.includes('?') ? '&' : '?';
  return { file, range: { start: insertAt, end: insertAt }, newText: `${sep}connection_limit=${n}` };
}

export function appendLimitEdits(d: DatasourceUrl, n: number): TextEditAt[] {
  if (d.envEntry) {
    // Every live definition of that variable in the app that points at the same server and lacks the limit.
    const edits: TextEditAt[] = [];
    for (const f of d.app.envFiles) {
      if (f.kind !== 'live') continue;
      for (const e of f.entries) {
        if (e.key !== d.envEntry.key) continue;
        const v = e.expanded ?? e.value;
        if (serverKey(v) !== d.server || hasConnectionLimit(v)) continue;
        const end = e.quote ? e.innerRange.end : e.valueRange.end;
        edits.push(appendParam(e.file, e.value, end, n));
      }
    }
    return edits;
  }
  const vr = d.assignment.valueRange;
  return [appendParam(d.ds.file, d.url, { line: vr.end.line, character: vr.end.character - 1 }, n)];
}

/**
 * The other apps on a datasource's server. A library's schema (a schema and migrations package that runs nothing) is
 * the pool of the app that uses it: the apps on the very database it names are its users, not other pools.
 */
function othersOn(sharing: SharingIndex<ServerUse>, app: App, d: DatasourceUrl): { total: number; sample: ServerUse[] } {
  if (!isLibrary(app)) return sharing.othersOf(sharingKey(d.server, app), identity(app));
  const db = databaseName(d.url);
  const all = sharing.othersOf(sharingKey(d.server, app), identity(app), Number.MAX_SAFE_INTEGER).sample.filter((u) => db === undefined || u.database !== db);
  return { total: all.length, sample: all.slice(0, MAX_RELATED) };
}

export const missingConnectionLimit = appRule({
  id: 'missing-connection-limit',
  docs: {
    description:
      'A Prisma datasource has no connection_limit while several apps share its database server (or connection_limit is written where Prisma rejects it).',
    url: 'docs/rules/missing-connection-limit.md',
  },
  defaultSeverity: 'warning',
  fixable: true,
  facts: ['env', 'schemas', 'code', 'package', 'listeners', 'pm2', 'serverUses'],
  check(app, ctx) {
    const index = ctx.index;
    // Who else uses each server, replicas counted once.
    const sharing = serverSharing(index);
    const findings: Report[] = [];
    {
      if (isPrisma7(app)) {
        // Prisma 7: the pool belongs to the driver adapter; v6 advice would be wrong.
        for (const r of prisma7Findings(index, app, sharing)) ctx.report(r);
        return;
      }
      const urls = datasourceUrls(app);
      for (const schema of app.schemas) {
        for (const ds of schema.datasources) {
          // connection_limit written as a datasource property: Prisma rejects it.
          const prop = ds.assignments.find((a) => a.key === 'connection_limit');
          if (prop) {
            const d = urls.find((u) => u.ds === ds);
            const n = Number(prop.raw) > 0 ? Math.floor(Number(prop.raw)) : 10;
            const fixes: Fix[] = [];
            fixes.push({
              kind: 'safe',
              title:
                d && !hasConnectionLimit(d.url)
                  ? `Move connection_limit=${n} into the ${d.envEntry ? d.envEntry.key : 'url'}`
                  : 'Remove the connection_limit property',
              preferred: true,
              edits: () => {
                const removal: TextEditAt = {
                  file: ds.file,
                  range: { start: { line: prop.range.start.line, character: 0 }, end: { line: prop.range.start.line + 1, character: 0 } },
                  newText: '',
                };
                return d && !hasConnectionLimit(d.url) ? [removal, ...appendLimitEdits(d, n)] : [removal];
              },
            });
            findings.push({
              stronger: true,
              message: `Prisma rejects \`connection_limit\` in a datasource block (P1012): it belongs in the URL, ${d?.envEntry ? `${d.envEntry.key}="…?connection_limit=${n}"` : `url "…?connection_limit=${n}"`}.`,
              at: { file: ds.file, range: prop.range },
              related: d?.envEntry ? [{ location: { file: d.envEntry.file, range: d.envEntry.range }, message: `${d.envEntry.key} is defined here` }] : [],
              app: app,
              fixes,
            });
          }
        }
      }
      for (const d of urls) {
        if (hasConnectionLimit(d.url)) continue;
        const { total: otherCount, sample } = othersOn(sharing, app, d);
        const ownCount = urls.filter((u) => u.server === d.server).length;
        if (otherCount === 0 && ownCount < 2) continue;
        const n = suggestedLimit(otherCount + 1 + Math.max(0, ownCount - 1));
        const related: RelatedInfo[] = [];
        if (d.envEntry)
          related.push({
            location: { file: d.envEntry.file, range: d.envEntry.range },
            message: `${d.envEntry.key} is defined here, with no connection_limit`,
          });
        for (const u of sample) related.push({ location: u.location, message: `${u.app.name} also uses ${d.server.replace(/^\w+:\/\//, '')} (${u.what})` });
        const names = sample.map((u) => u.app.name);
        findings.push({
          message: `Datasource ${d.ds.name} has no connection_limit, and ${names.length ? fewNames(names, 2, ['app', 'apps'], otherCount) : 'another datasource of this app'} also ${otherCount === 1 || !names.length ? 'uses' : 'use'} ${d.server.replace(/^\w+:\/\//, '')}.`,
          at: { file: d.ds.file, range: d.assignment.range },
          related,
          app: app,
          fixes: [
            {
              kind: 'safe',
              title: `Add connection_limit=${n} to ${d.envEntry ? d.envEntry.key : 'the url'}`,
              preferred: true,
              edits: () => appendLimitEdits(d, n),
            },
          ],
        });
      }
    }
    for (const r of findings) ctx.report(r);
  },
});

// ---------------------------------------------------------------------------------------------
// Prisma 7: the URL comes from prisma.config.ts (or the adapter's connectionString), the pool is
// the driver's: `new PrismaPg({ connectionString, max })`, pg's Pool default max 10.

type DriverPool = CodeFileInfo['driverPools'][number];

/** The URL a Prisma 7 pool connects to: its connectionString's env variable, else prisma.config.ts's datasource.url. */
function prisma7Url(app: App, pool: DriverPool): { url: string; envEntry?: EnvEntry; config?: Location } | undefined {
  const cfgFile = app.code.find((c) => c.prismaConfig);
  const config = cfgFile?.prismaConfig ? { file: cfgFile.file, range: cfgFile.prismaConfig.range } : undefined;
  if (pool.connectionEnvVar) {
    const e = resolveEnv(app, pool.connectionEnvVar);
    if (e) return { url: e.expanded ?? e.value, envEntry: e, config };
  }
  const pc = cfgFile?.prismaConfig;
  if (pc?.envVar) {
    const e = resolveEnv(app, pc.envVar);
    if (e) return { url: e.expanded ?? e.value, envEntry: e, config };
  } else if (pc?.literal) return { url: pc.literal, config };
  return undefined;
}

/** The `new PrismaPg(...)` / `new Pool(...)` expression starting at `pool.range.start` in the file's current text. */
function findNew(text: string, file: string, pool: DriverPool): { node: t.NewExpression; lines: LineIndex } | undefined {
  const lines = new LineIndex(text);
  const at = lines.offsetAt(pool.range.start);
  const program = parseJs(text, file).program;
  if (!program) return undefined;
  let found: t.NewExpression | undefined;
  walk(program, (n) => {
    if (found || (n.end ?? 0) < at || (n.start ?? 0) > at) return false;
    if (n.type === 'NewExpression' && n.start === at) {
      found = n;
      return false;
    }
    return true;
  });
  return found ? { node: found, lines } : undefined;
}

/** Is the pool configured by an options object (or nothing), so that `max` can be written into it? */
function optionsOf(node: t.NewExpression): t.ObjectExpression | null | undefined {
  const arg = node.arguments[0];
  if (!arg) return null;
  // (parentheses leave no node; `x!` and `<T>x` stay what they are, as with the compiler's reader)
  let x: t.Node = arg;
  while (x.type === 'TSAsExpression' || x.type === 'TSSatisfiesExpression') x = x.expression;
  return x.type === 'ObjectExpression' ? x : undefined;
}

/** Inserts `max: n` into the pool's options object (or sets an existing `max`), keeping its layout. */
export function setPoolMaxEdits(index: WorkspaceView, file: string, pool: DriverPool, n: number): TextEditAt[] {
  const text = index.textOf(file);
  if (text === undefined) return [];
  const hit = findNew(text, file, pool);
  if (!hit) return [];
  const { node, lines } = hit;
  const opts = optionsOf(node);
  if (opts === undefined) return [];
  const edit = (from: number, to: number, newText: string): TextEditAt[] => [{ file, range: lines.range(from, to), newText }];
  if (opts === null) {
    const open = text.indexOf('(', node.callee.end ?? 0);
    return open === -1 ? [] : edit(open + 1, open + 1, `{ max: ${n} }`);
  }
  const existing = opts.properties.find(
    (p): p is t.ObjectProperty =>
      p.type === 'ObjectProperty' && !p.shorthand && (p.key.type === 'Identifier' || p.key.type === 'StringLiteral') && keyName(p.key, p.computed) === 'max',
  );
  // (a property ends where its value does, closing parentheses included)
  if (existing) return edit(outerStart(existing.value), existing.end ?? 0, String(n));
  const props = opts.properties;
  const startOf = (x: t.Node) => x.start ?? 0;
  const endOf = (x: t.Node) => x.end ?? 0;
  if (props.length === 0) return edit(startOf(opts), endOf(opts), `{ max: ${n} }`);
  const last = props[props.length - 1];
  const multiline = lines.positionAt(startOf(props[0])).line !== lines.positionAt(startOf(opts)).line;
  if (!multiline) return edit(endOf(last), endOf(last), `, max: ${n}`);
  const lastStart = lines.positionAt(startOf(last));
  const indent = /^\s*/.exec(lines.lineText(lastStart.line))![0];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const comma = /^\s*,/.exec(text.slice(endOf(last)));
  if (comma) {
    const after = endOf(last) + comma[0].length;
    return edit(after, after, `${eol}${indent}max: ${n},`);
  }
  return edit(endOf(last), endOf(last), `,${eol}${indent}max: ${n}`);
}

function prisma7Findings(index: WorkspaceView, app: App, sharing: SharingIndex<ServerUse>): Report[] {
  const findings: Report[] = [];
  const adapters = app.code.flatMap((c) => c.driverPools.map((p) => ({ c, p })));
  const hasAdapter = adapters.some((x) => x.p.kind === 'adapter-pg');
  if (!hasAdapter) return findings;
  // `new PrismaPg(pool)`: the pg Pool passed in holds the pool size.
  const passesPool = adapters.some((x) => x.p.kind === 'adapter-pg' && !x.p.connectionEnvVar && optionIsPool(index, x.c, x.p));
  const candidates = adapters
    .filter((x) => (x.p.kind === 'adapter-pg' ? !passesPool || x.p.connectionEnvVar : passesPool))
    .map((x) => ({ ...x, where: prisma7Url(app, x.p) }))
    .filter((x): x is typeof x & { where: NonNullable<typeof x.where> } => !!x.where && !!serverKey(x.where.url));
  for (const { c, p, where } of candidates) {
    if (p.max !== undefined) continue;
    const server = serverKey(where.url)!;
    const { total: otherCount, sample } = sharing.othersOf(sharingKey(server, app), identity(app));
    const ownCount = candidates.filter((x) => serverKey(x.where.url) === server).length;
    if (otherCount === 0 && ownCount < 2) continue;
    const q = where.url.indexOf('?');
    const written = q === -1 ? null : new URLSearchParams(where.url.slice(q + 1)).get('connection_limit');
    const fromUrl = written !== null && /^\d+$/.test(written) && Number(written) > 0 ? Number(written) : undefined;
    const n = fromUrl ?? suggestedLimit(otherCount + ownCount);
    const what = p.kind === 'adapter-pg' ? 'PrismaPg adapter' : 'pg Pool';
    const text = index.textOf(c.file);
    const hit = text !== undefined ? findNew(text, c.file, p) : undefined;
    const fixable = !!hit && optionsOf(hit.node) !== undefined;
    const names = sample.map((u) => u.app.name);
    const related: RelatedInfo[] = [];
    if (where.envEntry)
      related.push({
        location: { file: where.envEntry.file, range: where.envEntry.range },
        message: `${where.envEntry.key} is defined here${fromUrl !== undefined ? ': its connection_limit is ignored by the driver adapter' : ''}`,
      });
    if (where.config) related.push({ location: where.config, message: 'datasource.url in prisma.config.ts' });
    for (const u of sample) related.push({ location: u.location, message: `${u.app.name} also uses ${server.replace(/^\w+:\/\//, '')} (${u.what})` });
    findings.push({
      message:
        `The ${what} has no \`max\` (${fromUrl !== undefined ? `it ignores connection_limit=${fromUrl}` : 'default 10 per process'}), and ` +
        `${names.length ? fewNames(names, 1, ['app', 'apps'], otherCount) : 'another pool of this app'} also ${otherCount === 1 || !names.length ? 'uses' : 'use'} ${server.replace(/^\w+:\/\//, '')}.`,
      at: { file: c.file, range: p.range },
      related,
      app: app,
      fixes: fixable ? [{ kind: 'safe', title: `Set max: ${n} on the ${what}`, preferred: true, edits: () => setPoolMaxEdits(index, c.file, p, n) }] : [],
    });
  }
  return findings;
}

/** Is the adapter's argument something other than an options object (a pg Pool passed in)? */
function optionIsPool(index: WorkspaceView, c: CodeFileInfo, p: DriverPool): boolean {
  const text = index.textOf(c.file);
  const hit = text !== undefined ? findNew(text, c.file, p) : undefined;
  return !!hit && optionsOf(hit.node) === undefined;
}
