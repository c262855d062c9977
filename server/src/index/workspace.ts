import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  App, ComposeFileInfo, IndexChange, CrosswireConfig, EngineOptions, EnvFile, Framework, Logger, PackageJsonInfo,
  PostgresConfInfo, WorkspaceView, MonorepoRoot, Runs,
} from '../model/types';
import { emptyConfig, mergeConfigs } from '../parsers/config';
import { classifyEnvFile, createExpander } from '../parsers/env';
import { compileGlobs } from '../parsers/glob';
import { majorOf } from '../parsers/packageJson';
import { discover, fileKind, readIndexable, readIndexableSync, type FileKind, type ReadResult } from './discovery';
import { parseIndexedFile, type IndexedFile } from './ingest';
import { computeListeners, computePythonListeners, isNxApplication, nxTargetListeners } from './listeners';
import { analyzeCommand } from '../parsers/scripts';
import { computeRuns } from './runs';
import { detectFramework } from '../frameworks';
import { PrismaSchemas } from './prisma-schemas';

export type { IndexedFile } from './ingest';



/**
 * A monorepo root is not an app: its package.json declares workspaces (or sits beside pnpm-workspace.yaml,
 * lerna.json, nx.json or turbo.json) and none of its scripts starts a framework's server itself (they delegate
 * to the packages: turbo, nx, lerna, `pnpm -r`...). A root that runs `next dev` is an app with packages.
 */
function isMonorepoRoot(pkg: PackageJsonInfo, markers: boolean): boolean {
  if (pkg.workspaces.length === 0 && !markers) return false;
  return !pkg.scripts.some((s) => {
    try {
      return analyzeCommand(s.command).some((a) => a.serve !== undefined);
    } catch {
      return false;
    }
  });
}

export function norm(p: string): string {
  return path.resolve(p);
}

export class WorkspaceIndex implements WorkspaceView {
  readonly files = new Map<string, IndexedFile>();
  private readonly overlays = new Map<string, string>();
  private _apps: App[] = [];
  private appMap = new Map<string, App>();
  private prismaSchemas = new PrismaSchemas();
  /** `.prisma` files ignored by the configuration (computed with the apps): a schema folder holding one is incomplete. */
  private ignoredPrisma: string[] = [];
  /** Files that were skipped, with the reason (too large, unreadable, binary...). */
  readonly skipped = new Map<string, string>();
  /** The files among them that Crosswire would have read (reported on the file as parse-error, info: never a silent all clear). */
  readonly unread = new Map<string, string>();
  config: CrosswireConfig = emptyConfig();
  composeFiles: ComposeFileInfo[] = [];
  /** package.json files of monorepo roots (not apps): their scripts start the apps' scripts together. */
  monorepoRoots: MonorepoRoot[] = [];
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

  private runsCache: { apps: readonly App[]; key: unknown[]; runs: Runs } | undefined;
  /**
   * What runs and what runs together depends only on the packages' scripts and on which scripts start a server:
   * an edit of an env file that changes neither keeps the result (checked by identity, linear in the apps).
   */
  runs(): Runs {
    if (this.runsCache?.apps === this._apps) return this.runsCache.runs;
    const key: unknown[] = [this.monorepoRoots];
    for (const a of this._apps) key.push(a.id, a.packageJson, a.listeners.map((l) => l.script).join('\0'), a.unknownPorts.map((u) => u.script).join('\0'));
    const prev = this.runsCache;
    if (prev && prev.key.length === key.length && prev.key.every((k, i) => k === key[i])) {
      this.runsCache = { apps: this._apps, key, runs: prev.runs };
      return prev.runs;
    }
    this.runsCache = { apps: this._apps, key, runs: computeRuns(this._apps, this.monorepoRoots) };
    return this.runsCache.runs;
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
    this.prismaSchemas.clear();
    this.unread.clear();
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
      this.options.onProgress?.(this.files.size);
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

  /**
   * Package names are unique within one monorepo, so two packages of one name in different monorepos (a
   * collection of example repositories, each with its `web` and `docs`) are different apps, not replicas:
   * the name is qualified by the monorepo root above the app, when there is one.
   */
  private workspaceScope(dir: string): string {
    let best = '';
    for (const r of this.monorepoRoots) if (dir !== r.dir && dir.startsWith(r.dir + path.sep) && r.dir.length > best.length) best = r.dir;
    return best ? `@${path.relative(this.rootOf(best) ?? best, best) || '.'}` : '';
  }

  private hasWorkspaceMarker(dir: string): boolean {
    return markerIn(this.files, dir);
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
    if (kind === 'package' || kind === 'app-marker' || kind === 'config' || kind === 'repo-config' || (kind === 'python' && path.basename(file) === 'setup.py')) return false;
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
    this.ignoredPrisma = [...this.files.values()].filter((f) => f.kind === 'prisma' && this.isIgnored(f.file)).map((f) => f.file);
    const appDirs = new Map<string, AppMeta>();
    const monorepoRoots: MonorepoRoot[] = [];
    for (const f of visible) {
      const dir = path.dirname(f.file);
      if (f.kind === 'package' && f.pkg && !isMonorepoRoot(f.pkg, this.hasWorkspaceMarker(dir))) appDirs.set(dir, { root: f.root, pkg: f.pkg });
      else if (f.kind === 'package' && f.pkg) monorepoRoots.push({ dir, root: f.root, pkg: f.pkg });
    }
    for (const f of visible) {
      const dir = path.dirname(f.file);
      if ((f.kind === 'app-marker' || (f.kind === 'python' && path.basename(f.file) === 'setup.py')) && !appDirs.has(dir)) appDirs.set(dir, { root: f.root, python: true });
      // An Nx application project is an app even without a package.json (its targets say what it serves).
      if (f.repoConfig?.kind === 'nx-project' && isNxApplication(f.repoConfig.data) && !appDirs.has(dir)) appDirs.set(dir, { root: f.root });
    }
    this.appDirMeta = appDirs;
    this.monorepoRoots = monorepoRoots.sort((a, b) => a.dir.localeCompare(b.dir));
    // Config files with no app above them: the folder holding them is an app (a Python service, a deploy folder).
    const sorted = [...visible].sort((a, b) => a.file.length - b.file.length || a.file.localeCompare(b.file));
    // (A monorepo root's own env files are shared by its packages, which load them with `dotenv -e ../../.env`: the
    // root does not become an app of its own, which would "share" every secret with the packages.)
    const rootDirs = new Set(monorepoRoots.map((r) => r.dir));
    for (const f of sorted) {
      if (f.kind === 'env' && !this.ownerDir(f.file, f.root) && !rootDirs.has(path.dirname(f.file))) appDirs.set(path.dirname(f.file), { root: f.root });
    }
    for (const f of sorted) {
      if ((f.kind === 'code' || f.kind === 'python') && f.code && f.code.defaults.length > 0 && !this.ownerDir(f.file, f.root) && !rootDirs.has(path.dirname(f.file))) appDirs.set(path.dirname(f.file), { root: f.root });
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
    const framework: Framework = detectFramework(deps, !!meta.python, !!pkg);
    const name = pkg?.name ?? (rel === '.' ? rootName : path.basename(dir));
    const app: App = {
      id,
      name,
      dir,
      root: meta.root,
      replicaKey: pkg?.name ? `pkg:${pkg.name}${this.workspaceScope(dir)}` : `dir:${id}`,
      packageJson: pkg,
      framework,
      prismaMajor: majorOf(deps['prisma']) ?? majorOf(deps['@prisma/client']),
      hasPrismaConfig: false,
      envFiles: [],
      schemas: [],
      code: [],
      listeners: [],
      unknownPorts: [],
      compose: [],
      pm2: [],
      host: this.config.hosts[rel] ?? 'local',
    };
    const prismaFiles: IndexedFile[] = [];
    const prismaConfigs: IndexedFile[] = [];
    for (const file of this.appFiles.get(dir) ?? []) {
      const f = this.files.get(file);
      if (!f) continue;
      if (f.env) app.envFiles.push(f.env);
      if (f.code) app.code.push(f.code);
      if (f.kind === 'prisma-config') {
        app.hasPrismaConfig = true;
        prismaConfigs.push(f);
      }
      if (f.compose) app.compose.push(f.compose);
      if (f.pm2) app.pm2.push(f.pm2);
      if (f.kind === 'prisma') prismaFiles.push(f);
    }
    if (prismaFiles.length > 0) {
      // A schema may be a folder of files (Prisma >= 6.7): validated together, as Prisma merges them.
      const unread = [...this.ignoredPrisma, ...[...this.skipped.keys()].filter((f) => f.endsWith('.prisma'))];
      app.schemas.push(...this.prismaSchemas.forApp(dir, pkg, prismaFiles, prismaConfigs, unread, app.prismaMajor ?? (app.hasPrismaConfig ? 7 : undefined)));
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
    const servers = app.packageJson ? computeListeners(app, this.files) : computePythonListeners(app);
    const nx = this.files.get(path.join(dir, 'project.json'))?.repoConfig;
    if (nx?.kind === 'nx-project') {
      const targets = nxTargetListeners(app, nx.data, path.join(dir, 'project.json'), this.files.get(path.join(dir, 'project.json'))!.text, this.files);
      servers.listeners.push(...targets.listeners);
      servers.unknown.push(...targets.unknown);
    }
    app.listeners = servers.listeners;
    app.unknownPorts = servers.unknown;
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

/** Whether a folder holds pnpm-workspace.yaml, lerna.json, nx.json or turbo.json (a monorepo root's markers). */
function markerIn(files: Map<string, IndexedFile>, dir: string): boolean {
  for (const name of ['pnpm-workspace.yaml', 'lerna.json', 'nx.json', 'turbo.json']) if (files.has(path.join(dir, name))) return true;
  return false;
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

