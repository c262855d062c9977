/**
 * Issue 10, root cause 7 (secrets that are meant to be shared or are not live) and root cause 4 for cookies and
 * sessions (unknown is not false). Each workspace reproduces a pattern seen in real multi-app repositories, written
 * from scratch: test fixtures and outside-service credentials shared between apps, a library package with an env
 * file, a token signer and its verifier, a `sharedSecrets` group, cookie options with spreads and variables, and
 * session cookie names held in constants.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { audit, byRule, lineOf, makeWorkspace, pkg } from './helpers/workspace';
import { isOutsideCredential } from '../src/facts/secret-sharing';
import { isSessionCookieName } from '../src/parsers/auth';
import type { Finding } from '../src/model/types';

const A = 'Qm9yZWFsaXMtc2VjcmV0LXZhbHVlLTAwMDAwMDAwMDA=';
const B = 'U2Vjb25kLXN0cm9uZy1zZWNyZXQtdmFsdWUtMTExMTE=';
const EXPRESS = { express: '4.21.1', dotenv: '16.4.5' };

function sites(ws: string, findings: Finding[]): string[] {
  return findings.map((f) => `${path.relative(ws, f.location.file).split(path.sep).join('/')}:${f.location.range.start.line + 1}`).sort();
}

async function withWs(files: Record<string, string>, fn: (ws: string, findings: Finding[]) => void | Promise<void>): Promise<void> {
  const ws = makeWorkspace(files);
  try {
    const { findings } = await audit(ws);
    await fn(ws, findings);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

const server = (name: string, port: number, extra = '') => ({
  [`${name}/package.json`]: pkg(name, { start: 'node server.js' }, { ...EXPRESS, jsonwebtoken: '9.0.2', 'passport-jwt': '4.0.1' }),
  [`${name}/server.js`]: `require('dotenv').config();\nconst express = require('express');\nconst app = express();\n${extra}app.listen(${port});\n`,
});

test('secret keys: outside-service credentials and session cookie names', () => {
  for (const k of [
    'GITHUB_CLIENT_SECRET',
    'OPENPANEL_CLIENT_SECRET',
    'AUTH_GITHUB_SECRET',
    'AUTH_WORKOS_SECRET',
    'STRIPE_WEBHOOK_SECRET',
    'SLACK_SIGNING_SECRET',
    'GOOGLE_SECRET',
    'SUPABASE_JWT_SECRET',
    'OAUTH_SECRET',
  ]) {
    assert.ok(isOutsideCredential(k), k);
  }
  for (const k of [
    'JWT_SECRET',
    'NEXTAUTH_SECRET',
    'AUTH_SECRET',
    'SESSION_SECRET',
    'COOKIE_SECRET',
    'SECRET_KEY',
    'AUTH0_SECRET',
    'BETTER_AUTH_SECRET',
    'AUTH_JWT_SECRET',
    'BACKEND_JWT_SECRET',
    'WEBHOOK_SECRET',
    'JWT_PRIVATE_KEY',
  ]) {
    assert.ok(!isOutsideCredential(k), k);
  }
  for (const n of ['token', 'access_token', 'refreshToken', 'connect.sid', 'app_session', 'sessionId', 'next-auth.session-token', 'my-auth', 'jwt'])
    assert.ok(isSessionCookieName(n), n);
  for (const n of ['robot_auth_status', 'robot_auth_robotId', 'airtable_auth_status', 'oauth_state', 'csrf_token', 'XSRF-TOKEN', 'theme', 'locale'])
    assert.ok(!isSessionCookieName(n), n);
});

test('duplicate-secret / weak-secret: test fixtures, outside credentials and library packages are not judged; a live shared signing key still is', async () => {
  await withWs(
    {
      ...server('api', 4100),
      ...server('worker', 4200),
      // committed test fixtures, shared and weak
      'api/.env.test': 'JWT_SECRET=test-secret\nSESSION_SECRET=changeme\n',
      'worker/.env.test': 'JWT_SECRET=test-secret\nSESSION_SECRET=changeme\n',
      'api/.env.ci': `COOKIE_SECRET=${A}\n`,
      'worker/.env.ci': `COOKIE_SECRET=${A}\n`,
      'api/e2e/.env': `ENCRYPTION_SECRET=${B}\n`,
      'worker/test/fixtures/.env': `ENCRYPTION_SECRET=${B}\n`,
      // outside-service credentials the team uses in both apps
      'api/.env': `GITHUB_CLIENT_SECRET=${A}\nAUTH_GOOGLE_SECRET=${B}\nOPENPANEL_CLIENT_SECRET=changeme\nAPP_SECRET=${B}x\n`,
      'worker/.env': `GITHUB_CLIENT_SECRET=${A}\nAUTH_GOOGLE_SECRET=${B}\nOPENPANEL_CLIENT_SECRET=changeme\nAPP_SECRET=${B}x\n`,
      // a library package (no server, builds only) that holds an env file for its scripts
      'packages/db/package.json': pkg('@acme/db', { build: 'tsc -p .', test: 'vitest run' }, { typescript: '5.6.3' }),
      'packages/db/.env': `APP_SECRET=${B}x\nJWT_SECRET=short\n`,
    },
    (ws, findings) => {
      const dup = byRule(findings, 'duplicate-secret');
      // Only the live signing key the two servers share: APP_SECRET in api/.env and worker/.env.
      assert.deepEqual(sites(ws, dup), ['api/.env:4', 'worker/.env:4']);
      assert.match(dup[0].message, /APP_SECRET/);
      assert.ok(!dup.some((f) => /@acme\/db/.test(f.message)), 'the library package signs nothing');
      assert.deepEqual(sites(ws, byRule(findings, 'weak-secret')), [], 'fixtures, outside credentials and the library package are not judged');
    },
  );
});

const signer = `const jwt = require('jsonwebtoken');\napp.post('/login', (req, res) => res.json({ token: jwt.sign({ id: 1 }, process.env.JWT_SECRET) }));\n`;
const verifier = `const { Strategy, ExtractJwt } = require('passport-jwt');\nconst strategy = new Strategy({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: process.env.JWT_SECRET }, (p, done) => done(null, p));\n`;

test('a token signer and its verifier must share the secret: equal is fine, different is replica-drift; a third app is still a duplicate', async () => {
  await withWs(
    {
      ...server('api', 4100, signer),
      ...server('ws', 4200, verifier),
      ...server('billing', 4300),
      'api/.env': `JWT_SECRET=${A}\n`,
      'ws/.env': `JWT_SECRET=${A}\n`,
      'billing/.env': `SESSION_SECRET=${A}\n`,
    },
    (ws, findings) => {
      const dup = byRule(findings, 'duplicate-secret');
      // api and ws share by design; billing's SESSION_SECRET reuses their key: reported on all three, naming billing or them.
      assert.deepEqual(sites(ws, dup), ['api/.env:1', 'billing/.env:1', 'ws/.env:1']);
      const api = dup.find((f) => f.location.file.endsWith(path.join('api', '.env')))!;
      assert.match(api.message, /also the secret of billing/);
      assert.ok(!/\bws\b/.test(api.message.split('. ')[0]), api.message);
      assert.deepEqual(byRule(findings, 'replica-drift'), []);
    },
  );
  await withWs(
    {
      ...server('api', 4100, signer),
      ...server('ws', 4200, verifier),
      'api/.env': `JWT_SECRET=${A}\n`,
      'ws/.env': `JWT_SECRET=${B}\n`,
    },
    (ws, findings) => {
      assert.deepEqual(byRule(findings, 'duplicate-secret'), []);
      const drift = byRule(findings, 'replica-drift');
      assert.deepEqual(sites(ws, drift), ['api/.env:1', 'ws/.env:1']);
      const w = drift.find((f) => f.location.file.endsWith(path.join('ws', '.env')))!;
      assert.match(w.message, /^JWT_SECRET of ws is sha256:[0-9a-f]{6}, but api has sha256:[0-9a-f]{6}, and they must share it\.$/);
      assert.match(w.related[0].message, /ws verifies the tokens api signs with JWT_SECRET/);
      assert.ok(!w.message.includes(A.slice(0, 8)) && !w.message.includes(B.slice(0, 8)), 'never the secret');
      assert.ok(
        w.related.some((r) => r.location.file.endsWith(path.join('api', 'server.js'))),
        'points at the signing code',
      );
      assert.equal(w.fixes[0]?.title, 'Copy JWT_SECRET from api');
    },
  );
  // Two apps that each sign and verify their own tokens with JWT_SECRET are not a pair: sharing it is a conflict.
  const both = `const jwt = require('jsonwebtoken');\napp.post('/login', (req, res) => res.json({ token: jwt.sign({ id: 1 }, process.env.JWT_SECRET) }));\napp.get('/me', (req, res) => res.json(jwt.verify(req.headers.authorization, process.env.JWT_SECRET)));\n`;
  await withWs(
    { ...server('shop', 4100, both), ...server('blog', 4200, both), 'shop/.env': `JWT_SECRET=${A}\n`, 'blog/.env': `JWT_SECRET=${A}\n` },
    (ws, findings) => assert.deepEqual(sites(ws, byRule(findings, 'duplicate-secret')), ['blog/.env:1', 'shop/.env:1']),
  );
});

test('sharedSecrets in crosswire.config.json: the group is never a duplicate, differing values are reported, a bad shape is invalid-config', async () => {
  const files = (wsValue: string, config: string) => ({
    ...server('apps/api', 4100),
    ...server('apps/gateway', 4200),
    'apps/api/.env': `JWT_SECRET=${A}\nCOOKIE_SECRET=${B}\n`,
    'apps/gateway/.env': `JWT_SECRET=${wsValue}\n`,
    'crosswire.config.json': config,
  });
  await withWs(files(A, '{ "sharedSecrets": [["apps/api", "apps/gateway"]] }\n'), (_ws, findings) => {
    assert.deepEqual(byRule(findings, 'duplicate-secret'), []);
    assert.deepEqual(byRule(findings, 'replica-drift'), []);
    assert.deepEqual(byRule(findings, 'invalid-config'), []);
  });
  await withWs(files(A, '{}\n'), (_ws, findings) => assert.equal(byRule(findings, 'duplicate-secret').length, 2, 'without the declaration it is a duplicate'));
  await withWs(files(B, '{ "sharedSecrets": [["apps/api/", "./apps/gateway"]] }\n'), (ws, findings) => {
    const drift = byRule(findings, 'replica-drift');
    assert.deepEqual(sites(ws, drift), ['apps/api/.env:1', 'apps/gateway/.env:1']);
    assert.match(drift[0].related[0].message, /sharedSecrets/);
    // COOKIE_SECRET is in api only: nothing to compare; B is also api's COOKIE_SECRET, but the group shares its secrets.
    assert.deepEqual(byRule(findings, 'duplicate-secret'), []);
  });
  await withWs(files(A, '{ "sharedSecrets": ["apps/api"] }\n'), (_ws, findings) => {
    const bad = byRule(findings, 'invalid-config');
    assert.equal(bad.length, 1);
    assert.match(bad[0].message, /"sharedSecrets" must be an array of groups/);
  });
});

const cookieServer = (body: string) => ({
  'api/package.json': pkg('api', { start: 'node server.js' }, { express: '4.21.1', 'express-session': '1.18.1' }),
  'api/server.js': `const express = require('express');\nconst app = express();\n${body}app.listen(4100);\n`,
});

test('cookie-options: spreads, variables and computed attributes are unknown, not missing; flags are not session cookies', async () => {
  await withWs(
    cookieServer(
      [
        "const base = { httpOnly: true, sameSite: 'lax', path: '/' };",
        "app.post('/a', (req, res) => res.cookie('token', 't', { httpOnly: true, ...(process.env.CROSS_SITE ? { sameSite: 'none', secure: true } : {}) }));",
        "app.post('/b', (req, res) => res.cookie('session', 's', { ...base, maxAge: 1000 }));",
        "app.post('/c', (req, res) => res.cookie('token', 't', cookieOptionsFromElsewhere()));",
        "app.post('/d', (req, res) => res.cookie('token', 't', base));",
        "app.post('/e', (req, res) => res.cookie('token', 't', { httpOnly: true, sameSite: isProd ? 'none' : 'lax' }));",
        "app.post('/f', (req, res) => res.cookie('robot_auth_status', 'success', { httpOnly: false, maxAge: 60000 }));",
        "app.post('/g', (req, res) => res.cookie('token', 't', { httpOnly: true }));",
        '',
      ].join('\n'),
    ),
    (ws, findings) => {
      const co = byRule(findings, 'cookie-options');
      // Only /g: a plain literal object without sameSite, which Express does not add.
      assert.deepEqual(sites(ws, co), [`api/server.js:${lineOf(path.join(ws, 'api/server.js'), "'/g'") + 1}`]);
      assert.match(co[0].message, /sets no sameSite/);
    },
  );
  await withWs(
    cookieServer(
      "const session = require('express-session');\nconst { cookieDefaults } = require('./cookies');\napp.use(session({ secret: process.env.SESSION_SECRET, cookie: { ...cookieDefaults, maxAge: 1000 } }));\n",
    ),
    (_ws, findings) => assert.deepEqual(byRule(findings, 'cookie-options'), []),
  );
});

test('shared-session-cookie: names held in constants are resolved in the workspace, else unknown (never the default)', async () => {
  const nest = (name: string, port: number, imp: string, constFile?: string) => ({
    [`${name}/package.json`]: pkg(name, { start: 'node dist/main.js' }, { express: '4.21.1', 'express-session': '1.18.1' }),
    [`${name}/src/main.js`]: `const express = require('express');\nconst app = express();\napp.listen(${port});\n`,
    [`${name}/src/session.ts`]: `import session from 'express-session';\n${imp}\nexport const middleware = session({\n  name: SESSION_COOKIE,\n  secret: process.env.SESSION_SECRET as string,\n  cookie: { sameSite: 'lax' },\n});\n`,
    ...(constFile ? { [`${name}/src/const.ts`]: constFile } : {}),
  });
  // Both resolve to 'auth_session' through a relative import (one via a re-export): a real shared name (on localhost,
  // for apps that run together: one script starts both).
  const together = { 'package.json': JSON.stringify({ name: 'suite', private: true, workspaces: ['one', 'two'], scripts: { start: 'turbo run start' } }) };
  await withWs(
    {
      ...together,
      ...nest('one', 4101, "import { SESSION_COOKIE } from './const';", "export const SESSION_COOKIE = 'auth_session';\n"),
      ...nest('two', 4102, "import { SESSION_COOKIE } from './names';", undefined),
      'two/src/names.ts': "export { SESSION_COOKIE } from './const';\n",
      'two/src/const.ts': "const NAME = 'auth_session';\nexport { NAME as SESSION_COOKIE };\n",
    },
    (ws, findings) => {
      const ssc = byRule(findings, 'shared-session-cookie');
      assert.equal(ssc.length, 2, JSON.stringify(sites(ws, ssc)));
      assert.match(ssc[0].message, /"auth_session" \(express-session name, a constant imported from \.\/(const|names)\)/);
      assert.deepEqual(ssc[0].fixes, [], 'a shared constant is renamed by hand');
    },
  );
  // Different constants: no finding. Unresolvable (a path alias, a package): unknown, never `connect.sid`.
  await withWs(
    {
      ...nest('one', 4101, "import { SESSION_COOKIE } from './const';", "export const SESSION_COOKIE = 'one_session';\n"),
      ...nest('two', 4102, "import { SESSION_COOKIE } from './const';", "export const SESSION_COOKIE = 'two_session';\n"),
      ...nest('three', 4103, "import { SESSION_COOKIE } from '@acme/config';"),
      ...nest('four', 4104, "import { SESSION_COOKIE } from '@/const';"),
    },
    (_ws, findings) => assert.deepEqual(byRule(findings, 'shared-session-cookie'), []),
  );
  // NextAuth / Auth.js options with a spread or cookies from a variable: the name is unknown.
  const NEXT5 = { next: '15.0.3', 'next-auth': '5.0.0-beta.25' };
  await withWs(
    {
      'dash/package.json': pkg('dash', { dev: 'next dev -p 3010' }, NEXT5),
      'dash/auth.ts':
        "import NextAuth from 'next-auth';\nimport { authConfig } from './auth.config';\nexport const { handlers, auth } = NextAuth({\n  ...authConfig,\n  providers: [],\n});\n",
      'status/package.json': pkg('status', { dev: 'next dev -p 3011' }, NEXT5),
      'status/auth.ts':
        "import NextAuth from 'next-auth';\nimport { cookies } from './cookies';\nexport const { handlers, auth } = NextAuth({\n  providers: [],\n  cookies,\n});\n",
      'admin/package.json': pkg('admin', { dev: 'next dev -p 3012' }, NEXT5),
      'admin/auth.ts':
        "import NextAuth from 'next-auth';\nexport const { handlers, auth } = NextAuth({\n  providers: [],\n  cookies: { sessionToken: { name: `${prefix}authjs.session-token` } },\n});\n",
    },
    (_ws, findings) => assert.deepEqual(byRule(findings, 'shared-session-cookie'), []),
  );
});

test('weak-secret: a placeholder the app refuses in its own code is not reported; an unguarded one still is', async () => {
  await withWs(
    {
      // a template stack: its .env (read by compose and by the backend) holds placeholders, the backend below it
      // refuses them outside development
      'stack/.env': 'SECRET_KEY=changethis\nSESSION_SECRET=change-me-please\n',
      'stack/backend/pyproject.toml': '[project]\nname = "backend"\n',
      'stack/backend/app/config.py': [
        'class Settings(BaseSettings):',
        '    SECRET_KEY: str',
        '    def _check(self, name: str, value: str) -> None:',
        '        if value == "changethis":',
        '            raise ValueError(f"{name} is still the default")',
        '',
      ].join('\n'),
      // a Node app whose code refuses its own placeholder, and one that does not
      ...server('api', 4100, "if (process.env.JWT_SECRET === 'change-me-in-production') throw new Error('set JWT_SECRET');\n"),
      'api/.env': 'JWT_SECRET=change-me-in-production\n',
      ...server('web', 4200),
      'web/.env': 'JWT_SECRET=change-me-in-production\n',
    },
    (ws, findings) => {
      // SESSION_SECRET is not guarded; web does not guard its JWT_SECRET.
      assert.deepEqual(sites(ws, byRule(findings, 'weak-secret')), ['stack/.env:2', 'web/.env:1']);
    },
  );
});

test('cors-origin-mismatch: origins from a spread or a list with an unreadable element are unknown; a const options object is read', async () => {
  const VITE = { react: '18.3.1', vite: '5.4.11' };
  const web = {
    'web/package.json': pkg('web', { dev: 'vite' }, VITE),
    'web/vite.config.ts': "import { defineConfig } from 'vite';\nexport default defineConfig({ server: { port: 5174, strictPort: true } });\n",
    'web/.env': 'VITE_API_URL=http://localhost:4000\n',
  };
  const apiWith = (body: string) => ({
    ...web,
    'api/package.json': pkg('api', { start: 'node server.js' }, { express: '4.21.1', cors: '2.8.5', dotenv: '16.4.5' }),
    'api/server.js': `require('dotenv').config();\nconst express = require('express');\nconst cors = require('cors');\nconst app = express();\n${body}\napp.listen(4000);\n`,
  });
  for (const body of [
    "const { corsOptions } = require('./cors-options');\napp.use(cors({ ...corsOptions, credentials: true }));",
    "app.use(cors({ origin: ['http://localhost:5173', process.env.EXTRA ? extraOrigin : undefined, allowedOrigin], credentials: true }));",
  ]) {
    await withWs(apiWith(body), (_ws, findings) => assert.deepEqual(byRule(findings, 'cors-origin-mismatch'), [], body));
  }
  // The same options in a const of the file are read: 5173 does not allow the frontend on 5174.
  await withWs(apiWith("const options = { origin: 'http://localhost:5173', credentials: true };\napp.use(cors(options));"), (_ws, findings) => {
    assert.equal(byRule(findings, 'cors-origin-mismatch').length, 1);
  });
});

test('missing-secret: an app whose only env files are test fixtures gets its environment elsewhere', async () => {
  const signer = `const jwt = require('jsonwebtoken');\napp.post('/login', (req, res) => res.json({ token: jwt.sign({ id: 1 }, process.env.JWT_SECRET) }));\n`;
  await withWs({ ...server('api', 4100, signer), 'api/.env.test': 'DATABASE_URL=postgresql://localhost:5432/test\n' }, (_ws, findings) => {
    assert.deepEqual(byRule(findings, 'missing-secret'), []);
  });
  await withWs({ ...server('api', 4100, signer), 'api/.env': 'DATABASE_URL=postgresql://localhost:5432/app\n' }, (_ws, findings) => {
    assert.equal(byRule(findings, 'missing-secret').length, 1, 'a live .env without the secret is still reported');
  });
});

test('a signer whose key is held in a const of the file is still recognised (jose verifier, same variable)', async () => {
  const signerConst = `const jwt = require('jsonwebtoken');\nconst SECRET = process.env.JWT_SECRET;\napp.post('/login', (req, res) => res.json({ token: jwt.sign({ id: 1 }, SECRET) }));\n`;
  const joseVerifier = {
    'gw/package.json': pkg('gw', { start: 'node server.mjs' }, { jose: '5.9.6', dotenv: '16.4.5' }),
    'gw/server.mjs':
      "import 'dotenv/config';\nimport http from 'node:http';\nimport { jwtVerify } from 'jose';\nconst key = new TextEncoder().encode(process.env.JWT_SECRET);\nhttp.createServer(async (req, res) => { await jwtVerify(req.headers.authorization, key); res.end(); }).listen(4200);\n",
  };
  await withWs({ ...server('api', 4100, signerConst), ...joseVerifier, 'api/.env': `JWT_SECRET=${A}\n`, 'gw/.env': `JWT_SECRET=${A}\n` }, (_ws, findings) => {
    assert.deepEqual(byRule(findings, 'duplicate-secret'), []);
  });
});

test('shared-session-cookie: editing a constant in another package updates the finding as a fresh audit would', async () => {
  const app = (name: string, port: number) => ({
    [`${name}/package.json`]: pkg(name, { start: 'node src/main.js' }, { express: '4.21.1', 'express-session': '1.18.1' }),
    [`${name}/src/main.js`]: `const express = require('express');\nconst session = require('express-session');\nconst { SESSION_COOKIE } = require('../../shared/names');\nconst app = express();\napp.use(session({ name: SESSION_COOKIE, secret: process.env.SESSION_SECRET, cookie: { sameSite: 'lax' } }));\napp.listen(${port});\n`,
  });
  // (main.js reads the name through require() destructuring: unknown, never connect.sid; session.ts imports it)
  const files = {
    // One script starts both: on localhost, apps share a cookie only when they run together.
    'package.json': JSON.stringify({ name: 'suite', private: true, workspaces: ['one', 'two', 'shared'], scripts: { start: 'turbo run start' } }),
    ...app('one', 4101),
    ...app('two', 4102),
    'one/src/session.ts':
      "import session from 'express-session';\nimport { SESSION_COOKIE } from '../../shared/names';\nexport const mw = session({ name: SESSION_COOKIE, secret: process.env.SESSION_SECRET as string, cookie: { sameSite: 'lax' } });\n",
    'two/src/session.ts':
      "import session from 'express-session';\nimport { SESSION_COOKIE } from '../../shared/names';\nexport const mw = session({ name: SESSION_COOKIE, secret: process.env.SESSION_SECRET as string, cookie: { sameSite: 'lax' } });\n",
    'shared/package.json': pkg('@acme/shared', { build: 'tsc' }),
    'shared/names.ts': "export const SESSION_COOKIE = 'acme_session';\n",
  };
  const ws = makeWorkspace(files);
  try {
    const { engine } = await audit(ws);
    assert.equal(byRule(engine.findings(), 'shared-session-cookie').length, 2);
    const names = path.join(ws, 'shared/names.ts');
    fs.writeFileSync(names, "export const SESSION_COOKIE = 'acme_session';\nexport const OTHER = 1;\n");
    await engine.refreshFromDisk(names);
    assert.equal(byRule(engine.findings(), 'shared-session-cookie').length, 2);
    engine.setOverlay(
      path.join(ws, 'two/src/session.ts'),
      files['two/src/session.ts'].replace("import { SESSION_COOKIE } from '../../shared/names';", "const SESSION_COOKIE = 'two_session';"),
    );
    assert.deepEqual(byRule(engine.findings(), 'shared-session-cookie'), [], 'two now has its own name');
    engine.setOverlay(path.join(ws, 'two/src/session.ts'), undefined);
    assert.equal(byRule(engine.findings(), 'shared-session-cookie').length, 2);
    engine.setOverlay(names, 'export const SESSION_COOKIE = process.env.COOKIE_NAME;\n');
    assert.deepEqual(byRule(engine.findings(), 'shared-session-cookie'), [], 'a computed constant is unknown');
    const fresh = await audit(ws);
    assert.deepEqual(byRule(fresh.findings, 'shared-session-cookie').length, 2, 'on disk the constant is still a literal');
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('duplicate-secret: two deployment folders of one name (alternative ways to deploy one app) share on purpose; another name does not', async () => {
  await withWs(
    {
      'deployments/aio/community/variables.env': `SECRET_KEY=${A}\n`,
      'deployments/aio/community/Dockerfile': 'FROM scratch\n',
      'deployments/cli/community/variables.env': `SECRET_KEY=${A}\n`,
      'deployments/cli/community/docker-compose.yml': 'services:\n  api:\n    image: example/api\n    env_file: variables.env\n',
      'deployments/cli/enterprise/variables.env': `SECRET_KEY=${A}\n`,
    },
    (ws, findings) => {
      const dup = byRule(findings, 'duplicate-secret');
      // community twice is one app; enterprise reuses its key: reported on all three, each naming the other app.
      assert.deepEqual(sites(ws, dup), [
        'deployments/aio/community/variables.env:1',
        'deployments/cli/community/variables.env:1',
        'deployments/cli/enterprise/variables.env:1',
      ]);
      const aio = dup.find((f) => f.location.file.includes(`${path.sep}aio${path.sep}`))!;
      assert.match(aio.message, /also the secret of enterprise\./);
    },
  );
});
