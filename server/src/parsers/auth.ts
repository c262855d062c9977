// A plain require: `import * as` would route every ts.* call through an interop getter (measured ~5% of a cold audit).
import ts = require('typescript');
import type { AuthFacts, ConstRef, CookieLib, CookieOptionsFact, CorsFact, NextAuthOptionsFact, Range, SecretRead } from '../model/types';
import { LineIndex } from '../model/text';
import { memberName as propName, unwrap } from './ast';

/** Cheap pre-filter for files worth reading for auth/session/cookie/CORS facts. */
export function mayHaveAuthFacts(text: string): boolean {
  return /next-auth|@auth\/|NextAuth|jsonwebtoken|jwtVerify|SignJWT|@nestjs\/jwt|JwtModule|iron-session|express-session|cookie-session|cookies\(\)|\.cookie\(|cookieOptions|enableCors|cors\(|@fastify\/cors|\bcors\s*:|secretOrKey|sessions?\s*=\s*new Map/.test(text);
}



function prop(o: ts.ObjectLiteralExpression, name: string): ts.PropertyAssignment | undefined {
  return o.properties.find((p) => ts.isPropertyAssignment(p) && propName(p) === name) as ts.PropertyAssignment | undefined;
}

/** `process.env.X`, `process.env['X']`, `config.get('X')`, `configService.getOrThrow<string>('X')` -> X */
export function envVarRead(e: ts.Expression): string | undefined {
  const x = unwrap(e);
  const isEnv = (o: ts.Expression) => {
    const u = unwrap(o);
    return ts.isPropertyAccessExpression(u) && u.name.text === 'env' && ((ts.isIdentifier(u.expression) && u.expression.text === 'process') || ts.isMetaProperty(u.expression));
  };
  if (ts.isPropertyAccessExpression(x) && isEnv(x.expression)) return x.name.text;
  if (ts.isElementAccessExpression(x) && isEnv(x.expression) && ts.isStringLiteralLike(x.argumentExpression)) return x.argumentExpression.text;
  if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && /^(get|getOrThrow)$/.test(x.expression.name.text) && x.arguments[0] && ts.isStringLiteralLike(x.arguments[0])) {
    const obj = unwrap(x.expression.expression);
    const objName = ts.isIdentifier(obj) ? obj.text : ts.isPropertyAccessExpression(obj) ? obj.name.text : '';
    if (/config/i.test(objName)) return x.arguments[0].text;
  }
  return undefined;
}

/** All env variables read by an expression like `process.env.AUTH_SECRET ?? process.env.NEXTAUTH_SECRET`. */
function envVarsOf(e: ts.Expression): string[] {
  const x = unwrap(e);
  const direct = envVarRead(x);
  if (direct) return [direct];
  if (ts.isBinaryExpression(x) && (x.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || x.operatorToken.kind === ts.SyntaxKind.BarBarToken)) return [...envVarsOf(x.left), ...envVarsOf(x.right)];
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

/** Reads auth/session/cookie/CORS facts from a parsed TS/JS file. */
export function extractAuthFacts(sf: ts.SourceFile, lines: LineIndex, file: string): AuthFacts {
  const facts: AuthFacts = { secretReads: [], nextAuth: [], cookies: [], sessions: [], cors: [], imports: [] };
  const range = (n: ts.Node): Range => lines.range(n.getStart(sf), n.end);
  const importedFrom = new Map<string, string>(); // local name -> module
  const importedName = new Map<string, string>(); // local name -> exported name (`default` for a default import)
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const mod = st.moduleSpecifier.text;
      facts.imports.push(mod);
      const c = st.importClause;
      if (c?.name) {
        importedFrom.set(c.name.text, mod);
        importedName.set(c.name.text, 'default');
      }
      const nb = c?.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) importedFrom.set(nb.name.text, mod);
      if (nb && ts.isNamedImports(nb)) {
        for (const el of nb.elements) {
          importedFrom.set(el.name.text, mod);
          importedName.set(el.name.text, (el.propertyName ?? el.name).text);
        }
      }
    }
  }
  const visitRequires = (n: ts.Node) => {
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'require' && n.arguments[0] && ts.isStringLiteralLike(n.arguments[0])) {
      const mod = n.arguments[0].text;
      facts.imports.push(mod);
      const parent = n.parent;
      if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) importedFrom.set(parent.name.text, mod);
    }
    ts.forEachChild(n, visitRequires);
  };
  visitRequires(sf);
  const imports = new Set(facts.imports);
  // Variables declared in this file (the first declaration of a name wins): `const NAME = 'x'`, `const opts = { ... }`.
  const declared = new Map<string, ts.Expression>();
  const collectDecls = (n: ts.Node) => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && !declared.has(n.name.text)) {
      const list = n.parent;
      if (ts.isVariableDeclarationList(list) && list.flags & ts.NodeFlags.Const) declared.set(n.name.text, n.initializer);
    }
    ts.forEachChild(n, collectDecls);
  };
  collectDecls(sf);
  type Str = { value: string } | { ref: ConstRef } | undefined;
  /** A string written in this file (a literal or a const of one), an imported constant of a relative module, or unknown. */
  const stringOf = (e: ts.Expression, depth = 0): Str => {
    const x = unwrap(e);
    if (ts.isStringLiteralLike(x)) return { value: x.text };
    if (ts.isIdentifier(x) && depth < 4) {
      const init = declared.get(x.text);
      if (init) return stringOf(init, depth + 1);
      const mod = importedFrom.get(x.text);
      const name = importedName.get(x.text);
      if (mod && name && name !== 'default' && mod.startsWith('.')) return { ref: { module: mod, name } };
    }
    return undefined;
  };
  /** An options object written in this file: the literal, or the const it is held in; undefined when unknown. */
  const objectOf = (e: ts.Expression | undefined, depth = 0): ts.ObjectLiteralExpression | undefined => {
    if (!e) return undefined;
    const x = unwrap(e);
    if (ts.isObjectLiteralExpression(x)) return x;
    if (ts.isIdentifier(x) && depth < 4) {
      const init = declared.get(x.text);
      if (init) return objectOf(init, depth + 1);
    }
    return undefined;
  };
  /** A cookie fact for options that cannot be read (a variable from elsewhere, a call): every attribute unknown. */
  const opaqueCookie = (lib: CookieLib, name: string | undefined, session: boolean, at: ts.Node, nameAt?: ts.Node): CookieOptionsFact => {
    const fact: CookieOptionsFact = { file, lib, name, range: range(at), session, opaque: true };
    if (nameAt) fact.nameRange = range(nameAt);
    facts.cookies.push(fact);
    return fact;
  };
  const hasNextAuth = [...imports].some((m) => m === 'next-auth' || m.startsWith('next-auth/') || m.startsWith('@auth/'));
  const seenNextAuth = new Set<ts.Node>();

  const secretRead = (kind: SecretRead['kind'], value: ts.Expression, at: ts.Node, use: NonNullable<SecretRead['use']> = 'both') => {
    // `const JWT_SECRET = process.env.JWT_SECRET!` in this file, then `jwt.sign(p, JWT_SECRET)`
    let v = value;
    for (let i = 0; i < 3; i++) {
      const x = unwrap(v);
      const init = ts.isIdentifier(x) ? declared.get(x.text) : undefined;
      if (!init) break;
      v = init;
    }
    const vars = envVarsOf(v);
    value = v;
    facts.secretReads.push({ file, envVar: vars[0], alternatives: vars.slice(1), kind, use, literal: vars.length === 0 && hasLiteralString(value) ? true : undefined, range: range(at) });
  };

  const cookieProps = (o: ts.ObjectLiteralExpression, lib: CookieLib, name: string | undefined, session: boolean, at: ts.Node = o, nameAt?: ts.Node): CookieOptionsFact => {
    const fact: CookieOptionsFact = { file, lib, name, range: range(at), session };
    if (nameAt) fact.nameRange = range(nameAt);
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
        if (k === 'secure') fact.secure = { value: 'unknown', range: range(p) };
        else if (k === 'httpOnly') fact.httpOnly = { value: 'unknown', range: range(p) };
        else if (k === 'sameSite' || k === 'path') fact[k] = { value: 'unknown', range: range(p) };
        continue;
      }
      if (!ts.isPropertyAssignment(p)) continue;
      const k = propName(p);
      const v = unwrap(p.initializer);
      const bool = v.kind === ts.SyntaxKind.TrueKeyword ? true : v.kind === ts.SyntaxKind.FalseKeyword ? false : undefined;
      if (k === 'secure') {
        const prod = ts.isBinaryExpression(v) && /NODE_ENV/.test(v.left.getText(sf)) && /production/.test(v.right.getText(sf)) && /===?/.test(v.operatorToken.getText(sf));
        fact.secure = { value: bool ?? (prod ? 'production' : 'unknown'), range: range(p) };
      } else if (k === 'httpOnly') fact.httpOnly = { value: bool ?? 'unknown', range: range(p) };
      else if (k === 'sameSite') {
        const s = stringOf(v);
        fact.sameSite = { value: s && 'value' in s ? s.value : bool !== undefined ? String(bool) : 'unknown', range: range(p) };
      } else if (k === 'path') {
        const s = stringOf(v);
        fact.path = { value: s && 'value' in s ? s.value : 'unknown', range: range(p) };
      }
    }
    facts.cookies.push(fact);
    return fact;
  };

  const nextAuthOptions = (o: ts.ObjectLiteralExpression, version: 4 | 5) => {
    if (seenNextAuth.has(o)) return;
    seenNextAuth.add(o);
    const start = o.getStart(sf);
    const startPos = lines.positionAt(start);
    const first = o.properties[0];
    const indent = first ? lines.lineText(lines.positionAt(first.getStart(sf)).line).match(/^\s*/)![0] : `${lines.lineText(startPos.line).match(/^\s*/)![0]}  `;
    const fact: NextAuthOptionsFact = {
      file,
      version,
      range: { start: startPos, end: lines.positionAt(lines.lineEnd(startPos.line)) },
      insertAt: lines.positionAt(start + 1),
      indent,
      hasAdapter: !!prop(o, 'adapter'),
    };
    // The finding for the whole options object sits on the line where it begins: the declaration's line.
    const decl = o.parent;
    if (decl && (ts.isVariableDeclaration(decl) || ts.isCallExpression(decl))) {
      const line = lines.positionAt(decl.getStart(sf)).line;
      const st = ts.isVariableDeclaration(decl) && decl.parent?.parent ? decl.parent.parent : decl;
      const l2 = lines.positionAt(st.getStart(sf)).line;
      const useLine = Math.min(line, l2);
      fact.range = { start: { line: useLine, character: lines.lineText(useLine).match(/^\s*/)![0].length }, end: lines.positionAt(lines.lineEnd(useLine)) };
    }
    const secret = prop(o, 'secret');
    if (secret) secretRead('nextauth', secret.initializer, secret);
    const session = prop(o, 'session');
    if (session && ts.isObjectLiteralExpression(unwrap(session.initializer))) {
      const strat = prop(unwrap(session.initializer) as ts.ObjectLiteralExpression, 'strategy');
      const v = strat && unwrap(strat.initializer);
      if (v && ts.isStringLiteralLike(v) && (v.text === 'jwt' || v.text === 'database')) fact.sessionStrategy = v.text;
    }
    const usc = prop(o, 'useSecureCookies');
    if (usc) {
      fact.useSecureCookiesRange = range(usc);
      const v = unwrap(usc.initializer);
      if (v.kind === ts.SyntaxKind.TrueKeyword) fact.useSecureCookies = true;
      if (v.kind === ts.SyntaxKind.FalseKeyword) fact.useSecureCookies = false;
    }
    const cookies = prop(o, 'cookies');
    // A spread in the options (`...authConfig`) may bring cookies of its own, unless an explicit `cookies` follows it.
    const lastSpread = o.properties.reduce((at, p, i) => (ts.isSpreadAssignment(p) ? i : at), -1);
    if (lastSpread >= 0 && (!cookies || o.properties.indexOf(cookies) < lastSpread)) fact.opaqueCookies = true;
    if (o.properties.some((p) => ts.isShorthandPropertyAssignment(p) && p.name.text === 'cookies')) fact.opaqueCookies = true;
    const co = cookies ? objectOf(cookies.initializer) : undefined;
    if (cookies && !co) fact.opaqueCookies = true;
    if (cookies && co) {
      const coStart = co.getStart(sf);
      const coFirst = co.properties[0];
      fact.cookiesObject = {
        insertAt: lines.positionAt(coStart + 1),
        indent: coFirst ? lines.lineText(lines.positionAt(coFirst.getStart(sf)).line).match(/^\s*/)![0] : `${indent}  `,
      };
      if (co.properties.some((p) => ts.isSpreadAssignment(p) || (ts.isShorthandPropertyAssignment(p) && p.name.text === 'sessionToken'))) fact.opaqueCookies = true;
      const st = prop(co, 'sessionToken');
      if (st) fact.customSessionToken = true;
      const sto = st ? objectOf(st.initializer) : undefined;
      if (st && !sto) fact.opaqueCookies = true;
      if (sto) {
        const nm = prop(sto, 'name');
        const name = nm ? stringOf(nm.initializer) : undefined;
        if (nm && name && 'value' in name) fact.sessionCookieName = { value: name.value, range: range(nm) };
        else if (nm && name && 'ref' in name) fact.sessionCookieNameRef = { ...name.ref, range: range(nm) };
        if (sto.properties.some((p) => ts.isSpreadAssignment(p))) fact.opaqueCookies = true;
        const opts = prop(sto, 'options');
        const oo = opts ? objectOf(opts.initializer) : undefined;
        const cname = fact.sessionCookieName?.value;
        const nameAt = fact.sessionCookieName ? nm : undefined;
        let cf: CookieOptionsFact | undefined;
        if (oo) cf = cookieProps(oo, 'next-auth', cname, true, undefined, nameAt);
        else if (opts) cf = opaqueCookie('next-auth', cname, true, opts, nameAt);
        if (cf && fact.sessionCookieNameRef) cf.nameRef = { module: fact.sessionCookieNameRef.module, name: fact.sessionCookieNameRef.name };
        if (cf && nm && !cname && !fact.sessionCookieNameRef) cf.nameUnknown = true;
      }
    }
    facts.nextAuth.push(fact);
    if (fact.sessionStrategy !== 'database' && !(fact.hasAdapter && !fact.sessionStrategy)) facts.sessions.push({ file, kind: 'next-auth-jwt', hasStore: false, range: fact.range });
  };

  /** Which env variable an expression splits into a list: `process.env.X.split(',')`, `...split(',').map(...)`. */
  const splitsEnv = (e: ts.Expression): boolean => {
    let x: ts.Expression = unwrap(e);
    while (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression)) {
      if (x.expression.name.text === 'split') return true;
      x = unwrap(x.expression.expression);
    }
    return false;
  };

  const corsFact = (o: ts.ObjectLiteralExpression, at: ts.Node) => {
    const origin = prop(o, 'origin');
    const creds = prop(o, 'credentials');
    const credentials = !!creds && unwrap(creds.initializer).kind === ts.SyntaxKind.TrueKeyword;
    const fact: CorsFact = { file, credentials, range: range(origin ?? at) };
    // A spread (`{ ...corsOptions, credentials: true }`) may set the origin: unknown, not the package's default.
    const spread = o.properties.some((p) => ts.isSpreadAssignment(p));
    if (origin) {
      const v = unwrap(origin.initializer);
      if (ts.isStringLiteralLike(v)) fact.origins = [v.text];
      else if (ts.isArrayLiteralExpression(v) && v.elements.some((e) => !ts.isStringLiteralLike(e) && envVarsOf(ts.isSpreadElement(e) ? e.expression : e).length === 0)) {
        // an element Crosswire cannot read (a variable, a regex, a call): the list is unknown
      } else if (ts.isArrayLiteralExpression(v)) {
        fact.origins = v.elements.filter(ts.isStringLiteralLike).map((e) => e.text);
        const fromEnv = v.elements.flatMap((e) => (ts.isSpreadElement(e) ? envVarsOf(e.expression) : ts.isExpression(e) && !ts.isStringLiteralLike(e) ? envVarsOf(e) : []));
        if (fromEnv[0]) fact.envVar = fromEnv[0];
        if (v.elements.some((e) => ts.isSpreadElement(e) && splitsEnv(e.expression))) fact.splits = true;
      } else if (v.kind === ts.SyntaxKind.TrueKeyword) fact.reflect = true;
      else {
        const vars = envVarsOf(v);
        if (vars[0]) fact.envVar = vars[0];
        if (vars[0] && splitsEnv(v)) fact.splits = true;
      }
    } else if (!spread) fact.origins = ['*']; // the cors package's default
    facts.cors.push(fact);
  };

  const visit = (n: ts.Node) => {
    // NextAuth options: typed variable, NextAuth(...) call, or an object with providers in a next-auth file
    if (ts.isVariableDeclaration(n) && n.initializer && ts.isObjectLiteralExpression(unwrap(n.initializer))) {
      const type = n.type?.getText(sf) ?? '';
      const sat = ts.isSatisfiesExpression(n.initializer) ? n.initializer.type.getText(sf) : '';
      if (/NextAuthOptions|AuthOptions|NextAuthConfig/.test(type + sat)) nextAuthOptions(unwrap(n.initializer) as ts.ObjectLiteralExpression, /NextAuthConfig/.test(type + sat) ? 5 : 4);
    }
    if (ts.isCallExpression(n)) {
      const callee = unwrap(n.expression);
      const calleeName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      const target = ts.isPropertyAccessExpression(callee) ? unwrap(callee.expression) : undefined;
      const targetName = target && ts.isIdentifier(target) ? target.text : '';
      const arg0 = n.arguments[0] && unwrap(n.arguments[0]);
      if (calleeName === 'NextAuth' && arg0) {
        const isV5 = ts.isVariableDeclaration(n.parent) && ts.isObjectBindingPattern(n.parent.name);
        if (ts.isObjectLiteralExpression(arg0)) nextAuthOptions(arg0, isV5 ? 5 : 4);
        else if (ts.isIdentifier(arg0)) {
          // NextAuth(authOptions): resolved when the variable is declared in this file
        }
      }
      // Nest JwtModule.register({ secret }) / registerAsync({ useFactory: () => ({ secret }) })
      if (targetName === 'JwtModule' && /^register/.test(calleeName)) {
        const visitSecret = (m: ts.Node) => {
          if (ts.isPropertyAssignment(m) && /^(secret|privateKey|secretOrPrivateKey)$/.test(propName(m) ?? '')) secretRead('jwt', m.initializer, m);
          ts.forEachChild(m, visitSecret);
        };
        n.arguments.forEach(visitSecret);
      }
      // jsonwebtoken: jwt.sign(payload, secret), jwt.verify(token, secret)
      if ((calleeName === 'sign' || calleeName === 'verify') && n.arguments[1]) {
        const mod = targetName ? importedFrom.get(targetName) : importedFrom.get(calleeName);
        if (mod === 'jsonwebtoken') secretRead('jwt', n.arguments[1], n.arguments[1], calleeName === 'sign' ? 'sign' : 'verify');
      }
      // Nest JwtService: this.jwt.sign(payload, { secret }), verifyAsync(token, { secret }) in a file using @nestjs/jwt
      if (/^(sign|verify)(Async)?$/.test(calleeName) && target && imports.has('@nestjs/jwt') && n.arguments[1]) {
        const opts = unwrap(n.arguments[1]);
        if (ts.isObjectLiteralExpression(opts)) {
          const secret = prop(opts, 'secret') ?? prop(opts, 'privateKey') ?? prop(opts, 'publicKey');
          if (secret) secretRead('jwt', secret.initializer, secret, /^sign/.test(calleeName) ? 'sign' : 'verify');
        }
      }
      // jose: jwtVerify(token, key) verifies; new SignJWT(payload)....sign(key) signs
      if (calleeName === 'jwtVerify' && importedFrom.get(ts.isIdentifier(callee) ? callee.text : targetName) === 'jose' && n.arguments[1]) secretRead('jwt', n.arguments[1], n.arguments[1], 'verify');
      if (calleeName === 'sign' && target && arg0 && imports.has('jose') && /\bSignJWT\b/.test(target.getText(sf))) secretRead('jwt', n.arguments[0], n.arguments[0], 'sign');
      // express-session / cookie-session
      const mod = ts.isIdentifier(callee) ? importedFrom.get(callee.text) : undefined;
      const sessionOpts = (mod === 'express-session' || mod === 'cookie-session') ? objectOf(arg0) : undefined;
      if ((mod === 'express-session' || mod === 'cookie-session') && sessionOpts) {
        const o = sessionOpts;
        const spread = o.properties.some((p) => ts.isSpreadAssignment(p));
        const secret = prop(o, 'secret') ?? prop(o, 'keys');
        if (secret) secretRead('session', secret.initializer, secret);
        if (mod === 'express-session') facts.sessions.push({ file, kind: 'express-session', hasStore: !!prop(o, 'store') || spread, range: range(n) });
        else facts.sessions.push({ file, kind: 'cookie-session', hasStore: true, range: range(n) });
        const name = prop(o, 'name');
        const nameStr = name ? stringOf(name.initializer) : undefined;
        // No `name` (and no spread that could bring one): the library's default; a written but unreadable name is unknown.
        const literalName = nameStr && 'value' in nameStr ? nameStr.value : undefined;
        const cookieName = name || spread || o.properties.some((p) => ts.isShorthandPropertyAssignment(p) && p.name.text === 'name') ? literalName : mod === 'express-session' ? 'connect.sid' : 'session';
        const nameAt = literalName !== undefined ? name : undefined;
        const cookie = prop(o, 'cookie');
        const co = cookie ? objectOf(cookie.initializer) : undefined;
        let cf: CookieOptionsFact;
        if (co) cf = cookieProps(co, mod, cookieName, true, co, nameAt);
        else if (cookie || o.properties.some((p) => ts.isShorthandPropertyAssignment(p) && p.name.text === 'cookie')) cf = opaqueCookie(mod, cookieName, true, cookie ?? n, nameAt);
        else cf = cookieProps(o, mod, cookieName, true, n, nameAt);
        if (spread) cf.opaque = true;
        if (cookieName === undefined) {
          if (nameStr && 'ref' in nameStr) cf.nameRef = nameStr.ref;
          else cf.nameUnknown = true;
        }
      }
      // res.cookie(name, value, options)
      if (calleeName === 'cookie' && target && n.arguments.length >= 2) {
        const nm = unwrap(n.arguments[0]);
        const ns = stringOf(nm);
        const name = ns && 'value' in ns ? ns.value : undefined;
        const session = !!name && isSessionCookieName(name);
        const nameAt = ts.isStringLiteralLike(nm) ? nm : undefined;
        const opts = objectOf(n.arguments[2]);
        if (opts) cookieProps(opts, 'res.cookie', name, session, opts, nameAt);
        else if (n.arguments[2]) opaqueCookie('res.cookie', name, session, n.arguments[2], nameAt);
        else facts.cookies.push({ file, lib: 'res.cookie', name, ...(nameAt ? { nameRange: range(nameAt) } : {}), range: range(n), session });
      }
      // cookies().set(name, value, options) / response.cookies.set({...})
      if (calleeName === 'set' && target && /cookies/.test(target.getText(sf)) && n.arguments.length >= 1) {
        const a0 = unwrap(n.arguments[0]);
        if (ts.isObjectLiteralExpression(a0)) {
          const nm = prop(a0, 'name');
          const ns = nm ? stringOf(nm.initializer) : undefined;
          const name = ns && 'value' in ns ? ns.value : undefined;
          cookieProps(a0, 'next-cookies', name, !!name && isSessionCookieName(name), a0, name && nm && ts.isStringLiteralLike(unwrap(nm.initializer)) ? nm : undefined);
        } else {
          const ns = stringOf(a0);
          const name = ns && 'value' in ns ? ns.value : undefined;
          const nameAt = ts.isStringLiteralLike(a0) ? a0 : undefined;
          const session = !!name && isSessionCookieName(name);
          const opts = objectOf(n.arguments[2]);
          if (opts) cookieProps(opts, 'next-cookies', name, session, opts, nameAt);
          else if (n.arguments[2]) opaqueCookie('next-cookies', name, session, n.arguments[2], nameAt);
          else facts.cookies.push({ file, lib: 'next-cookies', name, ...(nameAt ? { nameRange: range(nameAt) } : {}), range: range(n), session });
        }
      }
      // CORS: app.enableCors({ origin, credentials }) / cors({ origin, credentials }) / fastify.register(fastifyCors, { ... })
      // / NestFactory.create(AppModule, { cors: { ... } | true })
      const isCorsMiddleware = ts.isIdentifier(callee) && /^(cors|@fastify\/cors)$/.test(importedFrom.get(callee.text) ?? '');
      const fastifyCors = calleeName === 'register' && arg0 && ts.isIdentifier(arg0) && importedFrom.get(arg0.text) === '@fastify/cors';
      const corsOpts = fastifyCors ? n.arguments[1] && unwrap(n.arguments[1]) : calleeName === 'enableCors' || isCorsMiddleware ? arg0 : undefined;
      const corsObject = objectOf(corsOpts);
      if (corsObject) corsFact(corsObject, n);
      else if (!corsOpts && (calleeName === 'enableCors' || isCorsMiddleware) && n.arguments.length === 0) {
        // enableCors() / cors(): the cors package's default origin `*`, no credentials
        facts.cors.push({ file, origins: ['*'], credentials: false, range: range(n) });
      }
      if (calleeName === 'create' && targetName === 'NestFactory' && n.arguments[1]) {
        const o = unwrap(n.arguments[1]);
        const c = ts.isObjectLiteralExpression(o) ? prop(o, 'cors') : undefined;
        const cv = c && unwrap(c.initializer);
        if (cv && ts.isObjectLiteralExpression(cv)) corsFact(cv, c!);
        else if (cv && cv.kind === ts.SyntaxKind.TrueKeyword) facts.cors.push({ file, origins: ['*'], credentials: false, range: range(c!) });
      }
    }
    // iron-session options: { cookieName, password, cookieOptions }
    if (ts.isObjectLiteralExpression(n) && prop(n, 'cookieName') && prop(n, 'password')) {
      const pw = prop(n, 'password')!;
      secretRead('session', pw.initializer, pw);
      const cn = prop(n, 'cookieName')!;
      const ns = stringOf(cn.initializer);
      const name = ns && 'value' in ns ? ns.value : undefined;
      const nameAt = name !== undefined ? cn : undefined;
      const co = prop(n, 'cookieOptions');
      const coo = co ? objectOf(co.initializer) : undefined;
      let cf: CookieOptionsFact;
      if (coo) cf = cookieProps(coo, 'iron-session', name, true, coo, nameAt);
      else if (co) cf = opaqueCookie('iron-session', name, true, co, nameAt);
      else {
        cf = { file, lib: 'iron-session', name, ...(nameAt ? { nameRange: range(nameAt) } : {}), range: range(n), session: true };
        facts.cookies.push(cf);
      }
      if (n.properties.some((p) => ts.isSpreadAssignment(p))) cf.opaque = true;
      if (name === undefined) {
        if (ns && 'ref' in ns) cf.nameRef = ns.ref;
        else cf.nameUnknown = true;
      }
      facts.sessions.push({ file, kind: 'iron-session', hasStore: true, range: range(n) });
    }
    // passport-jwt: super({ secretOrKey: ... })
    if (ts.isPropertyAssignment(n) && propName(n) === 'secretOrKey') secretRead('jwt', n.initializer, n, 'verify');
    // NextAuth options object in a next-auth file, not typed: an object with `providers`
    if (hasNextAuth && ts.isObjectLiteralExpression(n) && prop(n, 'providers') && !seenNextAuth.has(n)) {
      let parent = n.parent;
      while (parent && (ts.isSatisfiesExpression(parent) || ts.isAsExpression(parent) || ts.isParenthesizedExpression(parent))) parent = parent.parent;
      if (ts.isVariableDeclaration(parent) || ts.isExportAssignment(parent)) nextAuthOptions(n, imports.has('next-auth') ? 4 : 5);
    }
    // module-level in-memory session stores
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && /sessions?(Store|Map|Cache)?$/i.test(n.name.text) && n.initializer) {
      const init = unwrap(n.initializer);
      const isModuleLevel = ts.isVariableStatement(n.parent?.parent) && n.parent.parent.parent === sf;
      if (isModuleLevel && ((ts.isNewExpression(init) && /^(Map|MemoryStore)$/.test(init.expression.getText(sf))) || (ts.isObjectLiteralExpression(init) && init.properties.length === 0))) {
        facts.sessions.push({ file, kind: 'memory-map', hasStore: false, range: range(n) });
      }
    }
    if (ts.isNewExpression(n) && /MemoryStore$/.test(n.expression.getText(sf))) facts.sessions.push({ file, kind: 'memory-adapter', hasStore: false, range: range(n) });
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return facts;
}
