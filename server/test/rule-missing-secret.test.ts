import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyEdits, audit, byRule, lineOf, makeWorkspace, pkg } from './helpers/workspace';
import { fixThroughProtocol } from './helpers/protocol-fix';
import { read, REPO_ROOT } from './helpers/files';

const NEST = { '@nestjs/core': '10.4.7', '@nestjs/config': '3.3.0', '@nestjs/jwt': '10.2.0' };
const NEXT4 = { next: '14.2.18', 'next-auth': '^4.24.10' };
const NEXT5 = { next: '15.0.3', 'next-auth': '^5.0.0-beta.25' };
const STRONG = 'oc0FjAGuUs5BufizhWOqN8lQhhdPJnEf8ABJa349UIU=';

const nestApp = (env: string, extra: Record<string, string> = {}) => ({
  'api/package.json': pkg('api', { start: 'nest start' }, NEST),
  'api/src/main.ts': `import { NestFactory } from '@nestjs/core';\nimport { AppModule } from './app.module';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  await app.listen(process.env.PORT ?? 3000);\n}\nbootstrap();\n`,
  'api/src/app.module.ts': `import { Module } from '@nestjs/common';\nimport { ConfigModule } from '@nestjs/config';\nimport { JwtModule } from '@nestjs/jwt';\n\n@Module({\n  imports: [\n    ConfigModule.forRoot({ isGlobal: true }),\n    JwtModule.register({ secret: process.env.JWT_SECRET, signOptions: { expiresIn: '7d' } }),\n  ],\n})\nexport class AppModule {}\n`,
  'api/.env': env,
  'api/.env.example': `PORT=3000\nJWT_SECRET="<your-long-random-string>"\n`,
  ...extra,
});

test('missing-secret: Nest JwtModule reads JWT_SECRET, ConfigModule loads .env, which lacks it: error on the secret, related to .env and the template', async () => {
  const ws = makeWorkspace(nestApp('PORT=3000\n'));
  const found = byRule((await audit(ws)).findings, 'missing-secret');
  assert.equal(found.length, 1);
  const f = found[0];
  const module = path.join(ws, 'api/src/app.module.ts');
  assert.equal(f.severity, 'error');
  assert.equal(f.location.file, module);
  assert.equal(f.location.range.start.line, lineOf(module, 'JwtModule.register'));
  assert.match(f.message, /JWT_SECRET/);
  assert.match(f.message, /\(\.env\)/);
  assert.deepEqual(
    f.related.map((r) => `${path.relative(ws, r.location.file)}:${r.location.range.start.line}`),
    ['api/.env:0', 'api/.env.example:1'],
  );
  assert.match(f.related[1].message, /template/);
  assert.equal(f.fixes[0].title, 'Add JWT_SECRET to .env with a generated secret');
});

test('missing-secret: not reported when a loaded file, PM2 env or a fallback defines it, for literals, or when the app has no live env file', async () => {
  const ws = makeWorkspace({
    ...nestApp(`PORT=3000\nJWT_SECRET=${STRONG}\n`),
    // next-auth v4 options without `secret`: NEXTAUTH_SECRET, here only in .env.production (Next.js loads it for next start)
    'web/package.json': pkg('web', { dev: 'next dev -p 3001', start: 'next start -p 3001' }, NEXT4),
    'web/src/lib/auth.ts': `import type { NextAuthOptions } from 'next-auth';\nexport const authOptions: NextAuthOptions = {\n  providers: [],\n  session: { strategy: 'jwt' },\n};\n`,
    'web/.env.local': `NEXTAUTH_URL=http://localhost:3001\n`,
    'web/.env.production': `NEXTAUTH_SECRET=${STRONG}\n`,
    // v4 explicit secret of another name: NextAuth still falls back to NEXTAUTH_SECRET
    'web2/package.json': pkg('web2', { dev: 'next dev -p 3002' }, NEXT4),
    'web2/auth.ts': `import NextAuth from 'next-auth';\nexport const handler = NextAuth({ providers: [], secret: process.env.MY_AUTH_SECRET });\n`,
    'web2/.env': `NEXTAUTH_SECRET=${STRONG.replace('o', 'x')}\n`,
    // Auth.js v5: AUTH_SECRET ?? NEXTAUTH_SECRET
    'web5/package.json': pkg('web5', { dev: 'next dev -p 3003' }, NEXT5),
    'web5/auth.ts': `import NextAuth from 'next-auth';\nexport const { handlers, auth } = NextAuth({ providers: [] });\n`,
    'web5/.env.local': `NEXTAUTH_SECRET=${STRONG.replace('o', 'y')}\n`,
    // jsonwebtoken with a secret from PM2's env
    'worker/package.json': pkg('worker', { start: 'node server.js' }, { express: '4.21.1', jsonwebtoken: '9.0.2' }),
    'worker/server.js': `const express = require('express');\nconst jwt = require('jsonwebtoken');\nconst app = express();\napp.get('/t', (req, res) => res.send(jwt.sign({ a: 1 }, process.env.TOKEN_SECRET)));\napp.listen(4500);\n`,
    'worker/.env': `LOG_LEVEL=info\n`,
    'worker/ecosystem.config.js': `module.exports = { apps: [{ name: 'worker', script: 'server.js', env: { TOKEN_SECRET: '${STRONG.replace('o', 'z')}' } }] };\n`,
    // a literal secret in code is not an env read; an app without any live env file is configured elsewhere
    'lit/package.json': pkg('lit', { start: 'node server.js' }, { express: '4.21.1', jsonwebtoken: '9.0.2' }),
    'lit/server.js': `const jwt = require('jsonwebtoken');\nmodule.exports = (p) => jwt.sign(p, 'hard-coded');\n`,
    'lit/.env': `PORT=4600\n`,
    'bare/package.json': pkg('bare', { start: 'node server.js' }, { express: '4.21.1', jsonwebtoken: '9.0.2' }),
    'bare/server.js': `const jwt = require('jsonwebtoken');\nmodule.exports = (p) => jwt.sign(p, process.env.JWT_SECRET);\n`,
    'bare/.env.example': `JWT_SECRET=\n`,
  });
  const found = byRule((await audit(ws)).findings, 'missing-secret');
  assert.deepEqual(
    found.map((f) => `${path.relative(ws, f.location.file)}: ${f.message}`),
    [],
  );
});

test('missing-secret: NextAuth options without `secret` (v4: NEXTAUTH_SECRET; v5: AUTH_SECRET or NEXTAUTH_SECRET) on the options line; the fix adds the variable', async () => {
  const ws = makeWorkspace({
    'web/package.json': pkg('web', { dev: 'next dev -p 3001' }, NEXT4),
    'web/src/lib/auth.ts': `import type { NextAuthOptions } from 'next-auth';\n\nexport const authOptions: NextAuthOptions = {\n  providers: [],\n};\n`,
    'web/.env': `NEXTAUTH_URL=http://localhost:3001\nNEXTAUTH_SECRET=\n`,
    // NextAuth v4 needs the secret in production only (in development it derives one: NO_SECRET): judged against a
    // production env file. (Specified behaviour changed: a development .env without it is no longer reported.)
    'web/.env.production': `NEXTAUTH_URL=https://web.example.com\nNEXTAUTH_SECRET=\n`,
    'web/.env.example': `NEXTAUTH_SECRET=replace-me\n`,
    'dev-only/package.json': pkg('dev-only', { dev: 'next dev -p 3002' }, NEXT4),
    'dev-only/src/lib/auth.ts': `import type { NextAuthOptions } from 'next-auth';\n\nexport const authOptions: NextAuthOptions = {\n  providers: [],\n};\n`,
    'dev-only/.env': `NEXTAUTH_URL=http://localhost:3002\n`,
    'web5/package.json': pkg('web5', { dev: 'next dev -p 3003' }, NEXT5),
    'web5/auth.ts': `import NextAuth from 'next-auth';\n\nexport const { handlers, auth } = NextAuth({ providers: [] });\n`,
    'web5/.env.local': `AUTH_URL=http://localhost:3003\n`,
  });
  const found = byRule((await audit(ws)).findings, 'missing-secret');
  assert.equal(found.length, 2, found.map((f) => f.message).join('\n'));
  const v4 = found.find((f) => f.appId === 'web')!;
  assert.equal(v4.location.range.start.line, lineOf(path.join(ws, 'web/src/lib/auth.ts'), 'export const authOptions'));
  assert.match(v4.message, /NextAuth v4 without `secret`, so it reads NEXTAUTH_SECRET/);
  assert.match(v4.related[0].message, /empty/);
  const v5 = found.find((f) => f.appId === 'web5')!;
  assert.equal(v5.location.range.start.line, lineOf(path.join(ws, 'web5/auth.ts'), 'NextAuth({'));
  assert.match(v5.message, /AUTH_SECRET \(or NEXTAUTH_SECRET\)/);
  assert.equal(v5.fixes[0].title, 'Add AUTH_SECRET to .env.local with a generated secret');

  applyEdits(v5.fixes[0].edits());
  assert.match(read(path.join(ws, 'web5/.env.local')), /^AUTH_URL=http:\/\/localhost:3003\nAUTH_SECRET="[A-Za-z0-9+/=]{44}"\n$/);
  assert.deepEqual(
    byRule((await audit(ws)).findings, 'missing-secret').map((f) => f.appId),
    ['web'],
  );
});

test('missing-secret: an Express app reading the secret without loading its .env is reported (no fix); an empty .env line is not a definition', async () => {
  const ws = makeWorkspace({
    'svc/package.json': pkg('svc', { start: 'node server.js' }, { express: '4.21.1', jsonwebtoken: '9.0.2' }),
    'svc/server.js': `const express = require('express');\nconst jwt = require('jsonwebtoken');\nconst app = express();\napp.get('/t', (req, res) => res.send(jwt.sign({ a: 1 }, process.env.TOKEN_SECRET)));\napp.listen(4500);\n`,
    'svc/.env': `TOKEN_SECRET=${STRONG}\n`,
  });
  const [f] = byRule((await audit(ws)).findings, 'missing-secret');
  assert.ok(f);
  assert.match(f.message, /loads no env file \(\.env is never read\)/);
  assert.equal(f.location.range.start.line, lineOf(path.join(ws, 'svc/server.js'), 'jwt.sign'));
  assert.deepEqual(f.fixes, []);
});

test('missing-secret: test-workspace insight-garden backend signs and verifies refresh tokens with JWT_REFRESH_SECRET, listed only in .env.example', async () => {
  const ws = path.join(REPO_ROOT, 'test-workspace');
  const found = byRule((await audit(ws)).findings, 'missing-secret');
  const service = path.join(ws, 'insight-garden/backend/src/auth/auth.service.ts');
  const strategy = path.join(ws, 'insight-garden/backend/src/auth/jwt-refresh.strategy.ts');
  assert.deepEqual(
    found.map((f) => `${f.location.file}:${f.location.range.start.line}`).sort(),
    [`${service}:${lineOf(service, "getOrThrow<string>('JWT_REFRESH_SECRET')")}`, `${strategy}:${lineOf(strategy, 'secretOrKey')}`].sort(),
  );
  for (const f of found) {
    assert.deepEqual(
      f.related.map((r) => path.relative(ws, r.location.file)),
      ['insight-garden/backend/.env', 'insight-garden/backend/.env.example'],
    );
  }
});

test('missing-secret: the fix through the language server appends the generated secret to .env and clears both errors', { timeout: 60_000 }, async () => {
  const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-missing-')));
  fs.cpSync(path.join(REPO_ROOT, 'test-workspace', 'insight-garden', 'backend'), path.join(ws, 'backend'), { recursive: true });
  const env = path.join(ws, 'backend', '.env');
  const service = path.join(ws, 'backend', 'src', 'auth', 'auth.service.ts');
  const strategy = path.join(ws, 'backend', 'src', 'auth', 'jwt-refresh.strategy.ts');
  const before = read(env);
  const { client, edited } = await fixThroughProtocol({
    folder: ws,
    file: service,
    rule: 'missing-secret',
    line: lineOf(service, "getOrThrow<string>('JWT_REFRESH_SECRET')"),
    title: 'Add JWT_REFRESH_SECRET to .env with a generated secret',
    cleared: (c) => !c.diagnosticsOf(strategy).some((d) => d.code === 'missing-secret'),
  });
  try {
    assert.deepEqual(edited, [env]);
    const after = read(env);
    assert.ok(after.startsWith(before), 'appended, nothing else changed');
    assert.match(after.slice(before.length), /^JWT_REFRESH_SECRET="[A-Za-z0-9+/=]{44}"\n$/);
  } finally {
    client.kill();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
