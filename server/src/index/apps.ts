/**
 * App derivation: which folders are apps (a package.json that is not a monorepo root, a Python project, an Nx
 * application, else a folder of env files or of code with port defaults), and each app built from its files:
 * env (expanded), schemas, code, compose, PM2, listeners. Pure over the indexed files; workspace.ts decides
 * when to derive (all apps, or the one app a file change concerns).
 */
import * as path from 'node:path';
import type { App, CrosswireConfig, EnvFile, Framework, MonorepoRoot, PackageJsonInfo } from '../model/types';
import { createExpander } from '../parsers/env';
import { majorOf } from '../parsers/packageJson';
import { analyzeCommand } from '../parsers/scripts';
import { detectFramework } from '../frameworks';
import type { IndexedFile } from './ingest';
import { FOREIGN_MARKERS } from '../model/file-kinds';
import { exact } from '../model/compact';
import { computeListeners, computePythonListeners, isNxApplication, nxTargetListeners } from './listeners';
import { mergeNxTargets, nxInferredTargets } from './nx-inferred';
import type { PrismaSchemas } from './prisma-schemas';

export interface AppMeta {
  root: string;
  pkg?: PackageJsonInfo;
  python?: boolean;
  /** The folder also holds a project of a language Crosswire does not model (`Go`, `Java`...): its servers are unknown. */
  foreign?: string;
}

/**
 * A monorepo root is not an app: its package.json declares workspaces (or sits beside pnpm-workspace.yaml,
 * lerna.json, nx.json or turbo.json) and none of its scripts starts a framework's server itself (they delegate
 * to the packages: turbo, nx, lerna, `pnpm -r`...). A root that runs `next dev` is an app with packages.
 */
export function isMonorepoRoot(pkg: PackageJsonInfo, markers: boolean): boolean {
  if (pkg.workspaces.length === 0 && !markers) return false;
  return !pkg.scripts.some((s) => {
    try {
      return analyzeCommand(s.command).some((a) => a.serve !== undefined);
    } catch {
      return false;
    }
  });
}

/**
 * Whether a folder holds pnpm-workspace.yaml, lerna.json, nx.json or turbo.json (a monorepo root's markers). A
 * turbo.json that `extends: ["//"]` is a Turborepo package configuration (it overrides the root's tasks for one
 * package), so it marks a package, not a root.
 */
export function markerIn(files: Map<string, IndexedFile>, dir: string): boolean {
  for (const name of ['pnpm-workspace.yaml', 'lerna.json', 'nx.json', 'turbo.json']) {
    const f = files.get(path.join(dir, name));
    if (f && !(name === 'turbo.json' && isTurboPackageConfig(f.repoConfig?.data))) return true;
  }
  return false;
}

function isTurboPackageConfig(data: unknown): boolean {
  const ext = (data as { extends?: unknown } | undefined)?.extends;
  return Array.isArray(ext) && ext.includes('//');
}

/** The app folder a file belongs to: the nearest app folder above it, within its workspace folder. */
export function ownerDirIn(appDirs: ReadonlyMap<string, AppMeta>, file: string, root: string): string | undefined {
  let dir = path.dirname(file);
  for (;;) {
    if (appDirs.has(dir)) return dir;
    if (dir === root || !dir.startsWith(root)) return undefined;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * The app folders of the visible files, and the monorepo roots (package.json files that are not apps). The
 * returned map is filled in order: packages and Python projects, Nx applications, then folders of env files and
 * folders of code with port defaults that no app above holds.
 */
export function findAppDirs(
  visible: readonly IndexedFile[],
  files: Map<string, IndexedFile>,
): { appDirs: Map<string, AppMeta>; monorepoRoots: MonorepoRoot[] } {
  const appDirs = new Map<string, AppMeta>();
  const monorepoRoots: MonorepoRoot[] = [];
  for (const f of visible) {
    const dir = path.dirname(f.file);
    if (f.kind === 'package' && f.pkg && !isMonorepoRoot(f.pkg, markerIn(files, dir))) appDirs.set(dir, { root: f.root, pkg: f.pkg });
    else if (f.kind === 'package' && f.pkg) monorepoRoots.push({ dir, root: f.root, pkg: f.pkg, packageGlobs: packageGlobsOf(files, dir, f.pkg) });
  }
  for (const f of visible) {
    const dir = path.dirname(f.file);
    // setup.py marks a project, unless it is a module of a package (an `__init__.py` beside it: `mem0/memory/setup.py`).
    const setupPy = f.kind === 'python' && path.basename(f.file) === 'setup.py' && !files.has(path.join(dir, '__init__.py'));
    if ((f.kind === 'app-marker' || setupPy) && !appDirs.has(dir)) appDirs.set(dir, { root: f.root, python: true });
    // A Go module, a Maven/Gradle project, a Gemfile...: a program whose servers Crosswire does not model.
    if (f.kind === 'foreign-marker') {
      const lang = FOREIGN_MARKERS[path.basename(f.file)];
      const meta = appDirs.get(dir);
      if (meta) meta.foreign ??= lang;
      else appDirs.set(dir, { root: f.root, foreign: lang });
    }
    // An Nx application project is an app even without a package.json (its targets say what it serves).
    if (f.repoConfig?.kind === 'nx-project' && isNxApplication(f.repoConfig.data) && !appDirs.has(dir)) appDirs.set(dir, { root: f.root });
  }
  // Config files with no app above them: the folder holding them is an app (a Python service, a deploy folder).
  const sorted = [...visible].sort((a, b) => a.file.length - b.file.length || a.file.localeCompare(b.file));
  // (A monorepo root's own env files are shared by its packages, which load them with `dotenv -e ../../.env`: the
  // root does not become an app of its own, which would "share" every secret with the packages.)
  const rootDirs = new Set(monorepoRoots.map((r) => r.dir));
  for (const f of sorted) {
    if (f.kind === 'env' && !ownerDirIn(appDirs, f.file, f.root) && !rootDirs.has(path.dirname(f.file))) appDirs.set(path.dirname(f.file), { root: f.root });
  }
  for (const f of sorted) {
    if (
      (f.kind === 'code' || f.kind === 'python') &&
      f.code &&
      f.code.defaults.length > 0 &&
      !ownerDirIn(appDirs, f.file, f.root) &&
      !rootDirs.has(path.dirname(f.file))
    )
      appDirs.set(path.dirname(f.file), { root: f.root });
  }
  return { appDirs, monorepoRoots: monorepoRoots.sort((a, b) => a.dir.localeCompare(b.dir)) };
}

/** What building an app reads from the index. */
export interface DeriveInput {
  readonly roots: readonly string[];
  readonly files: Map<string, IndexedFile>;
  /** App folder -> its files. */
  readonly appFiles: ReadonlyMap<string, ReadonlySet<string>>;
  readonly config: CrosswireConfig;
  readonly monorepoRoots: readonly MonorepoRoot[];
  /** `.prisma` files ignored by the configuration, and `.prisma` files skipped: a schema folder holding one is incomplete. */
  readonly ignoredPrisma: readonly string[];
  readonly skipped: ReadonlyMap<string, string>;
  readonly prismaSchemas: PrismaSchemas;
  rootOf(file: string): string | undefined;
}

/**
 * Package names are unique within one monorepo, so two packages of one name in different monorepos (a
 * collection of example repositories, each with its `web` and `docs`) are different apps, not replicas:
 * the name is qualified by the monorepo root above the app, when there is one.
 */
export function workspaceScope(ws: DeriveInput, dir: string): string {
  let best = '';
  for (const r of ws.monorepoRoots) if (dir !== r.dir && dir.startsWith(r.dir + path.sep) && r.dir.length > best.length) best = r.dir;
  return best ? `@${path.relative(ws.rootOf(best) ?? best, best) || '.'}` : '';
}

/** Builds one app from its files: env (expanded), schemas, code, compose, PM2, listeners. */
export function deriveApp(ws: DeriveInput, dir: string, meta: AppMeta): App {
  const multiRoot = ws.roots.length > 1;
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
    replicaKey: pkg?.name ? `pkg:${pkg.name}${workspaceScope(ws, dir)}` : `dir:${id}`,
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
    host: ws.config.hosts[rel] ?? 'local',
    ...(meta.foreign ? { foreign: meta.foreign } : {}),
  };
  collectAppFiles(ws, dir, pkg, app);
  const nextAuthMajor = majorOf(app.packageJson?.dependencies['next-auth']);
  if (nextAuthMajor !== undefined) for (const c of app.code) for (const n of c.auth?.nextAuth ?? []) n.version = nextAuthMajor >= 5 ? 5 : 4;
  // Deterministic order (files are read concurrently): same input, same output, byte for byte.
  app.code.sort((a, b) => a.file.localeCompare(b.file));
  app.schemas.sort((a, b) => a.file.localeCompare(b.file));
  app.compose.sort((a, b) => a.file.localeCompare(b.file));
  app.pm2.sort((a, b) => a.file.localeCompare(b.file));
  app.envFiles.sort((a, b) => envPrecedence(a) - envPrecedence(b) || a.file.localeCompare(b.file));
  expandApp(app);
  const servers = app.packageJson ? computeListeners(app, ws.files) : computePythonListeners(app);
  addNxTargets(ws, app, dir, pkg, servers);
  app.listeners = servers.listeners;
  app.unknownPorts = servers.unknown;
  // Explicit replica groups from the configuration: folders that are the same app.
  for (const group of ws.config.replicas) {
    if (group.some((g) => g.replace(/\/$/, '') === rel)) app.replicaKey = `cfg:${group.join('|')}`;
  }
  // The index keeps the app until one of its files changes: its lists at their exact length.
  app.envFiles = exact(app.envFiles);
  app.schemas = exact(app.schemas);
  app.code = exact(app.code);
  app.listeners = exact(app.listeners);
  app.unknownPorts = exact(app.unknownPorts);
  app.compose = exact(app.compose);
  app.pm2 = exact(app.pm2);
  return app;
}

/** The servers of an Nx project's targets: those Nx plugins infer, under those project.json or package.json's `nx` key declare. */
function addNxTargets(
  ws: DeriveInput,
  app: App,
  dir: string,
  pkg: PackageJsonInfo | undefined,
  servers: { listeners: App['listeners']; unknown: App['unknownPorts'] },
): void {
  const nx = ws.files.get(path.join(dir, 'project.json'))?.repoConfig;
  // Targets Nx plugins infer (nx.json `plugins`), under those the project declares (project.json, package.json's `nx` key).
  const inferred = nxInferredTargets(app, ws.files);
  const scripts = new Set(pkg?.scripts.map((s) => s.name) ?? []);
  if (nx?.kind === 'nx-project') {
    const data = nx.data && typeof nx.data === 'object' ? (nx.data as Record<string, unknown>) : undefined;
    if (data?.projectType === 'library') app.nxLibrary = true;
    // A project without a package.json is known by its Nx name.
    if (typeof data?.name === 'string' && !pkg && data.name.trim()) app.name = data.name;
    if (typeof data?.name === 'string') app.nxName = data.name;
    const declared = data?.targets && typeof data.targets === 'object' ? (data.targets as Record<string, unknown>) : undefined;
    const targets = nxTargetListeners(
      app,
      data && { ...data, targets: mergeNxTargets(inferred, declared, scripts) },
      path.join(dir, 'project.json'),
      ws.files.get(path.join(dir, 'project.json'))!.text,
      ws.files,
    );
    servers.listeners.push(...targets.listeners);
    servers.unknown.push(...targets.unknown);
  }
  // Nx targets declared in package.json's `nx` key (a package-based Nx project) are read like project.json's.
  if (nx?.kind !== 'nx-project' && pkg && (Object.keys(inferred).length || pkg.text.includes('"nx"'))) {
    const declared = pkg.text.includes('"nx"') ? nxKeyOf(pkg.text) : undefined;
    const targets = mergeNxTargets(inferred, declared?.targets as Record<string, unknown> | undefined, scripts);
    if (Object.keys(targets).length) {
      const found = nxTargetListeners(app, { targets }, pkg.file, pkg.text, ws.files);
      const own = new Set(servers.listeners.map((l) => l.script).concat(servers.unknown.map((u) => u.script)));
      servers.listeners.push(...found.listeners.filter((l) => !own.has(l.script)));
      servers.unknown.push(...found.unknown.filter((u) => !own.has(u.script)));
    }
  }
}

/** Fills an app's env files, code, compose and PM2 files and Prisma schemas from the files of its folder. */
function collectAppFiles(ws: DeriveInput, dir: string, pkg: PackageJsonInfo | undefined, app: App): void {
  const prismaFiles: IndexedFile[] = [];
  const prismaConfigs: IndexedFile[] = [];
  for (const file of ws.appFiles.get(dir) ?? []) {
    const f = ws.files.get(file);
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
    const unread = [...ws.ignoredPrisma, ...[...ws.skipped.keys()].filter((f) => f.endsWith('.prisma'))];
    app.schemas.push(...ws.prismaSchemas.forApp(dir, pkg, prismaFiles, prismaConfigs, unread, app.prismaMajor ?? (app.hasPrismaConfig ? 7 : undefined)));
  }
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

/** A monorepo root's package globs: package.json `workspaces` and pnpm-workspace.yaml `packages`. */
function packageGlobsOf(files: Map<string, IndexedFile>, dir: string, pkg: PackageJsonInfo): string[] {
  const out = [...pkg.workspaces];
  const pnpm = files.get(path.join(dir, 'pnpm-workspace.yaml'))?.repoConfig?.data as { packages?: unknown } | undefined;
  if (Array.isArray(pnpm?.packages)) for (const g of pnpm.packages) if (typeof g === 'string') out.push(g);
  return out;
}

/** The `nx` key of a package.json (its `targets`), when the text parses. */
function nxKeyOf(text: string): { targets: unknown } | undefined {
  try {
    const nx = (JSON.parse(text) as { nx?: { targets?: unknown } }).nx;
    return nx && typeof nx === 'object' && nx.targets && typeof nx.targets === 'object' ? { targets: nx.targets } : undefined;
  } catch {
    return undefined;
  }
}
