// A plain require: `import * as` would route every ts.* call through an interop getter (measured ~5% of a cold audit).
import ts = require('typescript');
import type { AuthFacts, CookieLib, CookieOptionsFact, CorsFact, NextAuthOptionsFact, Range, SecretRead } from '../model/types';
import { LineIndex } from '../model/text';

/** Cheap pre-filter for files worth reading for auth/session/cookie/CORS facts. */
export function mayHaveAuthFacts(text: string): boolean {
  return /next-auth|@auth\/|NextAuth|jsonwebtoken|@nestjs\/jwt|JwtModule|iron-session|express-session|cookie-session|cookies\(\)|\.cookie\(|cookieOptions|enableCors|cors\(|@fastify\/cors|\bcors\s*:|secretOrKey|sessions?\s*=\s*new Map/.test(text);
}

function unwrap(e: ts.Expression): ts.Expression {
  let x = e;
  while (ts.isParenthesizedExpression(x) || ts.isAsExpression(x) || ts.isNonNullExpression(x) || ts.isSatisfiesExpression(x) || ts.isTypeAssertionExpression(x)) x = x.expression;
  return x;
}

function propName(p: ts.ObjectLiteralElementLike): string | undefined {
  if (!ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p) && !ts.isMethodDeclaration(p)) return undefined;
  const n = p.name;
  return n && (ts.isIdentifier(n) || ts.isStringLiteral(n)) ? n.text : undefined;
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
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const mod = st.moduleSpecifier.text;
      facts.imports.push(mod);
      const c = st.importClause;
      if (c?.name) importedFrom.set(c.name.text, mod);
      const nb = c?.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) importedFrom.set(nb.name.text, mod);
      if (nb && ts.isNamedImports(nb)) for (const el of nb.elements) importedFrom.set(el.name.text, mod);
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
  const hasNextAuth = [...imports].some((m) => m === 'next-auth' || m.startsWith('next-auth/') || m.startsWith('@auth/'));
  const seenNextAuth = new Set<ts.Node>();

  const secretRead = (kind: SecretRead['kind'], value: ts.Expression, at: ts.Node) => {
    const vars = envVarsOf(value);
    facts.secretReads.push({ file, envVar: vars[0], alternatives: vars.slice(1), kind, literal: vars.length === 0 && hasLiteralString(value) ? true : undefined, range: range(at) });
  };

  const cookieProps = (o: ts.ObjectLiteralExpression, lib: CookieLib, name: string | undefined, session: boolean, at: ts.Node = o, nameAt?: ts.Node): CookieOptionsFact => {
    const fact: CookieOptionsFact = { file, lib, name, range: range(at), session };
    if (nameAt) fact.nameRange = range(nameAt);
    for (const p of o.properties) {
      if (!ts.isPropertyAssignment(p)) continue;
      const k = propName(p);
      const v = unwrap(p.initializer);
      const bool = v.kind === ts.SyntaxKind.TrueKeyword ? true : v.kind === ts.SyntaxKind.FalseKeyword ? false : undefined;
      if (k === 'secure') {
        const prod = ts.isBinaryExpression(v) && /NODE_ENV/.test(v.left.getText(sf)) && /production/.test(v.right.getText(sf)) && /===?/.test(v.operatorToken.getText(sf));
        fact.secure = { value: bool ?? (prod ? 'production' : 'unknown'), range: range(p) };
      } else if (k === 'httpOnly') fact.httpOnly = { value: bool ?? 'unknown', range: range(p) };
      else if (k === 'sameSite' && (ts.isStringLiteralLike(v) || bool !== undefined)) fact.sameSite = { value: ts.isStringLiteralLike(v) ? v.text : String(bool), range: range(p) };
      else if (k === 'path' && ts.isStringLiteralLike(v)) fact.path = { value: v.text, range: range(p) };
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
    if (cookies && ts.isObjectLiteralExpression(unwrap(cookies.initializer))) {
      const co = unwrap(cookies.initializer) as ts.ObjectLiteralExpression;
      const coStart = co.getStart(sf);
      const coFirst = co.properties[0];
      fact.cookiesObject = {
        insertAt: lines.positionAt(coStart + 1),
        indent: coFirst ? lines.lineText(lines.positionAt(coFirst.getStart(sf)).line).match(/^\s*/)![0] : `${indent}  `,
      };
      const st = prop(co, 'sessionToken');
      if (st) fact.customSessionToken = true;
      if (st && ts.isObjectLiteralExpression(unwrap(st.initializer))) {
        const sto = unwrap(st.initializer) as ts.ObjectLiteralExpression;
        const nm = prop(sto, 'name');
        const nv = nm && unwrap(nm.initializer);
        if (nm && nv && (ts.isStringLiteralLike(nv))) fact.sessionCookieName = { value: nv.text, range: range(nm) };
        const opts = prop(sto, 'options');
        if (opts && ts.isObjectLiteralExpression(unwrap(opts.initializer))) cookieProps(unwrap(opts.initializer) as ts.ObjectLiteralExpression, 'next-auth', fact.sessionCookieName?.value, true, undefined, fact.sessionCookieName ? nm : undefined);
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
    if (origin) {
      const v = unwrap(origin.initializer);
      if (ts.isStringLiteralLike(v)) fact.origins = [v.text];
      else if (ts.isArrayLiteralExpression(v)) {
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
    } else fact.origins = ['*']; // the cors package's default
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
        if (mod === 'jsonwebtoken') secretRead('jwt', n.arguments[1], n.arguments[1]);
      }
      // Nest JwtService: this.jwt.sign(payload, { secret }), verifyAsync(token, { secret }) in a file using @nestjs/jwt
      if (/^(sign|verify)(Async)?$/.test(calleeName) && target && imports.has('@nestjs/jwt') && n.arguments[1]) {
        const opts = unwrap(n.arguments[1]);
        if (ts.isObjectLiteralExpression(opts)) {
          const secret = prop(opts, 'secret') ?? prop(opts, 'privateKey') ?? prop(opts, 'publicKey');
          if (secret) secretRead('jwt', secret.initializer, secret);
        }
      }
      // express-session / cookie-session
      const mod = ts.isIdentifier(callee) ? importedFrom.get(callee.text) : undefined;
      if ((mod === 'express-session' || mod === 'cookie-session') && arg0 && ts.isObjectLiteralExpression(arg0)) {
        const secret = prop(arg0, 'secret') ?? prop(arg0, 'keys');
        if (secret) secretRead('session', secret.initializer, secret);
        if (mod === 'express-session') facts.sessions.push({ file, kind: 'express-session', hasStore: !!prop(arg0, 'store'), range: range(n) });
        else facts.sessions.push({ file, kind: 'cookie-session', hasStore: true, range: range(n) });
        const name = prop(arg0, 'name');
        const nv = name && unwrap(name.initializer);
        const cookie = prop(arg0, 'cookie');
        const co = cookie && unwrap(cookie.initializer);
        const cookieName = nv && ts.isStringLiteralLike(nv) ? nv.text : mod === 'express-session' ? 'connect.sid' : 'session';
        const nameAt = nv && ts.isStringLiteralLike(nv) ? name : undefined;
        if (co && ts.isObjectLiteralExpression(co)) cookieProps(co, mod, cookieName, true, co, nameAt);
        else cookieProps(arg0, mod, cookieName, true, n, nameAt);
      }
      // res.cookie(name, value, options)
      if (calleeName === 'cookie' && target && n.arguments.length >= 2) {
        const nm = unwrap(n.arguments[0]);
        const name = ts.isStringLiteralLike(nm) ? nm.text : undefined;
        const opts = n.arguments[2] && unwrap(n.arguments[2]);
        const session = !!name && /sess|token|auth|sid/i.test(name);
        if (opts && ts.isObjectLiteralExpression(opts)) cookieProps(opts, 'res.cookie', name, session, opts, name ? nm : undefined);
        else facts.cookies.push({ file, lib: 'res.cookie', name, ...(name ? { nameRange: range(nm) } : {}), range: range(n), session });
      }
      // cookies().set(name, value, options) / response.cookies.set({...})
      if (calleeName === 'set' && target && /cookies/.test(target.getText(sf)) && n.arguments.length >= 1) {
        const a0 = unwrap(n.arguments[0]);
        if (ts.isObjectLiteralExpression(a0)) {
          const nm = prop(a0, 'name');
          const nv = nm && unwrap(nm.initializer);
          const name = nv && ts.isStringLiteralLike(nv) ? nv.text : undefined;
          cookieProps(a0, 'next-cookies', name, !!name && /sess|token|auth|sid/i.test(name), a0, name ? nm : undefined);
        } else {
          const name = ts.isStringLiteralLike(a0) ? a0.text : undefined;
          const opts = n.arguments[2] && unwrap(n.arguments[2]);
          const session = !!name && /sess|token|auth|sid/i.test(name);
          if (opts && ts.isObjectLiteralExpression(opts)) cookieProps(opts, 'next-cookies', name, session, opts, name ? a0 : undefined);
          else facts.cookies.push({ file, lib: 'next-cookies', name, ...(name ? { nameRange: range(a0) } : {}), range: range(n), session });
        }
      }
      // CORS: app.enableCors({ origin, credentials }) / cors({ origin, credentials }) / fastify.register(fastifyCors, { ... })
      // / NestFactory.create(AppModule, { cors: { ... } | true })
      const isCorsMiddleware = ts.isIdentifier(callee) && /^(cors|@fastify\/cors)$/.test(importedFrom.get(callee.text) ?? '');
      const fastifyCors = calleeName === 'register' && arg0 && ts.isIdentifier(arg0) && importedFrom.get(arg0.text) === '@fastify/cors';
      const corsOpts = fastifyCors ? n.arguments[1] && unwrap(n.arguments[1]) : calleeName === 'enableCors' || isCorsMiddleware ? arg0 : undefined;
      if (corsOpts && ts.isObjectLiteralExpression(corsOpts)) corsFact(corsOpts, n);
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
      const nm = unwrap(cn.initializer);
      const name = ts.isStringLiteralLike(nm) ? nm.text : undefined;
      const co = prop(n, 'cookieOptions');
      const coo = co && unwrap(co.initializer);
      if (coo && ts.isObjectLiteralExpression(coo)) cookieProps(coo, 'iron-session', name, true, coo, name ? cn : undefined);
      else facts.cookies.push({ file, lib: 'iron-session', name, ...(name ? { nameRange: range(cn) } : {}), range: range(n), session: true });
      facts.sessions.push({ file, kind: 'iron-session', hasStore: true, range: range(n) });
    }
    // passport-jwt: super({ secretOrKey: ... })
    if (ts.isPropertyAssignment(n) && propName(n) === 'secretOrKey') secretRead('jwt', n.initializer, n);
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
