import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as dotenvParse } from 'dotenv';
import { classifyEnvFile, expandEnv, looksBinary, parseEnv } from '../src/parsers/env';
import type { EnvEntry, Position, Range } from '../src/model/types';
import { mulberry32 } from './helpers/rng';

const FILE = '/ws/app/.env';

// ------------------------------------------------------------------------------------------------
// helpers

/** Offset of an LSP position in `text` (line breaks: \r\n, \r, \n). */
function offsetAt(text: string, pos: Position): number {
  let line = 0;
  let i = 0;
  while (line < pos.line) {
    const c = text.charCodeAt(i);
    if (i >= text.length) throw new Error(`line ${pos.line} out of range`);
    i++;
    if (c === 10) line++;
    else if (c === 13) {
      if (text.charCodeAt(i) === 10) i++;
      line++;
    }
  }
  const off = i + pos.character;
  for (let j = i; j < off; j++) {
    const c = text.charCodeAt(j);
    if (c === 10 || c === 13 || j >= text.length) throw new Error(`character ${pos.character} beyond line ${pos.line}`);
  }
  return off;
}

function slice(text: string, r: Range): string {
  const s = offsetAt(text, r.start);
  const e = offsetAt(text, r.end);
  assert.ok(s <= e, `range start after end: ${JSON.stringify(r)}`);
  return text.slice(s, e);
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

/** What dotenv makes of the raw value text (used to check that valueRange covers exactly the raw value). */
function dotenvPost(raw: string): string {
  let v = raw.replace(/\r\n?/g, '\n').trim();
  const first = v[0];
  v = v.replace(/^(['"`])([\s\S]*)\1$/gm, '$2');
  if (first === '"') v = v.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
  return v;
}

/** Everything the scanner promises about `text`, checked against dotenv.parse. Returns the result. */
function check(text: string, label = ''): ReturnType<typeof parseEnv> {
  const where = (s: string) => `${label ? `[${label}] ` : ''}${s}\n--- text ---\n${JSON.stringify(text)}`;
  const result = parseEnv(text, FILE);
  const expected = dotenvParse(text) as Record<string, string>;

  // Every key dotenv returns: the last entry with that key has dotenv's value.
  for (const key of Object.keys(expected)) {
    const last = [...result.entries].reverse().find((e) => e.key === key);
    assert.ok(last, where(`no entry for key ${JSON.stringify(key)}`));
    assert.equal(last.value, expected[key], where(`value of ${key}`));
  }
  // ...and no entry dotenv does not know (`__proto__` is an entry dotenv cannot store).
  const keys = new Set(result.entries.map((e) => e.key).filter((k) => k !== '__proto__'));
  assert.deepEqual([...keys].sort(), Object.keys(expected).sort(), where('same key set as dotenv'));

  for (const e of result.entries) checkEntry(text, e, where);
  for (const p of result.problems) {
    slice(text, p.range); // inside the text
    assert.ok(p.message.length > 0);
  }
  return result;
}

function checkEntry(text: string, e: EnvEntry, where: (s: string) => string): void {
  assert.equal(e.file, FILE);
  assert.equal(e.expanded, undefined);
  assert.equal(slice(text, e.keyRange), e.key, where(`keyRange of ${e.key}`));
  const whole = slice(text, e.range);
  assert.ok(whole.startsWith(e.exported ? 'export' : e.key), where(`range of ${e.key} starts at export/key: ${JSON.stringify(whole)}`));
  if (e.exported) assert.match(whole, /^export\s+/);
  assert.deepEqual(e.range.end, e.valueRange.end, where(`range of ${e.key} ends with the value`));
  assert.ok(before(e.keyRange.end, e.valueRange.start), where(`value of ${e.key} after its key`));
  assert.ok(before(e.valueRange.start, e.innerRange.start) && before(e.innerRange.end, e.valueRange.end), where('inner within value'));
  const raw = slice(text, e.valueRange);
  const inner = slice(text, e.innerRange);
  if (e.quote) assert.equal(raw, e.quote + inner + e.quote, where(`quotes of ${e.key}`));
  else {
    assert.equal(inner, raw, where(`unquoted inner of ${e.key}`));
    assert.ok(!/^\s|\s$/.test(raw), where(`unquoted value of ${e.key} is trimmed`));
  }
  if (raw === '') assert.equal(e.value, '', where(`empty value of ${e.key}`));
  // The raw text under valueRange is exactly what dotenv turned into the value.
  if (!/[\u2028\u2029]/.test(raw)) assert.equal(dotenvPost(raw), e.value, where(`valueRange of ${e.key} covers the raw value`));
}

// ------------------------------------------------------------------------------------------------
// corpus

const INCIDENT_A = `# Authentication
NEXTAUTH_SECRET="pano-pamusha-hapa-pindwi-nemuroyi"
NEXTAUTH_URL="http://localhost:3000"

# Database
DATABASE_URL="postgresql://postgres:postgres@localhost:5432/electricity_tokens?connection_limit=10&pool_timeout=20"
`;

const INCIDENT_B = `# ================================
# UNIQUE TO SERVER 2
# ================================
SYNC_NODE_ID="a1b2c3d4e5f6g7h8"  # Generate new: openssl rand -hex 8
SYNC_NODE_NAME="sync-node-server-2"
SYNC_SERVICE_PORT=8765
NEXTAUTH_URL="http://192.168.1.101:8080"
PORT=8080
`;

const INCIDENT_D = `NODE_ENV=production
SESSION_SECRET=your_very_secure_secret_at_least_32_characters_long
NEXT_PUBLIC_BASE_PATH=/it-assets-manager
PORT=3001
`;

const QUOTES = `SINGLE='single # not a comment'
DOUBLE="double # not a comment"
BACKTICK=\`back # tick\`
MIXED="it's \`fine\`"
SQ_IN_DQ="a 'b' c"
DQ_IN_SQ='a "b" c'
EMPTY_DQ=""
EMPTY_SQ=''
EMPTY_BT=\`\`
AFTER_QUOTE="value" # a comment
TIGHT_COMMENT="value"#comment
UNQUOTED=plain value # comment
HASH_NO_SPACE=abc#def
ONLY_COMMENT=#comment
URL=https://example.com/path?a=1&b=2#frag
`;

const ESCAPES = `NL="line1\\nline2"
CR="a\\rb"
SQ_NL='line1\\nline2'
UNQ_NL=line1\\nline2
ESC_DQ="say \\"hi\\""
ESC_SQ='it\\'s'
BACKSLASH="C:\\\\path\\\\to"
DOLLAR="\\$HOME"
`;

const MULTILINE = `PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEA1234
abcd+/==
-----END RSA PRIVATE KEY-----"
AFTER=1
SQ_MULTI='first
second'
BT_MULTI=\`one
two\`
JSON='{"a": 1,
 "b": [1, 2]}'
`;

const EXPORTS = `export A=1
export  B = "two"
export=3
export C
exportD=4
  export   E='five'
`;

const SPACING = `A = 1
B= 2
C =3
D\t=\tfour
   E=  five   
F = " six "
G=
H= 
I=   # only a comment
YAML_STYLE: yes
YAML_QUOTED: "q"
`;

test('incident-style files agree with dotenv, with exact ranges', () => {
  for (const [label, text] of Object.entries({ INCIDENT_A, INCIDENT_B, INCIDENT_D })) {
    const r = check(text, label);
    assert.deepEqual(r.problems, [], label);
  }
  const a = check(INCIDENT_A);
  assert.equal(a.entries.length, 3);
  const secret = a.entries[0];
  assert.equal(secret.key, 'NEXTAUTH_SECRET');
  assert.equal(secret.value, 'pano-pamusha-hapa-pindwi-nemuroyi');
  assert.equal(secret.quote, '"');
  assert.deepEqual(secret.keyRange, { start: { line: 1, character: 0 }, end: { line: 1, character: 15 } });
  assert.deepEqual(secret.valueRange, { start: { line: 1, character: 16 }, end: { line: 1, character: 51 } });
  assert.deepEqual(secret.innerRange, { start: { line: 1, character: 17 }, end: { line: 1, character: 50 } });
  assert.deepEqual(secret.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 51 } });
  assert.equal(secret.exported, false);

  const b = check(INCIDENT_B);
  const node = b.entries.find((e) => e.key === 'SYNC_NODE_ID')!;
  assert.equal(node.value, 'a1b2c3d4e5f6g7h8');
  assert.equal(slice(INCIDENT_B, node.valueRange), '"a1b2c3d4e5f6g7h8"');

  const d = check(INCIDENT_D);
  const port = d.entries.find((e) => e.key === 'PORT')!;
  assert.equal(port.value, '3001');
  assert.equal(port.quote, '');
  assert.deepEqual(port.valueRange, { start: { line: 3, character: 5 }, end: { line: 3, character: 9 } });
});

test('quotes of every kind, # inside quotes and inline comments', () => {
  const r = check(QUOTES);
  const get = (k: string) => r.entries.find((e) => e.key === k)!;
  assert.equal(get('SINGLE').value, 'single # not a comment');
  assert.equal(get('SINGLE').quote, "'");
  assert.equal(get('DOUBLE').value, 'double # not a comment');
  assert.equal(get('BACKTICK').value, 'back # tick');
  assert.equal(get('BACKTICK').quote, '`');
  assert.equal(get('EMPTY_DQ').value, '');
  assert.equal(get('EMPTY_DQ').quote, '"');
  assert.equal(slice(QUOTES, get('EMPTY_DQ').innerRange), '');
  assert.equal(get('AFTER_QUOTE').value, 'value');
  assert.equal(slice(QUOTES, get('AFTER_QUOTE').valueRange), '"value"');
  assert.equal(get('TIGHT_COMMENT').value, 'value');
  assert.equal(get('UNQUOTED').value, 'plain value');
  assert.equal(slice(QUOTES, get('UNQUOTED').valueRange), 'plain value');
  assert.equal(get('HASH_NO_SPACE').value, 'abc'); // dotenv: `#` starts a comment even without a space
  assert.equal(get('ONLY_COMMENT').value, '');
  assert.equal(get('URL').value, 'https://example.com/path?a=1&b=2');
  assert.deepEqual(r.problems, []);
});

test('escapes: \\n and \\r expand only in double quotes', () => {
  const r = check(ESCAPES);
  const get = (k: string) => r.entries.find((e) => e.key === k)!;
  assert.equal(get('NL').value, 'line1\nline2');
  assert.equal(get('CR').value, 'a\rb');
  assert.equal(get('SQ_NL').value, 'line1\\nline2');
  assert.equal(get('UNQ_NL').value, 'line1\\nline2');
  assert.equal(get('ESC_DQ').value, 'say \\"hi\\"'); // dotenv keeps the backslashes
  assert.equal(get('ESC_SQ').value, "it\\'s");
  assert.equal(get('DOLLAR').value, '\\$HOME');
  assert.equal(slice(ESCAPES, get('NL').innerRange), 'line1\\nline2');
});

test('multi-line quoted values span lines', () => {
  const r = check(MULTILINE);
  const key = r.entries.find((e) => e.key === 'PRIVATE_KEY')!;
  assert.ok(key.value.startsWith('-----BEGIN RSA PRIVATE KEY-----\nMIIE'));
  assert.deepEqual(key.range.start, { line: 0, character: 0 });
  assert.deepEqual(key.valueRange.end, { line: 3, character: 30 });
  assert.equal(r.entries.find((e) => e.key === 'AFTER')!.keyRange.start.line, 4);
  assert.equal(r.entries.find((e) => e.key === 'SQ_MULTI')!.value, 'first\nsecond');
  assert.equal(r.entries.find((e) => e.key === 'BT_MULTI')!.value, 'one\ntwo');
  assert.deepEqual(r.problems, []);
});

test('export prefix', () => {
  const r = check(EXPORTS);
  const get = (k: string) => r.entries.find((e) => e.key === k)!;
  assert.equal(get('A').exported, true);
  assert.deepEqual(get('A').range.start, { line: 0, character: 0 });
  assert.deepEqual(get('A').keyRange.start, { line: 0, character: 7 });
  assert.equal(get('B').value, 'two');
  assert.equal(get('export').value, '3'); // `export=3` defines a key named export
  assert.equal(get('export').exported, false);
  assert.equal(get('exportD').value, '4');
  assert.equal(get('E').exported, true);
  assert.deepEqual(get('E').range.start, { line: 5, character: 2 });
  assert.deepEqual(
    r.problems.map((p) => p.range.start.line),
    [3],
    'only `export C` (no value) is a problem',
  );
  assert.match(r.problems[0].message, /has no "="/);
});

test('spaces around =, empty values, KEY: value', () => {
  const r = check(SPACING);
  const get = (k: string) => r.entries.find((e) => e.key === k)!;
  assert.equal(get('D').value, 'four');
  assert.equal(get('E').value, 'five');
  assert.equal(slice(SPACING, get('E').valueRange), 'five');
  assert.equal(get('F').value, ' six ');
  for (const k of ['G', 'H', 'I']) {
    const e = get(k);
    assert.equal(e.value, '');
    assert.deepEqual(e.valueRange.start, e.valueRange.end, `${k}: empty range`);
    assert.equal(e.valueRange.start.character, 2, `${k}: right after =`);
  }
  assert.equal(get('YAML_STYLE').value, 'yes');
  assert.equal(get('YAML_QUOTED').value, 'q');
  assert.deepEqual(r.problems, []);
});

test('CRLF, lone CR and BOM', () => {
  const crlf = 'A=1\r\nB="x\r\ny"\r\n# c\r\nC=3\r\nGARBAGE\r\n';
  const r = check(crlf);
  assert.equal(r.entries.find((e) => e.key === 'B')!.value, 'x\ny');
  assert.deepEqual(r.entries.find((e) => e.key === 'C')!.keyRange.start, { line: 4, character: 0 });
  assert.deepEqual(
    r.problems.map((p) => p.range.start.line),
    [5],
  );
  assert.equal(slice(crlf, r.problems[0].range), 'GARBAGE');

  const cr = 'A=1\rB=2\rC="m\rn"\r';
  const c = check(cr);
  assert.deepEqual(
    c.entries.map((e) => [e.key, e.keyRange.start.line]),
    [
      ['A', 0],
      ['B', 1],
      ['C', 2],
    ],
  );
  assert.equal(c.entries[2].value, 'm\nn');

  const bom = '\uFEFFFIRST=1\nSECOND=2\n';
  const b = check(bom);
  assert.equal(b.entries[0].key, 'FIRST');
  assert.deepEqual(b.entries[0].keyRange.start, { line: 0, character: 1 }, 'positions are relative to the text as given');
  assert.deepEqual(b.problems, []);
});

test("duplicate keys: both kept, in order, the later one is dotenv's", () => {
  const text = 'SECRET=first\nOTHER=x\nSECRET="second"\n';
  const r = check(text);
  const dups = r.entries.filter((e) => e.key === 'SECRET');
  assert.deepEqual(
    dups.map((e) => e.value),
    ['first', 'second'],
  );
  assert.deepEqual(
    dups.map((e) => e.keyRange.start.line),
    [0, 2],
  );
  assert.equal(dotenvParse(text).SECRET, 'second');
});

test('garbage lines are problems at the right lines; dotenv ignores them', () => {
  const text = [
    '# header', // 0
    'FOO', // 1
    '# =bar would join FOO', // 2
    'GOOD=1', // 3
    'KEY WITH SPACE=1', // 4
    '   just some text   ', // 5
    '1BAD=x', // 6 (dotenv accepts keys starting with a digit)
    'a.b-c=dotted', // 7
    'https://example.com', // 8
    '[section]', // 9
    '', // 10
    '   # indented comment', // 11
    'LAST=2', // 12
  ].join('\n');
  const r = check(text);
  assert.deepEqual(
    r.entries.map((e) => e.key),
    ['GOOD', '1BAD', 'a.b-c', 'LAST'],
  );
  assert.deepEqual(
    r.problems.map((p) => p.range.start.line),
    [1, 4, 5, 8, 9],
  );
  assert.equal(slice(text, r.problems[2].range), 'just some text');
  assert.match(r.problems[0].message, /"FOO" has no "="/);
  // The invalid key is not quoted (issue 11: a line that is not an entry may hold a secret).
  assert.match(r.problems[1].message, /Invalid key \(it contains a space\)/);

  const missingKey = check('A=1\n=bar\n');
  assert.deepEqual(
    missingKey.problems.map((p) => [p.range.start.line, p.message]),
    [[1, 'Missing key before "=": dotenv ignores this line']],
  );

  // dotenv's `\s*` before "=" crosses line breaks: a bare key followed by a line starting with "=" is one entry.
  const joined = check('FOO\n=bar\n');
  assert.deepEqual(
    joined.entries.map((e) => [e.key, e.value]),
    [['FOO', 'bar']],
  );
  assert.deepEqual(
    joined.problems.map((p) => p.range.start.line),
    [0],
  );
  assert.match(joined.problems[0].message, /joins it with line 2/);
});

test('unterminated and misplaced quotes: values as dotenv reads them, plus a problem', () => {
  // No closing quote anywhere: dotenv takes the rest of the line, opening quote included.
  const t1 = 'A="abc\nB=2\n';
  const r1 = check(t1);
  assert.equal(r1.entries[0].value, '"abc');
  assert.equal(r1.entries[0].quote, '');
  assert.deepEqual(
    r1.problems.map((p) => p.range.start.line),
    [0],
  );
  assert.match(r1.problems[0].message, /Unterminated double quote/);

  // A later line ends with a quote: dotenv reads one multi-line value that swallows the entries between.
  const t2 = 'A="abc\nB=2\nC="\nD=4\n';
  const r2 = check(t2);
  assert.equal(r2.entries[0].value, 'abc\nB=2\nC=');
  assert.deepEqual(
    r2.entries.map((e) => e.key),
    ['A', 'D'],
  );
  assert.deepEqual(
    r2.problems.map((p) => p.range.start.line),
    [0],
  );
  assert.match(r2.problems[0].message, /closing quote missing/);

  // Text after the closing quote: dotenv keeps it all, quotes included.
  const t3 = `A="abc" def\nB='x' 'y'\n`;
  const r3 = check(t3);
  assert.equal(r3.entries[0].value, '"abc" def');
  assert.equal(r3.entries[1].value, "x' 'y");
  assert.equal(r3.entries[1].quote, "'");
  assert.deepEqual(
    r3.problems.map((p) => p.range.start.line),
    [0],
  );
  assert.match(r3.problems[0].message, /after the closing double quote/);

  // Empty value, quoted text on the next line: dotenv gives that text to the key.
  const t4 = 'A=\n"next line"\nB=2\n';
  const r4 = check(t4);
  assert.equal(r4.entries[0].value, 'next line');
  assert.deepEqual(r4.entries[0].valueRange.start, { line: 1, character: 0 });
  assert.deepEqual(
    r4.problems.map((p) => p.range.start.line),
    [0],
  );
  assert.match(r4.problems[0].message, /takes its value from line 2/);

  // `KEY:` then a newline: YAML style separator, value from the next line.
  const t5 = 'A:\nB=2\n';
  const r5 = check(t5);
  assert.deepEqual(
    r5.entries.map((e) => [e.key, e.value]),
    [['A', 'B=2']],
  );
  assert.equal(r5.problems.length, 1);

  // A lone quote.
  for (const t of ['A="', "A='", 'A=`', 'A="\n', '"', "'"]) check(t);
});

test('NUL bytes: binary file, no entries, one problem', () => {
  const r = parseEnv('A=1\nB=\0\x01\x02\nC=3\n', FILE);
  assert.deepEqual(r.entries, []);
  assert.equal(r.problems.length, 1);
  assert.equal(r.problems[0].message, 'binary file');
  // A NUL after the first 8 KB does not make the file binary.
  const late = 'A=1\n' + '# pad\n'.repeat(2000) + 'B=x\0y\n';
  const l = check(late);
  assert.equal(l.entries.length, 2);
});

test('never throws on odd input', () => {
  const odd: unknown[] = [
    '',
    '\n',
    '\r',
    '=',
    '#',
    'export',
    'export ',
    '"',
    "'''",
    '`',
    '\\',
    '\u2028',
    'A=\u2028B=2',
    'A="a"\u2028"b"',
    '__proto__=1\nconstructor=2\ntoString=3',
    'A=😀\nB="😀"',
    ' '.repeat(10000),
    'A=' + 'x'.repeat(100000),
    undefined,
    null,
    42,
  ];
  for (const t of odd) {
    const r = parseEnv(t as string, FILE);
    assert.ok(Array.isArray(r.entries) && Array.isArray(r.problems));
    if (typeof t === 'string') check(t);
  }
  const proto = parseEnv('__proto__=1\nconstructor=2', FILE);
  assert.deepEqual(
    proto.entries.map((e) => [e.key, e.value]),
    [
      ['__proto__', '1'],
      ['constructor', '2'],
    ],
  );
});

test('a large file scans quickly', () => {
  const lines: string[] = [];
  for (let i = 0; i < 20000; i++) lines.push(i % 3 === 0 ? `# comment ${i}` : i % 3 === 1 ? `KEY_${i}="value ${i}" # c` : `export K${i}=v${i}`);
  const text = lines.join('\n');
  const t0 = Date.now();
  const r = parseEnv(text, FILE);
  const ms = Date.now() - t0;
  assert.equal(r.entries.length, 13333);
  assert.ok(ms < 5000, `took ${ms} ms`);
});

// ------------------------------------------------------------------------------------------------
// generated corpus

function generator(seed: number) {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const chance = (p: number) => rnd() < p;
  const keys = ['A', 'PORT', 'DATABASE_URL', 'NEXTAUTH_SECRET', 'x.y', 'a-b', '_U', '1NUM', 'export', 'KEY'];
  const atoms = [
    'abc',
    '3000',
    'http://localhost:3000',
    ' ',
    '  ',
    '#',
    ' # c',
    '\\n',
    '\\r',
    '\\"',
    "\\'",
    '\\`',
    '"',
    "'",
    '`',
    '=',
    ':',
    '$PORT',
    '${A}',
    'é',
    '😀',
    '\t',
    'x y',
    '\\',
    '{"a":1}',
    'a#b',
    '\u00a0',
    '\n',
    '\r\n',
    'K=v',
    'export ',
  ];
  const value = (): string => {
    let s = '';
    const n = Math.floor(rnd() * 5);
    for (let i = 0; i < n; i++) s += pick(atoms);
    return s;
  };
  const quoted = (): string => {
    const q = pick(['"', "'", '`']);
    let v = value();
    if (chance(0.7)) v = v.split(q).join(''); // mostly well-formed
    return q + v + (chance(0.9) ? q : '');
  };
  const line = (): string => {
    const r = rnd();
    if (r < 0.06) return '';
    if (r < 0.1) return pick([' ', '\t', '   ']);
    if (r < 0.18) return pick(['#', '# comment', '  # "quoted" comment', '#KEY=commented']);
    if (r < 0.26) return pick(['FOO', '=bar', 'KEY WITH SPACE=1', 'just text', '--flag', 'export FOO', '[x]', 'K:v', 'K:', 'http://x', "'", '"']);
    const key = pick(keys);
    const pre = chance(0.15) ? pick(['export ', 'export\t', '  export  ']) : chance(0.1) ? pick([' ', '\t']) : '';
    const sep = pick(['=', '=', '=', ' = ', '= ', ' =', '\t=\t', ': ', ':\t']);
    const val = chance(0.5) ? quoted() : value();
    const tail = chance(0.2) ? pick([' # comment', '#c', '   ', ' # "x"', " 'y'"]) : '';
    return pre + key + sep + val + tail;
  };
  return (): string => {
    const eol = pick(['\n', '\n', '\r\n', '\r']);
    const n = Math.floor(rnd() * 12);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(line());
    let text = out.join(eol) + (chance(0.7) ? eol : '');
    if (chance(0.05)) text = '\uFEFF' + text;
    if (chance(0.01)) text = text + '\0';
    return text;
  };
}

test('generated: 2,000 random .env texts agree with dotenv on every key', () => {
  const next = generator(20240611);
  let entries = 0;
  let problems = 0;
  let binary = 0;
  let withNul = 0;
  for (let i = 0; i < 2000; i++) {
    const text = next();
    if (text.includes('\0')) withNul++;
    if (looksBinary(text)) {
      const r = parseEnv(text, FILE);
      assert.deepEqual(r.entries, []);
      assert.equal(r.problems[0].message, 'binary file');
      binary++;
      continue;
    }
    const r = check(text, `case ${i}`);
    entries += r.entries.length;
    problems += r.problems.length;
  }
  // The generator really exercised the scanner.
  assert.ok(entries > 5000, `entries ${entries}`);
  assert.ok(problems > 500, `problems ${problems}`);
  // A stray NUL no longer makes a text binary (issue 11): those texts are checked against dotenv like the others.
  assert.ok(withNul > 0, 'some texts with a NUL byte');
  void binary;
});

// ------------------------------------------------------------------------------------------------
// classifyEnvFile

test('classifyEnvFile', () => {
  const cases: [string, ReturnType<typeof classifyEnvFile>][] = [
    ['.env', { kind: 'live', mode: 'default', local: false }],
    ['.env.local', { kind: 'live', mode: 'default', local: true }],
    ['.env.development', { kind: 'live', mode: 'development', local: false }],
    ['.env.development.local', { kind: 'live', mode: 'development', local: true }],
    ['.env.production', { kind: 'live', mode: 'production', local: false }],
    ['.env.production.local', { kind: 'live', mode: 'production', local: true }],
    ['.env.test', { kind: 'live', mode: 'test', local: false }],
    ['.env.test.local', { kind: 'live', mode: 'test', local: true }],
    ['.env.staging', { kind: 'live', mode: 'staging', local: false }],
    ['.env.prod', { kind: 'live', mode: 'production', local: false }],
    ['.env.dev', { kind: 'live', mode: 'development', local: false }],
    ['.env.docker', { kind: 'live', mode: 'docker', local: false }],
    ['.env.docker.local', { kind: 'live', mode: 'docker', local: true }],
    ['.env.example', { kind: 'template', mode: 'default', local: false }],
    ['.env.sample', { kind: 'template', mode: 'default', local: false }],
    ['.env.template', { kind: 'template', mode: 'default', local: false }],
    ['.env.defaults', { kind: 'template', mode: 'default', local: false }],
    ['.env.dist', { kind: 'template', mode: 'default', local: false }],
    ['.env.unified.template', { kind: 'template', mode: 'default', local: false }],
    ['.env.local.example', { kind: 'template', mode: 'default', local: true }],
    ['.env.production.example', { kind: 'template', mode: 'production', local: false }],
    ['.env.test.sample', { kind: 'template', mode: 'test', local: false }],
    ['prod.env', { kind: 'live', mode: 'production', local: false }],
    ['production.env', { kind: 'live', mode: 'production', local: false }],
    ['app.env', { kind: 'live', mode: 'default', local: false }],
    ['example.env', { kind: 'template', mode: 'default', local: false }],
    ['env.example', { kind: 'template', mode: 'default', local: false }],
    ['/abs/path/to/.env.local', { kind: 'live', mode: 'default', local: true }],
    ['C:\\proj\\.env.staging', { kind: 'live', mode: 'staging', local: false }],
    ['.envrc', null],
    ['.environment.ts', null],
    ['env.ts', null],
    ['.env.ts', null],
    ['.env.js', null],
    ['.env.json', null],
    ['.env.d.ts', null],
    ['.env-cmdrc', null],
    ['environment', null],
    ['package.json', null],
    ['.env.gpg', null],
    // Rendered by a template engine (a project generator's `.env.hbs` with `{{ cookieSecret }}`): not an env file.
    ['.env.hbs', null],
    ['.env.example.j2', null],
    ['.env.ejs', null],
  ];
  for (const [name, expected] of cases) assert.deepEqual(classifyEnvFile(name), expected, name);
  // the test-workspace's env files are all env files
  const root = path.resolve(__dirname, '../../..');
  const ws = path.join(root, 'test-workspace');
  if (fs.existsSync(ws)) {
    const walk = (d: string): string[] =>
      fs
        .readdirSync(d, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? (e.name === 'node_modules' ? [] : walk(path.join(d, e.name))) : [path.join(d, e.name)]));
    for (const f of walk(ws).filter((f) => /^\.env/.test(path.basename(f)))) {
      const c = classifyEnvFile(path.basename(f));
      assert.ok(c, f);
      const r = check(fs.readFileSync(f, 'utf8'), f);
      assert.deepEqual(r.problems, [], f);
    }
  }
});

// ------------------------------------------------------------------------------------------------
// expandEnv

const m = (o: Record<string, string>) => new Map(Object.entries(o));
const obj = (mp: Map<string, string>) => Object.fromEntries(mp);

test('expandEnv: ${VAR}, $VAR, defaults, alternates, \\$ escapes', () => {
  assert.deepEqual(obj(expandEnv(m({ PORT: '3000', URL: 'http://localhost:${PORT}/x', URL2: 'http://localhost:$PORT', HOST: '${HOSTNAME:-localhost}' }))), {
    PORT: '3000',
    URL: 'http://localhost:3000/x',
    URL2: 'http://localhost:3000',
    HOST: 'localhost',
  });
  assert.deepEqual(obj(expandEnv(m({ E: '', A: '${E:-d1}', B: '${E-d2}', C: '${E:+a1}', D: '${E+a2}', F: '${NOPE-d3}', G: '${NOPE+a3}' }))), {
    E: '',
    A: 'd1',
    B: '',
    C: '',
    D: 'a2',
    F: 'd3',
    G: '',
  });
  assert.deepEqual(obj(expandEnv(m({ PRICE: '\\$5', REF: '\\${PRICE}' }))), { PRICE: '$5', REF: '${PRICE}' });
  // later keys see earlier ones only (dotenv-expand processes in order)
  assert.deepEqual(obj(expandEnv(m({ A: '$B', B: 'b' }))), { A: '', B: 'b' });
  // recursive defaults
  assert.deepEqual(obj(expandEnv(m({ X: 'x', Y: '${NOPE:-$X}' }))), { X: 'x', Y: 'x' });
  // processEnv wins when set and different; the real process.env never leaks in
  process.env.CROSSWIRE_TEST_LEAK = 'leaked';
  assert.deepEqual(obj(expandEnv(m({ A: '$CROSSWIRE_TEST_LEAK' }))), { A: '' });
  delete process.env.CROSSWIRE_TEST_LEAK;
  assert.deepEqual(obj(expandEnv(m({ A: 'file', B: '${A}-$HOME' }), { A: 'env', HOME: '/h' })), { A: 'env', B: 'env-/h' });
  // order of the returned map is the input order
  assert.deepEqual(
    [
      ...expandEnv(
        new Map([
          ['Z', '1'],
          ['A', '2'],
          ['10', '3'],
        ]),
      ).keys(),
    ],
    ['Z', 'A', '10'],
  );
});

test('expandEnv never executes $(command) and never hangs', () => {
  const marker = path.join(os.tmpdir(), `crosswire-env-test-${process.pid}`);
  const out = expandEnv(m({ CMD: `$(touch ${marker})`, CMD2: '`touch x`' }));
  assert.equal(out.get('CMD'), `$(touch ${marker})`);
  assert.ok(!fs.existsSync(marker));
  // dotenv-expand itself loops forever on these; we stop.
  const t0 = Date.now();
  const hang = expandEnv(m({ A: '\\$A', B: 'x$A', C: '$constructor', D: '$toString' }));
  assert.equal(hang.get('A'), '$A');
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(hang.get('C'), '');
});

test('expandEnv agrees with dotenv-expand on generated safe inputs', () => {
  // dotenv-expand runs `$(...)` through execSync: inputs here never contain "(" and run in a child
  // process with a timeout (the library can loop forever on some inputs).
  const rnd = mulberry32(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const names = ['A', 'B', 'PORT', 'HOST', 'URL', '_X', 'nullable', 'an', 'null'];
  const atoms = ['x', 'localhost', ':', '/', '-', '{', '}', '$', '$$', '+', '.', '3000', 'http://'];
  const ref = () => {
    const n = pick(names);
    return pick([
      `$${n}`,
      `\${${n}}`,
      `\${${n}:-${pick(atoms)}}`,
      `\${${n}-${pick(atoms)}}`,
      `\${${n}:+${pick(atoms)}}`,
      `\${${n}+${pick(atoms)}}`,
      `\${${n}:-$${pick(names)}}`,
    ]);
  };
  const cases: Record<string, string>[] = [
    { A: '1', B: '${A}x', C: '$A-$B', D: '${Z:-def}', F: '${nullable}', nullable: 'q' },
    { A: '$$&', B: '${A}z' },
    { B: '2', '1': '$B', A: '${B:+set}${Q+x}${B-no}' },
    { A: '${A:-d}', B: '$B' },
  ];
  for (let i = 0; i < 400; i++) {
    const c: Record<string, string> = {};
    const n = 1 + Math.floor(rnd() * 5);
    for (let j = 0; j < n; j++) {
      let v = '';
      const parts = Math.floor(rnd() * 4);
      for (let k = 0; k < parts; k++) v += rnd() < 0.5 ? ref() : pick(atoms);
      c[pick(names)] = v;
    }
    cases.push(c);
  }
  for (const c of cases) for (const v of Object.values(c)) assert.ok(!v.includes('(') && !v.includes('encrypted:'));
  const script = `
    const { expand } = require(${JSON.stringify(require.resolve('dotenv-expand'))});
    const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    const out = cases.map((parsed) => expand({ parsed: { ...parsed }, processEnv: {} }).parsed);
    process.stdout.write(JSON.stringify(out));`;
  const child = spawnSync(process.execPath, ['-e', script], { input: JSON.stringify(cases), timeout: 60000, encoding: 'utf8', env: {} });
  assert.equal(child.status, 0, `dotenv-expand child failed: ${child.error ?? child.stderr}`);
  const theirs = JSON.parse(child.stdout) as Record<string, string>[];
  cases.forEach((c, i) => {
    assert.deepEqual(obj(expandEnv(m(c))), theirs[i], `case ${JSON.stringify(c)}`);
  });
});

test('ranges are shared values: equal coordinates give one frozen object, and far or long lines still get exact positions', () => {
  const a = parseEnv('PORT=3000\nSECRET=abc\n', '/ws/a/.env').entries;
  const b = parseEnv('PORT=4000\nSECRET=xyz\n', '/ws/b/.env').entries;
  // Same coordinates in two files: one object (the location's file tells them apart).
  assert.equal(a[0].keyRange, b[0].keyRange);
  assert.equal(a[1].range.start, b[1].range.start);
  assert.ok(Object.isFrozen(a[0].keyRange) && Object.isFrozen(a[0].keyRange.start));
  assert.throws(() => {
    (a[0].keyRange.start as { line: number }).line = 7;
  }, TypeError);
  assert.equal(b[0].keyRange.start.line, 0);
  // Beyond the shared tables (line 5,000, a 700-character value): fresh objects, exact coordinates.
  const long = 'x'.repeat(700);
  const text = `${'# filler\n'.repeat(5000)}TOKEN=${long}\n`;
  const [far] = parseEnv(text, '/ws/c/.env').entries;
  assert.deepEqual(far.valueRange, { start: { line: 5000, character: 6 }, end: { line: 5000, character: 706 } });
  assert.equal(offsetAt(text, far.valueRange.end) - offsetAt(text, far.valueRange.start), 700);
});
