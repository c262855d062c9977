/**
 * Prisma schemas as Prisma sees them (issue 10, root cause 1; issue 11, the Prisma parts):
 * - a schema folder (Prisma >= 6.7) is validated as one schema, however it is declared (package.json
 *   `prisma.schema`, `schema` in prisma.config.ts, `--schema` in a script, the `prisma/schema/` folder, or a
 *   `schema.prisma` with its `models/` beside it); one parse-error summary per schema, with the count;
 *   nothing reported where a file Crosswire did not read may hold what is missing;
 * - a template (`{{PRISMA_PROVIDER}}`) is not a broken schema;
 * - positions are right after multi-byte characters (the validator counts UTF-16 code units: pinned here);
 * - validator messages never echo a value of the schema;
 * - garbage and hostile schemas are handled in bounded time, with at most one finding per schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import type { Finding } from '../src/model/types';
import {
  parsePrismaSchema,
  parsePrismaSchemaUnit,
  prismaConfigSchemaPath,
  redactValidatorMessage,
  releasePrismaValidators,
  schemaPathsInScripts,
  schemaValues,
} from '../src/parsers/prisma';
import { schemaUnits } from '../src/index/prisma-schemas';
import { classifyEnvFile } from '../src/parsers/env';
import { audit, byRule, lineOf, makeWorkspace, pkg } from './helpers/workspace';
import { fuzzParams, runProperty } from './helpers/fuzz';
import { REPO_ROOT } from './helpers/files';

const V6 = { prisma: '6.7.0', '@prisma/client': '6.7.0' };

const DATASOURCE = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n';
const GENERATOR = 'generator client {\n  provider = "prisma-client-js"\n}\n';
const USER = 'model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n  posts Post[]\n}\n';
const POST =
  'model Post {\n  id       Int  @id @default(autoincrement())\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n';

function parseErrors(findings: Finding[], ws: string): string[] {
  return byRule(findings, 'parse-error').map((f) => `${path.relative(ws, f.location.file)}:${f.location.range.start.line}: ${f.message}`);
}

// ------------------------------------------------------------------------------------------------
// Schema folders

test('a schema folder is one schema, however it is declared: a relation across files is no parse-error', async () => {
  const ws = makeWorkspace({
    // package.json "prisma": { "schema": <folder> }, with a subfolder (Prisma reads folders recursively)
    'pkgjson/package.json': JSON.stringify({ name: 'pkgjson', version: '1.0.0', dependencies: V6, prisma: { schema: 'db/schema' } }),
    'pkgjson/db/schema/main.prisma': DATASOURCE + GENERATOR,
    'pkgjson/db/schema/user.prisma': USER,
    'pkgjson/db/schema/blog/post.prisma': POST,
    // prisma.config.ts `schema: path.join(...)`
    'config/package.json': pkg('config', {}, V6),
    'config/prisma.config.ts':
      "import path from 'node:path';\nimport { defineConfig } from 'prisma/config';\n\nexport default defineConfig({\n  schema: path.join(__dirname, 'database'),\n});\n",
    'config/database/schema.prisma': DATASOURCE + GENERATOR,
    'config/database/models.prisma': USER + POST.replace('model Post', 'model Post'),
    // `--schema <folder>` in a script
    'script/package.json': pkg('script', { 'db:generate': 'prisma generate --schema ./models', postinstall: 'npx prisma generate --schema=./models' }, V6),
    'script/models/base.prisma': DATASOURCE + GENERATOR,
    'script/models/user.prisma': USER,
    'script/models/post.prisma': POST,
    // the conventional prisma/schema/ folder (preview feature prismaSchemaFolder, Prisma 5.15 to 6.6)
    'conventional/package.json': pkg('conventional', {}, { prisma: '6.5.0' }),
    'conventional/prisma/schema/schema.prisma':
      DATASOURCE + 'generator client {\n  provider        = "prisma-client-js"\n  previewFeatures = ["prismaSchemaFolder"]\n}\n',
    'conventional/prisma/schema/user.prisma': USER,
    'conventional/prisma/schema/post.prisma': POST,
    // a schema.prisma with its models/ folder, declared where Crosswire cannot see (a Dockerfile, a Makefile)
    'undeclared/package.json': pkg('undeclared', {}, V6),
    'undeclared/prisma/schema.prisma': DATASOURCE + GENERATOR,
    'undeclared/prisma/models/user.prisma': USER,
    'undeclared/prisma/models/post.prisma': POST,
  });
  const { findings } = await audit(ws);
  assert.deepEqual(parseErrors(findings, ws), []);
});

test('a real problem in a schema folder: one summary for the schema, with the count, at its first problem', async () => {
  const ws = makeWorkspace({
    'api/package.json': JSON.stringify({ name: 'api', version: '1.0.0', dependencies: V6, prisma: { schema: 'prisma' } }),
    'api/prisma/generator.prisma': GENERATOR,
    'api/prisma/main.prisma':
      'datasource db {\n  provider     = "postgresq"\n  url          = env("DATABASE_URL")\n}\n\ndatasource other {\n  provider = "postgresql"\n  url      = env("OTHER_URL")\n  relationMode = "nope"\n}\n',
    'api/prisma/models/user.prisma': USER,
    'api/prisma/models/post.prisma': POST,
  });
  const { findings } = await audit(ws);
  const pe = byRule(findings, 'parse-error');
  assert.equal(pe.length, 1, parseErrors(findings, ws).join('\n'));
  const main = path.join(ws, 'api/prisma/main.prisma');
  assert.equal(pe[0].location.file, main);
  assert.equal(pe[0].location.range.start.line, 1);
  assert.match(pe[0].message, /^Prisma 6 rejects this schema: .*\((\d+) problems in this schema; the first is shown here\)$/);
  assert.ok(Number(/\((\d+) problems/.exec(pe[0].message)![1]) >= 2);
});

test("a datasource property enabled by another file's generator: judged with the folder; not judged when that file was not read", async () => {
  const folder = (previewFeatures: string) => ({
    'web/package.json': JSON.stringify({ name: 'web', version: '1.0.0', dependencies: V6, prisma: { schema: 'schema' } }),
    'web/schema/db.prisma': 'datasource db {\n  provider   = "postgresql"\n  url        = env("DATABASE_URL")\n  extensions = [pgvector(map: "vector")]\n}\n',
    'web/schema/generator.prisma': `generator client {\n  provider        = "prisma-client-js"\n  previewFeatures = [${previewFeatures}]\n}\n`,
  });
  // The feature is enabled in the other file: valid.
  let ws = makeWorkspace(folder('"postgresqlExtensions"'));
  assert.deepEqual(parseErrors((await audit(ws)).findings, ws), []);
  // Not enabled anywhere: Prisma rejects the datasource, and says which preview feature it needs.
  ws = makeWorkspace(folder(''));
  const pe = parseErrors((await audit(ws)).findings, ws);
  assert.equal(pe.length, 1);
  assert.match(
    pe[0],
    /^web\/schema\/db\.prisma:3: Prisma 6 rejects this schema: The `extensions` property is only available with the `postgresqlExtensions` preview feature\.$/,
  );
  // The generator file is ignored by the configuration: what it enables is unknown, nothing is said.
  ws = makeWorkspace({ ...folder('"postgresqlExtensions"'), 'crosswire.config.json': '{ "ignore": ["web/schema/generator.prisma"] }\n' });
  assert.deepEqual(parseErrors((await audit(ws)).findings, ws), []);
  // ... or too large to be read.
  // (issue 11: the skipped file itself gets its info finding; nothing is said about the schema)
  ws = makeWorkspace({
    ...folder('"postgresqlExtensions"'),
    'web/schema/generator.prisma': folder('"postgresqlExtensions"')['web/schema/generator.prisma'] + `// ${'x'.repeat(1_100_000)}\n`,
  });
  assert.deepEqual(
    parseErrors((await audit(ws)).findings, ws).filter((x) => !x.startsWith('web/schema/generator.prisma:0: Crosswire did not read this file')),
    [],
  );
});

test('an edit of one file of a schema folder re-judges the folder (incremental index)', async () => {
  const ws = makeWorkspace({
    'api/package.json': pkg('api', {}, V6),
    'api/prisma/schema/schema.prisma': 'datasource db {\n  provider = "postgresq"\n  url      = env("DATABASE_URL")\n}\n' + GENERATOR,
    'api/prisma/schema/user.prisma': USER,
    'api/prisma/schema/post.prisma': POST,
  });
  const { engine, findings } = await audit(ws);
  assert.equal(byRule(findings, 'parse-error').length, 1);
  const schema = path.join(ws, 'api/prisma/schema/schema.prisma');
  fs.writeFileSync(schema, fs.readFileSync(schema, 'utf8').replace('"postgresq"', '"postgresql"'));
  await engine.refreshFromDisk(schema);
  assert.deepEqual(byRule(engine.findings(), 'parse-error'), []);
  const user = path.join(ws, 'api/prisma/schema/user.prisma');
  fs.writeFileSync(user, USER.replace('posts Post[]', 'posts Post[]\n  drafts Post[] @relation("drafts")'));
  await engine.refreshFromDisk(user);
  assert.deepEqual(byRule(engine.findings(), 'parse-error'), []);
});

test('schema units: declared folders and files, the conventional folder, alternatives side by side', () => {
  const app = '/w/app';
  const p = (rel: string) => path.join(app, rel);
  const files = [
    'prisma/template.prisma',
    'prisma/postgres/schema.prisma',
    'prisma/sqlite/schema.prisma',
    'prisma/models/user.prisma',
    'alt/a.prisma',
    'alt/b.prisma',
    'lone/fragment.prisma',
  ].map(p);
  const withDs = new Set(['prisma/template.prisma', 'prisma/postgres/schema.prisma', 'prisma/sqlite/schema.prisma', 'alt/a.prisma', 'alt/b.prisma'].map(p));
  const units = schemaUnits(app, files, [], [p('prisma/big.prisma')], (f) => withDs.has(f)).map((u) => ({
    files: u.files.map((f) => path.relative(app, f)),
    incomplete: u.incomplete,
  }));
  assert.deepEqual(
    units.sort((a, b) => a.files[0].localeCompare(b.files[0])),
    [
      { files: ['alt/a.prisma'], incomplete: false },
      { files: ['alt/b.prisma'], incomplete: false },
      { files: ['lone/fragment.prisma'], incomplete: false },
      { files: ['prisma/models/user.prisma', 'prisma/template.prisma'], incomplete: true },
      { files: ['prisma/postgres/schema.prisma'], incomplete: false },
      { files: ['prisma/sqlite/schema.prisma'], incomplete: false },
    ],
  );
  // A conventional prisma/schema/ folder with one datasource is one schema; with several (a generator's alternative
  // templates, one copied into a project), its files are alternatives, each its own schema.
  const conv = (ds: string[], rels: string[]) =>
    schemaUnits(app, rels.map(p), [], [], (f) => ds.map(p).includes(f)).map((u) => u.files.map((f) => path.relative(app, f)));
  assert.deepEqual(conv(['prisma/schema/base.prisma'], ['prisma/schema/base.prisma', 'prisma/schema/user.prisma']), [
    ['prisma/schema/base.prisma', 'prisma/schema/user.prisma'],
  ]);
  assert.deepEqual(
    conv(['t/prisma/schema/pg.prisma', 't/prisma/schema/sqlite.prisma'], ['t/prisma/schema/pg.prisma', 't/prisma/schema/sqlite.prisma']).sort(),
    [['t/prisma/schema/pg.prisma'], ['t/prisma/schema/sqlite.prisma']],
  );
  // A declared folder takes precedence and takes its subfolders; a declared file stands alone.
  const declared = schemaUnits(app, files, [p('prisma'), p('alt/a.prisma')], [], (f) => withDs.has(f)).map((u) => u.files.map((f) => path.relative(app, f)));
  assert.deepEqual(declared.slice(0, 2), [
    ['prisma/models/user.prisma', 'prisma/postgres/schema.prisma', 'prisma/sqlite/schema.prisma', 'prisma/template.prisma'],
    ['alt/a.prisma'],
  ]);
});

test('where a project says its schema is: prisma.config.ts and scripts, parsed, never run', () => {
  const cfg = (body: string) => prismaConfigSchemaPath(body, '/w/prisma.config.ts');
  assert.equal(cfg("import { defineConfig } from 'prisma/config';\nexport default defineConfig({ schema: 'prisma/schema' });"), 'prisma/schema');
  assert.equal(cfg("import path from 'node:path';\nexport default defineConfig({ schema: path.join('prisma', 'schema') });"), 'prisma/schema');
  assert.equal(cfg("export default defineConfig({ schema: path.resolve(__dirname, 'db') });"), 'db');
  assert.equal(cfg("export default defineConfig({ schema: join(import.meta.dirname, 'db', 'schema.prisma') });"), 'db/schema.prisma');
  assert.equal(cfg("import type { PrismaConfig } from 'prisma';\nexport default { schema: './database' } satisfies PrismaConfig;"), './database');
  assert.equal(cfg("const config = defineConfig({ schema: 'x' });\nexport default config;"), 'x');
  assert.equal(cfg("const schema = 'y';\nmodule.exports = { schema };"), 'y');
  assert.equal(cfg('export default defineConfig({ schema: process.env.SCHEMA })'), undefined);
  assert.equal(cfg("export default defineConfig({ schema: path.join(dir, 'x') })"), undefined);
  assert.equal(cfg('export default defineConfig({ schema: '), undefined);
  assert.deepEqual(
    schemaPathsInScripts([
      'prisma generate --schema ./prisma/schema',
      'pnpm prisma migrate deploy --schema=db/schema.prisma && next build',
      'npx prisma db push --schema "with space/schema"',
      'node_modules/.bin/prisma validate --schema x.prisma',
      'cd packages/db && prisma generate --schema other',
      'tsc --schema not-prisma',
      'prisma generate --schema $SCHEMA',
    ]),
    ['./prisma/schema', 'db/schema.prisma', 'with space/schema', 'x.prisma'],
  );
});

// ------------------------------------------------------------------------------------------------
// Templates

test('a schema with template placeholders is a template, not a broken schema', async () => {
  const ws = makeWorkspace({
    'db/package.json': pkg('db', { generate: 'node scripts/render-schema.js && prisma generate' }, { prisma: '5.11.0' }),
    'db/prisma/template.prisma':
      GENERATOR + '\ndatasource db {\n  provider = "{{PRISMA_PROVIDER}}"\n  url      = env("PRISMA_DATABASE_URL")\n}\n\n' + USER.replace('posts Post[]\n', ''),
    'db/prisma/postgres/schema.prisma': GENERATOR + '\n' + DATASOURCE + '\n' + USER.replace('posts Post[]\n', ''),
    'ejs/package.json': pkg('ejs', {}, V6),
    'ejs/schema.prisma':
      'datasource db {\n  provider = <%= provider %>\n  url      = env("DATABASE_URL")\n}\n{% for m in models %}\nmodel {{ m.name }} {\n  id Int @id\n}\n{% endfor %}\n',
  });
  const { findings } = await audit(ws);
  assert.deepEqual(parseErrors(findings, ws), []);
  // A placeholder in a comment does not make a schema a template.
  const broken = parsePrismaSchema(
    '// rendered from {{template}}\ndatasource db {\n  provider = "postgresq"\n  url      = env("DATABASE_URL")\n}\n',
    'schema.prisma',
    6,
  );
  assert.equal(broken.problems.length, 1);
});

// ------------------------------------------------------------------------------------------------
// Positions

test('positions after multi-byte characters: the finding is on the right line and column', async () => {
  const text = 'datasource db {\n  // pool size ≥ 10 ≥≥≥≥≥≥≥≥≥≥ — see 😀 docs\n  provider = "postgresq"\n  url      = env("DATABASE_URL")\n}\n';
  const ws = makeWorkspace({ 'api/package.json': pkg('api', {}, V6), 'api/prisma/schema.prisma': text });
  const { findings } = await audit(ws);
  const pe = byRule(findings, 'parse-error');
  assert.equal(pe.length, 1);
  const file = path.join(ws, 'api/prisma/schema.prisma');
  const line = lineOf(file, 'provider = "postgresq"');
  const col = text.split('\n')[line].indexOf('"postgresq"');
  assert.deepEqual(pe[0].location.range, { start: { line, character: col }, end: { line, character: col + '"postgresq"'.length } });
});

test('the pinned validators report offsets in UTF-16 code units (what the position conversion relies on)', () => {
  const chars = ['≥', '😀', 'é', '中', '𝔘', '\u{10FFFF}', 'a', 'ß', '\u00a0'];
  const noise = fc.array(fc.constantFrom(...chars), { maxLength: 6 }).map((a) => a.join(''));
  for (const name of ['prisma-schema-wasm-v6', 'prisma-schema-wasm-v7']) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const v = require(name) as { lint(input: string): string };
    runProperty(
      fc.property(noise, noise, noise, noise, (a, b, c, d) => {
        const first = `// ${a}\nmodel A {\n  // ${b} x ${c}\n  id Int @id // ${d}\n  b Foo @map("${a}${b}")\n}\n`;
        const second = `/// ${c}${d}\nmodel B {\n  id Int @id\n  c Bar\n}\n`;
        const diags = JSON.parse(
          v.lint(
            JSON.stringify([
              ['0.prisma', first],
              ['1.prisma', second],
            ]),
          ),
        );
        assert.equal(diags.length, 2);
        for (const x of diags) {
          const src = x.file_name === '0.prisma' ? first : second;
          assert.equal(src.slice(x.start, x.end), x.file_name === '0.prisma' ? 'Foo' : 'Bar', name);
        }
      }),
      fuzzParams(100),
    );
  }
});

// ------------------------------------------------------------------------------------------------
// Secrets

const PASSWORD = 'PassArr0wS3cretZq9x';
const TOKEN = 'Zq9xK2mW7vB4nL8pQ3rT';

function windowsOf(secret: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i++) out.push(secret.slice(i, i + 8));
  return out;
}

test('validator messages never echo a value of the schema (CLI, every format)', async () => {
  const ws = makeWorkspace({
    'api/package.json': pkg('api', {}, V6),
    'api/prisma/schema.prisma': `datasource db {\n  provider     = "postgresql"\n  url          = ["postgresql://admin:${PASSWORD}@db/app"]\n  relationMode = "${TOKEN}"\n}\n`,
    'web/package.json': pkg('web', {}, V6),
    'web/prisma/schema.prisma': `datasource db {\n  provider  = "postgresql"\n  url       = env("DATABASE_URL")\n  directUrl = ${TOKEN}\n}\n`,
  });
  const { findings } = await audit(ws);
  const pe = byRule(findings, 'parse-error');
  assert.equal(pe.length, 2, parseErrors(findings, ws).join('\n'));
  for (const f of pe)
    for (const w of [...windowsOf(PASSWORD), ...windowsOf(TOKEN), ...windowsOf(`postgresql://admin:${PASSWORD}`).slice(10)])
      assert.ok(!f.message.includes(w), `${f.message} holds ${w}`);
  assert.match(pe.find((f) => f.location.file.includes('api'))!.message, /Invalid relation mode setting: "…"/);
  const cli = path.join(REPO_ROOT, 'server', 'dist', 'cli.js');
  for (const format of ['text', 'json', 'sarif']) {
    const r = spawnSync(process.execPath, [cli, 'audit', ws, '--format', format, '--fail-on', 'never'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /rejects this schema/);
    for (const w of [...windowsOf(PASSWORD), ...windowsOf(TOKEN)]) assert.ok(!r.stdout.includes(w) && !r.stderr.includes(w), `${format} output holds ${w}`);
  }
});

test("redaction: quoted values go, Prisma's own words stay; property over random secrets in datasource values", () => {
  const values = schemaValues(['datasource db {\n  provider = "postgresql"\n  url = ["postgresql://u:topsecretvalue@h/db"]\n  foo = "abc"\n}\n']);
  assert.equal(
    redactValidatorMessage('Expected a String value, but received array value `["postgresql://u:topsecretvalue@h/db"]`.', values),
    'Expected a String value, but received array value `…`.',
  );
  assert.equal(redactValidatorMessage('Property not known: "abc".', values), 'Property not known: "…".');
  assert.equal(redactValidatorMessage('Argument "url" is missing in data source block "db".', values), 'Argument "url" is missing in data source block "db".');
  assert.equal(
    redactValidatorMessage('The `extensions` property is only available with the `postgresqlExtensions` preview feature.', values),
    'The `extensions` property is only available with the `postgresqlExtensions` preview feature.',
  );
  assert.equal(
    redactValidatorMessage('the URL must start with the protocol `postgresql://` or `postgres://`.', values),
    'the URL must start with the protocol `postgresql://` or `postgres://`.',
  );
  assert.equal(redactValidatorMessage('received u:topsecretvalue unquoted', values), 'received … unquoted');

  const secret = fc.stringMatching(/^[A-Za-z0-9+/=_.~-]{12,40}$/);
  const property = fc.constantFrom('url', 'directUrl', 'shadowDatabaseUrl', 'relationMode', 'provider', 'extensions', 'schemas', 'secretKey');
  const shape = fc.constantFrom(
    (s: string) => `"${s}"`,
    (s: string) => `["postgresql://admin:${s}@db/app"]`,
    (s: string) => s,
    (s: string) => `env(${s})`,
    (s: string) => `[${s}, "x"]`,
    (s: string) => `"postgresql://u:${s}@h:5432/d?x=1"`,
  );
  runProperty(
    fc.property(secret, property, shape, fc.constantFrom(6, 7), (s, prop, wrap, major) => {
      const text = `datasource db {\n  provider = "postgresql"\n  ${prop} = ${wrap(s)}\n}\n`;
      const info = parsePrismaSchema(text, 'schema.prisma', major);
      assert.ok(info.problems.length <= 1);
      for (const p of info.problems) for (const w of windowsOf(s)) assert.ok(!p.message.includes(w), `${p.message} holds ${w}`);
    }),
    fuzzParams(300),
  );
});

// ------------------------------------------------------------------------------------------------
// Garbage, bounded time, bounded findings

function garbage(size: number, seed: number, alphabet: string): string {
  let x = seed;
  let out = '';
  const chars = [...alphabet];
  while (out.length < size) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += chars[x % chars.length];
  }
  return out;
}

test('a garbage schema: one finding, no validator call, in bounded time (fails on time by a wide margin)', async () => {
  const ascii = garbage(400_000, 1, 'abc def=\n"@x(1)[]');
  const unicode = garbage(300_000, 2, 'ab≥é😀 \n"=@中');
  const braces = garbage(400_000, 3, 'abc d{}{}{}"=\n%<>${}');
  const cases: Record<string, string> = {
    // no datasource: the whole text went to the validator, quadratic (58 s and 477 MB for 400 KB)
    'ascii.prisma': ascii,
    'unicode.prisma': unicode,
    'braces.prisma': braces,
    // a datasource that never closes: the rest of the file was in its block
    'unclosed.prisma': 'datasource db {\n  provider = "postgresql"\n' + ascii,
    // a generator that never closes, after a valid datasource
    'generator.prisma': DATASOURCE + 'generator client {\n' + unicode,
    // one long line: placeholders that never close, a value with a long run of spaces
    'line.prisma': 'datasource db {\n  provider = "postgresql"\n  url = ' + '{{'.repeat(100_000) + ' '.repeat(200_000) + 'x\n}\n',
    'blanks.prisma': 'datasource db {\n' + '\n'.repeat(300_000) + '  provider = "postgresq"\n}\n' + ' \n'.repeat(100_000),
  };
  for (const [name, text] of Object.entries(cases)) {
    for (const major of [6, 7]) {
      const t = Date.now();
      const info = parsePrismaSchema(text, name, major);
      const ms = Date.now() - t;
      assert.ok(ms < 5000, `${name} (Prisma ${major}) took ${ms} ms`);
      assert.ok(info.problems.length <= 1, `${name}: ${info.problems.length} problems`);
    }
  }
  assert.match(parsePrismaSchema(ascii, 'x.prisma', 6).problems[0].message, /holds no Prisma block/);
  assert.match(parsePrismaSchema(cases['unclosed.prisma'], 'x.prisma', 6).problems[0].message, /never closed/);
  assert.match(parsePrismaSchema(cases['generator.prisma'], 'x.prisma', 6).problems[0].message, /never closed/);
  assert.equal(parsePrismaSchema(cases['blanks.prisma'], 'x.prisma', 6).problems[0].range.start.line, 300_001);

  // Through the engine, as a workspace: one finding per schema.
  const ws = makeWorkspace({
    'a/package.json': pkg('a', {}, V6),
    'a/prisma/schema.prisma': ascii,
    'b/package.json': pkg('b', {}, { prisma: '7.0.0' }),
    'b/prisma/schema.prisma': cases['unclosed.prisma'],
  });
  const t = Date.now();
  const { findings } = await audit(ws);
  assert.ok(Date.now() - t < 10_000, `audit took ${Date.now() - t} ms`);
  assert.equal(byRule(findings, 'parse-error').length, 2, parseErrors(findings, ws).join('\n'));
});

test('fuzz: random schemas and schema folders never throw, yield at most one problem per schema, in bounded time', () => {
  const token = fc.constantFrom(
    'datasource db {',
    'generator client {',
    'model A {',
    'enum E {',
    '}',
    '{',
    '\n',
    '\r\n',
    ' ',
    '  provider = "postgresql"',
    '  provider = "postgresq"',
    '  url = env("DATABASE_URL")',
    '  url = ["x"]',
    '  relationMode = "x"',
    '  id Int @id',
    '  b B',
    '// ≥ 😀',
    '{{X}}',
    '<%= y %>',
    '${Z}',
    '"',
    '\\',
    '@@',
    '≥',
    '😀',
    '\u0000',
    'x = 1',
  );
  const file = fc.array(token, { maxLength: 60 }).map((a) => a.join(''));
  runProperty(
    fc.property(fc.array(file, { minLength: 1, maxLength: 3 }), fc.constantFrom(undefined, 5, 6, 7), fc.boolean(), (texts, major, incomplete) => {
      const t = Date.now();
      const infos = parsePrismaSchemaUnit(
        texts.map((text, i) => ({ file: `/s/${i}.prisma`, text })),
        major,
        { incomplete },
      );
      assert.ok(Date.now() - t < 2000);
      assert.equal(infos.length, texts.length);
      assert.ok(infos.reduce((n, i) => n + i.problems.length, 0) <= 1);
      infos.forEach((info, i) => {
        const lines = texts[i].split(/\r\n|\r|\n/);
        for (const p of info.problems) assert.ok(p.range.start.line < lines.length && p.range.end.line < lines.length);
      });
    }),
    fuzzParams(500),
  );
});

test('connection_limit written in a datasource: missing-connection-limit reports it up to Prisma 6, parse-error in Prisma 7', () => {
  const text = 'datasource db {\n  provider         = "postgresql"\n  url              = env("DATABASE_URL")\n  connection_limit = 5\n}\n';
  assert.equal(parsePrismaSchema(text, 'schema.prisma', 6).problems.length, 0);
  const v7 = parsePrismaSchema(text.replace('  url              = env("DATABASE_URL")\n', ''), 'schema.prisma', 7).problems;
  assert.equal(v7.length, 1);
  assert.match(v7[0].message, /^Prisma 7 rejects this schema: Property not known: "connection_limit"\.$/);
  assert.equal(v7[0].range.start.line, 2);
});

test('released validators load again: a schema judged after the CLI drops them is still judged by Prisma', () => {
  const schema = (provider: string) => `datasource db {\n  provider = "${provider}"\n  url      = env("DATABASE_URL")\n}\n`;
  const loaded = () => Object.keys(require.cache).filter((id) => /prisma-schema-wasm-v6/.test(id));
  // (a clean start: another test of this file may have required the package itself)
  for (const id of loaded()) delete require.cache[id];
  releasePrismaValidators();
  assert.equal(parsePrismaSchema(schema('postgresq'), 'a.prisma', 6).problems.length, 1);
  // Only Crosswire holds the validator: not Node's module cache, so releasing it lets its instance be collected.
  assert.deepEqual(loaded(), []);
  releasePrismaValidators();
  // Another text (no cached verdict): the validator itself has to answer, loaded again.
  const problems = parsePrismaSchema(schema('mysqll'), 'b.prisma', 6).problems;
  assert.equal(problems.length, 1);
  assert.match(problems[0].message, /^Prisma 6 rejects this schema: /);
  assert.deepEqual(loaded(), []);
  assert.equal(parsePrismaSchema(schema('postgresql'), 'c.prisma', 6).problems.length, 0);
});

test('a .prisma file with no Prisma block is reported once; a comment-only one is not', () => {
  const p = parsePrismaSchema('this is not\na schema\n', 'x.prisma', 6);
  assert.equal(p.problems.length, 1);
  assert.match(p.problems[0].message, /holds no Prisma block .* its 2 lines/);
  assert.equal(parsePrismaSchema('// nothing yet\n\n/// soon\n', 'x.prisma', 6).problems.length, 0);
  // A fragment of a schema folder (models only) is not validated on its own.
  assert.equal(parsePrismaSchema(USER, 'user.prisma', 6).problems.length, 0);
});

test('diff and patch files named like env files are not env files', () => {
  for (const name of ['.env.vault.diff', '.env.client.diff', '.env.patch', '.env.orig', '.env.rej']) assert.equal(classifyEnvFile(name), null, name);
  assert.notEqual(classifyEnvFile('.env.production'), null);
});

test('one file produces at most 50 parse-error findings, the last counting the rest', async () => {
  const lines: string[] = [];
  for (let i = 0; i < 120; i++) lines.push(`not a key value line ${i}`, `KEY_${i}=value`);
  const ws = makeWorkspace({ 'api/package.json': pkg('api', {}, {}), 'api/.env': lines.join('\n') + '\n' });
  const pe = byRule((await audit(ws)).findings, 'parse-error');
  assert.equal(pe.length, 50);
  const last = pe.sort((a, b) => a.location.range.start.line - b.location.range.start.line)[49];
  assert.equal(last.location.range.start.line, 98);
  assert.match(last.message, /could not read 71 more places of this file \(the first is here\); only the first 49 are listed/);
});
