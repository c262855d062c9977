/**
 * The workspace index: the files Crosswire reads (files.ts: discovery, reads, open documents), the apps derived
 * from them (apps.ts), the merged configuration, and the incremental update after one file changed (re-derive
 * the app that owns it when app boundaries cannot have moved, else everything), with the record of what changed
 * that the engine takes.
 */
import * as path from 'node:path';
import type {
  App,
  ComposeFileInfo,
  IndexChange,
  CrosswireConfig,
  EngineOptions,
  Logger,
  PostgresConfInfo,
  WorkspaceView,
  MonorepoRoot,
  Runs,
} from '../model/types';
import { emptyConfig, mergeConfigs } from '../parsers/config';
import { compileGlobs } from '../parsers/glob';
import { type FileKind } from './discovery';
import { type IndexedFile } from './ingest';
import { computeRuns, HarnessConfigs } from './runs';
import { PrismaSchemas } from './prisma-schemas';
import { FileStore } from './files';
import { deriveApp, findAppDirs, ownerDirIn, type AppMeta, type DeriveInput } from './apps';
import { sameItems } from '../model/same';

export type { IndexedFile } from './ingest';
export { norm } from './files';

export class WorkspaceIndex implements WorkspaceView {
  /** The files, their reads and the open documents' text. */
  private readonly store: FileStore;
  readonly files: Map<string, IndexedFile>;
  private _apps: App[] = [];
  private appMap = new Map<string, App>();
  private prismaSchemas = new PrismaSchemas();
  /** `.prisma` files ignored by the configuration (computed with the apps): a schema folder holding one is incomplete. */
  private ignoredPrisma: string[] = [];
  /** Files that were skipped, with the reason (too large, unreadable, binary...). */
  readonly skipped: Map<string, string>;
  /** The files among them that Crosswire would have read (reported on the file as parse-error, info: never a silent all clear). */
  readonly unread: Map<string, string>;
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
    log: Logger,
    ruleIds: ReadonlySet<string> = new Set(),
  ) {
    this.baseOptions = options;
    this.store = new FileStore(
      roots,
      () => this.options.maxFileSize,
      log,
      ruleIds,
      (n) => this.options.onProgress?.(n),
    );
    this.files = this.store.files;
    this.skipped = this.store.skipped;
    this.unread = this.store.unread;
  }

  get apps(): readonly App[] {
    return this._apps;
  }

  private runsCache: { apps: readonly App[]; roots: unknown; sources: unknown[]; runs: Runs } | undefined;
  /**
   * What runs and what runs together depends only on the packages' scripts and on which scripts start a server:
   * an edit of an env file that changes neither keeps the result (checked by identity, linear in the apps).
   */
  runs(): Runs {
    if (this.runsCache?.apps === this._apps) return this.runsCache.runs;
    const harnesses = this.harnesses.read();
    const sources = harnesses.map((h) => h.source);
    const prev = this.runsCache;
    // What the runs are computed from: the monorepo roots, the test runners' configs, and each app's package.json and
    // the scripts of its servers. Compared app by app (an edit re-derives one app: the others are the same objects).
    if (prev && prev.roots === this.monorepoRoots && sameItems(prev.sources, sources) && sameRunInputs(prev.apps, this._apps)) {
      this.runsCache = { ...prev, apps: this._apps };
      return prev.runs;
    }
    this.runsCache = { apps: this._apps, roots: this.monorepoRoots, sources, runs: computeRuns(this._apps, this.monorepoRoots, harnesses) };
    return this.runsCache.runs;
  }

  private readonly harnesses = new HarnessConfigs(this);

  appById(id: string): App | undefined {
    return this.appMap.get(id);
  }

  textOf(file: string): string | undefined {
    return this.store.textOf(file);
  }

  rootOf(file: string): string | undefined {
    return this.store.rootOf(file);
  }

  kindOf(file: string): FileKind | undefined {
    return this.store.kindOf(file);
  }

  async indexAll(): Promise<void> {
    this.prismaSchemas.clear();
    this.harnesses.reset();
    await this.store.readAll();
    this.rebuild();
  }

  /** Re-reads one file from disk (or drops it when it is gone); the open-document overlay, if any, still wins. */
  async refresh(file: string): Promise<void> {
    const before = this.files.get(file);
    await this.store.loadFromDisk(file);
    this.update(file, before);
  }

  setOverlay(file: string, text: string | undefined): void {
    const before = this.files.get(file);
    if (this.store.setOverlay(file, text)) this.update(file, before);
  }

  /** Re-derives apps after a configuration change (no file is re-read). */
  refreshDerived(): void {
    this.rebuild();
  }

  /** Whether the disk holds the text indexed for a file (not an open document's; a file not indexed is never current). */
  isCurrentOnDisk(file: string): boolean {
    return this.store.isCurrentOnDisk(file);
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
    this.harnesses.changed(file);
    if (!this.updateOne(file, before)) this.rebuild();
  }

  private updateOne(file: string, before: IndexedFile | undefined): boolean {
    const after = this.files.get(file);
    const entry = after ?? before;
    if (!entry) return true; // neither before nor now a file Crosswire reads
    const kind = entry.kind;
    if (isStructural(kind, file)) return false;
    if (this.isIgnored(file)) return true;
    if (kind === 'compose' || kind === 'pg-conf') {
      // Read workspace-wide (also outside apps): every rule may see them.
      this.collectWorkspaceFiles();
      if (this.changes !== 'full') this.changes.push({ file, kind, envChanges: [], listenersChanged: false, other: true });
    }
    const dir = this.fileOwner.get(file) ?? this.ownerDir(file, entry.root);
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
    return ownerDirIn(this.appDirMeta, file, root);
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
    const { appDirs, monorepoRoots } = findAppDirs(visible, this.files);
    this.appDirMeta = appDirs;
    this.monorepoRoots = monorepoRoots;
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

  /** Builds one app from its files (apps.ts). */
  private deriveApp(dir: string, meta: AppMeta): App {
    const input: DeriveInput = {
      roots: this.roots,
      files: this.files,
      appFiles: this.appFiles,
      config: this.config,
      monorepoRoots: this.monorepoRoots,
      ignoredPrisma: this.ignoredPrisma,
      skipped: this.skipped,
      prismaSchemas: this.prismaSchemas,
      rootOf: (file) => this.rootOf(file),
    };
    return deriveApp(input, dir, meta);
  }
}

/** Which env keys' values and whether the listeners differ between two derivations of one app. */
function describeChange(file: string, kind: string, before: App, after: App): IndexChange {
  const values = (app: App) => {
    const m = new Map<string, string[]>();
    for (const f of app.envFiles)
      for (const e of f.entries) {
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
  const sig = (app: App) =>
    JSON.stringify(app.listeners.map((l) => [l.script, l.port, l.how, l.explicit, l.drifts, l.source.file, l.source.range.start.line, l.portEnvVar]));
  return {
    file,
    kind,
    envChanges: [...changed].map(([key, vals]) => ({ key, values: vals })),
    listenersChanged: sig(before) !== sig(after),
    other: kind !== 'env',
  };
}

/** Files that change which folders are apps (or the configuration): an edit re-derives the app boundaries. */
function isStructural(kind: string, file: string): boolean {
  return (
    kind === 'package' ||
    kind === 'app-marker' ||
    kind === 'foreign-marker' ||
    kind === 'config' ||
    kind === 'repo-config' ||
    (kind === 'python' && path.basename(file) === 'setup.py')
  );
}

/** Whether two lists of apps give the same runs: the same ids, package.json and server scripts, in order. */
function sameRunInputs(a: readonly App[], b: readonly App[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x.id !== y.id || x.packageJson !== y.packageJson || serverScripts(x) !== serverScripts(y)) return false;
  }
  return true;
}

function serverScripts(app: App): string {
  return `${app.listeners.map((l) => l.script).join('\0')}\u0001${app.unknownPorts.map((u) => u.script).join('\0')}`;
}
