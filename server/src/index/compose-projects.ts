/**
 * Compose projects: which compose files Docker Compose reads together, under which project name, with which
 * variables, and which workspace app each service runs. Pure: the caller hands in the parsed compose files, a
 * way to read other files' text (a project's `.env`, a service's `env_file`) and the workspace's apps and scripts.
 *
 * Compose's model (https://docs.docker.com/compose/): a project is named by `-p`, `COMPOSE_PROJECT_NAME`, the
 * top-level `name:` or the project directory's name (the folder of the first compose file); containers are
 * `<project>-<service>-N`, so the same service name in the same project is the same container whichever file
 * defines it (`up` with another file recreates it). `docker compose` in a folder reads `compose.yaml` (or
 * `compose.yml`, `docker-compose.yaml`, `docker-compose.yml`) merged with its `*.override.y(a)ml`, or the files of
 * `COMPOSE_FILE`, or those given with `-f` (merged in order). `include:` adds another file's services.
 * Variables are interpolated from the project directory's `.env` (the shell's environment is unknown here).
 */
import * as path from 'node:path';
import type { ComposeFileInfo, ComposeService, Location, Range } from '../model/types';
import { DEFAULT_COMPOSE_FILES, interpolate, isOverrideFile, resolvePort, type PortBinding } from '../parsers/compose';
import { parseEnv } from '../parsers/env';
import { tokenize } from '../parsers/scripts';

export interface ComposeInputApp {
  id: string;
  name: string;
  dir: string;
  /** It runs a server (a known or unknown port): only such an app can be the one an image named after the workspace runs. */
  serves?: boolean;
}

export interface ComposeInputScript {
  /** The folder the script runs in (its package.json's folder). */
  dir: string;
  name: string;
  command: string;
  location?: Location;
}

export interface ComposeInput {
  files: readonly ComposeFileInfo[];
  /** Text of a file of the workspace (a `.env`, an `env_file`), or undefined. */
  textOf(file: string): string | undefined;
  apps: readonly ComposeInputApp[];
  /** package.json scripts of apps and monorepo roots (Makefiles are not read). */
  scripts: readonly ComposeInputScript[];
  /** The product's names: package names of monorepo roots and of apps at a workspace root (its images are named after them). */
  rootNames?: readonly string[];
}

/** A `docker compose` command in a script: the files it names (absolute), its project name and profiles. */
export interface ComposeInvocation {
  script: ComposeInputScript;
  files: string[];
  projectName?: string;
  profiles: string[];
  /** `up`, `run`, `start`, ... (undefined when none is recognised). */
  command?: string;
}

export interface ResolvedPort extends PortBinding {
  file: string;
  range: Range;
}

export interface ResolvedValue {
  key: string;
  /** Interpolated; undefined when it depends on a variable that is not set (or `KEY` alone: from the shell). */
  value?: string;
  location: Location;
}

/** One service as one variant of its project runs it (definitions of every file of the variant merged). */
export interface ResolvedService {
  name: string;
  /** Project name + service name: the container's identity. */
  key: string;
  project: ComposeProject;
  /** The definitions merged into it, in file order. */
  definitions: ComposeService[];
  ports: ResolvedPort[];
  /** Port entries whose value is unknown (an unset variable): never compared. */
  unknownPorts: { file: string; range: Range }[];
  profiles: string[];
  /** The workspace app the service runs (it builds the app's folder or Dockerfile, or runs the image its scripts build). */
  app?: ComposeInputApp;
  /** Why it is that app, for messages. */
  appReason?: string;
  /** It builds code of the workspace (a `build:` context inside the workspace). */
  buildsWorkspace: boolean;
  /** `environment:` entries, interpolated (later definitions win). */
  environment: ResolvedValue[];
  /** `env_file:` files (absolute) with the entries read from them (none when the file is absent). */
  envFiles: { file: string; required: boolean; location: Location; entries: ResolvedValue[] }[];
}

/** A set of files Compose reads together, and how it comes to read them. */
export interface ComposeVariant {
  files: ComposeFileInfo[];
  /** `docker compose` in the folder, `COMPOSE_FILE`, a script's `-f` list, or one file alone (an alternative). */
  how: 'default' | 'COMPOSE_FILE' | 'script' | 'alone';
  /** Scripts that run this variant. */
  startedBy: ComposeInvocation[];
  services: ResolvedService[];
}

export interface ComposeProject {
  /** Compose's project name (lower case). */
  name: string;
  nameSource: 'name' | 'COMPOSE_PROJECT_NAME' | '-p' | 'folder';
  /** Project directory (the folder of the first compose file). */
  dir: string;
  /** The `.env` of the project directory, when there is one. */
  envFile?: string;
  env: Map<string, string>;
  /** `COMPOSE_PROFILES` from `.env`. */
  enabledProfiles: string[];
  variants: ComposeVariant[];
}

const COMPOSE_SUBCOMMANDS = new Set([
  'up',
  'run',
  'start',
  'create',
  'restart',
  'watch',
  'build',
  'pull',
  'down',
  'stop',
  'exec',
  'logs',
  'ps',
  'config',
  'rm',
  'kill',
]);

/** The `docker compose` / `docker-compose` commands of a script, with the files and options they name. */
export function composeInvocations(script: ComposeInputScript): ComposeInvocation[] {
  if (!/docker[- ]compose/.test(script.command)) return [];
  const out: ComposeInvocation[] = [];
  for (const seg of tokenize(script.command)) {
    const words = seg.map((t) => t.text);
    let i = words.findIndex((w, k) => w === 'docker-compose' || (w === 'docker' && words[k + 1] === 'compose'));
    if (i === -1) continue;
    i += words[i] === 'docker' ? 2 : 1;
    const inv: ComposeInvocation = { script, files: [], profiles: [] };
    for (; i < words.length; i++) {
      const w = words[i];
      const eq = /^(--[\w-]+)=(.*)$/.exec(w);
      const flag = eq ? eq[1] : w;
      const value = () => (eq ? eq[2] : words[++i]);
      if (flag === '-f' || flag === '--file') {
        const v = value();
        if (v) inv.files.push(path.resolve(script.dir, v));
      } else if (flag === '-p' || flag === '--project-name') inv.projectName = value()?.toLowerCase();
      else if (flag === '--profile') {
        const v = value();
        if (v) inv.profiles.push(v);
      } else if (flag === '--env-file' || flag === '--project-directory' || flag === '--ansi' || flag === '--progress' || flag === '--parallel') value();
      else if (!w.startsWith('-') && COMPOSE_SUBCOMMANDS.has(w)) {
        inv.command = w;
        break;
      }
    }
    out.push(inv);
  }
  return out;
}

/** Compose's normalisation of a project name: lower case, only `a-z0-9_-`, starting with a letter or digit. */
function normaliseName(n: string): string {
  return n
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[^a-z0-9]+/, '');
}

/** `KEY=value` pairs of an env file as Compose reads it (dotenv syntax), with locations. */
function readEnvFile(textOf: (f: string) => string | undefined, file: string): { key: string; value: string; location: Location }[] | undefined {
  const text = textOf(file);
  if (text === undefined) return undefined;
  try {
    return parseEnv(text, file).entries.map((e) => ({ key: e.key, value: e.value, location: { file, range: e.range } }));
  } catch {
    return [];
  }
}

function within(dir: string, p: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/** The app whose folder holds `p` (the deepest), if any. */
function appHolding(apps: readonly ComposeInputApp[], p: string): ComposeInputApp | undefined {
  let best: ComposeInputApp | undefined;
  for (const a of apps) if (within(a.dir, p) && (!best || a.dir.length > best.dir.length)) best = a;
  return best;
}

/** Images a script builds: `docker build -t NAME`, `docker buildx build --tag NAME` (repository without tag). */
function builtImages(command: string): string[] {
  if (!/docker\s+(buildx\s+)?build/.test(command)) return [];
  const out: string[] = [];
  for (const seg of tokenize(command)) {
    const w = seg.map((t) => t.text);
    if (!(w.includes('docker') && w.includes('build'))) continue;
    for (let i = 0; i < w.length; i++) {
      const m = /^(?:-t|--tag)(?:=(.+))?$/.exec(w[i]);
      if (m) {
        const v = m[1] ?? w[i + 1];
        if (v) out.push(imageRepo(v));
      }
    }
  }
  return out;
}

function imageRepo(image: string): string {
  const noDigest = image.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return (colon > slash ? noDigest.slice(0, colon) : noDigest).toLowerCase();
}

/**
 * The compose projects of the workspace. Linear in the files, services and scripts (apps are looked up per
 * service by folder: services × apps, both small in practice; the caller memoises).
 */
export function composeProjects(input: ComposeInput): ComposeProject[] {
  const byFile = new Map(input.files.filter((f) => f.isCompose !== false).map((f) => [path.resolve(f.file), f]));
  const byDir = new Map<string, ComposeFileInfo[]>();
  for (const f of byFile.values()) {
    const d = path.dirname(path.resolve(f.file));
    const list = byDir.get(d) ?? [];
    list.push(f);
    byDir.set(d, list);
  }
  const invocations = input.scripts.flatMap(composeInvocations);
  const imageApps = imagesBuiltByApps(input);

  const projects = new Map<string, ComposeProject>();
  const projectOf = projectFinder(input, projects);

  const used = new Set<ComposeFileInfo>();
  const withIncludes = (files: ComposeFileInfo[]) => includedFirst(files, byFile);

  // 1. Scripts that name files with -f: the files they merge, in their project (the first file's folder).
  const scriptVariants = scriptFileLists(invocations, byFile, projectOf);
  const variants: { project: ComposeProject; files: ComposeFileInfo[]; how: ComposeVariant['how']; startedBy: ComposeInvocation[] }[] = [];
  for (const v of scriptVariants.values()) {
    variants.push({ ...v, files: withIncludes(v.files), how: 'script' });
    for (const f of v.files) used.add(f);
  }

  // 2. Each folder: the default files (or COMPOSE_FILE), then every other file alone (an alternative way to run the project).
  for (const [dir, files] of [...byDir].sort((a, b) => a[0].localeCompare(b[0]))) {
    files.sort((a, b) => a.file.localeCompare(b.file));
    const { defaults, how } = defaultFiles(dir, files, input, byFile);
    // Scripts that run `docker compose up` in this folder without -f run the default files.
    const plain = invocations.filter((inv) => inv.files.length === 0 && inv.script.dir === dir);
    // A script's `-f` list that is the default files themselves runs the default variant.
    const same = variants.find((v) => v.how === 'script' && v.files.length === defaults.length && v.files.every((f, k) => f === defaults[k]));
    const folderProject = defaults.length ? projectOf(dir, defaults[0], plain.find((p) => p.projectName)?.projectName) : undefined;
    if (same) same.startedBy.push(...plain);
    else if (defaults.length) {
      variants.push({ project: folderProject!, files: withIncludes(defaults), how, startedBy: plain });
      for (const f of defaults) used.add(f);
    }
    for (const f of files) {
      if (used.has(f) || isOverrideFile(path.basename(f.file))) continue;
      // Included by another file of the folder: part of that file's variant, not run alone.
      if (files.some((g) => g !== f && g.includes.some((inc) => path.resolve(dir, inc) === path.resolve(f.file)))) continue;
      // Another way to run the folder's project (the same services), unless the file names a project of its own.
      variants.push({
        project: f.name === undefined && folderProject ? folderProject : projectOf(dir, f),
        files: withIncludes([f]),
        how: 'alone',
        startedBy: [],
      });
    }
    // An override file with no default file beside it is only ever merged by -f lists (handled above) or run alone.
    for (const f of files)
      if (!used.has(f) && isOverrideFile(path.basename(f.file)) && defaults.length === 0)
        variants.push({ project: projectOf(dir, f), files: [f], how: 'alone', startedBy: [] });
  }

  for (const v of variants) {
    const variant: ComposeVariant = { files: v.files, how: v.how, startedBy: v.startedBy, services: [] };
    const merged = new Map<string, ComposeService[]>();
    for (const f of v.files)
      for (const s of f.services) {
        const list = merged.get(s.name) ?? [];
        list.push(s);
        merged.set(s.name, list);
      }
    for (const [name, defs] of merged) variant.services.push(resolveService(v.project, name, defs, input, imageApps));
    v.project.variants.push(variant);
  }
  for (const p of projects.values()) shareServiceApps(p);
  return [...projects.values()].filter((p) => p.variants.length > 0).sort((a, b) => a.dir.localeCompare(b.dir) || a.name.localeCompare(b.name));
}

/** The file lists scripts name with -f, each in its project (the first file's folder), with the scripts that run it; all files must be known. */
function scriptFileLists(
  invocations: ComposeInvocation[],
  byFile: ReadonlyMap<string, ComposeFileInfo>,
  projectOf: (dir: string, first: ComposeFileInfo, explicitName?: string) => ComposeProject,
): Map<string, { project: ComposeProject; files: ComposeFileInfo[]; startedBy: ComposeInvocation[] }> {
  const scriptVariants = new Map<string, { project: ComposeProject; files: ComposeFileInfo[]; startedBy: ComposeInvocation[] }>();
  for (const inv of invocations) {
    const files = inv.files.map((f) => byFile.get(f)).filter((f): f is ComposeFileInfo => !!f);
    if (files.length === 0 || files.length !== inv.files.length) continue;
    const dir = path.dirname(path.resolve(files[0].file));
    const project = projectOf(dir, files[0], inv.projectName);
    const key = `${project.name}\0${project.dir}\0${files.map((f) => f.file).join('\0')}`;
    const v = scriptVariants.get(key) ?? { project, files, startedBy: [] };
    v.startedBy.push(inv);
    scriptVariants.set(key, v);
  }
  return scriptVariants;
}

/** The project `docker compose` runs a folder's files as (-p, COMPOSE_PROJECT_NAME, the first file's `name:`, the folder), one per name and folder in `projects`. */
function projectFinder(
  input: ComposeInput,
  projects: Map<string, ComposeProject>,
): (dir: string, first: ComposeFileInfo, explicitName?: string) => ComposeProject {
  return (dir: string, first: ComposeFileInfo, explicitName?: string): ComposeProject => {
    const envFile = path.join(dir, '.env');
    const entries = readEnvFile(input.textOf, envFile);
    const env = new Map<string, string>();
    for (const e of entries ?? []) env.set(e.key, e.value);
    let name: string;
    let nameSource: ComposeProject['nameSource'];
    const fromFile = first.name !== undefined ? interpolate(first.name, (k) => env.get(k)) : undefined;
    if (explicitName) [name, nameSource] = [explicitName, '-p'];
    else if (env.get('COMPOSE_PROJECT_NAME')) [name, nameSource] = [env.get('COMPOSE_PROJECT_NAME')!, 'COMPOSE_PROJECT_NAME'];
    else if (fromFile) [name, nameSource] = [fromFile, 'name'];
    else [name, nameSource] = [path.basename(dir), 'folder'];
    name = normaliseName(name) || normaliseName(path.basename(dir)) || 'default';
    // One project per name and folder: the same name in two folders is one project for Docker (same containers).
    const key = `${name}\0${dir}`;
    let p = projects.get(key);
    if (!p) {
      p = {
        name,
        nameSource,
        dir,
        envFile: entries ? envFile : undefined,
        env,
        enabledProfiles: (env.get('COMPOSE_PROFILES') ?? '')
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
        variants: [],
      };
      projects.set(key, p);
    }
    return p;
  };
}

/** Which app builds each image a script builds (`docker build -t NAME`): the first script's app wins. */
function imagesBuiltByApps(input: ComposeInput): Map<string, { app: ComposeInputApp; script: ComposeInputScript }> {
  const imageApps = new Map<string, { app: ComposeInputApp; script: ComposeInputScript }>();
  for (const s of input.scripts) {
    const images = builtImages(s.command);
    if (!images.length) continue;
    const app = appHolding(input.apps, s.dir);
    if (!app) continue;
    for (const img of images) if (!imageApps.has(img)) imageApps.set(img, { app, script: s });
  }
  return imageApps;
}

/** `files` with the files they `include:` (found in the workspace) before each of them, once each. */
function includedFirst(files: ComposeFileInfo[], byFile: ReadonlyMap<string, ComposeFileInfo>): ComposeFileInfo[] {
  const out: ComposeFileInfo[] = [];
  const seen = new Set<ComposeFileInfo>();
  const visit = (f: ComposeFileInfo, depth: number) => {
    if (seen.has(f) || depth > 8) return;
    seen.add(f);
    for (const inc of f.includes) {
      const target = byFile.get(path.resolve(path.dirname(f.file), inc));
      if (target) visit(target, depth + 1);
    }
    out.push(f);
  };
  for (const f of files) visit(f, 0);
  return out;
}

/** The files `docker compose` reads in a folder without -f: COMPOSE_FILE of the folder's .env, else the default file and its override. */
function defaultFiles(
  dir: string,
  files: ComposeFileInfo[],
  input: ComposeInput,
  byFile: ReadonlyMap<string, ComposeFileInfo>,
): { defaults: ComposeFileInfo[]; how: ComposeVariant['how'] } {
  const envEntries = readEnvFile(input.textOf, path.join(dir, '.env'));
  const composeFileVar = envEntries?.find((e) => e.key === 'COMPOSE_FILE')?.value;
  if (composeFileVar) {
    const sep = envEntries?.find((e) => e.key === 'COMPOSE_PATH_SEPARATOR')?.value || (composeFileVar.includes(';') ? ';' : ':');
    const listed = composeFileVar.split(sep).map((x) => byFile.get(path.resolve(dir, x.trim())));
    if (listed.length > 0 && listed.every((x) => !!x)) return { defaults: listed as ComposeFileInfo[], how: 'COMPOSE_FILE' };
  }
  const base = (n: string) => files.find((f) => path.basename(f.file) === n);
  const main = DEFAULT_COMPOSE_FILES.map(base).find((f) => !!f);
  if (!main) return { defaults: [], how: 'default' };
  const defaults = [main];
  const stem = path.basename(main.file).replace(/\.ya?ml$/, '');
  const override =
    files.find((f) => isOverrideFile(path.basename(f.file)) && path.basename(f.file).startsWith(`${stem}.override.`)) ??
    files.find((f) => isOverrideFile(path.basename(f.file)));
  if (override) defaults.push(override);
  return { defaults, how: 'default' };
}

/**
 * The same service name in one project is one container, however each file runs it: what one file shows it
 * runs (a `build:` of an app) holds for the file that pulls the published image instead.
 */
function shareServiceApps(p: ComposeProject): void {
  const known = new Map<string, ResolvedService>();
  for (const v of p.variants) for (const s of v.services) if ((s.app || s.buildsWorkspace) && !known.get(s.name)?.app) known.set(s.name, s);
  for (const v of p.variants)
    for (const s of v.services) {
      const k = known.get(s.name);
      if (!k || k === s || s.app) continue;
      s.buildsWorkspace = true;
      [s.app, s.appReason] = [k.app, k.appReason];
    }
}

/** The app a service builds (`build:`): the app holding its Dockerfile or its context, else the one named like it in a wider context. */
function buildApp(
  svc: ResolvedService,
  last: ComposeService,
  build: NonNullable<ComposeService['build']>,
  project: ComposeProject,
  input: ComposeInput,
  lookup: (k: string) => string | undefined,
): void {
  const ctxRaw = build.context === undefined ? '.' : interpolate(build.context, lookup);
  if (ctxRaw !== undefined && !/^[a-z]+:\/\//i.test(ctxRaw) && !ctxRaw.startsWith('git@')) {
    const ctx = path.resolve(path.dirname(last.file), ctxRaw);
    svc.buildsWorkspace = input.apps.map((a) => a.dir).some((r) => within(ctx, r) || within(r, ctx)) || within(project.dir, ctx) || within(ctx, project.dir);
    const dfRaw = build.dockerfile === undefined ? undefined : interpolate(build.dockerfile, lookup);
    const dockerfile = dfRaw === undefined ? undefined : path.resolve(ctx, dfRaw);
    const byDockerfile = dockerfile ? appHolding(input.apps, path.dirname(dockerfile)) : undefined;
    const byContext = appHolding(input.apps, ctx);
    const rel = (p: string) => path.relative(project.dir, p) || '.';
    if (byDockerfile && (!byContext || byDockerfile.dir.length >= byContext.dir.length)) {
      [svc.app, svc.appReason] = [byDockerfile, `it builds ${rel(dockerfile!)}`];
    } else if (byContext) {
      [svc.app, svc.appReason] = [byContext, `it builds ${rel(ctx)}`];
    } else {
      // A context above the apps (a monorepo root with a multi-stage Dockerfile): the app named like the service or its target.
      const names = [svc.name, build.target].filter((x): x is string => !!x).map((x) => x.toLowerCase());
      const hit = input.apps.filter(
        (a) => within(ctx, a.dir) && names.some((n) => n === path.basename(a.dir).toLowerCase() || n === a.name.replace(/^@[^/]+\//, '').toLowerCase()),
      );
      if (hit.length === 1)
        [svc.app, svc.appReason] = [hit[0], `it builds the workspace and is named like ${path.relative(project.dir, hit[0].dir) || hit[0].name}`];
    }
  }
}

function resolveService(
  project: ComposeProject,
  name: string,
  defs: ComposeService[],
  input: ComposeInput,
  imageApps: Map<string, { app: ComposeInputApp; script: ComposeInputScript }>,
): ResolvedService {
  const lookup = (k: string) => project.env.get(k);
  const svc: ResolvedService = {
    name,
    key: `${project.name}\0${name}`,
    project,
    definitions: defs,
    ports: [],
    unknownPorts: [],
    profiles: [],
    buildsWorkspace: false,
    environment: [],
    envFiles: [],
  };
  // Merging (https://docs.docker.com/reference/compose-file/merge/): `ports` of later files are appended,
  // `profiles`, `image`, `build` are replaced, `environment` merged by key.
  const seenPorts = new Set<string>();
  const env = new Map<string, ResolvedValue>();
  for (const d of defs) {
    for (const raw of d.rawPorts) {
      const bindings = resolvePort(raw, lookup);
      if (bindings === undefined) {
        svc.unknownPorts.push({ file: d.file, range: raw.range });
        continue;
      }
      for (const b of bindings) {
        const k = `${b.hostIp ?? ''}\0${b.host}\0${b.protocol}`;
        if (seenPorts.has(k)) continue;
        seenPorts.add(k);
        svc.ports.push({ ...b, file: d.file, range: raw.range });
      }
    }
    if (d.profiles.length) svc.profiles = d.profiles.map((p) => interpolate(p, lookup) ?? p);
    for (const e of d.environment) {
      env.set(e.key, { key: e.key, value: e.value === undefined ? undefined : interpolate(e.value, lookup), location: { file: d.file, range: e.range } });
    }
    for (const ef of d.envFiles) {
      const p = interpolate(ef.path, lookup);
      if (p === undefined) continue;
      const file = path.resolve(path.dirname(d.file), p);
      const entries = (readEnvFile(input.textOf, file) ?? []).map((e) => ({ key: e.key, value: e.value, location: e.location }));
      svc.envFiles.push({ file, required: ef.required, location: { file: d.file, range: ef.range }, entries });
    }
  }
  svc.environment = [...env.values()];
  // Which app it runs: the last definition with `build:` or `image:` decides.
  const last = [...defs].reverse().find((d) => d.build || d.image);
  if (last?.build) buildApp(svc, last, last.build, project, input, lookup);
  else if (last?.image) {
    const img = interpolate(last.image, lookup);
    const hit = img ? imageApps.get(imageRepo(img)) : undefined;
    if (hit) [svc.app, svc.appReason, svc.buildsWorkspace] = [hit.app, `its image is the one script "${hit.script.name}" builds`, true];
    else if (img) ownImage(svc, imageRepo(img), input);
  }
  return svc;
}

/** A package name without its scope, and the scope alone: `@teable/backend` -> [`backend`, `teable`]. */
function nameParts(n: string): string[] {
  const m = /^@([^/]+)\/(.+)$/.exec(n.toLowerCase());
  return m ? [m[2], m[1]] : [n.toLowerCase()];
}

/**
 * An image published under the workspace's own name (`org/maxun-frontend` in a repository whose package is
 * `maxun`, `ghcr.io/teableio/teable` beside `@teable/*` packages) is the workspace's product: the service runs
 * workspace code (the image of an app, run without building it). Official images (`postgres`, no namespace) never are.
 */
function ownImage(svc: ResolvedService, repo: string, input: ComposeInput): void {
  if (!repo.includes('/')) return;
  const seg = repo.slice(repo.lastIndexOf('/') + 1);
  const head = seg.split(/[-_]/)[0];
  // The product's names: root package names and package scopes (`@teable/*`), never a package named like an
  // infrastructure image (a `clickhouse` package does not make `clickhouse/clickhouse-server` the workspace's).
  const names = new Set<string>();
  for (const n of input.rootNames ?? []) for (const x of nameParts(n)) if (x.length >= 3) names.add(x);
  for (const a of input.apps) {
    const parts = nameParts(a.name);
    if (parts.length === 2 && parts[1].length >= 3) names.add(parts[1]);
  }
  // Every namespace of the path (`ghcr.io/acme/shop/web`: acme and shop), not the registry host.
  const namespaces = repo
    .slice(0, repo.lastIndexOf('/'))
    .split('/')
    .filter((x) => !/[.:]/.test(x));
  if (!names.has(seg) && !names.has(head) && !namespaces.some((x) => names.has(x))) return;
  svc.buildsWorkspace = true;
  // The app it is: the one named like the image, else the one whose name is the longest prefix of it (or that it prefixes).
  // (A library that shares the product's name, such as an SDK package, runs nothing: never the image's app.)
  const scored = input.apps
    .filter((a) => a.serves !== false)
    .map((a) => ({ a, n: nameParts(a.name)[0] }))
    .map(({ a, n }) => ({ a, score: n === seg ? 1000 : seg.startsWith(n + '-') || n.startsWith(seg + '-') ? Math.min(n.length, seg.length) : 0 }))
    .filter((x) => x.score > 0)
    .sort((x, y) => y.score - x.score);
  if (scored.length > 0 && (scored.length === 1 || scored[0].score > scored[1].score))
    [svc.app, svc.appReason] = [scored[0].a, `its image ${repo} is named after it`];
  else svc.appReason = `its image ${repo} is named after the workspace`;
}

/**
 * The compose services that run a workspace app (`dir`), with the environment they give it: `environment:`
 * values win over `env_file` values (Compose's precedence). For the listener computation: a port variable set
 * there (`FLASK_SERVER_PORT`, `PORT`) is the port the app binds inside the container.
 */
export function composeEnvironmentFor(projects: readonly ComposeProject[], dir: string): { service: ResolvedService; env: Map<string, ResolvedValue> }[] {
  const out: { service: ResolvedService; env: Map<string, ResolvedValue> }[] = [];
  const target = path.resolve(dir);
  for (const p of projects)
    for (const v of p.variants)
      for (const s of v.services) {
        if (!s.app || path.resolve(s.app.dir) !== target) continue;
        const env = new Map<string, ResolvedValue>();
        for (const f of s.envFiles) for (const e of f.entries) env.set(e.key, e);
        for (const e of s.environment) env.set(e.key, e);
        out.push({ service: s, env });
      }
  return out;
}
