/**
 * Like ESLint's checkRuleFiles: every rule of the registry has its docs page, its tests and its README table row,
 * and the README's table is the one scripts/rules-table.mjs generates from the rules' metadata.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, read } from './helpers/files';
import { ENGINE_RULES, RULES } from '../src/rules';
import { FIXTURES, fixtureCases } from './helpers/fixtures';

const TEST_SOURCES = path.join(REPO_ROOT, 'server', 'test');
const DOCS = path.join(REPO_ROOT, 'docs', 'rules');
const ALL = [...RULES, ...ENGINE_RULES];

/** Test files (sources) that mention `id` as a quoted string. */
function testFilesMentioning(id: string): string[] {
  const quoted = new RegExp(`['"\`]${id}['"\`]`);
  return fs
    .readdirSync(TEST_SOURCES)
    .filter((f) => f.endsWith('.test.ts') && f !== 'rule-files.test.ts')
    .filter((f) => quoted.test(read(path.join(TEST_SOURCES, f))));
}

test('rule files: every rule id is unique and stable kebab-case', () => {
  const ids = ALL.map((r) => r.id);
  assert.deepEqual(
    ids.filter((id, i) => ids.indexOf(id) !== i),
    [],
    'duplicate rule ids',
  );
  for (const id of ids) assert.match(id, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, id);
});

test('rule files: every rule has its docs page (docs/rules/<id>.md, its docs.url), a description, and every docs page a rule', () => {
  const missing: string[] = [];
  for (const r of ALL) {
    assert.equal(r.docs.url, `docs/rules/${r.id}.md`, `${r.id}: docs.url`);
    if (!fs.existsSync(path.join(REPO_ROOT, r.docs.url))) missing.push(r.docs.url);
    assert.ok(r.docs.description.trim().length > 0, `${r.id}: docs.description is empty`);
  }
  assert.deepEqual(missing, [], 'rules without their docs page');
  const ids = new Set(ALL.map((r) => r.id));
  const orphans = fs.readdirSync(DOCS).filter((f) => f.endsWith('.md') && !ids.has(f.slice(0, -3)));
  assert.deepEqual(orphans, [], 'docs/rules pages of no registered rule (a rule missing from server/src/rules/index.ts?)');
});

test('rule files: every rule module of server/src/rules is in the registry', () => {
  const registered = new Set(ALL.map((r) => r.id));
  const dir = path.join(REPO_ROOT, 'server', 'src', 'rules');
  const unregistered: string[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    const text = read(path.join(dir, f));
    // A rule declares its id next to its default severity; helper modules declare neither.
    if (!/defaultSeverity\s*:/.test(text)) continue;
    for (const m of text.matchAll(/\bid\s*:\s*['"]([a-z0-9-]+)['"]/g)) if (!registered.has(m[1])) unregistered.push(`${f}: ${m[1]}`);
  }
  assert.deepEqual(unregistered, [], 'rules defined but not registered in server/src/rules/index.ts');
});

test('rule files: every workspace rule has tests (a fixture folder or a test file that names it)', () => {
  const fixtures = fixtureCases();
  const untested = RULES.filter((r) => !fixtures.get(r.id)?.length && testFilesMentioning(r.id).length === 0).map((r) => r.id);
  assert.deepEqual(untested, [], `rules without tests: add a case folder under ${path.relative(REPO_ROOT, FIXTURES)}/<rule>/ or a test`);
});

test('rule files: every rule has its row in the README rule table', () => {
  const readme = read(path.join(REPO_ROOT, 'README.md'));
  const missing = ALL.filter((r) => !readme.includes(`| [\`${r.id}\`](${r.docs.url}) |`)).map((r) => r.id);
  assert.deepEqual(missing, [], 'rules without a README row (run node scripts/rules-table.mjs)');
});

test('rule files: the README rule table is up to date with the metadata (scripts/rules-table.mjs --check)', () => {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'rules-table.mjs'), '--check'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr + r.stdout);
});
