import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, audit, byRule, lineOf, makeWorkspace, pkg } from './helpers/workspace';
import { fixThroughProtocol } from './helpers/protocol-fix';
import { read, REPO_ROOT } from './helpers/files';

const RULE = 'cookie-options';
const IRON = { next: '14.2.18', 'iron-session': '^8.0.4' };
const EXPRESS = { express: '4.21.1', 'express-session': '1.18.1', dotenv: '16.4.5' };

/** iron-session options as it-assets-manager writes them, with `cookieOptions` replaced. */
function ironSession(cookieOptions: string): string {
  return [
    "import type { SessionOptions } from 'iron-session';",
    '',
    'export const sessionOptions: SessionOptions = {',
    '  password: process.env.SESSION_SECRET as string,',
    "  cookieName: 'ticketing_session',",
    cookieOptions,
    '};',
    '',
  ].join('\n');
}

const PROD_COOKIE =
  "  cookieOptions: {\n    secure: process.env.NODE_ENV === 'production',\n    httpOnly: true,\n    sameSite: 'lax' as const,\n    path: '/',\n  },";

test('cookie-options: incident d — it-assets-manager is Secure in production but served over plain http at assets.internal.example', async () => {
  const ws = path.join(REPO_ROOT, 'test-workspace');
  const found = byRule((await audit(ws)).findings, RULE);
  assert.deepEqual(found.map((f) => path.relative(ws, f.location.file)).sort(), ['it-assets-manager/lib/actions/auth.ts', 'it-assets-manager/middleware.ts']);
  for (const f of found) {
    assert.equal(f.severity, 'warning');
    assert.equal(f.location.range.start.line, lineOf(f.location.file, "secure: process.env.NODE_ENV === 'production'"));
    assert.equal(
      f.message,
      'Session cookie "ticketing_session" of it-assets-manager is Secure in production but served over http at http://assets.internal.example.',
    );
    const related = f.related.map((r) => r.message).join('\n');
    assert.match(related, /served over plain http at http:\/\/assets\.internal\.example\/it-assets-manager/);
    assert.match(related, /NODE_ENV=production in \.env/);
    const env = path.join(ws, 'it-assets-manager/.env');
    const rel = f.related.map((r) => `${path.relative(ws, r.location.file)}:${r.location.range.start.line}`);
    assert.ok(rel.includes(`it-assets-manager/.env:${lineOf(env, 'NEXT_PUBLIC_APP_URL=')}`), rel.join(' '));
    assert.ok(rel.includes(`it-assets-manager/.env:${lineOf(env, 'NODE_ENV=production')}`), rel.join(' '));
  }
  // status-page: express-session with secure in production, but no production signal and no served URL.
  assert.ok(!found.some((f) => f.location.file.includes('status-page')));
});

test('cookie-options: Secure cookies are fine over https and on localhost, and in development environments', async () => {
  const ws = makeWorkspace({
    'https-app/package.json': pkg('https-app', { start: 'next start -p 3101' }, IRON),
    'https-app/.env': 'NEXT_PUBLIC_APP_URL=https://assets.example.com\n',
    'https-app/lib/session.ts': ironSession(PROD_COOKIE),
    'local-app/package.json': pkg('local-app', { start: 'next start -p 3102' }, IRON),
    'local-app/.env': 'APP_URL=http://localhost:3102\n',
    'local-app/lib/session.ts': ironSession(PROD_COOKIE),
    // the LAN URL only in the development env file; NODE_ENV=production only under `next start`
    'dev-lan/package.json': pkg('dev-lan', { dev: 'next dev -p 3103', start: 'next start -p 3103' }, IRON),
    'dev-lan/.env.development': 'NEXT_PUBLIC_APP_URL=http://192.168.1.20:3103\n',
    'dev-lan/lib/session.ts': ironSession(PROD_COOKIE),
    // no production signal at all (only `next dev`)
    'dev-only/package.json': pkg('dev-only', { dev: 'next dev -p 3104' }, IRON),
    'dev-only/.env': 'NEXT_PUBLIC_APP_URL=http://192.168.1.21:3104\n',
    'dev-only/lib/session.ts': ironSession(PROD_COOKIE),
  });
  try {
    assert.deepEqual(byRule((await audit(ws)).findings, RULE), []);
    // The same LAN URL in .env.production (loaded by `next start`) is the production address: now it fires.
    fs.writeFileSync(path.join(ws, 'dev-lan/.env.production'), 'NEXT_PUBLIC_APP_URL=http://192.168.1.20:3103\n');
    const found = byRule((await audit(ws)).findings, RULE);
    assert.deepEqual(
      found.map((f) => path.relative(ws, f.location.file)),
      [path.join('dev-lan', 'lib', 'session.ts')],
    );
    assert.match(found[0].message, /is Secure in production but served over http at http:\/\/192\.168\.1\.20:3103\.$/);
    const related = found[0].related.map((r) => r.message).join('\n');
    assert.match(related, /`next start` \(script "start"\) runs with NODE_ENV=production/);
    assert.match(related, /NEXT_PUBLIC_APP_URL in \.env\.production: served over plain http at http:\/\/192\.168\.1\.20:3103/);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test("cookie-options: iron-session's default is Secure; secure: true and NextAuth's useSecureCookies on a LAN http URL", async () => {
  const ws = makeWorkspace({
    'iron-default/package.json': pkg('iron-default', { dev: 'next dev -p 3111' }, IRON),
    'iron-default/.env': 'BASE_URL=http://192.168.1.30:3111\n',
    'iron-default/lib/session.ts': ironSession('  cookieOptions: {\n    maxAge: 60 * 60 * 24 * 7,\n  },'),
    'literal/package.json': pkg('literal', { start: 'node server.js' }, EXPRESS),
    'literal/.env': 'PORT=4111\nPUBLIC_URL=http://helpdesk.lan:4111\n',
    'literal/server.js':
      "require('dotenv').config();\nconst express = require('express');\nconst session = require('express-session');\nconst app = express();\napp.use(\n  session({\n    secret: process.env.SESSION_SECRET,\n    cookie: {\n      secure: true,\n      sameSite: 'lax',\n    },\n  }),\n);\napp.listen(process.env.PORT);\n",
    'nextauth/package.json': pkg('nextauth', { start: 'next start -p 3112' }, { next: '14.2.18', 'next-auth': '^4.24.10' }),
    'nextauth/.env': 'NEXTAUTH_URL=http://10.0.0.5:3112\n',
    'nextauth/lib/auth.ts':
      "import type { NextAuthOptions } from 'next-auth';\nexport const authOptions: NextAuthOptions = {\n  providers: [],\n  useSecureCookies: true,\n};\n",
  });
  try {
    const found = byRule((await audit(ws)).findings, RULE);
    const at = (rel: string, needle: string) => {
      const file = path.join(ws, rel);
      const f = found.find((x) => x.location.file === file && x.location.range.start.line === lineOf(file, needle));
      assert.ok(
        f,
        `${RULE} at ${rel} "${needle}"; got ${found.map((x) => `${path.relative(ws, x.location.file)}:${x.location.range.start.line + 1} ${x.message}`).join('\n')}`,
      );
      return f;
    };
    assert.match(at('iron-default/lib/session.ts', 'cookieOptions: {').message, /is Secure by default but served over http at http:\/\/192\.168\.1\.30:3111/);
    assert.match(at('literal/server.js', 'secure: true').message, /is marked Secure but served over http at http:\/\/helpdesk\.lan:4111/);
    assert.match(at('nextauth/lib/auth.ts', 'useSecureCookies: true').message, /http:\/\/10\.0\.0\.5:3112/);
    assert.equal(found.length, 3);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('cookie-options: sameSite/path by library defaults; httpOnly: false; SameSite=None without Secure; the fixes', async () => {
  const ws = makeWorkspace({
    'api/package.json': pkg('api', { start: 'node server.js' }, EXPRESS),
    'api/.env': 'PORT=4120\n',
    'api/server.js': [
      "require('dotenv').config();",
      "const express = require('express');",
      "const session = require('express-session');",
      'const app = express();',
      'app.use(session({ secret: process.env.SESSION_SECRET, resave: false }));',
      "app.post('/login', (req, res) => {",
      "  res.cookie('auth_token', 't', { httpOnly: false, sameSite: 'lax' });",
      "  res.cookie('session_hint', '1');",
      "  res.cookie('theme', 'dark');",
      "  res.cookie('remember_token', 'r', { httpOnly: true, sameSite: 'none', secure: false });",
      '  res.end();',
      '});',
      'app.listen(process.env.PORT);',
      '',
    ].join('\n'),
    // next-auth v4 custom session cookie: nothing merged; iron-session and Auth.js v5 merge their defaults
    'v4/package.json': pkg('v4', { dev: 'next dev -p 3121' }, { next: '14.2.18', 'next-auth': '^4.24.10' }),
    'v4/lib/auth.ts':
      "import type { NextAuthOptions } from 'next-auth';\nexport const authOptions: NextAuthOptions = {\n  providers: [],\n  cookies: {\n    sessionToken: {\n      name: 'v4.session-token',\n      options: {\n        httpOnly: true,\n      },\n    },\n  },\n};\n",
    'v5/package.json': pkg('v5', { dev: 'next dev -p 3122' }, { next: '15.0.3', 'next-auth': '5.0.0-beta.25' }),
    'v5/auth.ts':
      "import NextAuth from 'next-auth';\nexport const { handlers, auth } = NextAuth({\n  providers: [],\n  cookies: { sessionToken: { name: 'v5.session-token', options: { httpOnly: true } } },\n});\n",
    'iron/package.json': pkg('iron', { dev: 'next dev -p 3123' }, IRON),
    'iron/lib/session.ts': ironSession('  cookieOptions: { httpOnly: true },'),
  });
  try {
    const server = path.join(ws, 'api/server.js');
    const auth = path.join(ws, 'v4/lib/auth.ts');
    const found = byRule((await audit(ws)).findings, RULE);
    const lines = found.map((f) => `${path.relative(ws, f.location.file)}:${f.location.range.start.line + 1}`).sort();
    assert.deepEqual(
      lines,
      [
        `api/server.js:${lineOf(server, 'app.use(session(') + 1}`,
        `api/server.js:${lineOf(server, "'auth_token'") + 1}`,
        `api/server.js:${lineOf(server, "'session_hint'") + 1}`,
        `api/server.js:${lineOf(server, "'remember_token'") + 1}`,
        `v4/lib/auth.ts:${lineOf(auth, 'options: {') + 1}`,
      ].sort(),
    );
    const msg = (needle: string, file = server) => found.find((f) => f.location.file === file && f.location.range.start.line === lineOf(file, needle))!;
    assert.match(msg('app.use(session(').message, /sets no sameSite, and express-session does not add it/);
    assert.match(msg("'auth_token'").message, /httpOnly: false/);
    assert.match(msg("'session_hint'").message, /sets no sameSite/);
    assert.match(msg("'remember_token'").message, /has sameSite: "none" without Secure, so browsers never store it/);
    assert.match(msg('options: {', auth).message, /sets no sameSite and no path, and NextAuth does not add them \(a custom cookie replaces its defaults\)/);

    // fixes
    const fixable = found.filter((f) => f.fixes.length);
    assert.equal(fixable.length, 4);
    applyEdits(fixable.flatMap((f) => f.fixes[0].edits()));
    const s = read(server);
    assert.match(s, /app\.use\(session\(\{ cookie: \{ sameSite: 'lax' \}, secret: process\.env\.SESSION_SECRET, resave: false \}\)\);/);
    assert.match(s, /res\.cookie\('auth_token', 't', \{ httpOnly: true, sameSite: 'lax' \}\);/);
    assert.match(s, /res\.cookie\('session_hint', '1', \{ sameSite: 'lax' \}\);/);
    assert.match(read(auth), /options: \{\n {8}sameSite: 'lax',\n {8}path: '\/',\n {8}httpOnly: true,/);
    const after = byRule((await audit(ws)).findings, RULE);
    assert.deepEqual(
      after.map((f) => f.location.range.start.line),
      [lineOf(server, "'remember_token'")],
      'only the unfixable SameSite=None finding is left',
    );
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('cookie-options: the sameSite fix through the language server', { timeout: 60_000 }, async () => {
  const ws = makeWorkspace({
    'api/package.json': pkg('api', { start: 'node server.js' }, EXPRESS),
    'api/.env': 'PORT=4130\n',
    'api/server.js':
      "require('dotenv').config();\nconst express = require('express');\nconst app = express();\napp.post('/login', (req, res) => {\n  res.cookie('sid', 'x', {\n    httpOnly: true,\n  });\n  res.end();\n});\napp.listen(process.env.PORT);\n",
  });
  const file = path.join(ws, 'api/server.js');
  const { client, edited } = await fixThroughProtocol({
    folder: ws,
    file,
    rule: RULE,
    line: lineOf(file, "res.cookie('sid'"),
    title: `Add sameSite: 'lax' to the session cookie "sid"`,
  });
  try {
    assert.deepEqual(edited, [file]);
    assert.match(read(file), /res\.cookie\('sid', 'x', \{\n {4}sameSite: 'lax',\n {4}httpOnly: true,\n {2}\}\);/);
  } finally {
    client.kill();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
