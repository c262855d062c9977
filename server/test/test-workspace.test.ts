import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../src/engine';
import { REPO_ROOT } from './helpers/files';

const ws = path.join(REPO_ROOT, 'test-workspace');

interface Expected {
  rule: string;
  severity: string;
  file: string;
  line: string;
}

export function expectedFindings(): Expected[] {
  return JSON.parse(fs.readFileSync(path.join(ws, 'expected-findings.json'), 'utf8')).findings;
}

test('test-workspace: the engine reports exactly the expected findings (rule, severity, file, line)', async () => {
  const engine = await Engine.create({ roots: [ws] });
  const actual = engine.findings().map((f) => {
    const text = fs.readFileSync(f.location.file, 'utf8').split(/\r?\n/)[f.location.range.start.line] ?? '';
    return `${f.ruleId} ${f.severity} ${path.relative(ws, f.location.file)} | ${text.trim()}`;
  });
  const expected = expectedFindings().map((e) => `${e.rule} ${e.severity} ${e.file} | ${e.line}`);
  assert.deepEqual(actual.sort(), expected.sort());
  // every expected line exists exactly once in its file, so the list cannot silently point at nothing
  for (const e of expectedFindings()) {
    const lines = fs
      .readFileSync(path.join(ws, e.file), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim());
    assert.equal(lines.filter((l) => l === e.line).length, 1, `${e.file}: "${e.line}" must occur once`);
  }
});

test('test-workspace: every finding has related locations inside the workspace and a docs page', async () => {
  const engine = await Engine.create({ roots: [ws] });
  for (const f of engine.findings()) {
    for (const r of f.related) assert.ok(r.location.file.startsWith(ws) && fs.existsSync(r.location.file), r.location.file);
    const rule = engine.rules.find((r) => r.id === f.ruleId)!;
    assert.ok(fs.existsSync(path.join(REPO_ROOT, rule.docs.url)), rule.docs.url);
  }
});
