/**
 * `.env` scanner with exact source ranges.
 *
 * Values come from `dotenv.parse` itself (called on the text of each matched entry); the scanner
 * only finds where each entry is. It uses dotenv's own LINE regex (dotenv 18, default parser),
 * with capture groups added for `export` and the separator (capture groups do not change what a
 * regex matches), run with match indices over the same CR/CRLF-normalised text dotenv sees. So the
 * entries found are exactly the matches dotenv finds, in the same order.
 *
 * Positions: dotenv turns `\r\n` and lone `\r` into `\n`; LSP counts `\r\n`, `\r` and `\n` as line
 * breaks. So a (line, character) position in the normalised text is the same position in the
 * original text. Positions are relative to `text` as given (a leading BOM counts as a character;
 * strip it before calling if positions must match an editor that hides it).
 */
import { parse as dotenvParse } from 'dotenv';
import type { EnvEntry, EnvProblem, EnvQuote } from '../model/types';
import { LineIndex, ZERO_RANGE } from '../model/text';
import { isPlainName } from '../model/mask';

// dotenv 18.0.10 lib/main.js (default, non-`fast` parser):
// const LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/mg
// Run as is, that regex is quadratic on whitespace runs: at every line start inside a run of blank
// lines, its leading `\s*` eats the whole run and backtracks over it. The scanner below finds the
// same matches in linear time: at a line start it skips the whitespace once (what the greedy `\s*`
// takes first; a shorter take cannot match, since a key or `export` never starts with whitespace),
// then runs the rest of the regex sticky at the first non-blank character. When that fails, every
// line start inside the skipped run would fail the same way, so the search resumes after it.
// Groups here: 1 `export `, 2 key, 3 separator, 4 raw value.
const REST = /(export\s+)?([\w.-]+)(\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/dmy;
const LEADING_WS = /\s*/y;
/** The characters after which `^` matches in a multiline regex. */
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/g;

function isLineTerminator(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

/** The matches dotenv's LINE regex finds in `src`, in order (see above): the start of each match and the sticky match of the rest. */
function* lineMatches(src: string): Generator<{ index: number; rest: RegExpExecArray }> {
  const rest = new RegExp(REST.source, REST.flags);
  const ws = new RegExp(LEADING_WS.source, LEADING_WS.flags);
  const lt = new RegExp(LINE_TERMINATOR.source, LINE_TERMINATOR.flags);
  let pos = 0;
  while (pos <= src.length) {
    let i = pos;
    if (i > 0 && !isLineTerminator(src.charCodeAt(i - 1))) {
      lt.lastIndex = i;
      const t = lt.exec(src);
      if (!t) return;
      i = t.index + 1;
    }
    ws.lastIndex = i;
    ws.exec(src);
    const k = ws.lastIndex;
    rest.lastIndex = k;
    const r = rest.exec(src);
    if (!r || r[0].length === 0) {
      pos = k + 1;
      continue;
    }
    yield { index: i, rest: r };
    pos = k + r[0].length;
  }
}

/** A line that looks like an entry (used to spot quoted values that swallow following lines). */
const LOOKS_LIKE_ENTRY = /^\s*(?:export\s+)?[A-Za-z_][\w.-]*\s*=/;

const BINARY_PROBE = 8192;
/** The problem of a file read as binary: no entry was read from it. */
export const BINARY_MESSAGE = 'binary file';

/**
 * Whether a text is binary rather than a dotenv file with a stray byte: the first 8 KB hold a NUL and
 * more than one control character in ten (dotenv parses a file with one NUL in a comment, and so
 * does Crosswire; a file of NULs and random bytes is not a .env file).
 */
export function looksBinary(text: string): boolean {
  const probe = text.slice(0, BINARY_PROBE);
  if (!probe.includes('\0')) return false;
  let controls = 0;
  for (let i = 0; i < probe.length; i++) {
    const c = probe.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 11 && c !== 27) || c === 0xfffd) controls++;
  }
  return controls >= 2 && controls * 10 > probe.length;
}

const hasOwn = (o: object, k: string): boolean => Object.hasOwn(o, k);

/** dotenv's post-processing of one raw value (used only when dotenv itself gives no value, e.g. `__proto__`). */
function dotenvValue(raw: string): string {
  let v = raw.trim();
  const first = v[0];
  v = v.replace(/^(['"`])([\s\S]*)\1$/gm, '$2');
  if (first === '"') v = v.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
  return v;
}

function quoteName(q: string): string {
  return q === '"' ? 'double quote' : q === "'" ? 'single quote' : 'backtick';
}

/**
 * Scans a .env text. Entries are in source order; a key defined twice appears twice (dotenv keeps
 * the later one). `problems` lists lines dotenv ignores (not blank, not a comment, not an entry)
 * and entries whose value is probably not what the author meant (unterminated quotes, a quoted
 * value that swallows following entries, a value taken from the next line). Never throws.
 */
export function parseEnv(text: string, file: string): { entries: EnvEntry[]; problems: EnvProblem[] } {
  try {
    return scan(typeof text === 'string' ? text : String(text ?? ''), String(file ?? ''));
  } catch (e) {
    return { entries: [], problems: [{ message: `Crosswire could not scan this file: ${(e as Error)?.message ?? e}`, range: ZERO_RANGE }] };
  }
}

function scan(text: string, file: string): { entries: EnvEntry[]; problems: EnvProblem[] } {
  if (looksBinary(text)) return { entries: [], problems: [{ message: BINARY_MESSAGE, range: ZERO_RANGE }] };

  const src = text.indexOf('\r') === -1 ? text : text.replace(/\r\n?/g, '\n');
  const lines = new LineIndex(src);
  const entries: EnvEntry[] = [];
  const problems: { line: number; problem: EnvProblem }[] = [];
  const covered = new Uint8Array(lines.lineCount);

  for (const { rest: m } of lineMatches(src)) {
    const ind = m.indices!;
    const key = m[2];
    const keyStart = ind[2][0];
    const keyEnd = ind[2][1];
    const start = ind[1] ? ind[1][0] : keyStart;
    const sep = ind[3][0] + m[3].search(/[=:]/);
    const afterSep = sep + 1;

    const raw = m[4] ?? '';
    const rawStart = ind[4] ? ind[4][0] : afterSep;
    const lead = raw.length - raw.trimStart().length;
    const trail = raw.length - raw.trimEnd().length;
    let vs = rawStart + lead;
    let ve = rawStart + raw.length - trail;
    let quote: EnvQuote = '';
    let is = vs;
    let ie = ve;
    if (ve <= vs) {
      vs = ve = is = ie = afterSep;
    } else {
      const first = src[vs];
      if ((first === '"' || first === "'" || first === '`') && ve - vs >= 2 && src[ve - 1] === first) {
        quote = first;
        is = vs + 1;
        ie = ve - 1;
      }
    }

    let value: string;
    try {
      // The match without its leading blank lines (dotenv finds the same entry in it, in one step).
      const one = dotenvParse(m[0]) as Record<string, string>;
      value = hasOwn(one, key) ? one[key] : dotenvValue(raw);
    } catch {
      value = dotenvValue(raw);
    }

    entries.push({
      key,
      value,
      file,
      keyRange: lines.range(keyStart, keyEnd),
      valueRange: lines.range(vs, ve),
      innerRange: lines.range(is, ie),
      range: lines.range(start, ve),
      quote,
      exported: m[1] !== undefined,
    });

    const firstLine = lines.positionAt(start).line;
    const lastLine = lines.positionAt(m.index + m[0].length).line;
    for (let l = firstLine; l <= lastLine; l++) covered[l] = 1;

    problems.push(...suspiciousEntry(src, lines, { key, start, keyStart, keyEnd, sep, afterSep, vs, ve, is, ie, quote }));
  }

  // Lines no entry covers: blank lines and comments are fine, anything else dotenv silently ignores.
  for (let l = 0; l < lines.lineCount; l++) {
    if (covered[l]) continue;
    const lineText = src.slice(lines.lineStart(l), lines.lineEnd(l));
    const content = lineText.trim();
    if (content === '' || content.startsWith('#')) continue;
    const s = lines.lineStart(l) + lineText.indexOf(content);
    problems.push({ line: l, problem: { message: garbageMessage(content), range: lines.range(s, s + content.length) } });
  }

  problems.sort((a, b) => a.line - b.line);
  return { entries, problems: problems.map((p) => p.problem) };
}

/** Offsets of one entry in the scanned text: key, separator, value (`vs`..`ve`, quotes included) and its inside (`is`..`ie`). */
interface EntrySpan {
  key: string;
  start: number;
  keyStart: number;
  keyEnd: number;
  sep: number;
  afterSep: number;
  vs: number;
  ve: number;
  is: number;
  ie: number;
  quote: EnvQuote;
}

/** Problems of an entry dotenv accepts but whose value is probably not what was meant. */
function suspiciousEntry(src: string, lines: LineIndex, e: EntrySpan): { line: number; problem: EnvProblem }[] {
  const { key, start, keyStart, keyEnd, sep, afterSep, vs, ve, is, ie, quote } = e;
  const out: { line: number; problem: EnvProblem }[] = [];
  const keyLine = lines.positionAt(keyStart).line;
  const sepLine = lines.positionAt(sep).line;
  const valueLine = lines.positionAt(vs).line;
  if (sepLine > keyLine) {
    out.push({
      line: keyLine,
      problem: {
        message: `${quotedKey(key)} has no "=" on its own line, so dotenv joins it with line ${sepLine + 1} and takes its value from there`,
        range: lines.range(start, keyEnd),
      },
    });
  } else if (ve > vs && valueLine > sepLine) {
    out.push({
      line: sepLine,
      problem: {
        message: `${quotedKey(key)} has no value on its own line, so dotenv takes its value from line ${valueLine + 1}`,
        range: lines.range(start, afterSep),
      },
    });
  }
  const q = src[vs];
  if (ve > vs && quote === '' && (q === '"' || q === "'" || q === '`')) {
    const closed = src.indexOf(q, vs + 1);
    const message =
      closed !== -1 && closed < ve
        ? `Text after the closing ${quoteName(q)}: dotenv keeps the whole text, quotes included, as the value of ${quotedKey(key)}`
        : `Unterminated ${quoteName(q)}: dotenv keeps the opening quote as part of the value of ${quotedKey(key)}`;
    out.push({ line: valueLine, problem: { message, range: lines.range(vs, ve) } });
  } else if (quote !== '' && lines.positionAt(ve).line > valueLine) {
    const inner = src.slice(is, ie).split('\n').slice(1);
    const swallowed = inner.filter((l) => LOOKS_LIKE_ENTRY.test(l)).length;
    if (swallowed > 0) {
      out.push({
        line: valueLine,
        problem: {
          message: `The ${quoteName(quote)}d value of ${quotedKey(key)} spans ${inner.length + 1} lines and contains ${swallowed} line(s) that look like KEY=value entries: is a closing quote missing?`,
          range: lines.range(vs, lines.lineEnd(valueLine)),
        },
      });
    }
  }
  return out;
}

/**
 * A key as messages show it: quoted when it reads like a variable name, else only its length. A
 * line of a secret (a PEM body, a token pasted without `KEY=`) can parse as a key, and messages
 * never quote text that may hold a secret (see {@link isPlainName}).
 */
function quotedKey(key: string): string {
  return isPlainName(key) ? `"${key}"` : `A key of ${key.length} characters that looks like a secret, not a name,`;
}

/**
 * Why dotenv ignores a line. The line is never quoted (it may be a secret's continuation): only a
 * name-like word, the offending character of an invalid key, and Crosswire's own words.
 */
function garbageMessage(content: string): string {
  const ignored = 'dotenv ignores this line';
  if (/^(?:export\s+)?[\w.-]+$/.test(content)) {
    const word = content.replace(/^export\s+/, '');
    return isPlainName(word)
      ? `"${word}" has no "=": ${ignored}`
      : `This line has no "=" (and does not look like a variable name: is it the continuation of a multi-line value that needs quotes?): ${ignored}`;
  }
  if (content.startsWith('=')) return `Missing key before "=": ${ignored}`;
  const eq = content.indexOf('=');
  if (eq > 0) {
    const key = content
      .slice(0, eq)
      .trim()
      .replace(/^export\s+/, '');
    const bad = [...key].find((c) => !/[\w.-]/.test(c));
    const what = bad === undefined ? '' : /\s/.test(bad) ? ' (it contains a space)' : ` (it contains ${JSON.stringify(bad)})`;
    return `Invalid key${what}: keys may contain only letters, digits, "_", "." and "-": ${ignored}`;
  }
  return `Not a KEY=value line: ${ignored}`;
}

// ---------------------------------------------------------------------------------------------
// File names

const TEMPLATE_PARTS = new Set(['example', 'sample', 'template', 'tmpl', 'tpl', 'defaults', 'dist']);
const MODE_ALIASES: Record<string, string> = {
  development: 'development',
  dev: 'development',
  develop: 'development',
  production: 'production',
  prod: 'production',
  test: 'test',
  testing: 'test',
  tests: 'test',
  staging: 'staging',
  stage: 'staging',
};
/** `.env.<ext>` names that are source, config or encrypted files rather than dotenv files. */
const NOT_ENV_EXTENSIONS = new Set([
  'ts',
  'tsx',
  'mts',
  'cts',
  'js',
  'jsx',
  'mjs',
  'cjs',
  'd',
  'map',
  'json',
  'jsonc',
  'json5',
  'yml',
  'yaml',
  'toml',
  'py',
  'pyc',
  'rb',
  'go',
  'rs',
  'java',
  'sh',
  'bash',
  'zsh',
  'fish',
  'ps1',
  'bat',
  'cmd',
  'md',
  'markdown',
  'html',
  'lock',
  'swp',
  'swo',
  'gpg',
  'pgp',
  'asc',
  'age',
  'enc',
  'gz',
  'zip',
  'tar',
  'diff',
  'patch',
  'orig',
  'rej',
  // Template engines: a generator renders these into an env file (`{{ cookieSecret }}`, `{{#if}}` blocks).
  'hbs',
  'handlebars',
  'mustache',
  'ejs',
  'j2',
  'jinja',
  'jinja2',
  'njk',
  'liquid',
  'tmpl',
  'tpl',
  'eta',
]);

function knownMode(parts: string[]): string | undefined {
  for (const p of parts) if (hasOwn(MODE_ALIASES, p)) return MODE_ALIASES[p];
  return undefined;
}

/**
 * Classifies an env file by its name (a path is accepted; only its last segment counts).
 * `.env`, `.env.local`, `.env.<mode>[.local]`, `<stem>.env` are live; `.env.example`, `.env.sample`,
 * `.env.template`, `.env.defaults`, `.env.dist` and names with such a part (`.env.unified.template`,
 * `.env.local.example`) are templates. Common aliases are normalised (dev, prod, stage, testing).
 * Anything else (`.envrc`, `.env.ts`, `env.ts`) is not an env file: null.
 */
export function classifyEnvFile(fileName: string): { kind: 'live' | 'template'; mode: string; local: boolean } | null {
  if (typeof fileName !== 'string') return null;
  const name = fileName.split(/[\\/]/).pop()!.toLowerCase();
  let parts: string[];
  let fromStem = false;
  if (name === '.env') parts = [];
  else if (name.startsWith('.env.')) parts = name.slice(5).split('.').filter(Boolean);
  else if (/^\.env-(example|sample|template|dist|defaults)$/.test(name)) parts = [name.slice(5)];
  else if (name.length > 4 && name.endsWith('.env')) {
    parts = name.slice(0, -4).split('.').filter(Boolean);
    fromStem = true;
  } else if (/^env\.(example|sample|template)$/.test(name)) parts = [name.slice(4)];
  else return null;

  if (!fromStem && parts.length > 0 && NOT_ENV_EXTENSIONS.has(parts[parts.length - 1])) return null;

  const local = parts.includes('local');
  const template = parts.some((p) => TEMPLATE_PARTS.has(p));
  const known = knownMode(parts);
  if (template || fromStem) return { kind: template ? 'template' : 'live', mode: known ?? 'default', local };
  const rest = parts.filter((p) => p !== 'local');
  return { kind: 'live', mode: known ?? (rest.length ? rest.join('.') : 'default'), local };
}

// ---------------------------------------------------------------------------------------------
// Expansion

type Dict = Record<string, string>;

const MAX_STEPS = 1000;
const MAX_LENGTH = 100_000;

function dict(from?: Iterable<[string, string]>): Dict {
  const d = Object.create(null) as Dict;
  if (from) for (const [k, v] of from) d[k] = v;
  return d;
}

/** Total characters one expansion pass may scan (over all its keys): beyond it, values are left unexpanded. */
const MAX_WORK = 20_000_000;

type Lookup = (name: string) => string | undefined;

/**
 * dotenv-expand 1000.0.0's `expand(value, { processEnv, runningParsed })` (the `${}` part of it).
 * `lookup` answers what dotenv-expand's `{ ...runningParsed, ...processEnv }` holds for a name, in O(1)
 * (building that object per key made a file of n entries cost O(n²), and O(n³) per app).
 * `budget.left` bounds the characters scanned; when it runs out the value is returned unexpanded.
 */
function interpolate(value: string, lookup: Lookup, budget: { left: number }): string {
  const re = /(?<!\\)\${([^{}]+)}|(?<!\\)\$([A-Za-z_][A-Za-z0-9_]*)/g;
  let result = value;
  let steps = 0;
  let m: RegExpExecArray | null;
  budget.left -= value.length;
  if (budget.left < 0) return value;
  while ((m = re.exec(result)) !== null) {
    const [template, braced, bare] = m;
    const expr = braced || bare;
    const opMatch = expr.match(/(:\+|\+|:-|-)/);
    const op = opMatch ? opMatch[0] : null;
    // dotenv-expand calls `expr.split(op)`, and `split(null)` splits on the string "null".
    const sep = op ?? 'null';
    const pieces = expr.split(sep);
    const name = pieces.shift()!;
    const alt = pieces.join(sep);
    const cur = lookup(name);
    const has = cur !== undefined;
    let replacement: string;
    if (op === ':-') replacement = cur || alt;
    else if (op === '-') replacement = has ? (cur as string) : alt;
    else if (op === ':+') replacement = cur ? alt : '';
    else if (op === '+') replacement = has ? alt : '';
    else replacement = cur || '';
    // String.prototype.replace with a string pattern, like dotenv-expand ($$, $& ... in the replacement included).
    const next = result.replace(template, replacement);
    budget.left -= next.length;
    if (budget.left < 0) return value;
    if (next === cur) {
      result = next;
      break;
    }
    // dotenv-expand loops forever when a step changes nothing or keeps growing the value: stop instead.
    if (next === result || ++steps >= MAX_STEPS || next.length > MAX_LENGTH) {
      result = next;
      break;
    }
    result = next;
    re.lastIndex = 0;
  }
  return result;
}

/** What expanding a set of values needs to know to expand one more value of one of its keys. */
export interface Expander {
  /** Every key's expanded value, in the order of the input map. */
  readonly expanded: Map<string, string>;
  /** The value `key` would expand to if the input held `value` for it (`key` must be one of the input's keys). */
  expandAs(key: string, value: string): string;
}

/**
 * {@link expandEnv}, keeping what is needed to expand another value of one key at its place in the
 * order (a key defined twice in one file: each occurrence expands on its own) in time linear in that value.
 */
export function createExpander(values: Map<string, string>, processEnv?: Record<string, string>): Expander {
  const parsed = dict(values);
  const original = dict(Object.entries(parsed));
  const env = dict(processEnv ? Object.entries(processEnv).filter(([, v]) => typeof v === 'string') : []);
  // for..in order, as dotenv-expand iterates its object (integer-like keys first).
  const order = Object.keys(parsed);
  const position = new Map<string, number>();
  order.forEach((k, i) => position.set(k, i));
  const budget = { left: MAX_WORK };
  // While key number `at` expands, dotenv-expand sees `{ ...running, ...scoped }`: running holds the
  // keys before it (expanded), scoped is processEnv without the keys of running whose file value it equals.
  const lookupAt =
    (at: number): Lookup =>
    (name) => {
      const p = position.get(name);
      const inRunning = p !== undefined && p < at;
      if (hasOwn(env, name) && !(inRunning && env[name] === original[name])) return env[name];
      return inRunning ? parsed[name] : undefined;
    };
  const expandOne = (key: string, v: string, at: number): string => {
    if (env[key] && env[key] !== v) v = env[key];
    else v = interpolate(v, lookupAt(at), budget);
    return v.replace(/\\\$/g, '$');
  };
  for (let i = 0; i < order.length; i++) parsed[order[i]] = expandOne(order[i], parsed[order[i]], i);
  const expanded = new Map([...values.keys()].map((k) => [k, parsed[k]] as [string, string]));
  return {
    expanded,
    expandAs(key, value) {
      const at = position.get(key);
      if (at === undefined) return value;
      if (value === values.get(key)) return expanded.get(key) ?? value;
      try {
        return expandOne(key, value, at);
      } catch {
        return value;
      }
    },
  };
}

/**
 * dotenv-expand semantics (`${VAR}`, `$VAR`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`,
 * `${VAR+alt}`, `\$` escapes), computed here rather than by calling dotenv-expand: its 1000.x
 * `expand()` also runs `$(command)` substitutions through `child_process.execSync` and decrypts
 * `encrypted:` values, and Crosswire never executes workspace content. `$(...)` is left as written.
 * `processEnv` (default: empty, never the real process.env) wins over a file's value when set and
 * non-empty, as in dotenv-expand. Returns a map with the same keys, in the same order. Never throws.
 */
export function expandEnv(values: Map<string, string>, processEnv?: Record<string, string>): Map<string, string> {
  try {
    return createExpander(values, processEnv).expanded;
  } catch {
    return new Map(values);
  }
}
