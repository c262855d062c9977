/**
 * The servers an app starts and the port each binds, by each framework's real rules (frameworks/*.ts):
 * a port flag, then the variables the server reads from its process environment (set inline, or by an env
 * file loaded before it starts), then its config file, then its default. A port Crosswire cannot know (an
 * entry file it cannot find, a port computed by a function) is recorded as unknown with the reason, never
 * replaced by a guess.
 */
import * as path from 'node:path';
import type { App, CodeFileInfo, EnvEntry, ListenCall, Listener, Location, Range, UnknownPort, VitePortEnv } from '../model/types';
import { findPythonAssignments, pythonPortExpr } from '../parsers/python';
import { TEST_FOLDER } from '../model/file-kinds';
import { analyzeCommand, carriesEnv, inherit, parsePortValue, type CommandAnalysis } from '../parsers/scripts';
import { CODE_SERVER_FRAMEWORKS, matchServe, type ServeSpec } from '../frameworks';
import { LineIndex } from '../model/text';
import type { IndexedFile } from './ingest';
import { devEnvEntry, winningEntry } from '../model/env';
import { nxWorkspaceRoot, type NxTarget } from './nx-inferred';
import { relativeTo } from '../model/paths';

/**
 * The last entry of `key` in the first of `files` that defines it. A file outside the app (`dotenv -e ../../.env`,
 * a monorepo's shared .env) is looked up in the index when `files` is given.
 */
export function lookupEnv(app: App, fileNames: string[], key: string, files?: Map<string, IndexedFile>): EnvEntry | undefined {
  return winningEntry(
    fileNames.map((name) => {
      const abs = path.resolve(app.dir, name);
      return app.envFiles.find((e) => e.file === abs) ?? files?.get(abs)?.env;
    }),
    key,
  );
}

function loc(file: string, range: Range): Location {
  return { file, range };
}

/** The entry file's code facts: the file as written, its compiled form's source (dist/main.js -> src/main.ts), or an index file. */
function resolveEntry(app: App, entry: string, files: Map<string, IndexedFile>): CodeFileInfo | undefined {
  const base = path.resolve(app.dir, entry);
  const candidates = [base, `${base}.js`, `${base}.ts`, `${base}.mjs`, `${base}.cjs`, `${base}.mts`, path.join(base, 'index.js'), path.join(base, 'index.ts')];
  const m = /^(?:\.\/)?(?:dist|build|out)\/(.*?)(?:\.[cm]?js)?$/.exec(entry);
  // A compiled entry (dist/main.js, build/server/main.js) stands for its source: src/main.ts, or server/main.ts beside it.
  if (m) for (const dir of ['src', '.']) for (const ext of ['ts', 'js', 'mts', 'mjs']) candidates.push(path.resolve(app.dir, dir, `${m[1]}.${ext}`));
  for (const c of candidates) {
    const f = files.get(c);
    if (f)
      return f.code ?? { file: c, language: 'js', defaults: [], listens: [], loadsDotenv: false, dotenvPaths: [], driverPools: [], problems: [], text: f.text };
  }
  return undefined;
}

/** The entry of a NestJS app: nest-cli.json's `sourceRoot` + `entryFile` (defaults src, main). */
function nestEntry(app: App, files: Map<string, IndexedFile>): string {
  const cli = files.get(path.join(app.dir, 'nest-cli.json'))?.repoConfig;
  const data = cli?.kind === 'nest-cli' && cli.data && typeof cli.data === 'object' ? (cli.data as Record<string, unknown>) : {};
  const sourceRoot = typeof data.sourceRoot === 'string' ? data.sourceRoot : 'src';
  const entryFile = typeof data.entryFile === 'string' ? data.entryFile : 'main';
  return `${sourceRoot.replace(/\/$/, '')}/${entryFile}`;
}

/** What a script name says about the process it starts, when the command itself does not tell. */
export function roleOfScript(name: string): Listener['role'] {
  if (/(^|:)(dev|develop|watch)(:|$)|^start:dev$|dev$/.test(name)) return 'dev';
  if (/(^|:)(start|serve|prod|production)(:|$)/.test(name)) return 'start';
  if (/preview/.test(name)) return 'preview';
  if (/storybook/.test(name)) return 'storybook';
  return 'server';
}

/** A numeric default the app's code gives an env variable (a schema's `.default(3000)`, `process.env.X ?? '3000'`). */
function schemaDefault(app: App, key: string): { value: string; file: string; range: Range } | undefined {
  for (const c of app.code) for (const d of c.defaults) if (d.key === key && /^\d{1,5}$/.test(d.value)) return d;
  return undefined;
}

/** Frameworks whose build emits a server a `node` script may run. */
const BUILT_SERVER_FRAMEWORKS: ReadonlySet<string> = new Set(['next', 'nuxt', 'astro', 'sveltekit', 'vite', 'remix']);

/** Scripts that start the app itself. */
const ENTRY_SCRIPT = /^(dev|start|serve|develop|start:dev|start:prod|prod)$/;

/** Default-environment env files of an app, in precedence order (what a tool that loads .env itself sees). */
const DOTENV_ORDER = ['.env.development.local', '.env.local', '.env.development', '.env'];

interface Found {
  listeners: Listener[];
  unknown: UnknownPort[];
}

/** Computes the processes every script of a Node app starts and the port each binds. */
export function computeListeners(app: App, files: Map<string, IndexedFile>): Found {
  const pkg = app.packageJson;
  const found: Found = { listeners: [], unknown: [] };
  if (!pkg) return found;
  const scripts = new Map(pkg.scripts.map((s) => [s.name, s]));
  for (const script of pkg.scripts) {
    let analyses: readonly CommandAnalysis[];
    try {
      analyses = analyzeCommand(script.command);
    } catch {
      continue;
    }
    const scriptLocation = loc(pkg.file, script.range);
    for (const a of analyses) {
      // `cd ../web && next dev`, `yarn --cwd server dev`: a process of another folder (index/runs.ts follows delegations there).
      if (a.cwd !== undefined && a.cwd !== '.') continue;
      // `pnpm with-env next dev`: the other script's command with these words appended is what runs. `cross-env PORT=4500
      // pnpm start`: the other script runs with the variables (and env files) this one sets, as this script's process.
      if (a.tool === 'delegate' && (a.delegateArgs || carriesEnv(a))) {
        for (const d of delegatedRuns(scripts, a, 0, new Set([script.name])))
          addProcess(app, files, script.name, d.command, scriptLocation, d.analysis, found, false);
        continue;
      }
      if (a.tool === 'delegate' || a.tool === 'other' || a.tool === 'orchestrate') continue;
      addProcess(app, files, script.name, script.command, scriptLocation, a, found, true);
    }
  }
  return found;
}

/**
 * The servers a delegating command starts through the scripts it runs (`pnpm with-env next dev` composes the words
 * onto the other script; `cross-env PORT=4500 pnpm start` runs `start` with PORT set), following further delegations
 * that carry words or environment. Each comes with the command that runs it.
 */
function delegatedRuns(
  scripts: Map<string, { name: string; command: string }>,
  a: Readonly<CommandAnalysis>,
  depth: number,
  seen: Set<string>,
): { command: string; analysis: CommandAnalysis }[] {
  const target = a.delegateTo;
  if (!target || !scripts.has(target) || seen.has(target) || depth > 4) return [];
  const composed = a.delegateArgs ? `${scripts.get(target)!.command} ${a.delegateArgs}` : scripts.get(target)!.command;
  let inner: readonly CommandAnalysis[] = [];
  try {
    inner = analyzeCommand(composed);
  } catch {
    inner = [];
  }
  const out: { command: string; analysis: CommandAnalysis }[] = [];
  seen.add(target);
  for (const b of inner) {
    if (b.cwd !== undefined && b.cwd !== '.') continue;
    const withEnv = inherit(a, b);
    if (b.tool === 'delegate' && !b.delegateArgs && carriesEnv(withEnv)) out.push(...delegatedRuns(scripts, withEnv, depth + 1, seen));
    else if (b.tool !== 'delegate' && b.tool !== 'orchestrate' && b.tool !== 'other') out.push({ command: composed, analysis: withEnv });
  }
  seen.delete(target);
  return out;
}

function addProcess(
  app: App,
  files: Map<string, IndexedFile>,
  scriptName: string,
  command: string,
  scriptLocation: Location,
  a: CommandAnalysis,
  found: Found,
  fixableScript: boolean,
): void {
  const fixable = fixableScript && !a.inexact;
  const base = {
    appId: app.id,
    script: scriptName,
    command,
    scriptLocation,
    loadedEnvFiles: [] as string[],
    tool: a.toolText,
    toolEnd: fixable ? a.toolEnd : undefined,
  };
  const envFilesLoaded = [...a.envFiles];
  const spec = a.serve;
  if (spec && !spec.entry) {
    const unknownEnv = spec.portEnv.find((v) => a.inlineEnv[v] !== undefined && parsePortValue(a.inlineEnv[v].value) === undefined);
    if (a.portUnknown || (unknownEnv && !a.portFlag)) {
      const what = a.portUnknown ? `\`${a.portUnknown}\`` : `${unknownEnv}=${a.inlineEnv[unknownEnv!].value}`;
      found.unknown.push({
        appId: app.id,
        script: scriptName,
        command,
        role: spec.role,
        location: scriptLocation,
        reason: `${what} in script "${scriptName}" is decided when the script runs`,
      });
      return;
    }
    const l = serveListener(app, files, spec, scriptName, a, base, envFilesLoaded, scriptLocation, fixable);
    if ('unknown' in l) found.unknown.push({ appId: app.id, script: scriptName, command, role: spec.role, location: l.location, reason: l.reason });
    else found.listeners.push(l);
    return;
  }
  // Servers whose port comes from their own code: NestJS (its entry file) and plain Node entry files.
  const role = spec?.role === 'dev' ? 'dev' : roleOfScript(scriptName);
  // `node .` runs the package's `main`.
  const entryPath = spec?.entry === 'nest' ? nestEntry(app, files) : a.entry === '.' || a.entry === './' ? (app.packageJson?.main ?? 'index.js') : a.entry;
  const entryCode = entryPath ? resolveEntry(app, entryPath, files) : undefined;
  // A default export is a server only when Bun runs the file (`bun src/index.ts`); under Node it is just an export.
  const found0 = entryCode?.listens.find((x) => x.tool !== 'bun' || /^bun\b/.test(a.toolText));
  const listen = found0 && withConfigRef(found0, files);
  const framework = spec?.entry === 'nest' || app.framework === 'nest' ? 'nest' : app.framework;
  const appDotenvPaths = app.code.flatMap((c) => c.dotenvPaths);
  if (app.code.some((c) => c.loadsDotenv) || entryCode?.loadsDotenv) envFilesLoaded.push(...(appDotenvPaths.length ? appDotenvPaths : ['.env']));
  const loaded = envFilesLoaded.map((f) => path.resolve(app.dir, f));
  if (typeof listen === 'string') {
    found.unknown.push({ appId: app.id, script: scriptName, command, role, location: loc(found0!.file, found0!.range), reason: listen });
    return;
  }
  if (!listen) {
    found.unknown.push(...unreadEntry(app, spec, scriptName, command, role, scriptLocation, entryPath, entryCode));
    return;
  }
  const envUnknown = app.code.some((c) => c.loadsDotenv && c.dotenvPathUnknown);
  codeListener(app, files, a, listen, { ...base, framework, role, drifts: false, loadedEnvFiles: loaded } as const, envFilesLoaded, envUnknown, found);
}

/** Why a server started from an entry file has no port Crosswire can read (nothing when that is not a server). */
function unreadEntry(
  app: App,
  spec: ServeSpec | undefined,
  scriptName: string,
  command: string,
  role: Listener['role'],
  scriptLocation: Location,
  entryPath: string | undefined,
  entryCode: CodeFileInfo | undefined,
): UnknownPort[] {
  const unknown = (reason: string): UnknownPort[] => [{ appId: app.id, script: scriptName, command, role, location: scriptLocation, reason }];
  const rel = entryCode && relativeTo(app.dir, entryCode.file).split(path.sep).join('/');
  if (spec?.entry === 'nest')
    return unknown(entryCode ? `${entryPath} has no listen() call Crosswire can read` : `\`nest start\` runs ${entryPath}, which Crosswire did not find`);
  if (entryCode && entryCode.listens.length === 0 && /\blisten\s*\(|\bserve\s*\(|Bun\.serve|Deno\.serve/.test(entryCode.text))
    return unknown(`the port of the server in ${rel} is computed in a way Crosswire does not evaluate`);
  const codeServer = CODE_SERVER_FRAMEWORKS.has(app.framework) && ENTRY_SCRIPT.test(scriptName);
  // The entry starts the server elsewhere (an imported module, a class method): its port is not in the entry.
  if (entryCode && entryCode.listens.length === 0 && codeServer) return unknown(`${rel} starts the server in code Crosswire cannot follow to its port`);
  if (!entryCode && entryPath && codeServer) return unknown(`script "${scriptName}" runs ${entryPath}, which Crosswire did not find (a build output?)`);
  // A framework's built server run with node (Next.js's standalone `server.js`, Nuxt's `.output/server/index.mjs`): a
  // server whose port its build decides (PORT, else the framework's default), not read here.
  if (!entryCode && entryPath && ENTRY_SCRIPT.test(scriptName) && BUILT_SERVER_FRAMEWORKS.has(app.framework))
    return unknown(`script "${scriptName}" runs ${entryPath}, a server built by ${app.framework} that Crosswire does not read`);
  return [];
}

/**
 * A server whose port is a field of a config service another module declares (Effect: `const config = yield*
 * ServerConfig; BunHttpServer.layer({ port: config.port })`): the variable and default that module's config gives
 * the field. The module is a file of the workspace (a relative import) or a workspace package (by its package.json
 * name, any of its files). A port that cannot be followed is unknown, with the reason.
 */
function withConfigRef(listen: ListenCall, files: Map<string, IndexedFile>): ListenCall | string | undefined {
  const ref = listen.configRef;
  if (!ref || listen.envVar !== undefined || listen.literal !== undefined) return listen;
  const rel = path.basename(listen.file);
  const field = declaredField(ref, listen.file, files);
  if (!field) return `the port of the server in ${rel} is ${ref.name}.${ref.field} from ${ref.module}, which Crosswire cannot follow to a value`;
  return { ...listen, envVar: field.envVar, ...(field.fallback !== undefined ? { fallback: field.fallback } : {}) };
}

function declaredField(
  ref: NonNullable<ListenCall['configRef']>,
  from: string,
  files: Map<string, IndexedFile>,
): { envVar: string; fallback?: number } | undefined {
  const pick = (c: CodeFileInfo | undefined) => c?.effectConfigs?.find((d) => d.name === ref.name)?.fields.find((f) => f.field === ref.field);
  if (ref.module.startsWith('.')) {
    const base = path.resolve(path.dirname(from), ref.module.replace(/\.[cm]?js$/, ''));
    for (const f of [base, ...['.ts', '.tsx', '.mts', '.js', '.mjs'].map((e) => base + e), path.join(base, 'index.ts'), path.join(base, 'index.js')]) {
      const hit = pick(files.get(f)?.code);
      if (hit) return hit;
    }
    return undefined;
  }
  const parts = ref.module.split('/');
  const pkgName = ref.module.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  let dir: string | undefined;
  for (const f of files.values()) if (f.kind === 'package' && f.pkg?.name === pkgName) dir = path.dirname(f.file);
  if (!dir) return undefined;
  for (const f of files.values()) {
    if (!f.code?.effectConfigs || !f.file.startsWith(dir + path.sep)) continue;
    const hit = pick(f.code);
    if (hit) return hit;
  }
  return undefined;
}

/** What every listener read from code shares. */
type CodeListenerBase = Omit<Listener, 'port' | 'how' | 'explicit' | 'source' | 'reason' | 'portEnvVar'>;

/** The listener of a server whose `.listen()` Crosswire read in its code: a literal, or the variable it reads, set inline, in a loaded env file, or by a default. */
function codeListener(
  app: App,
  files: Map<string, IndexedFile>,
  a: CommandAnalysis,
  listen: ListenCall,
  common: CodeListenerBase,
  envFilesLoaded: string[],
  envUnknown: boolean,
  found: Found,
): void {
  const { script: scriptName, command, scriptLocation, role } = common;
  const listenLoc = loc(listen.file, listen.range);
  const rel = relativeTo(app.dir, listen.file).split(path.sep).join('/');
  const listener = (port: number, how: Listener['how'], source: Location, reason: string, portEnvVar?: string) =>
    found.listeners.push(
      portEnvVar === undefined
        ? { ...common, port, how, explicit: true, source, reason }
        : { ...common, port, how, explicit: true, source, reason, portEnvVar },
    );
  const unknown = (location: Location, reason: string) => found.unknown.push({ appId: app.id, script: scriptName, command, role, location, reason });
  // Port 0: the system picks a free port (a test server, an internal helper): it takes no port another server wants.
  if (listen.literal === 0) return;
  if (listen.literal !== undefined) {
    listener(listen.literal, 'listen', listenLoc, `\`.listen(${listen.literal})\` in ${rel}`);
    return;
  }
  // The variables the code reads, in order: the first one set (inline, else in an env file loaded first) wins.
  const vars = [listen.envVar ?? 'PORT', ...(listen.alsoEnv ?? [])];
  const inlineVar = vars.find((v) => a.inlineEnv[v] !== undefined);
  const fileVar = envFilesLoaded.length ? vars.find((v) => lookupEnv(app, envFilesLoaded, v, files)) : undefined;
  const envVar = inlineVar ?? fileVar ?? vars[0];
  const inline = parsePortValue(a.inlineEnv[envVar]?.value);
  const envEntry = !inlineVar && envFilesLoaded.length ? lookupEnv(app, envFilesLoaded, envVar, files) : undefined;
  const envPort = parsePortValue(envEntry?.expanded ?? envEntry?.value);
  if (inlineVar && !inline) {
    unknown(scriptLocation, `${envVar}=${a.inlineEnv[envVar].value} in script "${scriptName}" is decided when the script runs`);
    return;
  }
  const notSet = `${envVar} is not set${envFilesLoaded.length ? ' in the env files it loads' : ', and no env file is loaded'}`;
  if (inline) listener(inline, 'inline-env', scriptLocation, `${envVar}=${inline} set in script "${scriptName}"`, envVar);
  else if (envEntry && envPort)
    listener(envPort, 'loaded-env', loc(envEntry.file, envEntry.range), `${envVar} in ${path.basename(envEntry.file)}, loaded before ${rel} listens`, envVar);
  else if (envEntry) unknown(loc(envEntry.file, envEntry.range), `${envVar} in ${path.basename(envEntry.file)} is not a port number Crosswire can read`);
  else if (envUnknown) unknown(listenLoc, `${rel} listens on ${envVar}, which may come from an env file whose path the code computes at run time`);
  else if (listen.fallback === 0) return;
  else if (listen.fallback !== undefined) listener(listen.fallback, 'listen', listenLoc, `the fallback ${listen.fallback} in ${rel} (${notSet})`, envVar);
  else if (schemaDefault(app, envVar)) {
    // The app validates its environment with a schema that gives the variable a default (zod, t3-env).
    const d = schemaDefault(app, envVar)!;
    listener(
      Number(d.value),
      'listen',
      loc(d.file, d.range),
      `the default ${d.value} of ${envVar} in ${path.relative(app.dir, d.file).split(path.sep).join('/')} (${notSet})`,
      envVar,
    );
  } else unknown(listenLoc, `${rel} listens on ${envVar}, which nothing Crosswire reads sets`);
}

/** A framework server command's listener: flag, then the environment it reads, then its config, then its default. */
function serveListener(
  app: App,
  files: Map<string, IndexedFile>,
  spec: ServeSpec,
  scriptName: string,
  a: CommandAnalysis,
  base: Omit<Listener, 'framework' | 'port' | 'how' | 'explicit' | 'drifts' | 'source' | 'reason' | 'role'>,
  envFilesLoaded: string[],
  scriptLocation: Location,
  fixable: boolean,
): Listener | { unknown: true; location: Location; reason: string } {
  const role = spec.role;
  const strict = a.strictPort || (spec.config !== undefined && !!viteConfig(app)?.vite?.strictPort);
  const common = { ...base, framework: spec.framework, role, frameworkLabel: spec.label, fixFlag: fixable ? spec.fixFlag : undefined };
  const drift = (explicit: boolean) => (spec.drift === 'never' ? false : spec.drift === 'when-implicit' ? !explicit : !strict);
  const make = (port: number, how: Listener['how'], explicit: boolean, source: Location, reason: string, portEnvVar?: string): Listener => ({
    ...common,
    port,
    how,
    explicit,
    drifts: drift(explicit),
    source,
    reason,
    ...(portEnvVar !== undefined ? { portEnvVar } : {}),
  });
  let l: Listener | undefined;
  if (a.portFlag) l = make(a.portFlag.port, 'flag', true, scriptLocation, `\`${a.portFlag.text}\` in script "${scriptName}"`);
  for (const v of spec.portEnv) {
    if (l) break;
    const inline = parsePortValue(a.inlineEnv[v]?.value);
    if (inline) l = make(inline, 'inline-env', true, scriptLocation, `${v}=${inline} set in script "${scriptName}"`, v);
  }
  const envFiles = [...envFilesLoaded, ...(spec.loadsDotenv ? DOTENV_ORDER : [])];
  for (const v of spec.portEnv) {
    if (l || !envFiles.length) break;
    const e = lookupEnv(app, envFiles, v, files);
    const p = parsePortValue(e?.expanded ?? e?.value);
    if (e && p) {
      const by = envFilesLoaded.length ? `loaded by script "${scriptName}" before ${spec.label} starts` : `which ${spec.label} loads itself`;
      l = make(p, 'loaded-env', true, loc(e.file, e.range), `${v} in ${path.basename(e.file)}, ${by}`, v);
    } else if (e && e.value.trim() !== '')
      // `PORT=${APP_PORT}` that nothing Crosswire reads resolves: set, to a value decided at run time; never the default.
      return {
        unknown: true,
        location: loc(e.file, e.range),
        reason: `${v} in ${path.basename(e.file)} is \`${e.value.slice(0, 40)}\`, not a port number Crosswire can read`,
      };
  }
  const unread = l ? undefined : unreadConfig(app, files, spec);
  if (unread) return unread;
  if (!l && spec.config) {
    const cfg = viteConfig(app);
    const preview = spec.config === 'vite-preview';
    const port = preview ? cfg?.vite?.previewPort : cfg?.vite?.serverPort;
    const range = preview ? cfg?.vite?.previewPortRange : cfg?.vite?.serverPortRange;
    const fromEnv = preview ? cfg?.vite?.previewPortEnv : cfg?.vite?.serverPortEnv;
    const unread = preview ? cfg?.vite?.previewPortUnknown : cfg?.vite?.serverPortUnknown;
    const what = `${preview ? 'preview' : 'server'}.port in ${cfg ? path.basename(cfg.file) : ''}`;
    if (cfg && port && range) l = make(port, 'config', true, loc(cfg.file, range), what);
    else if (cfg && fromEnv && range) {
      const r = configEnvPort(app, files, a, fromEnv, envFilesLoaded, !!cfg.vite?.loadsEnv, preview ? 'production' : 'development', scriptName);
      if ('reason' in r) return { unknown: true, location: loc(cfg.file, range), reason: `${what} reads ${r.reason}` };
      l = make(r.port, r.how, true, r.source ?? loc(cfg.file, range), `${what} reads ${r.text}`, r.envVar);
    } else if (cfg && unread)
      return {
        unknown: true,
        location: loc(cfg.file, cfg.vite?.configRange ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }),
        reason: `${what}: ${unread}`,
      };
  }
  l ??= make(
    spec.defaultPort,
    'default',
    false,
    scriptLocation,
    `\`${a.toolText}\` in script "${scriptName}" uses ${spec.label}'s default ${spec.role === 'preview' && spec.framework === 'vite' ? 'preview ' : ''}port ${spec.defaultPort}`,
  );
  l.loadedEnvFiles = envFilesLoaded.map((f) => path.resolve(app.dir, f));
  return l;
}

/** A config Crosswire does not evaluate that may set the port (rsbuild.config.*, webpack.config.*): when the one the command reads mentions a port, the default is not known to apply. */
function unreadConfig(app: App, files: Map<string, IndexedFile>, spec: ServeSpec): { unknown: true; location: Location; reason: string } | undefined {
  const cfg = spec.configFiles?.map((f) => files.get(path.resolve(app.dir, f))).find((f) => f !== undefined);
  if (!cfg || (!cfg.textDropped && !/\bport\b/i.test(cfg.text))) return undefined;
  return {
    unknown: true,
    location: loc(cfg.file, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }),
    reason: `${path.relative(app.dir, cfg.file).split(path.sep).join('/')} may set ${spec.label}'s port, in a form Crosswire does not evaluate`,
  };
}

/** Vite's env files for a mode, strongest first (vite.dev/guide/env-and-mode: `.env.[mode].local` > `.env.[mode]` > `.env.local` > `.env`). */
function viteModeFiles(mode: string): string[] {
  return [`.env.${mode}.local`, `.env.${mode}`, '.env.local', '.env'];
}

/**
 * A Vite config port read from the environment (`port: Number(process.env.PORT) || 3000`): the variable set inline by the
 * script, else in an env file the script loads, else (when the config calls `loadEnv()`) in the mode's env files; else
 * the fallback. Without one, the port is unknown.
 */
function configEnvPort(
  app: App,
  files: Map<string, IndexedFile>,
  a: CommandAnalysis,
  p: VitePortEnv,
  envFilesLoaded: string[],
  loadsEnv: boolean,
  mode: string,
  scriptName: string,
): { port: number; how: Listener['how']; source?: Location; text: string; envVar?: string } | { reason: string } {
  const vars = [p.envVar, ...(p.alsoEnv ?? [])];
  for (const v of vars) {
    if (a.inlineEnv[v] === undefined) continue;
    const n = parsePortValue(a.inlineEnv[v].value);
    return n
      ? { port: n, how: 'inline-env', text: `${v}, set to ${n} in script "${scriptName}"`, envVar: v }
      : { reason: `${v}=${a.inlineEnv[v].value}, decided when script "${scriptName}" runs` };
  }
  for (const [list, by] of [
    [envFilesLoaded, `loaded by script "${scriptName}"`],
    [loadsEnv ? viteModeFiles(mode) : [], 'read by loadEnv()'],
  ] as const) {
    if (!list.length) continue;
    for (const v of vars) {
      const e = lookupEnv(app, [...list], v, files);
      if (!e) continue;
      const n = parsePortValue(e.expanded ?? e.value);
      if (!n) return { reason: `${v}, which ${path.basename(e.file)} sets to something that is not a port number Crosswire can read` };
      return { port: n, how: 'loaded-env', source: loc(e.file, e.range), text: `${v} from ${path.basename(e.file)} (${by})`, envVar: v };
    }
  }
  if (p.fallback !== undefined) return { port: p.fallback, how: 'config', text: `${vars.join(' / ')}, unset, so its fallback ${p.fallback}` };
  return { reason: `${vars.join(' / ')}, which nothing Crosswire reads sets` };
}

function viteConfig(app: App): CodeFileInfo | undefined {
  return app.code.find((c) => /(^|[\\/])vite\.config\.[cm]?[jt]s$/.test(c.file) && path.dirname(c.file) === app.dir);
}

/** A Python server's port given by name (`port=config.BACKEND_PORT`): the assignment of that name in the app's Python files, this file first. */
function resolvePythonRef(
  app: App,
  c: CodeFileInfo,
  pyFiles: CodeFileInfo[],
  call: ListenCall,
  ref: string,
): { port: { literal?: number; envVar?: string; fallback?: number }; source: Location; via: string } | undefined {
  for (const f of [c, ...pyFiles.filter((x) => x !== c)]) {
    for (const a of findPythonAssignments(f.text, ref)) {
      if (f === c && a.line >= call.range.start.line && a.line <= call.range.end.line) continue;
      const r = pythonPortExpr(a.expr);
      if (r && !r.ref) {
        return {
          port: r,
          source: loc(f.file, { start: { line: a.line, character: a.start }, end: { line: a.line, character: a.end } }),
          via: ` via ${ref} in ${path.relative(app.dir, f.file).split(path.sep).join('/')}`,
        };
      }
    }
  }
  return undefined;
}

/**
 * Python services (no package.json): each server call in the app's Python files (`uvicorn.run`,
 * Flask's `app.run`, aiohttp's `web.run_app`) is a listener, except in test folders. The port argument is resolved like a
 * Node server's: a literal; an env read, taken from the app's development env files when it is set
 * there, else its fallback; a name (`config.BACKEND_PORT`) through its assignment in the app's
 * Python files; no argument: the server's default port.
 */
export function computePythonListeners(app: App): Found {
  const found: Found = { listeners: [], unknown: [] };
  const pyFiles = app.code.filter((c) => c.language === 'python');
  const envValue = (key: string): EnvEntry | undefined => devEnvEntry(app, key);
  for (const c of pyFiles) {
    // A server started under a test folder is a test's (a live-server helper), not one the app runs.
    if (c.listens.length && TEST_FOLDER.test(relativeTo(app.dir, c.file))) continue;
    for (const call of c.listens) {
      const rel = relativeTo(app.dir, c.file).split(path.sep).join('/');
      const tool = call.tool ?? 'python';
      const callLoc = loc(c.file, call.range);
      const base = {
        appId: app.id,
        script: rel,
        command: `python ${rel}`,
        framework: 'python' as const,
        tool,
        drifts: false,
        role: 'server' as const,
        scriptLocation: callLoc,
        loadedEnvFiles: [] as string[],
      };
      const unknown = (reason: string, at: Location = callLoc) =>
        found.unknown.push({ appId: app.id, script: rel, command: base.command, role: 'server', location: at, reason });
      let p: { literal?: number; envVar?: string; fallback?: number } | undefined = call;
      let source = callLoc;
      let via = '';
      if (call.ref) {
        const resolved = resolvePythonRef(app, c, pyFiles, call, call.ref);
        if (!resolved) {
          unknown(`\`${tool}\` in ${rel} takes its port from ${call.ref}, which Crosswire cannot resolve`);
          continue;
        }
        ({ port: p, source, via } = resolved);
      }
      if (p.literal !== undefined) {
        found.listeners.push({ ...base, port: p.literal, how: 'listen', explicit: true, source, reason: `\`${tool}(port=${p.literal})\` in ${rel}${via}` });
      } else if (p.envVar) {
        const e = envValue(p.envVar);
        const port = parsePortValue(e?.expanded ?? e?.value);
        if (e && port)
          found.listeners.push({
            ...base,
            port,
            how: 'loaded-env',
            explicit: true,
            source: loc(e.file, e.range),
            reason: `${p.envVar} in ${path.basename(e.file)}, read by \`${tool}\` in ${rel}${via}`,
            portEnvVar: p.envVar,
            loadedEnvFiles: [e.file],
          });
        else if (p.fallback !== undefined)
          found.listeners.push({
            ...base,
            port: p.fallback,
            how: 'listen',
            explicit: true,
            source,
            reason: `\`${tool}\` in ${rel}${via}: ${p.envVar} is not set in the app's env files, so its fallback ${p.fallback}`,
            portEnvVar: p.envVar,
          });
        else unknown(`\`${tool}\` in ${rel} reads its port from ${p.envVar}, which the app's env files do not set`);
      } else if (call.defaultPort !== undefined && !call.ref) {
        found.listeners.push({
          ...base,
          port: call.defaultPort,
          how: 'default',
          explicit: false,
          source,
          reason: `\`${tool}\` in ${rel} passes no port: its default ${call.defaultPort}`,
        });
      } else unknown(`\`${tool}\` in ${rel}: its port is computed in a way Crosswire does not evaluate`);
    }
  }
  return found;
}

/** An Nx project.json of an application (not a library). */
export function isNxApplication(data: unknown): boolean {
  return !!data && typeof data === 'object' && (data as Record<string, unknown>).projectType === 'application';
}

/**
 * Nx executors that run a dev server, whose `port` option is the server's port, with their default port (Angular's
 * and webpack's dev servers: 4200).
 */
const NX_DEV_SERVERS: Record<string, { port?: number; label: string; unlessOption?: string }> = {
  '@angular/build:dev-server': { port: 4200, label: 'Angular' },
  '@angular-devkit/build-angular:dev-server': { port: 4200, label: 'Angular' },
  '@nx/angular:dev-server': { port: 4200, label: 'Angular' },
  '@nx/webpack:dev-server': { port: 4200, label: 'webpack-dev-server' },
  '@nrwl/web:dev-server': { port: 4200, label: 'webpack-dev-server' },
  '@nrwl/webpack:dev-server': { port: 4200, label: 'webpack-dev-server' },
  // Its `port` option defaults to 4200 (packages/next/src/executors/server/schema.json), passed on to Next.js; a custom
  // server (`customServerTarget`) listens where its own code says.
  '@nx/next:server': { port: 4200, label: 'Next.js', unlessOption: 'customServerTarget' },
  '@nrwl/next:server': { port: 4200, label: 'Next.js', unlessOption: 'customServerTarget' },
};

/**
 * Nx executors that run a built Node program (`buildTarget`'s output). Their `port` option is the port of the Node
 * inspector (the debugger, default 9229: "The port to inspect the process on"), never the program's: the program
 * listens where its own code says, with the environment Nx gives the task.
 */
const NX_NODE_RUNNERS = new Set(['@nx/js:node', '@nrwl/js:node', '@nx/node:node', '@nrwl/node:node', '@nx/node:execute', '@nrwl/node:execute']);

/**
 * The env files Nx loads into a task's environment before it runs, in precedence order (the first to set a variable
 * wins), that exist: for the project root, then the workspace root, `.env.<target>.<configuration>[.local]`,
 * `.<target>.<configuration>[.local].env`, the same for the configuration alone and for the target alone, then
 * `.env.local`, `.local.env`, `.env` (nx.dev, "Define Environment Variables"). Paths are relative to the app folder.
 */
export function nxTaskEnvFiles(app: App, target: string, configuration: string | undefined, wsRoot: string, files: Map<string, IndexedFile>): string[] {
  const ids = [...(configuration ? [`${target}.${configuration}`, configuration] : []), target];
  const names: string[] = [];
  for (const id of ids) names.push(`.env.${id}.local`, `.env.${id}`, `.${id}.local.env`, `.${id}.env`);
  names.push('.env.local', '.local.env', '.env');
  const out: string[] = [];
  for (const dir of app.dir === wsRoot ? [wsRoot] : [app.dir, wsRoot]) {
    for (const n of names) {
      const abs = path.join(dir, n);
      if (app.envFiles.some((e) => e.file === abs) || files.get(abs)?.env) out.push(path.relative(app.dir, abs) || n);
    }
  }
  return out;
}

/** `options.main` of the build target a Node runner runs (`"<project>:<target>[:<configuration>]"` of this project), workspace-relative. */
function nxBuildMain(data: Record<string, unknown>, projectName: string, runner: NxTarget): { main?: string; why?: string } {
  const bt = runner.options?.buildTarget;
  if (typeof bt !== 'string') return { why: 'it names no buildTarget' };
  const [project, target, configuration] = bt.split(':');
  if (!target || project !== projectName) return { why: `its buildTarget ${bt} is not a target of this project.json` };
  const build = (data.targets as Record<string, unknown>)[target] as NxTarget | undefined;
  if (!build || typeof build !== 'object') return { why: `its buildTarget ${bt} is not defined in project.json` };
  const conf = configuration ?? (typeof build.defaultConfiguration === 'string' ? build.defaultConfiguration : undefined);
  const confOptions = conf ? (build.configurations?.[conf] as Record<string, unknown> | undefined) : undefined;
  const main = confOptions?.main ?? build.options?.main;
  return typeof main === 'string' ? { main } : { why: `its buildTarget ${bt} has no \`main\` option` };
}

/**
 * The servers of an Nx project's targets (`serve`, `dev`, `start`, `preview`): for a dev-server executor, its
 * `port` option or the executor's documented default; for a Node runner (`@nx/js:node`), the `listen()` of the
 * build target's `main`, reading the env files Nx loads for the task; a command of `nx:run-commands` read like a
 * package.json script (with the env files Nx loads); otherwise the port is unknown, never guessed.
 */
export function nxTargetListeners(app: App, data: unknown, file: string, text: string, files: Map<string, IndexedFile>): Found {
  const found: Found = { listeners: [], unknown: [] };
  if (!data || typeof data !== 'object') return found;
  const targets = (data as Record<string, unknown>).targets;
  if (!targets || typeof targets !== 'object') return found;
  const projectName = typeof (data as Record<string, unknown>).name === 'string' ? ((data as Record<string, unknown>).name as string) : app.name;
  const wsRoot = nxWorkspaceRoot(app.dir, app.root, files);
  const lines = new LineIndex(text);
  for (const [name, raw] of Object.entries(targets as Record<string, unknown>)) {
    if (!/^(serve|dev|start|preview|serve-static)$/.test(name) || !raw || typeof raw !== 'object') continue;
    const t = raw as NxTarget;
    const at = text.indexOf(`"${name}"`);
    // A target a plugin inferred is located at the config file it was inferred from, unless the project names it too.
    const location =
      t.inferredFrom && at < 0
        ? loc(t.inferredFrom, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } })
        : loc(file, at >= 0 ? lines.range(at, at + name.length + 2) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    const script = `nx:${name}`;
    const role: Listener['role'] = name === 'serve' || name === 'dev' ? 'dev' : name === 'start' ? 'start' : 'preview';
    const executor = typeof t.executor === 'string' ? t.executor : undefined;
    const configuration = typeof t.defaultConfiguration === 'string' ? t.defaultConfiguration : undefined;
    // Nx loads these into the environment of every task it runs.
    const nxEnv = nxTaskEnvFiles(app, name, configuration, wsRoot, files);
    const commands = runCommands(t);
    if (commands.length && (!executor || executor === 'nx:run-commands')) {
      // `command`, or `commands` (run side by side unless `parallel: false`): each read like a package.json script.
      for (const command of commands) {
        let analyses: readonly CommandAnalysis[] = [];
        try {
          analyses = analyzeCommand(command);
        } catch {
          analyses = [];
        }
        for (const a of analyses)
          if (a.tool !== 'delegate' && a.tool !== 'other' && a.tool !== 'orchestrate')
            addProcess(app, files, script, command, location, { ...a, envFiles: [...a.envFiles, ...nxEnv] }, found, false);
      }
      continue;
    }
    if (!executor) continue;
    const nxCommand = `nx run ${app.name}:${name}`;
    if (NX_NODE_RUNNERS.has(executor)) {
      nodeRunnerListener(
        app,
        files,
        data as Record<string, unknown>,
        projectName,
        t,
        { name, executor, role, location, command: nxCommand, wsRoot, nxEnv },
        found,
      );
      continue;
    }
    if (NX_VITE.test(executor)) {
      viteTarget(app, files, t, { name, executor, location, command: nxCommand, nxEnv }, found);
      continue;
    }
    devServerTarget(app, t, { name, executor, role, location, command: nxCommand }, found);
  }
  return found;
}

/** The commands of an `nx:run-commands` target: `command`, `options.command`, or `options.commands` (strings or `{ command }`). */
function runCommands(t: NxTarget): string[] {
  if (typeof t.command === 'string') return [t.command];
  if (typeof t.options?.command === 'string') return [t.options.command];
  const list = t.options?.commands;
  if (!Array.isArray(list)) return [];
  return list
    .map((c) =>
      typeof c === 'string'
        ? c
        : c && typeof c === 'object' && typeof (c as { command?: unknown }).command === 'string'
          ? (c as { command: string }).command
          : undefined,
    )
    .filter((c): c is string => !!c);
}

/** A target's `port` option (a number, or a string of digits). */
function optionPort(t: NxTarget): number | undefined {
  const raw = t.options?.port;
  return typeof raw === 'number' ? raw : typeof raw === 'string' ? parsePortValue(raw) : undefined;
}

/** Nx's Vite executors: Vite's dev and preview servers, configured by the project's vite.config and the target's options. */
const NX_VITE = /^@(nx|nrwl)\/vite:(dev-server|preview-server)$/;

/**
 * A target run by `@nx/vite:dev-server` / `preview-server`: read like a `vite` / `vite preview` command, its `port` option
 * as the flag (Vite still moves when that port is taken, unless `strictPort`), else the project's vite.config, else
 * Vite's default; a `configFile` other than the project's vite.config makes the port unknown.
 */
function viteTarget(
  app: App,
  files: Map<string, IndexedFile>,
  t: NxTarget,
  target: { name: string; executor: string; location: Location; command: string; nxEnv: string[] },
  found: Found,
): void {
  const { name, executor, location, command, nxEnv } = target;
  const script = `nx:${name}`;
  const spec = matchServe('vite', executor.endsWith('preview-server') ? ['preview'] : [])!.spec;
  const port = optionPort(t);
  const configFile = t.options?.configFile;
  if (port === undefined && typeof configFile === 'string' && !/(^|\/)vite\.config\.[cm]?[jt]s$/.test(configFile)) {
    found.unknown.push({
      appId: app.id,
      script,
      command,
      role: spec.role,
      location,
      reason: `target "${name}" reads ${configFile}, whose port Crosswire does not read`,
    });
    return;
  }
  const a: CommandAnalysis = {
    tool: spec.id,
    serve: spec,
    toolText: executor,
    toolEnd: 0,
    toolStart: 0,
    strictPort: t.options?.strictPort === true,
    inlineEnv: {},
    envFiles: [],
    ...(port ? { portFlag: { port, start: 0, end: 0, text: `port: ${port}` } } : {}),
  };
  const base = { appId: app.id, script, command, scriptLocation: location, loadedEnvFiles: [] as string[], tool: executor, toolEnd: undefined };
  const l = serveListener(app, files, spec, script, a, base, [...nxEnv], location, false);
  if ('unknown' in l) found.unknown.push({ appId: app.id, script, command, role: spec.role, location: l.location, reason: l.reason });
  else found.listeners.push(l);
}

/**
 * A target run by another executor: a dev server's `port` option, else its documented default port; an executor
 * Crosswire does not know that looks like a server, unknown. A Node runner Crosswire does not know (an `inspect`
 * option, an `:execute` / `:node` executor) has an inspector's `port`: unknown too.
 */
function devServerTarget(
  app: App,
  t: NxTarget,
  target: { name: string; executor: string; role: Listener['role']; location: Location; command: string },
  found: Found,
): void {
  const { name, executor, role, location, command } = target;
  const entry = NX_DEV_SERVERS[executor];
  const known = entry?.unlessOption && t.options?.[entry.unlessOption] !== undefined ? { label: entry.label } : entry;
  const inspector = !known && (t.options?.inspect !== undefined || /:(execute|node)$/.test(executor));
  const port = inspector ? undefined : optionPort(t);
  const base = {
    appId: app.id,
    script: `nx:${name}`,
    command,
    scriptLocation: location,
    source: location,
    loadedEnvFiles: [] as string[],
    tool: executor,
    framework: app.framework,
    role,
    drifts: false,
  };
  if (port) found.listeners.push({ ...base, port, how: 'config', explicit: true, reason: `the port option of target "${name}" in project.json` });
  else if (known?.port)
    found.listeners.push({
      ...base,
      port: known.port,
      how: 'default',
      explicit: false,
      reason: `target "${name}" (${executor}) uses ${known.label}'s default port ${known.port}`,
      frameworkLabel: known.label,
    });
  else if (known || /server|serve|execute|node/.test(executor))
    found.unknown.push({
      appId: app.id,
      script: base.script,
      command,
      role,
      location,
      reason: `target "${name}" runs ${executor}, whose port Crosswire does not read`,
    });
}

/**
 * The server a Node runner target (`@nx/js:node`) starts: the build target's `main`, read like a `node` script's
 * entry, in the environment Nx gives the task (its env files first, then those the code loads itself, which do not
 * override what is already set). The target's `port` option is the inspector's and is never the server's port.
 */
function nodeRunnerListener(
  app: App,
  files: Map<string, IndexedFile>,
  data: Record<string, unknown>,
  projectName: string,
  t: NxTarget,
  target: { name: string; executor: string; role: Listener['role']; location: Location; command: string; wsRoot: string; nxEnv: string[] },
  found: Found,
): void {
  const script = `nx:${target.name}`;
  const unknown = (reason: string) =>
    found.unknown.push({ appId: app.id, script, command: target.command, role: target.role, location: target.location, reason });
  const { main, why } = nxBuildMain(data, projectName, t);
  if (!main) {
    unknown(`target "${target.name}" runs ${target.executor}, whose server Crosswire cannot find: ${why}`);
    return;
  }
  const projectRoot = path.relative(target.wsRoot, app.dir).split(path.sep).join('/');
  const mainAbs = path.resolve(target.wsRoot, main.replace(/\{projectRoot\}/g, projectRoot).replace(/\{workspaceRoot\}\/?/g, ''));
  const entryCode = resolveEntry(app, mainAbs, files);
  const rel = path.relative(app.dir, mainAbs).split(path.sep).join('/');
  const found0 = entryCode?.listens.find((x) => x.tool !== 'bun');
  const resolved = found0 && withConfigRef(found0, files);
  if (typeof resolved === 'string') {
    unknown(resolved);
    return;
  }
  const listen = resolved;
  if (!entryCode || !listen) {
    // A program run by a serve target whose listen() Crosswire cannot read: its port is unknown, never the inspector's.
    if (!entryCode) unknown(`target "${target.name}" runs the build of ${rel}, which Crosswire did not find`);
    else if (entryCode.listens.length === 0 && /\blisten\s*\(|\bserve\s*\(/.test(entryCode.text))
      unknown(`the port of the server in ${rel} (run by target "${target.name}") is computed in a way Crosswire does not evaluate`);
    else unknown(`the port of ${rel} (run by target "${target.name}") is not in code Crosswire can read`);
    return;
  }
  const envFilesLoaded = [...target.nxEnv];
  const appDotenvPaths = app.code.flatMap((c) => c.dotenvPaths);
  if (app.code.some((c) => c.loadsDotenv) || entryCode.loadsDotenv)
    for (const f of appDotenvPaths.length ? appDotenvPaths : ['.env']) if (!envFilesLoaded.includes(f)) envFilesLoaded.push(f);
  const envUnknown = app.code.some((c) => c.loadsDotenv && c.dotenvPathUnknown);
  const a: CommandAnalysis = { tool: 'node', toolText: target.executor, toolEnd: 0, toolStart: 0, strictPort: false, inlineEnv: {}, envFiles: [] };
  const framework = app.framework;
  codeListener(
    app,
    files,
    a,
    listen,
    {
      appId: app.id,
      script,
      command: target.command,
      scriptLocation: target.location,
      tool: target.executor,
      framework,
      role: target.role,
      drifts: false,
      loadedEnvFiles: envFilesLoaded.map((f) => path.resolve(app.dir, f)),
    },
    envFilesLoaded,
    envUnknown,
    found,
  );
}
