/**
 * Finding messages are what a user reads in one row of the Problems panel: one sentence saying what is wrong and
 * with which other app, under about 140 characters. The explanation (why it breaks, how to fix it) belongs to the
 * rule's docs page and the hover. This runs every rule over the test workspace, every fixture case and the bench's
 * synthetic workspace, and checks every message against that. Related-location messages (the child rows, which
 * carry the evidence: where a port is set, why two apps are taken to run together) must be one line and name no
 * story the user cannot read.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../src/engine';
import type { Finding } from '../src/model/types';
import { REPO_ROOT, TEST_WORKSPACE } from './helpers/files';
import { FIXTURES, fixtureCases, loadCase } from './helpers/fixtures';
import { findingsOf, materialise } from './helpers/rule-tester';

const MAX = 140;

/** Why a message is not one short sentence, or undefined when it is. */
export function messageProblem(message: string): string | undefined {
  if (message.length > MAX) return `${message.length} characters (at most ${MAX})`;
  if (/[\r\n]/.test(message)) return 'spans several lines';
  // a sentence end followed by more text: "x. Y", "x; y", "x! y"; "e.g. " and "i.e. " are not ends
  const body = message.replace(/\b(?:e\.g|i\.e|etc|vs)\./g, '');
  if (/[.!?;]\s+\S/.test(body)) return 'more than one sentence';
  if (/\bincident\s+[a-e]\b/i.test(message)) return 'refers to a story the user cannot read';
  return undefined;
}

interface Row {
  where: string;
  rule: string;
  message: string;
  related?: boolean;
}

function relatedProblem(message: string): string | undefined {
  if (/[\r\n]/.test(message)) return 'spans several lines';
  if (/\bincident\s+[a-e]\b/i.test(message)) return 'refers to a story the user cannot read';
  return undefined;
}
const problemOf = (r: Row) => (r.related ? relatedProblem(r.message) : messageProblem(r.message));

function rows(where: string, findings: readonly Finding[]): Row[] {
  const out: Row[] = [];
  for (const f of findings) {
    out.push({ where, rule: f.ruleId, message: f.message });
    for (const r of f.related) out.push({ where: `${where} (related)`, rule: f.ruleId, message: r.message, related: true });
  }
  return out;
}

async function allRows(): Promise<Row[]> {
  const out: Row[] = [];
  out.push(...rows('test-workspace', (await Engine.create({ roots: [TEST_WORKSPACE] })).findings()));
  for (const [rule, cases] of fixtureCases()) {
    for (const name of cases) {
      const c = loadCase(path.join(FIXTURES, rule, name));
      const ws = materialise(c.files);
      try {
        out.push(...rows(`fixtures/${rule}/${name}`, await findingsOf(rule, ws, c.config, c.options)));
      } finally {
        fs.rmSync(ws, { recursive: true, force: true });
      }
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bench = require(path.join(REPO_ROOT, 'bench', 'generate.js')) as { generate(o: { dir: string; n: number; crowd?: number }): { dir: string } };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-messages-'));
  try {
    const ws = bench.generate({ dir: path.join(dir, 'ws'), n: 40, crowd: 5 });
    out.push(...rows('bench-smoke', (await Engine.create({ roots: [ws.dir] })).findings()));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

test('messages: every finding message is one sentence of at most 140 characters', async () => {
  const all = await allRows();
  if (process.env.CROSSWIRE_DUMP_MESSAGES)
    fs.writeFileSync(process.env.CROSSWIRE_DUMP_MESSAGES, all.map((r) => `${r.message.length}\t${r.rule}\t${r.where}\t${r.message}`).join('\n') + '\n');
  assert.ok(all.length > 100, `the corpus of messages is not empty (${all.length})`);
  const bad = all.filter((r) => problemOf(r)).map((r) => `${r.where} ${r.rule}: ${problemOf(r)}: ${r.message}`);
  assert.deepEqual([...new Set(bad)], []);
});

test('messages: the checker itself', () => {
  assert.equal(messageProblem('Port 3000 is also used by web (apps/web/package.json).'), undefined);
  assert.match(messageProblem('Port 3000 is used twice. Move one app.') ?? '', /sentence/);
  assert.match(messageProblem('x'.repeat(141)) ?? '', /characters/);
  assert.equal(messageProblem('Set a store (e.g. Redis) for sessions.'), undefined);
});

test('messages: a crowd of 25 apps on one port and one secret does not make the messages grow', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bench = require(path.join(REPO_ROOT, 'bench', 'generate.js')) as { generate(o: { dir: string; n: number; crowd?: number }): { dir: string } };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-messages-crowd-'));
  try {
    const ws = bench.generate({ dir: path.join(dir, 'ws'), n: 40, crowd: 25 });
    const found = (await Engine.create({ roots: [ws.dir] })).findings();
    const crowd = found.filter((f) => /crowd-(port|secret)/.test(f.message));
    assert.ok(
      crowd.filter((f) => f.ruleId === 'port-collision').length >= 25 && crowd.filter((f) => f.ruleId === 'duplicate-secret').length >= 25,
      'the crowd is reported',
    );
    for (const f of crowd) {
      assert.equal(messageProblem(f.message), undefined, f.message);
      assert.match(f.message, /and (2\d|1\d\+) other apps/, f.message);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
