import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  App, CodeFileInfo, ComposeFileInfo, IndexChange, CrosswireConfig, EngineOptions, EnvEntry, EnvFile, Framework, Listener, Location, Logger, PackageJsonInfo,
  PostgresConfInfo, PrismaSchemaInfo, Range, WorkspaceView,
} from '../model/types';
import { emptyConfig, mergeConfigs } from '../parsers/config';
import { classifyEnvFile, createExpander } from '../parsers/env';
import { compileGlobs } from '../parsers/glob';
import { majorOf } from '../parsers/packageJson';
import { parsePrismaSchema } from '../parsers/prisma';
import { findPythonAssignments, pythonPortExpr } from '../parsers/python';
import { analyzeCommand, parsePortValue, type CommandAnalysis } from '../parsers/scripts';
import { discover, fileKind, readIndexable, readIndexableSync, type FileKind, type ReadResult } from './discovery';
import { parseIndexedFile, type IndexedFile } from './ingest';
import { ZERO_RANGE } from '../model/text';

export type { IndexedFile } from './ingest';



const DELEGATING = /^(turbo|nx|lerna|npm\s+(-w|--workspace|run\s+\S+\s+(-w|--workspaces?))|pnpm\s+(-r|--recursive|--filter|-F)|yarn\s+workspaces?|npm-run-all|concurrently|rimraf|husky|changeset)/;

function isMonorepoRoot(pkg: PackageJsonInfo): boolean {
  if (pkg.workspaces.length === 0) return false;
  return pkg.scripts.every((s) => DELEGATING.test(s.command.trim()) || !/\b(next|vite|nest|node|nodemon|tsx|ts-node)\b/.test(s.command));
}

export function norm(p: string): string {
  return path.resolve(p);
}

export class WorkspaceIndex implements WorkspaceView {
  readonly files = new Map<string, IndexedFile>();
  private readonly overlays = new Map<string, string>();
  private _apps: App[] = [];
  private appMap = new Map<string, App>();
  private prismaCache = new Map<string, PrismaSchemaInfo>();
  /** Files that were skipped, with the reason (too large, unreadable, binary...). */
  readonly skipped = new Map<string, string>();
  /** The files among them that Crosswire would have read (reported on the file as parse-error, info: never a silent all clear). */
  readonly unread = new Map<string, string>();
  config: CrosswireConfig = emptyConfig();
  composeFiles: ComposeFileInfo[] = [];
  postgresConfs: PostgresConfInfo[] = [];
  /** Configuration from outside the workspace files (VS Code settings, the CLI's --config), merged under the files'. */
  externalConfig: CrosswireConfig = emptyConfig();
  private ignoreMatcher: ((rel: string) => boolean) | undefined;
  private readonly baseOptions: EngineOptions;

  constructor(
    readonly roots: readonly string[],
    public options: EngineOptions,
    private readonly log: Logger,
    private readonly ruleIds: ReadonlySet<string> = new Set(),
  ) {
    this.baseOptions = options;
  }

  get apps(): readonly App[] {
    return this._apps;
  }

  appById(id: string): App | undefined {
    return this.appMap.get(id);
  }

  textOf(file: string): string | undefined {
    const overlay = this.overlays.get(file);
    if (overlay !== undefined) return overlay;
    const f = this.files.get(file);
    if (!f) return undefined;
    if (!f.textDropped) return f.text;
    // A source file with no facts keeps no text in memory (most of a monorepo's code): read on demand.
    const r = readIndexableSync(file, this.realRoots(), this.options.maxFileSize);
    return 'text' in r ? r.text : undefined;
  }

  rootOf(file: string): string | undefined {
    let best: string | undefined;
    for (const r of this.roots) {
      if ((file === r || file.startsWith(r.endsWith(path.sep) ? r : r + path.sep)) && (!best || r.length > best.length)) best = r;
    }
    return best;
  }

  kindOf(file: string): FileKind | undefined {
    const root = this.rootOf(file);
    if (!root) return undefined;
    return fileKind(path.relative(root, file), classifyEnvFile);
  }

  async indexAll(): Promise<void> {
    this.files.clear();
    this.skipped.clear();
    this.unread.clear();
    this.prismaCache.clear();
    this._realRoots = undefined;
    for (const root of this.roots) {
      let found: string[];
      try {
        found = await discover(root, (file, reason, level) => this.skip(file, reason, level, false));
      } catch (e) {
        this.log.warn(`Could not list files under ${root}: ${(e as Error).message}`);
        continue;
      }
      await this.loadAll(found.map(norm));
    }
    this.rebuild();
  }

  /**
   * Reads and parses the listed files: synchronous reads in batches (measured: about twice as fast as
   * promise-based reads here, the parsing being synchronous anyway), yielding between batches so
   * requests are still served. (Parse worker threads were measured too: no gain on 2 cores, where V8's
   * background compiler and GC threads already keep the second core busy during a cold indexing.)
   */
  private async loadAll(listed: string[]): Promise<void> {
    const BATCH = 128;
    for (let i = 0; i < listed.length; i += BATCH) {
      for (const f of listed.slice(i, i + BATCH)) this.loadFromDiskSync(f, true);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Re-reads one file from disk (or drops it when it is gone); the open-document overlay, if any, still wins. */
  async refresh(file: string): Promise<void> {
    const before = this.files.get(file);
    await this.loadFromDisk(file);
    this.update(file, before);
  }

  setOverlay(file: string, text: string | undefined): void {
    if (text === undefined) this.overlays.delete(file);
    else this.overlays.set(file, text);
    const kind = this.kindOf(file);
    if (!kind) return;
    const before = this.files.get(file);
    if (text !== undefined) this.ingest(file, kind, text);
    else {
      // Back to disk (also when the open text was skipped): re-read synchronously, bounded by maxFileSize, never through a link or a FIFO.
      this.accept(file, kind, readIndexableSync(file, this.realRoots(), this.options.maxFileSize));
    }
    this.update(file, before);
  }

  private loadFromDiskSync(file: string, listedAsFile = false): void {
    const kind = this.kindToRead(file);
    if (kind) this.accept(file, kind, readIndexableSync(file, this.realRoots(), this.options.maxFileSize, listedAsFile));
  }

  private async loadFromDisk(file: string): Promise<void> {
    const kind = this.kindToRead(file);
    if (kind) this.accept(file, kind, await readIndexable(file, this.realRoots(), this.options.maxFileSize));
  }

  /** The kind of a file that must be read from disk; handles files Crosswire does not read and open documents (whose text wins). */
  private kindToRead(file: string): FileKind | undefined {
    const kind = this.kindOf(file);
    if (!kind) {
      this.files.delete(file);
      return undefined;
    }
    if (this.overlays.has(file)) {
      this.ingest(file, kind, this.overlays.get(file)!);
      return undefined;
    }
    return kind;
  }

  /** The roots with symbolic links resolved (to tell whether a link points outside the workspace). */
  private _realRoots: string[] | undefined;
  private realRoots(): string[] {
    if (!this._realRoots) {
      this._realRoots = this.roots.map((r) => {
        try {
          return fs.realpathSync(r);
        } catch {
          return r;
        }
      });
    }
    return this._realRoots;
  }

  /** Ingests what was read from disk, or drops the file with the reason it was skipped. */
  private accept(file: string, kind: FileKind, r: ReadResult): void {
    if ('text' in r) {
      this.skipped.delete(file);
      this.unread.delete(file);
      this.ingest(file, kind, r.text);
      return;
    }
    this.files.delete(file);
    if ('skip' in r) this.skip(file, r.skip, r.level);
    else {
      this.skipped.delete(file);
      this.unread.delete(file);
      this.log.debug?.(`${file} is gone`);
    }
  }

  /** Records and logs why a file is not analysed (the CLI shows it with --verbose, the server in its output). */
  private skip(file: string, reason: string, level: 'info' | 'warn' = 'warn', isFile = true): void {
    this.skipped.set(file, reason);
    if (isFile) this.unread.set(file, reason);
    this.log[level](`Skipped ${file}: ${reason}`);
  }

  /** Parses one file's text into the index (or records why it is skipped). Never throws. */
  private ingest(file: string, kind: FileKind, rawText: string): void {
    const r = parseIndexedFile(file, kind, rawText, this.rootOf(file) ?? path.dirname(file), { maxFileSize: this.options.maxFileSize, ruleIds: this.ruleIds, keepText: this.overlays.has(file) }, this.log);
    if ('entry' in r) {
      this.files.set(file, r.entry);
      this.unread.delete(file);
    } else {
      this.files.delete(file);
      this.skip(file, r.skip, r.level);
    }
  }

  /** Derives apps from the indexed files: app folders, their env, schemas, code and listeners. */
  /** Re-derives apps after a configuration change (no file is re-read). */
  refreshDerived(): void {
    this.rebuild();
  }

  /** Whether the disk holds the text indexed for a file (not an open document's; a file not indexed is never current). */
  isCurrentOnDisk(file: string): boolean {
    const f = this.files.get(file);
    if (!f || f.textDropped) return false;
    const r = readIndexableSync(file, this.realRoots(), this.options.maxFileSize);
    if (!('text' in r)) return false;
    const disk = r.text.charCodeAt(0) === 0xfeff ? r.text.slice(1) : r.text;
    return disk === f.text;
  }

  /** Is a file ignored by the configuration's `ignore` globs (relative to its workspace folder)? */
  isIgnored(file: string): boolean {
    if (!this.ignoreMatcher) return false;
    const root = this.rootOf(file);
    if (!root) return false;
    return this.ignoreMatcher(path.relative(root, file).split(path.sep).join('/'));
  }

  private applyConfig(): void {
    const fromFiles: CrosswireConfig[] = [];
    for (const f of this.files.values()) if (f.config && path.dirname(f.file) === f.root) fromFiles.push(f.config);
    this.config = mergeConfigs([this.externalConfig, ...fromFiles]);
    this.options = { ...this.baseOptions, ...(this.config.cores ? { cores: this.config.cores } : {}) };
    const globs = this.config.ignore.flatMap((g) => [g, g.endsWith('/**') ? g : `${g.replace(/\/$/, '')}/**`]);
    this.ignoreMatcher = globs.length ? compileGlobs(globs) : undefined;
  }

  /** App folder -> how it became an app; file -> its app folder; app folder -> its files. Kept for incremental updates. */
  private appDirMeta = new Map<string, AppMeta>();
  /** Changes since the engine last asked (takeChanges); 'full' after a full re-derivation. */
  private changes: IndexChange[] | 'full' = 'full';

  /** Hands the engine what changed since its last call, and starts a new record. */
  takeChanges(): IndexChange[] | 'full' {
    const c = this.changes;
    this.changes = [];
    return c;
  }
  private fileOwner = new Map<string, string>();
  private appFiles = new Map<string, Set<string>>();

  /**
   * After one file changed: re-derives only the app that owns it when app boundaries cannot have
   * moved (an env file, code, a schema, a compose or PM2 file of an existing app); otherwise, and
   * for package.json, Python markers and crosswire.config.json, re-derives everything.
   */
  private update(file: string, before: IndexedFile | undefined): void {
    if (!this.updateOne(file, before)) this.rebuild();
  }

  private updateOne(file: string, before: IndexedFile | undefined): boolean {
    const after = this.files.get(file);
    const entry = after ?? before;
    if (!entry) return true; // neither before nor now a file Crosswire reads
    const kind = entry.kind;
    if (kind === 'package' || kind === 'app-marker' || kind === 'config' || (kind === 'python' && path.basename(file) === 'setup.py')) return false;
    if (this.isIgnored(file)) return true;
    if (kind === 'compose' || kind === 'pg-conf') {
      // Read workspace-wide (also outside apps): every rule may see them.
      this.collectWorkspaceFiles();
      if (this.changes !== 'full') this.changes.push({ file, kind, envChanges: [], listenersChanged: false, other: true });
    }
    let dir = this.fileOwner.get(file) ?? this.ownerDir(file, entry.root);
    const createsApp = (f: IndexedFile | undefined) => !!f && (f.kind === 'env' || (!!f.code && f.code.defaults.length > 0));
    if (!dir) return !createsApp(after); // unowned: nothing to update unless it now founds an app
    const meta = this.appDirMeta.get(dir)!;
    // An app founded by an env file or code defaults may vanish (or another may appear below it).
    if (!meta.pkg && !meta.python && (!after || (kind !== 'env' && createsApp(before) !== createsApp(after)))) return false;
    let set = this.appFiles.get(dir);
    if (!set) this.appFiles.set(dir, (set = new Set()));
    if (after) {
      set.add(file);
      this.fileOwner.set(file, dir);
    } else {
      set.delete(file);
      this.fileOwner.delete(file);
    }
    const app = this.deriveApp(dir, meta);
    const i = this._apps.findIndex((a) => a.dir === dir);
    if (i === -1) return false;
    if (this.changes !== 'full') this.changes.push(describeChange(file, kind, this._apps[i], app));
    const apps = [...this._apps]; // a new array: caches keyed by it (labels, port owners) are recomputed
    apps[i] = app;
    this._apps = apps;
    this.appMap.set(app.id, app);
    return true;
  }

  private ownerDir(file: string, root: string): string | undefined {
    let dir = path.dirname(file);
    for (;;) {
      if (this.appDirMeta.has(dir)) return dir;
      if (dir === root || !dir.startsWith(root)) return undefined;
      const up = path.dirname(dir);
      if (up === dir) return undefined;
      dir = up;
    }
  }

  private collectWorkspaceFiles(): void {
    const compose: ComposeFileInfo[] = [];
    const pg: PostgresConfInfo[] = [];
    for (const f of this.files.values()) {
      if (this.isIgnored(f.file)) continue;
      if (f.compose) compose.push(f.compose);
      if (f.pgConf) pg.push(f.pgConf);
    }
    this.composeFiles = compose.sort((a, b) => a.file.localeCompare(b.file));
    this.postgresConfs = pg.sort((a, b) => a.file.localeCompare(b.file));
  }

  private rebuild(): void {
    this.applyConfig();
    const visible = [...this.files.values()].filter((f) => !this.isIgnored(f.file));
    const appDirs = new Map<string, AppMeta>();
    for (const f of visible) {
      const dir = path.dirname(f.file);
      if (f.kind === 'package' && f.pkg && !isMonorepoRoot(f.pkg)) appDirs.set(dir, { root: f.root, pkg: f.pkg });
    }
    for (const f of visible) {
      const dir = path.dirname(f.file);
      if ((f.kind === 'app-marker' || (f.kind === 'python' && path.basename(f.file) === 'setup.py')) && !appDirs.has(dir)) appDirs.set(dir, { root: f.root, python: true });
    }
    this.appDirMeta = appDirs;
    // Config files with no app above them: the folder holding them is an app (a Python service, a deploy folder).
    const sorted = [...visible].sort((a, b) => a.file.length - b.file.length || a.file.localeCompare(b.file));
    for (const f of sorted) {
      if (f.kind === 'env' && !this.ownerDir(f.file, f.root)) appDirs.set(path.dirname(f.file), { root: f.root });
    }
    for (const f of sorted) {
      if ((f.kind === 'code' || f.kind === 'python') && f.code && f.code.defaults.length > 0 && !this.ownerDir(f.file, f.root)) appDirs.set(path.dirname(f.file), { root: f.root });
    }
    this.fileOwner = new Map();
    this.appFiles = new Map();
    for (const f of visible) {
      const dir = this.ownerDir(f.file, f.root);
      if (!dir) continue;
      this.fileOwner.set(f.file, dir);
      let set = this.appFiles.get(dir);
      if (!set) this.appFiles.set(dir, (set = new Set()));
      set.add(f.file);
    }
    const apps = [...appDirs].map(([dir, meta]) => this.deriveApp(dir, meta));
    this.collectWorkspaceFiles();
    this._apps = apps.sort((a, b) => a.id.localeCompare(b.id));
    this.appMap = new Map(this._apps.map((a) => [a.id, a]));
    this.changes = 'full';
  }

  /** Builds one app from its files: env (expanded), schemas, code, compose, PM2, listeners. */
  private deriveApp(dir: string, meta: AppMeta): App {
    const multiRoot = this.roots.length > 1;
    const rel = path.relative(meta.root, dir).split(path.sep).join('/') || '.';
    const rootName = path.basename(meta.root);
    const id = multiRoot ? (rel === '.' ? rootName : `${rootName}/${rel}`) : rel;
    const pkg = meta.pkg;
    const deps = pkg?.dependencies ?? {};
    const framework: Framework = deps['next'] ? 'next' : deps['@nestjs/core'] ? 'nest' : deps['vite'] ? 'vite' : deps['express'] ? 'express' : deps['fastify'] ? 'fastify' : deps['koa'] ? 'koa' : deps['hono'] ? 'hono' : meta.python ? 'python' : pkg ? 'node' : 'unknown';
    const name = pkg?.name ?? (rel === '.' ? rootName : path.basename(dir));
    const app: App = {
      id,
      name,
      dir,
      root: meta.root,
      replicaKey: pkg?.name ? `pkg:${pkg.name}` : `dir:${id}`,
      packageJson: pkg,
      framework,
      prismaMajor: majorOf(deps['prisma']) ?? majorOf(deps['@prisma/client']),
      hasPrismaConfig: false,
      envFiles: [],
      schemas: [],
      code: [],
      listeners: [],
      compose: [],
      pm2: [],
      host: this.config.hosts[rel] ?? 'local',
    };
    const prismaFiles: IndexedFile[] = [];
    for (const file of this.appFiles.get(dir) ?? []) {
      const f = this.files.get(file);
      if (!f) continue;
      if (f.env) app.envFiles.push(f.env);
      if (f.code) app.code.push(f.code);
      if (f.kind === 'prisma-config') app.hasPrismaConfig = true;
      if (f.compose) app.compose.push(f.compose);
      if (f.pm2) app.pm2.push(f.pm2);
      if (f.kind === 'prisma') prismaFiles.push(f);
    }
    for (const f of prismaFiles) {
      const major = app.prismaMajor ?? (app.hasPrismaConfig ? 7 : undefined);
      const key = `${f.file}\0${major}`;
      let schema = this.prismaCache.get(key);
      if (!schema || schema.text !== f.text) {
        try {
          schema = parsePrismaSchema(f.text, f.file, major);
        } catch (e) {
          schema = { file: f.file, datasources: [], problems: [{ message: `Crosswire could not read this schema: ${(e as Error).message}`, range: ZERO_RANGE, severity: 'warning' }], text: f.text };
        }
        this.prismaCache.set(key, schema);
      }
      app.schemas.push(schema);
    }
    const nextAuthMajor = majorOf(app.packageJson?.dependencies['next-auth']);
    if (nextAuthMajor !== undefined) for (const c of app.code) for (const n of c.auth?.nextAuth ?? []) n.version = nextAuthMajor >= 5 ? 5 : 4;
    // Deterministic order (files are read concurrently): same input, same output, byte for byte.
    app.code.sort((a, b) => a.file.localeCompare(b.file));
    app.schemas.sort((a, b) => a.file.localeCompare(b.file));
    app.compose.sort((a, b) => a.file.localeCompare(b.file));
    app.pm2.sort((a, b) => a.file.localeCompare(b.file));
    app.envFiles.sort((a, b) => envPrecedence(a) - envPrecedence(b) || a.file.localeCompare(b.file));
    expandApp(app);
    app.listeners = app.packageJson ? computeListeners(app, this.files) : computePythonListeners(app);
    // Explicit replica groups from the configuration: folders that are the same app.
    for (const group of this.config.replicas) {
      if (group.some((g) => g.replace(/\/$/, '') === rel)) app.replicaKey = `cfg:${group.join('|')}`;
    }
    return app;
  }
}

/** Which env keys' values and whether the listeners differ between two derivations of one app. */
function describeChange(file: string, kind: string, before: App, after: App): IndexChange {
  const values = (app: App) => {
    const m = new Map<string, string[]>();
    for (const f of app.envFiles) for (const e of f.entries) {
      const k = `${f.file}\0${e.key}`;
      const list = m.get(k);
      const v = `${f.kind}:${e.expanded ?? e.value}`;
      if (list) list.push(v);
      else m.set(k, [v]);
    }
    return m;
  };
  const a = values(before);
  const b = values(after);
  const changed = new Map<string, string[]>();
  const note = (k: string) => {
    const key = k.split('\0')[1];
    const vals = [...(a.get(k) ?? []), ...(b.get(k) ?? [])].map((v) => v.slice(v.indexOf(':') + 1));
    changed.set(key, [...(changed.get(key) ?? []), ...vals]);
  };
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.length !== v.length || v.some((x, i) => x !== w[i])) note(k);
  }
  for (const k of b.keys()) if (!a.has(k)) note(k);
  const sig = (app: App) => JSON.stringify(app.listeners.map((l) => [l.script, l.port, l.how, l.explicit, l.drifts, l.source.file, l.source.range.start.line, l.portEnvVar]));
  return { file, kind, envChanges: [...changed].map(([key, vals]) => ({ key, values: vals })), listenersChanged: sig(before) !== sig(after), other: kind !== 'env' };
}

interface AppMeta {
  root: string;
  pkg?: PackageJsonInfo;
  python?: boolean;
}

/** Next.js precedence for the default environment: .env.development.local, .env.local, .env.development, .env; then the rest. */
function envPrecedence(f: EnvFile): number {
  if (f.kind === 'template') return 100;
  const order = ['.env.development.local', '.env.local', '.env.development', '.env'];
  const i = order.indexOf(f.name);
  return i === -1 ? 50 : i;
}

/** Fills `expanded` on every entry: `${VAR}` resolved within the file, then against the app's other default-environment files. */
function expandApp(app: App): void {
  const base = new Map<string, string>();
  for (const f of [...app.envFiles].reverse()) {
    if (f.kind === 'live' && (f.mode === 'default' || f.mode === 'development')) for (const e of f.entries) base.set(e.key, e.value);
  }
  for (const f of app.envFiles) {
    if (!f.entries.some((e) => e.value.includes('$'))) {
      for (const e of f.entries) e.expanded = e.value;
      continue;
    }
    const values = new Map(base);
    for (const e of f.entries) values.set(e.key, e.value);
    // One expansion per file; each occurrence of a key defined twice expands on its own at its place
    // (linear in the file: a full re-expansion per entry was O(n³) on a file of chained references).
    const expander = createExpander(values);
    for (const e of f.entries) e.expanded = e.value.includes('$') ? expander.expandAs(e.key, e.value) : e.value;
  }
}

/** The last entry of `key` in the first of `files` that defines it. */
export function lookupEnv(app: App, fileNames: string[], key: string): EnvEntry | undefined {
  for (const name of fileNames) {
    const abs = path.resolve(app.dir, name);
    const f = app.envFiles.find((e) => e.file === abs);
    if (!f) continue;
    const hits = f.entries.filter((e) => e.key === key);
    if (hits.length) return hits[hits.length - 1];
  }
  return undefined;
}

function loc(file: string, range: Range): Location {
  return { file, range };
}

function resolveEntry(app: App, entry: string, files: Map<string, IndexedFile>): CodeFileInfo | undefined {
  const base = path.resolve(app.dir, entry);
  const candidates = [base, `${base}.js`, `${base}.ts`, `${base}.mjs`, `${base}.cjs`, path.join(base, 'index.js'), path.join(base, 'index.ts')];
  // A compiled entry (dist/main.js) stands for its source (src/main.ts).
  const m = /^(?:\.\/)?(?:dist|build|out)\/(.*?)(?:\.[cm]?js)?$/.exec(entry);
  if (m) candidates.push(path.resolve(app.dir, 'src', `${m[1]}.ts`), path.resolve(app.dir, 'src', `${m[1]}.js`));
  for (const c of candidates) {
    const f = files.get(c);
    if (f) return f.code ?? { file: c, language: 'js', defaults: [], listens: [], loadsDotenv: false, dotenvPaths: [], driverPools: [], problems: [], text: f.text };
  }
  return undefined;
}

/** Computes, by each framework's real rules, the port every dev/start-like script will bind. */
function computeListeners(app: App, files: Map<string, IndexedFile>): Listener[] {
  const pkg = app.packageJson;
  if (!pkg) return [];
  const out: Listener[] = [];
  const appLoadsDotenv = app.code.some((c) => c.loadsDotenv);
  const appDotenvPaths = app.code.flatMap((c) => c.dotenvPaths);
  const viteCfg = app.code.find((c) => /(^|[\\/])vite\.config\.[cm]?[jt]s$/.test(c.file) && path.dirname(c.file) === app.dir)?.vite;
  const viteCfgFile = app.code.find((c) => /(^|[\\/])vite\.config\.[cm]?[jt]s$/.test(c.file) && path.dirname(c.file) === app.dir)?.file;

  for (const script of pkg.scripts) {
    let analyses: readonly CommandAnalysis[];
    try {
      analyses = analyzeCommand(script.command);
    } catch {
      continue;
    }
    const scriptLocation = loc(pkg.file, script.range);
    for (const a of analyses) {
      if (a.tool === 'delegate' || a.tool === 'other') continue;
      const base = {
        appId: app.id,
        script: script.name,
        command: script.command,
        scriptLocation,
        loadedEnvFiles: [] as string[],
        tool: a.toolText,
        toolEnd: a.toolEnd,
      };
      const envFilesLoaded = [...a.envFiles];
      const fromLoadedEnv = (key: string) => (envFilesLoaded.length ? lookupEnv(app, envFilesLoaded, key) : undefined);
      const inlinePort = parsePortValue(a.inlineEnv['PORT']?.value);

      if (a.tool === 'next-dev' || a.tool === 'next-start') {
        // `next dev` moves to the next free port only when neither -p nor PORT is given; with one it fails with EADDRINUSE.
        const drifts = a.tool === 'next-dev' && !a.portFlag && !inlinePort && !(fromLoadedEnv('PORT'));
        const envEntry = fromLoadedEnv('PORT');
        const envPort = parsePortValue(envEntry?.expanded ?? envEntry?.value);
        let l: Listener;
        if (a.portFlag) l = { ...base, framework: 'next', port: a.portFlag.port, how: 'flag', explicit: true, drifts, source: scriptLocation, reason: `\`${a.portFlag.text}\` in script "${script.name}"` };
        else if (inlinePort) l = { ...base, framework: 'next', port: inlinePort, how: 'inline-env', explicit: true, drifts, source: scriptLocation, reason: `PORT=${inlinePort} set in script "${script.name}"`, portEnvVar: 'PORT' };
        else if (envEntry && envPort) l = { ...base, framework: 'next', port: envPort, how: 'loaded-env', explicit: true, drifts, source: loc(envEntry.file, envEntry.range), reason: `PORT in ${path.basename(envEntry.file)}, loaded by script "${script.name}" before Next.js starts`, portEnvVar: 'PORT' };
        else l = { ...base, framework: 'next', port: 3000, how: 'default', explicit: false, drifts, source: scriptLocation, reason: `\`${a.toolText}\` in script "${script.name}" uses Next.js's default port 3000` };
        l.loadedEnvFiles = envFilesLoaded.map((f) => path.resolve(app.dir, f));
        out.push(l);
        continue;
      }
      if (a.tool === 'vite-dev' || a.tool === 'vite-preview') {
        const preview = a.tool === 'vite-preview';
        const cfgPort = preview ? viteCfg?.previewPort : viteCfg?.serverPort;
        const cfgRange = preview ? viteCfg?.previewPortRange : viteCfg?.serverPortRange;
        const strict = a.strictPort || !!viteCfg?.strictPort;
        const def = preview ? 4173 : 5173;
        let l: Listener;
        if (a.portFlag) l = { ...base, framework: 'vite', port: a.portFlag.port, how: 'flag', explicit: true, drifts: !strict, source: scriptLocation, reason: `\`${a.portFlag.text}\` in script "${script.name}"` };
        else if (cfgPort && cfgRange && viteCfgFile) l = { ...base, framework: 'vite', port: cfgPort, how: 'config', explicit: true, drifts: !strict, source: loc(viteCfgFile, cfgRange), reason: `${preview ? 'preview' : 'server'}.port in ${path.basename(viteCfgFile)}` };
        else l = { ...base, framework: 'vite', port: def, how: 'default', explicit: false, drifts: !strict, source: scriptLocation, reason: `\`${a.toolText}\` in script "${script.name}" uses Vite's default ${preview ? 'preview ' : ''}port ${def}` };
        out.push(l);
        continue;
      }
      // Servers whose port comes from their own code: NestJS (src/main.ts) and plain Node entry files.
      const entryCode = a.tool === 'nest-start' ? resolveEntry(app, 'src/main', files) : a.entry ? resolveEntry(app, a.entry, files) : undefined;
      const listen = entryCode?.listens[0];
      const framework: Framework = a.tool === 'nest-start' ? 'nest' : app.framework === 'nest' ? 'nest' : app.framework;
      if (appLoadsDotenv || entryCode?.loadsDotenv) envFilesLoaded.push(...(appDotenvPaths.length ? appDotenvPaths : ['.env']));
      const loaded = envFilesLoaded.map((f) => path.resolve(app.dir, f));
      if (!listen) {
        if (a.tool === 'nest-start' && !entryCode) {
          out.push({ ...base, framework: 'nest', port: 3000, how: 'default', explicit: false, drifts: false, source: scriptLocation, reason: `\`nest start\` in script "${script.name}": no src/main.ts found, NestJS's usual port 3000 assumed`, loadedEnvFiles: loaded });
        }
        continue;
      }
      const listenLoc = loc(listen.file, listen.range);
      const rel = path.relative(app.dir, listen.file).split(path.sep).join('/');
      if (listen.literal !== undefined) {
        out.push({ ...base, framework, port: listen.literal, how: 'listen', explicit: true, drifts: false, source: listenLoc, reason: `\`.listen(${listen.literal})\` in ${rel}`, loadedEnvFiles: loaded });
        continue;
      }
      const envVar = listen.envVar ?? 'PORT';
      const inline = parsePortValue(a.inlineEnv[envVar]?.value);
      const envEntry = envFilesLoaded.length ? lookupEnv(app, envFilesLoaded, envVar) : undefined;
      const envPort = parsePortValue(envEntry?.expanded ?? envEntry?.value);
      if (inline) out.push({ ...base, framework, port: inline, how: 'inline-env', explicit: true, drifts: false, source: scriptLocation, reason: `${envVar}=${inline} set in script "${script.name}"`, portEnvVar: envVar, loadedEnvFiles: loaded });
      else if (envEntry && envPort) out.push({ ...base, framework, port: envPort, how: 'loaded-env', explicit: true, drifts: false, source: loc(envEntry.file, envEntry.range), reason: `${envVar} in ${path.basename(envEntry.file)}, loaded before ${rel} listens`, portEnvVar: envVar, loadedEnvFiles: loaded });
      else if (listen.fallback !== undefined) out.push({ ...base, framework, port: listen.fallback, how: 'listen', explicit: true, drifts: false, source: listenLoc, reason: `the fallback ${listen.fallback} in ${rel} (${envVar} is not set${envFilesLoaded.length ? ' in the env files it loads' : ', and no env file is loaded'})`, portEnvVar: envVar, loadedEnvFiles: loaded });
    }
  }
  return out;
}

/**
 * Python services (no package.json): each server call in the app's Python files (`uvicorn.run`,
 * Flask's `app.run`, aiohttp's `web.run_app`) is a listener. The port argument is resolved like a
 * Node server's: a literal; an env read, taken from the app's development env files when it is set
 * there, else its fallback; a name (`config.BACKEND_PORT`) through its assignment in the app's
 * Python files; no argument: the server's default port.
 */
function computePythonListeners(app: App): Listener[] {
  const out: Listener[] = [];
  const pyFiles = app.code.filter((c) => c.language === 'python');
  const devEnv = app.envFiles.filter((f) => f.kind === 'live' && (f.mode === 'default' || f.mode === 'development'));
  const envValue = (key: string): EnvEntry | undefined => {
    for (const f of devEnv) {
      const hits = f.entries.filter((e) => e.key === key);
      if (hits.length) return hits[hits.length - 1];
    }
    return undefined;
  };
  for (const c of pyFiles) {
    for (const call of c.listens) {
      const rel = path.relative(app.dir, c.file).split(path.sep).join('/');
      const tool = call.tool ?? 'python';
      const callLoc = loc(c.file, call.range);
      const base = {
        appId: app.id,
        script: rel,
        command: `python ${rel}`,
        framework: 'python' as Framework,
        tool,
        drifts: false,
        scriptLocation: callLoc,
        loadedEnvFiles: [] as string[],
      };
      let p: { literal?: number; envVar?: string; fallback?: number } | undefined = call;
      let source = callLoc;
      let via = '';
      if (call.ref) {
        p = undefined;
        for (const f of [c, ...pyFiles.filter((x) => x !== c)]) {
          for (const a of findPythonAssignments(f.text, call.ref)) {
            if (f === c && a.line >= call.range.start.line && a.line <= call.range.end.line) continue;
            const r = pythonPortExpr(a.expr);
            if (r && !r.ref) {
              p = r;
              source = loc(f.file, { start: { line: a.line, character: a.start }, end: { line: a.line, character: a.end } });
              via = ` via ${call.ref} in ${path.relative(app.dir, f.file).split(path.sep).join('/')}`;
              break;
            }
          }
          if (p) break;
        }
        if (!p) continue;
      }
      if (p.literal !== undefined) {
        out.push({ ...base, port: p.literal, how: 'listen', explicit: true, source, reason: `\`${tool}(port=${p.literal})\` in ${rel}${via}` });
      } else if (p.envVar) {
        const e = envValue(p.envVar);
        const port = parsePortValue(e?.expanded ?? e?.value);
        if (e && port) out.push({ ...base, port, how: 'loaded-env', explicit: true, source: loc(e.file, e.range), reason: `${p.envVar} in ${path.basename(e.file)}, read by \`${tool}\` in ${rel}${via}`, portEnvVar: p.envVar, loadedEnvFiles: [e.file] });
        else if (p.fallback !== undefined) out.push({ ...base, port: p.fallback, how: 'listen', explicit: true, source, reason: `\`${tool}\` in ${rel}${via}: ${p.envVar} is not set in the app's env files, so its fallback ${p.fallback}`, portEnvVar: p.envVar });
      } else if (call.defaultPort !== undefined && !call.ref) {
        out.push({ ...base, port: call.defaultPort, how: 'default', explicit: false, source, reason: `\`${tool}\` in ${rel} passes no port: its default ${call.defaultPort}` });
      }
    }
  }
  return out;
}
