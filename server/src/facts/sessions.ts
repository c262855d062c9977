/**
 * Shared facts for the session/cookie/CORS rules (shared-session-cookie, cookie-options,
 * cluster-without-session-store, cors-origin-mismatch): the URL an app is served at, the
 * environments where NODE_ENV is production, the PM2 entries that run an app, and text helpers for fixes.
 */
import * as path from 'node:path';
import type { App, EnvEntry, Location, Pm2AppFact, Position, WorkspaceView } from '../model/types';
import { LineIndex } from '../model/text';
import { parseJs, stringValue, unwrap, type t } from '../parsers/js';
import { label, nameFacts, originOf, type Origin } from './util';
import { derived, read as readFact } from './track';
import { BROWSER_PREFIX, winningEntry } from '../model/env';

export { BROWSER_PREFIX } from '../model/env';

/** Keys that name the URL the app itself is served at (not the URL of a service it calls). */
export function isServedUrlKey(key: string): boolean {
  const k = key.toUpperCase();
  const stripped = k.replace(BROWSER_PREFIX, '');
  if (stripped === 'URL') return stripped !== k; // NEXT_PUBLIC_URL, but not a bare URL
  return /^(NEXTAUTH_URL|AUTH_URL|APP_URL|APP_BASE_URL|BASE_URL|SITE_URL|PUBLIC_URL|APP_ORIGIN|PUBLIC_ORIGIN|ORIGIN|WEB_URL|HOST_URL|CANONICAL_URL)$/.test(
    stripped,
  );
}

export interface ServedUrl {
  key: string;
  value: string;
  origin: Origin;
  location: Location;
  /** For messages: `NEXT_PUBLIC_APP_URL in .env`, `env.APP_URL in ecosystem.config.js`. */
  source: string;
  /** The env file's mode (`default`, `production`, ...), or `pm2`. */
  mode: string;
}

/** A PM2 app entry and the app it runs (by id: the value is carried over edits of no PM2 file, registry.ts CARRIED). */
export interface Pm2Entry {
  appId: string;
  file: string;
  fact: Pm2AppFact;
}

/**
 * The PM2 entries of the workspace (see computePm2Entries): the same array while no PM2 file changes (the engine
 * carries it over other edits: it names apps by id).
 */
export function pm2Entries(index: WorkspaceView): Pm2Entry[] {
  return pm2State(index).entries;
}

/** The PM2 entries that run one app (an empty array shared by every app that none runs). */
export function pm2EntriesOf(index: WorkspaceView, app: App): Pm2Entry[] {
  return pm2State(index).byApp.get(app.id) ?? NO_ENTRIES;
}

const NO_ENTRIES: Pm2Entry[] = [];

function pm2State(index: WorkspaceView): { entries: Pm2Entry[]; byApp: Map<string, Pm2Entry[]> } {
  return derived('pm2Entries', index, (ix) => {
    const entries = computePm2Entries(ix);
    const byApp = new Map<string, Pm2Entry[]>();
    for (const e of entries) {
      const l = byApp.get(e.appId);
      if (l) l.push(e);
      else byApp.set(e.appId, [e]);
    }
    return { entries, byApp };
  });
}

/**
 * The PM2 entries of the workspace with the app each one runs: the app whose folder is the entry's `cwd`, else
 * the app that holds its `script`, else the app that holds the ecosystem file.
 */
function computePm2Entries(index: WorkspaceView): Pm2Entry[] {
  const byDir = new Map<string, App>();
  for (const a of index.apps) byDir.set(a.dir, a);
  const appHolding = (file: string): App | undefined => {
    let dir = path.dirname(file);
    for (;;) {
      const a = byDir.get(dir);
      if (a) return a;
      const up = path.dirname(dir);
      if (up === dir) return undefined;
      dir = up;
    }
  };
  const out: Pm2Entry[] = [];
  for (const owner of index.apps) {
    for (const cfg of owner.pm2) {
      const base = path.dirname(cfg.file);
      for (const fact of cfg.apps) {
        let target: App | undefined;
        if (fact.cwd) target = byDir.get(path.resolve(base, fact.cwd));
        if (!target && fact.script && !/^(npm|pnpm|yarn|bun|npx)$/.test(fact.script)) {
          const a = appHolding(path.resolve(fact.cwd ? path.resolve(base, fact.cwd) : base, fact.script));
          if (a && a.dir.startsWith(owner.dir)) target = a;
        }
        out.push({ appId: (target ?? owner).id, file: cfg.file, fact });
      }
    }
  }
  return out;
}

/** An app's PM2 env blocks (`env`, `env_production`), each with its entry and name. */
function* pm2EnvBlocks(pm2: Pm2Entry[], app: App): Generator<{ p: Pm2Entry; block: 'env' | 'env_production'; env: Pm2Entry['fact']['env'] }> {
  for (const p of pm2) {
    if (p.appId !== app.id) continue;
    yield { p, block: 'env', env: p.fact.env };
    yield { p, block: 'env_production', env: p.fact.envProduction };
  }
}

/** The URLs an app is served at, from its live env files (modes accepted by `modes`) and its PM2 env blocks. */
export function servedUrls(app: App, pm2: Pm2Entry[], modes: (mode: string) => boolean, keys: (key: string) => boolean = isServedUrlKey): ServedUrl[] {
  const out: ServedUrl[] = [];
  for (const f of app.envFiles) {
    if (f.kind !== 'live' || !modes(f.mode)) continue;
    for (const e of f.entries) {
      if (!keys(e.key)) continue;
      const value = (e.expanded ?? e.value).trim();
      const origin = originOf(value);
      if (!origin || !/^https?$/.test(origin.scheme)) continue;
      out.push({ key: e.key, value, origin, location: { file: e.file, range: e.range }, source: `${e.key} in ${f.name}`, mode: f.mode });
    }
  }
  for (const { p, block, env } of pm2EnvBlocks(pm2, app)) {
    for (const [key, v] of Object.entries(env)) {
      if (!keys(key)) continue;
      const origin = originOf(v.value.trim());
      if (!origin || !/^https?$/.test(origin.scheme)) continue;
      out.push({
        key,
        value: v.value.trim(),
        origin,
        location: { file: p.file, range: v.range },
        source: `${block}.${key} in ${path.basename(p.file)}`,
        mode: 'pm2',
      });
    }
  }
  return out;
}

export interface Signal {
  location: Location;
  /** For messages, e.g. `NODE_ENV=production in .env`. */
  text: string;
}

/** Where an app runs with NODE_ENV=production: env lines, PM2 env blocks, `next start`, inline `NODE_ENV=production`. */
export function productionSignals(app: App, pm2: Pm2Entry[]): Signal[] {
  const out: Signal[] = [];
  for (const f of app.envFiles) {
    if (f.kind !== 'live' || f.mode === 'development' || f.mode === 'test') continue;
    for (const e of f.entries) {
      if (e.key === 'NODE_ENV' && (e.expanded ?? e.value).trim() === 'production')
        out.push({ location: { file: e.file, range: e.range }, text: `NODE_ENV=production in ${f.name}` });
    }
  }
  for (const { p, block, env } of pm2EnvBlocks(pm2, app)) {
    const v = env['NODE_ENV'];
    if (v && v.value.trim() === 'production')
      out.push({ location: { file: p.file, range: v.range }, text: `${block}.NODE_ENV = "production" in ${path.basename(p.file)}` });
  }
  const seenScripts = new Set<string>();
  for (const l of app.listeners) {
    if (seenScripts.has(l.script)) continue;
    if (l.tool === 'next start') {
      seenScripts.add(l.script);
      out.push({ location: l.scriptLocation, text: `\`next start\` (script "${l.script}") runs with NODE_ENV=production` });
    }
  }
  for (const s of app.packageJson?.scripts ?? []) {
    if (!seenScripts.has(s.name) && /(^|\s)NODE_ENV=production(\s|$)/.test(s.command))
      out.push({ location: { file: app.packageJson!.file, range: s.range }, text: `NODE_ENV=production in script "${s.name}"` });
  }
  return out;
}

/** The host a browser stores an app's cookies under: the served URL's host, else the app's machine (`localhost` for local apps). */
export function cookieHost(app: App, origin?: Origin): string {
  if (origin && !origin.local) return origin.host;
  return app.host !== 'local' ? app.host : 'localhost';
}

/** A cookie-name-safe short name for an app (`@acme/shop-web` -> `shop-web`). */
export function slug(app: App): string {
  const s = app.name
    .replace(/^@[^/]+\//, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return s || 'app';
}

/** The live env entry that wins for `key` among the app's env files of the development environment. */
export function effectiveEnvEntry(
  app: App,
  key: string,
  modes: (mode: string) => boolean = (m) => m === 'default' || m === 'development',
): EnvEntry | undefined {
  const loaded = new Set(app.listeners.flatMap((l) => l.loadedEnvFiles));
  return winningEntry(
    app.envFiles.filter((f) => f.kind === 'live' && modes(f.mode) && (!loaded.size || loaded.has(f.file))),
    key,
  );
}

/** Text helpers for fixes, computed against the index's current text. */
export class TextAt {
  readonly lines: LineIndex;
  constructor(readonly text: string) {
    this.lines = new LineIndex(text);
  }
  static of(index: WorkspaceView, file: string): TextAt | undefined {
    const t = index.textOf(file);
    return t === undefined ? undefined : new TextAt(t);
  }
  offset(p: Position): number {
    return this.lines.offsetAt(p);
  }
  position(o: number): Position {
    return this.lines.positionAt(o);
  }
  indentOf(line: number): string {
    return this.lines.lineText(line).match(/^\s*/)![0];
  }
  /** The quote character used on a line (for inserted string literals), `'` by default. */
  quoteOn(line: number): string {
    const m = /['"`]/.exec(this.lines.lineText(line));
    return m && m[0] !== '`' ? m[0] : "'";
  }
}

/** Inserts `props` (each `key: value`) as the first properties of the object literal whose `{` ends just before `insertAt`. */
export function insertProperties(
  t: TextAt,
  file: string,
  insertAt: Position,
  props: string[],
): { file: string; range: { start: Position; end: Position }; newText: string } {
  const off = t.offset(insertAt);
  const rest = t.text.slice(off);
  const lineIndent = t.indentOf(insertAt.line);
  const m = /^[ \t]*(\r?\n)([ \t]*)(\S)/.exec(rest);
  if (m && m[3] !== '}') {
    // multi-line object: one property per line, with the indentation of the existing first property
    const indent = m[2];
    return { file, range: { start: insertAt, end: insertAt }, newText: props.map((p) => `${m[1]}${indent}${p},`).join('') };
  }
  if (m) {
    // `{` + newline + `}`: an empty multi-line object
    const indent = `${lineIndent}  `;
    return { file, range: { start: insertAt, end: insertAt }, newText: props.map((p) => `${m[1]}${indent}${p},`).join('') };
  }
  const empty = /^\s*\}/.test(rest);
  return { file, range: { start: insertAt, end: insertAt }, newText: empty ? ` ${props.join(', ')} ` : ` ${props.join(', ')},` };
}

/**
 * An app's name for messages. Replicas share their name and are one app, so the name alone is enough (and stays the
 * same when another replica is renamed or broken); two unrelated apps with one name are told apart by their folder.
 */
export function appLabel(index: WorkspaceView, app: App): string {
  // Another app of this name with another replica key: the name's set of keys holds more than the app's own.
  return (nameFacts(index).replicaKeys.get(app.name)?.size ?? 0) > 1 ? label(index, app) : app.name;
}

/** A URL for messages, without any `user:password@` part (never print credentials) and without a trailing slash. */
export function safeUrl(value: string): string {
  const v = value.trim();
  const stripped = v.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
  return stripped.replace(/\/+$/, '') || stripped;
}

/** Extensions tried, in order, for a relative import without one (and for a `.js` import of a `.ts` file). */
const IMPORT_SUFFIXES = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '/index.ts', '/index.tsx', '/index.js', '/index.mjs'];

/** A string constant resolved in another file of the workspace, and the files whose text it depends on. */
export interface ResolvedConst {
  value?: string;
  location?: Location;
  /** Every file read to resolve it, with the text read (to tell when the answer may have changed). */
  read: [string, string | undefined][];
}

type ConstExport = { value?: string; range?: import('../model/types').Range; from?: { module: string; name: string } };

const constCache = new Map<string, { text: string; exports: Map<string, ConstExport> }>();

/** `const` (or `await using`, which the compiler's reader counted as const) declarations, exported or not. */
function constDeclaration(st: t.Statement): t.VariableDeclaration | undefined {
  const d = st.type === 'ExportNamedDeclaration' && st.declaration ? st.declaration : st;
  return d.type === 'VariableDeclaration' && (d.kind === 'const' || d.kind === 'await using') ? d : undefined;
}

/** The exported string constants of one file's text (`export const A = 'x'`, `export { B }`, `export { C } from './d'`). */
function exportsOf(file: string, text: string) {
  const hit = constCache.get(file);
  if (hit && hit.text === text) return hit.exports;
  const exports = new Map<string, ConstExport>();
  const program = parseJs(text, file).program;
  const lines = new LineIndex(text);
  const local = new Map<string, t.Node>();
  const literal = (e: t.Node | null | undefined, depth = 0): (t.StringLiteral | t.TemplateLiteral) | undefined => {
    if (!e) return undefined;
    const x = unwrap(e);
    if (stringValue(x) !== undefined) return x as t.StringLiteral | t.TemplateLiteral;
    if (x.type === 'Identifier' && depth < 4) return literal(local.get(x.name), depth + 1);
    return undefined;
  };
  const found = (lit: t.StringLiteral | t.TemplateLiteral | undefined): ConstExport =>
    lit ? { value: stringValue(lit), range: lines.range(lit.start ?? 0, lit.end ?? 0) } : {};
  for (const st of program?.body ?? []) {
    const decl = constDeclaration(st);
    if (decl) for (const d of decl.declarations) if (d.id.type === 'Identifier' && d.init) local.set(d.id.name, d.init);
  }
  for (const st of program?.body ?? []) {
    if (st.type !== 'ExportNamedDeclaration') continue;
    const decl = constDeclaration(st);
    if (decl) {
      for (const d of decl.declarations) if (d.id.type === 'Identifier') exports.set(d.id.name, found(literal(d.init)));
    } else if (!st.declaration && st.exportKind !== 'type') {
      // (`export type { A }` exports no value)
      const from = st.source?.value;
      for (const el of st.specifiers) {
        if (el.type !== 'ExportSpecifier') continue;
        const name = el.exported.type === 'Identifier' ? el.exported.name : el.exported.value;
        const written = el.local as t.Identifier | t.StringLiteral; // (a string, `export { 'a-b' as c } from`)
        const orig = written.type === 'Identifier' ? written.name : written.value;
        if (from) exports.set(name, from.startsWith('.') ? { from: { module: from, name: orig } } : {});
        else exports.set(name, found(literal(local.get(orig))));
      }
    }
  }
  if (constCache.size > 2000) constCache.clear();
  constCache.set(file, { text, exports });
  return exports;
}

/**
 * Resolves a string constant imported from a relative module of the workspace, by parsing (never running) the
 * files it is exported from (re-exports followed a few steps). Undefined `value`: unknown (a path alias, a package,
 * a computed value, a file Crosswire does not index).
 */
export function resolveConst(index: WorkspaceView, fromFile: string, ref: { module: string; name: string }, depth = 0): ResolvedConst {
  readFact('constants');
  const readFiles: ResolvedConst['read'] = [];
  if (!ref.module.startsWith('.') || depth > 3) return { read: readFiles };
  const base = path.resolve(path.dirname(fromFile), ref.module);
  const bases = /\.[cm]?js$/.test(base) ? [base, base.replace(/\.([cm]?)js$/, '.$1ts'), base.replace(/\.js$/, '.tsx')] : [base];
  for (const b of bases) {
    for (const suffix of IMPORT_SUFFIXES) {
      const file = b + suffix;
      if (!/\.[cm]?[jt]sx?$/.test(file)) continue;
      const text = index.textOf(file);
      readFiles.push([file, text]);
      if (text === undefined) continue;
      const e = exportsOf(file, text).get(ref.name);
      if (!e) return { read: readFiles };
      if (e.value !== undefined) return { value: e.value, location: e.range ? { file, range: e.range } : undefined, read: readFiles };
      if (e.from) {
        const r = resolveConst(index, file, e.from, depth + 1);
        return { ...r, read: [...readFiles, ...r.read] };
      }
      return { read: readFiles };
    }
  }
  return { read: readFiles };
}
