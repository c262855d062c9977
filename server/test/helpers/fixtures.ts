/**
 * Fixture folders: server/test/fixtures/<rule-id>/<case>/ holds a small workspace and an expected.json (format in
 * server/test/fixtures/README.md). This reads them; fixtures.test.ts runs them with the rule tester.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './files';
import type { ExpectedError, InvalidCase } from './rule-tester';

export const FIXTURES = path.join(REPO_ROOT, 'server', 'test', 'fixtures');
export const EXPECTED = 'expected.json';
const KEYS = new Set(['description', 'findings', 'output', 'fix', 'findingsAfterFix', 'config', 'options']);
const FINDING_KEYS = new Set([
  'rule',
  'file',
  'line',
  'lineIncludes',
  'column',
  'message',
  'messageIncludes',
  'messageExcludes',
  'severity',
  'related',
  'fixes',
]);

export interface ExpectedJson {
  description?: string;
  findings: ExpectedError[];
  output?: Record<string, string>;
  fix?: string;
  findingsAfterFix?: ExpectedError[];
  config?: InvalidCase['config'];
  options?: InvalidCase['options'];
}

/** Every file of a case folder but expected.json, by workspace-relative path with `/`. */
export function filesOf(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, filesOf(path.join(dir, e.name), rel));
    else if (rel !== EXPECTED) out[rel] = fs.readFileSync(path.join(dir, e.name), 'utf8');
  }
  return out;
}

/** The fixture folders: rule id -> case names (sorted). */
export function fixtureCases(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!fs.existsSync(FIXTURES)) return out;
  for (const rule of fs
    .readdirSync(FIXTURES, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()) {
    out.set(
      rule,
      fs
        .readdirSync(path.join(FIXTURES, rule), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort(),
    );
  }
  return out;
}

export function readExpected(file: string): ExpectedJson {
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as ExpectedJson;
  for (const k of Object.keys(json)) assert.ok(KEYS.has(k), `${file}: unknown key "${k}" (known: ${[...KEYS].join(', ')})`);
  assert.ok(Array.isArray(json.findings), `${file}: "findings" must be an array ([] for a case without findings)`);
  for (const f of [...json.findings, ...(json.findingsAfterFix ?? [])]) {
    for (const k of Object.keys(f)) assert.ok(FINDING_KEYS.has(k), `${file}: unknown finding key "${k}" (known: ${[...FINDING_KEYS].join(', ')})`);
    assert.equal(typeof f.file, 'string', `${file}: every finding names its "file"`);
  }
  return json;
}

/** A fixture case folder as a rule-tester case. */
export function loadCase(dir: string): InvalidCase {
  assert.ok(fs.existsSync(path.join(dir, EXPECTED)), `${path.relative(REPO_ROOT, dir)} has no ${EXPECTED}`);
  const expected = readExpected(path.join(dir, EXPECTED));
  return {
    name: path.basename(dir),
    files: filesOf(dir),
    errors: expected.findings,
    output: expected.output,
    fix: expected.fix,
    errorsAfterFix: expected.findingsAfterFix,
    config: expected.config,
    options: expected.options,
  };
}
