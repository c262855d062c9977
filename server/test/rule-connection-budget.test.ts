import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Engine } from '../src/engine';
import { audit, byRule, lineOf, makeWorkspace, pkg } from './helpers/workspace';

const PRISMA5 = { '@prisma/client': '5.22.0', prisma: '5.22.0', express: '4.21.1', dotenv: '16.4.5' };
const SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n';
const PM2 = (instances: string) =>
  `module.exports = {\n  apps: [\n    {\n      name: 'api',\n      script: 'server.js',\n      instances: ${instances},\n      exec_mode: 'cluster',\n    },\n  ],\n};\n`;
const COMPOSE = (max: number, port = 5433) =>
  `services:\n  postgres:\n    image: postgres:16-alpine\n    command: ["postgres", "-c", "max_connections=${max}"]\n    ports:\n      - "${port}:5432"\n`;

function prismaApp(dir: string, name: string, url: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    [`${dir}/package.json`]: pkg(name, { start: 'node server.js' }, PRISMA5),
    [`${dir}/prisma/schema.prisma`]: SCHEMA,
    [`${dir}/.env`]: `# ${name}\nDATABASE_URL="${url}"\n`,
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`${dir}/${k}`, v])),
  };
}

test('connection-budget: PM2 "max" × Prisma\'s default pool against a compose Postgres capped by -c max_connections', async () => {
  const ws = makeWorkspace({
    ...prismaApp('reports', 'asset-reports', 'postgresql://r:r@localhost:5433/reports', { 'ecosystem.config.js': PM2("'max'") }),
    'reports/docker-compose.yml': COMPOSE(30),
  });
  const { findings } = await audit(ws);
  const d = byRule(findings, 'connection-budget');
  assert.equal(d.length, 1);
  const f = d[0];
  assert.equal(f.severity, 'warning');
  assert.equal(f.location.file, path.join(ws, 'reports/.env'));
  assert.equal(f.location.range.start.line, 1);
  // 4 cores by default: 4 processes × (2 × 4 + 1) = 36 > 30 - 3
  assert.equal(f.message, 'asset-reports can open 36 connections to localhost:5433 (4 × 9, limit 27).');
  // the arithmetic is in the related locations
  assert.match(f.related[0].message, /4 PM2 processes \(instances "max" = 4 cores\) × a pool of 9 \(Prisma's default pool, 2 × 4 cores \+ 1\) = 36/);
  assert.ok(f.related.some((r) => /max_connections = 30 .*3 of them reserved/.test(r.message)));
  const limit = f.related.find((r) => r.location.file === path.join(ws, 'reports/docker-compose.yml'));
  assert.ok(limit, 'related: where max_connections is set');
  assert.equal(limit.location.range.start.line, lineOf(path.join(ws, 'reports/docker-compose.yml'), 'max_connections'));
  assert.ok(!f.message.includes('r:r@'), 'no credentials');
});

test('connection-budget: the apps of one server are summed, each finding states its share and the total (postgresql.conf)', async () => {
  const ws = makeWorkspace({
    ...prismaApp('a', 'orders', 'postgresql://o:o@localhost:5432/orders'),
    ...prismaApp('b', 'billing', 'postgresql://b:b@127.0.0.1:5432/billing?connection_limit=5', { 'ecosystem.config.js': PM2('2') }),
    'c/package.json': pkg('ingest', { start: 'node worker.js' }, { pg: '8.13.1', dotenv: '16.4.5' }),
    'c/worker.js':
      "require('dotenv').config();\nconst { Pool } = require('pg');\nconst pool = new Pool({ connectionString: process.env.DATABASE_URL });\nmodule.exports = pool;\n",
    'c/.env': 'DATABASE_URL=postgresql://i:i@localhost:5432/ingest\n',
    'pg/postgresql.conf': '# tuned for the small VM\nport = 5432\nmax_connections = 25\nshared_buffers = 128MB\n',
  });
  const { findings } = await audit(ws);
  const d = byRule(findings, 'connection-budget');
  // orders 9 + billing 2 × 5 + ingest 10 (pg Pool default max) = 29 > 22
  assert.deepEqual(d.map((f) => path.relative(ws, f.location.file)).sort(), ['a/.env', 'b/.env', 'c/.env']);
  const b = d.find((f) => f.location.file.endsWith(path.join('b', '.env')))!;
  assert.equal(b.message, 'billing (10), ingest (10) and 1 other app can open 29 connections to localhost:5432 (limit 22).');
  const bRelated = b.related.map((r) => r.message).join('\n');
  assert.match(bRelated, /billing: 2 PM2 processes × a pool of 5 \(connection_limit=5\) = 10/);
  assert.match(bRelated, /ingest: .* = 10/);
  assert.match(bRelated, /orders: .* = 9/);
  assert.match(bRelated, /max_connections = 25 \(max_connections = 25 in postgresql.conf\)/);
  const c = d.find((f) => f.location.file.endsWith(path.join('c', '.env')))!;
  assert.match(c.related[0].message, /pg Pool's default max of 10/);
  assert.ok(b.related.some((r) => r.location.file === path.join(ws, 'pg/postgresql.conf')));
});

test('connection-budget: under the default 100 nothing is reported; replicas are separate servers; crosswire.config.json sets max_connections', async () => {
  const apps = {
    ...prismaApp('a', 'orders', 'postgresql://o:o@localhost:5432/orders', { 'ecosystem.config.js': PM2("'max'") }),
    ...prismaApp('b', 'billing', 'postgresql://b:b@localhost:5432/billing', { 'ecosystem.config.js': PM2("'max'") }),
  };
  // 2 × 36 = 72 <= 97
  const quiet = await audit(makeWorkspace(apps));
  assert.deepEqual(byRule(quiet.findings, 'connection-budget'), []);
  // Replicas of one app, each with its local database: 36 each, never summed.
  const replicas = makeWorkspace({
    ...prismaApp('server-1', 'shop', 'postgresql://s:s@localhost:5432/shop', { 'ecosystem.config.js': PM2("'max'") }),
    ...prismaApp('server-2', 'shop', 'postgresql://s:s@localhost:5432/shop', { 'ecosystem.config.js': PM2("'max'") }),
    'crosswire.config.json': '{ "maxConnections": { "localhost:5432": 50 } }\n',
  });
  assert.deepEqual(byRule((await audit(replicas)).findings, 'connection-budget'), []);
  // The configured max_connections applies to the server the two apps share: 72 > 47.
  const configured = makeWorkspace({ ...apps, 'crosswire.config.json': '{ "maxConnections": { "localhost:5432": 50 } }\n' });
  const d = byRule((await audit(configured)).findings, 'connection-budget');
  assert.equal(d.length, 2);
  assert.match(d[0].message, /can open 72 connections to localhost:5432 \(limit 47\)/);
  assert.ok(d[0].related.some((r) => r.message.includes('max_connections = 50 (maxConnections in crosswire.config.json)')));
});

test("connection-budget: Prisma 7 pools are the adapter's max (default 10); the core count comes from the options", async () => {
  const files = {
    'v7/package.json': pkg('worker', { start: 'node dist/main.js' }, { '@prisma/client': '7.0.1', '@prisma/adapter-pg': '7.0.1', prisma: '7.0.1' }),
    'v7/prisma.config.ts':
      "import 'dotenv/config';\nimport { defineConfig, env } from 'prisma/config';\nexport default defineConfig({ datasource: { url: env('DATABASE_URL') } });\n",
    'v7/src/db.ts': "import { PrismaPg } from '@prisma/adapter-pg';\nexport const adapter = new PrismaPg({ connectionString: process.env.DATABASE_URL });\n",
    'v7/.env': 'DATABASE_URL=postgresql://w:w@localhost:5433/jobs\n',
    'v7/ecosystem.config.js': PM2('3'),
    'docker-compose.yml': COMPOSE(30),
  };
  const ws = makeWorkspace(files);
  const d = byRule((await audit(ws)).findings, 'connection-budget');
  assert.equal(d.length, 1);
  assert.match(d[0].message, /can open 30 connections .*\(3 × 10, limit 27\)/);
  assert.match(d[0].related[0].message, /3 PM2 processes × a pool of 10 \(@prisma\/adapter-pg's default max of 10\)/);
  // with max set on the adapter, it fits
  const ws2 = makeWorkspace({ ...files, 'v7/src/db.ts': files['v7/src/db.ts'].replace('DATABASE_URL }', 'DATABASE_URL, max: 5 }') });
  assert.deepEqual(byRule((await audit(ws2)).findings, 'connection-budget'), []);
  // Prisma ≤ 6: 8 cores make a default pool of 17
  const ws3 = makeWorkspace(
    prismaApp('a', 'orders', 'postgresql://o:o@localhost:5433/orders', { 'ecosystem.config.js': PM2('2'), 'docker-compose.yml': COMPOSE(30) }),
  );
  assert.deepEqual(byRule((await audit(ws3)).findings, 'connection-budget'), [], '2 × 9 = 18 <= 27');
  const engine = await Engine.create({ roots: [ws3], options: { cores: 8, maxFileSize: 1_000_000 } });
  const eight = byRule(engine.findings(), 'connection-budget');
  assert.equal(eight.length, 1);
  assert.match(eight[0].message, /can open 34 connections/);
  assert.match(eight[0].related[0].message, /2 × 8 cores \+ 1/);
});
