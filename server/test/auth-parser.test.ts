/**
 * Auth/session/cookie/CORS facts (parsers/auth.ts, through parsers/code.ts) on the real test-workspace
 * files and on small snippets of the shapes real projects write.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCode } from '../src/parsers/code';
import type { AuthFacts } from '../src/model/types';
import { REPO_ROOT } from './helpers/files';

const ws = path.join(REPO_ROOT, 'test-workspace');

function factsOf(rel: string): { facts: AuthFacts; lines: string[] } {
  const file = path.join(ws, rel);
  const text = fs.readFileSync(file, 'utf8');
  const info = parseCode(text, file);
  assert.ok(info.auth, `${rel} has auth facts`);
  return { facts: info.auth, lines: text.split(/\r?\n/) };
}

function snippet(text: string, name = 'snippet.ts'): { facts: AuthFacts; lines: string[] } {
  const info = parseCode(text, path.join('/tmp', name));
  assert.ok(info.auth, 'auth facts');
  return { facts: info.auth, lines: text.split('\n') };
}

test('auth parser: iron-session cookieOptions in it-assets-manager (name, name line, secure from NODE_ENV, sameSite, path)', () => {
  for (const rel of ['it-assets-manager/middleware.ts', 'it-assets-manager/lib/actions/auth.ts']) {
    const { facts, lines } = factsOf(rel);
    assert.equal(facts.cookies.length, 1, rel);
    const c = facts.cookies[0];
    assert.equal(c.lib, 'iron-session');
    assert.equal(c.name, 'ticketing_session');
    assert.equal(c.session, true);
    assert.match(lines[c.nameRange!.start.line], /cookieName: 'ticketing_session'/);
    assert.equal(c.secure?.value, 'production');
    assert.match(lines[c.secure!.range.start.line], /secure: process\.env\.NODE_ENV === 'production'/);
    assert.equal(c.sameSite?.value, 'lax');
    assert.equal(c.path?.value, '/');
    assert.equal(c.httpOnly?.value, true);
    assert.deepEqual(
      facts.sessions.map((s) => s.kind),
      ['iron-session'],
    );
  }
});

test('auth parser: NextAuth v4 options of electricity-tokens (declaration line, insertion point, JWT sessions, no custom cookie)', () => {
  const { facts, lines } = factsOf('electricity-tokens/src/lib/auth.ts');
  assert.equal(facts.nextAuth.length, 1);
  const n = facts.nextAuth[0];
  assert.equal(n.version, 4);
  assert.equal(lines[n.range.start.line], 'export const authOptions: NextAuthOptions = {');
  assert.equal(lines[n.insertAt.line].slice(0, n.insertAt.character), 'export const authOptions: NextAuthOptions = {');
  assert.equal(n.indent, '  ');
  assert.equal(n.sessionStrategy, 'jwt');
  assert.equal(n.customSessionToken, undefined);
  assert.equal(n.cookiesObject, undefined);
  assert.equal(n.sessionCookieName, undefined);
  assert.deepEqual(
    facts.sessions.map((s) => s.kind),
    ['next-auth-jwt'],
  );
});

test('auth parser: NestJS enableCors of insight-garden reads CORS_ORIGIN with credentials, on the origin line', () => {
  const { facts, lines } = factsOf('insight-garden/backend/src/main.ts');
  assert.equal(facts.cors.length, 1);
  const c = facts.cors[0];
  assert.equal(c.envVar, 'CORS_ORIGIN');
  assert.equal(c.credentials, true);
  assert.equal(c.origins, undefined);
  assert.equal(c.reflect, undefined);
  assert.match(lines[c.range.start.line], /origin: process\.env\.CORS_ORIGIN/);
});

test('auth parser: NextAuth custom session cookie, useSecureCookies and an existing cookies object', () => {
  const { facts, lines } = snippet(
    [
      "import NextAuth, { type NextAuthOptions } from 'next-auth';",
      'export const authOptions: NextAuthOptions = {',
      '  useSecureCookies: true,',
      '  cookies: {',
      '    sessionToken: {',
      "      name: 'shop.session-token',",
      '      options: { httpOnly: true, secure: true },',
      '    },',
      '  },',
      '  providers: [],',
      '};',
    ].join('\n'),
  );
  const n = facts.nextAuth[0];
  assert.equal(n.useSecureCookies, true);
  assert.equal(n.useSecureCookiesRange!.start.line, 2);
  assert.equal(n.customSessionToken, true);
  assert.deepEqual(n.sessionCookieName?.value, 'shop.session-token');
  assert.equal(n.sessionCookieName!.range.start.line, 5);
  assert.deepEqual(n.cookiesObject, { insertAt: { line: 3, character: 12 }, indent: '    ' });
  const c = facts.cookies.find((x) => x.lib === 'next-auth')!;
  assert.equal(c.name, 'shop.session-token');
  assert.equal(c.nameRange!.start.line, 5);
  assert.equal(c.sameSite, undefined);
  assert.equal(c.path, undefined);
  assert.equal(lines[c.range.start.line].trim().startsWith('options:'), true);
});

test('auth parser: a session token whose name is computed is custom, with no literal name', () => {
  const { facts } = snippet(
    [
      "import type { NextAuthOptions } from 'next-auth';",
      "const prefix = process.env.COOKIE_PREFIX ?? 'app';",
      'export const authOptions: NextAuthOptions = {',
      '  providers: [],',
      '  cookies: { sessionToken: { name: `${prefix}.session-token`, options: {} } },',
      '};',
    ].join('\n'),
  );
  assert.equal(facts.nextAuth[0].customSessionToken, true);
  assert.equal(facts.nextAuth[0].sessionCookieName, undefined);
});

test('auth parser: Auth.js v5 config exported with `satisfies NextAuthConfig`', () => {
  const { facts, lines } = snippet(
    [
      "import type { NextAuthConfig } from 'next-auth';",
      "import Credentials from 'next-auth/providers/credentials';",
      '',
      'export default {',
      '  providers: [Credentials({})],',
      '} satisfies NextAuthConfig;',
    ].join('\n'),
    'auth.config.ts',
  );
  assert.equal(facts.nextAuth.length, 1);
  assert.equal(lines[facts.nextAuth[0].range.start.line], 'export default {');
});

test('auth parser: CORS shapes — origin true reflects, cors() is *, split env lists, arrays with env and literals, NestFactory and fastify', () => {
  const reflect = snippet("import cors from 'cors';\napp.use(cors({ origin: true, credentials: true }));\n", 'a.ts').facts.cors;
  assert.deepEqual(
    reflect.map((c) => ({ reflect: c.reflect, origins: c.origins, credentials: c.credentials })),
    [{ reflect: true, origins: undefined, credentials: true }],
  );

  const star = snippet("const cors = require('cors');\napp.use(cors());\n", 'b.js').facts.cors;
  assert.deepEqual(
    star.map((c) => [c.origins, c.credentials]),
    [[['*'], false]],
  );

  const split = snippet(
    "import cors from 'cors';\napp.use(\n  cors({\n    origin: process.env.CORS_ORIGIN?.split(',').map((s) => s.trim()),\n    credentials: true,\n  }),\n);\n",
    'c.ts',
  ).facts.cors;
  assert.equal(split.length, 1);
  assert.equal(split[0].envVar, 'CORS_ORIGIN');
  assert.equal(split[0].splits, true);
  assert.equal(split[0].range.start.line, 3);

  const array = snippet(
    "import cors from 'cors';\napp.use(cors({ origin: [process.env.FRONTEND_URL, 'http://localhost:5173'], credentials: true }));\n",
    'd.ts',
  ).facts.cors;
  assert.deepEqual([array[0].envVar, array[0].origins, array[0].splits], ['FRONTEND_URL', ['http://localhost:5173'], undefined]);

  const nest = snippet(
    "import { NestFactory } from '@nestjs/core';\nconst app = await NestFactory.create(AppModule, {\n  cors: { origin: 'http://localhost:4200', credentials: true },\n});\n",
    'main.ts',
  ).facts.cors;
  assert.deepEqual(
    nest.map((c) => [c.origins, c.credentials, c.range.start.line]),
    [[['http://localhost:4200'], true, 2]],
  );

  const fastify = snippet(
    "import fastifyCors from '@fastify/cors';\nawait app.register(fastifyCors, { origin: process.env.WEB_ORIGIN, credentials: true });\n",
    'server.ts',
  ).facts.cors;
  assert.deepEqual(
    fastify.map((c) => [c.envVar, c.credentials]),
    [['WEB_ORIGIN', true]],
  );

  // secrets keep being read through calls: String(process.env.X), process.env.X.trim()
  const secrets = snippet(
    "import jwt from 'jsonwebtoken';\njwt.sign(p, String(process.env.JWT_SECRET));\njwt.verify(t, process.env.JWT_KEY!.trim());\n",
    'e.ts',
  ).facts.secretReads;
  assert.deepEqual(
    secrets.map((s) => s.envVar),
    ['JWT_SECRET', 'JWT_KEY'],
  );
});

test('auth parser: express-session name and default, memory stores, res.cookie names', () => {
  const { facts, lines } = snippet(
    [
      "const session = require('express-session');",
      "const MemoryStore = require('memorystore')(session);",
      'app.use(',
      '  session({',
      "    name: 'helpdesk.sid',",
      '    secret: process.env.SESSION_SECRET,',
      "    cookie: { sameSite: 'lax' },",
      '  }),',
      ');',
      'app.use(session({ secret: process.env.OTHER_SECRET, store: new MemoryStore({ checkPeriod: 86400000 }) }));',
      "res.cookie('auth_token', token, { httpOnly: false });",
    ].join('\n'),
    'server.js',
  );
  const [named, unnamed, raw] = facts.cookies;
  assert.equal(named.name, 'helpdesk.sid');
  assert.equal(lines[named.nameRange!.start.line].trim(), "name: 'helpdesk.sid',");
  assert.equal(named.sameSite?.value, 'lax');
  assert.equal(unnamed.name, 'connect.sid');
  assert.equal(unnamed.nameRange, undefined);
  assert.equal(raw.lib, 'res.cookie');
  assert.equal(raw.name, 'auth_token');
  assert.equal(raw.httpOnly?.value, false);
  assert.equal(raw.session, true);
  const kinds = facts.sessions.map((s) => `${s.kind}:${s.hasStore}`);
  assert.deepEqual(kinds.sort(), ['express-session:false', 'express-session:true', 'memory-adapter:false']);
});
