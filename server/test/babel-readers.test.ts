/**
 * The readers ported from the TypeScript compiler to Babel's tree (parsers/js.ts) and, for crosswire.config.json and the
 * `crosswire` key of package.json, to jsonc-parser: PM2 ecosystem files, Playwright's webServer, prisma.config.ts's
 * schema, string constants resolved across files, the Prisma 7 pool's `max` quick fix. The shapes where Babel's tree
 * differs from the compiler's (optional chaining, `as`/`satisfies`, parentheses, `export default`, `module.exports`,
 * files it cannot read at all), and what a user sees.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { WorkspaceView } from '../src/model/types';
import { LineIndex } from '../src/model/text';
import { parsePm2 } from '../src/parsers/pm2';
import { parsePlaywrightWebServers } from '../src/parsers/playwright';
import { prismaConfigSchemaPath } from '../src/parsers/prisma';
import { parseConfig, parsePackageCrosswireKey } from '../src/parsers/config';
import { resolveConst } from '../src/facts/sessions';
import { setPoolMaxEdits } from '../src/rules/missing-connection-limit';

const RULES = new Set(['port-collision', 'implicit-port', 'weak-secret']);

/** A workspace view over a few files' texts (all that these readers ask of it). */
function view(files: Record<string, string>): WorkspaceView {
  return { textOf: (f: string) => files[f] } as unknown as WorkspaceView;
}

// ---------------------------------------------------------------------------------------------
// PM2

test("pm2: module.exports, export default with satisfies, export =, exports.default, and the file's constants", () => {
  const cjs = parsePm2(
    "const port = 4000;\nconst apps = [{ name: 'api', script: 'dist/main.js', instances: 'max', exec_mode: 'cluster', env: { PORT: port } }];\nmodule.exports = { apps: apps };\n",
    '/ws/ecosystem.config.js',
  );
  assert.deepEqual(cjs.problems, []);
  assert.equal(cjs.apps.length, 1);
  assert.equal(cjs.apps[0].name, 'api');
  assert.equal(cjs.apps[0].instances, 'max');
  assert.equal(cjs.apps[0].execMode, 'cluster');
  assert.equal(cjs.apps[0].env.PORT.value, '4000');
  // the range of an env entry is its whole property, `PORT: port`
  assert.deepEqual(cjs.apps[0].env.PORT.range, { start: { line: 1, character: 100 }, end: { line: 1, character: 110 } });

  const ts = parsePm2(
    "export default { apps: [{ name: ('web') as string, instances: 2 as number, env: { HOST: `0.0.0.0` } satisfies Env }] } satisfies Config;\n",
    '/ws/ecosystem.config.ts',
  );
  assert.deepEqual(
    ts.apps.map((a) => [a.name, a.instances, a.env.HOST?.value]),
    [['web', 2, '0.0.0.0']],
  );
  const exportEquals = parsePm2("const cfg = { apps: [{ name: 'w'!, i: -1 }] };\nexport = cfg;\n", '/ws/ecosystem.config.ts');
  assert.deepEqual(
    exportEquals.apps.map((a) => [a.name, a.instances]),
    [['w', -1]],
  );
  const esDefault = parsePm2("exports.default = [{ name: 'arr', instances: '3' }];\n", '/ws/ecosystem.config.cjs');
  assert.deepEqual(
    esDefault.apps.map((a) => [a.name, a.instances]),
    [['arr', 3]],
  );
  // `-(1)` is not a number Crosswire reads, and neither is a computed or shorthand property
  const odd = parsePm2("const name = 'x';\nmodule.exports = { apps: [{ name, instances: -(1), ['script']: 's' }] };\n", '/ws/ecosystem.config.js');
  assert.deepEqual(odd.apps, [
    { file: '/ws/ecosystem.config.js', env: {}, envProduction: {}, range: odd.apps[0].range, instancesRange: odd.apps[0].instancesRange },
  ]);
});

test('pm2: JSON form with comments and trailing commas, and a file that cannot be read at all', () => {
  const json = parsePm2('// PM2\n{ "apps": [{ "name": "j", "instances": 2, "env": { "PORT": 8080 }, }], /* done */ }\n', '/ws/ecosystem.json');
  assert.deepEqual(json.problems, []);
  assert.deepEqual(
    json.apps.map((a) => [a.name, a.instances, a.env.PORT.value]),
    [['j', 2, '8080']],
  );
  assert.deepEqual(parsePm2('', '/ws/ecosystem.json'), { file: '/ws/ecosystem.json', apps: [], problems: [], text: '' });

  const broken = parsePm2("module.exports = {\n  apps: [{ name: 'half',\n", '/ws/ecosystem.config.js');
  assert.deepEqual(broken.apps, []);
  assert.equal(broken.problems.length, 1);
  assert.match(broken.problems[0].message, /^Syntax error: .+ \(Crosswire could not read this file\)$/);
  assert.equal(broken.problems[0].range.start.line, 2);

  const brokenJson = parsePm2('{ "apps": [{ "name": "j" "script": "x" }] }', '/ws/ecosystem.json');
  assert.deepEqual(brokenJson.apps, []);
  assert.match(brokenJson.problems[0].message, /^Syntax error: .+ \(Crosswire could not read this file\)$/);
  assert.deepEqual(brokenJson.problems[0].range.start, { line: 0, character: 25 });
});

// ---------------------------------------------------------------------------------------------
// Playwright

test('playwright: export default defineConfig, module.exports, a const, export { x as default }, optional call', () => {
  const a = parsePlaywrightWebServers(
    "import { defineConfig } from '@playwright/test';\nexport default defineConfig({\n  webServer: { command: 'pnpm dev', url: 'http://localhost:3000/api', cwd: '../web', env: { A: '1', 'B': x } },\n});\n",
    '/ws/e2e/playwright.config.ts',
  );
  assert.deepEqual(a, {
    servers: [{ command: 'pnpm dev', cwd: '../web', envKeys: ['A', 'B'], port: 3000 }],
    range: { start: { line: 2, character: 2 }, end: { line: 2, character: 11 } },
  });
  const b = parsePlaywrightWebServers(
    'module.exports = defineConfig?.({ webServer: [{ command: `a`, port: (3001) as number }, { command: "b", url: "http://127.0.0.1:4000" }] });\n',
    '/ws/e2e/playwright.config.ts',
  );
  assert.deepEqual(
    b?.servers.map((s) => [s.command, s.port]),
    [
      ['a', 3001],
      ['b', 4000],
    ],
  );
  const c = parsePlaywrightWebServers(
    "export const config = { webServer: { command: 'x' satisfies string, port: 5000 } } satisfies PlaywrightTestConfig;\nexport { config as default };\n",
    '/ws/e2e/playwright.config.ts',
  );
  assert.deepEqual(c?.servers, [{ command: 'x', envKeys: [], port: 5000 }]);
});

test('playwright: what Crosswire cannot read is unknown (a spread env, a hole, a conditional, an unreadable file)', () => {
  const read = (text: string) => parsePlaywrightWebServers(text, '/ws/playwright.config.ts');
  assert.equal(read("export default defineConfig({ webServer: { command: 'x', env: { ...process.env } } });"), undefined);
  assert.equal(read("export default defineConfig({ webServer: [{ command: 'x' }, , ] });"), undefined);
  assert.equal(read("export default defineConfig({ webServer: process.env.CI ? undefined : { command: 'x' } });"), undefined);
  assert.equal(read("export default defineConfig({ webServer: { command: 'x' } "), undefined);
});

// ---------------------------------------------------------------------------------------------
// prisma.config.ts

test('prisma.config: schema through defineConfig, satisfies, a const, module.exports and path.join', () => {
  const read = (text: string, file = '/ws/db/prisma.config.ts') => prismaConfigSchemaPath(text, file);
  assert.equal(read("export default defineConfig({ schema: 'prisma/schema.prisma' });"), 'prisma/schema.prisma');
  assert.equal(read("const schema = 'x/y.prisma';\nexport default { schema } satisfies PrismaConfig;"), 'x/y.prisma');
  assert.equal(read("const config = { 'schema': './s.prisma' } as PrismaConfig;\nexport default config;"), './s.prisma');
  assert.equal(read("module.exports = definePrismaConfig({ schema: 'cjs.prisma' });", '/ws/db/prisma.config.cjs'), 'cjs.prisma');
  assert.equal(read("export default defineConfig({ schema: path.join(__dirname, 'prisma', `schema`) });"), 'prisma/schema');
  assert.equal(read("export default defineConfig({ schema: path.resolve(import.meta.dirname, 'db') });"), 'db');
  // computed, or not a path Crosswire can read
  assert.equal(read("export default defineConfig({ schema: base + '/x' });"), undefined);
  assert.equal(read("export default defineConfig({ schema: join('a', ('b')) });"), undefined);
  assert.equal(read("export default defineConfig({ schema: 'cut short' "), undefined);
});

// ---------------------------------------------------------------------------------------------
// String constants across files (session cookie names and the like)

test('resolveConst: export const, export { }, re-exports, as const, and a file Babel cannot read', () => {
  const files: Record<string, string> = {
    '/ws/src/a.ts':
      "const BASE = 'sid' as const;\nexport const COOKIE = BASE;\nexport const TPL = `tpl`;\nconst LOCAL = 'loc';\nexport { LOCAL as RENAMED };\nexport type { T } from './t';\nexport { NAME } from './b';\n",
    '/ws/src/b.ts': "export const NAME = 'from-b';\n",
    '/ws/src/broken.ts': "export const X = 'x';\nexport const Y = {{{",
  };
  const index = view(files);
  const r = (module: string, name: string) => resolveConst(index, '/ws/src/app.ts', { module, name });
  assert.equal(r('./a', 'COOKIE').value, 'sid');
  assert.deepEqual(r('./a', 'COOKIE').location, { file: '/ws/src/a.ts', range: new LineIndex(files['/ws/src/a.ts']).range(13, 18) });
  assert.equal(r('./a', 'TPL').value, 'tpl');
  assert.equal(r('./a', 'RENAMED').value, 'loc');
  assert.equal(r('./a.js', 'NAME').value, 'from-b');
  assert.equal(r('./broken', 'X').value, undefined);
});

// ---------------------------------------------------------------------------------------------
// The `max` quick fix of missing-connection-limit (Prisma 7)

test('setPoolMaxEdits: edits as before with parentheses, as/satisfies, optional chaining and multi-line options', () => {
  const edits = (text: string, file = '/ws/db.ts') => {
    const at = new LineIndex(text).positionAt(text.indexOf('new '));
    const pool = { range: { start: at, end: at } } as Parameters<typeof setPoolMaxEdits>[2];
    return setPoolMaxEdits(view({ [file]: text }), file, pool, 7).map((e) => [e.range.start, e.range.end, e.newText]);
  };
  const p = (line: number, character: number) => ({ line, character });
  // an existing max, parenthesized: the whole `((20))` is replaced
  assert.deepEqual(edits('const a = new PrismaPg({ connectionString, max: ((20)) });'), [[p(0, 48), p(0, 54), '7']]);
  assert.deepEqual(edits("const a = new PrismaPg({ 'max': 20 as number });"), [[p(0, 32), p(0, 44), '7']]);
  assert.deepEqual(edits('const a = new PrismaPg(({ connectionString: process.env?.DATABASE_URL }) satisfies Cfg);'), [[p(0, 69), p(0, 69), ', max: 7']]);
  assert.deepEqual(edits('const a = new PrismaPg();'), [[p(0, 23), p(0, 23), '{ max: 7 }']]);
  assert.deepEqual(edits('const a = new PrismaPg({});'), [[p(0, 23), p(0, 25), '{ max: 7 }']]);
  assert.deepEqual(edits('const a = new PrismaPg(pool);'), []);
  assert.deepEqual(edits('const a = new PrismaPg({ connectionString }!);'), []);
  assert.deepEqual(edits('export const a = new Pool({\r\n    connectionString: url, // why\r\n  });', '/ws/db.js'), [[p(1, 26), p(1, 26), '\r\n    max: 7,']]);
  assert.deepEqual(edits('const a = new Pool({\n  connectionString: url\n});'), [[p(1, 23), p(1, 23), ',\n  max: 7']]);
  // a file Babel cannot read at all offers no fix
  assert.deepEqual(edits('const a = new Pool({ x: 1 }'), []);
});

// ---------------------------------------------------------------------------------------------
// crosswire.config.json and package.json's `crosswire` key

test('crosswire.config.json: comments and trailing commas accepted, values checked as before', () => {
  const { config, problems } = parseConfig(
    '{\n  // rules\n  "rules": { "port-collision": "off", "weak-secret": "warn", },\n  /* block */ "cores": 4,\n  "maxConnections": { "localhost:5432": 100, },\n  "ignore": ["apps/legacy/**",],\n}\n',
    '/ws/crosswire.config.json',
    RULES,
  );
  assert.deepEqual(config.rules, { 'port-collision': 'off' });
  assert.equal(config.cores, 4);
  assert.deepEqual(config.maxConnections, { 'localhost:5432': 100 });
  assert.deepEqual(config.ignore, ['apps/legacy/**']);
  assert.deepEqual(
    problems.map((p) => [p.message, p.range.start.line, p.range.start.character]),
    [['Severity of "weak-secret" must be "off", "info", "warning" or "error" (not "warn"). Did you mean "warning"?', 2, 53]],
  );
  // a negative number is not a number of connections, nor a line, nor cores
  const neg = parseConfig('{ "maxConnections": { "db:5432": -1 }, "cores": -2 }', '/ws/crosswire.config.json', RULES);
  assert.deepEqual(neg.config.maxConnections, {});
  assert.deepEqual(
    neg.problems.map((p) => p.message),
    ['"maxConnections" must map database servers ("localhost:5432") to numbers', '"cores" must be a positive number'],
  );
  assert.deepEqual(parseConfig('// nothing yet\n', '/ws/crosswire.config.json', RULES).problems, []);
});

test('crosswire.config.json: invalid JSON is a problem where it is, and what could be read is kept', () => {
  const cut = parseConfig('{ "rules": { "port-collision": "off" ', '/ws/crosswire.config.json', RULES);
  assert.deepEqual(
    cut.problems.map((p) => [p.message, p.range.start.character]),
    [["Invalid JSON: '}' expected", 37]],
  );
  assert.deepEqual(cut.config.rules, { 'port-collision': 'off' });
  const comma = parseConfig('{ "rules": { "x": 1 "y": 2 } }', '/ws/crosswire.config.json', RULES);
  assert.deepEqual(
    comma.problems.map((p) => p.message),
    ["Invalid JSON: ',' expected", 'Unknown rule id "x".', 'Unknown rule id "y".'],
  );
  const notObject = parseConfig('["rules"]', '/ws/crosswire.config.json', RULES);
  assert.deepEqual(
    notObject.problems.map((p) => p.message),
    ['crosswire.config.json must contain an object'],
  );
  const conflict = parseConfig('<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> b\n', '/ws/crosswire.config.json', RULES);
  assert.ok(conflict.problems.length >= 1 && conflict.problems.length <= 3);
  assert.ok(conflict.problems.every((p) => p.message === 'Invalid JSON: a merge conflict marker'));
});

test('package.json crosswire key: rule ids become file-wide suppressions, with comments and trailing commas', () => {
  const text = '{\n  "name": "web", // the app\n  "crosswire": { "disable": ["weak-secret", "nope", 3,], "enable": [] }\n}\n';
  const { suppressions, problems } = parsePackageCrosswireKey(text, '/ws/web/package.json', RULES);
  assert.deepEqual(suppressions, [{ kind: 'file', rules: ['weak-secret'], line: 2, start: 29, end: 42, origin: 'package.json' }]);
  assert.deepEqual(
    problems.map((p) => p.message),
    [
      'Unknown rule id "nope".',
      'The "crosswire" key must be { "disable": ["<rule id>", ...] }: each entry is a rule id',
      'Unknown key "enable" in "crosswire". The "crosswire" key must be { "disable": ["<rule id>", ...] }.',
    ],
  );
});
