// A plain require: `import * as` would route every ts.* call through an interop getter (measured ~5% of a cold audit).
import ts = require('typescript');
import type { AuthFacts, ConstRef, CookieLib, CookieOptionsFact, CorsFact, NextAuthOptionsFact, Range, SecretRead } from '../model/types';
import { LineIndex } from '../model/text';
import { memberName as propName, unwrap } from './ast';

/** Cheap pre-filter for files worth reading for auth/session/cookie/CORS facts. */
export function mayHaveAuthFacts(text: string): boolean {
  return /next-auth|@auth\/|NextAuth|jsonwebtoken|jwtVerify|SignJWT|@nestjs\/jwt|JwtModule|iron-session|express-session|cookie-session|cookies\(\)|\.cookie\(|cookieOptions|enableCors|cors\(|@fastify\/cors|\bcors\s*:|secretOrKey|sessions?\s*=\s*new Map/.test(
    text,
  );
}

function prop(o: ts.ObjectLiteralExpression, name: string): ts.PropertyAssignment | undefined {
  return o.properties.find((p) => ts.isPropertyAssignment(p) && propName(p) === name) as ts.PropertyAssignment | undefined;
}

/** `process.env.X`, `process.env['X']`, `config.get('X')`, `configService.getOrThrow<string>('X')` -> X */
export function envVarRead(e: ts.Expression): string | undefined {
  const x = unwrap(e);
  const isEnv = (o: ts.Expression) => {
    const u = unwrap(o);
    return (
      ts.isPropertyAccessExpression(u) &&
      u.name.text === 'env' &&
      ((ts.isIdentifier(u.expression) && u.expression.text === 'process') || ts.isMetaProperty(u.expression))
    );
  };
  if (ts.isPropertyAccessExpression(x) && isEnv(x.expression)) return x.name.text;
  if (ts.isElementAccessExpression(x) && isEnv(x.expression) && ts.isStringLiteralLike(x.argumentExpression)) return x.argumentExpression.text;
  if (
    ts.isCallExpression(x) &&
    ts.isPropertyAccessExpression(x.expression) &&
    /^(get|getOrThrow)$/.test(x.expression.name.text) &&
    x.arguments[0] &&
    ts.isStringLiteralLike(x.arguments[0])
  ) {
    const obj = unwrap(x.expression.expression);
    const objName = ts.isIdentifier(obj) ? obj.text : ts.isPropertyAccessExpression(obj) ? obj.name.text : '';
    // NestJS's ConfigService: `get('JWT_SECRET')` reads the variable; `get('auth.jwt.secret')` (or `get('jwtSecret')`)
    // reads a custom configuration namespace (`load: [...]`), whose variable Crosswire does not know.
    if (/config/i.test(objName) && /^[A-Z][A-Z0-9_]*$/.test(x.arguments[0].text)) return x.arguments[0].text;
  }
  return undefined;
}

/** All env variables read by an expression like `process.env.AUTH_SECRET ?? process.env.NEXTAUTH_SECRET`. */
function envVarsOf(e: ts.Expression): string[] {
  const x = unwrap(e);
  const direct = envVarRead(x);
  if (direct) return [direct];
  if (ts.isBinaryExpression(x) && (x.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || x.operatorToken.kind === ts.SyntaxKind.BarBarToken))
    return [...envVarsOf(x.left), ...envVarsOf(x.right)];
  if (ts.isCallExpression(x) && x.arguments[0]) {
    const fromArg = envVarsOf(x.arguments[0]); // String(...), new TextEncoder().encode(...)
    if (fromArg.length || !ts.isPropertyAccessExpression(x.expression)) return fromArg;
  }
  if (ts.isNewExpression(x) && x.arguments?.[0]) return envVarsOf(x.arguments[0]);
  // process.env.X.trim(), process.env.X?.split(',').map((s) => s.trim())
  if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression)) return envVarsOf(x.expression.expression);
  return [];
}

/**
 * Whether a cookie name set with `res.cookie(name, ...)` / `cookies().set(name, ...)` names a session: one of its
 * words is session/sess/sid/jwt, or its last word is token/auth (`token`, `access_token`, `app-auth`). Flags that
 * merely mention auth (`robot_auth_status`, `oauth_state`) and CSRF tokens (read by scripts on purpose) are not.
 */
export function isSessionCookieName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (!words.length || words.some((w) => w === 'csrf' || w === 'xsrf')) return false;
  if (words.some((w) => w === 'session' || w === 'sess' || w === 'sid' || w === 'jwt' || w === 'sessionid')) return true;
  const last = words[words.length - 1];
  return last === 'token' || last === 'auth';
}

function hasLiteralString(e: ts.Expression): boolean {
  const x = unwrap(e);
  if (ts.isStringLiteralLike(x)) return true;
  if (ts.isBinaryExpression(x)) return hasLiteralString(x.right) && !envVarRead(x.right);
  return false;
}

/** Which env variable an expression splits into a list: `process.env.X.split(',')`, `...split(',').map(...)`. */
function splitsEnv(e: ts.Expression): boolean {
  let x: ts.Expression = unwrap(e);
  while (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression)) {
    if (x.expression.name.text === 'split') return true;
    x = unwrap(x.expression.expression);
  }
  return false;
}

type Str = { value: string } | { ref: ConstRef } | undefined;

/** Reads auth/session/cookie/CORS facts from a parsed TS/JS file. */
export function extractAuthFacts(sf: ts.SourceFile, lines: LineIndex, file: string): AuthFacts {
  return new AuthReader(sf, lines, file).read();
}

/** One walk over a parsed file for its auth, session, cookie and CORS facts. */
class AuthReader {
  readonly facts: AuthFacts = { secretReads: [], nextAuth: [], cookies: [], sessions: [], cors: [], imports: [] };
  /** local name -> module */
  readonly importedFrom = new Map<string, string>();
  /** local name -> exported name (`default` for a default import) */
  readonly importedName = new Map<string, string>();
  /** Variables declared in this file (the first declaration of a name wins): `const NAME = 'x'`, `const opts = { ... }`. */
  readonly declared = new Map<string, ts.Expression>();
  imports = new Set<string>();
  hasNextAuth = false;
  readonly seenNextAuth = new Set<ts.Node>();

  constructor(
    readonly sf: ts.SourceFile,
    readonly lines: LineIndex,
    readonly file: string,
  ) {}

  read(): AuthFacts {
    this.collectImports();
    this.imports = new Set(this.facts.imports);
    this.hasNextAuth = [...this.imports].some((m) => m === 'next-auth' || m.startsWith('next-auth/') || m.startsWith('@auth/'));
    this.visit(this.sf);
    return this.facts;
  }

  /** Visits a node and its descendants (see visitAuth). */
  readonly visit = (n: ts.Node): void => visitAuth(this, n);

  range(n: ts.Node): Range {
    return this.lines.range(n.getStart(this.sf), n.end);
  }

  /**
   * Import declarations and `require()` calls (the modules, and which module each local name comes from), and the
   * file's `const` declarations.
   */
  private collectImports(): void {
    for (const st of this.sf.statements) {
      if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
        const mod = st.moduleSpecifier.text;
        this.facts.imports.push(mod);
        const c = st.importClause;
        if (c?.name) {
          this.importedFrom.set(c.name.text, mod);
          this.importedName.set(c.name.text, 'default');
        }
        const nb = c?.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) this.importedFrom.set(nb.name.text, mod);
        if (nb && ts.isNamedImports(nb)) {
          for (const el of nb.elements) {
            this.importedFrom.set(el.name.text, mod);
            this.importedName.set(el.name.text, (el.propertyName ?? el.name).text);
          }
        }
      }
    }
    // One walk for the `require()` calls and the `const` declarations (the first declaration of a name wins).
    const walk = (n: ts.Node) => {
      if (
        ts.isCallExpression(n) &&
        ts.isIdentifier(n.expression) &&
        n.expression.text === 'require' &&
        n.arguments[0] &&
        ts.isStringLiteralLike(n.arguments[0])
      ) {
        const mod = n.arguments[0].text;
        this.facts.imports.push(mod);
        const parent = n.parent;
        if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) this.importedFrom.set(parent.name.text, mod);
      }
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && !this.declared.has(n.name.text)) {
        const list = n.parent;
        if (ts.isVariableDeclarationList(list) && list.flags & ts.NodeFlags.Const) this.declared.set(n.name.text, n.initializer);
      }
      ts.forEachChild(n, walk);
    };
    walk(this.sf);
  }

  /** A string written in this file (a literal or a const of one), an imported constant of a relative module, or unknown. */
  stringOf(e: ts.Expression, depth = 0): Str {
    const x = unwrap(e);
    if (ts.isStringLiteralLike(x)) return { value: x.text };
    if (ts.isIdentifier(x) && depth < 4) {
      const init = this.declared.get(x.text);
      if (init) return this.stringOf(init, depth + 1);
      const mod = this.importedFrom.get(x.text);
      const name = this.importedName.get(x.text);
      if (mod && name && name !== 'default' && mod.startsWith('.')) return { ref: { module: mod, name } };
    }
    return undefined;
  }

  /** An options object written in this file: the literal, or the const it is held in; undefined when unknown. */
  objectOf(e: ts.Expression | undefined, depth = 0): ts.ObjectLiteralExpression | undefined {
    if (!e) return undefined;
    const x = unwrap(e);
    if (ts.isObjectLiteralExpression(x)) return x;
    if (ts.isIdentifier(x) && depth < 4) {
      const init = this.declared.get(x.text);
      if (init) return this.objectOf(init, depth + 1);
    }
    return undefined;
  }

  /** A cookie fact for options that cannot be read (a variable from elsewhere, a call): every attribute unknown. */
  opaqueCookie(lib: CookieLib, name: string | undefined, session: boolean, at: ts.Node, nameAt?: ts.Node): CookieOptionsFact {
    const file = this.file;
    const fact: CookieOptionsFact = { file, lib, name, range: this.range(at), session, opaque: true };
    if (nameAt) fact.nameRange = this.range(nameAt);
    this.facts.cookies.push(fact);
    return fact;
  }

  secretRead(kind: SecretRead['kind'], value: ts.Expression, at: ts.Node, use: NonNullable<SecretRead['use']> = 'both'): void {
    const file = this.file;
    // `const JWT_SECRET = process.env.JWT_SECRET!` in this file, then `jwt.sign(p, JWT_SECRET)`
    let v = value;
    for (let i = 0; i < 3; i++) {
      const x = unwrap(v);
      const init = ts.isIdentifier(x) ? this.declared.get(x.text) : undefined;
      if (!init) break;
      v = init;
    }
    const vars = envVarsOf(v);
    value = v;
    this.facts.secretReads.push({
      file,
      envVar: vars[0],
      alternatives: vars.slice(1),
      kind,
      use,
      literal: vars.length === 0 && hasLiteralString(value) ? true : undefined,
      range: this.range(at),
    });
  }

  cookieProps(o: ts.ObjectLiteralExpression, lib: CookieLib, name: string | undefined, session: boolean, at: ts.Node = o, nameAt?: ts.Node): CookieOptionsFact {
    const file = this.file;
    const fact: CookieOptionsFact = { file, lib, name, range: this.range(at), session };
    if (nameAt) fact.nameRange = this.range(nameAt);
    for (const p of o.properties) {
      // `...baseOptions`, `...(cond ? { sameSite: 'none' } : {})`: any attribute may come from it.
      if (ts.isSpreadAssignment(p)) {
        fact.opaque = true;
        // A spread overrides what is written before it: those attributes are unknown too.
        if (fact.secure) fact.secure.value = 'unknown';
        if (fact.httpOnly) fact.httpOnly.value = 'unknown';
        if (fact.sameSite) fact.sameSite.value = 'unknown';
        if (fact.path) fact.path.value = 'unknown';
        continue;
      }
      if (ts.isShorthandPropertyAssignment(p)) {
        // `{ secure, sameSite }`: written, value unknown
        const k = p.name.text;
        if (k === 'secure') fact.secure = { value: 'unknown', range: this.range(p) };
        else if (k === 'httpOnly') fact.httpOnly = { value: 'unknown', range: this.range(p) };
        else if (k === 'sameSite' || k === 'path') fact[k] = { value: 'unknown', range: this.range(p) };
        continue;
      }
      if (!ts.isPropertyAssignment(p)) continue;
      const k = propName(p);
      const v = unwrap(p.initializer);
      const bool = v.kind === ts.SyntaxKind.TrueKeyword ? true : v.kind === ts.SyntaxKind.FalseKeyword ? false : undefined;
      if (k === 'secure') {
        const prod =
          ts.isBinaryExpression(v) &&
          /NODE_ENV/.test(v.left.getText(this.sf)) &&
          /production/.test(v.right.getText(this.sf)) &&
          /===?/.test(v.operatorToken.getText(this.sf));
        fact.secure = { value: bool ?? (prod ? 'production' : 'unknown'), range: this.range(p) };
      } else if (k === 'httpOnly') fact.httpOnly = { value: bool ?? 'unknown', range: this.range(p) };
      else if (k === 'sameSite') {
        const s = this.stringOf(v);
        fact.sameSite = { value: s && 'value' in s ? s.value : bool !== undefined ? String(bool) : 'unknown', range: this.range(p) };
      } else if (k === 'path') {
        const s = this.stringOf(v);
        fact.path = { value: s && 'value' in s ? s.value : 'unknown', range: this.range(p) };
      }
    }
    this.facts.cookies.push(fact);
    return fact;
  }

  corsFact(o: ts.ObjectLiteralExpression, at: ts.Node): void {
    const file = this.file;
    const origin = prop(o, 'origin');
    const creds = prop(o, 'credentials');
    const credentials = !!creds && unwrap(creds.initializer).kind === ts.SyntaxKind.TrueKeyword;
    const fact: CorsFact = { file, credentials, range: this.range(origin ?? at) };
    // A spread (`{ ...corsOptions, credentials: true }`) may set the origin: unknown, not the package's default.
    const spread = o.properties.some((p) => ts.isSpreadAssignment(p));
    if (origin) {
      const v = unwrap(origin.initializer);
      if (ts.isStringLiteralLike(v)) fact.origins = [v.text];
      else if (
        ts.isArrayLiteralExpression(v) &&
        v.elements.some((e) => !ts.isStringLiteralLike(e) && envVarsOf(ts.isSpreadElement(e) ? e.expression : e).length === 0)
      ) {
        // an element Crosswire cannot read (a variable, a regex, a call): the list is unknown
      } else if (ts.isArrayLiteralExpression(v)) {
        fact.origins = v.elements.filter(ts.isStringLiteralLike).map((e) => e.text);
        const fromEnv = v.elements.flatMap((e) =>
          ts.isSpreadElement(e) ? envVarsOf(e.expression) : ts.isExpression(e) && !ts.isStringLiteralLike(e) ? envVarsOf(e) : [],
        );
        if (fromEnv[0]) fact.envVar = fromEnv[0];
        if (v.elements.some((e) => ts.isSpreadElement(e) && splitsEnv(e.expression))) fact.splits = true;
      } else if (v.kind === ts.SyntaxKind.TrueKeyword) fact.reflect = true;
      else {
        const vars = envVarsOf(v);
        if (vars[0]) fact.envVar = vars[0];
        if (vars[0] && splitsEnv(v)) fact.splits = true;
      }
    } else if (!spread) fact.origins = ['*']; // the cors package's default
    this.facts.cors.push(fact);
  }
}

function visitAuth(r: AuthReader, n: ts.Node): void {
  const file = r.file;
  // NextAuth options: typed variable, NextAuth(...) call, or an object with providers in a next-auth file
  if (ts.isVariableDeclaration(n) && n.initializer && ts.isObjectLiteralExpression(unwrap(n.initializer))) {
    const type = n.type?.getText(r.sf) ?? '';
    const sat = ts.isSatisfiesExpression(n.initializer) ? n.initializer.type.getText(r.sf) : '';
    if (/NextAuthOptions|AuthOptions|NextAuthConfig/.test(type + sat))
      nextAuthOptions(r, unwrap(n.initializer) as ts.ObjectLiteralExpression, /NextAuthConfig/.test(type + sat) ? 5 : 4);
  }
  if (ts.isCallExpression(n)) authCall(r, n);
  // iron-session options: { cookieName, password, cookieOptions }
  if (ts.isObjectLiteralExpression(n) && prop(n, 'cookieName') && prop(n, 'password')) ironSession(r, n);
  // passport-jwt: super({ secretOrKey: ... })
  if (ts.isPropertyAssignment(n) && propName(n) === 'secretOrKey') r.secretRead('jwt', n.initializer, n, 'verify');
  // super({ ..., secretOrKey }) with a constructor parameter or a local of that name (injected, computed: often unknown)
  if (ts.isShorthandPropertyAssignment(n) && n.name.text === 'secretOrKey') r.secretRead('jwt', n.name, n, 'verify');
  // NextAuth options object in a next-auth file, not typed: an object with `providers`
  if (r.hasNextAuth && ts.isObjectLiteralExpression(n) && prop(n, 'providers') && !r.seenNextAuth.has(n)) {
    let parent = n.parent;
    while (parent && (ts.isSatisfiesExpression(parent) || ts.isAsExpression(parent) || ts.isParenthesizedExpression(parent))) parent = parent.parent;
    if (ts.isVariableDeclaration(parent) || ts.isExportAssignment(parent)) nextAuthOptions(r, n, r.imports.has('next-auth') ? 4 : 5);
  }
  // module-level in-memory session stores
  if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && /sessions?(Store|Map|Cache)?$/i.test(n.name.text) && n.initializer) {
    const init = unwrap(n.initializer);
    const isModuleLevel = ts.isVariableStatement(n.parent?.parent) && n.parent.parent.parent === r.sf;
    if (
      isModuleLevel &&
      ((ts.isNewExpression(init) && /^(Map|MemoryStore)$/.test(init.expression.getText(r.sf))) ||
        (ts.isObjectLiteralExpression(init) && init.properties.length === 0))
    ) {
      r.facts.sessions.push({ file, kind: 'memory-map', hasStore: false, range: r.range(n) });
    }
  }
  if (ts.isNewExpression(n) && /MemoryStore$/.test(n.expression.getText(r.sf)))
    r.facts.sessions.push({ file, kind: 'memory-adapter', hasStore: false, range: r.range(n) });
  ts.forEachChild(n, r.visit);
}

/** Calls: NextAuth(), JWT signing and verification, session middleware, cookies, CORS. */
function authCall(r: AuthReader, n: ts.CallExpression): void {
  const callee = unwrap(n.expression);
  const calleeName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  const target = ts.isPropertyAccessExpression(callee) ? unwrap(callee.expression) : undefined;
  const targetName = target && ts.isIdentifier(target) ? target.text : '';
  const arg0 = n.arguments[0] && unwrap(n.arguments[0]);
  if (calleeName === 'NextAuth' && arg0) {
    const isV5 = ts.isVariableDeclaration(n.parent) && ts.isObjectBindingPattern(n.parent.name);
    if (ts.isObjectLiteralExpression(arg0)) nextAuthOptions(r, arg0, isV5 ? 5 : 4);
    else if (ts.isIdentifier(arg0)) {
      // NextAuth(authOptions): resolved when the variable is declared in this file
    }
  }
  // Nest JwtModule.register({ secret }) / registerAsync({ useFactory: () => ({ secret }) })
  if (targetName === 'JwtModule' && /^register/.test(calleeName)) {
    const visitSecret = (m: ts.Node) => {
      if (ts.isPropertyAssignment(m) && /^(secret|privateKey|secretOrPrivateKey)$/.test(propName(m) ?? '')) r.secretRead('jwt', m.initializer, m);
      ts.forEachChild(m, visitSecret);
    };
    n.arguments.forEach(visitSecret);
  }
  // jsonwebtoken: jwt.sign(payload, secret), jwt.verify(token, secret)
  if ((calleeName === 'sign' || calleeName === 'verify') && n.arguments[1]) {
    const mod = targetName ? r.importedFrom.get(targetName) : r.importedFrom.get(calleeName);
    if (mod === 'jsonwebtoken') r.secretRead('jwt', n.arguments[1], n.arguments[1], calleeName === 'sign' ? 'sign' : 'verify');
  }
  // Nest JwtService: this.jwt.sign(payload, { secret }), verifyAsync(token, { secret }) in a file using @nestjs/jwt
  if (/^(sign|verify)(Async)?$/.test(calleeName) && target && r.imports.has('@nestjs/jwt') && n.arguments[1]) {
    const opts = unwrap(n.arguments[1]);
    if (ts.isObjectLiteralExpression(opts)) {
      const secret = prop(opts, 'secret') ?? prop(opts, 'privateKey') ?? prop(opts, 'publicKey');
      if (secret) r.secretRead('jwt', secret.initializer, secret, /^sign/.test(calleeName) ? 'sign' : 'verify');
    }
  }
  // jose: jwtVerify(token, key) verifies; new SignJWT(payload)....sign(key) signs
  if (calleeName === 'jwtVerify' && r.importedFrom.get(ts.isIdentifier(callee) ? callee.text : targetName) === 'jose' && n.arguments[1])
    r.secretRead('jwt', n.arguments[1], n.arguments[1], 'verify');
  if (calleeName === 'sign' && target && arg0 && r.imports.has('jose') && /\bSignJWT\b/.test(target.getText(r.sf)))
    r.secretRead('jwt', n.arguments[0], n.arguments[0], 'sign');
  sessionMiddleware(r, n, callee, arg0);
  cookieCall(r, n, calleeName, target);
  corsCall(r, n, callee, calleeName, targetName, arg0);
}

/** express-session / cookie-session: the secret, the store, the session cookie. */
function sessionMiddleware(r: AuthReader, n: ts.CallExpression, callee: ts.Expression, arg0: ts.Expression | undefined): void {
  const file = r.file;
  const mod = ts.isIdentifier(callee) ? r.importedFrom.get(callee.text) : undefined;
  const sessionOpts = mod === 'express-session' || mod === 'cookie-session' ? r.objectOf(arg0) : undefined;
  if ((mod === 'express-session' || mod === 'cookie-session') && sessionOpts) {
    const o = sessionOpts;
    const spread = o.properties.some((p) => ts.isSpreadAssignment(p));
    const secret = prop(o, 'secret') ?? prop(o, 'keys');
    if (secret) r.secretRead('session', secret.initializer, secret);
    if (mod === 'express-session') r.facts.sessions.push({ file, kind: 'express-session', hasStore: !!prop(o, 'store') || spread, range: r.range(n) });
    else r.facts.sessions.push({ file, kind: 'cookie-session', hasStore: true, range: r.range(n) });
    const name = prop(o, 'name');
    const nameStr = name ? r.stringOf(name.initializer) : undefined;
    // No `name` (and no spread that could bring one): the library's default; a written but unreadable name is unknown.
    const literalName = nameStr && 'value' in nameStr ? nameStr.value : undefined;
    const cookieName =
      name || spread || o.properties.some((p) => ts.isShorthandPropertyAssignment(p) && p.name.text === 'name')
        ? literalName
        : mod === 'express-session'
          ? 'connect.sid'
          : 'session';
    const nameAt = literalName !== undefined ? name : undefined;
    const cookie = prop(o, 'cookie');
    const co = cookie ? r.objectOf(cookie.initializer) : undefined;
    let cf: CookieOptionsFact;
    if (co) cf = r.cookieProps(co, mod, cookieName, true, co, nameAt);
    else if (cookie || o.properties.some((p) => ts.isShorthandPropertyAssignment(p) && p.name.text === 'cookie'))
      cf = r.opaqueCookie(mod, cookieName, true, cookie ?? n, nameAt);
    else cf = r.cookieProps(o, mod, cookieName, true, n, nameAt);
    if (spread) cf.opaque = true;
    if (cookieName === undefined) {
      if (nameStr && 'ref' in nameStr) cf.nameRef = nameStr.ref;
      else cf.nameUnknown = true;
    }
  }
}

/** `res.cookie(name, value, options)`, `cookies().set(name, value, options)`, `response.cookies.set({...})`. */
function cookieCall(r: AuthReader, n: ts.CallExpression, calleeName: string, target: ts.Expression | undefined): void {
  const file = r.file;
  if (calleeName === 'cookie' && target && n.arguments.length >= 2) {
    const nm = unwrap(n.arguments[0]);
    const ns = r.stringOf(nm);
    const name = ns && 'value' in ns ? ns.value : undefined;
    const session = !!name && isSessionCookieName(name);
    const nameAt = ts.isStringLiteralLike(nm) ? nm : undefined;
    const opts = r.objectOf(n.arguments[2]);
    if (opts) r.cookieProps(opts, 'res.cookie', name, session, opts, nameAt);
    else if (n.arguments[2]) r.opaqueCookie('res.cookie', name, session, n.arguments[2], nameAt);
    else r.facts.cookies.push({ file, lib: 'res.cookie', name, ...(nameAt ? { nameRange: r.range(nameAt) } : {}), range: r.range(n), session });
  }
  // cookies().set(name, value, options) / response.cookies.set({...})
  if (calleeName === 'set' && target && /cookies/.test(target.getText(r.sf)) && n.arguments.length >= 1) {
    const a0 = unwrap(n.arguments[0]);
    if (ts.isObjectLiteralExpression(a0)) {
      const nm = prop(a0, 'name');
      const ns = nm ? r.stringOf(nm.initializer) : undefined;
      const name = ns && 'value' in ns ? ns.value : undefined;
      r.cookieProps(
        a0,
        'next-cookies',
        name,
        !!name && isSessionCookieName(name),
        a0,
        name && nm && ts.isStringLiteralLike(unwrap(nm.initializer)) ? nm : undefined,
      );
    } else {
      const ns = r.stringOf(a0);
      const name = ns && 'value' in ns ? ns.value : undefined;
      const nameAt = ts.isStringLiteralLike(a0) ? a0 : undefined;
      const session = !!name && isSessionCookieName(name);
      const opts = r.objectOf(n.arguments[2]);
      if (opts) r.cookieProps(opts, 'next-cookies', name, session, opts, nameAt);
      else if (n.arguments[2]) r.opaqueCookie('next-cookies', name, session, n.arguments[2], nameAt);
      else r.facts.cookies.push({ file, lib: 'next-cookies', name, ...(nameAt ? { nameRange: r.range(nameAt) } : {}), range: r.range(n), session });
    }
  }
}

/**
 * CORS: app.enableCors({ origin, credentials }) / cors({ origin, credentials }) / fastify.register(fastifyCors, { ... })
 * / NestFactory.create(AppModule, { cors: { ... } | true })
 */
function corsCall(r: AuthReader, n: ts.CallExpression, callee: ts.Expression, calleeName: string, targetName: string, arg0: ts.Expression | undefined): void {
  const file = r.file;
  const isCorsMiddleware = ts.isIdentifier(callee) && /^(cors|@fastify\/cors)$/.test(r.importedFrom.get(callee.text) ?? '');
  const fastifyCors = calleeName === 'register' && arg0 && ts.isIdentifier(arg0) && r.importedFrom.get(arg0.text) === '@fastify/cors';
  const corsOpts = fastifyCors ? n.arguments[1] && unwrap(n.arguments[1]) : calleeName === 'enableCors' || isCorsMiddleware ? arg0 : undefined;
  const corsObject = r.objectOf(corsOpts);
  if (corsObject) r.corsFact(corsObject, n);
  else if (!corsOpts && (calleeName === 'enableCors' || isCorsMiddleware) && n.arguments.length === 0) {
    // enableCors() / cors(): the cors package's default origin `*`, no credentials
    r.facts.cors.push({ file, origins: ['*'], credentials: false, range: r.range(n) });
  }
  if (calleeName === 'create' && targetName === 'NestFactory' && n.arguments[1]) {
    const o = unwrap(n.arguments[1]);
    const c = ts.isObjectLiteralExpression(o) ? prop(o, 'cors') : undefined;
    const cv = c && unwrap(c.initializer);
    if (cv && ts.isObjectLiteralExpression(cv)) r.corsFact(cv, c!);
    else if (cv && cv.kind === ts.SyntaxKind.TrueKeyword) r.facts.cors.push({ file, origins: ['*'], credentials: false, range: r.range(c!) });
  }
}

/** iron-session options: { cookieName, password, cookieOptions } */
function ironSession(r: AuthReader, n: ts.ObjectLiteralExpression): void {
  const file = r.file;
  const pw = prop(n, 'password')!;
  r.secretRead('session', pw.initializer, pw);
  const cn = prop(n, 'cookieName')!;
  const ns = r.stringOf(cn.initializer);
  const name = ns && 'value' in ns ? ns.value : undefined;
  const nameAt = name !== undefined ? cn : undefined;
  const co = prop(n, 'cookieOptions');
  const coo = co ? r.objectOf(co.initializer) : undefined;
  let cf: CookieOptionsFact;
  if (coo) cf = r.cookieProps(coo, 'iron-session', name, true, coo, nameAt);
  else if (co) cf = r.opaqueCookie('iron-session', name, true, co, nameAt);
  else {
    cf = { file, lib: 'iron-session', name, ...(nameAt ? { nameRange: r.range(nameAt) } : {}), range: r.range(n), session: true };
    r.facts.cookies.push(cf);
  }
  if (n.properties.some((p) => ts.isSpreadAssignment(p))) cf.opaque = true;
  if (name === undefined) {
    if (ns && 'ref' in ns) cf.nameRef = ns.ref;
    else cf.nameUnknown = true;
  }
  r.facts.sessions.push({ file, kind: 'iron-session', hasStore: true, range: r.range(n) });
}

/** The options object of NextAuth (v4 `NextAuthOptions`, v5 `NextAuthConfig`): secret, session strategy, cookies. */
function nextAuthOptions(r: AuthReader, o: ts.ObjectLiteralExpression, version: 4 | 5): void {
  const file = r.file;
  if (r.seenNextAuth.has(o)) return;
  r.seenNextAuth.add(o);
  const start = o.getStart(r.sf);
  const startPos = r.lines.positionAt(start);
  const first = o.properties[0];
  const indent = first
    ? r.lines.lineText(r.lines.positionAt(first.getStart(r.sf)).line).match(/^\s*/)![0]
    : `${r.lines.lineText(startPos.line).match(/^\s*/)![0]}  `;
  const fact: NextAuthOptionsFact = {
    file,
    version,
    range: { start: startPos, end: r.lines.positionAt(r.lines.lineEnd(startPos.line)) },
    insertAt: r.lines.positionAt(start + 1),
    indent,
    hasAdapter: !!prop(o, 'adapter'),
  };
  // The finding for the whole options object sits on the line where it begins: the declaration's line.
  const decl = o.parent;
  if (decl && (ts.isVariableDeclaration(decl) || ts.isCallExpression(decl))) {
    const line = r.lines.positionAt(decl.getStart(r.sf)).line;
    const st = ts.isVariableDeclaration(decl) && decl.parent?.parent ? decl.parent.parent : decl;
    const l2 = r.lines.positionAt(st.getStart(r.sf)).line;
    const useLine = Math.min(line, l2);
    fact.range = { start: { line: useLine, character: r.lines.lineText(useLine).match(/^\s*/)![0].length }, end: r.lines.positionAt(r.lines.lineEnd(useLine)) };
  }
  const secret = prop(o, 'secret');
  if (secret) r.secretRead('nextauth', secret.initializer, secret);
  const session = prop(o, 'session');
  if (session && ts.isObjectLiteralExpression(unwrap(session.initializer))) {
    const strat = prop(unwrap(session.initializer) as ts.ObjectLiteralExpression, 'strategy');
    const v = strat && unwrap(strat.initializer);
    if (v && ts.isStringLiteralLike(v) && (v.text === 'jwt' || v.text === 'database')) fact.sessionStrategy = v.text;
  }
  const usc = prop(o, 'useSecureCookies');
  if (usc) {
    fact.useSecureCookiesRange = r.range(usc);
    const v = unwrap(usc.initializer);
    if (v.kind === ts.SyntaxKind.TrueKeyword) fact.useSecureCookies = true;
    if (v.kind === ts.SyntaxKind.FalseKeyword) fact.useSecureCookies = false;
  }
  const cookies = prop(o, 'cookies');
  // A spread in the options (`...authConfig`) may bring cookies of its own, unless an explicit `cookies` follows it.
  const lastSpread = o.properties.reduce((at, p, i) => (ts.isSpreadAssignment(p) ? i : at), -1);
  if (lastSpread >= 0 && (!cookies || o.properties.indexOf(cookies) < lastSpread)) fact.opaqueCookies = true;
  if (o.properties.some((p) => ts.isShorthandPropertyAssignment(p) && p.name.text === 'cookies')) fact.opaqueCookies = true;
  const co = cookies ? r.objectOf(cookies.initializer) : undefined;
  if (cookies && !co) fact.opaqueCookies = true;
  if (cookies && co) nextAuthCookies(r, fact, co, indent);
  r.facts.nextAuth.push(fact);
  if (fact.sessionStrategy !== 'database' && !(fact.hasAdapter && !fact.sessionStrategy))
    r.facts.sessions.push({ file, kind: 'next-auth-jwt', hasStore: false, range: fact.range });
}

/** NextAuth's `cookies: { sessionToken: { name, options } }`: where a cookie fix goes, the session cookie's name and options. */
function nextAuthCookies(r: AuthReader, fact: NextAuthOptionsFact, co: ts.ObjectLiteralExpression, indent: string): void {
  const coStart = co.getStart(r.sf);
  const coFirst = co.properties[0];
  fact.cookiesObject = {
    insertAt: r.lines.positionAt(coStart + 1),
    indent: coFirst ? r.lines.lineText(r.lines.positionAt(coFirst.getStart(r.sf)).line).match(/^\s*/)![0] : `${indent}  `,
  };
  if (co.properties.some((p) => ts.isSpreadAssignment(p) || (ts.isShorthandPropertyAssignment(p) && p.name.text === 'sessionToken'))) fact.opaqueCookies = true;
  const st = prop(co, 'sessionToken');
  if (st) fact.customSessionToken = true;
  const sto = st ? r.objectOf(st.initializer) : undefined;
  if (st && !sto) fact.opaqueCookies = true;
  if (sto) {
    const nm = prop(sto, 'name');
    const name = nm ? r.stringOf(nm.initializer) : undefined;
    if (nm && name && 'value' in name) fact.sessionCookieName = { value: name.value, range: r.range(nm) };
    else if (nm && name && 'ref' in name) fact.sessionCookieNameRef = { ...name.ref, range: r.range(nm) };
    if (sto.properties.some((p) => ts.isSpreadAssignment(p))) fact.opaqueCookies = true;
    const opts = prop(sto, 'options');
    const oo = opts ? r.objectOf(opts.initializer) : undefined;
    const cname = fact.sessionCookieName?.value;
    const nameAt = fact.sessionCookieName ? nm : undefined;
    let cf: CookieOptionsFact | undefined;
    if (oo) cf = r.cookieProps(oo, 'next-auth', cname, true, undefined, nameAt);
    else if (opts) cf = r.opaqueCookie('next-auth', cname, true, opts, nameAt);
    if (cf && fact.sessionCookieNameRef) cf.nameRef = { module: fact.sessionCookieNameRef.module, name: fact.sessionCookieNameRef.name };
    if (cf && nm && !cname && !fact.sessionCookieNameRef) cf.nameUnknown = true;
  }
}
