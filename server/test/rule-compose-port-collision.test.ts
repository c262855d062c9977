import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { audit, byRule, lineOf, makeWorkspace, pkg } from './helpers/workspace';

const svc = (name: string, ports: string[], extra = '') =>
  `  ${name}:\n    image: ${name === 'redis' ? 'redis:7-alpine' : 'postgres:16-alpine'}\n${extra}    ports:\n${ports.map((p) => `      - "${p}"\n`).join('')}`;
const compose = (...services: string[]) => `services:\n${services.join('')}`;

function at(ws: string, findings: { location: { file: string; range: { start: { line: number } } } }[]): string[] {
  return findings.map((f) => `${path.relative(ws, f.location.file)}:${f.location.range.start.line}`).sort();
}

test('compose-port-collision: two stacks publishing one host port get an error on each publishing line', async () => {
  const ws = makeWorkspace({
    'insight-garden/docker-compose.yml': compose(svc('postgres', ['5432:5432']), svc('redis', ['6379:6379'])),
    'it-assets/docker-compose.yml': compose(svc('redis', ['127.0.0.1:6379:6379'])),
  });
  const { findings } = await audit(ws);
  const d = byRule(findings, 'compose-port-collision');
  const ig = path.join(ws, 'insight-garden/docker-compose.yml');
  const it = path.join(ws, 'it-assets/docker-compose.yml');
  assert.deepEqual(at(ws, d), [`insight-garden/docker-compose.yml:${lineOf(ig, '6379:6379')}`, `it-assets/docker-compose.yml:${lineOf(it, '6379:6379')}`].sort());
  const f = d.find((x) => x.location.file === ig)!;
  assert.equal(f.severity, 'error');
  assert.match(f.message, /Service redis in insight-garden\/docker-compose\.yml publishes host port 6379, and service redis of it-assets\/docker-compose\.yml also publishes it/);
  assert.match(f.message, /port is already allocated/);
  assert.deepEqual(f.related.map((r) => `${path.relative(ws, r.location.file)}:${r.location.range.start.line}`), [`it-assets/docker-compose.yml:${lineOf(it, '6379:6379')}`]);
});

test('compose-port-collision: a compose service on an app\'s port is reported here only, not as port-collision', async () => {
  const ws = makeWorkspace({
    'web/package.json': pkg('web', { dev: 'next dev', start: 'next start' }, { next: '14.2.18' }),
    'monitoring/docker-compose.yml': 'services:\n  grafana:\n    image: grafana/grafana:11.3.0\n    ports:\n      - "3000:3000"\n',
  });
  const { findings } = await audit(ws);
  const d = byRule(findings, 'compose-port-collision');
  assert.equal(d.length, 1);
  assert.equal(d[0].location.file, path.join(ws, 'monitoring/docker-compose.yml'));
  assert.match(d[0].message, /Service grafana .*publishes host port 3000, and web \(`next dev` in script "dev" uses Next\.js's default port 3000\) also binds it/);
  assert.match(d[0].message, /EADDRINUSE/);
  assert.deepEqual(d[0].related.map((r) => path.relative(ws, r.location.file)), ['web/package.json', 'web/package.json'], 'the dev and start scripts');
  assert.deepEqual(byRule(findings, 'port-collision'), []);
});

test('compose-port-collision: merged override files, other host addresses, UDP, and the stack\'s own app are not collisions; profiles and loopback are', async () => {
  const quiet = makeWorkspace({
    // compose.yaml + compose.override.yaml merge into one stack
    'app/compose.yaml': compose(svc('postgres', ['5432:5432'])),
    'app/compose.override.yaml': compose(svc('postgres', ['5432:5432'])),
    // docker-compose.yml + docker-compose.override.yml likewise
    'other/docker-compose.yml': compose(svc('redis', ['6380:6379'])),
    'other/docker-compose.override.yml': compose(svc('redis', ['6380:6379'])),
    // two different specific addresses
    'lan-a/docker-compose.yml': compose(svc('postgres', ['192.168.1.10:5440:5432'])),
    'lan-b/docker-compose.yml': compose(svc('postgres', ['192.168.1.11:5440:5432'])),
    // UDP and TCP on one number
    'dns/docker-compose.yml': 'services:\n  dns:\n    image: coredns/coredns\n    ports:\n      - "5353:53/udp"\n',
    'dns2/docker-compose.yml': 'services:\n  web:\n    image: nginx\n    ports:\n      - "5353:80"\n',
    // the app's own stack runs the app itself: either there or on the host
    'api/package.json': pkg('api', { start: 'node server.js' }, { express: '4.21.1' }),
    'api/server.js': "require('express')().listen(4000);\n",
    'api/docker-compose.yml': 'services:\n  api:\n    build: .\n    ports:\n      - "4000:4000"\n',
  });
  assert.deepEqual(byRule((await audit(quiet)).findings, 'compose-port-collision'), []);

  const loud = makeWorkspace({
    'a/docker-compose.yml': compose(svc('postgres', ['127.0.0.1:5432:5432'])),
    'b/compose.yaml': compose(svc('postgres', ['0.0.0.0:5432:5432'], '    profiles: ["db"]\n')),
  });
  const d = byRule((await audit(loud)).findings, 'compose-port-collision');
  assert.equal(d.length, 2);
  const a = d.find((f) => f.location.file.endsWith(path.join('a', 'docker-compose.yml')))!;
  assert.match(a.message, /service postgres \(profile db\) of b\/compose\.yaml/);
});
