/**
 * model/paths.ts: the fast forms of path.relative and path.resolve give Node's answer for every form of path, the
 * index's own (absolute, normalized) and any other, and the index's paths come out flat and unchanged.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { relativeTo, resolved } from '../src/model/paths';

const DIRS = ['/', '/ws', '/ws/apps', '/ws/apps/', '/ws//apps', '/ws/./apps', '/ws/apps/..', 'rel/dir', '/ws/app', '/ws/apps/web'];
const FILES = [
  '/ws/apps/web/.env',
  '/ws/apps/web',
  '/ws/apps',
  '/ws/apps-2/.env',
  '/ws/application/.env',
  '/ws/apps/web/../api/.env',
  '/ws/apps//web/.env',
  '/other/apps/web/.env',
  '/',
  'rel/dir/file.ts',
  '/ws/apps/..env',
  '/ws/apps/.../x',
];

test('relativeTo gives what path.relative gives, for normalized paths and every other form', () => {
  for (const dir of DIRS) for (const file of FILES) assert.equal(relativeTo(dir, file), path.relative(dir, file), `${dir} -> ${file}`);
});

test('resolved gives what path.resolve gives, and an absolute normalized path back as it was', () => {
  for (const p of [...DIRS, ...FILES, '.', '', 'a/../b', '/a/b/.', '/a/b/..']) assert.equal(resolved(p), path.resolve(p), p);
  const joined = ['/ws', 'apps', 'web', '.env'].join('/');
  assert.equal(resolved(joined), joined);
});
