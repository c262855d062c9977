import type { AuthFacts, ConstRef, CookieLib, CookieOptionsFact, CorsFact, NextAuthOptionsFact, Range, SecretRead } from '../model/types';
import { LineIndex } from '../model/text';
import { isCall, member, memberName as propName, parenthesized, stringValue, unwrap, walk, forEachChild, type t } from './js';
import { calleeName as nameOfCallee, isStringLike, textOf } from './js-read';

/** Cheap pre-filter for files worth reading for auth/session/cookie/CORS facts. */
export function mayHaveAuthFacts(text: string): boolean {
  return /next-auth|@auth\/|NextAuth|jsonwebtoken|jwtVerify|SignJWT|@nestjs\/jwt|JwtModule|iron-session|express-session|cookie-session|cookies\(\)|\.cookie\(|cookieOptions|enableCors|cors\(|@fastify\/cors|\bcors\s*:|secretOrKey|sessions?\s*=\s*new Map/.test(
    text,
  );
}

/** A `key: value` property of an object literal (not a shorthand, not a method). */
type Prop = t.ObjectProperty & { value: t.Expression };

function prop(o: t.ObjectExpression, name: string): Prop | undefined {
  return o.properties.find((p) => p.type === 'ObjectProperty' && !p.shorthand && propName(p) === name) as Prop | undefined;
}

/** `{ name }` written as a shorthand in an object literal. */
function hasShorthand(o: t.ObjectExpression, name: string): boolean {
  return o.properties.some((p) => p.type === 'ObjectProperty' && p.shorthand && p.key.type === 'Identifier' && p.key.name === name);
}

function hasSpread(o: t.ObjectExpression): boolean {
  return o.properties.some((p) => p.type === 'SpreadElement');
}

/** The member a call's callee names as written (`a.b` of `a.b()`; not through parentheses). */
function calleeMember(x: t.CallExpression | t.OptionalCallExpression): ReturnType<typeof member> {
  return parenthesized(x.callee) ? undefined : member(x.callee);
}

/** `process.env.X`, `process.env['X']`, `config.get('X')`, `configService.getOrThrow<string>('X')` -> X */
export function envVarRead(e: t.Node): string | undefined {
  const x = unwrap(e);
  const isEnv = (o: t.Node) => {
    const u = member(unwrap(o));
    return (
      u?.name === 'env' && !parenthesized(u.object) && ((u.object.type === 'Identifier' && u.object.name === 'process') || u.object.type === 'MetaProperty')
    );
  };
  const m = member(x);
  if (m && isEnv(m.object)) return m.name;
  if ((x.type === 'MemberExpression' || x.type === 'OptionalMemberExpression') && x.computed && isEnv(x.object)) return stringValue(x.property);
  const cm = isCall(x) ? calleeMember(x) : undefined;
  const key = isCall(x) ? stringValue(x.arguments[0]) : undefined;
  if (cm && /^(get|getOrThrow)$/.test(cm.name) && key !== undefined) {
    const obj = unwrap(cm.object);
    const objName = obj.type === 'Identifier' ? obj.name : (member(obj)?.name ?? '');
    // NestJS's ConfigService: `get('JWT_SECRET')` reads the variable; `get('auth.jwt.secret')` (or `get('jwtSecret')`)
    // reads a custom configuration namespace (`load: [...]`), whose variable Crosswire does not know.
    if (/config/i.test(objName) && /^[A-Z][A-Z0-9_]*$/.test(key)) return key;
  }
  return undefined;
}

/** All env variables read by an expression like `process.env.AUTH_SECRET ?? process.env.NEXTAUTH_SECRET`. */
function envVarsOf(e: t.Node): string[] {
  const x = unwrap(e);
  const direct = envVarRead(x);
  if (direct) return [direct];
  if (x.type === 'LogicalExpression' && (x.operator === '??' || x.operator === '||')) return [...envVarsOf(x.left), ...envVarsOf(x.right)];
  if (isCall(x) && x.arguments[0]) {
    const fromArg = envVarsOf(x.arguments[0]); // String(...), new TextEncoder().encode(...)
    if (fromArg.length || !calleeMember(x)) return fromArg;
  }
  if (x.type === 'NewExpression' && x.arguments[0]) return envVarsOf(x.arguments[0]);
  // process.env.X.trim(), process.env.X?.split(',').map((s) => s.trim())
  const cm = isCall(x) ? calleeMember(x) : undefined;
  if (cm) return envVarsOf(cm.object);
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

function hasLiteralString(e: t.Node): boolean {
  const x = unwrap(e);
  if (isStringLike(x)) return true;
  // TypeScript's binary expressions: operators, `&&` `||` `??`, assignments, the comma
  if (x.type === 'BinaryExpression' || x.type === 'LogicalExpression' || x.type === 'AssignmentExpression')
    return hasLiteralString(x.right) && !envVarRead(x.right);
  if (x.type === 'SequenceExpression') {
    const right = x.expressions[x.expressions.length - 1];
    return hasLiteralString(right) && !envVarRead(right);
  }
  return false;
}

/** Which env variable an expression splits into a list: `process.env.X.split(',')`, `...split(',').map(...)`. */
function splitsEnv(e: t.Node): boolean {
  let x: t.Node = unwrap(e);
  for (let cm = isCall(x) ? calleeMember(x) : undefined; cm; cm = isCall(x) ? calleeMember(x) : undefined) {
    if (cm.name === 'split') return true;
    x = unwrap(cm.object);
  }
  return false;
}

type Str = { value: string } | { ref: ConstRef } | undefined;

/** Reads auth/session/cookie/CORS facts from a parsed TS/JS file. */
export function extractAuthFacts(program: t.Program, text: string, lines: LineIndex, file: string): AuthFacts {
  return new AuthReader(program, text, lines, file).read();
}

/** Where a NextAuth options object is declared, for the line of its finding: `const x = {...}` or `NextAuth({...})`
 * (the declaration, and the statement it begins). */
interface OptionsDecl {
  node: t.Node;
  statement: t.Node;
}

/** One walk over a parsed file for its auth, session, cookie and CORS facts. */
class AuthReader {
  readonly facts: AuthFacts = { secretReads: [], nextAuth: [], cookies: [], sessions: [], cors: [], imports: [] };
  /** local name -> module */
  readonly importedFrom = new Map<string, string>();
  /** local name -> exported name (`default` for a default import) */
  readonly importedName = new Map<string, string>();
  /** Variables declared in this file (the first declaration of a name wins): `const NAME = 'x'`, `const opts = { ... }`. */
  readonly declared = new Map<string, t.Node>();
  imports = new Set<string>();
  hasNextAuth = false;
  readonly seenNextAuth = new Set<t.Node>();
  /** The nodes above the one being visited, its parent last. */
  readonly ancestors: t.Node[] = [];

  constructor(
    readonly program: t.Program,
    readonly source: string,
    readonly lines: LineIndex,
    readonly file: string,
  ) {}

  read(): AuthFacts {
    this.collectImports();
    this.imports = new Set(this.facts.imports);
    this.hasNextAuth = [...this.imports].some((m) => m === 'next-auth' || m.startsWith('next-auth/') || m.startsWith('@auth/'));
    this.visit(this.program);
    return this.facts;
  }

  /** Visits a node and its descendants (see visitAuth). */
  readonly visit = (n: t.Node): void => {
    visitAuth(this, n);
    this.ancestors.push(n);
    forEachChild(n, this.visit);
    this.ancestors.pop();
  };

  /** The ancestor `up` levels above the node being visited (0: its parent). */
  above(up: number): t.Node | undefined {
    return this.ancestors[this.ancestors.length - 1 - up];
  }

  range(n: t.Node): Range {
    return this.lines.range(n.start ?? 0, n.end ?? 0);
  }

  text(n: t.Node): string {
    return textOf(this.source, n);
  }

  /**
   * Where the options object `o` is declared when it is written right in `holder` (no parentheses, `as` or
   * `satisfies` around it): a variable declarator (`above` is its parent, the declaration) or a call.
   */
  optionsDecl(o: t.Node, written: t.Node, holder: t.Node, above: (up: number) => t.Node | undefined): OptionsDecl | undefined {
    if (o !== written || parenthesized(o)) return undefined;
    if (isCall(holder)) return { node: holder, statement: holder };
    if (holder.type !== 'VariableDeclarator') return undefined;
    // TypeScript's variable statement: with its `export`, or the loop its declaration list heads.
    const declaration = above(0);
    const outer = above(1);
    const statement = outer && /^(ExportNamedDeclaration|ForStatement|ForInStatement|ForOfStatement)$/.test(outer.type) ? outer : declaration;
    return { node: holder, statement: statement ?? holder };
  }

  /**
   * Import declarations and `require()` calls (the modules, and which module each local name comes from), and the
   * file's `const` declarations.
   */
  private collectImports(): void {
    for (const st of this.program.body) {
      if (st.type !== 'ImportDeclaration') continue;
      const mod = st.source.value;
      this.facts.imports.push(mod);
      for (const s of st.specifiers) {
        this.importedFrom.set(s.local.name, mod);
        if (s.type === 'ImportDefaultSpecifier') this.importedName.set(s.local.name, 'default');
        if (s.type === 'ImportSpecifier') this.importedName.set(s.local.name, s.imported.type === 'Identifier' ? s.imported.name : s.imported.value);
      }
    }
    // One walk for the `require()` calls and the `const` declarations (the first declaration of a name wins).
    walk(this.program, (n, parent) => {
      if (isCall(n) && n.callee.type === 'Identifier' && n.callee.name === 'require' && isStringLike(n.arguments[0])) {
        const mod = stringValue(n.arguments[0])!;
        this.facts.imports.push(mod);
        if (parent?.type === 'VariableDeclarator' && parent.init === n && !parenthesized(n) && parent.id.type === 'Identifier')
          this.importedFrom.set(parent.id.name, mod);
      }
      // `const` (TypeScript's flag is set on `await using` too)
      const isConst = parent?.type === 'VariableDeclaration' && (parent.kind === 'const' || parent.kind === 'await using');
      if (n.type === 'VariableDeclarator' && isConst && n.id.type === 'Identifier' && n.init && !this.declared.has(n.id.name))
        this.declared.set(n.id.name, n.init);
    });
  }

  /** A string written in this file (a literal or a const of one), an imported constant of a relative module, or unknown. */
  stringOf(e: t.Node, depth = 0): Str {
    const x = unwrap(e);
    const s = stringValue(x);
    if (s !== undefined) return { value: s };
    if (x.type === 'Identifier' && depth < 4) {
      const init = this.declared.get(x.name);
      if (init) return this.stringOf(init, depth + 1);
      const mod = this.importedFrom.get(x.name);
      const name = this.importedName.get(x.name);
      if (mod && name && name !== 'default' && mod.startsWith('.')) return { ref: { module: mod, name } };
    }
    return undefined;
  }

  /** An options object written in this file: the literal, or the const it is held in; undefined when unknown. */
  objectOf(e: t.Node | undefined, depth = 0): t.ObjectExpression | undefined {
    if (!e) return undefined;
    const x = unwrap(e);
    if (x.type === 'ObjectExpression') return x;
    if (x.type === 'Identifier' && depth < 4) {
      const init = this.declared.get(x.name);
      if (init) return this.objectOf(init, depth + 1);
    }
    return undefined;
  }

  /** A cookie fact for options that cannot be read (a variable from elsewhere, a call): every attribute unknown. */
  opaqueCookie(lib: CookieLib, name: string | undefined, session: boolean, at: t.Node, nameAt?: t.Node): CookieOptionsFact {
    const file = this.file;
    const fact: CookieOptionsFact = { file, lib, name, range: this.range(at), session, opaque: true };
    if (nameAt) fact.nameRange = this.range(nameAt);
    this.facts.cookies.push(fact);
    return fact;
  }

  secretRead(kind: SecretRead['kind'], value: t.Node, at: t.Node, use: NonNullable<SecretRead['use']> = 'both'): void {
    const file = this.file;
    // `const JWT_SECRET = process.env.JWT_SECRET!` in this file, then `jwt.sign(p, JWT_SECRET)`
    let v = value;
    for (let i = 0; i < 3; i++) {
      const x = unwrap(v);
      const init = x.type === 'Identifier' ? this.declared.get(x.name) : undefined;
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

  cookieProps(o: t.ObjectExpression, lib: CookieLib, name: string | undefined, session: boolean, at: t.Node = o, nameAt?: t.Node): CookieOptionsFact {
    const file = this.file;
    const fact: CookieOptionsFact = { file, lib, name, range: this.range(at), session };
    if (nameAt) fact.nameRange = this.range(nameAt);
    for (const p of o.properties) {
      // `...baseOptions`, `...(cond ? { sameSite: 'none' } : {})`: any attribute may come from it.
      if (p.type === 'SpreadElement') {
        fact.opaque = true;
        // A spread overrides what is written before it: those attributes are unknown too.
        if (fact.secure) fact.secure.value = 'unknown';
        if (fact.httpOnly) fact.httpOnly.value = 'unknown';
        if (fact.sameSite) fact.sameSite.value = 'unknown';
        if (fact.path) fact.path.value = 'unknown';
        continue;
      }
      if (p.type !== 'ObjectProperty') continue;
      if (p.shorthand) {
        // `{ secure, sameSite }`: written, value unknown
        const k = p.key.type === 'Identifier' ? p.key.name : '';
        if (k === 'secure') fact.secure = { value: 'unknown', range: this.range(p) };
        else if (k === 'httpOnly') fact.httpOnly = { value: 'unknown', range: this.range(p) };
        else if (k === 'sameSite' || k === 'path') fact[k] = { value: 'unknown', range: this.range(p) };
        continue;
      }
      this.cookieAttribute(fact, p, propName(p), unwrap(p.value));
    }
    this.facts.cookies.push(fact);
    return fact;
  }

  /** One `key: value` of cookie options: secure, httpOnly, sameSite, path. */
  private cookieAttribute(fact: CookieOptionsFact, p: t.ObjectProperty, k: string | undefined, v: t.Node): void {
    const bool = v.type === 'BooleanLiteral' ? v.value : undefined;
    if (k === 'secure') {
      const prod = v.type === 'BinaryExpression' && /NODE_ENV/.test(this.text(v.left)) && /production/.test(this.text(v.right)) && /===?/.test(v.operator);
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

  corsFact(o: t.ObjectExpression, at: t.Node): void {
    const file = this.file;
    const origin = prop(o, 'origin');
    const creds = prop(o, 'credentials');
    const credentials = !!creds && isTrueValue(unwrap(creds.value));
    const fact: CorsFact = { file, credentials, range: this.range(origin ?? at) };
    // A spread (`{ ...corsOptions, credentials: true }`) may set the origin: unknown, not the package's default.
    const spread = hasSpread(o);
    if (origin) {
      const v = unwrap(origin.value);
      if (isStringLike(v)) fact.origins = [stringValue(v)!];
      else if (v.type === 'ArrayExpression') corsOrigins(fact, v.elements);
      else if (isTrueValue(v)) fact.reflect = true;
      else {
        const vars = envVarsOf(v);
        if (vars[0]) fact.envVar = vars[0];
        if (vars[0] && splitsEnv(v)) fact.splits = true;
      }
    } else if (!spread) fact.origins = ['*']; // the cors package's default
    this.facts.cors.push(fact);
  }
}

/** `origin: [...]`: the origins written, the variable read; unknown when an element is neither (a variable, a regex, a call). */
function corsOrigins(fact: CorsFact, elements: t.ArrayExpression['elements']): void {
  if (elements.some((e) => !e || (!isStringLike(e) && envVarsOf(e.type === 'SpreadElement' ? e.argument : e).length === 0))) return;
  fact.origins = elements.filter(isStringLike).map((e) => stringValue(e)!);
  const fromEnv = elements.flatMap((e) => (!e ? [] : e.type === 'SpreadElement' ? envVarsOf(e.argument) : !isStringLike(e) ? envVarsOf(e) : []));
  if (fromEnv[0]) fact.envVar = fromEnv[0];
  if (elements.some((e) => e?.type === 'SpreadElement' && splitsEnv(e.argument))) fact.splits = true;
}

/** `true` (of an unwrapped value: TypeScript's unwrap took parentheses off too). */
function isTrueValue(v: t.Node): boolean {
  return v.type === 'BooleanLiteral' && v.value;
}

function visitAuth(r: AuthReader, n: t.Node): void {
  const file = r.file;
  // NextAuth options: typed variable, NextAuth(...) call, or an object with providers in a next-auth file
  if (n.type === 'VariableDeclarator' && n.init && unwrap(n.init).type === 'ObjectExpression') typedOptions(r, n, n.init);
  if (isCall(n)) authCall(r, n);
  if (n.type === 'ObjectExpression') {
    // iron-session options: { cookieName, password, cookieOptions }
    if (prop(n, 'cookieName') && prop(n, 'password')) ironSession(r, n);
    // NextAuth options object in a next-auth file, not typed: an object with `providers`
    if (r.hasNextAuth && prop(n, 'providers') && !r.seenNextAuth.has(n)) untypedOptions(r, n);
  }
  if (n.type === 'ObjectProperty' && r.above(0)?.type === 'ObjectExpression') {
    // passport-jwt: super({ secretOrKey: ... })
    if (!n.shorthand && propName(n) === 'secretOrKey') r.secretRead('jwt', n.value, n, 'verify');
    // super({ ..., secretOrKey }) with a constructor parameter or a local of that name (injected, computed: often unknown)
    if (n.shorthand && n.key.type === 'Identifier' && n.key.name === 'secretOrKey') r.secretRead('jwt', n.value, n, 'verify');
  }
  // module-level in-memory session stores
  if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier' && /sessions?(Store|Map|Cache)?$/i.test(n.id.name) && n.init) {
    const init = unwrap(n.init);
    const outer = r.above(1);
    const isModuleLevel = outer?.type === 'Program' || (outer?.type === 'ExportNamedDeclaration' && r.above(2)?.type === 'Program');
    if (
      isModuleLevel &&
      ((init.type === 'NewExpression' && /^(Map|MemoryStore)$/.test(r.text(init.callee))) || (init.type === 'ObjectExpression' && init.properties.length === 0))
    ) {
      r.facts.sessions.push({ file, kind: 'memory-map', hasStore: false, range: r.range(n) });
    }
  }
  if (n.type === 'NewExpression' && /MemoryStore$/.test(r.text(n.callee)))
    r.facts.sessions.push({ file, kind: 'memory-adapter', hasStore: false, range: r.range(n) });
}

/** `const authOptions: NextAuthOptions = {...}`, `const config = {...} satisfies NextAuthConfig`. */
function typedOptions(r: AuthReader, n: t.VariableDeclarator, init: t.Expression): void {
  const ann = (n.id as { typeAnnotation?: t.Node | null }).typeAnnotation;
  const type = ann?.type === 'TSTypeAnnotation' ? r.text(ann.typeAnnotation) : '';
  const sat = init.type === 'TSSatisfiesExpression' && !parenthesized(init) ? r.text(init.typeAnnotation) : '';
  if (!/NextAuthOptions|AuthOptions|NextAuthConfig/.test(type + sat)) return;
  const o = unwrap(init) as t.ObjectExpression;
  nextAuthOptions(
    r,
    o,
    /NextAuthConfig/.test(type + sat) ? 5 : 4,
    r.optionsDecl(o, init, n, (up) => r.above(up)),
  );
}

/** An object with `providers` held by a variable or exported as the default (through `as` and `satisfies`). */
function untypedOptions(r: AuthReader, n: t.ObjectExpression): void {
  let up = 0;
  while (r.above(up)?.type === 'TSSatisfiesExpression' || r.above(up)?.type === 'TSAsExpression') up++;
  const holder = r.above(up);
  if (holder?.type !== 'VariableDeclarator' && holder?.type !== 'ExportDefaultDeclaration' && holder?.type !== 'TSExportAssignment') return;
  const decl = up === 0 ? r.optionsDecl(n, n, holder, (k) => r.above(k + 1)) : undefined;
  nextAuthOptions(r, n, r.imports.has('next-auth') ? 4 : 5, decl);
}

/** Calls: NextAuth(), JWT signing and verification, session middleware, cookies, CORS. */
function authCall(r: AuthReader, n: t.CallExpression | t.OptionalCallExpression): void {
  const callee = unwrap(n.callee);
  const calleeName = nameOfCallee(callee);
  const m = member(callee);
  const target = m ? unwrap(m.object) : undefined;
  const targetName = target && target.type === 'Identifier' ? target.name : '';
  const arg0 = n.arguments[0] && unwrap(n.arguments[0]);
  if (calleeName === 'NextAuth' && arg0 && arg0.type === 'ObjectExpression') {
    const parent = r.above(0);
    const isV5 = parent?.type === 'VariableDeclarator' && parent.init === n && !parenthesized(n) && parent.id.type === 'ObjectPattern';
    nextAuthOptions(
      r,
      arg0,
      isV5 ? 5 : 4,
      r.optionsDecl(arg0, n.arguments[0], n, (up) => r.above(up)),
    );
  }
  // Nest JwtModule.register({ secret }) / registerAsync({ useFactory: () => ({ secret }) })
  if (targetName === 'JwtModule' && /^register/.test(calleeName)) {
    for (const a of n.arguments)
      walk(a, (p, parent) => {
        if (
          p.type === 'ObjectProperty' &&
          !p.shorthand &&
          parent?.type === 'ObjectExpression' &&
          /^(secret|privateKey|secretOrPrivateKey)$/.test(propName(p) ?? '')
        )
          r.secretRead('jwt', p.value, p);
      });
  }
  // jsonwebtoken: jwt.sign(payload, secret), jwt.verify(token, secret)
  if ((calleeName === 'sign' || calleeName === 'verify') && n.arguments[1]) {
    const mod = targetName ? r.importedFrom.get(targetName) : r.importedFrom.get(calleeName);
    if (mod === 'jsonwebtoken') r.secretRead('jwt', n.arguments[1], n.arguments[1], calleeName === 'sign' ? 'sign' : 'verify');
  }
  // Nest JwtService: this.jwt.sign(payload, { secret }), verifyAsync(token, { secret }) in a file using @nestjs/jwt
  if (/^(sign|verify)(Async)?$/.test(calleeName) && target && r.imports.has('@nestjs/jwt') && n.arguments[1]) {
    const opts = unwrap(n.arguments[1]);
    if (opts.type === 'ObjectExpression') {
      const secret = prop(opts, 'secret') ?? prop(opts, 'privateKey') ?? prop(opts, 'publicKey');
      if (secret) r.secretRead('jwt', secret.value, secret, /^sign/.test(calleeName) ? 'sign' : 'verify');
    }
  }
  // jose: jwtVerify(token, key) verifies; new SignJWT(payload)....sign(key) signs
  if (calleeName === 'jwtVerify' && r.importedFrom.get(callee.type === 'Identifier' ? callee.name : targetName) === 'jose' && n.arguments[1])
    r.secretRead('jwt', n.arguments[1], n.arguments[1], 'verify');
  if (calleeName === 'sign' && target && arg0 && r.imports.has('jose') && /\bSignJWT\b/.test(r.text(target)))
    r.secretRead('jwt', n.arguments[0], n.arguments[0], 'sign');
  sessionMiddleware(r, n, callee, arg0);
  cookieCall(r, n, calleeName, target);
  corsCall(r, n, callee, calleeName, targetName, arg0);
}

/** express-session / cookie-session: the secret, the store, the session cookie. */
function sessionMiddleware(r: AuthReader, n: t.CallExpression | t.OptionalCallExpression, callee: t.Node, arg0: t.Node | undefined): void {
  const file = r.file;
  const mod = callee.type === 'Identifier' ? r.importedFrom.get(callee.name) : undefined;
  const sessionOpts = mod === 'express-session' || mod === 'cookie-session' ? r.objectOf(arg0) : undefined;
  if ((mod === 'express-session' || mod === 'cookie-session') && sessionOpts) {
    const o = sessionOpts;
    const spread = hasSpread(o);
    const secret = prop(o, 'secret') ?? prop(o, 'keys');
    if (secret) r.secretRead('session', secret.value, secret);
    if (mod === 'express-session') r.facts.sessions.push({ file, kind: 'express-session', hasStore: !!prop(o, 'store') || spread, range: r.range(n) });
    else r.facts.sessions.push({ file, kind: 'cookie-session', hasStore: true, range: r.range(n) });
    const name = prop(o, 'name');
    const nameStr = name ? r.stringOf(name.value) : undefined;
    // No `name` (and no spread that could bring one): the library's default; a written but unreadable name is unknown.
    const literalName = nameStr && 'value' in nameStr ? nameStr.value : undefined;
    const cookieName = name || spread || hasShorthand(o, 'name') ? literalName : mod === 'express-session' ? 'connect.sid' : 'session';
    const nameAt = literalName !== undefined ? name : undefined;
    const cookie = prop(o, 'cookie');
    const co = cookie ? r.objectOf(cookie.value) : undefined;
    let cf: CookieOptionsFact;
    if (co) cf = r.cookieProps(co, mod, cookieName, true, co, nameAt);
    else if (cookie || hasShorthand(o, 'cookie')) cf = r.opaqueCookie(mod, cookieName, true, cookie ?? n, nameAt);
    else cf = r.cookieProps(o, mod, cookieName, true, n, nameAt);
    if (spread) cf.opaque = true;
    if (cookieName === undefined) {
      if (nameStr && 'ref' in nameStr) cf.nameRef = nameStr.ref;
      else cf.nameUnknown = true;
    }
  }
}

/** `res.cookie(name, value, options)`, `cookies().set(name, value, options)`, `response.cookies.set({...})`. */
function cookieCall(r: AuthReader, n: t.CallExpression | t.OptionalCallExpression, calleeName: string, target: t.Node | undefined): void {
  const file = r.file;
  if (calleeName === 'cookie' && target && n.arguments.length >= 2) {
    const nm = unwrap(n.arguments[0]);
    const ns = r.stringOf(nm);
    const name = ns && 'value' in ns ? ns.value : undefined;
    const session = !!name && isSessionCookieName(name);
    const nameAt = isStringLike(nm) ? nm : undefined;
    const opts = r.objectOf(n.arguments[2]);
    if (opts) r.cookieProps(opts, 'res.cookie', name, session, opts, nameAt);
    else if (n.arguments[2]) r.opaqueCookie('res.cookie', name, session, n.arguments[2], nameAt);
    else r.facts.cookies.push({ file, lib: 'res.cookie', name, ...(nameAt ? { nameRange: r.range(nameAt) } : {}), range: r.range(n), session });
  }
  // cookies().set(name, value, options) / response.cookies.set({...})
  if (calleeName === 'set' && target && /cookies/.test(r.text(target)) && n.arguments.length >= 1) {
    const a0 = unwrap(n.arguments[0]);
    if (a0.type === 'ObjectExpression') {
      const nm = prop(a0, 'name');
      const ns = nm ? r.stringOf(nm.value) : undefined;
      const name = ns && 'value' in ns ? ns.value : undefined;
      r.cookieProps(a0, 'next-cookies', name, !!name && isSessionCookieName(name), a0, name && nm && isStringLike(unwrap(nm.value)) ? nm : undefined);
    } else {
      const ns = r.stringOf(a0);
      const name = ns && 'value' in ns ? ns.value : undefined;
      const nameAt = isStringLike(a0) ? a0 : undefined;
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
function corsCall(
  r: AuthReader,
  n: t.CallExpression | t.OptionalCallExpression,
  callee: t.Node,
  calleeName: string,
  targetName: string,
  arg0: t.Node | undefined,
): void {
  const file = r.file;
  const isCorsMiddleware = callee.type === 'Identifier' && /^(cors|@fastify\/cors)$/.test(r.importedFrom.get(callee.name) ?? '');
  const fastifyCors = calleeName === 'register' && arg0 && arg0.type === 'Identifier' && r.importedFrom.get(arg0.name) === '@fastify/cors';
  const corsOpts = fastifyCors ? n.arguments[1] && unwrap(n.arguments[1]) : calleeName === 'enableCors' || isCorsMiddleware ? arg0 : undefined;
  const corsObject = r.objectOf(corsOpts);
  if (corsObject) r.corsFact(corsObject, n);
  else if (!corsOpts && (calleeName === 'enableCors' || isCorsMiddleware) && n.arguments.length === 0) {
    // enableCors() / cors(): the cors package's default origin `*`, no credentials
    r.facts.cors.push({ file, origins: ['*'], credentials: false, range: r.range(n) });
  }
  if (calleeName === 'create' && targetName === 'NestFactory' && n.arguments[1]) {
    const o = unwrap(n.arguments[1]);
    const c = o.type === 'ObjectExpression' ? prop(o, 'cors') : undefined;
    const cv = c && unwrap(c.value);
    if (cv && cv.type === 'ObjectExpression') r.corsFact(cv, c!);
    else if (cv && isTrueValue(cv)) r.facts.cors.push({ file, origins: ['*'], credentials: false, range: r.range(c!) });
  }
}

/** iron-session options: { cookieName, password, cookieOptions } */
function ironSession(r: AuthReader, n: t.ObjectExpression): void {
  const file = r.file;
  const pw = prop(n, 'password')!;
  r.secretRead('session', pw.value, pw);
  const cn = prop(n, 'cookieName')!;
  const ns = r.stringOf(cn.value);
  const name = ns && 'value' in ns ? ns.value : undefined;
  const nameAt = name !== undefined ? cn : undefined;
  const co = prop(n, 'cookieOptions');
  const coo = co ? r.objectOf(co.value) : undefined;
  let cf: CookieOptionsFact;
  if (coo) cf = r.cookieProps(coo, 'iron-session', name, true, coo, nameAt);
  else if (co) cf = r.opaqueCookie('iron-session', name, true, co, nameAt);
  else {
    cf = { file, lib: 'iron-session', name, ...(nameAt ? { nameRange: r.range(nameAt) } : {}), range: r.range(n), session: true };
    r.facts.cookies.push(cf);
  }
  if (hasSpread(n)) cf.opaque = true;
  if (name === undefined) {
    if (ns && 'ref' in ns) cf.nameRef = ns.ref;
    else cf.nameUnknown = true;
  }
  r.facts.sessions.push({ file, kind: 'iron-session', hasStore: true, range: r.range(n) });
}

/** The indentation of the line `at` is on. */
function indentAt(r: AuthReader, at: number): string {
  return r.lines.lineText(r.lines.positionAt(at).line).match(/^\s*/)![0];
}

/** The options object of NextAuth (v4 `NextAuthOptions`, v5 `NextAuthConfig`): secret, session strategy, cookies. */
function nextAuthOptions(r: AuthReader, o: t.ObjectExpression, version: 4 | 5, decl: OptionsDecl | undefined): void {
  const file = r.file;
  if (r.seenNextAuth.has(o)) return;
  r.seenNextAuth.add(o);
  const start = o.start ?? 0;
  const startPos = r.lines.positionAt(start);
  const first = o.properties[0];
  const indent = first ? indentAt(r, first.start ?? 0) : `${indentAt(r, start)}  `;
  const fact: NextAuthOptionsFact = {
    file,
    version,
    range: { start: startPos, end: r.lines.positionAt(r.lines.lineEnd(startPos.line)) },
    insertAt: r.lines.positionAt(start + 1),
    indent,
    hasAdapter: !!prop(o, 'adapter'),
  };
  // The finding for the whole options object sits on the line where it begins: the declaration's line.
  if (decl) {
    const line = r.lines.positionAt(decl.node.start ?? 0).line;
    const l2 = r.lines.positionAt(decl.statement.start ?? 0).line;
    const useLine = Math.min(line, l2);
    fact.range = { start: { line: useLine, character: r.lines.lineText(useLine).match(/^\s*/)![0].length }, end: r.lines.positionAt(r.lines.lineEnd(useLine)) };
  }
  const secret = prop(o, 'secret');
  if (secret) r.secretRead('nextauth', secret.value, secret);
  const session = prop(o, 'session');
  const so = session && unwrap(session.value);
  if (so && so.type === 'ObjectExpression') {
    const strat = prop(so, 'strategy');
    const v = strat && stringValue(unwrap(strat.value));
    if (v === 'jwt' || v === 'database') fact.sessionStrategy = v;
  }
  const usc = prop(o, 'useSecureCookies');
  if (usc) {
    fact.useSecureCookiesRange = r.range(usc);
    const v = unwrap(usc.value);
    if (v.type === 'BooleanLiteral') fact.useSecureCookies = v.value;
  }
  const cookies = prop(o, 'cookies');
  // A spread in the options (`...authConfig`) may bring cookies of its own, unless an explicit `cookies` follows it.
  const lastSpread = o.properties.reduce((at, p, i) => (p.type === 'SpreadElement' ? i : at), -1);
  if (lastSpread >= 0 && (!cookies || o.properties.indexOf(cookies) < lastSpread)) fact.opaqueCookies = true;
  if (hasShorthand(o, 'cookies')) fact.opaqueCookies = true;
  const co = cookies ? r.objectOf(cookies.value) : undefined;
  if (cookies && !co) fact.opaqueCookies = true;
  if (cookies && co) nextAuthCookies(r, fact, co, indent);
  r.facts.nextAuth.push(fact);
  if (fact.sessionStrategy !== 'database' && !(fact.hasAdapter && !fact.sessionStrategy))
    r.facts.sessions.push({ file, kind: 'next-auth-jwt', hasStore: false, range: fact.range });
}

/** NextAuth's `cookies: { sessionToken: { name, options } }`: where a cookie fix goes, the session cookie's name and options. */
function nextAuthCookies(r: AuthReader, fact: NextAuthOptionsFact, co: t.ObjectExpression, indent: string): void {
  const coStart = co.start ?? 0;
  const coFirst = co.properties[0];
  fact.cookiesObject = {
    insertAt: r.lines.positionAt(coStart + 1),
    indent: coFirst ? indentAt(r, coFirst.start ?? 0) : `${indent}  `,
  };
  if (hasSpread(co) || hasShorthand(co, 'sessionToken')) fact.opaqueCookies = true;
  const st = prop(co, 'sessionToken');
  if (st) fact.customSessionToken = true;
  const sto = st ? r.objectOf(st.value) : undefined;
  if (st && !sto) fact.opaqueCookies = true;
  if (sto) {
    const nm = prop(sto, 'name');
    const name = nm ? r.stringOf(nm.value) : undefined;
    if (nm && name && 'value' in name) fact.sessionCookieName = { value: name.value, range: r.range(nm) };
    else if (nm && name && 'ref' in name) fact.sessionCookieNameRef = { ...name.ref, range: r.range(nm) };
    if (hasSpread(sto)) fact.opaqueCookies = true;
    const opts = prop(sto, 'options');
    const oo = opts ? r.objectOf(opts.value) : undefined;
    const cname = fact.sessionCookieName?.value;
    const nameAt = fact.sessionCookieName ? nm : undefined;
    let cf: CookieOptionsFact | undefined;
    if (oo) cf = r.cookieProps(oo, 'next-auth', cname, true, undefined, nameAt);
    else if (opts) cf = r.opaqueCookie('next-auth', cname, true, opts, nameAt);
    if (cf && fact.sessionCookieNameRef) cf.nameRef = { module: fact.sessionCookieNameRef.module, name: fact.sessionCookieNameRef.name };
    if (cf && nm && !cname && !fact.sessionCookieNameRef) cf.nameUnknown = true;
  }
}
