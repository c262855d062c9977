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
import { parseCode } from '../src/parsers/code';
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

test('crosswire apps: a compose service that runs an app passes its environment: the port the app binds in that container', () => {
  const ws = makeWorkspace({
    'backend/requirements.txt': 'flask==3.0.3\n',
    'backend/Dockerfile': 'FROM python:3.12-slim\nCOPY . /src\nCMD ["python", "/src/server.py"]\n',
    'backend/server.py':
      'import os\nfrom flask import Flask\napp = Flask(__name__)\nif __name__ == "__main__":\n    app.run(host="0.0.0.0", port=os.environ.get("FLASK_SERVER_PORT", 9090))\n',
    'compose.yaml':
      'services:\n  backend:\n    build:\n      context: backend\n    environment:\n      - FLASK_SERVER_PORT=9091\n    ports:\n      - "8000:9091"\n',
  });
  const text = spawnSync(process.execPath, [CLI, 'apps', ws], { encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  // On the host it falls back to 9090; in the container the service's environment sets 9091.
  assert.match(text.stdout, /port 9090: `app\.run` in server\.py: FLASK_SERVER_PORT is not set/);
  assert.match(
    text.stdout,
    /runs as compose service \S+\/backend \(compose\.yaml, publishes 8000:9091\): it builds backend; there it binds 9091 \(FLASK_SERVER_PORT in the service's environment\)/,
  );
  const json = JSON.parse(spawnSync(process.execPath, [CLI, 'apps', ws, '--format', 'json'], { encoding: 'utf8' }).stdout);
  const backend = json.apps.find((a: { name: string }) => a.name === 'backend');
  assert.deepEqual(backend.composeServices[0].binds, ["9091 (FLASK_SERVER_PORT in the service's environment)"]);
});

test('an image named after the product is not run by a library of the same name (an SDK package): only an app with a server can be it', () => {
  const ws = makeWorkspace({
    'package.json': JSON.stringify({ name: 'flagship', private: true, workspaces: ['packages/*'] }),
    'packages/sdk/package.json': JSON.stringify({ name: '@flagship/flagship', version: '1.0.0', main: 'dist/index.js', scripts: { build: 'tsc' } }),
    'packages/back-end/package.json': pkg('@flagship/back-end', { dev: 'node src/server.js' }, { express: '4.21.2' }),
    'packages/back-end/src/server.js': "require('express')().listen(3100);\n",
    'docker-compose.yml': 'services:\n  flagship:\n    image: flagship/flagship:latest\n    ports:\n      - "3000:3000"\n      - "3100:3100"\n',
  });
  const json = JSON.parse(spawnSync(process.execPath, [CLI, 'apps', ws, '--format', 'json'], { encoding: 'utf8' }).stdout);
  const sdk = json.apps.find((a: { name: string }) => a.name === '@flagship/flagship');
  assert.deepEqual(sdk.composeServices, [], 'the SDK runs nothing: the image is not its container');
});

test('a port from a typed env helper: parseEnv("API_PORT", "number", 3001) through Effect.runSync, env.number("PORT", 4000)', async () => {
  const ws = makeWorkspace({
    'api/package.json': pkg('api', { dev: 'tsx watch src/server.ts' }, { hono: '4.6.0', '@hono/node-server': '1.13.0' }),
    'api/src/server.ts':
      'import { serve } from "@hono/node-server";\nconst start = async () => {\n  const port = Effect.runSync(parseEnv("API_PORT", "number", 3001));\n  serve({ fetch: app.fetch, port });\n};\nstart();\n',
    'worker/package.json': pkg('worker', { start: 'node src/index.js' }, { express: '4.21.2' }),
    'worker/src/index.js': 'const app = require("express")();\napp.listen(env.number("WORKER_PORT", 4000));\n',
  });
  const { engine } = await audit(ws);
  const ports = (name: string) =>
    engine
      .apps()
      .find((a) => a.name === name)!
      .listeners.map((l) => [l.port, l.portEnvVar]);
  assert.deepEqual(ports('api'), [[3001, 'API_PORT']]);
  assert.deepEqual(ports('worker'), [[4000, 'WORKER_PORT']]);
});

test('an orchestrator runs the packages the root declares: packages/* does not reach packages/server/examples/demo', async () => {
  const ws = makeWorkspace({
    'package.json': JSON.stringify({ name: 'flow', private: true, workspaces: ['packages/*', '!packages/legacy'], scripts: { dev: 'turbo run dev' } }),
    'packages/server/package.json': pkg('server', { dev: 'node src/index.js' }, { express: '4.21.2' }),
    'packages/server/src/index.js': "require('express')().listen(3000);\n",
    'packages/ui/package.json': pkg('ui', { dev: 'vite --port 8080 --strictPort' }, { vite: '5.4.0' }),
    'packages/legacy/package.json': pkg('legacy', { dev: 'node index.js' }, { express: '4.21.2' }),
    'packages/legacy/index.js': "require('express')().listen(3000);\n",
    'packages/server/examples/demo/package.json': pkg('demo', { dev: 'vite --port 3000 --strictPort' }, { vite: '5.4.0' }),
  });
  const { engine, findings } = await audit(ws);
  const runs = engine.index.runs();
  assert.equal(runs.sets.length, 1);
  assert.deepEqual(runs.sets[0].processes.map((p) => p.split('\0')[0]).sort(), ['packages/server', 'packages/ui']);
  // The example and the excluded package are not started by `turbo run dev`: no collision on 3000.
  assert.deepEqual(byRule(findings, 'port-collision'), []);
});

test('Nx targets in package.json\'s "nx" key are read like project.json\'s: run-many starts them together', async () => {
  const ws = makeWorkspace({
    'package.json': JSON.stringify({ name: 'suite', private: true, workspaces: ['apps/*'], scripts: { dev: 'nx run-many -t dev -p api,admin' } }),
    'nx.json': '{ "targetDefaults": {} }\n',
    'apps/api/package.json': JSON.stringify({
      name: 'api',
      dependencies: { express: '4.21.2' },
      nx: { targets: { dev: { executor: 'nx:run-commands', options: { command: 'node src/server.js', cwd: 'apps/api' } } } },
    }),
    'apps/api/src/server.js': "require('express')().listen(4100);\n",
    'apps/admin/package.json': JSON.stringify({
      name: 'admin',
      dependencies: { vite: '5.4.0' },
      nx: { targets: { dev: { executor: 'nx:run-commands', options: { command: 'vite --port 4100 --strictPort', cwd: 'apps/admin' } } } },
    }),
  });
  const { engine, findings } = await audit(ws);
  const port = (name: string) =>
    engine
      .apps()
      .find((a) => a.name === name)!
      .listeners.map((l) => [l.script, l.port]);
  assert.deepEqual(port('api'), [['nx:dev', 4100]]);
  assert.deepEqual(port('admin'), [['nx:dev', 4100]]);
  assert.equal(byRule(findings, 'port-collision').length, 2, 'nx run-many starts both on 4100');
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

test('a Vite config that is not an inline object: its server.port is read through functions, variables and env reads, else unknown (never 5173)', async () => {
  const vite = { vite: '5.4.0' };
  const ws = makeWorkspace({
    // Block-bodied function with a single final return.
    'block/package.json': pkg('block', { dev: 'vite' }, vite),
    'block/vite.config.ts':
      "import { defineConfig } from 'vite';\nexport default defineConfig(({ mode }) => {\n  const isDev = mode === 'development';\n  return {\n    define: { __DEV__: isDev },\n    server: { port: 3300, host: true },\n  };\n});\n",
    // Expression-bodied arrow taking ({ mode }).
    'arrow/package.json': pkg('arrow', { dev: 'vite' }, vite),
    'arrow/vite.config.ts': "import { defineConfig } from 'vite';\nexport default defineConfig(({ mode }) => ({\n  server: { port: 3301 },\n}));\n",
    // A config held in a variable, typed.
    'held/package.json': pkg('held', { dev: 'vite' }, vite),
    'held/vite.config.mts':
      "import { defineConfig, type UserConfig } from 'vite';\nconst serverOptions = { port: 3302, strictPort: true };\nconst config: UserConfig = {\n  server: serverOptions,\n};\nexport default defineConfig(config);\n",
    // A port read from the environment, with a fallback: the script sets it inline in one case.
    'envport/package.json': pkg('envport', { dev: 'vite', 'dev:alt': 'PORT=3399 vite' }, vite),
    'envport/vite.config.ts':
      "import { defineConfig } from 'vite';\nexport default defineConfig({\n  server: { port: Number(process.env.PORT) || 3303 },\n});\n",
    // The config is chosen at run time: unknown.
    'chosen/package.json': pkg('chosen', { dev: 'vite' }, vite),
    'chosen/vite.config.ts':
      "import { defineConfig } from 'vite';\nconst main = { server: { port: 8000 } };\nconst targets: Record<string, object> = { main };\nconst target = targets[process.env.BUILD_TARGET || 'main'];\nexport default defineConfig(target || main);\n",
    // server.port computed by a function Crosswire does not evaluate: unknown.
    'computed/package.json': pkg('computed', { dev: 'vite' }, vite),
    'computed/vite.config.ts':
      "import { defineConfig } from 'vite';\nimport { pickPort } from './ports';\nexport default defineConfig({ server: { port: pickPort('web') } });\n",
    // An env port nothing sets and no fallback: unknown.
    'unset/package.json': pkg('unset', { dev: 'vite' }, vite),
    'unset/vite.config.ts': "import { defineConfig } from 'vite';\nexport default defineConfig({ server: { port: Number(process.env.WEB_PORT) } });\n",
    // Read fully, no server.port: Vite's default.
    'plain/package.json': pkg('plain', { dev: 'vite' }, vite),
    'plain/vite.config.ts':
      "import { defineConfig } from 'vite';\nexport default defineConfig(() => {\n  return { server: { host: '0.0.0.0' }, plugins: [] };\n});\n",
    // Several returns that disagree: unknown; a loadEnv() config reads the mode's env files.
    'modes/package.json': pkg('modes', { dev: 'vite' }, vite),
    'modes/vite.config.ts':
      "import { defineConfig } from 'vite';\nexport default defineConfig(({ command }) => {\n  if (command === 'serve') {\n    return { server: { port: 3305 } };\n  }\n  return { server: { port: 3306 } };\n});\n",
    'loadenv/package.json': pkg('loadenv', { dev: 'vite' }, vite),
    'loadenv/vite.config.ts':
      "import { defineConfig, loadEnv } from 'vite';\nexport default defineConfig(({ mode }) => {\n  const env = loadEnv(mode, process.cwd(), '');\n  return { server: { port: parseInt(env.VITE_PORT) || 3000 } };\n});\n",
    'loadenv/.env.development': 'VITE_PORT=3307\n',
  });
  const { engine } = await audit(ws);
  const app = (n: string) => engine.apps().find((a) => a.name === n)!;
  const ports = (n: string) => app(n).listeners.map((l) => [l.script, l.port, l.how]);
  assert.deepEqual(ports('block'), [['dev', 3300, 'config']]);
  assert.deepEqual(ports('arrow'), [['dev', 3301, 'config']]);
  assert.deepEqual(ports('held'), [['dev', 3302, 'config']]);
  assert.equal(app('held').listeners[0].drifts, false, 'strictPort: true in the held server options');
  assert.deepEqual(ports('envport'), [
    ['dev', 3303, 'config'],
    ['dev:alt', 3399, 'inline-env'],
  ]);
  assert.deepEqual(ports('plain'), [['dev', 5173, 'default']]);
  assert.deepEqual(ports('loadenv'), [['dev', 3307, 'loaded-env']]);
  for (const n of ['chosen', 'computed', 'unset', 'modes']) {
    assert.deepEqual(app(n).listeners, [], `${n}: no port presented as known`);
    assert.equal(app(n).unknownPorts.length, 1, n);
  }
  assert.match(
    app('chosen').unknownPorts[0].reason,
    /^server\.port in vite\.config\.ts: the config `target \|\| main` is computed in a way Crosswire does not evaluate$/,
  );
  assert.match(app('computed').unknownPorts[0].reason, /server\.port is `pickPort\('web'\)`, computed in a way Crosswire does not evaluate/);
  assert.match(app('unset').unknownPorts[0].reason, /server\.port in vite\.config\.ts reads WEB_PORT, which nothing Crosswire reads sets/);
  assert.match(app('modes').unknownPorts[0].reason, /different server\.port values/);
  // `crosswire apps` shows the reason.
  const text = spawnSync(process.execPath, [CLI, 'apps', ws], { encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /"dev": unknown: server\.port in vite\.config\.ts: the config `target \|\| main` is computed/);
  assert.ok(!/chosen[^\n]*\n[^\n]*5173/.test(text.stdout), 'the unread config is not shown on 5173');
});

test('script commands: `sh -c` strings are unwrapped, runner options are not entries, inline env reaches the script a command runs', async () => {
  const express = { express: '4.19.0' };
  const server = "const app = require('express')();\napp.listen(process.env.PORT || 3000);\n";
  const ws = makeWorkspace({
    'package.json': JSON.stringify({
      name: 'mono',
      private: true,
      workspaces: ['apps/*'],
      scripts: { dev: 'lerna run start:dev --parallel', start: 'turbo run start' },
    }),
    'turbo.json': '{ "tasks": { "start": { "persistent": true } } }\n',
    // A server started through a shell string, after a one-shot command, with the monorepo's env file loaded first.
    'apps/web/package.json': pkg(
      'web',
      { start: "dotenv -e ../../.env -- sh -c 'prisma migrate deploy && NEXT_MANUAL_SIG_HANDLE=true next start'" },
      { next: '14.2.0' },
    ),
    '.env': 'PORT=3200\n',
    // tsx options before the entry.
    'apps/worker/package.json': pkg('worker', { start: "tsx watch --clear-screen=false --include '../shared/dist/*' src/index.ts" }, express),
    'apps/worker/src/index.ts': server.replace('3000', '3030'),
    'apps/jobs/package.json': pkg('jobs', { start: 'tsx --env-file=.env watch src/jobs.ts' }, express),
    'apps/jobs/src/jobs.ts': server,
    'apps/jobs/.env': 'PORT=3040\n',
    // `cross-env PORT=4500 pnpm start`: `start` runs with PORT=4500 when `start:dev` runs it.
    'apps/widget/package.json': pkg('widget', { start: 'react-scripts start', 'start:dev': 'cross-env PORT=4500 pnpm start' }, { 'react-scripts': '5.0.1' }),
    'apps/api/package.json': pkg('api', { 'start:dev': 'PORT=4600 npm run serve', serve: 'node server.js' }, express),
    'apps/api/server.js': server,
  });
  const { engine } = await audit(ws);
  const app = (n: string) => engine.apps().find((a) => a.name === n)!;
  const ports = (n: string) => app(n).listeners.map((l) => [l.script, l.port, l.how]);
  assert.deepEqual(ports('web'), [['start', 3200, 'loaded-env']]);
  assert.equal(app('web').listeners[0].tool, 'next start');
  assert.deepEqual(ports('worker'), [['start', 3030, 'listen']]);
  assert.deepEqual(ports('jobs'), [['start', 3040, 'loaded-env']]);
  assert.deepEqual(ports('widget'), [
    ['start', 3000, 'default'],
    ['start:dev', 4500, 'inline-env'],
  ]);
  assert.deepEqual(ports('api'), [
    ['start:dev', 4600, 'inline-env'],
    ['serve', 3000, 'listen'],
  ]);
  for (const n of ['web', 'worker', 'jobs', 'widget', 'api']) assert.deepEqual(app(n).unknownPorts, [], n);
  // `lerna run start:dev` starts widget's and api's start:dev processes (not the scripts they run, as other processes).
  const runs = engine.index.runs();
  const group = (label: RegExp) =>
    runs.sets
      .filter((s) => label.test(s.label))
      .flatMap((s) => s.processes)
      .map((p) => p.replace('\0', ':'))
      .sort();
  assert.deepEqual(group(/lerna run start:dev/), ['apps/api:start:dev', 'apps/widget:start:dev']);
  assert.deepEqual(group(/turbo run start/), ['apps/jobs:start', 'apps/web:start', 'apps/widget:start', 'apps/worker:start']);
});

test("a framework's built server run with node (Next.js standalone server.js) is a server of unknown port, not nothing", async () => {
  const ws = makeWorkspace({
    'apps/web/package.json': pkg('web', { dev: 'next dev', start: 'node .next/standalone/server.js' }, { next: '15.5.0' }),
    'apps/web/next.config.mjs': 'export default { output: "standalone" };\n',
  });
  const { engine } = await audit(ws);
  const web = engine.apps().find((a) => a.name === 'web')!;
  assert.deepEqual(
    web.listeners.map((l) => [l.script, l.port]),
    [['dev', 3000]],
  );
  assert.equal(web.unknownPorts.length, 1);
  assert.equal(web.unknownPorts[0].script, 'start');
  assert.match(web.unknownPorts[0].reason, /\.next\/standalone\/server\.js, a server built by next/);
});

test('a port chosen by a test that the variable is set (typeof / !== undefined) reads the variable, else the fallback', () => {
  const listens = (t: string) => parseCode(t, '/x/server.js').listens.map((l) => [l.envVar, l.fallback, l.literal]);
  assert.deepEqual(listens("const port = typeof process.env.PORT !== 'undefined' ? Number(process.env.PORT) : 3000;\napp.listen(port);\n"), [
    ['PORT', 3000, undefined],
  ]);
  assert.deepEqual(listens('app.listen(process.env.PORT !== undefined ? parseInt(process.env.PORT) : 4000);\n'), [['PORT', 4000, undefined]]);
  // A test of another variable decides nothing Crosswire knows.
  assert.deepEqual(listens('app.listen(process.env.FLAG !== undefined ? 1 : 4000);\n'), []);
});

test("turbo's `--filter //` (the root package) selects no app, and does not break the port rules", async () => {
  const ws = makeWorkspace({
    'package.json': JSON.stringify({
      name: 'root',
      private: true,
      workspaces: ['apps/*'],
      scripts: { dev: 'turbo run dev --filter //', 'dev:all': 'turbo run dev' },
    }),
    'apps/a/package.json': pkg('a', { dev: 'next dev -p 3000' }, { next: '15.5.0' }),
    'apps/b/package.json': pkg('b', { dev: 'next dev -p 3000' }, { next: '15.5.0' }),
  });
  const { engine, findings } = await audit(ws);
  assert.deepEqual(engine.ruleFailures(), []);
  // `dev:all` starts both on 3000; `dev` starts neither.
  const runs = engine.index.runs();
  assert.equal(runs.sets.length, 1, JSON.stringify(runs.sets.map((s) => s.label)));
  assert.equal(byRule(findings, 'port-collision').length, 2);
});
