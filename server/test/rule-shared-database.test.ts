import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { audit, byRule, lineOf, makeWorkspace, pkg } from './helpers/workspace';

const PRISMA5 = { '@prisma/client': '5.22.0', prisma: '5.22.0', next: '14.2.18' };
const SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n';

test('shared-database: two apps on one database get a warning on each DATABASE_URL line, naming the other; no credentials printed', async () => {
  const ws = makeWorkspace({
    'tokens/package.json': pkg('electricity-tokens', { dev: 'next dev' }, PRISMA5),
    'tokens/prisma/schema.prisma': SCHEMA,
    'tokens/.env': '# db\nDATABASE_URL="postgresql://postgres:s3cr3t-pw@localhost:5432/electricity_tokens"\n',
    'admin/package.json': pkg('tokens-admin', { dev: 'next dev -p 3100' }, PRISMA5),
    'admin/prisma/schema.prisma': SCHEMA,
    'admin/.env': 'DATABASE_URL=postgresql://admin:other-pw@127.0.0.1:5432/electricity_tokens?connection_limit=3\n',
  });
  const { findings } = await audit(ws);
  const d = byRule(findings, 'shared-database');
  assert.deepEqual(d.map((f) => `${path.relative(ws, f.location.file)}:${f.location.range.start.line}`).sort(), ['admin/.env:0', 'tokens/.env:1']);
  const onTokens = d.find((f) => f.location.file.endsWith(path.join('tokens', '.env')))!;
  assert.equal(onTokens.severity, 'warning');
  assert.match(onTokens.message, /electricity-tokens and tokens-admin use the same database \(electricity_tokens on localhost:5432\)/);
  assert.deepEqual(onTokens.related.map((r) => path.relative(ws, r.location.file)), ['admin/.env']);
  for (const f of d) {
    assert.ok(!/s3cr3t-pw|other-pw|postgres:|admin:/.test(f.message + f.related.map((r) => r.message).join()), 'no credentials');
  }
});

test('shared-database: different databases on one server (incident a), different schemas, other servers and replicas are fine', async () => {
  const ws = makeWorkspace({
    'a/package.json': pkg('electricity-tokens', { dev: 'next dev' }, PRISMA5),
    'a/.env': 'DATABASE_URL="postgresql://postgres:postgres@localhost:5432/electricity_tokens"\n',
    'b/package.json': pkg('multi-business', { dev: 'next dev -p 8080' }, PRISMA5),
    'b/.env': 'DATABASE_URL="postgresql://postgres:postgres@localhost:5432/multi_business_db"\n',
    // one database, two Prisma schemas
    'c/package.json': pkg('billing', { dev: 'next dev -p 3200' }, PRISMA5),
    'c/.env': 'DATABASE_URL="postgresql://app:app@localhost:5432/platform?schema=billing"\n',
    'd/package.json': pkg('catalog', { dev: 'next dev -p 3300' }, PRISMA5),
    'd/.env': 'DATABASE_URL="postgresql://app:app@localhost:5432/platform?schema=catalog"\n',
    'e/package.json': pkg('public-schema', { dev: 'next dev -p 3400' }, PRISMA5),
    'e/.env': 'DATABASE_URL="postgresql://app:app@localhost:5432/platform"\n',
    // same database name on another server
    'f/package.json': pkg('elsewhere', { dev: 'next dev -p 3500' }, PRISMA5),
    'f/.env': 'DATABASE_URL="postgresql://postgres:postgres@localhost:5433/electricity_tokens"\n',
    // replicas: one app on two servers, same database
    'server-1/package.json': pkg('shop', { start: 'next start -p 8081' }, PRISMA5),
    'server-1/.env': 'DATABASE_URL="postgresql://shop:shop@db.internal:5432/shop"\n',
    'server-2/package.json': pkg('shop', { start: 'next start -p 8081' }, PRISMA5),
    'server-2/.env': 'DATABASE_URL="postgresql://shop:shop@db.internal:5432/shop"\n',
    // a template is not a use
    'g/package.json': pkg('template-only', { dev: 'next dev -p 3600' }, PRISMA5),
    'g/.env.example': 'DATABASE_URL="postgresql://postgres:postgres@localhost:5432/electricity_tokens"\n',
  });
  const { findings } = await audit(ws);
  assert.deepEqual(byRule(findings, 'shared-database'), []);
});

test('shared-database: a replica\'s localhost is its own machine; a literal datasource url and prisma.config.ts are uses too', async () => {
  const ws = makeWorkspace({
    // server 2 of "shop" runs on 192.168.1.101 (its own URL says so): its localhost database is not server 1's
    'server-1/package.json': pkg('shop', { start: 'next start -p 8080' }, PRISMA5),
    'server-1/.env': 'NEXTAUTH_URL=http://localhost:8080\nDATABASE_URL="postgresql://shop:shop@localhost:5432/shop"\n',
    'server-2/package.json': pkg('shop', { start: 'next start -p 8080' }, PRISMA5),
    'server-2/.env': 'NEXTAUTH_URL=http://192.168.1.101:8080\nDATABASE_URL="postgresql://shop:shop@localhost:5432/shop"\n',
    // a reporting tool on server 2's machine reads the same database through its address
    'reports/package.json': pkg('shop-reports', { start: 'node index.js' }, { pg: '8.13.1' }),
    'reports/.env': 'DATABASE_URL="postgresql://ro:ro@192.168.1.101:5432/shop"\n',
    // a literal url in a schema
    'legacy/package.json': pkg('legacy', { start: 'node index.js' }, { '@prisma/client': '5.22.0' }),
    'legacy/prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = "postgresql://legacy:legacy@localhost:5432/shop"\n}\n',
    // Prisma 7: the url in prisma.config.ts
    'v7/package.json': pkg('next-gen', { start: 'node index.js' }, { '@prisma/client': '7.0.1', '@prisma/adapter-pg': '7.0.1' }),
    'v7/prisma.config.ts': "import { defineConfig } from 'prisma/config';\nexport default defineConfig({\n  datasource: {\n    url: 'postgresql://ng:ng@localhost:5432/shop',\n  },\n});\n",
  });
  const { findings } = await audit(ws);
  const at = byRule(findings, 'shared-database').map((f) => `${path.relative(ws, f.location.file)}:${f.location.range.start.line}`).sort();
  assert.deepEqual(at, [
    'legacy/prisma/schema.prisma:' + lineOf(path.join(ws, 'legacy/prisma/schema.prisma'), 'url'),
    'reports/.env:0',
    'server-1/.env:1',
    'server-2/.env:1',
    'v7/prisma.config.ts:' + lineOf(path.join(ws, 'v7/prisma.config.ts'), 'url:'),
  ].sort());
  const s2 = byRule(findings, 'shared-database').find((f) => f.location.file.endsWith(path.join('server-2', '.env')))!;
  assert.match(s2.message, /shop-reports/);
  assert.doesNotMatch(s2.message, /legacy|next-gen/);
  const s1 = byRule(findings, 'shared-database').find((f) => f.location.file.endsWith(path.join('server-1', '.env')))!;
  assert.match(s1.message, /legacy and next-gen|next-gen and legacy/);
});
