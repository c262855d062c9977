/**
 * The Crosswire model: apps, their settings, listeners, datasources and code defaults.
 * Every value keeps the file it came from and its exact source range, so every finding
 * points at the right characters. Positions are 0-based lines and UTF-16 columns, as in LSP.
 */

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A place in the workspace. `file` is an absolute, normalised path (forward slashes on POSIX). */
export interface Location {
  file: string;
  range: Range;
}

export type Severity = 'error' | 'warning' | 'info';

// ---------------------------------------------------------------------------------------------
// .env files

export type EnvQuote = '"' | "'" | '`' | '';

export interface EnvEntry {
  key: string;
  /** The value exactly as dotenv.parse returns it (quotes removed, escapes applied for "..."). */
  value: string;
  /** The value after dotenv-expand style `${VAR}` expansion against the app's environment. Filled by the index. */
  expanded?: string;
  /** Absolute path of the file. */
  file: string;
  /** Range of the key name. */
  keyRange: Range;
  /** Range of the value text as written, quotes included (empty range after `=` when the value is empty). */
  valueRange: Range;
  /** Range of the value inside its quotes (equal to valueRange when unquoted). */
  innerRange: Range;
  /** From the start of the key (or `export`) to the end of the value (last line for multi-line values). */
  range: Range;
  quote: EnvQuote;
  /** Line had an `export ` prefix. */
  exported: boolean;
}

/** How an env file is used. */
export type EnvFileKind = 'live' | 'template';

/**
 * The environment an env file belongs to: `.env`/`.env.local` are the default (development
 * on a developer machine), `.env.development*`, `.env.production*`, `.env.test*`, `.env.staging*`.
 */
export type EnvMode = 'default' | 'development' | 'production' | 'test' | 'staging' | string;

export interface EnvProblem {
  message: string;
  range: Range;
}

export interface EnvFile {
  file: string;
  /** File name only, e.g. `.env.local`. */
  name: string;
  kind: EnvFileKind;
  mode: EnvMode;
  /** `.local` variants: machine-local overrides. */
  local: boolean;
  entries: EnvEntry[];
  /** Lines the scanner could not make sense of (dotenv silently ignores them). */
  problems: EnvProblem[];
  /** The text that was parsed (kept so that fixes can compute edits). */
  text: string;
}

// ---------------------------------------------------------------------------------------------
// package.json

export interface ScriptInfo {
  name: string;
  command: string;
  /** Range of the script's value string (including its quotes) in package.json. */
  range: Range;
  /** Range of the command text inside the quotes. */
  innerRange: Range;
  /** Range of the script's key string in package.json. */
  keyRange: Range;
}

export interface PackageJsonInfo {
  file: string;
  name?: string;
  nameRange?: Range;
  version?: string;
  workspaces: string[];
  scripts: ScriptInfo[];
  /** dependencies + devDependencies + peerDependencies, name -> version range. */
  dependencies: Record<string, string>;
  main?: string;
  /** `"prisma": { "schema": "..." }`: where the Prisma CLI finds the schema (a file or a folder), relative to the package. */
  prismaSchema?: string;
  text: string;
}

// ---------------------------------------------------------------------------------------------
// Prisma

export interface PrismaAssignment {
  key: string;
  /** Raw value text, e.g. `env("DATABASE_URL")` or `"postgresql://..."`. */
  raw: string;
  /** For `env("X")`: X. */
  envVar?: string;
  /** For a string literal: its value. */
  literal?: string;
  /** The whole `key = value` line range. */
  range: Range;
  keyRange: Range;
  valueRange: Range;
}

export interface PrismaDatasource {
  file: string;
  name: string;
  /** Range of the `datasource name {` header. */
  headerRange: Range;
  /** Range of the whole block, `datasource` to `}`. */
  blockRange: Range;
  provider?: PrismaAssignment;
  url?: PrismaAssignment;
  directUrl?: PrismaAssignment;
  /** Every assignment in the block, in order. */
  assignments: PrismaAssignment[];
}

export interface PrismaSchemaInfo {
  file: string;
  datasources: PrismaDatasource[];
  /** Problems found by Prisma's own validator (prisma-schema-wasm) or by the block scanner. */
  problems: { message: string; range: Range; severity: Severity }[];
  text: string;
}

// ---------------------------------------------------------------------------------------------
// TS/JS and Python code facts (parsed, never executed)

/** `process.env.X ?? "default"`, `os.getenv("X", "default")`, `X: str = "default"` ... */
export interface CodeDefault {
  file: string;
  key: string;
  value: string;
  /** Range of the default string literal (without quotes). */
  range: Range;
  language: 'ts' | 'js' | 'python';
}

/** A `.listen(...)` call in a server entry file. */
export interface ListenCall {
  file: string;
  /** Literal port, when the argument is a number literal (or a string literal of digits). */
  literal?: number;
  /** `process.env.X` read for the port, e.g. PORT. */
  envVar?: string;
  /** Further variables read when envVar is unset, in order (`process.env.APP_PORT || process.env.PORT || 3000`). */
  alsoEnv?: string[];
  /** Fallback literal in `process.env.PORT ?? 3000` / `|| 3000` / `Number(process.env.PORT) || 3000`. */
  fallback?: number;
  /** Python: the port is a name defined elsewhere (`port=config.BACKEND_PORT` -> `BACKEND_PORT`), resolved by the index. */
  ref?: string;
  /** Python: the server function called (`uvicorn.run`, `app.run`, `web.run_app`); no port argument means its default port. */
  tool?: string;
  /** Python: the server's default port when the call passes none (uvicorn 8000, Flask 5000, aiohttp 8080). */
  defaultPort?: number;
  /**
   * The port is a field of a config service the file imports (Effect: `const config = yield* ServerConfig;
   * BunHttpServer.layer({ port: config.port })`): resolved by the index through the module's `effectConfigs`.
   */
  configRef?: { module: string; name: string; field: string };
  range: Range;
}

/** An Effect config (`Config.all({ port: Config.number("PORT").pipe(Config.withDefault(3000)) })`) a module declares, by the name it is used under. */
export interface EffectConfigDecl {
  /** The schema's variable, or a class (an Effect service) whose body uses it. */
  name: string;
  fields: { field: string; envVar: string; fallback?: number; range: Range }[];
}

/** A Vite port read from the environment: the first variable set wins, else the fallback. */
export interface VitePortEnv {
  envVar: string;
  alsoEnv?: string[];
  fallback?: number;
}

export interface CodeFileInfo {
  file: string;
  language: 'ts' | 'js' | 'python';
  defaults: CodeDefault[];
  listens: ListenCall[];
  /** The file loads .env files itself: `import 'dotenv/config'`, `require('dotenv').config()`, Nest `ConfigModule.forRoot`. */
  loadsDotenv: boolean;
  /** Explicit env file paths given to the loader (`config({ path: '.env.local' })`, `envFilePath`). Relative to the app dir when relative. */
  dotenvPaths: string[];
  /** A path given to the loader is computed in a way Crosswire does not evaluate: which files it loads is unknown. */
  dotenvPathUnknown?: boolean;
  /**
   * Vite `server.port` / `preview.port` / `strictPort` from a vite.config.*: a literal, a port read from the environment
   * (`Number(process.env.PORT) || 3000`), or why the port cannot be read (the config is computed; the default does not apply).
   */
  vite?: {
    serverPort?: number;
    serverPortRange?: Range;
    strictPort?: boolean;
    previewPort?: number;
    previewPortRange?: Range;
    serverPortEnv?: VitePortEnv;
    previewPortEnv?: VitePortEnv;
    serverPortUnknown?: string;
    previewPortUnknown?: string;
    /** The config calls Vite's `loadEnv()`: a variable it reads may come from the mode's env files. */
    loadsEnv?: boolean;
    /** Where the config is exported (`export default ...`), for an unknown port's location. */
    configRange?: Range;
  };
  /** Auth, session, cookie and CORS facts, for files that mention them. */
  auth?: AuthFacts;
  /** prisma.config.ts: `datasource.url` (literal or `env("X")` / `process.env.X`). */
  prismaConfig?: { envVar?: string; literal?: string; range: Range };
  /** Port variables an env schema of the file declares (`PORT: z.string()` in `createEnv`, `z.object`): the app's code consumes them. */
  schemaPortKeys?: string[];
  /** Effect configs the module declares (a field read from the environment, with its `Config.withDefault`). */
  effectConfigs?: EffectConfigDecl[];
  /** Local web URLs with a port written as string literals (not env defaults): `return "http://localhost:3000"`. */
  urlLiterals?: { value: string; range: Range }[];
  /** `new PrismaPg({ ..., max })` / `new Pool({ max })`: the driver pool size, when written. */
  driverPools: { kind: 'adapter-pg' | 'pg-pool'; max?: number; range: Range; connectionEnvVar?: string }[];
  problems: { message: string; range: Range }[];
  /**
   * Placeholder secrets the code compares a value with (`if value == "changethis": raise ...`): the app refuses them
   * itself, so weak-secret does not report them.
   */
  placeholderGuards?: string[];
  text: string;
}

// ---------------------------------------------------------------------------------------------
// Auth, sessions, cookies, CORS (from TS/JS, parsed, never executed)

/** Code that reads a secret: `secret: process.env.NEXTAUTH_SECRET`, `jwt.sign(p, process.env.JWT_SECRET)`, ... */
export interface SecretRead {
  file: string;
  /** The env variable read, when it is one (undefined for a literal or an unknown expression). */
  envVar?: string;
  /** Alternative env variables read as fallbacks (`process.env.AUTH_SECRET ?? process.env.NEXTAUTH_SECRET`). */
  alternatives: string[];
  /** What the secret is for. */
  kind: 'nextauth' | 'jwt' | 'session';
  /** Whether the code signs with it, only verifies with it (passport-jwt, `jwt.verify`, jose `jwtVerify`), or both (JwtModule, NextAuth, sessions). */
  use?: 'sign' | 'verify' | 'both';
  /** A literal secret written in code (its range; its value is never kept). */
  literal?: boolean;
  range: Range;
}

/** An identifier imported from another module of the workspace (`import { NAME } from './const'`), resolved by the rules (parse only). */
export interface ConstRef {
  /** The module specifier as written (`./const`, `../../const`). */
  module: string;
  /** The exported name. */
  name: string;
}

/** NextAuth / Auth.js options found in code. */
export interface NextAuthOptionsFact {
  file: string;
  /** 4 for next-auth v4 (`NextAuthOptions`, `next-auth` import), 5 for Auth.js (`NextAuth({...})` exporting handlers / `@auth/*`). */
  version: 4 | 5;
  /** Range of the options object's first line (where the finding sits). */
  range: Range;
  /** Offset just after the `{` of the options object, and the object's indentation, for inserting properties. */
  insertAt: Position;
  indent: string;
  /** `cookies.sessionToken.name` when set (literal). */
  sessionCookieName?: { value: string; range: Range };
  /** `session.strategy` when set. */
  sessionStrategy?: 'jwt' | 'database';
  /** An `adapter:` is configured (database sessions by default). */
  hasAdapter: boolean;
  /** `useSecureCookies` literal, if set. */
  useSecureCookies?: boolean;
  /** Range of the `useSecureCookies` property, when written (literal or not). */
  useSecureCookiesRange?: Range;
  /** `cookies.sessionToken` is configured (its name may still be non-literal: then `sessionCookieName` is undefined). */
  customSessionToken?: boolean;
  /** The session cookie's name is an imported constant: resolved within the workspace, else unknown. */
  sessionCookieNameRef?: ConstRef & { range: Range };
  /**
   * The cookies cannot be read statically: a spread in the options (`...authConfig`), `cookies: someVariable`, a
   * computed `cookies`: the session cookie's name and options are unknown (never the library's default).
   */
  opaqueCookies?: boolean;
  /** A `cookies: { ... }` object literal is present: where to insert into it (just after its `{`) and the indentation of its properties. */
  cookiesObject?: { insertAt: Position; indent: string };
}

export type CookieLib = 'iron-session' | 'next-auth' | 'express-session' | 'cookie-session' | 'res.cookie' | 'next-cookies' | 'unknown';

/** A cookie options object in code. */
export interface CookieOptionsFact {
  file: string;
  lib: CookieLib;
  /** The cookie name when known (`cookieName`, `name`, first argument of `res.cookie`). */
  name?: string;
  /** Range of the literal that names the cookie (the `cookieName:` / `name:` property, or the first argument), when written. */
  nameRange?: Range;
  /** Range of the options object (or of the call when options are absent). */
  range: Range;
  /** Each option as written: a literal, or `production` for `process.env.NODE_ENV === "production"`. */
  secure?: { value: boolean | 'production' | 'unknown'; range: Range };
  httpOnly?: { value: boolean | 'unknown'; range: Range };
  sameSite?: { value: string; range: Range };
  path?: { value: string; range: Range };
  /** The object is the session cookie of the app (iron-session, next-auth session token, express-session). */
  session: boolean;
  /**
   * The options are not all written out: a spread (`...baseOptions`, `...(cond ? { sameSite: 'none' } : {})`), a
   * variable or call that could not be resolved in the file. Attributes it does not show are unknown, not missing.
   */
  opaque?: boolean;
  /** The name is an imported constant (resolved within the workspace by the rules, else unknown). */
  nameRef?: ConstRef;
  /** The name is written but cannot be read (computed, or an unresolved identifier): unknown, never the default. */
  nameUnknown?: boolean;
}

/** `express-session` / `cookie-session` / in-memory session maps. */
export interface SessionStoreFact {
  file: string;
  kind: 'express-session' | 'memory-map' | 'memory-adapter' | 'iron-session' | 'cookie-session' | 'next-auth-jwt';
  /** express-session configured with a `store:`. */
  hasStore: boolean;
  range: Range;
}

/** `enableCors({ origin })` / `cors({ origin })`. */
export interface CorsFact {
  file: string;
  /** Literal origins when written literally. */
  origins?: string[];
  /** The env variable the origin comes from (`process.env.CORS_ORIGIN`, `config.get('CORS_ORIGIN')`). */
  envVar?: string;
  credentials: boolean;
  /** `origin: true`: the middleware reflects the request's Origin (every origin allowed, credentials included). */
  reflect?: boolean;
  /** The env value is split into a list in code (`process.env.CORS_ORIGIN.split(',')`). */
  splits?: boolean;
  range: Range;
}

export interface AuthFacts {
  secretReads: SecretRead[];
  nextAuth: NextAuthOptionsFact[];
  cookies: CookieOptionsFact[];
  sessions: SessionStoreFact[];
  cors: CorsFact[];
  /** Imports of interest: 'next-auth', '@auth/core', 'iron-session', 'jsonwebtoken', '@nestjs/jwt', 'express-session', ... */
  imports: string[];
}

// ---------------------------------------------------------------------------------------------
// docker compose, PM2, PostgreSQL settings

export interface ComposePort {
  /** The published host port. */
  host: number;
  container?: number;
  /** Host IP the port is bound to (`127.0.0.1`, `0.0.0.0`, `::`), when given. */
  hostIp?: string;
  protocol: 'tcp' | 'udp';
  range: Range;
}

export interface ComposeService {
  file: string;
  name: string;
  image?: string;
  nameRange: Range;
  /** Ports published on a fixed host port, as written (no interpolation: specs with `$` are in `rawPorts` only). */
  ports: ComposePort[];
  /** Every `ports:` entry as written (short syntax, or the long syntax's fields), to interpolate with the project's `.env`. */
  rawPorts: ComposeRawPort[];
  profiles: string[];
  /** `-c max_connections=N` in `command:`. */
  maxConnections?: { value: number; range: Range };
  /** `build:` (a string is the context), uninterpolated. */
  build?: { context?: string; dockerfile?: string; target?: string; range: Range };
  /** `environment:` (map or list), uninterpolated; `value` undefined for a bare `KEY` (taken from the shell). */
  environment: ComposeValue[];
  /** `env_file:` entries (string, list of strings or of `{ path, required }`), uninterpolated. */
  envFiles: { path: string; required: boolean; range: Range }[];
  /** `extends: { file, service }` (or `extends: service`). */
  extends?: { file?: string; service: string };
  dependsOn: string[];
  containerName?: string;
}

export interface ComposeValue {
  key: string;
  value?: string;
  range: Range;
}

export interface ComposeRawPort {
  /** Short syntax (`"${WEB_PORT:-3000}:3000"`), or undefined for the long syntax. */
  spec?: string;
  published?: string;
  target?: string;
  hostIp?: string;
  protocol?: string;
  range: Range;
}

export interface ComposeFileInfo {
  file: string;
  services: ComposeService[];
  problems: { message: string; range: Range }[];
  text: string;
  /** Top-level `name:` (the project name), uninterpolated. */
  name?: string;
  /** Top-level `include:` paths (relative to the file), uninterpolated. */
  includes: string[];
  /** Whether the text is a compose file at all (a top-level `services:` or `include:`): files found by a broad name pattern that are not are ignored. */
  isCompose: boolean;
}

export interface Pm2AppFact {
  file: string;
  name?: string;
  script?: string;
  args?: string;
  cwd?: string;
  /** `instances`: a number, or 'max' (one per core); -1 means cores - 1. */
  instances?: number | 'max';
  instancesRange?: Range;
  execMode?: string;
  /** `env` (and `env_production`) literal values. */
  env: Record<string, { value: string; range: Range }>;
  envProduction: Record<string, { value: string; range: Range }>;
  range: Range;
}

export interface Pm2ConfigInfo {
  file: string;
  apps: Pm2AppFact[];
  problems: { message: string; range: Range }[];
  text: string;
}

/** `max_connections = N` in a postgresql.conf. */
export interface PostgresConfInfo {
  file: string;
  maxConnections?: { value: number; range: Range };
  text: string;
}

// ---------------------------------------------------------------------------------------------
// Apps

export type Framework =
  | 'next'
  | 'vite'
  | 'nest'
  | 'express'
  | 'fastify'
  | 'koa'
  | 'hono'
  | 'remix'
  | 'astro'
  | 'nuxt'
  | 'angular'
  | 'cra'
  | 'storybook'
  | 'expo'
  | 'react-email'
  | 'wrangler'
  | 'docusaurus'
  | 'gatsby'
  | 'rsbuild'
  | 'vitepress'
  | 'mintlify'
  | 'partykit'
  | 'strapi'
  | 'webpack'
  | 'node'
  | 'python'
  | 'unknown';

/** How a listener's port was decided, from strongest to weakest. */
export type PortSource = 'flag' | 'inline-env' | 'loaded-env' | 'config' | 'listen' | 'default';

/** One server an app will start: one per dev/start-like script. */
export interface Listener {
  appId: string;
  /** Script name in package.json (`dev`, `start`, ...). */
  script: string;
  command: string;
  framework: Framework;
  /** Which framework command binds the port, e.g. `next dev`, `vite preview`, `node server.js`. */
  tool: string;
  port: number;
  how: PortSource;
  /** The app set the port itself (anything but the framework's default). */
  explicit: boolean;
  /** The server moves to the next free port when its port is taken (`next dev`, Vite without strictPort). */
  drifts: boolean;
  /** Where the port comes from: the .env line, the config line, or the script string for flags/defaults. */
  source: Location;
  /** The script's value string in package.json. */
  scriptLocation: Location;
  /** Human explanation, e.g. "`next dev -p 8080` in script \"dev\"". */
  reason: string;
  /** Env variable the server reads its port from, when it reads one (PORT). */
  portEnvVar?: string;
  /** The env files loaded into process.env before the server starts (absolute paths), if any. */
  loadedEnvFiles: string[];
  /** Offset in `command` just after the tool's words (where a port flag can be inserted). */
  toolEnd?: number;
  /**
   * What the process is for: a dev server, a production server, a preview of a build, a component explorer,
   * or `server` when nothing tells (a plain `node server.js`, a Python `uvicorn.run`): it runs in any mode.
   */
  role: 'dev' | 'start' | 'preview' | 'storybook' | 'server';
  /** The flag a port fix writes after the tool's words, `{port}` standing for the port (` -p {port}`), when the framework takes one. */
  fixFlag?: string;
  /** The framework's name for messages (`Next.js`, `Vite`). */
  frameworkLabel?: string;
}

/** A server process whose port Crosswire cannot know statically: rules never guess it (`crosswire apps` shows the reason). */
export interface UnknownPort {
  appId: string;
  script: string;
  command: string;
  /** Why the port is unknown, e.g. "no src/main.ts found for `nest start`". */
  reason: string;
  location: Location;
  role: Listener['role'];
}

export interface App {
  /** Stable id: the app's folder relative to its workspace root (`.` for the root itself), prefixed by the root's name when several roots. */
  id: string;
  /** package.json name, else the folder name. */
  name: string;
  /** Absolute folder. */
  dir: string;
  /** The workspace folder it belongs to. */
  root: string;
  /** Apps with the same replica key are replicas of one app (same package name). */
  replicaKey: string;
  packageJson?: PackageJsonInfo;
  framework: Framework;
  /** Prisma major version from the app's dependencies (`prisma`, `@prisma/client`), if known. */
  prismaMajor?: number;
  hasPrismaConfig: boolean;
  /**
   * An Nx project.json in the app's folder declares `"projectType": "library"`: code (a schema, migrations) other
   * apps use, with no process of its own (a `package` fact).
   */
  nxLibrary?: boolean;
  /** The Nx project name its project.json gives (`"name": "server-api"`), which `nx run-many -p` selects by. */
  nxName?: string;
  /** The folder holds a project of a language Crosswire does not model (`Go`, `Java`, `Ruby`...): servers whose ports are unknown (a `package` fact). */
  foreign?: string;
  envFiles: EnvFile[];
  schemas: PrismaSchemaInfo[];
  code: CodeFileInfo[];
  listeners: Listener[];
  /** Server processes whose port cannot be known statically. */
  unknownPorts: UnknownPort[];
  /** docker compose files in the app's folder. */
  compose: ComposeFileInfo[];
  /** PM2 ecosystem files in the app's folder. */
  pm2: Pm2ConfigInfo[];
  /** The machine the app runs on: 'local' unless configured (`hosts`), or a replica's own machine. */
  host: string;
}

// ---------------------------------------------------------------------------------------------
// Findings and fixes

export interface TextEditAt {
  file: string;
  range: Range;
  newText: string;
}

/**
 * How safely a fix can be applied without a person looking at it (`crosswire audit --fix`, `source.fixAll.crosswire`):
 * - 'safe': needs no judgement and writes no secret (a connection_limit, a cookie option, a port the fix chose);
 * - 'secret': writes a generated secret into an env file (`--fix-secrets` only, never on save);
 * - 'judgement': a person must choose (which replica is right, which CORS origin to trust...). The default.
 */
export type FixKind = 'safe' | 'secret' | 'judgement';

export interface Fix {
  title: string;
  /** What applying it without review risks; absent = 'judgement' (offered as a quick fix only). */
  kind?: FixKind;
  /**
   * Its choice depends on the rest of the workspace (a free port): applied in bulk, one such fix per pass, and the
   * workspace is re-audited before the next (two apps of a collision would otherwise both move to the same free port).
   */
  workspaceWide?: boolean;
  /** Computes the edits against the index's current text (open documents' unsaved text included). */
  edits(): TextEditAt[];
  /** Marks the preferred fix (VS Code's "auto fix" / lightbulb default). */
  preferred?: boolean;
}

export interface RelatedInfo {
  location: Location;
  message: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  location: Location;
  related: RelatedInfo[];
  /** Id of the app the finding belongs to, if any. */
  appId?: string;
  fixes: Fix[];
}

/** What one incremental update changed, as the index reports it to the engine. */
export interface IndexChange {
  file: string;
  /** Kind of the changed file ('env', 'code', ...). */
  kind: string;
  /** Env keys whose values (expanded) changed anywhere in the app, with their old and new values. */
  envChanges: { key: string; values: string[] }[];
  listenersChanged: boolean;
  /** Anything other than env values and listeners may have changed (code facts, schemas, compose...). */
  other: boolean;
}

/** A monorepo root's package.json: not an app, but its scripts start the apps' scripts (turbo, nx, `pnpm -r`, ...). */
export interface MonorepoRoot {
  dir: string;
  root: string;
  pkg: PackageJsonInfo;
  /** The package globs it declares (`workspaces`, pnpm-workspace.yaml `packages`), relative to `dir`; empty when none. */
  packageGlobs?: string[];
}

/** Processes one entry script starts together (see index/runs.ts). */
export interface RunSet {
  /** Where the entry script is (its value string in package.json). */
  location: Location;
  /** How it starts them, for messages: `turbo run dev` in script "dev" of package.json. */
  label: string;
  /** Processes started together (keys from {@link processKey}). */
  processes: string[];
  /** Started by a test runner before its tests (Playwright's webServer): its processes are compared only with each other. */
  harness?: boolean;
}

export interface Runs {
  /** Processes something starts. */
  running: Set<string>;
  /** Run sets of two or more processes of different apps (certain to run together). */
  sets: RunSet[];
  /** Process key -> indexes into `sets`. */
  setsOf: Map<string, number[]>;
  /** Processes only a test runner starts (not in `running`): compared only with the processes started with them. */
  harnessOnly?: Set<string>;
}

/** What rules see of the workspace index. Read-only. */
export interface WorkspaceView {
  readonly roots: readonly string[];
  readonly apps: readonly App[];
  appById(id: string): App | undefined;
  /** Current text of a file (open document's unsaved text, else disk). */
  textOf(file: string): string | undefined;
  /** Workspace-wide options, e.g. core count used for pool defaults. */
  readonly options: EngineOptions;
  /** The merged configuration. */
  readonly config: CrosswireConfig;
  /** docker compose files anywhere in the workspace (also those outside apps). */
  readonly composeFiles: readonly ComposeFileInfo[];
  /** postgresql.conf files in the workspace. */
  readonly postgresConfs: readonly PostgresConfInfo[];
  /** Monorepo roots (package.json files that are not apps). */
  readonly monorepoRoots: readonly MonorepoRoot[];
  /** Which server processes run, and which certainly run together (computed once per set of apps). */
  runs(): Runs;
}

export interface EngineOptions {
  /** Physical cores assumed for Prisma's default pool size (2 × cores + 1) and PM2 `instances: "max"`. */
  cores: number;
  /** Largest file Crosswire reads, in bytes. */
  maxFileSize: number;
  /** Called while the workspace is indexed, with the number of files read so far (the CLI's progress line). */
  onProgress?: (filesRead: number) => void;
}

export type SeveritySetting = 'off' | Severity;

/** crosswire.config.json, merged over all workspace folders (and VS Code settings / --config). */
export interface CrosswireConfig {
  rules: Record<string, SeveritySetting>;
  /** Globs (relative to the workspace folder) of files and folders Crosswire ignores. */
  ignore: string[];
  /** Explicit replica groups: folders (relative) that are the same app. */
  replicas: string[][];
  /** Apps (folders, relative) that run on another machine: host name per folder. */
  hosts: Record<string, string>;
  /** max_connections per database server (`host:port`, local hosts as `localhost:5432`). */
  maxConnections: Record<string, number>;
  cores?: number;
  /**
   * Groups of app folders (relative) that must use the same secrets: a token signer and its verifier (an API and its
   * websocket gateway). duplicate-secret never reports them against each other; replica-drift reports them when they differ.
   */
  sharedSecrets?: string[][];
  /**
   * `suppress`: findings turned off one at a time where a file has no comments (package.json), or from outside the
   * file: a rule, in one file (absolute here; written relative to the config file's folder), optionally on one line.
   */
  suppress?: ConfigSuppression[];
}

export interface ConfigSuppression {
  rule: string;
  /** Absolute path of the file the findings are in. */
  file: string;
  /** 1-based line of the finding's start; absent = the whole file. */
  line?: number;
  /** Where the entry is written (for unused-suppression). */
  source: Location;
  /** The file as written in the config (for messages). */
  written: string;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}
