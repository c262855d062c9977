/**
 * The rule docs pages are where a finding's explanation lives (messages stay one short sentence): every rule page
 * says why the rule matters, shows a wrong and a right example, how to fix it, what the rule does not judge and how
 * to turn it off or suppress it. No user-facing text refers to a story the reader cannot read or points outside the
 * repository: the stories behind the rules are told in docs/why.md, and links to it must land on a heading.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENGINE_RULES, RULES } from '../src/rules';
import { REPO_ROOT, read } from './helpers/files';

const SECTIONS = [
  '## What it reports',
  '## What it does not judge',
  '## Why',
  '## Incorrect',
  '## Correct',
  '## How to fix',
  '## How to turn it off or suppress it',
];
const TURN_OFF = '## How to turn it off or suppress it';

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-'. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6} (.+)$/gm))
    out.add(
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} -]/gu, '')
        .replace(/ /g, '-'),
    );
  return out;
}

function userFacingDocs(): string[] {
  const out = ['README.md', 'CHANGELOG.md', 'test-workspace/README.md'];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.md')) out.push(rel);
    }
  };
  walk('docs');
  return out.filter((f) => fs.existsSync(path.join(REPO_ROOT, f)));
}

test('docs pages: every rule page has the sections a user looks for, in order', () => {
  for (const r of RULES) {
    const text = read(path.join(REPO_ROOT, r.docs.url));
    const at = SECTIONS.map((s) => text.indexOf(`\n${s}\n`));
    assert.deepEqual(
      SECTIONS.filter((_, i) => at[i] < 0),
      [],
      `${r.docs.url}: missing sections`,
    );
    for (const [a, b] of [
      ['## Incorrect', '## Correct'],
      ['## Correct', '## How to fix'],
    ])
      assert.ok(text.indexOf(`\n${a}\n`) < text.indexOf(`\n${b}\n`), `${r.docs.url}: ${a} before ${b}`);
    assert.ok(/```/.test(text.slice(text.indexOf('\n## Incorrect\n'), text.indexOf('\n## Correct\n'))), `${r.docs.url}: the wrong example is code`);
  }
});

test('docs pages: every page says how to turn its rule off and how to suppress one finding; no stale "cannot be disabled"', () => {
  for (const r of [...RULES, ...ENGINE_RULES]) {
    const text = read(path.join(REPO_ROOT, r.docs.url));
    assert.ok(text.includes(`\n${TURN_OFF}\n`), `${r.docs.url}: "${TURN_OFF}"`);
    const section = text.slice(text.indexOf(TURN_OFF));
    assert.ok(section.includes(`"${r.id}": "off"`), `${r.docs.url}: how to turn it off`);
    // a config problem and an unused directive are fixed where they are, not silenced by another directive
    if (r.id !== 'invalid-config' && r.id !== 'unused-suppression')
      assert.ok(section.includes(`crosswire-disable-next-line ${r.id}`), `${r.docs.url}: how to suppress one finding`);
    assert.doesNotMatch(text, /cannot be disabled/i, r.docs.url);
  }
});

test('docs pages: no user-facing text names a story the reader cannot read or points outside the repository', () => {
  for (const f of userFacingDocs()) {
    const text = read(path.join(REPO_ROOT, f));
    assert.doesNotMatch(text, /\bincidents?\s+[a-e]\b|\bincident [a-e]'s/i, f);
    assert.doesNotMatch(text, /\.\.\/shared\//, f);
    // relative links stay inside the repository and land on a file (and a heading, for docs/why.md)
    for (const m of text.matchAll(/\]\((?!https?:|mailto:|#)([^)\s]+)\)/g)) {
      const [target, hash] = m[1].split('#');
      // the Marketplace README is packaged as the extension's README: its links resolve from the package root
      const from = f === 'docs/marketplace/README.md' ? REPO_ROOT : path.dirname(path.join(REPO_ROOT, f));
      const abs = path.resolve(from, decodeURI(target));
      assert.ok(abs.startsWith(REPO_ROOT + path.sep), `${f}: ${m[1]} points outside the repository`);
      assert.ok(fs.existsSync(abs), `${f}: ${m[1]} does not exist`);
      if (hash && abs.endsWith('.md')) assert.ok(anchors(read(abs)).has(hash), `${f}: ${m[1]}: no such heading`);
    }
  }
});

test('docs pages: docs/why.md tells the stories and links every rule it names', () => {
  const why = read(path.join(REPO_ROOT, 'docs', 'why.md'));
  assert.ok(anchors(why).size >= 6);
  for (const m of why.matchAll(/\(rules\/([a-z-]+)\.md\)/g))
    assert.ok(
      RULES.some((r) => r.id === m[1]),
      m[1],
    );
});
