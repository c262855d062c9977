/**
 * parsers/packageJson.ts: the facts of a package.json with the range of each script, and a problem for each place
 * that is not JSON, where npm itself would refuse the file (a trailing comma, a merge left half done, single quotes,
 * unquoted names). Comments are let through, as they change no fact.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parsePackageJson } from '../src/parsers/packageJson';

const problemsOf = (text: string) =>
  parsePackageJson(text, '/ws/app/package.json').problems.map((p) => [
    p.message.replace(/^package\.json is not valid JSON: /, ''),
    p.range.start.line,
    p.range.start.character,
  ]);

test('package.json: name, scripts with their ranges, dependencies (the first of a repeated one), workspaces and the Prisma schema', () => {
  const text = [
    '{',
    '  "name": "web\\u0041",',
    '  "scripts": { "dev": "next dev -p 3001", "start": "next start" },',
    '  "dependencies": { "next": "14.2.5", "next": "15.0.0" },',
    '  "devDependencies": { "prisma": "^6.1.0" },',
    '  "workspaces": { "packages": ["apps/*", 3, "packages/*"] },',
    '  "prisma": { "schema": "db/schema.prisma" }',
    '}',
  ].join('\n');
  const { info, problems } = parsePackageJson(text, '/ws/app/package.json');
  assert.deepEqual(problems, []);
  assert.equal(info?.name, 'webA');
  assert.deepEqual(info?.nameRange, { start: { line: 1, character: 10 }, end: { line: 1, character: 21 } });
  assert.deepEqual(
    info?.scripts.map((s) => [s.name, s.command]),
    [
      ['dev', 'next dev -p 3001'],
      ['start', 'next start'],
    ],
  );
  const dev = info!.scripts[0];
  const line = text.split('\n')[2];
  assert.equal(line.slice(dev.range.start.character, dev.range.end.character), '"next dev -p 3001"');
  assert.equal(line.slice(dev.innerRange.start.character, dev.innerRange.end.character), 'next dev -p 3001');
  assert.equal(line.slice(dev.keyRange.start.character, dev.keyRange.end.character), '"dev"');
  assert.deepEqual(info?.dependencies, { next: '14.2.5', prisma: '^6.1.0' });
  assert.deepEqual(info?.workspaces, ['apps/*', 'packages/*']);
  assert.equal(info?.prismaSchema, 'db/schema.prisma');
});

test('package.json: comments change nothing; an array, an empty file or a bare value is not a package', () => {
  const { info, problems } = parsePackageJson('// the web app\n{ "name": "web" /* here */, "scripts": { "dev": "vite" } }\n', '/p/package.json');
  assert.deepEqual(problems, []);
  assert.equal(info?.name, 'web');
  for (const text of ['', '  \n', '[1, 2]', '"web"'])
    assert.deepEqual(problemsOf(text), [['package.json does not contain a JSON object', 0, 0]], JSON.stringify(text));
});

test('package.json: what npm would refuse is a problem where it is, one per place, and the rest is still read', () => {
  assert.deepEqual(problemsOf('{\n  "name": "web",\n  "scripts": { "dev": "vite", },\n}\n'), [
    ['a trailing comma, which JSON does not allow', 2, 30],
    ['a trailing comma, which JSON does not allow', 3, 0],
  ]);
  const merge = '<<<<<<< HEAD\n{ "name": "web" }\n=======\n{ "name": "site" }\n>>>>>>> main\n';
  assert.deepEqual(
    problemsOf(merge).filter(([m]) => m === 'a merge conflict marker'),
    [
      ['a merge conflict marker', 0, 0],
      ['a merge conflict marker', 2, 0],
    ],
  );
  assert.ok(problemsOf("{ 'name': 'web' }").length > 0, 'single quotes');
  assert.ok(problemsOf('{ name: "web" }').length > 0, 'a name without quotes');
  assert.deepEqual(problemsOf('{ "name": "web" "version": "1.0.0" }'), [["',' expected", 0, 16]]);
  const cut = parsePackageJson('{ "name": "web", "scripts": { "dev": "next dev" }', '/p/package.json');
  assert.deepEqual(
    cut.problems.map((p) => p.message),
    ["package.json is not valid JSON: '}' expected"],
  );
  assert.deepEqual(
    cut.info?.scripts.map((s) => s.command),
    ['next dev'],
    'the scripts before the cut are read',
  );
});
