/**
 * The table of file kinds (model/file-kinds.ts) is the one place a kind of file is named: discovery lists
 * what its globs match, both file watchers and the client's document selector use the same globs, and a
 * suppression comment is written in the row's comment syntax. These tests keep the rows consistent: every
 * file a row reads is listed by discovery and watched, and is classified as the row says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FILE_GLOBS, FILE_KINDS, fileKind } from '../src/model/file-kinds';
import { discover } from '../src/index/discovery';
import { classifyEnvFile } from '../src/parsers/env';
import { compileGlobs } from '../src/parsers/glob';
import { commentPrefix } from '../src/parsers/suppressions';
import { WATCH_GLOBS } from '../src/lsp/server';
import { makeWorkspace } from './helpers/workspace';

const kindOf = (rel: string) => fileKind(rel, classifyEnvFile);

test('file kinds: each row classifies its example, which discovery lists and the watchers watch', async () => {
  const watched = compileGlobs(WATCH_GLOBS);
  assert.deepEqual([...WATCH_GLOBS], [...FILE_GLOBS], 'the server watches the globs discovery lists');
  const files: Record<string, string> = {};
  for (const row of FILE_KINDS) {
    const rel = `app/${row.example}`;
    assert.equal(kindOf(rel), row.kind, `${rel} is ${row.kind ?? 'not read'}`);
    assert.equal(commentPrefix(rel), row.comment, `${rel} is commented with ${row.comment ?? 'nothing'}`);
    if (row.kind) assert.ok(watched(rel), `${rel} is watched`);
    files[rel] = '\n';
  }
  const ws = makeWorkspace(files);
  try {
    const listed = new Set((await discover(ws)).map((f) => path.relative(ws, f).split(path.sep).join('/')));
    for (const row of FILE_KINDS) if (row.kind) assert.ok(listed.has(`app/${row.example}`), `discovery lists app/${row.example}`);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('file kinds: the names the watchers once missed are read and watched', () => {
  const watched = compileGlobs(FILE_GLOBS);
  const cases: [string, string][] = [
    ['crosswire.config.json', 'config'],
    ['db/postgresql.conf', 'pg-conf'],
    ['api/ecosystem.json', 'pm2'],
    ['api/pm2.json', 'pm2'],
    ['api/ecosystem.prod.config.cjs', 'pm2'],
    ['svc/requirements.txt', 'app-marker'],
    ['svc/Pipfile', 'app-marker'],
    ['svc/setup.py', 'python'],
    ['web/src/App.jsx', 'code'],
    ['api/src/main.mts', 'code'],
    ['api/src/main.cts', 'code'],
    ['deploy/staging/app.yml', 'compose'],
    ['infra/compose.prod.yaml', 'compose'],
    ['pnpm-workspace.yaml', 'repo-config'],
    ['apps/api/project.json', 'repo-config'],
    ['api/prisma.config.mts', 'prisma-config'],
  ];
  for (const [rel, kind] of cases) {
    assert.equal(kindOf(rel), kind, rel);
    assert.ok(watched(rel), `${rel} is watched`);
  }
});

test('file kinds: names that are not read', () => {
  for (const rel of [
    'api/index.d.ts',
    'web/vendor.min.js',
    'node_modules/x/.env',
    // Vendored dependencies (a Go module's test fixture): third-party code.
    'vendor/github.com/x/gotenv/.env.invalid',
    'api/dist/server.js',
    'api/.env.ts',
    'api/ecosystem.prod.json',
    'README.md',
    'api/tsconfig.json',
    // A project generator's template: configuration only once rendered.
    '{{cookiecutter.project_slug}}/docker-compose.yml',
    'template/{{ project_name }}/backend/.env',
  ]) {
    assert.equal(kindOf(rel), rel.endsWith('.env.ts') ? 'code' : undefined, rel);
  }
});

test('file kinds: suppression comments follow the format (none in JSON)', () => {
  const cases: [string, string | undefined][] = [
    ['/w/api/.env', '#'],
    ['/w/api/.env.production.local', '#'],
    ['/w/api/prisma/schema.prisma', '//'],
    ['/w/api/src/auth.ts', '//'],
    ['/w/api/.env.ts', '//'],
    ['/w/api/ecosystem.config.js', '//'],
    ['/w/api/ecosystem.json', undefined],
    ['/w/api/package.json', undefined],
    ['/w/crosswire.config.json', undefined],
    ['/w/nx.json', undefined],
    ['/w/pnpm-workspace.yaml', '#'],
    ['/w/docker-compose.yml', '#'],
    ['/w/db/postgresql.conf', '#'],
    ['/w/svc/pyproject.toml', '#'],
    ['/w/svc/app/main.py', '#'],
    ['C:\\w\\api\\src\\auth.ts', '//'],
  ];
  for (const [file, prefix] of cases) assert.equal(commentPrefix(file), prefix, file);
});
