import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, audit, byRule, lineOf, makeWorkspace, pkg } from './helpers/workspace';
import { quickFixOverProtocol } from './helpers/quickfix';

const V7 = { '@prisma/client': '^7.0.1', '@prisma/adapter-pg': '^7.0.1', prisma: '^7.0.1', dotenv: '^16.4.5' };
const CONFIG =
  "import 'dotenv/config';\nimport { defineConfig, env } from 'prisma/config';\n\nexport default defineConfig({\n  schema: 'prisma/schema.prisma',\n  datasource: {\n    url: env('DATABASE_URL'),\n  },\n});\n";
const SCHEMA7 =
  'generator client {\n  provider = "prisma-client"\n  output   = "../src/generated/prisma"\n}\n\ndatasource db {\n  provider = "postgresql"\n}\n';
const CLIENT =
  "import { PrismaPg } from '@prisma/adapter-pg';\nimport { PrismaClient } from '../generated/prisma/client';\n\nconst adapter = new PrismaPg({ connectionString: process.env.DATABASE_URL });\n\nexport const prisma = new PrismaClient({ adapter });\n";

/** A Prisma 7 worker and a Prisma 5 backend on one PostgreSQL server. */
function workspace(overrides: Record<string, string> = {}): string {
  return makeWorkspace({
    'worker/package.json': pkg('ingest-worker', { start: 'node dist/main.js' }, V7),
    'worker/prisma.config.ts': CONFIG,
    'worker/prisma/schema.prisma': SCHEMA7,
    'worker/src/lib/prisma.ts': CLIENT,
    'worker/.env': 'DATABASE_URL="postgresql://user:password@localhost:5432/ingest"\n',
    'backend/package.json': pkg('backend', { start: 'nest start' }, { '@nestjs/core': '10.4.7', '@prisma/client': '5.22.0', prisma: '5.22.0' }),
    'backend/prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
    'backend/.env': 'DATABASE_URL="postgresql://user:password@localhost:5432/backend"\nPORT=3000\n',
    ...overrides,
  });
}

test('missing-connection-limit (Prisma 7): on the PrismaPg adapter, with v7 advice (max), URL from prisma.config.ts', async () => {
  const ws = workspace();
  const { findings } = await audit(ws);
  const d = byRule(findings, 'missing-connection-limit');
  const client = path.join(ws, 'worker/src/lib/prisma.ts');
  const v7 = d.filter((f) => f.location.file === client);
  assert.equal(v7.length, 1);
  const f = v7[0];
  assert.equal(f.severity, 'warning');
  assert.equal(f.location.range.start.line, lineOf(client, 'new PrismaPg('));
  assert.equal(f.message, 'The PrismaPg adapter has no `max` (default 10 per process), and backend also uses localhost:5432.');
  assert.deepEqual(
    f.fixes.map((x) => x.title),
    ['Set max: 10 on the PrismaPg adapter'],
  );
  assert.deepEqual(
    f.related.map((r) => path.relative(ws, r.location.file)),
    ['worker/.env', 'worker/prisma.config.ts', 'backend/prisma/schema.prisma'],
  );
  // the Prisma 5 backend keeps its v6 advice on its schema
  const v6 = d.find((x) => x.location.file === path.join(ws, 'backend/prisma/schema.prisma'))!;
  assert.equal(v6.message, 'Datasource db has no connection_limit, and ingest-worker also uses localhost:5432.');
  assert.deepEqual(
    v6.fixes.map((x) => x.title),
    ['Add connection_limit=10 to DATABASE_URL'],
  );
  // nothing in the v7 schema or config: the URL there is not where the pool is set
  assert.ok(!d.some((x) => x.location.file.endsWith('schema.prisma') && x.location.file.includes('worker')));
});

test('missing-connection-limit (Prisma 7): the fix writes max into the adapter options (one line, and multi-line with a trailing comma)', async () => {
  const ws = workspace();
  const client = path.join(ws, 'worker/src/lib/prisma.ts');
  let f = byRule((await audit(ws)).findings, 'missing-connection-limit').find((x) => x.location.file === client)!;
  applyEdits(f.fixes[0].edits());
  assert.match(fs.readFileSync(client, 'utf8'), /new PrismaPg\(\{ connectionString: process\.env\.DATABASE_URL, max: 10 \}\);/);
  assert.deepEqual(
    byRule((await audit(ws)).findings, 'missing-connection-limit').filter((x) => x.location.file === client),
    [],
  );

  const multi =
    "import { PrismaPg } from '@prisma/adapter-pg';\n\nexport const adapter = new PrismaPg({\n  connectionString: process.env.DATABASE_URL,\n  idleTimeoutMillis: 10_000,\n});\n";
  const ws2 = workspace({ 'worker/src/lib/prisma.ts': multi });
  const client2 = path.join(ws2, 'worker/src/lib/prisma.ts');
  f = byRule((await audit(ws2)).findings, 'missing-connection-limit').find((x) => x.location.file === client2)!;
  applyEdits(f.fixes[0].edits());
  assert.equal(fs.readFileSync(client2, 'utf8'), multi.replace('  idleTimeoutMillis: 10_000,\n', '  idleTimeoutMillis: 10_000,\n  max: 10,\n'));
});

test('missing-connection-limit (Prisma 7): connection_limit in the URL is ignored by the adapter: said so, and its value becomes max', async () => {
  const ws = workspace({ 'worker/.env': 'DATABASE_URL="postgresql://user:password@localhost:5432/ingest?connection_limit=5"\n' });
  const client = path.join(ws, 'worker/src/lib/prisma.ts');
  const f = byRule((await audit(ws)).findings, 'missing-connection-limit').find((x) => x.location.file === client)!;
  assert.equal(f.message, 'The PrismaPg adapter has no `max` (it ignores connection_limit=5), and backend also uses localhost:5432.');
  assert.deepEqual(
    f.fixes.map((x) => x.title),
    ['Set max: 5 on the PrismaPg adapter'],
  );
  applyEdits(f.fixes[0].edits());
  assert.match(fs.readFileSync(client, 'utf8'), /max: 5 \}/);
});

test('missing-connection-limit (Prisma 7): no finding when max is set, when the server is not shared, or with a pool passed in that has max', async () => {
  const withMax = workspace({ 'worker/src/lib/prisma.ts': CLIENT.replace('DATABASE_URL }', 'DATABASE_URL, max: 5 }') });
  assert.ok(!byRule((await audit(withMax)).findings, 'missing-connection-limit').some((x) => x.location.file.includes('worker')));
  const alone = workspace({ 'backend/.env': 'DATABASE_URL="postgresql://user:password@db.internal:5432/backend"\n' });
  assert.deepEqual(byRule((await audit(alone)).findings, 'missing-connection-limit'), []);
  const pooled = workspace({
    'worker/src/lib/prisma.ts':
      "import { Pool } from 'pg';\nimport { PrismaPg } from '@prisma/adapter-pg';\n\nconst pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });\nexport const adapter = new PrismaPg(pool);\n",
  });
  assert.ok(!byRule((await audit(pooled)).findings, 'missing-connection-limit').some((x) => x.location.file.includes('worker')));
  // ...and when that pool has no max, the finding and its fix go to the Pool
  const pooledNoMax = workspace({
    'worker/src/lib/prisma.ts':
      "import { Pool } from 'pg';\nimport { PrismaPg } from '@prisma/adapter-pg';\n\nconst pool = new Pool({ connectionString: process.env.DATABASE_URL });\nexport const adapter = new PrismaPg(pool);\n",
  });
  const f = byRule((await audit(pooledNoMax)).findings, 'missing-connection-limit').find((x) => x.location.file.includes('worker'))!;
  assert.equal(f.location.range.start.line, 3);
  assert.deepEqual(
    f.fixes.map((x) => x.title),
    ['Set max: 10 on the pg Pool'],
  );
});

test('missing-connection-limit (Prisma 7): the quick fix over the protocol', { timeout: 60_000 }, async () => {
  const ws = fs.realpathSync(workspace());
  const client = path.join(ws, 'worker/src/lib/prisma.ts');
  const r = await quickFixOverProtocol({
    folder: ws,
    file: client,
    rule: 'missing-connection-limit',
    needle: 'new PrismaPg(',
    title: /^Set max: \d+ on the PrismaPg adapter$/,
  });
  assert.deepEqual(r.changed, [client]);
  assert.match(fs.readFileSync(client, 'utf8'), /max: 10 \}/);
});
