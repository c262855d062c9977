/**
 * Property-based tests (fast-check) of the .env scanner against dotenv itself.
 *
 * Generated texts mix every ingredient of real and broken .env files: random keys (valid, odd,
 * invalid), values in every quoting style, `export`, inline comments, `#` inside quotes, escapes,
 * multi-line quoted values, CRLF and lone CR, a BOM, empty lines, unterminated quotes, NUL bytes
 * and invalid UTF-8. Properties: the scanner never throws; for every key `dotenv.parse` returns,
 * our value equals dotenv's and our range covers exactly that key's line(s).
 *
 * Runs: CROSSWIRE_FUZZ_RUNS (default 3000), or `--runs N` when the file is run directly
 * (`node server/out/test/fuzz-env.test.js --runs 100000`). CROSSWIRE_FUZZ_SEED replays a failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse as dotenvParse } from 'dotenv';
import { looksBinary, parseEnv } from '../src/parsers/env';
import type { EnvEntry, Position, Range } from '../src/model/types';
import { fuzzParams, runProperty } from './helpers/fuzz';

const FILE = '/virtual/.env';

// ------------------------------------------------------------------------------------------------
// generators

const validKey = fc.oneof(
  fc.constantFrom('A', 'PORT', 'DATABASE_URL', 'NEXTAUTH_SECRET', 'x.y', 'a-b', '_U', '1NUM', 'export', 'KEY', 'exportA', '__proto__', 'constructor'),
  fc.stringMatching(/^[A-Za-z_][\w.-]{0,10}$/),
);
const oddKey = fc.oneof(fc.constantFrom('KEY WITH SPACE', 'ключ', 'k€y', '', ' ', '=', '#K', '"Q"', 'a/b'), fc.string({ maxLength: 6 }));

const atom = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('abc', '3000', 'http://localhost:3000/p?a=1&b=2#frag', 'postgresql://u:p@h:5432/db', ' ', '  ', '\t', 'x y') },
  { weight: 3, arbitrary: fc.constantFrom('#', ' # c', '#c', 'a#b', '"', "'", '`', '=', ':', '$PORT', '${A}', '${A:-d}', '\\') },
  { weight: 3, arbitrary: fc.constantFrom('\\n', '\\r', '\\"', "\\'", '\\`', '\\\\', '\\t', '\\$') },
  { weight: 2, arbitrary: fc.constantFrom('\n', '\r\n', '\r', 'K=v', 'export ', '\u00a0', '\u2028', '\ufeff', 'é', '😀', '日本') },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
);
const rawValue = fc.array(atom, { maxLength: 6 }).map((xs) => xs.join(''));

/** A value in a quoting style: none, or ', " or `, closed or not, with the quote char mostly kept out. */
const quotedValue = fc
  .record({ q: fc.constantFrom('', '"', "'", '`'), v: rawValue, clean: fc.boolean(), closed: fc.double({ min: 0, max: 1, noNaN: true }) })
  .map(({ q, v, clean, closed }) => (q === '' ? v : q + (clean ? v.split(q).join('') : v) + (closed < 0.9 ? q : '')));

/** A double-quoted value spanning lines (a PEM key, JSON). */
const multiLine = fc
  .record({
    q: fc.constantFrom('"', "'", '`'),
    lines: fc.array(
      rawValue.map((s) => s.replace(/["'`]/g, '')),
      { minLength: 2, maxLength: 4 },
    ),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
  })
  .map(({ q, lines, eol }) => q + lines.join(eol) + q);

const entryLine = fc
  .record({
    indent: fc.constantFrom('', '', ' ', '\t', '  '),
    exp: fc.constantFrom('', '', '', 'export ', 'export\t', 'export  '),
    key: fc.oneof({ weight: 9, arbitrary: validKey }, { weight: 1, arbitrary: oddKey }),
    sep: fc.constantFrom('=', '=', '=', ' = ', '= ', ' =', '\t=\t', ': ', ':\t', ':', ' '),
    value: fc.oneof({ weight: 6, arbitrary: quotedValue }, { weight: 1, arbitrary: multiLine }),
    tail: fc.constantFrom('', '', '', ' # comment', '#c', '   ', ' # "x"', " 'y'", ' # KEY=1'),
  })
  .map((p) => p.indent + p.exp + p.key + p.sep + p.value + p.tail);

const otherLine = fc.oneof(
  fc.constantFrom(
    '',
    '',
    ' ',
    '\t',
    '#',
    '# comment',
    '  # "quoted" comment',
    '#KEY=commented',
    'FOO',
    '=bar',
    'just text',
    '--flag',
    'export FOO',
    '[x]',
    'K:v',
    'K:',
    'http://x',
    "'",
    '"',
    '`',
  ),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);

const envText = fc
  .record({
    lines: fc.array(fc.oneof({ weight: 3, arbitrary: entryLine }, { weight: 1, arbitrary: otherLine }), { maxLength: 14 }),
    eol: fc.constantFrom('\n', '\n', '\r\n', '\r'),
    mixedEols: fc.array(fc.constantFrom('\n', '\r\n', '\r'), { maxLength: 14 }),
    mixed: fc.boolean(),
    finalEol: fc.boolean(),
    bom: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ lines, eol, mixedEols, mixed, finalEol, bom }) => {
    let text = '';
    lines.forEach((l, i) => {
      text += l + (i < lines.length - 1 || finalEol ? (mixed ? (mixedEols[i] ?? eol) : eol) : '');
    });
    return (bom < 0.08 ? '\ufeff' : '') + text;
  });

/** Bytes: the text's UTF-8, sometimes with NUL bytes or invalid UTF-8 sequences spliced in. */
const INVALID_UTF8: number[][] = [[0xff], [0xfe], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xc0, 0xaf]];
const envBytes = fc
  .record({
    text: envText,
    splices: fc.array(
      fc.record({ at: fc.nat(), bytes: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...INVALID_UTF8) }, { weight: 1, arbitrary: fc.constant([0x00]) }) }),
      { maxLength: 3 },
    ),
    dirty: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ text, splices, dirty }) => {
    let buf = Buffer.from(text, 'utf8');
    if (dirty < 0.3) {
      for (const s of splices) {
        const at = buf.length === 0 ? 0 : s.at % (buf.length + 1);
        buf = Buffer.concat([buf.subarray(0, at), Buffer.from(s.bytes), buf.subarray(at)]);
      }
    }
    return buf;
  });

// ------------------------------------------------------------------------------------------------
// helpers

function offsets(text: string): number[] {
  // LSP line breaks: \r\n, \r, \n (dotenv turns \r\n and lone \r into \n, so lines agree).
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\r') {
      if (text[i + 1] === '\n') i++;
      starts.push(i + 1);
    } else if (text[i] === '\n') starts.push(i + 1);
  }
  return starts;
}

function lineText(text: string, starts: number[], line: number): string {
  const s = starts[line];
  const e = line + 1 < starts.length ? starts[line + 1] : text.length;
  return text.slice(s, e).replace(/\r?\n$|\r$/, '');
}

function offsetAt(starts: number[], text: string, p: Position): number {
  assert.ok(p.line >= 0 && p.line < starts.length, `line ${p.line} inside the text`);
  const o = starts[p.line] + p.character;
  assert.ok(o <= text.length, 'position inside the text');
  return o;
}

function slice(text: string, starts: number[], r: Range): string {
  return text.slice(offsetAt(starts, text, r.start), offsetAt(starts, text, r.end));
}

const WS = /^[\s\ufeff]*$/;

/** The property: dotenv's keys and values, and ranges that cover exactly each entry's line(s). */
export function agreesWithDotenv(input: Buffer): void {
  const text = input.toString('utf8');
  let result: ReturnType<typeof parseEnv>;
  try {
    result = parseEnv(text, FILE);
  } catch (e) {
    assert.fail(`parseEnv threw: ${(e as Error).stack}`);
  }
  const starts = offsets(text);
  for (const p of result.problems) {
    assert.ok(typeof p.message === 'string' && p.message.length > 0, 'a problem has a message');
    slice(text, starts, p.range);
  }
  if (looksBinary(text)) {
    // NUL bytes among other control bytes: a binary file. No entries, and one clear problem on it (dotenv's reading of binary junk is not reproduced).
    assert.deepEqual(result.entries, []);
    assert.deepEqual(
      result.problems.map((p) => p.message),
      ['binary file'],
    );
    return;
  }
  const expected = dotenvParse(input) as Record<string, string>;
  const ours = new Set(result.entries.map((e) => e.key).filter((k) => k !== '__proto__'));
  assert.deepEqual([...ours].sort(), Object.keys(expected).sort(), 'the same keys as dotenv');

  let prevEnd = -1;
  for (const e of result.entries) {
    const start = offsetAt(starts, text, e.range.start);
    const end = offsetAt(starts, text, e.range.end);
    assert.ok(start >= prevEnd && end >= start, 'entries in order, not overlapping');
    prevEnd = end;
  }
  for (const key of Object.keys(expected)) {
    const e = [...result.entries].reverse().find((x) => x.key === key) as EnvEntry;
    assert.equal(e.value, expected[key], `value of ${JSON.stringify(key)}`);
    const whole = slice(text, starts, e.range);
    // The range starts the line (only blanks before it) ...
    const first = lineText(text, starts, e.range.start.line);
    assert.ok(
      WS.test(
        first
          .slice(0, e.range.start.character)
          .split(/[\u2028\u2029]/)
          .pop()!,
      ),
      `${key}: nothing but blanks before the entry on its line: ${JSON.stringify(first)}`,
    );
    assert.ok(whole.startsWith(e.exported ? 'export' : key), `${key}: the range starts at export/the key: ${JSON.stringify(whole)}`);
    assert.equal(slice(text, starts, e.keyRange), key);
    // ... ends the value's last line (only blanks or a comment after it) ...
    const last = lineText(text, starts, e.range.end.line);
    // (dotenv's regex also ends a line at U+2028/U+2029, which LSP positions do not count as line breaks)
    const after = last.slice(e.range.end.character).split(/[\u2028\u2029]/)[0];
    assert.match(after, /^[\s\ufeff]*(#.*)?$/s, `${key}: nothing but a comment after the entry on its last line: ${JSON.stringify(last)}`);
    // ... and holds the whole entry: the text it owns (from its start to the next entry's) alone gives dotenv's value.
    const i = result.entries.indexOf(e);
    const next = result.entries[i + 1];
    const owned = text.slice(offsetAt(starts, text, e.range.start), next ? offsetAt(starts, text, next.range.start) : text.length);
    assert.ok(owned.startsWith(whole));
    const alone = dotenvParse(owned) as Record<string, string>;
    assert.deepEqual(
      Object.keys(alone).filter((k) => k !== key),
      [],
      `${key}: no other entry in the text it owns: ${JSON.stringify(owned)}`,
    );
    if (key !== '__proto__') assert.equal(alone[key], expected[key], `${key}: the text it owns alone gives dotenv's value: ${JSON.stringify(owned)}`);
  }
}

// ------------------------------------------------------------------------------------------------

test('fuzz: .env texts agree with dotenv on every key; ranges cover exactly each entry', () => {
  const params = fuzzParams(3000);
  let entries = 0;
  let binary = 0;
  let invalid = 0;
  runProperty(
    fc.property(envBytes, (buf) => {
      agreesWithDotenv(buf);
      const t = buf.toString('utf8');
      if (t.includes('\0')) binary++;
      if (t.includes('\ufffd')) invalid++;
      entries += Object.keys(dotenvParse(buf)).length;
    }),
    params,
  );
  // The generator really produced what it claims.
  assert.ok(entries > params.numRuns, `entries ${entries}`);
  assert.ok(binary > 0 && invalid > 0, `binary ${binary}, invalid UTF-8 ${invalid}`);
});

test('fuzz: arbitrary strings never make the scanner throw', () => {
  const params = fuzzParams(3000);
  runProperty(
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ maxLength: 300 }), (a, b) => {
      for (const t of [a, b, a + '\n' + b, `K="${a}`, `K='${b}\n`, `export ${a}=${b}`]) {
        const r = parseEnv(t, FILE);
        assert.ok(Array.isArray(r.entries) && Array.isArray(r.problems));
      }
    }),
    params,
  );
});
