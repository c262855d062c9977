import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, audit, byRule, lineOf, makeWorkspace, pkg } from './helpers/workspace';

const NEXT = { next: '14.2.5', react: '18.3.1' };
const SECRET = 'pano-pamusha-hapa-pindwi-nemuroyi';

// ---------------------------------------------------------------------------------------------- duplicate-secret

test('duplicate-secret: two apps sharing NEXTAUTH_SECRET get an error on each line, naming the other app, value masked', async () => {
  const ws = makeWorkspace({
    'a/package.json': pkg('app-a', { dev: 'next dev -p 3001' }, NEXT),
    'a/.env': `NEXTAUTH_URL=http://localhost:3001\nNEXTAUTH_SECRET="${SECRET}"\n`,
    'a/.env.local': `NEXTAUTH_SECRET="${SECRET}"\n`,
    'b/package.json': pkg('app-b', { dev: 'next dev -p 3002' }, NEXT),
    'b/.env': `# b\nAUTH_SECRET=${SECRET}\n`,
  });
  const { findings } = await audit(ws);
  const dup = byRule(findings, 'duplicate-secret');
  assert.equal(dup.length, 3);
  const onA = dup.find((f) => f.location.file === path.join(ws, 'a/.env'))!;
  assert.equal(onA.severity, 'error');
  assert.equal(onA.location.range.start.line, 1);
  assert.match(onA.message, /app-b/);
  assert.deepEqual(
    onA.related.map((r) => path.relative(ws, r.location.file)),
    ['b/.env'],
  );
  assert.equal(onA.related[0].location.range.start.line, 1);
  const onB = dup.find((f) => f.location.file === path.join(ws, 'b/.env'))!;
  assert.match(onB.message, /app-a/);
  assert.equal(onB.related.length, 2);
  for (const f of dup) {
    assert.ok(!f.message.includes(SECRET.slice(0, 8)), 'secret must be masked');
    assert.match(f.message, /sha256:[0-9a-f]{6}/);
  }
});

test('duplicate-secret: replicas (same package name) share secrets without a finding; templates, empty values and URLs are not secrets', async () => {
  const ws = makeWorkspace({
    'server-1/package.json': pkg('shop', { start: 'next start -p 8080' }, NEXT),
    'server-1/.env': `NEXTAUTH_SECRET=${SECRET}\nJWT_SECRET=\nWEBHOOK_SECRET=https://example.com/x\n`,
    'server-2/package.json': pkg('shop', { start: 'next start -p 8080' }, NEXT),
    'server-2/.env': `NEXTAUTH_SECRET=${SECRET}\nJWT_SECRET=\nWEBHOOK_SECRET=https://example.com/x\n`,
    'other/package.json': pkg('other', { start: 'next start -p 9000' }, NEXT),
    'other/.env.example': `NEXTAUTH_SECRET=${SECRET}\n`,
    'other/.env': `JWT_SECRET=\nWEBHOOK_SECRET=https://example.com/x\n`,
  });
  const { findings } = await audit(ws);
  assert.deepEqual(byRule(findings, 'duplicate-secret'), []);
});

test('duplicate-secret: the fix writes one new 32-byte secret into every env file of the app holding the value, quoting kept', async () => {
  const ws = makeWorkspace({
    'a/package.json': pkg('app-a', { dev: 'next dev -p 3001' }, NEXT),
    'a/.env': `NEXTAUTH_SECRET="${SECRET}"\n`,
    'a/.env.local': `NEXTAUTH_SECRET='${SECRET}' # local copy\n`,
    'b/package.json': pkg('app-b', { dev: 'next dev -p 3002' }, NEXT),
    'b/.env': `NEXTAUTH_SECRET=${SECRET}\n`,
  });
  const { findings } = await audit(ws);
  const onA = byRule(findings, 'duplicate-secret').find((f) => f.location.file.endsWith(path.join('a', '.env')))!;
  assert.equal(onA.fixes[0].title, 'Generate a new secret for app-a');
  const edits = onA.fixes[0].edits();
  assert.equal(edits.length, 2);
  applyEdits(edits);
  const env = fs.readFileSync(path.join(ws, 'a/.env'), 'utf8');
  const local = fs.readFileSync(path.join(ws, 'a/.env.local'), 'utf8');
  const m1 = /^NEXTAUTH_SECRET="([A-Za-z0-9+/=]+)"\n$/.exec(env);
  const m2 = /^NEXTAUTH_SECRET='([A-Za-z0-9+/=]+)' # local copy\n$/.exec(local);
  assert.ok(m1 && m2, `quoting kept: ${env} ${local}`);
  assert.equal(m1![1], m2![1]);
  assert.equal(Buffer.from(m1![1], 'base64').length, 32);
  const after = await audit(ws);
  assert.deepEqual(byRule(after.findings, 'duplicate-secret'), []);
});

// ---------------------------------------------------------------------------------------------- ports

test('port-collision: Next.js default 3000 vs a NestJS app reading PORT=3000 from .env through ConfigModule', async () => {
  // The two apps use one database server in their live env files: they run on this machine together (issue 10).
  const ws = makeWorkspace({
    'web/package.json': pkg('web', { dev: 'next dev', build: 'next build', start: 'next start' }, NEXT),
    'web/.env': 'DATABASE_URL=postgresql://u:p@localhost:5432/web\nNEXTAUTH_URL=http://localhost:3000\n',
    'api/package.json': pkg('api', { start: 'nest start', 'start:dev': 'nest start --watch' }, { '@nestjs/core': '10.0.0', '@nestjs/config': '3.0.0' }),
    'api/.env': 'DATABASE_URL=postgresql://u:p@localhost:5432/api\nPORT=3000\n',
    'api/src/main.ts':
      "import { NestFactory } from '@nestjs/core';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  await app.listen(process.env.PORT ?? 3000);\n}\nbootstrap();\n",
    'api/src/app.module.ts':
      "import { ConfigModule } from '@nestjs/config';\n@Module({ imports: [ConfigModule.forRoot({ isGlobal: true })] })\nexport class AppModule {}\n",
  });
  const { findings } = await audit(ws);
  const pc = byRule(findings, 'port-collision');
  const files = pc.map((f) => `${path.relative(ws, f.location.file)}:${f.location.range.start.line}`).sort();
  // web: dev and start scripts (separate strings); api: one finding on the .env line read by both scripts
  const webPkg = path.join(ws, 'web/package.json');
  const devLine = lineOf(webPkg, '"dev"');
  const startLine = lineOf(webPkg, '"start"');
  assert.deepEqual(files, ['api/.env:1', `web/package.json:${devLine}`, `web/package.json:${startLine}`].sort());
  const onEnv = pc.find((f) => f.location.file.endsWith('.env'))!;
  assert.ok(onEnv.related.every((r) => r.location.file.endsWith(path.join('web', 'package.json'))));
  const onDev = pc.find((f) => f.location.file === webPkg && f.location.range.start.line === devLine)!;
  assert.match(onDev.message, /next dev moves/, '`next dev` drifts to another port: the message says so');
  assert.match(onDev.message, /NEXTAUTH_URL/, 'and names what expects the port it loses');
  assert.equal(onDev.severity, 'warning');
  assert.equal(onEnv.severity, 'error');
  assert.equal(onEnv.message, 'Port 3000 of api is also the port of web, which runs at the same time.');
  assert.match(onEnv.related[0].message, /assumed to run together: .*localhost:5432/);
});

test('port-collision: apps that nothing shows run together are not compared (independent examples, unrelated packages)', async () => {
  const ws = makeWorkspace({
    'examples/blog/package.json': pkg('blog', { dev: 'next dev', start: 'next start' }, NEXT),
    'examples/shop/package.json': pkg('shop', { dev: 'next dev', start: 'next start' }, NEXT),
    'examples/api/package.json': pkg('api', { start: 'node server.js' }, { express: '4.19.0' }),
    'examples/api/server.js': "const app = require('express')();\napp.listen(3000);\n",
    'examples/blog/.env.example': 'NEXT_PUBLIC_SITE_URL=http://localhost:3000\n',
  });
  const { findings } = await audit(ws);
  assert.deepEqual(byRule(findings, 'port-collision'), []);
  assert.deepEqual(byRule(findings, 'implicit-port'), []);
});

test('port-collision: a root script that starts the apps together (turbo, pnpm -r, concurrently) makes it certain', async () => {
  for (const dev of ['turbo run dev', 'pnpm -r --parallel dev', 'concurrently "pnpm --filter web dev" "pnpm --filter admin dev"']) {
    const ws = makeWorkspace({
      'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['apps/*'], scripts: { dev, start: 'turbo run start' } }),
      'apps/web/package.json': pkg('web', { dev: 'next dev', start: 'next start' }, NEXT),
      'apps/admin/package.json': pkg('admin', { dev: 'next dev', start: 'next start', preview: 'vite preview' }, NEXT),
      'apps/docs/package.json': pkg('docs', { preview: 'vite preview', storybook: 'storybook dev' }, { vite: '5.0.0' }),
    });
    const { findings } = await audit(ws);
    const pc = byRule(findings, 'port-collision');
    const lines = pc.map((f) => `${path.relative(ws, f.location.file)}:${f.severity}`).sort();
    // next start cannot share 3000 (error); next dev moves, and nothing names 3000: not reported; previews nobody starts: ignored.
    assert.deepEqual(lines, ['apps/admin/package.json:error', 'apps/web/package.json:error'], dev);
    for (const f of pc) {
      assert.match(f.message, /^Port 3000 of (web|admin) is also the port of (web|admin), which runs at the same time\.$/, dev);
      assert.match(f.related[0].message, /started together by script "start"/, dev);
    }
  }
});

test('port-collision: none for explicit distinct ports, and none between replicas', async () => {
  const ws = makeWorkspace({
    'a/package.json': pkg('a', { dev: 'next dev -p 3001', start: 'next start --port=3001' }, NEXT),
    'b/package.json': pkg('b', { dev: 'vite --port 5180 --strictPort' }, { vite: '5.4.0' }),
    'r1/package.json': pkg('shop', { start: 'PORT=8080 next start' }, NEXT),
    'r2/package.json': pkg('shop', { start: 'cross-env PORT=8080 next start' }, NEXT),
  });
  const { findings } = await audit(ws);
  assert.deepEqual(byRule(findings, 'port-collision'), []);
  assert.deepEqual(byRule(findings, 'implicit-port'), []);
});

test('ineffective-port: PORT in .env of a Next.js app is never read; equal values and loaded files are fine', async () => {
  const ws = makeWorkspace({
    'web/package.json': pkg('web', { dev: 'next dev', start: 'next start' }, NEXT),
    'web/.env': 'PORT=3001\n',
    'ok/package.json': pkg('ok', { dev: 'next dev -p 8080' }, NEXT),
    'ok/.env': 'PORT=8080\n',
    'wrapped/package.json': pkg('wrapped', { dev: 'dotenv -e .env -- next dev' }, NEXT),
    'wrapped/.env': 'PORT=4005\n',
  });
  const { engine, findings } = await audit(ws);
  const ip = byRule(findings, 'ineffective-port');
  assert.equal(ip.length, 1);
  assert.equal(ip[0].location.file, path.join(ws, 'web/.env'));
  assert.match(ip[0].message, /3000/);
  assert.match(ip[0].message, /Next\.js/);
  const wrapped = engine.apps().find((a) => a.name === 'wrapped')!;
  assert.equal(wrapped.listeners[0].port, 4005);
  assert.equal(wrapped.listeners[0].how, 'loaded-env');
});

test('implicit-port: the fix writes -p for Next.js (port from NEXTAUTH_URL) and --port --strictPort for Vite', async () => {
  // Each app names the other's default port (issue 10: reported only where another app depends on a port that moves).
  const ws = makeWorkspace({
    'web/package.json': pkg('web', { dev: 'next dev', start: 'next start' }, NEXT),
    'web/.env': 'NEXTAUTH_URL=http://localhost:3005\nCORS_ORIGIN=http://localhost:5173\n',
    'spa/package.json': pkg('spa', { dev: 'vite', preview: 'vite preview' }, { vite: '5.4.0' }),
    'spa/.env': 'VITE_API_URL=http://localhost:3000\n',
  });
  const { findings } = await audit(ws);
  const imp = byRule(findings, 'implicit-port');
  assert.equal(imp.length, 2, imp.map((f) => f.message).join('\n'));
  for (const f of imp) assert.equal(f.severity, 'info');
  const web = imp.find((f) => f.location.file.endsWith(path.join('web', 'package.json')))!;
  assert.equal(web.message, "web relies on Next.js's default port 3000, which VITE_API_URL in spa expects.");
  assert.ok(web.related.some((r) => r.location.file.endsWith(path.join('spa', '.env'))));
  assert.equal(web.fixes[0].title, 'Set the port of web to 3005');
  applyEdits(web.fixes[0].edits());
  const spa = imp.find((f) => f.location.file.endsWith(path.join('spa', 'package.json')))!;
  assert.equal(spa.message, "spa relies on Vite's default port 5173, which CORS_ORIGIN in web expects.");
  assert.equal(spa.fixes[0].title, 'Set the port of spa to 5173');
  applyEdits(spa.fixes[0].edits());
  const webPkg = JSON.parse(fs.readFileSync(path.join(ws, 'web/package.json'), 'utf8'));
  assert.deepEqual(webPkg.scripts, { dev: 'next dev -p 3005', start: 'next start -p 3005' });
  const spaPkg = JSON.parse(fs.readFileSync(path.join(ws, 'spa/package.json'), 'utf8'));
  assert.equal(spaPkg.scripts.dev, 'vite --port 5173 --strictPort');
  assert.equal(spaPkg.scripts.preview, 'vite preview', 'the preview nobody depends on is left alone');
  const after = await audit(ws);
  assert.deepEqual(byRule(after.findings, 'implicit-port'), []);
});

// ---------------------------------------------------------------------------------------------- connection limit

const SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\nmodel User {\n  id Int @id\n}\n';

test('missing-connection-limit: two apps on one local PostgreSQL server; the fix appends connection_limit with the right separator', async () => {
  const ws = makeWorkspace({
    'a/package.json': pkg('a', { dev: 'next dev -p 3001' }, { ...NEXT, prisma: '5.22.0', '@prisma/client': '5.22.0' }),
    'a/.env': 'DATABASE_URL="postgresql://postgres:postgres@localhost:5432/a_db"\n',
    'a/prisma/schema.prisma': SCHEMA,
    'b/package.json': pkg('b', { dev: 'next dev -p 3002' }, { ...NEXT, prisma: '5.22.0' }),
    'b/.env': 'DATABASE_URL=postgresql://postgres:postgres@127.0.0.1:5432/b_db?schema=public\n',
    'b/prisma/schema.prisma': SCHEMA,
  });
  const { findings } = await audit(ws);
  const mcl = byRule(findings, 'missing-connection-limit');
  assert.equal(mcl.length, 2);
  const onA = mcl.find((f) => f.location.file === path.join(ws, 'a/prisma/schema.prisma'))!;
  assert.equal(onA.location.range.start.line, 2);
  assert.equal(onA.severity, 'warning');
  assert.equal(onA.related[0].location.file, path.join(ws, 'a/.env'));
  assert.ok(onA.related.some((r) => r.location.file.startsWith(path.join(ws, 'b'))));
  assert.ok(!onA.message.includes('postgres:postgres'), 'credentials are not shown');
  applyEdits(onA.fixes[0].edits());
  applyEdits(mcl.find((f) => f !== onA)!.fixes[0].edits());
  assert.equal(fs.readFileSync(path.join(ws, 'a/.env'), 'utf8'), 'DATABASE_URL="postgresql://postgres:postgres@localhost:5432/a_db?connection_limit=10"\n');
  assert.equal(
    fs.readFileSync(path.join(ws, 'b/.env'), 'utf8'),
    'DATABASE_URL=postgresql://postgres:postgres@127.0.0.1:5432/b_db?schema=public&connection_limit=10\n',
  );
  assert.deepEqual(byRule((await audit(ws)).findings, 'missing-connection-limit'), []);
});

test('missing-connection-limit: none with connection_limit, none on different servers, none for Prisma 7; in-block property is an error', async () => {
  const ws = makeWorkspace({
    'a/package.json': pkg('a', {}, { prisma: '5.22.0' }),
    'a/.env': 'DATABASE_URL=postgresql://u:p@localhost:5432/a?connection_limit=5\n',
    'a/prisma/schema.prisma': SCHEMA,
    'b/package.json': pkg('b', {}, { prisma: '5.22.0' }),
    'b/.env': 'DATABASE_URL=postgresql://u:p@localhost:5433/b\n',
    'b/prisma/schema.prisma': SCHEMA.replace('env("DATABASE_URL")\n', 'env("DATABASE_URL")\n  connection_limit = 10\n'),
    'c/package.json': pkg('c', {}, { prisma: '7.0.0' }),
    'c/.env': 'DATABASE_URL=postgresql://u:p@localhost:5432/c\n',
    'c/prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n}\n',
  });
  const { findings } = await audit(ws);
  const mcl = byRule(findings, 'missing-connection-limit');
  assert.equal(mcl.length, 1);
  assert.equal(mcl[0].severity, 'error');
  assert.equal(mcl[0].location.file, path.join(ws, 'b/prisma/schema.prisma'));
  assert.equal(mcl[0].location.range.start.line, 3);
  assert.equal(mcl[0].message, 'Prisma rejects `connection_limit` in a datasource block (P1012): it belongs in the URL, DATABASE_URL="…?connection_limit=10".');
  applyEdits(mcl[0].fixes[0].edits());
  assert.ok(!fs.readFileSync(path.join(ws, 'b/prisma/schema.prisma'), 'utf8').includes('connection_limit'));
  assert.equal(fs.readFileSync(path.join(ws, 'b/.env'), 'utf8'), 'DATABASE_URL=postgresql://u:p@localhost:5433/b?connection_limit=10\n');
});

// ---------------------------------------------------------------------------------------------- service urls

test('inconsistent-service-url: .env disagrees with the template and the code defaults (incident c)', async () => {
  const ws = makeWorkspace({
    'svc/.env': 'AUTH_SERVICE_URL=http://127.0.0.1:8001\n',
    'svc/.env.unified.template': 'AUTH_SERVICE_URL=http://localhost:8081\n',
    'svc/.env.production': 'AUTH_SERVICE_URL=https://auth.example.com\n',
    'svc/schemas/Config.py': 'class Config(BaseSettings):\n    AUTH_SERVICE_URL: str = "http://127.0.0.1:8081"\n',
    'svc/launcher/service_config.py': 'import os\nurl = os.getenv("AUTH_SERVICE_URL", "http://localhost:8081")\n',
    'web/package.json': pkg('web', { dev: 'next dev -p 3001' }, NEXT),
    'web/.env': 'NEXT_PUBLIC_API_URL=http://localhost:4000\n',
    'spa/package.json': pkg('spa', { dev: 'vite --port 5180 --strictPort' }, { vite: '5.4.0' }),
    'spa/.env': 'VITE_API_URL=http://localhost:4001\n',
  });
  const { findings } = await audit(ws);
  const isu = byRule(findings, 'inconsistent-service-url');
  assert.equal(isu.length, 1, JSON.stringify(isu.map((f) => f.message)));
  assert.equal(isu[0].location.file, path.join(ws, 'svc/.env'));
  assert.match(isu[0].message, /8081/);
  assert.equal(isu[0].related.length, 3);
  const py = isu[0].related.find((r) => r.location.file.endsWith('Config.py'))!;
  assert.equal(py.location.range.start.line, lineOf(path.join(ws, 'svc/schemas/Config.py'), 'AUTH_SERVICE_URL'));
});

test('port-collision: "Move <app> to port <n>" picks a port nothing names and moves the app\'s own NEXTAUTH_URL, the URLs naming it and its CORS origin with it', async () => {
  const ws = makeWorkspace({
    'package.json': JSON.stringify({
      name: 'shop',
      private: true,
      workspaces: ['apps/*'],
      scripts: { dev: 'turbo run dev' },
      devDependencies: { turbo: '2.3.3' },
    }),
    'turbo.json': '{ "tasks": { "dev": { "persistent": true } } }\n',
    'apps/web/package.json': '{\n  "name": "web",\n  "scripts": { "dev": "next dev" },\n  "dependencies": { "next": "14.2.18", "next-auth": "4.24.10" }\n}\n',
    'apps/web/.env': 'NEXTAUTH_URL=http://localhost:3000/api/auth\nNEXT_PUBLIC_API_URL=http://localhost:4000\n',
    // web calls this API, whose CORS list names web's origin: it moves with web.
    'apps/api/package.json':
      '{\n  "name": "api",\n  "scripts": { "dev": "node server.js" },\n  "dependencies": { "express": "4.21.2", "cors": "2.8.5", "dotenv": "16.4.5" }\n}\n',
    'apps/api/server.js':
      "require('dotenv').config();\nconst cors = require('cors');\nconst app = require('express')();\napp.use(cors({ origin: process.env.CORS_ORIGIN.split(','), credentials: true }));\napp.listen(4000);\n",
    'apps/api/.env': 'CORS_ORIGIN=http://localhost:3000,http://localhost:5173\n',
    // 3001 is named by another app's URL: a move there would start another conflict.
    'apps/docs/package.json': '{\n  "name": "docs",\n  "scripts": { "dev": "next dev" },\n  "dependencies": { "next": "14.2.18" }\n}\n',
    'apps/docs/.env': 'NEXT_PUBLIC_PREVIEW_URL=http://localhost:3001\nNEXT_PUBLIC_WEB_URL=http://localhost:3000/login\nSITE_URL=http://localhost:3000\n',
  });
  try {
    const { findings } = await audit(ws);
    const web = byRule(findings, 'port-collision').find((f) => f.location.file.endsWith(path.join('web', 'package.json')));
    assert.ok(web, "web and docs both want 3000, and web's NEXTAUTH_URL names it");
    // One problem, one finding per place: implicit-port stays silent on the scripts the collision is reported on.
    assert.deepEqual(byRule(findings, 'implicit-port'), []);
    const fix = web.fixes.find((f) => f.title.startsWith('Move web to port'));
    assert.equal(fix?.title, 'Move web to port 3002');
    applyEdits(fix!.edits());
    assert.match(fs.readFileSync(path.join(ws, 'apps/web/package.json'), 'utf8'), /"dev": "next dev -p 3002"/);
    assert.equal(
      fs.readFileSync(path.join(ws, 'apps/web/.env'), 'utf8'),
      'NEXTAUTH_URL=http://localhost:3002/api/auth\nNEXT_PUBLIC_API_URL=http://localhost:4000\n',
    );
    // The CORS origin of the API web calls moves too; the other origin of the list stays.
    assert.equal(fs.readFileSync(path.join(ws, 'apps/api/.env'), 'utf8'), 'CORS_ORIGIN=http://localhost:3002,http://localhost:5173\n');
    // Another app's URL whose key names web moves with it; a URL on 3000 that names no app (either app could be meant) stays.
    assert.equal(
      fs.readFileSync(path.join(ws, 'apps/docs/.env'), 'utf8'),
      'NEXT_PUBLIC_PREVIEW_URL=http://localhost:3001\nNEXT_PUBLIC_WEB_URL=http://localhost:3002/login\nSITE_URL=http://localhost:3000\n',
    );
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
