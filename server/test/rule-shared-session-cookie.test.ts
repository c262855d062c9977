import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { applyEdits, audit, byRule, lineOf, makeWorkspace, pkg } from './helpers/workspace';
import { fixThroughProtocol } from './helpers/protocol-fix';
import { read, REPO_ROOT } from './helpers/files';

const RULE = 'shared-session-cookie';
const NEXT4 = { next: '14.2.18', 'next-auth': '^4.24.10' };
const NEXT5 = { next: '15.0.3', 'next-auth': '5.0.0-beta.25' };

function copyTestWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-ssc-'));
  fs.cpSync(path.join(REPO_ROOT, 'test-workspace'), dir, { recursive: true });
  return dir;
}

/** A NextAuth v4 options file as real apps write it. */
function authTs(extra = ''): string {
  return [
    "import type { NextAuthOptions } from 'next-auth';",
    "import CredentialsProvider from 'next-auth/providers/credentials';",
    '',
    'export const authOptions: NextAuthOptions = {',
    "  providers: [CredentialsProvider({ name: 'credentials', credentials: {}, authorize: async () => null })],",
    "  session: { strategy: 'jwt' },",
    extra,
    '  secret: process.env.NEXTAUTH_SECRET,',
    '};',
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

/** A root package.json whose `dev` script starts every app of `dirs` together (on localhost, apps share a cookie only when they run together). */
function together(...dirs: string[]): Record<string, string> {
  return { 'package.json': JSON.stringify({ name: 'suite', private: true, workspaces: dirs, scripts: { dev: 'turbo run dev start' } }) };
}

function syntaxErrors(file: string): string[] {
  const sf = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const diags = (sf as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
  return diags.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
}

test('shared-session-cookie: incident a — electricity-tokens and multi-business-multi-apps share next-auth.session-token on localhost; the replica on 192.168.1.101 does not', async () => {
  const ws = path.join(REPO_ROOT, 'test-workspace');
  const { findings } = await audit(ws);
  const found = byRule(findings, RULE);
  const et = path.join(ws, 'electricity-tokens/src/lib/auth.ts');
  const mb = path.join(ws, 'multi-business-multi-apps/src/lib/auth.ts');
  assert.deepEqual(found.map((f) => path.relative(ws, f.location.file)).sort(), [
    'electricity-tokens/src/lib/auth.ts',
    'multi-business-multi-apps/src/lib/auth.ts',
  ]);
  const onEt = found.find((f) => f.location.file === et)!;
  assert.equal(onEt.severity, 'warning');
  assert.equal(onEt.location.range.start.line, lineOf(et, 'export const authOptions: NextAuthOptions = {'));
  assert.equal(
    onEt.message,
    `electricity-tokens and multi-business-multi-apps share session cookie "next-auth.session-token" (NextAuth v4's default name) on localhost.`,
  );
  assert.deepEqual(
    onEt.related.map((r) => r.location.file),
    [mb],
  );
  assert.equal(onEt.fixes[0].title, 'Name the session cookie of electricity-tokens "electricity-tokens.session-token"');
  // multi-business-server-2 is the same app (a replica) and is served at 192.168.1.101: its own cookie jar.
  assert.ok(!found.some((f) => f.location.file.includes('multi-business-server-2')));
});

test('shared-session-cookie: the fix inserts cookies.sessionToken with the default options; replicas get the same name; the finding clears', async () => {
  const ws = copyTestWorkspace();
  try {
    const mb = path.join(ws, 'multi-business-multi-apps/src/lib/auth.ts');
    const mb2 = path.join(ws, 'multi-business-server-2/src/lib/auth.ts');
    const { findings } = await audit(ws);
    const onMb = byRule(findings, RULE).find((f) => f.location.file === mb)!;
    const edits = onMb.fixes[0].edits();
    assert.deepEqual(edits.map((e) => e.file).sort(), [mb, mb2], 'the replica is renamed too');
    applyEdits(edits);
    for (const file of [mb, mb2]) {
      const text = read(file);
      assert.ok(
        text.includes(
          [
            'export const authOptions: NextAuthOptions = {',
            '  cookies: {',
            '    sessionToken: {',
            "      name: 'multi-business-multi-apps.session-token',",
            '      options: {',
            '        httpOnly: true,',
            "        sameSite: 'lax',",
            "        path: '/',",
            "        secure: process.env.NEXTAUTH_URL?.startsWith('https://') ?? process.env.NODE_ENV === 'production',",
            '      },',
            '    },',
            '  },',
            '  providers: [',
          ].join('\n'),
        ),
        text.slice(0, 600),
      );
      assert.deepEqual(syntaxErrors(file), []);
    }
    const after = await audit(ws);
    assert.deepEqual(byRule(after.findings, RULE), [], 'electricity-tokens is now alone with next-auth.session-token on localhost');
    assert.deepEqual(
      byRule(after.findings, 'cookie-options').filter((f) => f.location.file.includes('multi-business')),
      [],
      'the inserted options are clean',
    );
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('shared-session-cookie: negatives — other hosts, replicas, distinct names, v4 vs v5 defaults, https prefix', async () => {
  const ws = makeWorkspace({
    ...together('local-app', 'remote-app', 'shop-1', 'shop-2', 'secure-app', 'named-app'),
    // configured on another machine
    'crosswire.config.json': JSON.stringify({ hosts: { 'remote-app': 'office-server' } }),
    'local-app/package.json': pkg('local-app', { dev: 'next dev -p 3001' }, NEXT4),
    'local-app/.env': 'NEXTAUTH_URL=http://localhost:3001\n',
    'local-app/lib/auth.ts': authTs(),
    'remote-app/package.json': pkg('remote-app', { dev: 'next dev -p 3002' }, NEXT4),
    'remote-app/lib/auth.ts': authTs(),
    // two replicas of one app on this machine: one app
    'shop-1/package.json': pkg('shop', { start: 'next start -p 3003' }, NEXT5),
    'shop-1/auth.ts': "import NextAuth from 'next-auth';\nexport const { handlers, auth } = NextAuth({\n  providers: [],\n});\n",
    'shop-2/package.json': pkg('shop', { start: 'next start -p 3003' }, NEXT5),
    'shop-2/auth.ts': "import NextAuth from 'next-auth';\nexport const { handlers, auth } = NextAuth({\n  providers: [],\n});\n",
    // https: __Secure-next-auth.session-token
    'secure-app/package.json': pkg('secure-app', { dev: 'next dev -p 3004' }, NEXT4),
    'secure-app/.env': 'NEXTAUTH_URL=https://secure.example.com\n',
    'secure-app/lib/auth.ts': authTs(),
    // its own name
    'named-app/package.json': pkg('named-app', { dev: 'next dev -p 3005' }, NEXT4),
    'named-app/lib/auth.ts': authTs(
      "  cookies: { sessionToken: { name: 'named-app.session-token', options: { httpOnly: true, sameSite: 'lax', path: '/' } } },",
    ),
  });
  try {
    const { findings } = await audit(ws);
    // local-app is the only v4 app with the default name on localhost; shop (v5) uses authjs.session-token
    assert.deepEqual(byRule(findings, RULE), []);
    // Without the hosts entry, remote-app is a local app too: it shares next-auth.session-token with local-app.
    fs.rmSync(path.join(ws, 'crosswire.config.json'));
    const local = byRule((await audit(ws)).findings, RULE);
    assert.deepEqual(local.map((f) => path.relative(ws, f.location.file)).sort(), [
      path.join('local-app', 'lib', 'auth.ts'),
      path.join('remote-app', 'lib', 'auth.ts'),
    ]);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('shared-session-cookie: Auth.js v5 default and a v4 app that copied the name; iron-session and express-session names', async () => {
  const ws = makeWorkspace({
    ...together('portal', 'legacy', 'tickets', 'assets', 'api-a', 'api-b'),
    'portal/package.json': pkg('portal', { dev: 'next dev -p 3010' }, NEXT5),
    'portal/auth.ts': "import NextAuth from 'next-auth';\nexport const { handlers, auth } = NextAuth({\n  providers: [],\n});\n",
    'legacy/package.json': pkg('legacy', { dev: 'next dev -p 3011' }, NEXT4),
    'legacy/lib/auth.ts': authTs("  cookies: { sessionToken: { name: 'authjs.session-token', options: { httpOnly: true, sameSite: 'lax', path: '/' } } },"),
    'tickets/package.json': pkg('tickets', { dev: 'next dev -p 3012' }, { next: '14.2.18', 'iron-session': '^8.0.4' }),
    'tickets/lib/session.ts':
      "import type { SessionOptions } from 'iron-session';\nexport const sessionOptions: SessionOptions = {\n  password: process.env.SESSION_SECRET as string,\n  cookieName: 'app_session',\n};\n",
    'assets/package.json': pkg('assets', { dev: 'next dev -p 3013' }, { next: '14.2.18', 'iron-session': '^8.0.4' }),
    'assets/lib/session.ts':
      "import type { SessionOptions } from 'iron-session';\nexport const sessionOptions: SessionOptions = {\n  password: process.env.SESSION_SECRET as string,\n  cookieName: 'app_session',\n};\n",
    'api-a/package.json': pkg('api-a', { start: 'node server.js' }, { express: '4.21.1', 'express-session': '1.18.1' }),
    'api-a/server.js':
      "const express = require('express');\nconst session = require('express-session');\nconst app = express();\napp.use(\n  session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }),\n);\napp.listen(4001);\n",
    'api-b/package.json': pkg('api-b', { start: 'node server.js' }, { express: '4.21.1', 'express-session': '1.18.1' }),
    'api-b/server.js':
      "const express = require('express');\nconst session = require('express-session');\nconst app = express();\napp.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }));\napp.listen(4002);\n",
  });
  try {
    const { findings } = await audit(ws);
    const found = byRule(findings, RULE);
    const at = (rel: string, needle: string) => {
      const file = path.join(ws, rel);
      const f = found.find((x) => x.location.file === file && x.location.range.start.line === lineOf(file, needle));
      assert.ok(
        f,
        `${RULE} at ${rel} "${needle}"; got ${found.map((x) => `${path.relative(ws, x.location.file)}:${x.location.range.start.line + 1}`).join(', ')}`,
      );
      return f;
    };
    assert.match(at('portal/auth.ts', 'NextAuth({').message, /^portal and legacy share session cookie "authjs\.session-token" \(Auth\.js's default name\)/);
    assert.match(
      at('legacy/lib/auth.ts', "name: 'authjs.session-token'").message,
      /^legacy and portal share session cookie "authjs\.session-token" \(.*cookies\.sessionToken\.name.*\)/,
    );
    assert.match(
      at('tickets/lib/session.ts', "cookieName: 'app_session'").message,
      /^tickets and assets share session cookie "app_session" \(iron-session cookieName\)/,
    );
    at('assets/lib/session.ts', "cookieName: 'app_session'");
    assert.match(at('api-a/server.js', 'session({').message, /^api-a and api-b share session cookie "connect\.sid" \(express-session's default name\)/);
    at('api-b/server.js', 'app.use(session({');
    assert.equal(found.length, 6);

    // Fixes: rename the literal; insert a name into express-session's options.
    const legacy = found.find((f) => f.location.file.endsWith(path.join('legacy', 'lib', 'auth.ts')))!;
    const tickets = found.find((f) => f.location.file.endsWith(path.join('tickets', 'lib', 'session.ts')))!;
    const apiA = found.find((f) => f.location.file.endsWith(path.join('api-a', 'server.js')))!;
    applyEdits([...legacy.fixes[0].edits(), ...tickets.fixes[0].edits(), ...apiA.fixes[0].edits()]);
    assert.match(read(path.join(ws, 'legacy/lib/auth.ts')), /name: 'legacy\.session-token'/);
    assert.match(read(path.join(ws, 'tickets/lib/session.ts')), /cookieName: 'tickets\.session',/);
    assert.match(read(path.join(ws, 'api-a/server.js')), /session\(\{\n?\s*name: 'api-a\.sid',|session\(\{ name: 'api-a\.sid', secret/);
    const after = await audit(ws);
    assert.deepEqual(byRule(after.findings, RULE), []);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('shared-session-cookie: an existing cookies object gets the sessionToken inside it', async () => {
  const ws = makeWorkspace({
    ...together('a', 'b'),
    'a/package.json': pkg('app-a', { dev: 'next dev -p 3021' }, NEXT4),
    'a/lib/auth.ts': authTs("  cookies: {\n    csrfToken: { name: 'a.csrf', options: { httpOnly: true, sameSite: 'lax', path: '/' } },\n  },"),
    'b/package.json': pkg('app-b', { dev: 'next dev -p 3022' }, NEXT4),
    'b/lib/auth.ts': authTs(),
  });
  try {
    const file = path.join(ws, 'a/lib/auth.ts');
    const { findings } = await audit(ws);
    const onA = byRule(findings, RULE).find((f) => f.location.file === file)!;
    applyEdits(onA.fixes[0].edits());
    const text = read(file);
    assert.equal(text.match(/cookies:/g)?.length, 1, text);
    assert.match(text, /cookies: \{\n {4}sessionToken: \{\n {6}name: 'app-a\.session-token',/);
    assert.match(text, /csrfToken: \{ name: 'a\.csrf'/);
    assert.deepEqual(syntaxErrors(file), []);
    assert.deepEqual(byRule((await audit(ws)).findings, RULE), []);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('shared-session-cookie: the fix through the language server clears the diagnostic of both apps', { timeout: 60_000 }, async () => {
  const ws = makeWorkspace({
    ...together('a', 'b'),
    'a/package.json': pkg('app-a', { dev: 'next dev -p 3031' }, NEXT4),
    'a/.env': 'NEXTAUTH_URL=http://localhost:3031\n',
    'a/lib/auth.ts': authTs(),
    'b/package.json': pkg('app-b', { dev: 'next dev -p 3032' }, NEXT4),
    'b/.env': 'NEXTAUTH_URL=http://localhost:3032\n',
    'b/lib/auth.ts': authTs(),
  });
  const file = path.join(ws, 'a/lib/auth.ts');
  const other = path.join(ws, 'b/lib/auth.ts');
  const { client, edited } = await fixThroughProtocol({
    folder: ws,
    file,
    rule: RULE,
    line: lineOf(file, 'export const authOptions'),
    title: 'Name the session cookie of app-a "app-a.session-token"',
    cleared: (c) => c.diagnosticsOf(other).every((d) => d.code !== RULE),
  });
  try {
    assert.deepEqual(edited, [file]);
    assert.match(read(file), /name: 'app-a\.session-token'/);
  } finally {
    client.kill();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
