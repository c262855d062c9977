import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { audit, byRule, lineOf, makeWorkspace, pkg } from './helpers/workspace';
import { interpolate, parseCompose } from '../src/parsers/compose';
import { composeEnvironmentFor, composeProjects } from '../src/index/compose-projects';

// The specified behaviour changed with issue 10 (root cause 2): compose files are judged as Compose projects,
// independent projects are not compared without evidence that they run together, one finding per pair of services.

const svc = (name: string, ports: string[], extra = '', image = name === 'redis' ? 'redis:7-alpine' : 'postgres:16-alpine') =>
  `  ${name}:\n    image: ${image}\n${extra}    ports:\n${ports.map((p) => `      - "${p}"\n`).join('')}`;
const compose = (...services: string[]) => `services:\n${services.join('')}`;
const expressApp = (name: string, port: number) => ({
  [`${name}/package.json`]: pkg(name, { start: 'node server.js' }, { express: '4.21.1' }),
  [`${name}/server.js`]: `require('express')().listen(${port});\n`,
});
const rules = async (ws: string) => byRule((await audit(ws)).findings, 'compose-port-collision');

test('compose-port-collision: the infrastructure stacks of two apps publishing one port: one error for the pair', async () => {
  const ws = makeWorkspace({
    ...expressApp('insight-garden', 4000),
    'insight-garden/docker-compose.yml': compose(svc('postgres', ['5432:5432']), svc('redis', ['6379:6379'])),
    ...expressApp('it-assets', 4100),
    'it-assets/docker-compose.yml': compose(svc('redis', ['127.0.0.1:6379:6379'])),
  });
  const d = await rules(ws);
  assert.equal(d.length, 1, 'one finding per pair of services, not one per file');
  const it = path.join(ws, 'it-assets/docker-compose.yml');
  const ig = path.join(ws, 'insight-garden/docker-compose.yml');
  assert.equal(d[0].location.file, it);
  assert.equal(d[0].location.range.start.line, lineOf(it, '6379:6379'));
  assert.equal(d[0].severity, 'error');
  assert.equal(d[0].message, 'Service redis publishes host port 6379, like service redis of insight-garden/docker-compose.yml.');
  assert.match(d[0].related[0].message, /infrastructure of different apps/);
  assert.deepEqual(
    d[0].related.map((r) => `${path.relative(ws, r.location.file)}:${r.location.range.start.line}`),
    [`insight-garden/docker-compose.yml:${lineOf(ig, '6379:6379')}`],
  );
});

test('compose-port-collision: independent example projects (each its own stack, none referring to another) are not compared', async () => {
  const ws = makeWorkspace({
    'nginx-flask/compose.yaml':
      'services:\n  web:\n    build: ./flask\n    ports:\n      - "80:8000"\n  db:\n    image: mysql:8\n    ports:\n      - "3306:3306"\n',
    'nginx-flask/flask/requirements.txt': 'flask\n',
    'react-mysql/compose.yaml':
      'services:\n  frontend:\n    build: frontend\n    ports:\n      - "80:3000"\n  db:\n    image: mysql:8\n    ports:\n      - "3306:3306"\n',
    'react-mysql/frontend/package.json': pkg('frontend', { start: 'react-scripts start' }, { 'react-scripts': '5.0.1' }),
    'wordpress/compose.yaml': compose(svc('wordpress', ['80:80'], '', 'wordpress:latest')),
    'nextcloud/compose.yaml': compose(svc('nc', ['80:80'], '', 'nextcloud:apache')),
  });
  assert.deepEqual(await rules(ws), []);
});

test('compose-port-collision: a default file and its override merge; alternative files of one folder are the same services', async () => {
  const quiet = makeWorkspace({
    'app/compose.yaml': compose(svc('postgres', ['5432:5432'])),
    'app/compose.override.yaml': compose(svc('postgres', ['5432:5432'])),
    // the same services run from published images, in development, in production: never a collision
    'stack/docker-compose.yml': 'services:\n  web:\n    build: .\n    ports:\n      - "3000:3000"\n',
    'stack/docker-compose.images.yml': compose(svc('web', ['3000:3000'], '', 'ghcr.io/acme/web:latest')),
    'stack/docker-compose.dev.yml': compose(svc('web', ['3000:3000'], '', 'node:20')),
    'stack/compose.prod.yaml': compose(svc('proxy', ['3000:80'], '', 'nginx')),
    // two different specific addresses; UDP and TCP
    'lan/compose.yaml': compose(svc('a', ['192.168.1.10:5440:5432']), svc('b', ['192.168.1.11:5440:5432'])),
    'dns/compose.yaml': compose(svc('dns', ['5353:53/udp'], '', 'coredns/coredns'), svc('web', ['5353:80'], '', 'nginx')),
  });
  assert.deepEqual(await rules(quiet), []);

  const loud = makeWorkspace({
    'infra/docker-compose.yml': compose(svc('postgres', ['127.0.0.1:5432:5432'])),
    'infra/docker-compose.override.yml': compose(svc('pgbouncer', ['0.0.0.0:5432:6432'], '', 'bitnami/pgbouncer')),
  });
  const d = await rules(loud);
  assert.equal(d.length, 1);
  assert.equal(d[0].severity, 'error');
  assert.equal(d[0].message, 'Service postgres publishes host port 5432, like service pgbouncer.');
  assert.match(d[0].related[0].message, /Compose merges infra\/docker-compose\.yml and infra\/docker-compose\.override\.yml into one project/);
});

test('compose-port-collision: profiles: services in profiles never enabled together do not collide', async () => {
  const file = compose(
    svc('aio', ['3000:3000'], '    profiles: ["default"]\n', 'acme/aio'),
    svc('app', ['3000:3000'], '    profiles: ["app"]\n', 'acme/app'),
    svc('old', ['3000:3000'], '    profiles: ["deprecated"]\n', 'acme/old'),
  );
  assert.deepEqual(await rules(makeWorkspace({ 'deploy/docker-compose.yml': file })), []);
  // A service without profiles runs with every profile.
  const always = makeWorkspace({ 'deploy/docker-compose.yml': file + svc('proxy', ['3000:80'], '', 'nginx') });
  const d = await rules(always);
  assert.equal(d.length, 3, 'proxy with each profiled service');
  assert.ok(d.every((f) => /profile/.test(f.message)));
  // Enabled together by COMPOSE_PROFILES in the project's .env.
  const both = makeWorkspace({ 'deploy/docker-compose.yml': file, 'deploy/.env': 'COMPOSE_PROFILES=app,deprecated\n' });
  const e = await rules(both);
  assert.equal(e.length, 1);
  assert.match(e[0].message, /service app \(profile app\)|service old \(profile deprecated\)/);
});

test("compose-port-collision: ports are interpolated from the project's .env; an unknown port is never compared", async () => {
  const ws = makeWorkspace({
    'stack/compose.yaml': compose(
      svc('web', ['${WEB_PORT:-3000}:3000'], '', 'nginx'),
      svc('admin', ['${ADMIN_PORT-3001}:80'], '', 'nginx'),
      svc('api', ['${API_PORT}:80'], '', 'nginx'),
    ),
    'stack/.env': 'WEB_PORT=8080\nADMIN_PORT=8080\n',
  });
  const d = await rules(ws);
  assert.equal(d.length, 1);
  assert.equal(d[0].message, 'Service admin publishes host port 8080, like service web.');
  // Without the .env the defaults apply (3000 and 3001: no collision), and API_PORT is unknown.
  const noEnv = makeWorkspace({
    'stack/compose.yaml': compose(
      svc('web', ['${WEB_PORT:-3000}:3000'], '', 'nginx'),
      svc('admin', ['${ADMIN_PORT-3001}:80'], '', 'nginx'),
      svc('api', ['${API_PORT}:80'], '', 'nginx'),
      svc('x', ['${API_PORT}:81'], '', 'nginx'),
    ),
  });
  assert.deepEqual(await rules(noEnv), []);
});

test('compose-port-collision: a service that builds an app is that app; infrastructure a monorepo script starts collides with app servers', async () => {
  const ws = makeWorkspace({
    'package.json': JSON.stringify({
      name: 'acme',
      private: true,
      workspaces: ['apps/*'],
      scripts: { 'dx:up': 'docker compose -f docker/dev-compose.yml up -d', dev: 'turbo run dev' },
    }),
    ...expressApp('apps/api', 3000),
    ...expressApp('apps/web', 4000),
    // runs the api in a container: the same app, never compared with the api's own server (or with other apps' dev servers)
    'compose.yaml':
      'services:\n  api:\n    build:\n      context: .\n      dockerfile: apps/api/Dockerfile\n    ports:\n      - "3000:3000"\n    environment:\n      PORT: ${API_PORT:-3000}\n    env_file: apps/api/.env.docker\n',
    'apps/api/.env.docker': 'FLASK_SERVER_PORT=3000\n',
    // dev infrastructure the root script starts: grafana on the web app's port
    'docker/dev-compose.yml': compose(svc('grafana', ['4000:3000'], '', 'grafana/grafana:11.3.0')),
  });
  const d = await rules(ws);
  assert.equal(d.length, 1, d.map((f) => f.message).join('\n'));
  assert.equal(d[0].location.file, path.join(ws, 'docker/dev-compose.yml'));
  assert.equal(d[0].message, 'Service grafana publishes host port 4000, which apps/web also listens on.');
  assert.match(d[0].related[0].message, /script "dx:up" of the monorepo root runs it/);
  assert.match(d[0].related[0].message, /EADDRINUSE/);
  assert.deepEqual(byRule((await audit(ws)).findings, 'port-collision'), []);
});

test('compose model: projects, alternatives, names, the app a service runs and the environment it gets', () => {
  const root = '/ws';
  const f = (rel: string, text: string) => parseCompose(text, path.join(root, rel));
  const files = [
    f(
      'docker-compose.yml',
      'name: shop\nservices:\n  web:\n    build: ./apps/web\n    ports: ["${WEB:-3000}:3000"]\n    environment:\n      - FLASK_SERVER_PORT=${PORT_IN:-5000}\n      - SHELL_ONLY\n    env_file:\n      - path: ./apps/web/.env.compose\n        required: false\n',
    ),
    f('docker-compose.override.yml', 'services:\n  web:\n    ports: ["9229:9229"]\n'),
    f('docker-compose.images.yml', 'services:\n  web:\n    image: ghcr.io/shop/web:1\n'),
    f('other/compose.yaml', 'services:\n  db:\n    image: postgres\n'),
    f('.github/workflows/deploy-docker-compose.yml', 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n'),
  ];
  const texts: Record<string, string> = { '/ws/.env': 'WEB=8080\n', '/ws/apps/web/.env.compose': 'LOG_LEVEL=debug\n' };
  const projects = composeProjects({ files, textOf: (p) => texts[p], apps: [{ id: 'apps/web', name: 'web', dir: '/ws/apps/web' }], scripts: [] });
  assert.deepEqual(
    projects.map((p) => [p.name, p.nameSource, path.relative(root, p.dir) || '.']),
    [
      ['shop', 'name', '.'],
      ['other', 'folder', 'other'],
    ],
  );
  const shop = projects[0];
  assert.deepEqual(
    shop.variants.map((v) => [v.how, v.files.map((x) => path.basename(x.file))]),
    [
      ['default', ['docker-compose.yml', 'docker-compose.override.yml']],
      ['alone', ['docker-compose.images.yml']],
    ],
  );
  const web = shop.variants[0].services[0];
  assert.deepEqual(
    web.ports.map((p) => p.host),
    [8080, 9229],
  );
  assert.equal(web.app?.id, 'apps/web');
  assert.equal(shop.variants[1].services[0].app?.id, 'apps/web', 'the same service in an alternative file runs the same app');
  const env = composeEnvironmentFor(projects, '/ws/apps/web');
  assert.equal(env.length, 2);
  assert.equal(env[0].env.get('FLASK_SERVER_PORT')?.value, '5000');
  assert.equal(env[0].env.get('SHELL_ONLY')?.value, undefined);
  assert.equal(env[0].env.get('LOG_LEVEL')?.value, 'debug');
  assert.equal(files[4].isCompose, false);
});

test('compose interpolation follows Compose: defaults, alternatives, required values, nesting, $$', () => {
  const vars: Record<string, string> = { SET: 'v', EMPTY: '' };
  const get = (k: string) => vars[k];
  assert.equal(interpolate('${SET}', get), 'v');
  assert.equal(interpolate('$SET-x', get), 'v-x');
  assert.equal(interpolate('${UNSET:-d}', get), 'd');
  assert.equal(interpolate('${EMPTY:-d}', get), 'd');
  assert.equal(interpolate('${EMPTY-d}', get), '');
  assert.equal(interpolate('${UNSET-d}', get), 'd');
  assert.equal(interpolate('${SET:+alt}', get), 'alt');
  assert.equal(interpolate('${UNSET:+alt}', get), '');
  assert.equal(interpolate('${UNSET:-${SET}}', get), 'v');
  assert.equal(interpolate('${UNSET:-${ALSO:-x}}', get), 'x');
  assert.equal(interpolate('$$SET', get), '$SET');
  assert.equal(interpolate('${UNSET}', get), undefined);
  assert.equal(interpolate('${UNSET:?required}', get), undefined);
  assert.equal(interpolate('${UNSET:-${ALSO}}', get), undefined);
});

test('compose parse errors never quote the file (issue 11)', () => {
  const secret = 'Zq9xK2mPw8RtYv4L';
  const info = parseCompose(`services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: "\\U${secret}"\n`, '/ws/compose.yaml');
  assert.ok(info.problems.length > 0);
  for (const p of info.problems) {
    assert.ok(!p.message.includes(secret.slice(0, 8)), p.message);
    assert.ok(!p.message.includes(secret.slice(0, 4)), p.message);
  }
});

test('discovery: compose files named by scripts and kept under docker/, and YAML that is not a compose file is ignored', async () => {
  const ws = makeWorkspace({
    ...expressApp('web', 5000),
    'web/package.json': pkg('web', { start: 'node server.js', infra: 'docker compose -f ../docker/services-compose.yml up -d' }, { express: '4.21.1' }),
    'docker/services-compose.yml': compose(svc('registry', ['5000:5000'], '', 'registry:2')),
    'deploy/k8s.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: "{{ .Values.name }}"\n',
    'process-compose.yaml': 'processes:\n  web:\n    command: npm start\n',
  });
  const { findings } = await audit(ws);
  const d = byRule(findings, 'compose-port-collision');
  assert.equal(d.length, 1);
  assert.equal(d[0].message, 'Service registry publishes host port 5000, which web also listens on.');
  assert.match(d[0].related[0].message, /its script "infra" runs it/);
  assert.deepEqual(
    byRule(findings, 'parse-error').map((f) => path.relative(ws, f.location.file)),
    [],
  );
});
