import { RuleTester } from './helpers/rule-tester';
import { pkg } from './helpers/workspace';

const PRISMA5 = { '@prisma/client': '5.22.0', prisma: '5.22.0', next: '14.2.18' };
const SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n';
/** No credentials printed. */
const CREDENTIALS = [/s3cr3t-pw|other-pw|postgres:|admin:/];

new RuleTester().run('shared-database', {
  valid: [
    {
      name: 'different databases on one server (incident a), different schemas, other servers and replicas are fine',
      files: {
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
      },
    },
  ],
  invalid: [
    {
      name: 'two apps on one database get a warning on each DATABASE_URL line, naming the other; no credentials printed',
      files: {
        'tokens/package.json': pkg('electricity-tokens', { dev: 'next dev' }, PRISMA5),
        'tokens/prisma/schema.prisma': SCHEMA,
        'tokens/.env': '# db\nDATABASE_URL="postgresql://postgres:s3cr3t-pw@localhost:5432/electricity_tokens"\n',
        'admin/package.json': pkg('tokens-admin', { dev: 'next dev -p 3100' }, PRISMA5),
        'admin/prisma/schema.prisma': SCHEMA,
        'admin/.env': 'DATABASE_URL=postgresql://admin:other-pw@127.0.0.1:5432/electricity_tokens?connection_limit=3\n',
      },
      errors: [
        { file: 'admin/.env', line: 1, messageExcludes: CREDENTIALS },
        {
          file: 'tokens/.env',
          line: 2,
          severity: 'warning',
          message: 'electricity-tokens shares database electricity_tokens on localhost:5432 with tokens-admin.',
          related: [{ file: 'admin/.env' }],
          messageExcludes: CREDENTIALS,
        },
      ],
    },
    {
      name: "a replica's localhost is its own machine; a literal datasource url and prisma.config.ts are uses too",
      files: {
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
        'v7/prisma.config.ts':
          "import { defineConfig } from 'prisma/config';\nexport default defineConfig({\n  datasource: {\n    url: 'postgresql://ng:ng@localhost:5432/shop',\n  },\n});\n",
      },
      errors: [
        { file: 'legacy/prisma/schema.prisma', lineIncludes: 'url' },
        { file: 'reports/.env', line: 1 },
        { file: 'server-1/.env', line: 2, message: /legacy and next-gen|next-gen and legacy/ },
        { file: 'server-2/.env', line: 2, messageIncludes: 'shop-reports', messageExcludes: ['legacy', 'next-gen'] },
        { file: 'v7/prisma.config.ts', lineIncludes: 'url:' },
      ],
    },
  ],
});
