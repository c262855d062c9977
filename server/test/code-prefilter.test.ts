/**
 * The code pre-filter (parsers/code.ts `mayHaveCodeFacts`): a TS/JS file is parsed only when its text may hold a
 * fact the reader records. Parsing is most of a cold audit, so the filter asks for each fact's shape; it must never
 * turn away a file that holds a fact. Checked three ways: each fact shape passes and gives its fact; the common
 * shapes that hold none are not parsed (and indeed hold none); and on every TS/JS file of the test workspace and the
 * fixtures, a file with facts passes the filter.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mayHaveCodeFacts, parseCode } from '../src/parsers/code';
import { hasFacts, parseIndexedFile } from '../src/index/ingest';
import { REPO_ROOT } from './helpers/files';
import type { Logger } from '../src/model/types';

/** One file of each fact shape, with the file name the reader sees and what it must record. */
const FACT_SHAPES: { name: string; file: string; text: string; fact: (c: ReturnType<typeof parseCode>) => unknown }[] = [
  {
    name: 'env default with ??',
    file: 'src/config.ts',
    text: "export const api = process.env.API_URL ?? 'http://api.local';\n",
    fact: (c) => c.defaults[0]?.value,
  },
  {
    name: 'env default through a cast and parentheses, operator on the next line',
    file: 'src/config.ts',
    text: "export const api =\n  (process.env.API_URL as string | undefined)\n  || 'https://api.example.com';\n",
    fact: (c) => c.defaults[0]?.value,
  },
  {
    name: 'optional-chained env default',
    file: 'next.config.js',
    text: "const debug = process?.env?.DEBUG_I18N ?? 'false';\nmodule.exports = { debug };\n",
    fact: (c) => c.defaults[0]?.value,
  },
  {
    name: 'Vite env default',
    file: 'src/api.ts',
    text: "export const base = import.meta.env.VITE_API || 'http://localhost:4000';\n",
    fact: (c) => c.defaults[0]?.value,
  },
  {
    name: 'ConfigService default',
    file: 'src/app.service.ts',
    text: "export class S { constructor(private readonly configService: ConfigService) {}\n  url() { return this.configService.get<string>('API_URL', 'http://api:4000'); } }\n",
    fact: (c) => c.defaults[0]?.value,
  },
  {
    name: 'zod schema default over several lines',
    file: 'src/env.ts',
    text: "import { z } from 'zod';\nexport const env = z.object({\n  API_URL: z\n    .string()\n    .url()\n    .default('http://localhost:4000'),\n}).parse(process.env);\n",
    fact: (c) => c.defaults[0]?.value,
  },
  {
    name: 'env schema port key',
    file: 'src/env.ts',
    text: 'export const env = createEnv({ server: { API_PORT: z.coerce.number() }, runtimeEnv: process.env });\n',
    fact: (c) => c.schemaPortKeys?.[0],
  },
  { name: 'listen', file: 'src/main.ts', text: 'app.listen(4000);\n', fact: (c) => c.listens[0]?.literal },
  {
    name: 'Hono node-server serve',
    file: 'src/index.ts',
    text: "import { serve } from '@hono/node-server';\nserve({ fetch: app.fetch, port: 8787 });\n",
    fact: (c) => c.listens[0]?.literal,
  },
  { name: 'Bun.serve', file: 'src/index.ts', text: 'Bun.serve({ port: 3030, fetch() { return new Response("ok"); } });\n', fact: (c) => c.listens[0]?.literal },
  {
    name: 'Bun default export',
    file: 'src/index.ts',
    text: 'export default { port: 3031, fetch(req: Request) { return new Response("ok"); } };\n',
    fact: (c) => c.listens[0]?.literal,
  },
  {
    name: 'exported Hono app',
    file: 'src/index.ts',
    text: "import { Hono } from 'hono';\nconst app = new Hono();\nexport default app;\n",
    fact: (c) => c.listens[0]?.fallback,
  },
  { name: 'dotenv/config import', file: 'src/main.ts', text: "import 'dotenv/config';\n", fact: (c) => c.loadsDotenv },
  {
    name: "dotenv's config({ path })",
    file: 'src/main.ts',
    text: "import * as dotenv from 'dotenv';\ndotenv.config({ path: '../.env.shared' });\n",
    fact: (c) => c.dotenvPaths[0],
  },
  {
    name: 'ConfigModule.forRoot',
    file: 'src/app.module.ts',
    text: "@Module({ imports: [ConfigModule.forRoot({ envFilePath: '.env.local' })] })\nexport class AppModule {}\n",
    fact: (c) => c.loadsDotenv,
  },
  { name: 'pg Pool', file: 'src/db.ts', text: "import pg from 'pg';\nexport const pool = new pg.Pool({ max: 20 });\n", fact: (c) => c.driverPools[0]?.max },
  {
    name: 'PrismaPg adapter',
    file: 'src/db.ts',
    text: 'const adapter = new PrismaPg({ connectionString: process.env.DATABASE_URL, max: 5 });\n',
    fact: (c) => c.driverPools[0]?.max,
  },
  {
    name: 'Effect config',
    file: 'src/config.ts',
    text: "export const ServerConfig = Config.all({ port: Config.number('PORT').pipe(Config.withDefault(3000)) });\n",
    fact: (c) => c.effectConfigs?.[0]?.fields[0]?.fallback,
  },
  {
    name: 'placeholder guard',
    file: 'src/auth.ts',
    text: "if (secret === 'change-me') throw new Error('set a secret');\n",
    fact: (c) => c.placeholderGuards?.[0],
  },
  {
    name: 'NextAuth call',
    file: 'src/auth.ts',
    text: "import NextAuth from 'next-auth';\nexport default NextAuth({ providers: [], secret: process.env.NEXTAUTH_SECRET });\n",
    fact: (c) => c.auth?.nextAuth.length,
  },
  {
    name: 'jsonwebtoken',
    file: 'src/jwt.ts',
    text: "import jwt from 'jsonwebtoken';\nexport const t = (p: object) => jwt.sign(p, process.env.JWT_SECRET!);\n",
    fact: (c) => c.auth?.secretReads[0]?.envVar,
  },
  {
    name: 'express-session',
    file: 'src/app.ts',
    text: "import session from 'express-session';\napp.use(session({ secret: process.env.SESSION_SECRET! }));\n",
    fact: (c) => c.auth?.sessions[0]?.kind,
  },
  { name: 'res.cookie', file: 'src/login.ts', text: "res.cookie('sid', token, { httpOnly: true });\n", fact: (c) => c.auth?.cookies[0]?.name },
  {
    name: 'cookies().set',
    file: 'app/login/route.ts',
    text: "import { cookies } from 'next/headers';\n(await cookies()).set('session', v, { secure: true });\n",
    fact: (c) => c.auth?.cookies[0]?.name,
  },
  {
    name: 'cors',
    file: 'src/app.ts',
    text: "import cors from 'cors';\napp.use(cors({ origin: 'http://localhost:5173', credentials: true }));\n",
    fact: (c) => c.auth?.cors[0]?.origins?.[0],
  },
  {
    name: 'local URL in a file read for another fact',
    file: 'src/client.ts',
    text: "const u = process.env.API_URL;\nfetch(u || 'x');\nexport const fallback = 'http://localhost:4000/api';\n",
    fact: (c) => c.urlLiterals?.[0]?.value,
  },
  {
    name: 'Vite config by its name',
    file: 'vite.config.ts',
    text: "import { defineConfig } from 'vite';\nexport default defineConfig({ server: { port: 5174 } });\n",
    fact: (c) => c.vite,
  },
];

for (const s of FACT_SHAPES) {
  test(`code pre-filter: a file with a fact is parsed (${s.name})`, () => {
    const file = path.join('/ws/app', s.file);
    assert.equal(mayHaveCodeFacts(s.text, file), true, 'the filter lets it through');
    const info = parseCode(s.text, file);
    assert.ok(s.fact(info), `the reader records the fact: ${JSON.stringify({ ...info, text: undefined })}`);
    assert.equal(hasFacts(info), true);
  });
}

/** Shapes common in real source files that hold no fact: each mentions a keyword the old, coarse filter parsed on. */
const NO_FACT_SHAPES: { name: string; file: string; text: string }[] = [
  {
    name: 'an env read without a default',
    file: 'src/client.ts',
    text: 'export const key = process.env.NEXT_PUBLIC_KEY;\nexport const on = !!process.env.FEATURE;\n',
  },
  { name: 'NODE_ENV compared, then ||', file: 'src/flags.ts', text: "export const verbose = process.env.NODE_ENV === 'development' || flags.verbose;\n" },
  { name: 'a promise .catch', file: 'src/run.ts', text: 'const url = process.env.URL;\nload(url).catch((e) => console.error(e));\n' },
  {
    name: 'a next-auth client component',
    file: 'app/profile.tsx',
    text: "'use client';\nimport { useSession } from 'next-auth/react';\nexport function P() { const { data } = useSession(); return data?.user?.name; }\n",
  },
  {
    name: 'reading a cookie',
    file: 'app/page.tsx',
    text: "import { cookies } from 'next/headers';\nexport default async function Page() { return (await cookies()).get('theme')?.value; }\n",
  },
  { name: 'a config namespace read', file: 'src/jwt.service.ts', text: "const secret = this.configService.get('auth.jwt.secret');\n" },
  {
    name: 'a default-exported component that fetches',
    file: 'app/page.tsx',
    text: "export default async function Page() { const r = await fetch('/api/items'); return r.json(); }\n",
  },
  { name: 'dotenv-expand only', file: 'scripts/env.ts', text: "import { expand } from 'dotenv-expand';\nexpand({ parsed: {} });\n" },
  {
    name: 'a server: key of a test config',
    file: 'playwright.config.ts',
    text: 'export default defineConfig({ use: { baseURL: process.env.BASE_URL }, server: undefined });\n',
  },
];

for (const s of NO_FACT_SHAPES) {
  test(`code pre-filter: a file without facts is not parsed (${s.name})`, () => {
    const file = path.join('/ws/app', s.file);
    assert.equal(mayHaveCodeFacts(s.text, file), false, 'the filter turns it away');
    // ...and rightly: parsed anyway, it holds no fact.
    assert.equal(hasFacts(parseCode(s.text, file)), false);
  });
}

function codeFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules') codeFiles(p, out);
    else if (e.isFile() && /\.[cm]?[jt]sx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

test("code pre-filter: every TS/JS file of the test workspace and the fixtures that holds a fact passes it (local URLs aside: they are read only in files that mention another fact's keyword)", () => {
  const files = [...codeFiles(path.join(REPO_ROOT, 'test-workspace')), ...codeFiles(path.join(REPO_ROOT, 'server', 'test', 'fixtures'))];
  let withFacts = 0;
  const missed: string[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    if (!hasFacts({ ...parseCode(text, file), urlLiterals: undefined })) continue;
    withFacts++;
    if (!mayHaveCodeFacts(text, file)) missed.push(path.relative(REPO_ROOT, file));
  }
  assert.ok(withFacts > 50, `${withFacts} files with facts read`);
  assert.deepEqual(missed, []);
});

/** Test sources by name hold a test's inputs (a server on a test port, a JWT signed with a test secret): not read. */
test('code pre-filter: test sources by name are not parsed; the same text elsewhere, or in an e2e app, is', () => {
  const root = '/ws';
  const text = "import 'dotenv/config';\nimport jwt from 'jsonwebtoken';\napp.listen(4000);\nexport const t = jwt.sign({}, 'test-secret');\n";
  const opts = { maxFileSize: 1 << 20, ruleIds: new Set<string>(), keepText: false };
  const log: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const read = (rel: string) => {
    const r = parseIndexedFile(path.join(root, rel), 'code', text, root, opts, log);
    assert.ok('entry' in r, `${rel} is indexed`);
    return r.entry.code;
  };
  for (const rel of [
    'apps/api/src/server.test.ts',
    'apps/api/src/server.spec.js',
    'apps/api/src/app.e2e.ts',
    'apps/web/src/Button.stories.tsx',
    'apps/api/src/__tests__/server.ts',
    'apps/api/__mocks__/jwt.ts',
    'packages/lib/__fixtures__/app/main.mjs',
  ]) {
    assert.equal(read(rel), undefined, `${rel} is a test source: not parsed`);
  }
  for (const rel of ['apps/api/src/server.ts', 'apps/e2e/src/main.ts', 'apps/api/test/setup-server.ts', 'apps/testing/src/main.ts']) {
    const code = read(rel);
    assert.equal(code?.listens[0]?.literal, 4000, `${rel} is parsed and its listener read`);
    assert.equal(code?.loadsDotenv, true);
  }
});
