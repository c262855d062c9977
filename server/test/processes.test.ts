/**
 * Issue 10: which servers an app starts and on which port, by each framework's documented rules
 * (server/src/frameworks/*.ts), which of them run and which run together (index/runs.ts), and `crosswire apps`,
 * which shows all of it. Each case is a pattern seen in public monorepos, written small.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { analyzeCommand } from '../src/parsers/scripts';
import { audit, byRule, makeWorkspace, pkg } from './helpers/workspace';

const CLI = path.resolve(__dirname, '../../bin/crosswire.js');

function first(cmd: string) {
  const a = analyzeCommand(cmd)[0];
  assert.ok(a, cmd);
  return a;
}

test('frameworks: each server command is recognised with its default port, port flag and drift', () => {
  const cases: [string, string, number | undefined, string][] = [
    // command, tool id, port flag found, role
    ['astro dev --port 4400', 'astro-dev', 4400, 'dev'],
    ['nuxt dev -p 3100', 'nuxt-dev', 3100, 'dev'],
    ['nuxi dev', 'nuxt-dev', undefined, 'dev'],
    ['ng serve --port 4300', 'ng-serve', 4300, 'dev'],
    ['react-scripts start', 'cra-start', undefined, 'dev'],
    ['storybook dev -p 6007', 'storybook-dev', 6007, 'storybook'],
    ['start-storybook -p 9009', 'storybook-dev', 9009, 'storybook'],
    ['expo start --port 8082', 'expo-start', 8082, 'dev'],
    ['email dev --port 3333', 'email-dev', 3333, 'preview'],
    ['wrangler dev --port 8790', 'wrangler-dev', 8790, 'dev'],
    ['remix-serve ./build/index.js', 'remix-serve', undefined, 'start'],
    ['react-router-serve ./build/server/index.js', 'react-router-serve', undefined, 'start'],
    ['react-router dev', 'vite-dev', undefined, 'dev'],
    ['uvicorn app.main:app --reload --port 8001', 'uvicorn', 8001, 'dev'],
    ['fastapi dev app/main.py --port 8002', 'fastapi-dev', 8002, 'dev'],
    ['flask run -p 5001', 'flask-run', 5001, 'dev'],
    ['python manage.py runserver 0.0.0.0:8003', 'django-runserver', 8003, 'dev'],
    ['gunicorn -b 0.0.0.0:8004 app:app', 'gunicorn', 8004, 'start'],
    ['docusaurus start --port 3200', 'docusaurus-start', 3200, 'dev'],
    ['gatsby develop -p 8100', 'gatsby-develop', 8100, 'dev'],
  ];
  for (const [cmd, tool, port, role] of cases) {
    const a = first(cmd);
    assert.equal(a.tool, tool, cmd);
    assert.equal(a.portFlag?.port, port, cmd);
    assert.equal(a.serve?.role, role, cmd);
  }
  assert.equal(first('next dev --port $(microfrontends port)').portUnknown, '--port $(microfrontends');
  assert.equal(first('next dev --port $(microfrontends port)').portFlag, undefined);
});

test('orchestrators: turbo, nx, pnpm, npm, yarn and lerna name the scripts of other packages', () => {
  const o = (cmd: string) => first(cmd).orchestrate;
  assert.deepEqual(o('turbo run dev --filter=web...'), { runner: 'turbo', tasks: ['dev'], filters: ['web'], parallel: true });
  assert.deepEqual(o('turbo dev'), { runner: 'turbo', tasks: ['dev'], filters: [], parallel: true });
  assert.deepEqual(o('pnpm -r --parallel dev'), { runner: 'pnpm', tasks: ['dev'], filters: [], parallel: true });
  assert.deepEqual(o('pnpm --filter "./apps/*" run dev'), { runner: 'pnpm', tasks: ['dev'], filters: ['./apps/*'], parallel: true });
  assert.deepEqual(o('npm run dev -w apps/api'), { runner: 'npm', tasks: ['dev'], filters: ['apps/api'], parallel: false });
  assert.deepEqual(o('nx run-many -t serve -p api,web'), { runner: 'nx', tasks: ['serve'], filters: ['api', 'web'], parallel: true });
  assert.deepEqual(o('nx serve api'), { runner: 'nx', tasks: ['serve'], filters: ['api'], parallel: false });
  assert.deepEqual(o('yarn workspace web dev'), { runner: 'yarn', tasks: ['dev'], filters: ['web'], parallel: false });
  assert.deepEqual(o('lerna run dev --parallel --scope api'), { runner: 'lerna', tasks: ['dev'], filters: ['api'], parallel: true });
  assert.equal(first('turbo run build').tool, 'orchestrate');
  assert.equal(first('pnpm with-env next dev').delegateTo, 'with-env');
  assert.equal(first('pnpm with-env next dev').delegateArgs, 'next dev');
});

test('servers written in code: Fastify listen({ port }), Hono serve({ fetch, port }), Bun.serve, export default { port, fetch }, Deno.serve', async () => {
  const ws = makeWorkspace({
    'fastify/package.json': pkg('fastify-api', { dev: 'tsx watch src/index.ts' }, { fastify: '4.28.0' }),
    'fastify/src/index.ts':
      "import Fastify from 'fastify';\nconst app = Fastify();\nconst port = Number(process.env.PORT ?? 4100);\napp.listen({ port, host: '0.0.0.0' });\n",
    'hono/package.json': pkg('hono-api', { dev: 'tsx watch src/index.ts' }, { hono: '4.5.0', '@hono/node-server': '1.12.0' }),
    'hono/src/index.ts':
      "import { serve } from '@hono/node-server';\nimport { Hono } from 'hono';\nconst app = new Hono();\nserve({ fetch: app.fetch, port: 8787 });\n",
    'bun/package.json': pkg('bun-api', { dev: 'bun --watch src/index.ts' }, {}),
    'bun/src/index.ts': "Bun.serve({ port: 4200, fetch() { return new Response('ok'); } });\n",
    'bunx/package.json': pkg('bun-default', { start: 'bun src/server.ts' }, {}),
    'bunx/src/server.ts': "export default {\n  port: 4300,\n  fetch(req: Request) { return new Response('ok'); },\n};\n",
    'deno/package.json': pkg('deno-api', { start: 'deno run -A main.ts' }, {}),
    'deno/main.ts': "Deno.serve((_req) => new Response('hi'));\n",
  });
  const { engine } = await audit(ws);
  const ports = Object.fromEntries(engine.apps().map((a) => [a.name, a.listeners.map((l) => l.port)]));
  assert.deepEqual(ports['fastify-api'], [4100]);
  assert.deepEqual(ports['hono-api'], [8787]);
  assert.deepEqual(ports['bun-api'], [4200]);
  assert.deepEqual(ports['bun-default'], [4300]);
  assert.deepEqual(ports['deno-api'], [8000]);
});

test('unknown is not false: a missing NestJS entry, a computed port flag and a port nothing sets are unknown, never a default', async () => {
  const ws = makeWorkspace({
    'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['apps/*'], scripts: { dev: 'turbo run dev' } }),
    'apps/api/package.json': pkg('api', { dev: 'nest start --watch' }, { '@nestjs/core': '10.0.0' }),
    'apps/web/package.json': pkg('web', { dev: 'next dev --port $(get-port)' }, { next: '14.2.0' }),
    'apps/admin/package.json': pkg('admin', { dev: 'next dev' }, { next: '14.2.0' }),
    'apps/admin/.env.example': 'API_URL=http://localhost:3000\n',
  });
  const { engine, findings } = await audit(ws);
  const api = engine.apps().find((a) => a.name === 'api')!;
  assert.deepEqual(api.listeners, []);
  assert.match(api.unknownPorts[0].reason, /src\/main, which Crosswire did not find/);
  const web = engine.apps().find((a) => a.name === 'web')!;
  assert.deepEqual(web.listeners, []);
  assert.match(web.unknownPorts[0].reason, /decided when the script runs/);
  // admin's next dev (3000) would collide with NestJS's "usual" 3000 if it were assumed: it is not.
  assert.deepEqual(byRule(findings, 'port-collision'), []);
});

test('nest-cli.json says where the entry is; script chains are followed (`npm run dev:api`, `pnpm with-env next dev`)', async () => {
  const ws = makeWorkspace({
    'package.json': JSON.stringify({
      name: 'mono',
      private: true,
      scripts: { dev: 'concurrently "npm:dev:*"', 'dev:api': 'npm run dev -w api', 'dev:web': 'npm run dev -w web' },
    }),
    'pnpm-workspace.yaml': 'packages:\n  - "apps/*"\n',
    'apps/api/package.json': pkg('api', { dev: 'nest start --watch' }, { '@nestjs/core': '10.0.0' }),
    'apps/api/nest-cli.json': JSON.stringify({ sourceRoot: 'server', entryFile: 'bootstrap' }),
    'apps/api/server/bootstrap.ts':
      'async function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  await app.listen(3000);\n}\nbootstrap();\n',
    'apps/web/package.json': pkg('web', { dev: 'pnpm with-env next dev', 'with-env': 'dotenv -e ../../.env --' }, { next: '14.2.0', 'dotenv-cli': '7.0.0' }),
    '.env': 'PORT=3100\n',
  });
  const { engine, findings } = await audit(ws);
  assert.deepEqual(
    engine
      .apps()
      .map((a) => a.name)
      .sort(),
    ['api', 'web'],
    'the root with pnpm-workspace.yaml (and its shared .env) is not an app',
  );
  assert.deepEqual(
    engine
      .apps()
      .find((a) => a.name === 'api')!
      .listeners.map((l) => l.port),
    [3000],
  );
  // dotenv-cli loads the monorepo's .env into the environment before `next dev` starts: its PORT is the port.
  assert.deepEqual(
    engine
      .apps()
      .find((a) => a.name === 'web')!
      .listeners.map((l) => [l.script, l.port, l.how]),
    [['dev', 3100, 'loaded-env']],
  );
  const runs = engine.index.runs();
  assert.equal(runs.sets.length, 1, JSON.stringify(runs.sets));
  assert.deepEqual(runs.sets[0].processes.map((p) => p.split('\0')[1]).sort(), ['dev', 'dev']);
  // Started together, on 3000 and 3100: no finding.
  assert.deepEqual(byRule(findings, 'port-collision'), []);
});

test('a package with its own turbo.json (`extends: ["//"]`, a Turborepo package configuration) is an app, not a monorepo root', async () => {
  const ws = makeWorkspace({
    'package.json': JSON.stringify({ name: 'mono', private: true, scripts: { dev: 'turbo run dev' } }),
    'pnpm-workspace.yaml': 'packages:\n  - "apps/*"\n',
    'turbo.json': '{ "tasks": { "dev": { "persistent": true } } }\n',
    'apps/site/package.json': pkg('site', { dev: 'pnpm with-env next dev', 'with-env': 'dotenv -e ../../.env --' }, { next: '15.0.0', 'dotenv-cli': '7.0.0' }),
    'apps/site/turbo.json': '{ "extends": ["//"], "tasks": { "dev": { "persistent": true } } }\n',
    'apps/blog/package.json': pkg('blog', { dev: 'next dev' }, { next: '15.0.0' }),
  });
  const { engine, findings } = await audit(ws);
  assert.deepEqual(
    engine
      .apps()
      .map((a) => a.name)
      .sort(),
    ['blog', 'site'],
  );
  // Both are Next.js dev servers on 3000 that `turbo run dev` starts together (Next.js moves to the next free port, so a
  // warning only where something names the lost port; nothing does here).
  const site = engine.apps().find((a) => a.name === 'site')!;
  assert.deepEqual(
    site.listeners.map((l) => [l.script, l.port]),
    [['dev', 3000]],
  );
  assert.equal(engine.index.runs().sets.length, 1);
  assert.deepEqual(byRule(findings, 'port-collision'), []);
});

test('crosswire apps: what Crosswire understood, in text and JSON', () => {
  const ws = makeWorkspace({
    'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['apps/*'], scripts: { dev: 'turbo run dev' } }),
    'apps/api/package.json': pkg('api', { dev: 'nest start --watch' }, { '@nestjs/core': '10.0.0' }),
    'apps/web/package.json': pkg('web', { dev: 'next dev -p 3001', storybook: 'storybook dev' }, { next: '14.2.0' }),
    'apps/web/.env': 'DATABASE_URL=postgresql://u:p@localhost:5432/web\nAPI_URL=http://localhost:4000\n',
  });
  const text = spawnSync(process.execPath, [CLI, 'apps', ws], { encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /web {2}apps\/web {2}\(Next\.js\)/);
  assert.match(text.stdout, /"dev": port 3001: `-p 3001` in script "dev" \[started with others: run group 1\]/);
  assert.match(text.stdout, /"storybook": port 6006 .*\[nothing starts it\]/);
  assert.match(text.stdout, /"dev": unknown: `nest start` runs src\/main/);
  assert.match(text.stdout, /database servers: localhost:5432/);
  assert.match(text.stdout, /1\. script "dev" of .*package\.json \(`turbo run dev`\)/);
  assert.ok(!text.stdout.includes('u:p@'), 'no credentials');
  const json = spawnSync(process.execPath, [CLI, 'apps', ws, '--format', 'json'], { encoding: 'utf8' });
  assert.equal(json.status, 0, json.stderr);
  const u = JSON.parse(json.stdout);
  const api = u.apps.find((a: { name: string }) => a.name === 'api');
  assert.equal(api.processes[0].port, null);
  assert.match(api.processes[0].how, /^unknown: /);
  assert.equal(u.runGroups.length, 1);
  const bad = spawnSync(process.execPath, [CLI, 'apps', ws, '--format', 'sarif'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
});

test('Nx: a project.json application is an app even without package.json; its serve target has a port; run-many starts them together', async () => {
  const project = (name: string, serve: object) =>
    JSON.stringify({ name, projectType: 'application', targets: { serve, build: { executor: '@nx/webpack:webpack' } } }, null, 2);
  const ws = makeWorkspace({
    'package.json': JSON.stringify({
      name: 'nx-mono',
      private: true,
      scripts: { dev: 'nx run-many -t serve -p shop,admin' },
      devDependencies: { nx: '19.0.0' },
    }),
    'nx.json': '{}',
    'apps/shop/project.json': project('shop', { executor: '@angular-devkit/build-angular:dev-server', options: { port: 4300 } }),
    'apps/admin/project.json': project('admin', { executor: '@nx/webpack:dev-server', options: { port: 4300 } }),
    'apps/api/project.json': project('api', { executor: '@nx/js:node', options: { buildTarget: 'api:build' } }),
    'apps/docs/project.json': project('docs', { executor: 'nx:run-commands', options: { command: 'astro dev --port 4321' } }),
    'libs/ui/project.json': JSON.stringify({ name: 'ui', projectType: 'library' }),
  });
  const { engine, findings } = await audit(ws);
  assert.deepEqual(
    engine
      .apps()
      .map((a) => a.id)
      .sort(),
    ['apps/admin', 'apps/api', 'apps/docs', 'apps/shop'],
    'libraries are not apps',
  );
  const ports = Object.fromEntries(engine.apps().map((a) => [a.id, a.listeners.map((l) => l.port)]));
  assert.deepEqual(ports['apps/shop'], [4300]);
  assert.deepEqual(ports['apps/docs'], [4321]);
  // @nx/js:node runs its build target's `main`: with none, the port is unknown (never the inspector's `port` option).
  assert.match(
    engine.apps().find((a) => a.id === 'apps/api')!.unknownPorts[0].reason,
    /@nx\/js:node, whose server Crosswire cannot find: its buildTarget api:build has no `main` option/,
  );
  const pc = byRule(findings, 'port-collision');
  assert.deepEqual(pc.map((f) => path.relative(ws, f.location.file)).sort(), ['apps/admin/project.json', 'apps/shop/project.json']);
  for (const f of pc) {
    assert.equal(f.severity, 'error');
    assert.match(f.message, /^Port 4300 of (admin|shop) is also the port of (admin|shop), which runs at the same time\.$/);
    assert.match(f.related[0].message, /started together by script "dev"/);
  }
});

test('a port read from one of several variables (`APP_PORT || PORT || 3000`) takes the first one set, inline or loaded', async () => {
  const server = "const app = require('express')();\nconst port = process.env.REMIX_APP_PORT || process.env.PORT || 3000;\napp.listen(port);\n";
  const ws = makeWorkspace({
    'a/package.json': pkg('a', { dev: 'cross-env NODE_ENV=development PORT=3030 tsx ./server.ts' }, { express: '4.19.0' }),
    'a/server.ts': server,
    'b/package.json': pkg('b', { start: 'node --env-file=.env server.js' }, { express: '4.19.0' }),
    'b/server.js': server,
    'b/.env': 'PORT=4040\n',
    'c/package.json': pkg('c', { start: 'node server.js' }, { express: '4.19.0' }),
    'c/server.js': server,
    'd/package.json': pkg('d', { start: 'PORT=$APP_PORT node server.js' }, { express: '4.19.0' }),
    'd/server.js': server,
  });
  const { engine } = await audit(ws);
  const port = (n: string) =>
    engine
      .apps()
      .find((a) => a.name === n)!
      .listeners.map((l) => l.port);
  assert.deepEqual(port('a'), [3030]);
  assert.deepEqual(port('b'), [4040]);
  assert.deepEqual(port('c'), [3000]);
  assert.deepEqual(port('d'), [], 'PORT=$APP_PORT is decided when the script runs');
  assert.match(engine.apps().find((a) => a.name === 'd')!.unknownPorts[0].reason, /decided when the script runs/);
});

test('Bun serves a default-exported Hono app (not Node); `bun run --hot x.ts`; a PORT ternary; a compiled entry stands for its source', async () => {
  const hono = "import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/', (c) => c.text('ok'));\nexport default app;\n";
  const ws = makeWorkspace({
    'bun/package.json': pkg('bun-hono', { dev: 'bun run --hot src/index.ts' }, { hono: '4.5.0' }),
    'bun/src/index.ts': hono,
    'node/package.json': pkg('node-hono', { dev: 'tsx src/index.ts' }, { hono: '4.5.0' }),
    'node/src/index.ts': hono,
    'ternary/package.json': pkg('ternary', { dev: 'PORT=3003 bun run --hot src/index.ts' }, { hono: '4.5.0' }),
    'ternary/src/index.ts':
      "export default {\n  port: process.env.PORT ? Number.parseInt(process.env.PORT, 10) : 3000,\n  fetch: () => new Response('ok'),\n};\n",
    'env/package.json': pkg('by-env', { start: 'node src/main.js' }, { express: '4.19.0' }),
    'env/src/main.js': "const app = require('express')();\napp.listen(process.env.NODE_ENV === 'production' ? 80 : 3000);\n",
    'remix/package.json': pkg('remix-app', { start: 'node build/server/main.js' }, { '@remix-run/serve': '2.0.0' }),
    'remix/server/main.js': "const app = require('express')();\napp.listen(process.env.PORT || 3000);\n",
  });
  const { engine } = await audit(ws);
  const app = (n: string) => engine.apps().find((a) => a.name === n)!;
  assert.deepEqual(
    app('bun-hono').listeners.map((l) => l.port),
    [3000],
  );
  assert.deepEqual(app('node-hono').listeners, [], 'under Node a default export serves nothing');
  assert.deepEqual(
    app('ternary').listeners.map((l) => l.port),
    [3003],
  );
  assert.deepEqual(app('by-env').listeners, [], 'a condition on NODE_ENV: which branch runs is unknown');
  assert.equal(app('by-env').unknownPorts.length, 1);
  assert.deepEqual(
    app('remix-app').listeners.map((l) => l.port),
    [3000],
  );
});

test('a port from a validated env object (zod / t3-env) takes the schema default: `const { PORT } = env()`, `env.PORT`', async () => {
  const schema =
    "import { z } from 'zod';\nexport const env = () => z.object({\n  NODE_ENV: z.string().prefault('development'),\n  PORT: z.coerce.number().default(4600),\n}).parse(process.env);\n";
  const ws = makeWorkspace({
    'a/package.json': pkg('a', { dev: 'deno run -A --watch src/serve.ts' }, {}),
    'a/src/env.ts': schema,
    'a/src/serve.ts': "import { env } from './env';\nconst { PORT } = env();\nDeno.serve({ port: PORT }, (_r) => new Response('ok'));\n",
    'b/package.json': pkg('b', { start: 'node src/main.js' }, { express: '4.19.0' }),
    'b/src/env.js': schema,
    'b/src/main.js': "const { env } = require('./env');\nconst app = require('express')();\napp.listen(env.PORT);\n",
    'b/.env.example': 'PORT=4600\n',
  });
  const { engine } = await audit(ws);
  const port = (n: string) =>
    engine
      .apps()
      .find((a) => a.name === n)!
      .listeners.map((l) => [l.port, l.reason]);
  assert.deepEqual(port('a'), [[4600, 'the default 4600 of PORT in src/env.ts (PORT is not set, and no env file is loaded)']]);
  assert.equal(port('b')[0][0], 4600);
});
