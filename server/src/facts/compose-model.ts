/**
 * The workspace's compose projects (index/compose-projects.ts) as rules see them (the derived fact `composeModel`):
 * recomputed when the compose files, the apps or the text of a file the projects read (a `.env`, an `env_file`) change.
 */
import * as path from 'node:path';
import type { App, ComposeFileInfo, Range, WorkspaceView } from '../model/types';
import {
  composeProjects,
  type ComposeInputApp,
  type ComposeInputScript,
  type ComposeProject,
  type ComposeVariant,
  type ResolvedService,
} from '../index/compose-projects';
import { originOf, perApp, positionsById, pushTo, replacedPositions, replaceItems } from './util';
import { classifyEnvFile } from '../parsers/env';
import { analyzeCommand } from '../parsers/scripts';
import { asDerived, checking, derived, derivedSignature, lazyDerived, raw } from './track';
import { flat } from './fingerprint';

lazyDerived('composeUsers');
// Each app's line is kept per ports object (memoised per app by envPorts: the apps an edit did not touch give the same one).
const portLines = new WeakMap<Map<number, string>, string>();
derivedSignature<Map<string, Map<number, string>>>('envPorts', (m) => {
  const out: string[] = [];
  for (const [id, ports] of m) {
    let line = portLines.get(ports);
    if (line === undefined) portLines.set(ports, (line = flat([...ports].join(';'))));
    out.push(`${id}=${line}`);
  }
  return out;
});

export interface ComposeModel {
  projects: ComposeProject[];
  /** Every service of every variant. */
  services: { project: ComposeProject; variant: ComposeVariant; service: ResolvedService }[];
}

const readTexts = new WeakMap<ComposeModel, Map<string, string | undefined>>();

export function composeModel(index: WorkspaceView): ComposeModel {
  return derived('composeModel', index, computeComposeModel, (model) => [...readTexts.get(model)!].every(([f, t]) => index.textOf(f) === t));
}

/** What the compose model reads of one app (kept per App object: an app not re-derived gives the same object). */
interface ComposePart {
  /** The app as the model sees it, when it is a program (see isProgram). */
  app?: ComposeInputApp;
  scripts: ComposeInputScript[];
  packageName?: string;
}

const composePart = perApp(
  (a: App): ComposePart => ({
    app: isProgram(a) ? { id: a.id, name: a.name, dir: a.dir, serves: a.listeners.length > 0 || a.unknownPorts.length > 0 } : undefined,
    scripts: (a.packageJson?.scripts ?? []).map((sc) => ({
      dir: a.dir,
      name: sc.name,
      command: sc.command,
      location: { file: a.packageJson!.file, range: sc.innerRange },
    })),
    packageName: a.packageJson?.name,
  }),
);

/** What the compose model is computed from, besides the texts of the files it reads. */
interface ComposeModelInputs {
  files: readonly ComposeFileInfo[];
  apps: readonly App[];
  parts: ComposePart[];
  roots: readonly string[];
  rootScripts: ComposeInputScript[];
  rootPackages: (string | undefined)[];
}

/**
 * The last model computed for an index, with its inputs: an edit that changes a fact the model reads only a little
 * of (a port of a listener: the model reads whether an app serves at all) leaves the inputs as they were, and the
 * model is the same object (the engine's early cutoff then needs no fingerprint either).
 */
const lastModel = new WeakMap<WorkspaceView, { inputs: ComposeModelInputs; model: ComposeModel }>();

function computeComposeModel(index: WorkspaceView): ComposeModel {
  const rootScripts: ComposeInputScript[] = [];
  for (const r of index.monorepoRoots)
    for (const sc of r.pkg.scripts) rootScripts.push({ dir: r.dir, name: sc.name, command: sc.command, location: { file: r.pkg.file, range: sc.innerRange } });
  const inputs: ComposeModelInputs = {
    files: index.composeFiles,
    apps: index.apps,
    parts: index.apps.map(composePart),
    roots: index.roots,
    rootScripts,
    rootPackages: index.monorepoRoots.map((r) => r.pkg.name),
  };
  const last = lastModel.get(raw(index));
  if (last && sameInputs(last.inputs, inputs) && [...readTexts.get(last.model)!].every(([f, t]) => index.textOf(f) === t)) return last.model;
  const read = new Map<string, string | undefined>();
  const projects =
    index.composeFiles.length === 0
      ? []
      : composeProjects({
          files: inputs.files,
          textOf: (f) => {
            const t = index.textOf(f);
            read.set(f, t);
            return t;
          },
          apps: inputs.parts.flatMap((p) => (p.app ? [p.app] : [])),
          scripts: [...inputs.parts.flatMap((p) => p.scripts), ...rootScripts],
          rootNames: [...inputs.rootPackages, ...index.apps.filter((a) => index.roots.includes(a.dir)).map((a) => a.packageJson?.name)].filter(
            (n): n is string => !!n,
          ),
        });
  const services: ComposeModel['services'] = [];
  for (const project of projects) for (const variant of project.variants) for (const service of variant.services) services.push({ project, variant, service });
  const model = { projects, services };
  readTexts.set(model, read);
  lastModel.set(raw(index), { inputs, model });
  return model;
}

function sameArray<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i] || same(x, b[i]));
}

function sameRange(x: Range | undefined, y: Range | undefined): boolean {
  return (
    x === y ||
    (!!x && !!y && x.start.line === y.start.line && x.start.character === y.start.character && x.end.line === y.end.line && x.end.character === y.end.character)
  );
}

function sameScript(x: ComposeInputScript, y: ComposeInputScript): boolean {
  return (
    x.dir === y.dir && x.name === y.name && x.command === y.command && x.location?.file === y.location?.file && sameRange(x.location?.range, y.location?.range)
  );
}

function samePart(x: ComposePart, y: ComposePart): boolean {
  const app =
    x.app === y.app || (!!x.app && !!y.app && x.app.id === y.app.id && x.app.name === y.app.name && x.app.dir === y.app.dir && x.app.serves === y.app.serves);
  return app && x.packageName === y.packageName && sameArray(x.scripts, y.scripts, sameScript);
}

function sameInputs(a: ComposeModelInputs, b: ComposeModelInputs): boolean {
  const never = () => false;
  return (
    sameArray(a.files, b.files, never) &&
    // (an app's folder decides whether it is at a root)
    sameArray(a.apps, b.apps, (x, y) => x.dir === y.dir) &&
    sameArray(a.parts, b.parts, samePart) &&
    sameArray(a.roots, b.roots, (x, y) => x === y) &&
    sameArray(a.rootScripts, b.rootScripts, sameScript) &&
    sameArray(a.rootPackages, b.rootPackages, (x, y) => x === y)
  );
}

/** The app of a service, as an App of the index. */
export function serviceApp(index: WorkspaceView, s: ResolvedService): App | undefined {
  return s.app ? index.appById(s.app.id) : undefined;
}

/** Whether an app is a real program (a package or a Python project), not a folder that only holds an env file. */
function isProgram(app: App): boolean {
  return !!app.packageJson || app.framework === 'python' || app.listeners.length > 0;
}

/** Every app's env ports (the derived fact `envPorts`, small and stable: most env edits leave it as it was). */
export function allEnvPorts(index: WorkspaceView): Map<string, Map<number, string>> {
  return derived('envPorts', index, (ix) => new Map(ix.apps.map((a) => [a.id, envPorts(a)])));
}

/** The local ports an app's env files name (a local URL, or `*_PORT=n`), with the first place naming each (memoised per app). */
export const envPorts = perApp((app: App): Map<number, string> => {
  const out = new Map<number, string>();
  for (const f of app.envFiles) {
    for (const e of f.entries) {
      const v = e.expanded ?? e.value;
      const o = v.includes('://') ? originOf(v) : undefined;
      const port = o && o.local ? o.port : /PORT$/.test(e.key) && /^\d+$/.test(v.trim()) ? Number(v) : undefined;
      if (port !== undefined && !out.has(port)) out.set(port, `${e.key} in ${path.relative(app.dir, f.file) || f.name} names port ${port}`);
    }
  }
  return out;
});

/** How apps relate to a compose project. */
export interface ProjectUsers {
  /** Apps the project belongs to: the project's folder holds them (or is in theirs), or their script runs it. */
  home: Map<App, string>;
  /** `home`, and apps whose env files name a port the project publishes on localhost (`REDIS_PORT=6379`). */
  users: Map<App, string>;
  /** The project runs no workspace code (only images): infrastructure for apps that run on the host. */
  infraOnly: boolean;
}

/**
 * Apps that use a compose project while they run on the host, with the evidence (for messages). Only real
 * programs count (a folder holding nothing but an env file is not one).
 */
export function projectUsers(index: WorkspaceView, project: ComposeProject): ProjectUsers {
  // One lazily filled cache per state of the workspace: only the projects a rule asks about are computed.
  const state = derived('composeUsers', index, () => ({
    cache: new Map<ComposeProject, ProjectUsers>(),
    programs: undefined as Programs | undefined,
    byPort: undefined as Map<number, App[]> | undefined,
  }));
  let u = state.cache.get(project);
  if (!u) {
    u = asDerived('composeUsers', () => {
      state.programs ??= programsOf(index.apps.filter(isProgram));
      const ports = allEnvPorts(index);
      return computeProjectUsers(index, project, state.programs, ports, () => (state.byPort ??= portIndex(state.programs!.list, ports, index.apps)));
    });
    state.cache.set(project, u);
  }
  return u;
}

/**
 * The programs of one state, indexed by folder: a project's apps are found by looking its folder and the folders
 * above it up, and the folders below it in the sorted list, instead of testing every program against every project.
 */
interface Programs {
  list: App[];
  /** Position of each program in `list` (app order: the order of every map built from them). */
  position: Map<App, number>;
  /** Folder -> the programs in it. */
  byDir: Map<string, App[]>;
  /** The programs sorted by folder (code unit order), and their folders. */
  sorted: App[];
  dirs: string[];
}

function programsOf(list: App[]): Programs {
  const position = new Map<App, number>();
  const byDir = new Map<string, App[]>();
  list.forEach((a, i) => {
    position.set(a, i);
    const l = byDir.get(a.dir);
    if (l) l.push(a);
    else byDir.set(a.dir, [a]);
  });
  // (the order by folder of the last list when its folders are the same, in the same order: an edit re-derives apps in place)
  const listDirs = list.map((a) => a.dir);
  let order = lastOrder?.dirs.length === listDirs.length && lastOrder.dirs.every((d, i) => d === listDirs[i]) ? lastOrder.order : undefined;
  if (!order) {
    order = listDirs.map((_, i) => i).sort((i, j) => (listDirs[i] < listDirs[j] ? -1 : listDirs[i] > listDirs[j] ? 1 : 0));
    lastOrder = { dirs: listDirs, order };
  }
  const sorted = order.map((i) => list[i]);
  return { list, position, byDir, sorted, dirs: sorted.map((a) => a.dir) };
}
let lastOrder: { dirs: string[]; order: number[] } | undefined;

/** Programs whose folder is `dir` or below it (`within(dir, app.dir)`), in no particular order. */
function programsUnder(p: Programs, dir: string): App[] {
  // Every folder that starts with `dir` is in one run of the sorted list, from the first one not below `dir`.
  let lo = 0;
  let hi = p.dirs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (p.dirs[mid] < dir) lo = mid + 1;
    else hi = mid;
  }
  const out: App[] = [];
  const below = dir + path.sep;
  for (let i = lo; i < p.dirs.length && p.dirs[i].startsWith(dir); i++) if (p.dirs[i] === dir || p.dirs[i].startsWith(below)) out.push(p.sorted[i]);
  return out;
}

/** Programs whose folder holds `dir` strictly (`dir` starts with the program's folder and a separator). */
function programsAbove(p: Programs, dir: string): App[] {
  const out: App[] = [];
  for (let i = dir.indexOf(path.sep); i >= 0; i = dir.indexOf(path.sep, i + 1)) for (const a of p.byDir.get(dir.slice(0, i)) ?? []) out.push(a);
  return out;
}

/** Local port -> the programs whose env files name it, in app order. */
function portIndex(programs: App[], ports: Map<string, Map<number, string>>, apps: readonly App[]): Map<number, App[]> {
  const mine = programs.map((a) => ports.get(a.id));
  const last = lastPortIndex;
  // (the programs re-derived, or whose env ports changed)
  const changed = last ? replacedPositions(last.list, programs, (i) => programs[i] === last.list[i] && mine[i] === last.ports[i]) : undefined;
  let out: Map<number, App[]>;
  if (last && changed) {
    // Only the re-derived programs' ports change: new lists for those, the others shared.
    out = new Map(last.value);
    const position = positionsById(apps);
    const pairs = (a: App, p: Map<number, string> | undefined) => [...(p?.keys() ?? [])].map((port) => [port, a] as const);
    for (const i of changed) {
      const neu = programs[i];
      replaceItems(out, (a) => a, last.list[i], pairs(last.list[i], last.ports[i]), pairs(neu, mine[i]), position.get(neu.id)!, position);
    }
  } else {
    out = new Map<number, App[]>();
    for (let i = 0; i < programs.length; i++) for (const port of mine[i]?.keys() ?? []) pushTo(out, port, programs[i]);
  }
  if (!checking()) lastPortIndex = { list: programs, ports: mine, value: out };
  return out;
}
let lastPortIndex: { list: App[]; ports: (Map<number, string> | undefined)[]; value: Map<number, App[]> } | undefined;

function computeProjectUsers(
  index: WorkspaceView,
  project: ComposeProject,
  programs: Programs,
  envPortsOf: Map<string, Map<number, string>>,
  byPort: () => Map<number, App[]>,
): ProjectUsers {
  const home = new Map<App, string>();
  const users = new Map<App, string>();
  const ports = new Set<number>();
  let infraOnly = true;
  for (const v of project.variants)
    for (const s of v.services) {
      if (s.app || s.buildsWorkspace) infraOnly = false;
      else for (const p of s.ports) ports.add(p.host);
    }
  const inAppOrder = (apps: Iterable<App>): App[] => [...apps].sort((a, b) => programs.position.get(a)! - programs.position.get(b)!);
  const within = (dir: string, p: string) => p === dir || p.startsWith(dir + path.sep);
  const startedBy = new Map<string, { script: { name: string } }>();
  for (const v of project.variants) for (const inv of v.startedBy) if (!startedBy.has(inv.script.dir)) startedBy.set(inv.script.dir, inv);
  // The apps in the project's folder or holding it, and those a script of theirs runs it from, in app order.
  const byFolder = new Set<App>([...programsUnder(programs, project.dir), ...programsAbove(programs, project.dir)]);
  const candidates = new Set<App>(byFolder);
  for (const dir of startedBy.keys()) for (const app of programs.byDir.get(dir) ?? []) candidates.add(app);
  for (const app of inAppOrder(candidates)) {
    if (byFolder.has(app)) home.set(app, within(app.dir, project.dir) ? `the compose file is in its folder` : `it is in the project's folder`);
    else home.set(app, `its script "${startedBy.get(app.dir)!.script.name}" runs it`);
  }
  for (const [a, w] of home) users.set(a, w);
  // A monorepo root's script that runs the project (`"dx": "docker compose -f docker/dev/compose.yml up -d"`) runs it for every app of the monorepo.
  const rootRun = project.variants.flatMap((v) => v.startedBy).find((inv) => index.monorepoRoots.some((r) => r.dir === inv.script.dir));
  if (rootRun) {
    for (const app of inAppOrder(programsUnder(programs, rootRun.script.dir)))
      if (!users.has(app)) users.set(app, `script "${rootRun.script.name}" of the monorepo root runs it`);
  }
  if (ports.size > 0) {
    // Apps whose env names a published port, in app order, each with the first place naming one.
    const named = new Set<App>();
    for (const port of ports) for (const app of byPort().get(port) ?? []) if (!users.has(app)) named.add(app);
    for (const app of inAppOrder(named)) {
      for (const [port, why] of envPortsOf.get(app.id) ?? []) {
        if (ports.has(port)) {
          users.set(app, why);
          break;
        }
      }
    }
  }
  return { home, users, infraOnly };
}

/**
 * Env files that compose services load with `env_file:` and no host process is seen to load (the derived fact
 * `containerEnv`): container environments, not the configuration of an app running on this machine.
 *
 * - In a service's `env_file:` list later files override earlier ones, and `environment:` overrides them all
 *   (https://docs.docker.com/compose/how-tos/environment-variables/envvars-precedence/): the files are layers of one
 *   environment, and only the value that wins reaches the container.
 * - Each way of running a project (a compose variant: the default files, a script's `-f` list, an alternative file
 *   run alone) is a deployment of its own, and separate projects are separate networks: a value reaches the
 *   environment of one variant, never a shared one.
 */
export interface ContainerEnv {
  /** Absolute paths of the env files only containers read. */
  containerOnly: Set<string>;
  /** `file\0line` of an entry of those files -> the environments (variant ids) whose services get their value from it. */
  effective: Map<string, string[]>;
  /** Environment (variant) id -> how messages name it (`the containers of docker-compose-multi.yaml`). */
  labels: Map<string, string>;
}

/** Env files tools load by default from the folder a process runs in: `.env`, `.env.local`, `.env.<mode>[.local]`. */
function loadedByDefault(name: string): boolean {
  if (!name.startsWith('.env')) return false;
  const c = classifyEnvFile(name);
  return !!c && c.kind === 'live' && ['default', 'development', 'production', 'test', 'staging'].includes(c.mode);
}

export function containerEnv(index: WorkspaceView): ContainerEnv {
  const value = derived(
    'containerEnv',
    index,
    (ix) => keepSame(ix, computeContainerEnv(ix)),
    (v) => containerModels.get(v) === composeModel(index),
  );
  return value;
}

/**
 * The previous value when the new one has the same content (in the same order): per-app memos keyed by it (parsedOf)
 * stay valid, and the engine's early cutoff needs no fingerprint.
 */
const lastEnv = new WeakMap<WorkspaceView, ContainerEnv>();
function keepSame(index: WorkspaceView, v: ContainerEnv): ContainerEnv {
  const last = lastEnv.get(raw(index));
  if (last && sameEnv(last, v)) {
    containerModels.set(last, containerModels.get(v)!);
    return last;
  }
  lastEnv.set(raw(index), v);
  return v;
}

function sameEnv(a: ContainerEnv, b: ContainerEnv): boolean {
  const same = <T>(x: Iterable<T>, y: Iterable<T>, eq: (p: T, q: T) => boolean) => {
    const xs = [...x];
    const ys = [...y];
    return xs.length === ys.length && xs.every((p, i) => eq(p, ys[i]));
  };
  return (
    same(a.containerOnly, b.containerOnly, (p, q) => p === q) &&
    same(a.effective, b.effective, (p, q) => p[0] === q[0] && same(p[1], q[1], (m, n) => m === n)) &&
    same(a.labels, b.labels, (p, q) => p[0] === q[0] && p[1] === q[1])
  );
}

const containerModels = new WeakMap<ContainerEnv, ComposeModel>();

function computeContainerEnv(index: WorkspaceView): ContainerEnv {
  const model = composeModel(index);
  const out: ContainerEnv = { containerOnly: new Set(), effective: new Map(), labels: new Map() };
  containerModels.set(out, model);
  if (model.services.length === 0) return out;
  const consumed = new Set<string>();
  for (const { service } of model.services) for (const f of service.envFiles) consumed.add(path.resolve(f.file));
  if (consumed.size === 0) return out;
  const hostLoaded = hostLoadedAmong(index, consumed);
  for (const f of consumed) if (!hostLoaded.has(f)) out.containerOnly.add(f);
  if (out.containerOnly.size === 0) return out;
  const variantIds = new Map<ComposeVariant, string>();
  for (const project of model.projects)
    project.variants.forEach((v, i) => {
      const id = `${project.dir}\0${project.name}\0${i}`;
      variantIds.set(v, id);
      const first = path.basename(v.files[0]?.file ?? 'compose.yaml');
      out.labels.set(id, `the containers of ${v.files.length > 1 ? `${first} + ${v.files.length - 1} more` : first}`);
    });
  for (const { variant, service } of model.services) {
    const id = variantIds.get(variant)!;
    // The entry that supplies each key to this container: the last file that sets it, unless `environment:` does.
    const supplier = new Map<string, { file: string; line: number }>();
    for (const f of service.envFiles) for (const e of f.entries) supplier.set(e.key, { file: path.resolve(f.file), line: e.location.range.start.line });
    for (const e of service.environment) supplier.delete(e.key);
    for (const s of supplier.values()) {
      if (!out.containerOnly.has(s.file)) continue;
      const k = `${s.file}\0${s.line}`;
      const list = out.effective.get(k);
      if (!list) out.effective.set(k, [id]);
      else if (!list.includes(id)) list.push(id);
    }
  }
  return out;
}

/**
 * Which of `files` a process on the host is seen to load: a default name (`.env`, `.env.local`, `.env.<mode>`) in
 * the folder of a program (not a folder that only holds env files), a monorepo root or a workspace root, or above a Python app (python-dotenv searches the
 * parent folders); a file a script loads (`dotenv -e`, `env-cmd -f`, `node --env-file`); a path code passes to
 * dotenv, or names in a string (`env_file="../.env"`, `load_dotenv("../deploy/app.env")`).
 */
function hostLoadedAmong(index: WorkspaceView, files: Set<string>): Set<string> {
  const out = new Set<string>();
  const runDirs = new Set<string>([...index.roots.map((r) => path.resolve(r)), ...index.monorepoRoots.map((r) => path.resolve(r.dir))]);
  for (const a of index.apps) if (isProgram(a)) runDirs.add(path.resolve(a.dir));
  const pythonDirs = index.apps.filter((a) => a.framework === 'python').map((a) => path.resolve(a.dir));
  for (const f of files) {
    if (!loadedByDefault(path.basename(f))) continue;
    const dir = path.dirname(f);
    if (runDirs.has(dir) || pythonDirs.some((p) => p.startsWith(dir + path.sep))) out.add(f);
  }
  const note = (base: string, p: string) => {
    const abs = path.resolve(base, p);
    if (files.has(abs)) out.add(abs);
  };
  const scripts: { dir: string; command: string }[] = [];
  for (const a of index.apps) for (const s of a.packageJson?.scripts ?? []) scripts.push({ dir: a.dir, command: s.command });
  for (const r of index.monorepoRoots) for (const s of r.pkg.scripts) scripts.push({ dir: r.dir, command: s.command });
  for (const s of scripts) {
    if (!/env/i.test(s.command)) continue;
    for (const a of analyzeCommand(s.command)) for (const f of a.envFiles) note(s.dir, f);
  }
  const rest = [...files].filter((f) => !out.has(f));
  if (rest.length === 0) return out;
  const names = [...new Set(rest.map((f) => path.basename(f)))];
  const literal = new RegExp(`["'\`]([^"'\`\\n]{0,200}?(?:${names.map(escapeRe).join('|')}))["'\`]`, 'g');
  for (const a of index.apps)
    for (const c of a.code) {
      for (const p of c.dotenvPaths) note(a.dir, p);
      if (!names.some((n) => c.text.includes(`${n}"`) || c.text.includes(`${n}'`) || c.text.includes(`${n}\``))) continue;
      for (const m of c.text.matchAll(literal)) {
        note(a.dir, m[1]);
        note(path.dirname(c.file), m[1]);
      }
    }
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
