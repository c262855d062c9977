/**
 * Which server processes run, and which run at the same time. A process is an app's script that starts a server
 * (a listener, or a server whose port is unknown). It runs when something a developer starts reaches it: a script of
 * a monorepo root (`turbo run dev`, `pnpm -r --parallel dev`, `nx run-many -t serve`, `concurrently ...`), or one of
 * an app's own entry scripts (`dev`, `start`, `serve`, ...), following script chains (`npm run dev:web`,
 * `pnpm with-env next dev`). Processes that one such entry starts together are certain to run at the same time;
 * a `preview` or `storybook` script that nothing starts is not counted at all.
 */
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { App, Location, MonorepoRoot, PackageJsonInfo, RunSet, Runs } from '../model/types';
import { parsePlaywrightWebServers, type PlaywrightWebServer } from '../parsers/playwright';
import type { IndexedFile } from './ingest';
import { analyzeCommand, carriesEnv, type CommandAnalysis, type Orchestration } from '../parsers/scripts';

/** Scripts a developer or a deployment runs directly. */
const ENTRY_NAMES = /^(dev|develop|start|serve|start:dev|start:prod|dev:all|prod)$/;

/** `appId\0script`: one process. */
export function processKey(appId: string, script: string): string {
  return `${appId}\0${script}`;
}

interface Pkg {
  dir: string;
  pkg: PackageJsonInfo;
  app?: App;
}

/** Computes what runs and what runs together, from every package's scripts. Linear in the scripts (each script resolved once per entry, bounded depth). */
export function computeRuns(apps: readonly App[], roots: readonly MonorepoRoot[], harnesses: readonly TestHarness[] = []): Runs {
  const pkgs: Pkg[] = [
    ...roots.map((r) => ({ dir: r.dir, pkg: r.pkg })),
    ...apps.filter((a) => a.packageJson).map((a) => ({ dir: a.dir, pkg: a.packageJson!, app: a })),
  ];
  const servers = new Set<string>();
  for (const a of apps) {
    for (const l of a.listeners) servers.add(processKey(a.id, l.script));
    for (const u of a.unknownPorts) servers.add(processKey(a.id, u.script));
  }
  /** The packages an orchestrator in `dir` selects. */
  const members = memberSelector(apps, roots);

  const pkgOfApp = new Map(pkgs.filter((p) => p.app).map((p) => [p.app!.id, p]));
  const pkgOfDir = packagesByDir(pkgs);

  /** Adds the processes a command run in package `p` starts: `own` run with it, `groups` each one after another. */
  const follow = (p: Pkg, command: string, isServer: boolean, depth: number, seen: Set<string>, own: string[], groups: string[][], from?: string): void => {
    for (const a of analyzeSafe(command)) {
      if (a.tool === 'delegate' && a.delegateTo && a.cwd !== undefined && a.cwd !== '.') {
        // `cd server && yarn dev`, `yarn --cwd server dev`: the script of the package in that folder. One that adds words or
        // environment (`cd server && PORT=4000 yarn dev`) starts a process of its own, which Crosswire does not model.
        const there = pkgOfDir.get(path.resolve(p.dir, a.cwd));
        if (there && !a.delegateArgs && !carriesEnv(a))
          for (const t of delegateTargets(there, a.delegateTo)) for (const g of resolve(there, t, depth + 1, seen)) own.push(...g);
      } else if (a.tool === 'delegate' && a.delegateTo) {
        const targets = delegateTargets(p, a.delegateTo);
        // A delegation that adds words or environment (`pnpm with-env next dev`, `cross-env PORT=4500 pnpm start`) is this
        // script's own process (index/listeners.ts), not the other script's.
        const composed = !!a.delegateArgs || (carriesEnv(a) && isServer);
        for (const t of targets) if ((from === undefined || t !== from) && !composed) for (const g of resolve(p, t, depth + 1, seen)) own.push(...g);
      } else if (a.tool === 'orchestrate' && a.orchestrate) {
        const o = a.orchestrate;
        for (const m of members(a.cwd ? path.resolve(p.dir, a.cwd) : p.dir, o)) {
          const mp = pkgOfApp.get(m.id);
          for (const t of o.tasks) {
            // A package script of that name, else (Nx) a target of the project's project.json.
            const nxTarget = processKey(m.id, `nx:${t}`);
            const got = mp && scriptOf(mp, t) ? resolve(mp, t, depth + 1, seen).flat() : o.runner === 'nx' && servers.has(nxTarget) ? [nxTarget] : [];
            if (!got.length) continue;
            if (o.parallel) own.push(...got);
            else groups.push(got);
          }
        }
      }
    }
  };

  /** The processes a script starts (groups: processes of one group run together). */
  const resolve = (p: Pkg, scriptName: string, depth: number, seen: Set<string>): string[][] => {
    const script = scriptOf(p, scriptName);
    if (!script || depth > 8) return [];
    const id = `${p.dir}\0${scriptName}`;
    if (seen.has(id)) return [];
    seen.add(id);
    const own: string[] = [];
    const isServer = !!p.app && servers.has(processKey(p.app.id, scriptName));
    if (isServer) own.push(processKey(p.app!.id, scriptName));
    const groups: string[][] = [];
    follow(p, script.command, isServer, depth, seen, own, groups, scriptName);
    if (own.length) groups.unshift(own);
    seen.delete(id);
    return groups;
  };

  const running = new Set<string>();
  const sets: RunSet[] = [];
  const setsOf = new Map<string, number[]>();
  addScriptSets(pkgs, resolve, running, sets, setsOf);
  addDirectRuns(apps, running);
  const harnessOnly = addHarnessSets(harnesses, pkgOfDir, follow, running, sets, setsOf);
  return { running, sets, setsOf, harnessOnly };
}

/** Playwright's webServer: the commands run in the config's folder (or their `cwd`) as that package's scripts would, all at once: a run set each. */
function addHarnessSets(
  harnesses: readonly TestHarness[],
  pkgOfDir: Map<string, Pkg>,
  follow: (p: Pkg, command: string, isServer: boolean, depth: number, seen: Set<string>, own: string[], groups: string[][]) => void,
  running: Set<string>,
  sets: RunSet[],
  setsOf: Map<string, number[]>,
): Set<string> {
  const harnessOnly = new Set<string>();
  const appIdOf = (k: string) => k.slice(0, k.indexOf('\0'));
  const nearest = (dir: string): Pkg | undefined => {
    for (let d = dir, k = 0; k < 64; k++) {
      const hit = pkgOfDir.get(d);
      if (hit) return hit;
      const up = path.dirname(d);
      if (up === d) return undefined;
      d = up;
    }
    return undefined;
  };
  for (const h of harnesses) {
    const procs: string[] = [];
    for (const w of h.servers) {
      // A server given its own port variable runs on a port its script's process does not: not modelled.
      if (w.envKeys.some((k) => /PORT/i.test(k))) continue;
      const p = nearest(w.cwd ? path.resolve(h.dir, w.cwd) : h.dir);
      if (!p) continue;
      const own: string[] = [];
      const groups: string[][] = [];
      follow(p, w.command, false, 0, new Set(), own, groups);
      procs.push(...own, ...(groups.length === 1 ? groups[0] : []));
    }
    const uniq = [...new Set(procs)];
    for (const k of uniq) if (!running.has(k)) harnessOnly.add(k);
    if (new Set(uniq.map(appIdOf)).size < 2) continue;
    // The ports Playwright waits for (`port`, or the port of `url`): the ports the tests expect the servers on.
    const waits = [...new Set(h.servers.map((w) => w.port).filter((p) => p !== undefined))];
    const label = `webServer of ${path.basename(path.dirname(h.location.file))}/${path.basename(h.location.file)} (Playwright${waits.length ? `, waits for ${waits.join(', ')}` : ''})`;
    addSet(sets, setsOf, { location: h.location, label, processes: uniq, harness: true });
  }
  return harnessOnly;
}

/** Playwright configs with a webServer Crosswire can read, each parsed once per text (`cache` by file entry). */
/** Whether a file is named like a Playwright config (`playwright.config.ts`, `playwright.e2e.config.mjs`). */
export function isHarnessConfig(file: string): boolean {
  return file.includes('playwright') && /^playwright(\.[\w-]+)?\.config\.[cm]?[jt]s$/.test(path.basename(file));
}

export function readHarnesses(
  files: Map<string, IndexedFile>,
  cache: WeakMap<IndexedFile, TestHarness | null>,
  textOf: (file: string) => string | undefined,
): (TestHarness & { source: IndexedFile })[] {
  const out: (TestHarness & { source: IndexedFile })[] = [];
  for (const f of files.values()) {
    if (!isHarnessConfig(f.file)) continue;
    let h = cache.get(f);
    if (h === undefined) {
      const text = textOf(f.file);
      const parsed = text === undefined ? undefined : parsePlaywrightWebServers(text, f.file);
      h = parsed ? { dir: path.dirname(f.file), location: { file: f.file, range: parsed.range }, servers: parsed.servers } : null;
      cache.set(f, h);
    }
    if (h) out.push({ ...h, source: f });
  }
  return out;
}

/**
 * The test runners' configs of the index, read with readHarnesses: their paths are found once, then kept up to date
 * file by file (a basename test of every file on every state of the index was most of the cost of runs()).
 */
export class HarnessConfigs {
  private paths: Set<string> | undefined;
  private readonly cache = new WeakMap<IndexedFile, TestHarness | null>();

  constructor(private readonly index: { readonly files: Map<string, IndexedFile>; textOf(file: string): string | undefined }) {}

  /** After one file was added, changed or removed. */
  changed(file: string): void {
    if (!this.paths || !isHarnessConfig(file)) return;
    if (this.index.files.has(file)) this.paths.add(file);
    else this.paths.delete(file);
  }

  /** After every file was read again. */
  reset(): void {
    this.paths = undefined;
  }

  read(): (TestHarness & { source: IndexedFile })[] {
    const all = this.index.files;
    this.paths ??= new Set([...all.keys()].filter(isHarnessConfig));
    const files = new Map<string, IndexedFile>();
    for (const f of this.paths) {
      const entry = all.get(f);
      if (entry) files.set(f, entry);
    }
    return readHarnesses(files, this.cache, (f) => this.index.textOf(f));
  }
}

/** A test runner's config that starts servers before the tests (Playwright's webServer). */
export interface TestHarness {
  /** The config's folder. */
  dir: string;
  /** Where the servers are declared (the config's `webServer`). */
  location: Location;
  servers: PlaywrightWebServer[];
}

/** The processes each entry script starts (an app's entry scripts, any root script, anything that orchestrates), and the run sets of several apps. */
function addScriptSets(
  pkgs: Pkg[],
  resolve: (p: Pkg, scriptName: string, depth: number, seen: Set<string>) => string[][],
  running: Set<string>,
  sets: RunSet[],
  setsOf: Map<string, number[]>,
): void {
  const appIdOf = (k: string) => k.slice(0, k.indexOf('\0'));
  for (const p of pkgs) {
    for (const s of p.pkg.scripts) {
      const orchestrates =
        analyzeSafe(s.command).some((a) => a.tool === 'orchestrate' || (a.tool === 'delegate' && !!a.delegateTo?.includes('*'))) ||
        /^\s*((npx|pnpx|bunx)\s+)?(concurrently|npm-run-all|run-p)\b/.test(s.command);
      if (p.app && !ENTRY_NAMES.test(s.name) && !orchestrates) continue;
      for (const group of resolve(p, s.name, 0, new Set())) {
        const uniq = [...new Set(group)];
        for (const k of uniq) running.add(k);
        if (new Set(uniq.map(appIdOf)).size < 2) continue;
        addSet(sets, setsOf, { location: { file: p.pkg.file, range: s.range }, label: scriptLabel(p.dir, s.name, s.command), processes: uniq });
      }
    }
  }
}

/** A run set, indexed by its processes. */
function addSet(sets: RunSet[], setsOf: Map<string, number[]>, set: RunSet): void {
  const i = sets.length;
  sets.push(set);
  for (const k of set.processes) {
    const list = setsOf.get(k) ?? [];
    list.push(i);
    setsOf.set(k, list);
  }
}

/** The package in each folder: an app's wins over a root's in the same folder (a root that is also an app). */
function packagesByDir(pkgs: Pkg[]): Map<string, Pkg> {
  const out = new Map<string, Pkg>();
  for (const p of pkgs) if (p.app || !out.has(p.dir)) out.set(p.dir, p);
  return out;
}

function scriptOf(p: Pkg, name: string) {
  return p.pkg.scripts.find((s) => s.name === name);
}

/** The scripts a delegation names: one, or those a `dev:*` pattern matches. */
function delegateTargets(p: Pkg, to: string): string[] {
  return to.includes('*') ? p.pkg.scripts.filter((s) => picomatch(to.replace(/:/g, '/'))(s.name.replace(/:/g, '/'))).map((s) => s.name) : [to];
}

/** `script "dev" of web/package.json (`next dev`)`, the command cut at 60 characters. */
function scriptLabel(dir: string, name: string, command: string): string {
  return `script "${name}" of ${path.basename(dir)}/package.json (\`${command.length > 60 ? `${command.slice(0, 57)}...` : command}\`)`;
}

/** Nx targets a developer runs (`nx serve app`) and, for Python services and other apps without package.json, their server. */
function addDirectRuns(apps: readonly App[], running: Set<string>): void {
  for (const a of apps) {
    for (const l of [...a.listeners, ...a.unknownPorts]) if (/^nx:(serve|dev|start)$/.test(l.script)) running.add(processKey(a.id, l.script));
    if (a.packageJson) continue;
    for (const l of a.listeners) running.add(processKey(a.id, l.script));
    for (const u of a.unknownPorts) running.add(processKey(a.id, u.script));
  }
}

/** Which apps an orchestrator (`turbo --filter`, `pnpm -r`, `nx run-many`) run in a folder selects, cached by root and filters. */
function memberSelector(apps: readonly App[], roots: readonly MonorepoRoot[]): (dir: string, o: Orchestration) => App[] {
  const rootOf = (dir: string): string => {
    let best = '';
    for (const r of roots) if ((dir === r.dir || dir.startsWith(r.dir + path.sep)) && r.dir.length > best.length) best = r.dir;
    return best;
  };
  const membersCache = new Map<string, App[]>();
  return (dir: string, o: Orchestration): App[] => {
    const base = rootOf(dir) || dir;
    const key = `${base}\0${o.filters.join('\0')}\0!${(o.excludes ?? []).join('\0')}`;
    let hit = membersCache.get(key);
    if (hit) return hit;
    // The packages the root declares (`workspaces`, pnpm-workspace.yaml): `packages/*` does not reach
    // `packages/x/examples/y`. Nx also runs projects its project.json files declare; a root that declares none takes all.
    const globs = o.runner === 'nx' ? [] : (roots.find((r) => r.dir === base)?.packageGlobs ?? []);
    const declared = globs.length ? picomatch(globs.filter((g) => !g.startsWith('!')).map(normGlob)) : undefined;
    const excluded = globs.some((g) => g.startsWith('!')) ? picomatch(globs.filter((g) => g.startsWith('!')).map((g) => normGlob(g.slice(1)))) : undefined;
    const inScope = apps.filter((a) => {
      if (a.dir === base || !a.dir.startsWith(base + path.sep)) return false;
      if (!declared) return true;
      const rel = path.relative(base, a.dir).split(path.sep).join('/');
      return declared(rel) && !excluded?.(rel);
    });
    const matcher = (f: string): ((a: App) => boolean) => {
      // turbo's `//` is the root package, which is not an app: it selects none of them.
      if (f === '//') return () => false;
      if (f.startsWith('.') || (f.includes('/') && !f.startsWith('@'))) {
        const rel = path.posix.normalize(f.replace(/^\.\//, '')).replace(/\/$/, '');
        if (!rel || rel === '.' || rel === '/') return () => false;
        const glob = picomatch(rel);
        return (a: App) => glob(path.relative(base, a.dir).split(path.sep).join('/'));
      }
      const glob = picomatch(f);
      return (a: App) => glob(a.packageJson?.name ?? '') || glob(path.basename(a.dir)) || (a.nxName !== undefined && glob(a.nxName));
    };
    const included = o.filters.map(matcher);
    // `--filter !web`, nx `--exclude`: those packages are not run, whatever else selects them.
    const dropped = (o.excludes ?? []).map(matcher);
    hit = inScope.filter((a) => (!included.length || included.some((m) => m(a))) && !dropped.some((m) => m(a)));
    membersCache.set(key, hit);
    return hit;
  };
}

function analyzeSafe(command: string): readonly CommandAnalysis[] {
  try {
    return analyzeCommand(command);
  } catch {
    return [];
  }
}

/** A workspace glob as picomatch takes it: `./apps/*` becomes `apps/*`, a trailing slash goes. */
function normGlob(g: string): string {
  return g.replace(/^\.\//, '').replace(/\/+$/, '');
}
