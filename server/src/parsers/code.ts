import type { CodeDefault, CodeFileInfo, EffectConfigDecl, ListenCall, Range } from '../model/types';
import { LineIndex } from '../model/text';
import { GUARD_HINT, isGuardedPlaceholder } from '../model/placeholder';
import { envVarRead, extractAuthFacts, mayHaveAuthFacts } from './auth';
import { forEachChild, forEachChildWithTypes, isCall, parenthesized, keyName, member, parseJs, stringValue, unwrap, type t } from './js';
import { calleeName, findDeclarator, isClassLike, isFunctionLike, isTrue, numberText, textOf, topStatements } from './js-read';
import * as path from 'node:path';

/** `http://localhost:3000/...`, `ws://127.0.0.1:8080`: a local web URL with an explicit port. */
const LOCAL_URL = /^(https?|wss?):\/\/(localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0):\d{2,5}(\/|$)/;

/** An Effect config read from the environment: `Config.number("PORT")`, `Config.port("PORT")`. */
const EFFECT_CONFIG = /\bConfig\.(number|integer|port)\(/;

/** An upper-case env key with a schema default on its line (`PORT: z.coerce.number().default(3001)`). */
const ENV_SCHEMA_KEY = /\b[A-Z][A-Z0-9_]{2,}\s*:[^\n]*\.default\(/;

/**
 * Test sources by name, in the workspace (`*.test.ts`, `*.spec.js`, `*.e2e.ts`, stories, files under `__tests__`,
 * `__mocks__`, `__fixtures__`): what they hold is a test's input (a server on a test port, `dotenv` loaded for the
 * tests, a JWT signed with a test secret), not what an app runs with, so they are not parsed. Test code whose name
 * does not say so (a `test/` or `e2e/` folder, which may also hold an app) is parsed, and rules tell it apart
 * (facts/util.ts `isTestCode`).
 */
export const TEST_SOURCE = /(^|[\\/])(__tests__|__mocks__|__fixtures__)[\\/]|\.(test|spec|e2e|stories|story)\.[cm]?[jt]sx?$/;

/**
 * Cheap pre-filter: only files that may hold a fact are parsed at all. Parsing is most of a cold audit, and most
 * source files that merely mention `process.env` or `next-auth` hold no fact, so each clause asks for the textual
 * shape of one fact the reader records, not for a keyword alone; a file none matches would give a CodeFileInfo with
 * no facts, which the index drops anyway. One pass over the text finds the clauses' keywords (FACT_KEYWORDS), and
 * only the clause of a keyword present is tried, once. `server/test/code-prefilter.test.ts` checks the clauses
 * against the reader.
 */
export function mayHaveCodeFacts(text: string, file = ''): boolean {
  // Vite's and Prisma's configs are read by file name.
  if (VITE_CONFIG.test(file) || PRISMA_CONFIG.test(file)) return true;
  let tried = 0;
  FACT_KEYWORDS.lastIndex = 0;
  for (let m = FACT_KEYWORDS.exec(text); m; m = FACT_KEYWORDS.exec(text)) {
    const clause = m.indexOf(m[0], 1);
    if (tried & (1 << clause)) continue;
    tried |= 1 << clause;
    if (CLAUSES[clause - 1](text)) return true;
  }
  return false;
}

/** The clauses of mayHaveCodeFacts, in the order of FACT_KEYWORDS's groups. */
const CLAUSES: ((text: string) => boolean)[] = [
  // `.env`: a string default of an env read: `process.env.X ?? 'x'`, `(import.meta.env.X as string) || "x"`.
  (t) => ENV_DEFAULT.test(t),
  // `config`: `config.get('X', 'x')`, `configService.get<string>('X') ?? 'x'` (NestJS ConfigService and its kin);
  // NestJS `ConfigModule.forRoot(...)` (env loading); Effect's `Config.number('PORT')`.
  (t) => CONFIG_GET_DEFAULT.test(t) || CONFIG_MODULE.test(t) || EFFECT_CONFIG.test(t),
  // `.default(`: an env schema's literal default (`PORT: z.coerce.number().default(3001)`).
  (t) => SCHEMA_DEFAULT.test(t),
  // `PORT`: an env schema's port key (`API_PORT: z.string()`).
  (t) => SCHEMA_PORT_KEY.test(t),
  // `.listen(`: a server.
  () => true,
  // `serve(`: `serve({ fetch })`, `Bun.serve`, `Deno.serve`.
  () => true,
  // `HttpServer`: Effect's `*HttpServer.layer(...)`.
  (t) => t.includes('HttpServer.layer('),
  // `export default`: Bun's `export default { fetch }`, or `export default app` of a Hono or Elysia app.
  (t) => (EXPORT_DEFAULT_OBJECT.test(t) && t.includes('fetch')) || (EXPORT_DEFAULT_NAME.test(t) && HONO_OR_ELYSIA.test(t)),
  // `dotenv`: `import 'dotenv/config'`, dotenv's `config({ path })`.
  (t) => DOTENV.test(t),
  // `Pool`, `PrismaPg`: driver pools (`new PrismaPg({...})`, `new Pool({ max })`, `new pg.Pool(...)`).
  (t) => t.includes('PrismaPg') || POOL.test(t),
  // A quoted `change...`, `replace...`, `your...`: `if (secret === 'change-me') throw ...`, a guard the reader records.
  (t) => GUARD_HINT.test(t) && guardedPlaceholderWritten(t),
  // An auth keyword: the auth facts' shapes.
  (t) => mayHoldAuthFact(t),
  // A local URL with a port in a string (`fetch('http://localhost:4000/api')`), read in files that mention a
  // keyword of another fact (URL_CONTEXT), not in every test, story or docs page that names a local address.
  (t) => LOCAL_URL_HINT.test(t) && URL_CONTEXT(t),
];

/**
 * The auth facts' shapes (auth.ts records them only in files its own coarse hint lets through): NextAuth's options
 * (the call, a typed object, an object with `providers` in a file importing next-auth), JWT secrets, session
 * middleware and stores, iron-session's options, cookies set by `res.cookie(...)` or `cookies().set(...)`, CORS.
 */
function mayHoldAuthFact(text: string): boolean {
  if (!mayHaveAuthFacts(text)) return false;
  return (
    /NextAuth\s*\(|NextAuthOptions|AuthOptions|NextAuthConfig/.test(text) ||
    (/next-auth|@auth\//.test(text) && text.includes('providers')) ||
    /jsonwebtoken|jwtVerify|SignJWT|@nestjs\/jwt|JwtModule|secretOrKey/.test(text) ||
    /express-session|cookie-session|MemoryStore|sessions?\s*=\s*new Map/.test(text) ||
    (text.includes('cookieName') && text.includes('password')) ||
    text.includes('.cookie(') ||
    /cookies[^;]{0,200}?\.set\s*\(/.test(text) ||
    /enableCors|cors\(|@fastify\/cors|\bcors\s*:/.test(text)
  );
}

/** Whether a comparison with a literal the code reader records as a guarded placeholder is written. */
function guardedPlaceholderWritten(text: string): boolean {
  for (const m of text.matchAll(GUARD_LITERAL)) if (isGuardedPlaceholder(m[3] ?? m[5] ?? '')) return true;
  return false;
}

/**
 * Where local URLs are read: files that mention a keyword of some other fact (the pre-filter's first, coarse test,
 * kept for this clause so that the URLs read are the same as before the filter asked for shapes).
 */
function URL_CONTEXT(text: string): boolean {
  return (
    text.includes('process.env') ||
    text.includes('import.meta.env') ||
    text.includes('.listen(') ||
    text.includes('serve(') ||
    /export\s+default\s*\{/.test(text) ||
    (/export\s+default\s+\w/.test(text) && /new\s+\w*(Hono|Elysia)\b/.test(text)) ||
    text.includes('dotenv') ||
    text.includes('ConfigModule') ||
    text.includes('defineConfig') ||
    text.includes('server:') ||
    text.includes('PrismaPg') ||
    text.includes('new Pool') ||
    EFFECT_CONFIG.test(text) ||
    (text.includes('.default(') && ENV_SCHEMA_KEY.test(text)) ||
    text.includes('createEnv(') ||
    text.includes('HttpServer.layer(') ||
    mayHaveAuthFacts(text) ||
    GUARD_HINT.test(text)
  );
}

/** The keyword of each clause of mayHaveCodeFacts, a group each (in the order of CLAUSES): a file with none holds no fact. */
const FACT_KEYWORDS = new RegExp(
  [
    /(\.env\b)/,
    /([cC][oO][nN][fF][iI][gG])/,
    /(\.(?:default|prefault|catch)\()/,
    /(PORT)/,
    /(\.listen\()/,
    /(\bserve\s*\()/,
    /(HttpServer)/,
    /(export\s+default)/,
    /([dD][oO][tT][eE][nN][vV])/,
    /(Pool\b|PrismaPg)/,
    /(["'](?:[cC][hH][aA][nN][gG][eE]|[rR][eE][pP][lL][aA][cC][eE]|[yY][oO][uU][rR]))/,
    // next-auth, @auth/, NextAuth, jsonwebtoken, jwtVerify, SignJWT, @nestjs/jwt, JwtModule, *-session, sessions =,
    // cookies, .cookie(, cookieOptions, enableCors, cors, secretOrKey (few alternatives: the one pass stays fast)
    /([aA]uth|[jJ]wt|JWT|jsonwebtoken|session|cookie|[cC]ors|secretOrKey)/,
    /(:\/\/(?:localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0):\d)/,
  ]
    .map((r) => r.source)
    .join('|'),
  'g',
);
const VITE_CONFIG = /(^|[\\/])vite\.config\.[cm]?[jt]s$/;
const PRISMA_CONFIG = /(^|[\\/])prisma\.config\.[cm]?[jt]s$/;
/** An env read, then (within the statement: a cast, a `!`, parentheses) `??` or `||` and a string. */
const ENV_DEFAULT = /(?:process|import\.meta)\??\.env\b[^;]{0,160}?(?:\?\?|\|\|)\s*\(*\s*["'`]/;
/** `config.get('X', ...)`, `config.get<T>('X') ?? ...` on an object whose name says config. */
const CONFIG_GET_DEFAULT = /config\w*\s*\??\.\s*get(?:OrThrow)?\s*(?:<[^>]{0,80}>)?\s*\(\s*["'`][A-Z][A-Z0-9_]*["'`]\s*(?:,|\)[^;]{0,80}?(?:\?\?|\|\|))/i;
/** An upper-case key, then within its call chain `.default(` (or `.prefault(`, `.catch(`) of a string or number. */
const SCHEMA_DEFAULT = /\b[A-Z][A-Z0-9_]*["']?\s*:[\s\S]{0,400}?\.(?:default|prefault|catch)\(\s*\(*\s*["'`\d]/;
const SCHEMA_PORT_KEY = /\b(?:[A-Z][A-Z0-9_]*_)?PORT["']?\s*:/;
const EXPORT_DEFAULT_OBJECT = /export\s+default\s*\{/;
const EXPORT_DEFAULT_NAME = /export\s+default\s+\w/;
const HONO_OR_ELYSIA = /new\s+\w*(Hono|Elysia)\b/;
const DOTENV = /dotenv\/config|["']dotenv["']|dotenv\w*\s*\.\s*config\s*\(/i;
const CONFIG_MODULE = /ConfigModule\s*\.\s*forRoot/;
const GUARD_LITERAL = /(==|!=)\s*(["'])([^"'\n]{0,80})\2|(["'])([^"'\n]{0,80})\4\s*(==|!=)/g;
const LOCAL_URL_HINT = /(?:https?|wss?):\/\/(?:localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0):\d/;
const POOL = /new\s+(?:\w+\.)?Pool\b/;

/** `process.env.X`, `process.env["X"]`, `import.meta.env.X` -> X */
function envRead(e: t.Node): string | undefined {
  const x = unwrap(e);
  const isEnvObj = (o: t.Node) => {
    const u = member(unwrap(o));
    if (u?.name === 'env') {
      const b = unwrap(u.object);
      if (b.type === 'Identifier' && b.name === 'process') return true;
      if (b.type === 'MetaProperty') return true;
    }
    return false;
  };
  const m = member(x);
  if (m && isEnvObj(m.object)) return m.name;
  if ((x.type === 'MemberExpression' || x.type === 'OptionalMemberExpression') && x.computed && isEnvObj(x.object)) return stringValue(x.property);
  // configService.get('PORT') / config.get<number>('PORT')
  const callee = isCall(x) && !parenthesized(x.callee) ? member(x.callee) : undefined;
  if (isCall(x) && callee && (callee.name === 'get' || callee.name === 'getOrThrow')) {
    const a = stringValue(x.arguments[0]);
    const obj = unwrap(callee.object);
    const objName = obj.type === 'Identifier' ? obj.name : (member(obj)?.name ?? '');
    if (a !== undefined && /config/i.test(objName) && /^[A-Z][A-Z0-9_]*$/.test(a)) return a;
  }
  return undefined;
}

function numberLiteral(e: t.Node | undefined): number | undefined {
  if (!e) return undefined;
  const x = unwrap(e);
  if (x.type === 'NumericLiteral') return x.value;
  const s = stringValue(x);
  if (s !== undefined && /^\d{1,5}$/.test(s)) return Number(s);
  return undefined;
}

interface PortExpr {
  literal?: number;
  envVar?: string;
  /** Further variables read when envVar is unset (`process.env.APP_PORT || process.env.PORT || 3000`). */
  alsoEnv?: string[];
  fallback?: number;
}

/** Understands the usual ways to compute a port. */
function portExpr(e: t.Node, program: t.Program, depth = 0): PortExpr | undefined {
  if (depth > 4) return undefined;
  const x = unwrap(e);
  const lit = numberLiteral(x);
  if (lit !== undefined) return { literal: lit };
  const env = envRead(x);
  if (env) {
    // config.get('PORT', 3000)
    if (isCall(x) && x.arguments[1]) return { envVar: env, fallback: numberLiteral(x.arguments[1]) };
    return { envVar: env };
  }
  if (x.type === 'LogicalExpression' && (x.operator === '??' || x.operator === '||')) {
    const left = portExpr(x.left, program, depth + 1);
    const right = portExpr(x.right, program, depth + 1);
    if (left?.envVar) {
      const also = [...(left.alsoEnv ?? []), ...(right?.envVar ? [right.envVar, ...(right.alsoEnv ?? [])] : [])];
      return { envVar: left.envVar, ...(also.length ? { alsoEnv: also } : {}), fallback: right?.literal ?? right?.fallback ?? left.fallback };
    }
    return left ?? right;
  }
  if (x.type === 'UnaryExpression' && x.operator === '+') return portExpr(x.argument, program, depth + 1);
  // `process.env.PORT ? Number(process.env.PORT) : 3000`: the variable when set, else the other branch.
  if (x.type === 'ConditionalExpression') {
    const tested = envRead(x.test) ?? definedTest(x.test);
    const whenSet = portExpr(x.consequent, program, depth + 1);
    const otherwise = portExpr(x.alternate, program, depth + 1);
    if (tested && whenSet?.envVar === tested) return { envVar: tested, fallback: otherwise?.literal ?? otherwise?.fallback };
    return undefined; // a condition on something else (NODE_ENV, a flag): which branch runs is not known statically
  }
  if (isCall(x)) {
    const r = portOfCall(x, program, depth);
    if (r) return r;
  }
  return portOfName(x, program, depth);
}

/** `Number(x)`, `parseInt(x)`, `Effect.runSync(x)`, and typed env helpers: `parseEnv("API_PORT", "number", 3001)`,
 * `getEnv('PORT', 3000)`, `env.number('PORT', 3000)`. */
function portOfCall(x: t.CallExpression | t.OptionalCallExpression, program: t.Program, depth: number): PortExpr | undefined {
  const callee = unwrap(x.callee);
  const name = calleeName(callee);
  if ((name === 'Number' || name === 'parseInt' || name === 'String' || name === 'parseFloat') && x.arguments[0])
    return portExpr(x.arguments[0], program, depth + 1);
  // Effect's `Effect.runSync(program)`: the program's value.
  if (name === 'runSync' && x.arguments.length === 1) return portExpr(x.arguments[0], program, depth + 1);
  const m = member(callee);
  const owner = m ? unwrap(m.object) : undefined;
  const envHelper = /env/i.test(name) || (!!owner && owner.type === 'Identifier' && /env/i.test(owner.name));
  const first = x.arguments[0] && stringValue(unwrap(x.arguments[0]));
  if (envHelper && first !== undefined && /^[A-Z][A-Z0-9_]*PORT$/.test(first)) {
    const last = x.arguments.length > 1 ? numberLiteral(unwrap(x.arguments[x.arguments.length - 1])) : undefined;
    return last !== undefined ? { envVar: first, fallback: last } : { envVar: first };
  }
  return undefined;
}

/** A variable (through its declaration in the file), `env.PORT` of a validated env object, `config.port` of an
 * object declared in the file. */
function portOfName(x: t.Node, program: t.Program, depth: number): PortExpr | undefined {
  if (x.type === 'Identifier') {
    const decl = findDeclarator(program, x.name);
    if (decl?.init) return portExpr(decl.init, program, depth + 1);
    // `const { PORT } = env()`: a variable of a validated env object (t3-env, zod); its default lives in the schema.
    if (!decl && /^([A-Z][A-Z0-9_]*_)?PORT$/.test(x.name) && destructured(program, x.name)) return { envVar: x.name };
  }
  const m = member(x);
  if (!m) return undefined;
  const obj = unwrap(m.object);
  // `env.PORT` of a validated env object (t3-env, zod): the variable, its default from the schema.
  if (/^([A-Z][A-Z0-9_]*_)?PORT$/.test(m.name) && obj.type === 'Identifier' && /env/i.test(obj.name)) return { envVar: m.name };
  // config.port where `const config = { port: ... }`
  if (obj.type === 'Identifier') {
    const decl = findDeclarator(program, obj.name);
    const init = decl?.init && unwrap(decl.init);
    if (init && init.type === 'ObjectExpression') {
      const prop = init.properties.find(
        (p): p is t.ObjectProperty => p.type === 'ObjectProperty' && !p.shorthand && !p.computed && p.key.type === 'Identifier' && p.key.name === m.name,
      );
      if (prop) return portExpr(prop.value, program, depth + 1);
    }
  }
  return undefined;
}

function noteSchemaPort(info: CodeFileInfo, key: string): void {
  const keys = (info.schemaPortKeys ??= []);
  if (!keys.includes(key)) keys.push(key);
}

/**
 * Whether a property sits in an env schema: an object given to `createEnv`, `z.object`, `cleanEnv`, arktype's `type`
 * (a few levels up). `ancestors` ends with the property's parent. Levels are counted as in TypeScript's tree, which
 * had a node for parentheses and two for a variable statement (the statement and its declaration list).
 */
function inEnvSchema(ancestors: readonly t.Node[]): boolean {
  let hops = 0;
  for (let i = ancestors.length - 1; i >= 0 && hops < 6; i--) {
    const p = ancestors[i];
    if (isCall(p)) {
      const name = calleeName(unwrap(p.callee));
      if (/^(createEnv|object|strictObject|cleanEnv|envsafe|type)$/.test(name)) return true;
    }
    // TypeScript's tree has no node for a class body, nor for `export` (a modifier there).
    if (p.type !== 'ClassBody' && p.type !== 'ExportNamedDeclaration') hops++;
    if (parenthesized(p)) hops++;
    if (p.type === 'VariableDeclaration' && !/^For/.test(ancestors[i - 1]?.type ?? '')) hops++;
  }
  return false;
}

/** `typeof process.env.X !== 'undefined'`, `process.env.X !== undefined`, `process.env.X != null`: X (a test that it is set). */
function definedTest(c: t.Node): string | undefined {
  const x = unwrap(c);
  if (x.type !== 'BinaryExpression' || (x.operator !== '!==' && x.operator !== '!=')) return undefined;
  const [a, b] = [unwrap(x.left), unwrap(x.right)];
  const isUndef = (e: t.Node) =>
    (e.type === 'Identifier' && e.name === 'undefined') || e.type === 'NullLiteral' || (e.type === 'StringLiteral' && e.value === 'undefined');
  const side = isUndef(b) ? a : isUndef(a) ? b : undefined;
  if (!side) return undefined;
  return side.type === 'UnaryExpression' && side.operator === 'typeof' ? envRead(side.argument) : envRead(side);
}

/**
 * Whether `name` is bound by destructuring (`const { PORT } = env()`, `const [PORT] = ...`, a parameter) in the file,
 * under its own name (not `{ port: PORT }`). Destructuring assignments (`({ PORT } = env())`) bind nothing.
 */
function destructured(program: t.Program, name: string): boolean {
  let found = false;
  const bound = (x: t.Node | null | undefined): boolean => {
    const v = x?.type === 'AssignmentPattern' ? x.left : x?.type === 'RestElement' ? x.argument : x;
    return v?.type === 'Identifier' && v.name === name;
  };
  const visit = (n: t.Node): void => {
    if (found) return;
    if (n.type === 'AssignmentExpression' && (n.left.type === 'ObjectPattern' || n.left.type === 'ArrayPattern')) {
      visit(n.right);
      return;
    }
    if (n.type === 'ObjectPattern' && n.properties.some((p) => (p.type === 'ObjectProperty' ? p.shorthand && bound(p.value) : bound(p)))) found = true;
    if (n.type === 'ArrayPattern' && n.elements.some(bound)) found = true;
    forEachChild(n, visit);
  };
  visit(program);
  return found;
}

function objProp(o: t.ObjectExpression, name: string): t.Node | undefined {
  for (const p of o.properties) {
    if (p.type !== 'ObjectProperty' || p.computed) continue;
    // `{ port }`: the variable of that name (resolved by portExpr through its declaration)
    if (p.shorthand ? p.key.type === 'Identifier' && p.key.name === name : keyName(p.key, false) === name && p.key.type !== 'NumericLiteral') return p.value;
  }
  return undefined;
}

/**
 * Parses a TS/JS file with Babel's parser (syntax only: nothing is type-checked, resolved or executed) and extracts
 * env defaults, listen calls, dotenv loading and Vite ports. A file Babel cannot read at all gives only its syntax
 * error.
 */
export function parseCode(text: string, file: string): CodeFileInfo {
  const info: CodeFileInfo = {
    file,
    language: /\.[cm]?jsx?$/.test(file) ? 'js' : 'ts',
    defaults: [],
    listens: [],
    loadsDotenv: false,
    dotenvPaths: [],
    driverPools: [],
    problems: [],
    text,
  };
  const lines = new LineIndex(text);
  const { program, error } = parseJs(text, file);
  if (error) {
    const what = program ? 'Crosswire read what it could of this file' : 'Crosswire could not read this file';
    info.problems.push({ message: `Syntax error: ${error.message} (${what})`, range: lines.range(error.start, error.end) });
  }
  if (!program) return info;
  new CodeReader(program, text, lines, info).read();
  if (mayHaveAuthFacts(text)) info.auth = extractAuthFacts(program, text, lines, file);
  return info;
}

/** The name an import specifier imports (`config` of `import { config as c }`). */
function importedName(s: t.ImportSpecifier): string {
  return s.imported.type === 'Identifier' ? s.imported.name : s.imported.value;
}

/** One walk over a parsed file, recording what it finds in `info`. */
class CodeReader {
  private readonly file: string;
  private readonly isPrismaConfig: boolean;
  private readonly isVite: boolean;
  /** The file may compare a value with a placeholder (`if (secret === 'change-me') throw ...`). */
  private readonly guards: boolean;
  /** The file may write a local URL, in code or in a type (`type Api = 'http://localhost:3000'`): the walk visits
   * types too (Babel's walk skips them; TypeScript's, which the URLs read were first defined by, did not). */
  private readonly urls: boolean;
  /** `import { config } from 'dotenv'`: a bare `config()` call loads .env. */
  private importsDotenvConfig = false;
  /** The nodes above the one being visited, its parent last. */
  private readonly ancestors: t.Node[] = [];

  constructor(
    private readonly program: t.Program,
    private readonly text: string,
    private readonly lines: LineIndex,
    private readonly info: CodeFileInfo,
  ) {
    this.file = info.file;
    this.isPrismaConfig = /(^|[\\/])prisma\.config\.[cm]?[jt]s$/.test(this.file);
    this.isVite = /(^|\/)vite\.config\.[cm]?[jt]s$/.test(this.file);
    this.guards = GUARD_HINT.test(text);
    this.urls = LOCAL_URL_HINT.test(text);
  }

  read(): void {
    for (const st of this.program.body) {
      if (st.type === 'ImportDeclaration' && st.source.value === 'dotenv') {
        if (st.specifiers.some((s) => s.type === 'ImportSpecifier' && importedName(s) === 'config')) this.importsDotenvConfig = true;
      }
    }
    this.visit(this.program);
    if (this.isVite) viteConfig(defaultExport(this.program), this.info, this.program, this.text, this.lines);
    if (EFFECT_CONFIG.test(this.text)) {
      const decls = effectConfigs(this.program, this.text, this.lines);
      if (decls.length) this.info.effectConfigs = decls;
    }
  }

  private range(n: t.Node): Range {
    return this.lines.range(n.start ?? 0, n.end ?? 0);
  }

  private readonly visit = (n: t.Node): void => {
    this.check(n);
    this.ancestors.push(n);
    if (this.urls) forEachChildWithTypes(n, this.visit);
    else forEachChild(n, this.visit);
    this.ancestors.pop();
  };

  /** What one node says, by its kind. */
  private check(n: t.Node): void {
    const { info, lines } = this;
    const parent = this.ancestors[this.ancestors.length - 1];
    if (n.type === 'ObjectProperty' && !n.shorthand && parent?.type === 'ObjectExpression' && isCall(n.value) && !parenthesized(n.value)) this.schemaDefault(n);
    // A local URL with a port written in code (`return "http://localhost:3000"`): it names a port a server must keep.
    const s = stringValue(n);
    if (s !== undefined && s.length < 200 && LOCAL_URL.test(s) && !/^(Import|ExportNamed|ExportAll)Declaration$/.test(parent?.type ?? '')) {
      const start = (n.start ?? 0) + 1;
      (info.urlLiterals ??= []).push({ value: s, range: lines.range(start, start + s.length) });
    }
    // `if (secret === 'change-me') throw ...`: the app refuses a placeholder itself
    if (this.guards && n.type === 'BinaryExpression' && /^(===?|!==?)$/.test(n.operator)) {
      for (const side of [n.left, n.right]) {
        const v = stringValue(unwrap(side));
        if (v !== undefined && isGuardedPlaceholder(v)) (info.placeholderGuards ??= []).push(v);
      }
    }
    if (n.type === 'ExportDefaultDeclaration') this.exportDefault(n);
    if (n.type === 'LogicalExpression' && (n.operator === '??' || n.operator === '||')) {
      const key = envRead(n.left);
      if (key) this.addDefault(key, n.right);
    }
    if (isCall(n)) this.call(n);
    if (n.type === 'NewExpression') {
      const pool = driverPool(n, this.text, lines);
      if (pool) info.driverPools.push(pool);
    }
    if (this.isPrismaConfig && n.type === 'ObjectProperty') this.prismaUrl(n, parent, this.ancestors[this.ancestors.length - 2]);
    if (n.type === 'ImportDeclaration' && n.source.value === 'dotenv/config') info.loadsDotenv = true;
    if (n.type === 'BlockStatement') earlyReturnDefaults(n, (key, lit) => this.addDefault(key, lit));
  }

  /** prisma.config.ts: defineConfig({ datasource: { url: env('DATABASE_URL') } }) */
  private prismaUrl(n: t.ObjectProperty, parent: t.Node | undefined, grand: t.Node | undefined): void {
    if (n.shorthand || n.computed || keyName(n.key, false) !== 'url' || n.key.type === 'NumericLiteral') return;
    if (parent?.type !== 'ObjectExpression' || parenthesized(parent)) return;
    if (grand?.type !== 'ObjectProperty' || grand.shorthand || grand.computed || grand.key.type !== 'Identifier' || grand.key.name !== 'datasource') return;
    const v = unwrap(n.value);
    const range = this.range(n);
    const arg = isCall(v) && v.callee.type === 'Identifier' && v.callee.name === 'env' ? stringValue(v.arguments[0]) : undefined;
    if (arg !== undefined) this.info.prismaConfig = { envVar: arg, range };
    else if (stringValue(v) !== undefined) this.info.prismaConfig = { literal: stringValue(v), range };
    else {
      const ev = envVarRead(v);
      this.info.prismaConfig = ev ? { envVar: ev, range } : { range };
    }
  }

  private addDefault(key: string, lit: t.Node): void {
    const x = unwrap(lit);
    const value = stringValue(x);
    if (value !== undefined) {
      const start = (x.start ?? 0) + 1;
      this.info.defaults.push({
        file: this.file,
        key,
        value,
        range: this.lines.range(start, start + value.length),
        language: this.info.language,
      } as CodeDefault);
    }
  }

  /** Env schemas (zod, t3-env): `PORT: z.coerce.number().default(3000)` is the default of PORT. */
  private schemaDefault(n: t.ObjectProperty): void {
    const key = n.computed || n.key.type === 'NumericLiteral' ? undefined : keyName(n.key, false);
    if (!key || !/^[A-Z][A-Z0-9_]*$/.test(key)) return;
    if (/(^|_)PORT$/.test(key) && inEnvSchema(this.ancestors)) noteSchemaPort(this.info, key);
    let call: t.Node = n.value;
    for (let hops = 0; hops < 12 && isCall(call); hops++) {
      const callee: ReturnType<typeof member> = parenthesized(call.callee) ? undefined : member(call.callee);
      if (!callee) return;
      if (/^(default|prefault|catch)$/.test(callee.name) && call.arguments.length === 1) {
        const arg = unwrap(call.arguments[0]);
        const value = arg.type === 'NumericLiteral' ? numberText(arg) : stringValue(arg);
        if (value !== undefined) {
          const start = (arg.start ?? 0) + (arg.type === 'NumericLiteral' ? 0 : 1);
          this.info.defaults.push({
            file: this.file,
            key,
            value,
            range: this.lines.range(start, start + value.length),
            language: this.info.language,
          } as CodeDefault);
        }
        return;
      }
      if (parenthesized(callee.object)) return;
      call = callee.object;
    }
  }

  /** `export default app` (a Hono or Elysia app) and `export default { port, fetch }`: servers Bun starts. */
  private exportDefault(n: t.ExportDefaultDeclaration): void {
    const { info, program, file } = this;
    const value = unwrap(n.declaration);
    if (value.type === 'Identifier') {
      // Bun also serves `export default app` when app is a Hono (or Elysia) application: it has a `fetch` method.
      const init = findDeclarator(program, value.name)?.init;
      const made = init && unwrap(init);
      if (made && made.type === 'NewExpression' && made.callee.type === 'Identifier' && /Hono$|^Elysia$/.test(made.callee.name)) {
        info.listens.push({ file, range: this.range(n), tool: 'bun', envVar: 'PORT', fallback: 3000 });
      }
    }
    // Bun: `export default { port, fetch }` starts a server on port, else BUN_PORT / PORT / NODE_PORT, else 3000.
    if (
      value.type === 'ObjectExpression' &&
      value.properties.some(
        (p) =>
          (p.type === 'ObjectProperty' || (p.type === 'ObjectMethod' && p.kind === 'method')) &&
          !p.computed &&
          p.key.type === 'Identifier' &&
          p.key.name === 'fetch',
      )
    ) {
      const port = objProp(value, 'port');
      const p = port ? portExpr(port, program) : { envVar: 'PORT', fallback: 3000 };
      if (p) info.listens.push({ file, range: this.range(n), tool: 'bun', ...p });
    }
  }

  private call(n: t.CallExpression | t.OptionalCallExpression): void {
    const { info, program, file } = this;
    const callee = unwrap(n.callee);
    if (callee.type === 'Identifier' && callee.name === 'serve' && n.arguments[0]) {
      // @hono/node-server: serve({ fetch: app.fetch, port }), default 3000.
      const opts = unwrap(n.arguments[0]);
      if (opts.type === 'ObjectExpression' && objProp(opts, 'fetch')) {
        const port = objProp(opts, 'port');
        const p = port ? portExpr(port, program) : { literal: 3000 };
        if (p) info.listens.push({ file, range: this.range(n), ...p });
      }
    }
    // configService.get('X', 'default')
    const key = envRead(n);
    if (key && n.arguments[1]) this.addDefault(key, n.arguments[1]);
    const m = member(callee);
    if (m) this.methodCall(n, m.name, unwrap(m.object));
    if (callee.type === 'Identifier' && callee.name === 'require' && stringValue(n.arguments[0]) === 'dotenv/config') info.loadsDotenv = true;
    if (callee.type === 'Identifier' && callee.name === 'config' && this.importsDotenvConfig) this.dotenvConfig(n);
  }

  /** `x.method(...)`: Bun.serve / Deno.serve, `.listen(port)`, dotenv's `config()`, Nest's ConfigModule.forRoot(). */
  private methodCall(n: t.CallExpression | t.OptionalCallExpression, method: string, target: t.Node): void {
    const { info, program, file } = this;
    if (method === 'serve' && target.type === 'Identifier' && (target.name === 'Bun' || target.name === 'Deno') && n.arguments.length > 0) {
      // Bun.serve({ port, fetch }): port, else BUN_PORT / PORT / NODE_PORT, else 3000. Deno.serve({ port }, handler): port, else 8000.
      const opts = unwrap(n.arguments[0]);
      const port = opts.type === 'ObjectExpression' ? objProp(opts, 'port') : undefined;
      const p = port
        ? portExpr(port, program)
        : target.name === 'Bun'
          ? { envVar: 'PORT', fallback: 3000 }
          : opts.type === 'ObjectExpression' || opts.type === 'ArrowFunctionExpression' || opts.type === 'FunctionExpression'
            ? { literal: 8000 }
            : undefined;
      if (p) info.listens.push({ file, range: this.range(n), ...p });
    }
    if (method === 'listen' && n.arguments.length > 0) {
      const first = unwrap(n.arguments[0]);
      // Fastify: listen({ port, host }); a listen() without a port property binds Fastify's default 3000.
      const portArg = first.type === 'ObjectExpression' ? objProp(first, 'port') : n.arguments[0];
      const p = portArg ? portExpr(portArg, program) : undefined;
      if (p) {
        const call: ListenCall = { file, range: this.range(n), ...p };
        info.listens.push(call);
      }
    }
    if (method === 'layer') {
      const call = effectServer(n, target, program, this.ancestors);
      if (call) info.listens.push({ file, range: this.range(n), ...call });
    }
    if (method === 'config' && target.type === 'Identifier' && /dotenv/i.test(target.name)) this.dotenvConfig(n);
    if (method === 'config' && isCall(target)) {
      // require('dotenv').config()
      const req = unwrap(target.callee);
      if (req.type === 'Identifier' && req.name === 'require' && stringValue(target.arguments[0]) === 'dotenv') this.dotenvConfig(n);
    }
    if ((method === 'forRoot' || method === 'forRootAsync') && target.type === 'Identifier' && target.name === 'ConfigModule') {
      const opts = n.arguments[0] && unwrap(n.arguments[0]);
      const ignore = opts && opts.type === 'ObjectExpression' ? objProp(opts, 'ignoreEnvFile') : undefined;
      if (!isTrue(ignore)) {
        info.loadsDotenv = true;
        if (opts && opts.type === 'ObjectExpression') collectPaths(this.info, objProp(opts, 'envFilePath'));
      }
    }
  }

  /** dotenv's `config({ path })`: loads .env (or the paths given). */
  private dotenvConfig(n: t.CallExpression | t.OptionalCallExpression): void {
    this.info.loadsDotenv = true;
    const opts = n.arguments[0] && unwrap(n.arguments[0]);
    if (opts && opts.type === 'ObjectExpression') collectPaths(this.info, objProp(opts, 'path'));
  }
}

/** Effect's HTTP servers: `BunHttpServer.layer({ port })`, `NodeHttpServer.layer(createServer, { port })`. */
function effectServer(
  n: t.CallExpression | t.OptionalCallExpression,
  target: t.Node,
  program: t.Program,
  ancestors: readonly t.Node[],
): Omit<ListenCall, 'file' | 'range'> | undefined {
  if (target.type !== 'Identifier' || (target.name !== 'BunHttpServer' && target.name !== 'NodeHttpServer')) return undefined;
  const opts = n.arguments[target.name === 'BunHttpServer' ? 0 : 1];
  const o = opts && unwrap(opts);
  const port = o && o.type === 'ObjectExpression' ? objProp(o, 'port') : undefined;
  if (!port) return undefined;
  const p = portExpr(port, program);
  if (p) return p;
  const ref = serviceFieldRef(port, program, ancestors);
  return ref ? { configRef: ref } : undefined;
}

/**
 * `config.port` (or a destructured `port`) where `const config = yield* ServerConfig` and ServerConfig is imported:
 * the field of a config service another module declares (Effect), resolved by the index. `ancestors` are the nodes
 * above the call the expression is an argument of.
 */
function serviceFieldRef(e: t.Node, program: t.Program, ancestors: readonly t.Node[]): ListenCall['configRef'] {
  const x = unwrap(e);
  let service: t.Node | undefined;
  let field: string | undefined;
  const m = member(x);
  const obj = m && unwrap(m.object);
  if (m && obj?.type === 'Identifier') {
    field = m.name;
    service = yieldedBy(ancestors, obj.name);
  } else if (x.type === 'Identifier') {
    // `const { port } = yield* ServerConfig`
    field = x.name;
    const visit = (n: t.Node): void => {
      if (service) return;
      if (n.type === 'VariableDeclarator' && n.id.type === 'ObjectPattern' && n.init) {
        const el = n.id.properties.find((b) => boundName(b) === x.name);
        const init = unwrap(n.init);
        if (el && init.type === 'YieldExpression' && init.delegate && init.argument) {
          service = unwrap(init.argument);
          if (el.type === 'ObjectProperty' && !el.shorthand && !el.computed && el.key.type === 'Identifier') field = el.key.name;
        }
      }
      forEachChild(n, visit);
    };
    visit(program);
  }
  if (!service || !field || service.type !== 'Identifier') return undefined;
  const imported = importOf(program, service.name);
  return imported ? { module: imported.module, name: imported.name, field } : undefined;
}

/** The name an element of an object pattern binds: `port` of `{ port }`, `{ port = 1 }`, `{ p: port }`, `{ ...port }`. */
function boundName(p: t.ObjectProperty | t.RestElement): string | undefined {
  const v = p.type === 'RestElement' ? p.argument : p.value;
  const id = v.type === 'AssignmentPattern' ? v.left : v;
  return id.type === 'Identifier' ? id.name : undefined;
}

/** What `const name = yield* Service` yields from, in the nearest block (of `ancestors`, innermost last) that declares `name`. */
function yieldedBy(ancestors: readonly t.Node[], name: string): t.Node | undefined {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const p = ancestors[i];
    const body = p.type === 'BlockStatement' || p.type === 'StaticBlock' ? p.body : p.type === 'Program' ? topStatements(p) : undefined;
    if (!body) continue;
    for (const st of body) {
      if (st.type !== 'VariableDeclaration') continue;
      const d = st.declarations.find((v) => v.id.type === 'Identifier' && v.id.name === name);
      if (!d?.init) continue;
      const init = unwrap(d.init);
      return init.type === 'YieldExpression' && init.delegate && init.argument ? unwrap(init.argument) : undefined;
    }
  }
  return undefined;
}

/** The module and exported name a local name is imported as (`import { ServerConfig as C } from "@acme/config"`). */
function importOf(program: t.Program, local: string): { module: string; name: string } | undefined {
  for (const st of program.body) {
    if (st.type !== 'ImportDeclaration') continue;
    const el = st.specifiers.find((s): s is t.ImportSpecifier => s.type === 'ImportSpecifier' && s.local.name === local);
    if (el) return { module: st.source.value, name: importedName(el) };
  }
  return undefined;
}

/**
 * Effect configs of a module: `const S = Config.all({ port: Config.number("PORT").pipe(Config.withDefault(3000)) })`
 * (also `Config.withDefault(Config.number("PORT"), 3000)`, `Config.port`, `Config.integer`), by the schema's name and
 * by the name of each class whose body uses the schema (an Effect service built from it).
 */
function effectConfigs(program: t.Program, text: string, lines: LineIndex): EffectConfigDecl[] {
  const schemas = new Map<string, EffectConfigDecl['fields']>();
  const statements = topStatements(program);
  for (const st of statements) {
    if (st.type !== 'VariableDeclaration') continue;
    for (const d of st.declarations) {
      if (d.id.type !== 'Identifier' || !d.init) continue;
      const init = unwrap(d.init);
      if (!isCall(init) || textOf(text, init.callee) !== 'Config.all' || !init.arguments[0]) continue;
      const obj = unwrap(init.arguments[0]);
      if (obj.type !== 'ObjectExpression') continue;
      const fields: EffectConfigDecl['fields'] = [];
      for (const p of obj.properties) {
        const field = p.type === 'ObjectProperty' && !p.shorthand && p.key.type !== 'NumericLiteral' ? keyName(p.key, p.computed) : undefined;
        if (field === undefined) continue;
        const read = effectEnvRead((p as t.ObjectProperty).value, text);
        if (read) fields.push({ field, ...read, range: lines.range(p.start ?? 0, p.end ?? 0) });
      }
      if (fields.length) schemas.set(d.id.name, fields);
    }
  }
  const out: EffectConfigDecl[] = [...schemas].map(([name, fields]) => ({ name, fields }));
  if (!schemas.size) return out;
  for (const st of statements) {
    if (st.type !== 'ClassDeclaration' || !st.id) continue;
    let used: string | undefined;
    const visit = (n: t.Node): void => {
      if (used || n.type === 'PrivateName') return;
      if (n.type === 'Identifier' && schemas.has(n.name)) used = n.name;
      else forEachChildWithTypes(n, visit);
    };
    st.body.body.forEach(visit);
    if (used) out.push({ name: st.id.name, fields: schemas.get(used)! });
  }
  return out;
}

/** `Config.number("X")` with its `Config.withDefault(n)`, in the pipe form or the data-first form. */
function effectEnvRead(e: t.Node, text: string): { envVar: string; fallback?: number } | undefined {
  const x = unwrap(e);
  if (!isCall(x)) return undefined;
  const callee = textOf(text, x.callee);
  const first = x.arguments[0] && stringValue(unwrap(x.arguments[0]));
  if (/^Config\.(number|integer|port)$/.test(callee) && first !== undefined) return { envVar: first };
  // Config.withDefault(Config.number("X"), 3000)
  if (callee === 'Config.withDefault' && x.arguments.length === 2) {
    const inner = effectEnvRead(x.arguments[0], text);
    const d = numberLiteral(x.arguments[1]);
    return inner && d !== undefined ? { envVar: inner.envVar, fallback: d } : inner;
  }
  // Config.number("X").pipe(Config.withDefault(3000), ...)
  const m = parenthesized(x.callee) ? undefined : member(x.callee);
  if (m?.name === 'pipe') {
    const inner = effectEnvRead(m.object, text);
    if (!inner) return undefined;
    for (const arg of x.arguments) {
      const a = unwrap(arg);
      if (isCall(a) && textOf(text, a.callee) === 'Config.withDefault' && a.arguments.length === 1) {
        const d = numberLiteral(a.arguments[0]);
        if (d !== undefined) return { envVar: inner.envVar, fallback: d };
      }
    }
    return inner;
  }
  return undefined;
}

/**
 * `if (process.env.X) return process.env.X; ... return 'http://localhost:3000';`: the URLs the function returns
 * after the variable's early return are its defaults (a getter with a fallback).
 */
function earlyReturnDefaults(block: t.BlockStatement, add: (key: string, lit: t.Node) => void): void {
  const stmts = block.body;
  for (let i = 0; i < stmts.length; i++) {
    const st = stmts[i];
    if (st.type !== 'IfStatement' || st.alternate) continue;
    const key = envRead(st.test);
    if (!key) continue;
    const then = st.consequent.type === 'BlockStatement' && st.consequent.body.length === 1 ? st.consequent.body[0] : st.consequent;
    if (then.type !== 'ReturnStatement' || !then.argument || envRead(then.argument) !== key) continue;
    const visitReturns = (n: t.Node): void => {
      if (isFunctionLike(n) || isClassLike(n)) return;
      if (n.type === 'ReturnStatement' && n.argument) {
        const x = unwrap(n.argument);
        const v = stringValue(x);
        if (v !== undefined && LOCAL_URL.test(v)) add(key, x);
      }
      forEachChild(n, visitReturns);
    };
    for (const rest of stmts.slice(i + 1)) visitReturns(rest);
    return;
  }
}

/** The paths given to an env loader; one Crosswire cannot evaluate makes the loaded files unknown. */
function collectPaths(info: CodeFileInfo, e: t.Node | undefined): void {
  if (!e) return;
  const x = unwrap(e);
  for (const el of x.type === 'ArrayExpression' ? x.elements : [x]) {
    const p = !el || el.type === 'SpreadElement' ? undefined : staticPath(unwrap(el), path.dirname(info.file));
    if (p === undefined) info.dotenvPathUnknown = true;
    else info.dotenvPaths.push(p);
  }
}

/** Driver pools: new PrismaPg({ connectionString, max }) (Prisma 7's adapter) and pg's new Pool({ max }) */
function driverPool(n: t.NewExpression, text: string, lines: LineIndex): CodeFileInfo['driverPools'][number] | undefined {
  const cls = textOf(text, unwrap(n.callee));
  const kind = cls === 'PrismaPg' ? 'adapter-pg' : /^(pg\.)?Pool$/.test(cls) ? 'pg-pool' : undefined;
  if (!kind) return undefined;
  const opts = n.arguments[0] && unwrap(n.arguments[0]);
  const pool: CodeFileInfo['driverPools'][number] = { kind, range: lines.range(n.start ?? 0, n.end ?? 0) };
  if (opts && opts.type === 'ObjectExpression') {
    const max = objProp(opts, 'max');
    const mv = numberLiteral(max);
    if (mv !== undefined) pool.max = mv;
    const cs = objProp(opts, 'connectionString');
    if (cs) pool.connectionEnvVar = envVarRead(cs);
  } else if (opts) pool.connectionEnvVar = envVarRead(opts);
  return pool;
}

/** What a Vite config says about one of its ports: nothing (the default applies), a port Crosswire reads, or why it cannot. */
type VitePortRead = { state: 'absent' } | { state: 'known'; port: PortExpr; range: Range } | { state: 'unknown'; reason: string };

/** A config expression Crosswire reads as Vite would get it: an object literal, or why it cannot. */
type ViteObject = { obj: t.ObjectExpression } | { reason: string };

/** What a module exports as its default, and where it is written (`export default function` from `export`). */
interface DefaultExport {
  value: t.Node;
  start: number;
}

/** The value a module exports as its default: `export default x`, `module.exports = x`, `export = x`,
 * `export default function`, `export { config as default }` (the local name; nothing for `export { default }`). */
function defaultExport(program: t.Program): DefaultExport | undefined {
  let out: DefaultExport | undefined;
  const at = (value: t.Node | undefined, start = value?.start ?? 0) => (value ? { value, start } : undefined);
  for (const st of program.body) {
    if (st.type === 'ExportDefaultDeclaration') {
      const d = st.declaration;
      if (d.type === 'FunctionDeclaration') out = at(d, st.start ?? 0);
      else if (d.type !== 'ClassDeclaration' && d.type !== 'TSDeclareFunction') out = at(d);
    } else if (st.type === 'TSExportAssignment') out = at(st.expression);
    else if (
      st.type === 'ExpressionStatement' &&
      st.expression.type === 'AssignmentExpression' &&
      st.expression.operator === '=' &&
      !parenthesized(st.expression)
    ) {
      const left = member(st.expression.left);
      if (left && left.name === 'exports' && left.object.type === 'Identifier' && left.object.name === 'module') out = at(st.expression.right);
    } else if (st.type === 'ExportNamedDeclaration' && !st.source) {
      const el = st.specifiers.find((s): s is t.ExportSpecifier => s.type === 'ExportSpecifier' && keyName(s.exported, false) === 'default');
      if (el) out = el.local.start !== el.exported.start ? at(el.local) : undefined;
    }
  }
  return out;
}

/**
 * The config object a Vite config's default export evaluates to: `{...}`, `defineConfig({...})`, a variable holding one,
 * a function returning one (expression body, or a block whose returns Crosswire reads), `mergeConfig(a, b)` (b's
 * `server`/`preview` win). Several possible objects (a function with several returns) are all returned.
 */
function viteObjects(e: t.Node, program: t.Program, text: string, depth = 0): ViteObject[] {
  const x = unwrap(e);
  const what = () => `\`${textOf(text, x).slice(0, 40).replace(/\s+/g, ' ')}${textOf(text, x).length > 40 ? '...' : ''}\``;
  if (depth > 6) return [{ reason: `the config ${what()} is too indirect for Crosswire to follow` }];
  if (x.type === 'ObjectExpression') return [{ obj: x }];
  if (x.type === 'Identifier') {
    const decl = findDeclarator(program, x.name);
    if (decl?.init) return viteObjects(decl.init, program, text, depth + 1);
    const fn = findFunction(program, x.name);
    if (fn) return viteObjects(fn, program, text, depth + 1);
    return [{ reason: `the config ${what()} is not a value Crosswire can read in this file` }];
  }
  if (x.type === 'ArrowFunctionExpression' || x.type === 'FunctionExpression' || x.type === 'FunctionDeclaration' || x.type === 'TSDeclareFunction') {
    if (x.type === 'TSDeclareFunction') return [{ reason: `the config function ${what()} has no body` }];
    if (x.body.type !== 'BlockStatement') return viteObjects(x.body, program, text, depth + 1);
    const returns: t.ReturnStatement[] = [];
    const visit = (n: t.Node): void => {
      if (isFunctionLike(n)) return; // returns of nested functions are not the config's
      if (n.type === 'ReturnStatement') returns.push(n);
      forEachChild(n, visit);
    };
    forEachChild(x.body, visit);
    if (!returns.length) return [{ reason: 'the config function returns nothing Crosswire can read' }];
    return returns.flatMap((r) =>
      r.argument ? viteObjects(r.argument, program, text, depth + 1) : [{ reason: 'the config function returns nothing Crosswire can read' }],
    );
  }
  if (isCall(x)) {
    const name = calleeName(unwrap(x.callee));
    if (name === 'defineConfig' && x.arguments[0]) return viteObjects(x.arguments[0], program, text, depth + 1);
    if (name === 'mergeConfig' && x.arguments.length >= 2) {
      // mergeConfig(defaults, overrides): read as one object whose later properties win.
      const parts = x.arguments.slice(0, 2).map((a) => viteObjects(a, program, text, depth + 1));
      if (parts.some((p) => p.length !== 1)) return [{ reason: `the config ${what()} merges configs Crosswire cannot tell apart` }];
      const [a, b] = parts.map((p) => p[0]);
      if ('reason' in a) return [a];
      if ('reason' in b) return [b];
      const spread: t.SpreadElement = { type: 'SpreadElement', argument: a.obj, start: a.obj.start, end: a.obj.end } as t.SpreadElement;
      const merged = { type: 'ObjectExpression', properties: [spread, ...b.obj.properties] } as t.ObjectExpression;
      return [{ obj: merged }];
    }
  }
  return [{ reason: `the config ${what()} is computed in a way Crosswire does not evaluate` }];
}

/** The first function declared at the top of the file with `name` (a body-less overload included). */
function findFunction(program: t.Program, name: string): t.FunctionDeclaration | t.TSDeclareFunction | undefined {
  return topStatements(program).find(
    (s): s is t.FunctionDeclaration | t.TSDeclareFunction => (s.type === 'FunctionDeclaration' || s.type === 'TSDeclareFunction') && s.id?.name === name,
  );
}

/** The property `name` of a config object: its value, absent (read fully), or unknown (a spread Crosswire cannot read may set it). */
function viteProp(o: t.ObjectExpression, name: string, program: t.Program, text: string, depth = 0): { value?: t.Node; unknown?: string } {
  // Later properties win: read from the end.
  for (let i = o.properties.length - 1; i >= 0; i--) {
    const p = o.properties[i];
    if (p.type === 'SpreadElement') {
      const inner = depth > 4 ? [] : viteObjects(p.argument, program, text, depth + 1);
      if (inner.length !== 1 || 'reason' in inner[0]) return { unknown: `\`...${textOf(text, p.argument).slice(0, 30)}\` may set ${name}` };
      const r = viteProp(inner[0].obj, name, program, text, depth + 1);
      if (r.value || r.unknown) return r;
      continue;
    }
    if (p.computed) return { unknown: `a computed property may set ${name}` };
    if (p.type !== 'ObjectProperty') continue;
    if (p.shorthand ? p.key.type === 'Identifier' && p.key.name === name : p.key.type !== 'NumericLiteral' && keyName(p.key, false) === name)
      return { value: p.value };
  }
  return {};
}

/** `server.port` (or `preview.port`) of the possible config objects. */
function vitePort(objects: ViteObject[], section: 'server' | 'preview', program: t.Program, text: string, lines: LineIndex): VitePortRead {
  const reads: VitePortRead[] = objects.map((o): VitePortRead => {
    if ('reason' in o) return { state: 'unknown', reason: o.reason };
    const sec = viteProp(o.obj, section, program, text);
    if (sec.unknown) return { state: 'unknown', reason: sec.unknown };
    if (!sec.value) return { state: 'absent' };
    const secObjs = viteObjects(sec.value, program, text, 1);
    if (secObjs.length !== 1 || 'reason' in secObjs[0])
      return { state: 'unknown', reason: `${section} is \`${textOf(text, sec.value).slice(0, 40)}\`, which Crosswire cannot read` };
    const port = viteProp(secObjs[0].obj, 'port', program, text);
    if (port.unknown) return { state: 'unknown', reason: port.unknown };
    if (!port.value) return { state: 'absent' };
    const pe = portExpr(port.value, program);
    if (!pe || (pe.literal === undefined && pe.envVar === undefined))
      return { state: 'unknown', reason: `${section}.port is \`${textOf(text, port.value).slice(0, 40)}\`, computed in a way Crosswire does not evaluate` };
    return { state: 'known', port: pe, range: lines.range(port.value.start ?? 0, port.value.end ?? 0) };
  });
  const first = reads[0] ?? { state: 'absent' };
  const key = (r: VitePortRead) => (r.state === 'known' ? JSON.stringify(r.port) : r.state === 'unknown' ? `?${r.reason}` : '-');
  const unknown = reads.find((r) => r.state === 'unknown');
  if (unknown) return unknown;
  if (reads.some((r) => key(r) !== key(first)))
    return { state: 'unknown', reason: `the config function returns different ${section}.port values depending on how Vite runs it` };
  return first;
}

/**
 * Vite's `server.port` / `preview.port` / `strictPort` from the config a vite.config.* exports (`export default`,
 * `module.exports =`). A port Crosswire cannot read is recorded with the reason: Vite's default applies only when
 * the config, read fully, sets none.
 */
function viteConfig(e: DefaultExport | undefined, info: CodeFileInfo, program: t.Program, text: string, lines: LineIndex): void {
  const vite: NonNullable<CodeFileInfo['vite']> = {};
  const objects: ViteObject[] = e ? viteObjects(e.value, program, text) : [{ reason: 'Crosswire found no default export in the config' }];
  // `server.port` and `preview.port` into serverPort*/previewPort*: a literal, a variable read (with its fallback), or unknown.
  for (const which of ['server', 'preview'] as const) {
    const r = vitePort(objects, which, program, text, lines);
    if (r.state === 'known') {
      if (r.port.literal !== undefined) vite[`${which}Port`] = r.port.literal;
      else
        vite[`${which}PortEnv`] = {
          envVar: r.port.envVar!,
          ...(r.port.alsoEnv ? { alsoEnv: r.port.alsoEnv } : {}),
          ...(r.port.fallback !== undefined ? { fallback: r.port.fallback } : {}),
        };
      vite[`${which}PortRange`] = r.range;
    } else if (r.state === 'unknown') vite[`${which}PortUnknown`] = r.reason;
  }
  for (const o of objects) {
    if ('reason' in o) continue;
    const sec = viteProp(o.obj, 'server', program, text).value;
    const so = sec ? viteObjects(sec, program, text, 1) : [];
    if (so.length === 1 && !('reason' in so[0]) && isTrue(viteProp(so[0].obj, 'strictPort', program, text).value)) vite.strictPort = true;
  }
  if (/\bloadEnv\s*\(/.test(text)) vite.loadsEnv = true;
  if (e) vite.configRange = lines.range(e.start, e.value.end ?? 0);
  info.vite = vite;
}

/**
 * A file path built from literals the way env loaders are given one: `'.env.local'`, `path.resolve(__dirname, '../.env')`,
 * `join(process.cwd(), '.env')`, `` `${__dirname}/.env` ``, `import.meta.dirname`. Relative results are relative to the
 * working directory (the app's folder when a script runs it); `__dirname` makes them absolute. Anything else is undefined.
 */
function staticPath(e: t.Node, dir: string): string | undefined {
  const part = (x: t.Node): string | undefined => {
    const u = unwrap(x);
    const s = stringValue(u);
    if (s !== undefined) return s;
    if (u.type === 'Identifier' && u.name === '__dirname') return dir;
    const m = member(u);
    if (m && m.name === 'dirname' && m.object.type === 'MetaProperty' && !parenthesized(m.object)) return dir;
    if (u.type === 'TemplateLiteral') {
      let out = u.quasis[0].value.cooked ?? '';
      for (let i = 0; i < u.expressions.length; i++) {
        const v = part(u.expressions[i]);
        if (v === undefined) return undefined;
        out += v + (u.quasis[i + 1].value.cooked ?? '');
      }
      return out;
    }
    return isCall(u) ? pathCall(u, part) : undefined;
  };
  const p = part(e);
  return p === undefined ? undefined : path.normalize(p);
}

/** `process.cwd()`, and `path.resolve(...)` / `path.join(...)` (or `resolve`, `join`) of parts `part` reads. */
function pathCall(u: t.CallExpression | t.OptionalCallExpression, part: (x: t.Node) => string | undefined): string | undefined {
  const c = parenthesized(u.callee) ? undefined : member(u.callee);
  if (u.arguments.length === 0 && c?.name === 'cwd' && c.object.type === 'Identifier' && c.object.name === 'process') return '.';
  const callee = unwrap(u.callee);
  const cm = member(callee);
  const obj = cm ? unwrap(cm.object) : undefined;
  const isPathModule = !!obj && ((obj.type === 'Identifier' && /^(path|posix|nodePath)$/.test(obj.name)) || member(obj)?.name === 'posix');
  const name = callee.type === 'Identifier' ? callee.name : isPathModule ? cm!.name : '';
  if (name !== 'resolve' && name !== 'join') return undefined;
  const args = u.arguments.map(part);
  if (args.some((a) => a === undefined)) return undefined;
  return name === 'join' ? path.join(...(args as string[])) : joinResolved(args as string[]);
}

/** path.resolve without a working directory: from the last absolute segment, else relative. */
function joinResolved(segments: string[]): string {
  let from = 0;
  segments.forEach((s, i) => {
    if (path.isAbsolute(s)) from = i;
  });
  return path.join(...segments.slice(from));
}
