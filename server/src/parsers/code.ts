// A plain require: `import * as` would route every ts.* call through an interop getter (measured ~5% of a cold audit).
import ts = require('typescript');
import type { CodeDefault, CodeFileInfo, EffectConfigDecl, ListenCall, Range } from '../model/types';
import { LineIndex } from '../model/text';
import { GUARD_HINT, isGuardedPlaceholder } from '../model/placeholder';
import { envVarRead, extractAuthFacts, mayHaveAuthFacts } from './auth';
import { exportedValue, unwrap } from './ast';
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
  // A quoted `change…`, `replace…`, `your…`: `if (secret === 'change-me') throw ...`, a guard the reader records.
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

function scriptKind(file: string): ts.ScriptKind {
  if (/\.tsx$/.test(file)) return ts.ScriptKind.TSX;
  if (/\.jsx$/.test(file)) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(file)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/** `process.env.X`, `process.env["X"]`, `import.meta.env.X` -> X */
function envRead(e: ts.Expression): string | undefined {
  const x = unwrap(e);
  const isEnvObj = (o: ts.Expression) => {
    const u = unwrap(o);
    if (ts.isPropertyAccessExpression(u) && u.name.text === 'env') {
      const b = unwrap(u.expression);
      if (ts.isIdentifier(b) && b.text === 'process') return true;
      if (ts.isMetaProperty(b)) return true;
    }
    return false;
  };
  if (ts.isPropertyAccessExpression(x) && isEnvObj(x.expression)) return x.name.text;
  if (ts.isElementAccessExpression(x) && isEnvObj(x.expression) && ts.isStringLiteralLike(x.argumentExpression)) return x.argumentExpression.text;
  // configService.get('PORT') / config.get<number>('PORT')
  if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && (x.expression.name.text === 'get' || x.expression.name.text === 'getOrThrow')) {
    const a = x.arguments[0];
    const obj = unwrap(x.expression.expression);
    const objName = ts.isIdentifier(obj) ? obj.text : ts.isPropertyAccessExpression(obj) ? obj.name.text : '';
    if (a && ts.isStringLiteralLike(a) && /config/i.test(objName) && /^[A-Z][A-Z0-9_]*$/.test(a.text)) return a.text;
  }
  return undefined;
}

function numberLiteral(e: ts.Expression | undefined): number | undefined {
  if (!e) return undefined;
  const x = unwrap(e);
  if (ts.isNumericLiteral(x)) return Number(x.text);
  if (ts.isStringLiteralLike(x) && /^\d{1,5}$/.test(x.text)) return Number(x.text);
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
function portExpr(e: ts.Expression, sf: ts.SourceFile, depth = 0): PortExpr | undefined {
  if (depth > 4) return undefined;
  const x = unwrap(e);
  const lit = numberLiteral(x);
  if (lit !== undefined) return { literal: lit };
  const env = envRead(x);
  if (env) {
    // config.get('PORT', 3000)
    if (ts.isCallExpression(x) && x.arguments[1]) return { envVar: env, fallback: numberLiteral(x.arguments[1]) };
    return { envVar: env };
  }
  if (ts.isBinaryExpression(x) && (x.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || x.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
    const left = portExpr(x.left, sf, depth + 1);
    const right = portExpr(x.right, sf, depth + 1);
    if (left?.envVar) {
      const also = [...(left.alsoEnv ?? []), ...(right?.envVar ? [right.envVar, ...(right.alsoEnv ?? [])] : [])];
      return { envVar: left.envVar, ...(also.length ? { alsoEnv: also } : {}), fallback: right?.literal ?? right?.fallback ?? left.fallback };
    }
    return left ?? right;
  }
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.PlusToken) return portExpr(x.operand, sf, depth + 1);
  // `process.env.PORT ? Number(process.env.PORT) : 3000`: the variable when set, else the other branch.
  if (ts.isConditionalExpression(x)) {
    const tested = envRead(x.condition) ?? definedTest(x.condition);
    const whenSet = portExpr(x.whenTrue, sf, depth + 1);
    const otherwise = portExpr(x.whenFalse, sf, depth + 1);
    if (tested && whenSet?.envVar === tested) return { envVar: tested, fallback: otherwise?.literal ?? otherwise?.fallback };
    return undefined; // a condition on something else (NODE_ENV, a flag): which branch runs is not known statically
  }
  if (ts.isCallExpression(x)) {
    const callee = unwrap(x.expression);
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    if ((name === 'Number' || name === 'parseInt' || name === 'String' || name === 'parseFloat') && x.arguments[0])
      return portExpr(x.arguments[0], sf, depth + 1);
    // Effect's `Effect.runSync(program)`: the program's value.
    if (name === 'runSync' && x.arguments.length === 1) return portExpr(x.arguments[0], sf, depth + 1);
    // A typed env helper: `parseEnv("API_PORT", "number", 3001)`, `getEnv('PORT', 3000)`, `env.number('PORT', 3000)`.
    const owner = ts.isPropertyAccessExpression(callee) ? unwrap(callee.expression) : undefined;
    const envHelper = /env/i.test(name) || (!!owner && ts.isIdentifier(owner) && /env/i.test(owner.text));
    const first = x.arguments[0] && unwrap(x.arguments[0]);
    if (envHelper && first && ts.isStringLiteralLike(first) && /^[A-Z][A-Z0-9_]*PORT$/.test(first.text)) {
      const last = x.arguments.length > 1 ? numberLiteral(unwrap(x.arguments[x.arguments.length - 1])) : undefined;
      return last !== undefined ? { envVar: first.text, fallback: last } : { envVar: first.text };
    }
  }
  if (ts.isIdentifier(x)) {
    const decl = findVariable(sf, x.text);
    if (decl?.initializer) return portExpr(decl.initializer, sf, depth + 1);
    // `const { PORT } = env()`: a variable of a validated env object (t3-env, zod); its default lives in the schema.
    if (!decl && /^([A-Z][A-Z0-9_]*_)?PORT$/.test(x.text) && destructured(sf, x.text)) return { envVar: x.text };
  }
  // `env.PORT` of a validated env object (t3-env, zod): the variable, its default from the schema.
  if (
    ts.isPropertyAccessExpression(x) &&
    /^([A-Z][A-Z0-9_]*_)?PORT$/.test(x.name.text) &&
    ts.isIdentifier(unwrap(x.expression)) &&
    /env/i.test((unwrap(x.expression) as ts.Identifier).text)
  ) {
    return { envVar: x.name.text };
  }
  if (ts.isPropertyAccessExpression(x)) {
    // config.port where `const config = { port: ... }`
    const obj = unwrap(x.expression);
    if (ts.isIdentifier(obj)) {
      const decl = findVariable(sf, obj.text);
      const init = decl?.initializer && unwrap(decl.initializer);
      if (init && ts.isObjectLiteralExpression(init)) {
        const prop = init.properties.find((p) => ts.isPropertyAssignment(p) && p.name.getText(sf) === x.name.text) as ts.PropertyAssignment | undefined;
        if (prop) return portExpr(prop.initializer, sf, depth + 1);
      }
    }
  }
  return undefined;
}

function noteSchemaPort(info: CodeFileInfo, key: string): void {
  const keys = (info.schemaPortKeys ??= []);
  if (!keys.includes(key)) keys.push(key);
}

/** Whether a property sits in an env schema: an object given to `createEnv`, `z.object`, `cleanEnv`, arktype's `type` (a few levels up). */
function inEnvSchema(n: ts.Node): boolean {
  let p: ts.Node | undefined = n.parent;
  for (let hops = 0; p && hops < 6; hops++, p = p.parent) {
    if (ts.isCallExpression(p)) {
      const callee = unwrap(p.expression);
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      if (/^(createEnv|object|strictObject|cleanEnv|envsafe|type)$/.test(name)) return true;
    }
  }
  return false;
}

/** `typeof process.env.X !== 'undefined'`, `process.env.X !== undefined`, `process.env.X != null`: X (a test that it is set). */
function definedTest(c: ts.Expression): string | undefined {
  const x = unwrap(c);
  if (!ts.isBinaryExpression(x)) return undefined;
  const op = x.operatorToken.kind;
  if (op !== ts.SyntaxKind.ExclamationEqualsEqualsToken && op !== ts.SyntaxKind.ExclamationEqualsToken) return undefined;
  const [a, b] = [unwrap(x.left), unwrap(x.right)];
  const isUndef = (e: ts.Expression) =>
    (ts.isIdentifier(e) && e.text === 'undefined') || e.kind === ts.SyntaxKind.NullKeyword || (ts.isStringLiteral(e) && e.text === 'undefined');
  const side = isUndef(b) ? a : isUndef(a) ? b : undefined;
  if (!side) return undefined;
  return ts.isTypeOfExpression(side) ? envRead(side.expression) : envRead(side);
}

/** Whether `name` is bound by an object destructuring (`const { PORT } = env()`) in the file. */
function destructured(sf: ts.SourceFile, name: string): boolean {
  let found = false;
  const visit = (n: ts.Node) => {
    if (found) return;
    if (ts.isBindingElement(n) && ts.isIdentifier(n.name) && n.name.text === name && !n.propertyName) {
      found = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

function findVariable(sf: ts.SourceFile, name: string): ts.VariableDeclaration | undefined {
  let found: ts.VariableDeclaration | undefined;
  const visit = (n: ts.Node) => {
    if (found) return;
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name) {
      found = n;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

function objProp(o: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of o.properties) {
    if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === name) return p.initializer;
    // `{ port }`: the variable of that name (resolved by portExpr through its declaration)
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
  }
  return undefined;
}

/**
 * Parses a TS/JS file with the TypeScript compiler API (syntax only: nothing is type-checked,
 * resolved or executed) and extracts env defaults, listen calls, dotenv loading and Vite ports.
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
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
  const diags = (sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (diags.length > 0) {
    const d = diags[0];
    info.problems.push({
      message: `Syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')} (Crosswire read what it could of this file)`,
      range: lines.range(d.start ?? 0, (d.start ?? 0) + (d.length ?? 0)),
    });
  }
  new CodeReader(sf, lines, info).read();
  if (mayHaveAuthFacts(text)) info.auth = extractAuthFacts(sf, lines, file);
  return info;
}

/** One walk over a parsed file, recording what it finds in `info`. */
class CodeReader {
  private readonly file: string;
  private readonly isPrismaConfig: boolean;
  private readonly isVite: boolean;
  /** The file may compare a value with a placeholder (`if (secret === 'change-me') throw ...`). */
  private readonly guards: boolean;
  /** `import { config } from 'dotenv'`: a bare `config()` call loads .env. */
  private importsDotenvConfig = false;

  constructor(
    private readonly sf: ts.SourceFile,
    private readonly lines: LineIndex,
    private readonly info: CodeFileInfo,
  ) {
    this.file = info.file;
    this.isPrismaConfig = /(^|[\\/])prisma\.config\.[cm]?[jt]s$/.test(this.file);
    this.isVite = /(^|\/)vite\.config\.[cm]?[jt]s$/.test(this.file);
    this.guards = GUARD_HINT.test(sf.text);
  }

  read(): void {
    for (const st of this.sf.statements) {
      if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && st.moduleSpecifier.text === 'dotenv') {
        const nb = st.importClause?.namedBindings;
        if (nb && ts.isNamedImports(nb) && nb.elements.some((el) => (el.propertyName ?? el.name).text === 'config')) this.importsDotenvConfig = true;
      }
    }
    this.visit(this.sf);
    if (this.isVite) viteConfig(exportedValue(this.sf), this.info, this.sf, this.lines);
    if (EFFECT_CONFIG.test(this.sf.text)) {
      const decls = effectConfigs(this.sf, this.lines);
      if (decls.length) this.info.effectConfigs = decls;
    }
  }

  private range(n: ts.Node): Range {
    return this.lines.range(n.getStart(this.sf), n.end);
  }

  private readonly visit = (n: ts.Node): void => {
    const { info, sf, lines } = this;
    if (ts.isPropertyAssignment(n) && ts.isCallExpression(n.initializer)) this.schemaDefault(n);
    // A local URL with a port written in code (`return "http://localhost:3000"`): it names a port a server must keep.
    if (ts.isStringLiteralLike(n) && n.text.length < 200 && LOCAL_URL.test(n.text) && !ts.isImportDeclaration(n.parent) && !ts.isExportDeclaration(n.parent)) {
      const start = n.getStart(sf) + 1;
      (info.urlLiterals ??= []).push({ value: n.text, range: lines.range(start, start + n.text.length) });
    }
    // `if (secret === 'change-me') throw ...`: the app refuses a placeholder itself
    if (this.guards && ts.isBinaryExpression(n) && /^(===?|!==?)$/.test(n.operatorToken.getText(sf))) {
      for (const side of [n.left, n.right]) {
        const x = unwrap(side);
        if (ts.isStringLiteralLike(x) && isGuardedPlaceholder(x.text)) (info.placeholderGuards ??= []).push(x.text);
      }
    }
    if (ts.isExportAssignment(n) && !n.isExportEquals) this.exportDefault(n);
    if (ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || n.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      const key = envRead(n.left);
      if (key) this.addDefault(key, n.right);
    }
    if (ts.isCallExpression(n)) this.call(n);
    if (ts.isNewExpression(n)) {
      const pool = driverPool(n, sf, lines);
      if (pool) info.driverPools.push(pool);
    }
    // prisma.config.ts: defineConfig({ datasource: { url: env('DATABASE_URL') } })
    if (
      this.isPrismaConfig &&
      ts.isPropertyAssignment(n) &&
      (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name)) &&
      n.name.text === 'url' &&
      ts.isObjectLiteralExpression(n.parent) &&
      ts.isPropertyAssignment(n.parent.parent) &&
      n.parent.parent.name.getText(sf) === 'datasource'
    ) {
      const v = unwrap(n.initializer);
      const range = this.range(n);
      if (ts.isCallExpression(v) && ts.isIdentifier(v.expression) && v.expression.text === 'env' && v.arguments[0] && ts.isStringLiteralLike(v.arguments[0]))
        info.prismaConfig = { envVar: v.arguments[0].text, range };
      else if (ts.isStringLiteralLike(v)) info.prismaConfig = { literal: v.text, range };
      else {
        const ev = envVarRead(v);
        info.prismaConfig = ev ? { envVar: ev, range } : { range };
      }
    }
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier) && n.moduleSpecifier.text === 'dotenv/config') info.loadsDotenv = true;
    if (ts.isBlock(n)) earlyReturnDefaults(n, (key, lit) => this.addDefault(key, lit));
    ts.forEachChild(n, this.visit);
  };

  private addDefault(key: string, lit: ts.Expression): void {
    const x = unwrap(lit);
    if (ts.isStringLiteralLike(x)) {
      const start = x.getStart(this.sf) + 1;
      this.info.defaults.push({
        file: this.file,
        key,
        value: x.text,
        range: this.lines.range(start, start + x.text.length),
        language: this.info.language,
      } as CodeDefault);
    }
  }

  /** Env schemas (zod, t3-env): `PORT: z.coerce.number().default(3000)` is the default of PORT. */
  private schemaDefault(n: ts.PropertyAssignment): void {
    const key = ts.isIdentifier(n.name) || ts.isStringLiteral(n.name) ? n.name.text : undefined;
    if (!key || !/^[A-Z][A-Z0-9_]*$/.test(key)) return;
    if (/(^|_)PORT$/.test(key) && inEnvSchema(n)) noteSchemaPort(this.info, key);
    let call: ts.Expression = n.initializer;
    for (let hops = 0; hops < 12 && ts.isCallExpression(call); hops++) {
      const callee = call.expression;
      if (!ts.isPropertyAccessExpression(callee)) return;
      if (/^(default|prefault|catch)$/.test(callee.name.text) && call.arguments.length === 1) {
        const arg = unwrap(call.arguments[0]);
        if (ts.isNumericLiteral(arg) || ts.isStringLiteralLike(arg)) {
          const start = arg.getStart(this.sf) + (ts.isNumericLiteral(arg) ? 0 : 1);
          this.info.defaults.push({
            file: this.file,
            key,
            value: arg.text,
            range: this.lines.range(start, start + arg.text.length),
            language: this.info.language,
          } as CodeDefault);
        }
        return;
      }
      call = callee.expression;
    }
  }

  /** `export default app` (a Hono or Elysia app) and `export default { port, fetch }`: servers Bun starts. */
  private exportDefault(n: ts.ExportAssignment): void {
    const { info, sf, file } = this;
    if (ts.isIdentifier(unwrap(n.expression))) {
      // Bun also serves `export default app` when app is a Hono (or Elysia) application: it has a `fetch` method.
      const init = findVariable(sf, (unwrap(n.expression) as ts.Identifier).text)?.initializer;
      const made = init && unwrap(init);
      if (made && ts.isNewExpression(made) && ts.isIdentifier(made.expression) && /Hono$|^Elysia$/.test(made.expression.text)) {
        info.listens.push({ file, range: this.range(n), tool: 'bun', envVar: 'PORT', fallback: 3000 });
      }
    }
    // Bun: `export default { port, fetch }` starts a server on port, else BUN_PORT / PORT / NODE_PORT, else 3000.
    const o = unwrap(n.expression);
    if (
      ts.isObjectLiteralExpression(o) &&
      o.properties.some(
        (p) =>
          (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p) || ts.isMethodDeclaration(p)) &&
          p.name &&
          ts.isIdentifier(p.name) &&
          p.name.text === 'fetch',
      )
    ) {
      const port = objProp(o, 'port');
      const p = port ? portExpr(port, sf) : { envVar: 'PORT', fallback: 3000 };
      if (p) info.listens.push({ file, range: this.range(n), tool: 'bun', ...p });
    }
  }

  private call(n: ts.CallExpression): void {
    const { info, sf, file } = this;
    const callee = unwrap(n.expression);
    if (ts.isIdentifier(callee) && callee.text === 'serve' && n.arguments[0]) {
      // @hono/node-server: serve({ fetch: app.fetch, port }), default 3000.
      const opts = unwrap(n.arguments[0]);
      if (ts.isObjectLiteralExpression(opts) && objProp(opts, 'fetch')) {
        const port = objProp(opts, 'port');
        const p = port ? portExpr(port, sf) : { literal: 3000 };
        if (p) info.listens.push({ file, range: this.range(n), ...p });
      }
    }
    // configService.get('X', 'default')
    const key = envRead(n);
    if (key && n.arguments[1]) this.addDefault(key, n.arguments[1]);
    if (ts.isPropertyAccessExpression(callee)) this.methodCall(n, callee);
    if (
      ts.isIdentifier(callee) &&
      callee.text === 'require' &&
      n.arguments[0] &&
      ts.isStringLiteralLike(n.arguments[0]) &&
      n.arguments[0].text === 'dotenv/config'
    )
      info.loadsDotenv = true;
    if (ts.isIdentifier(callee) && callee.text === 'config' && this.importsDotenvConfig) this.dotenvConfig(n);
  }

  /** `x.method(...)`: Bun.serve / Deno.serve, `.listen(port)`, dotenv's `config()`, Nest's ConfigModule.forRoot(). */
  private methodCall(n: ts.CallExpression, callee: ts.PropertyAccessExpression): void {
    const { info, sf, file } = this;
    const method = callee.name.text;
    const target = unwrap(callee.expression);
    if (method === 'serve' && ts.isIdentifier(target) && (target.text === 'Bun' || target.text === 'Deno') && n.arguments.length > 0) {
      // Bun.serve({ port, fetch }): port, else BUN_PORT / PORT / NODE_PORT, else 3000. Deno.serve({ port }, handler): port, else 8000.
      const opts = unwrap(n.arguments[0]);
      const port = ts.isObjectLiteralExpression(opts) ? objProp(opts, 'port') : undefined;
      const p = port
        ? portExpr(port, sf)
        : target.text === 'Bun'
          ? { envVar: 'PORT', fallback: 3000 }
          : ts.isObjectLiteralExpression(opts) || ts.isArrowFunction(opts) || ts.isFunctionExpression(opts)
            ? { literal: 8000 }
            : undefined;
      if (p) info.listens.push({ file, range: this.range(n), ...p });
    }
    if (method === 'listen' && n.arguments.length > 0) {
      const first = unwrap(n.arguments[0]);
      // Fastify: listen({ port, host }); a listen() without a port property binds Fastify's default 3000.
      const portArg = ts.isObjectLiteralExpression(first) ? objProp(first, 'port') : n.arguments[0];
      const p = portArg ? portExpr(portArg, sf) : undefined;
      if (p) {
        const call: ListenCall = { file, range: this.range(n), ...p };
        info.listens.push(call);
      }
    }
    if (method === 'layer') {
      const call = effectServer(n, target, sf);
      if (call) info.listens.push({ file, range: this.range(n), ...call });
    }
    if (method === 'config' && ts.isIdentifier(target) && /dotenv/i.test(target.text)) this.dotenvConfig(n);
    if (method === 'config' && ts.isCallExpression(target)) {
      // require('dotenv').config()
      const req = unwrap(target.expression);
      if (
        ts.isIdentifier(req) &&
        req.text === 'require' &&
        target.arguments[0] &&
        ts.isStringLiteralLike(target.arguments[0]) &&
        target.arguments[0].text === 'dotenv'
      )
        this.dotenvConfig(n);
    }
    if ((method === 'forRoot' || method === 'forRootAsync') && ts.isIdentifier(target) && target.text === 'ConfigModule') {
      const opts = n.arguments[0] && unwrap(n.arguments[0]);
      const ignore = opts && ts.isObjectLiteralExpression(opts) ? objProp(opts, 'ignoreEnvFile') : undefined;
      if (!(ignore && ignore.kind === ts.SyntaxKind.TrueKeyword)) {
        info.loadsDotenv = true;
        if (opts && ts.isObjectLiteralExpression(opts)) collectPaths(this.info, objProp(opts, 'envFilePath'));
      }
    }
  }

  /** dotenv's `config({ path })`: loads .env (or the paths given). */
  private dotenvConfig(n: ts.CallExpression): void {
    this.info.loadsDotenv = true;
    const opts = n.arguments[0] && unwrap(n.arguments[0]);
    if (opts && ts.isObjectLiteralExpression(opts)) collectPaths(this.info, objProp(opts, 'path'));
  }
}

/** Effect's HTTP servers: `BunHttpServer.layer({ port })`, `NodeHttpServer.layer(createServer, { port })`. */
function effectServer(n: ts.CallExpression, target: ts.Expression, sf: ts.SourceFile): Omit<ListenCall, 'file' | 'range'> | undefined {
  if (!ts.isIdentifier(target) || (target.text !== 'BunHttpServer' && target.text !== 'NodeHttpServer')) return undefined;
  const opts = n.arguments[target.text === 'BunHttpServer' ? 0 : 1];
  const o = opts && unwrap(opts);
  const port = o && ts.isObjectLiteralExpression(o) ? objProp(o, 'port') : undefined;
  if (!port) return undefined;
  const p = portExpr(port, sf);
  if (p) return p;
  const ref = serviceFieldRef(port, sf);
  return ref ? { configRef: ref } : undefined;
}

/**
 * `config.port` (or a destructured `port`) where `const config = yield* ServerConfig` and ServerConfig is imported:
 * the field of a config service another module declares (Effect), resolved by the index.
 */
function serviceFieldRef(e: ts.Expression, sf: ts.SourceFile): ListenCall['configRef'] {
  const x = unwrap(e);
  let service: ts.Expression | undefined;
  let field: string | undefined;
  if (ts.isPropertyAccessExpression(x) && ts.isIdentifier(unwrap(x.expression))) {
    field = x.name.text;
    service = yieldedBy(x, (unwrap(x.expression) as ts.Identifier).text);
  } else if (ts.isIdentifier(x)) {
    // `const { port } = yield* ServerConfig`
    field = x.text;
    const visit = (n: ts.Node): void => {
      if (service) return;
      if (ts.isVariableDeclaration(n) && ts.isObjectBindingPattern(n.name) && n.initializer) {
        const el = n.name.elements.find((b) => ts.isIdentifier(b.name) && b.name.text === x.text);
        const init = unwrap(n.initializer);
        if (el && ts.isYieldExpression(init) && init.asteriskToken && init.expression) {
          service = unwrap(init.expression);
          if (el.propertyName && ts.isIdentifier(el.propertyName)) field = el.propertyName.text;
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  if (!service || !field || !ts.isIdentifier(service)) return undefined;
  const imported = importOf(sf, service.text);
  return imported ? { module: imported.module, name: imported.name, field } : undefined;
}

/** What `const name = yield* Service` yields from, in the nearest block around `at` that declares `name`. */
function yieldedBy(at: ts.Node, name: string): ts.Expression | undefined {
  for (let p: ts.Node | undefined = at.parent; p; p = p.parent) {
    if (!ts.isBlock(p) && !ts.isSourceFile(p)) continue;
    for (const st of p.statements) {
      if (!ts.isVariableStatement(st)) continue;
      const d = st.declarationList.declarations.find((v) => ts.isIdentifier(v.name) && v.name.text === name);
      if (!d?.initializer) continue;
      const init = unwrap(d.initializer);
      return ts.isYieldExpression(init) && init.asteriskToken && init.expression ? unwrap(init.expression) : undefined;
    }
  }
  return undefined;
}

/** The module and exported name a local name is imported as (`import { ServerConfig as C } from "@acme/config"`). */
function importOf(sf: ts.SourceFile, local: string): { module: string; name: string } | undefined {
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    const nb = st.importClause?.namedBindings;
    if (!nb || !ts.isNamedImports(nb)) continue;
    const el = nb.elements.find((e) => e.name.text === local);
    if (el) return { module: st.moduleSpecifier.text, name: (el.propertyName ?? el.name).text };
  }
  return undefined;
}

/**
 * Effect configs of a module: `const S = Config.all({ port: Config.number("PORT").pipe(Config.withDefault(3000)) })`
 * (also `Config.withDefault(Config.number("PORT"), 3000)`, `Config.port`, `Config.integer`), by the schema's name and
 * by the name of each class whose body uses the schema (an Effect service built from it).
 */
function effectConfigs(sf: ts.SourceFile, lines: LineIndex): EffectConfigDecl[] {
  const schemas = new Map<string, EffectConfigDecl['fields']>();
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name) || !d.initializer) continue;
      const init = unwrap(d.initializer);
      if (!ts.isCallExpression(init) || init.expression.getText(sf) !== 'Config.all' || !init.arguments[0]) continue;
      const obj = unwrap(init.arguments[0]);
      if (!ts.isObjectLiteralExpression(obj)) continue;
      const fields: EffectConfigDecl['fields'] = [];
      for (const p of obj.properties) {
        if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
        const read = effectEnvRead(p.initializer, sf);
        if (read) fields.push({ field: p.name.text, ...read, range: lines.range(p.getStart(sf), p.end) });
      }
      if (fields.length) schemas.set(d.name.text, fields);
    }
  }
  const out: EffectConfigDecl[] = [...schemas].map(([name, fields]) => ({ name, fields }));
  if (!schemas.size) return out;
  for (const st of sf.statements) {
    if (!ts.isClassDeclaration(st) || !st.name) continue;
    let used: string | undefined;
    const visit = (n: ts.Node): void => {
      if (used) return;
      if (ts.isIdentifier(n) && schemas.has(n.text)) used = n.text;
      else ts.forEachChild(n, visit);
    };
    st.members.forEach(visit);
    if (used) out.push({ name: st.name.text, fields: schemas.get(used)! });
  }
  return out;
}

/** `Config.number("X")` with its `Config.withDefault(n)`, in the pipe form or the data-first form. */
function effectEnvRead(e: ts.Expression, sf: ts.SourceFile): { envVar: string; fallback?: number } | undefined {
  const x = unwrap(e);
  if (!ts.isCallExpression(x)) return undefined;
  const callee = x.expression.getText(sf);
  const first = x.arguments[0] && unwrap(x.arguments[0]);
  if (/^Config\.(number|integer|port)$/.test(callee) && first && ts.isStringLiteralLike(first)) return { envVar: first.text };
  // Config.withDefault(Config.number("X"), 3000)
  if (callee === 'Config.withDefault' && x.arguments.length === 2) {
    const inner = effectEnvRead(x.arguments[0], sf);
    const d = numberLiteral(x.arguments[1]);
    return inner && d !== undefined ? { envVar: inner.envVar, fallback: d } : inner;
  }
  // Config.number("X").pipe(Config.withDefault(3000), ...)
  if (ts.isPropertyAccessExpression(x.expression) && x.expression.name.text === 'pipe') {
    const inner = effectEnvRead(x.expression.expression, sf);
    if (!inner) return undefined;
    for (const arg of x.arguments) {
      const a = unwrap(arg);
      if (ts.isCallExpression(a) && a.expression.getText(sf) === 'Config.withDefault' && a.arguments.length === 1) {
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
function earlyReturnDefaults(block: ts.Block, add: (key: string, lit: ts.Expression) => void): void {
  const stmts = block.statements;
  for (let i = 0; i < stmts.length; i++) {
    const st = stmts[i];
    if (!ts.isIfStatement(st) || st.elseStatement) continue;
    const key = envRead(st.expression);
    if (!key) continue;
    const then = ts.isBlock(st.thenStatement) && st.thenStatement.statements.length === 1 ? st.thenStatement.statements[0] : st.thenStatement;
    if (!ts.isReturnStatement(then) || !then.expression || envRead(then.expression) !== key) continue;
    const visitReturns = (n: ts.Node): void => {
      if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
      if (ts.isReturnStatement(n) && n.expression) {
        const x = unwrap(n.expression);
        if (ts.isStringLiteralLike(x) && LOCAL_URL.test(x.text)) add(key, x);
      }
      ts.forEachChild(n, visitReturns);
    };
    for (const rest of stmts.slice(i + 1)) visitReturns(rest);
    return;
  }
}

/** The paths given to an env loader; one Crosswire cannot evaluate makes the loaded files unknown. */
function collectPaths(info: CodeFileInfo, e: ts.Expression | undefined): void {
  if (!e) return;
  const x = unwrap(e);
  for (const el of ts.isArrayLiteralExpression(x) ? x.elements : [x]) {
    const p = ts.isSpreadElement(el) ? undefined : staticPath(unwrap(el), path.dirname(info.file));
    if (p === undefined) info.dotenvPathUnknown = true;
    else info.dotenvPaths.push(p);
  }
}

/** Driver pools: new PrismaPg({ connectionString, max }) (Prisma 7's adapter) and pg's new Pool({ max }) */
function driverPool(n: ts.NewExpression, sf: ts.SourceFile, lines: LineIndex): CodeFileInfo['driverPools'][number] | undefined {
  const cls = unwrap(n.expression).getText(sf);
  const kind = cls === 'PrismaPg' ? 'adapter-pg' : /^(pg\.)?Pool$/.test(cls) ? 'pg-pool' : undefined;
  if (!kind) return undefined;
  const opts = n.arguments?.[0] && unwrap(n.arguments[0]);
  const pool: CodeFileInfo['driverPools'][number] = { kind, range: lines.range(n.getStart(sf), n.end) };
  if (opts && ts.isObjectLiteralExpression(opts)) {
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
type ViteObject = { obj: ts.ObjectLiteralExpression } | { reason: string };

/**
 * The config object a Vite config's default export evaluates to: `{...}`, `defineConfig({...})`, a variable holding one,
 * a function returning one (expression body, or a block whose returns Crosswire reads), `mergeConfig(a, b)` (b's
 * `server`/`preview` win). Several possible objects (a function with several returns) are all returned.
 */
function viteObjects(e: ts.Expression | ts.FunctionDeclaration, sf: ts.SourceFile, depth = 0): ViteObject[] {
  const x = ts.isFunctionDeclaration(e) ? e : unwrap(e);
  const what = () => `\`${x.getText(sf).slice(0, 40).replace(/\s+/g, ' ')}${x.getText(sf).length > 40 ? '...' : ''}\``;
  if (depth > 6) return [{ reason: `the config ${what()} is too indirect for Crosswire to follow` }];
  if (ts.isObjectLiteralExpression(x)) return [{ obj: x }];
  if (ts.isIdentifier(x)) {
    const decl = findVariable(sf, x.text);
    if (decl?.initializer) return viteObjects(decl.initializer, sf, depth + 1);
    const fn = findFunction(sf, x.text);
    if (fn) return viteObjects(fn, sf, depth + 1);
    return [{ reason: `the config ${what()} is not a value Crosswire can read in this file` }];
  }
  if (ts.isArrowFunction(x) || ts.isFunctionExpression(x) || ts.isFunctionDeclaration(x)) {
    if (!x.body) return [{ reason: `the config function ${what()} has no body` }];
    if (!ts.isBlock(x.body)) return viteObjects(x.body, sf, depth + 1);
    const returns: ts.ReturnStatement[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isFunctionLike(n)) return; // returns of nested functions are not the config's
      if (ts.isReturnStatement(n)) returns.push(n);
      ts.forEachChild(n, visit);
    };
    ts.forEachChild(x.body, visit);
    if (!returns.length) return [{ reason: 'the config function returns nothing Crosswire can read' }];
    return returns.flatMap((r) =>
      r.expression ? viteObjects(r.expression, sf, depth + 1) : [{ reason: 'the config function returns nothing Crosswire can read' }],
    );
  }
  if (ts.isCallExpression(x)) {
    const callee = unwrap(x.expression);
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    if (name === 'defineConfig' && x.arguments[0]) return viteObjects(x.arguments[0], sf, depth + 1);
    if (name === 'mergeConfig' && x.arguments.length >= 2) {
      // mergeConfig(defaults, overrides): read as one object whose later properties win.
      const parts = x.arguments.slice(0, 2).map((a) => viteObjects(a, sf, depth + 1));
      if (parts.some((p) => p.length !== 1)) return [{ reason: `the config ${what()} merges configs Crosswire cannot tell apart` }];
      const [a, b] = parts.map((p) => p[0]);
      if ('reason' in a) return [a];
      if ('reason' in b) return [b];
      const merged = ts.factory.createObjectLiteralExpression([ts.factory.createSpreadAssignment(a.obj), ...b.obj.properties]);
      return [{ obj: merged }];
    }
  }
  return [{ reason: `the config ${what()} is computed in a way Crosswire does not evaluate` }];
}

function findFunction(sf: ts.SourceFile, name: string): ts.FunctionDeclaration | undefined {
  return sf.statements.find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === name);
}

/** The property `name` of a config object: its value, absent (read fully), or unknown (a spread Crosswire cannot read may set it). */
function viteProp(o: ts.ObjectLiteralExpression, name: string, sf: ts.SourceFile, depth = 0): { value?: ts.Expression; unknown?: string } {
  // Later properties win: read from the end.
  for (let i = o.properties.length - 1; i >= 0; i--) {
    const p = o.properties[i];
    if (ts.isSpreadAssignment(p)) {
      const inner = depth > 4 ? [] : viteObjects(p.expression, sf, depth + 1);
      if (inner.length !== 1 || 'reason' in inner[0]) return { unknown: `\`...${p.expression.getText(sf).slice(0, 30)}\` may set ${name}` };
      const r = viteProp(inner[0].obj, name, sf, depth + 1);
      if (r.value || r.unknown) return r;
      continue;
    }
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return { value: p.name };
    if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name)) && p.name.text === name) return { value: p.initializer };
    if (p.name && ts.isComputedPropertyName(p.name)) return { unknown: `a computed property may set ${name}` };
  }
  return {};
}

/** `server.port` (or `preview.port`) of the possible config objects. */
function vitePort(objects: ViteObject[], section: 'server' | 'preview', sf: ts.SourceFile, lines: LineIndex): VitePortRead {
  const reads: VitePortRead[] = objects.map((o): VitePortRead => {
    if ('reason' in o) return { state: 'unknown', reason: o.reason };
    const sec = viteProp(o.obj, section, sf);
    if (sec.unknown) return { state: 'unknown', reason: sec.unknown };
    if (!sec.value) return { state: 'absent' };
    const secObjs = viteObjects(sec.value, sf, 1);
    if (secObjs.length !== 1 || 'reason' in secObjs[0])
      return { state: 'unknown', reason: `${section} is \`${sec.value.getText(sf).slice(0, 40)}\`, which Crosswire cannot read` };
    const port = viteProp(secObjs[0].obj, 'port', sf);
    if (port.unknown) return { state: 'unknown', reason: port.unknown };
    if (!port.value) return { state: 'absent' };
    const pe = portExpr(port.value, sf);
    if (!pe || (pe.literal === undefined && pe.envVar === undefined))
      return { state: 'unknown', reason: `${section}.port is \`${port.value.getText(sf).slice(0, 40)}\`, computed in a way Crosswire does not evaluate` };
    return { state: 'known', port: pe, range: lines.range(port.value.getStart(sf), port.value.end) };
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
function viteConfig(e: ts.Expression | ts.FunctionDeclaration | undefined, info: CodeFileInfo, sf: ts.SourceFile, lines: LineIndex): void {
  const vite: NonNullable<CodeFileInfo['vite']> = {};
  const objects: ViteObject[] = e ? viteObjects(e, sf) : [{ reason: 'Crosswire found no default export in the config' }];
  // `server.port` and `preview.port` into serverPort*/previewPort*: a literal, a variable read (with its fallback), or unknown.
  for (const which of ['server', 'preview'] as const) {
    const r = vitePort(objects, which, sf, lines);
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
    const sec = viteProp(o.obj, 'server', sf).value;
    const so = sec ? viteObjects(sec, sf, 1) : [];
    if (so.length === 1 && !('reason' in so[0]) && viteProp(so[0].obj, 'strictPort', sf).value?.kind === ts.SyntaxKind.TrueKeyword) vite.strictPort = true;
  }
  if (/\bloadEnv\s*\(/.test(sf.text)) vite.loadsEnv = true;
  if (e) vite.configRange = lines.range(e.getStart(sf), e.end);
  info.vite = vite;
}

/**
 * A file path built from literals the way env loaders are given one: `'.env.local'`, `path.resolve(__dirname, '../.env')`,
 * `join(process.cwd(), '.env')`, `` `${__dirname}/.env` ``, `import.meta.dirname`. Relative results are relative to the
 * working directory (the app's folder when a script runs it); `__dirname` makes them absolute. Anything else is undefined.
 */
export function staticPath(e: ts.Expression, dir: string): string | undefined {
  const part = (x: ts.Expression): string | undefined => {
    const u = unwrap(x);
    if (ts.isStringLiteralLike(u)) return u.text;
    if (ts.isIdentifier(u) && u.text === '__dirname') return dir;
    if (ts.isPropertyAccessExpression(u) && u.name.text === 'dirname' && ts.isMetaProperty(u.expression)) return dir;
    if (ts.isCallExpression(u) && u.arguments.length === 0 && ts.isPropertyAccessExpression(u.expression)) {
      const c = u.expression;
      if (c.name.text === 'cwd' && ts.isIdentifier(c.expression) && c.expression.text === 'process') return '.';
    }
    if (ts.isTemplateExpression(u)) {
      let out = u.head.text;
      for (const span of u.templateSpans) {
        const v = part(span.expression);
        if (v === undefined) return undefined;
        out += v + span.literal.text;
      }
      return out;
    }
    if (ts.isCallExpression(u)) {
      const callee = unwrap(u.expression);
      const obj = ts.isPropertyAccessExpression(callee) ? unwrap(callee.expression) : undefined;
      const isPathModule =
        !!obj && ((ts.isIdentifier(obj) && /^(path|posix|nodePath)$/.test(obj.text)) || (ts.isPropertyAccessExpression(obj) && obj.name.text === 'posix'));
      const name = ts.isIdentifier(callee) ? callee.text : isPathModule ? (callee as ts.PropertyAccessExpression).name.text : '';
      if (name !== 'resolve' && name !== 'join') return undefined;
      const args = u.arguments.map(part);
      if (args.some((a) => a === undefined)) return undefined;
      return name === 'join' ? path.join(...(args as string[])) : joinResolved(args as string[]);
    }
    return undefined;
  };
  const p = part(e);
  return p === undefined ? undefined : path.normalize(p);
}

/** path.resolve without a working directory: from the last absolute segment, else relative. */
function joinResolved(segments: string[]): string {
  let from = 0;
  segments.forEach((s, i) => {
    if (path.isAbsolute(s)) from = i;
  });
  return path.join(...segments.slice(from));
}
