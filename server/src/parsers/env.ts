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

// dotenv 18.0.10 lib/main.js (default, non-`fast` parser):
// const LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/mg
// Groups here: 1 `export `, 2 key, 3 separator, 4 raw value.
const LINE =
  /(?:^|^)\s*(export\s+)?([\w.-]+)(\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/dgm;

/** A line that looks like an entry (used to spot quoted values that swallow following lines). */
const LOOKS_LIKE_ENTRY = /^\s*(?:export\s+)?[A-Za-z_][\w.-]*\s*=/;

const BINARY_PROBE = 8192;

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

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
  if (text.slice(0, BINARY_PROBE).includes('\0')) return { entries: [], problems: [{ message: 'binary file', range: ZERO_RANGE }] };

  const src = text.indexOf('\r') === -1 ? text : text.replace(/\r\n?/g, '\n');
  const lines = new LineIndex(src);
  const entries: EnvEntry[] = [];
  const problems: { line: number; problem: EnvProblem }[] = [];
  const covered = new Uint8Array(lines.lineCount);

  const re = new RegExp(LINE.source, LINE.flags);
  let m: RegExpExecArray | null;
  while ((m = re.exec(src)) !== null) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
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

    // Suspicious entries (dotenv accepts them, but the value is probably not what was meant).
    const keyLine = lines.positionAt(keyStart).line;
    const sepLine = lines.positionAt(sep).line;
    const valueLine = lines.positionAt(vs).line;
    if (sepLine > keyLine) {
      problems.push({
        line: keyLine,
        problem: {
          message: `"${key}" has no "=" on its own line, so dotenv joins it with line ${sepLine + 1} (${key}=${JSON.stringify(shortened(value))})`,
          range: lines.range(start, keyEnd),
        },
      });
    } else if (ve > vs && valueLine > sepLine) {
      const shown = src.slice(vs, Math.min(ve, lines.lineEnd(valueLine)));
      problems.push({
        line: sepLine,
        problem: {
          message: `${key} has no value on its own line, so dotenv takes its value from line ${valueLine + 1} (${JSON.stringify(shortened(shown))})`,
          range: lines.range(start, afterSep),
        },
      });
    }
    const q = src[vs];
    if (ve > vs && quote === '' && (q === '"' || q === "'" || q === '`')) {
      const closed = src.indexOf(q, vs + 1);
      const message =
        closed !== -1 && closed < ve
          ? `Text after the closing ${quoteName(q)}: dotenv keeps the whole text, quotes included, as the value of ${key}`
          : `Unterminated ${quoteName(q)}: dotenv keeps the opening quote as part of the value of ${key}`;
      problems.push({ line: valueLine, problem: { message, range: lines.range(vs, ve) } });
    } else if (quote !== '' && lines.positionAt(ve).line > valueLine) {
      const inner = src.slice(is, ie).split('\n').slice(1);
      const swallowed = inner.filter((l) => LOOKS_LIKE_ENTRY.test(l)).length;
      if (swallowed > 0) {
        problems.push({
          line: valueLine,
          problem: {
            message: `The ${quoteName(quote)}d value of ${key} spans ${inner.length + 1} lines and contains ${swallowed} line(s) that look like KEY=value entries: is a closing quote missing?`,
            range: lines.range(vs, lines.lineEnd(valueLine)),
          },
        });
      }
    }
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

function shortened(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function garbageMessage(content: string): string {
  const ignored = 'dotenv ignores this line';
  if (/^(?:export\s+)?[\w.-]+$/.test(content)) return `"${shortened(content)}" has no "=": ${ignored}`;
  if (content.startsWith('=')) return `Missing key before "=": ${ignored}`;
  const eq = content.indexOf('=');
  if (eq > 0) {
    const key = content.slice(0, eq).trim().replace(/^export\s+/, '');
    return `Invalid key "${shortened(key)}" (keys may contain only letters, digits, "_", "." and "-"): ${ignored}`;
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
  staging: 'staging',
  stage: 'staging',
};
/** `.env.<ext>` names that are source, config or encrypted files rather than dotenv files. */
const NOT_ENV_EXTENSIONS = new Set([
  'ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs', 'd', 'map', 'json', 'jsonc', 'json5', 'yml', 'yaml', 'toml',
  'py', 'pyc', 'rb', 'go', 'rs', 'java', 'sh', 'bash', 'zsh', 'fish', 'ps1', 'bat', 'cmd', 'md', 'markdown', 'html',
  'lock', 'swp', 'swo', 'gpg', 'pgp', 'asc', 'age', 'enc', 'gz', 'zip', 'tar',
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

/** dotenv-expand 1000.0.0's `expand(value, { processEnv, runningParsed })` (the `${}` part of it). */
function interpolate(value: string, processEnv: Dict, running: Dict): string {
  const env = dict([...Object.entries(running), ...Object.entries(processEnv)]);
  const re = /(?<!\\)\${([^{}]+)}|(?<!\\)\$([A-Za-z_][A-Za-z0-9_]*)/g;
  let result = value;
  let steps = 0;
  let m: RegExpExecArray | null;
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
    const has = hasOwn(env, name);
    const cur = has ? env[name] : undefined;
    let replacement: string;
    if (op === ':-') replacement = cur || alt;
    else if (op === '-') replacement = has ? (cur as string) : alt;
    else if (op === ':+') replacement = cur ? alt : '';
    else if (op === '+') replacement = has ? alt : '';
    else replacement = cur || '';
    // String.prototype.replace with a string pattern, like dotenv-expand ($$, $& ... in the replacement included).
    const next = result.replace(template, replacement);
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
    const parsed = dict(values);
    const original = dict(Object.entries(parsed));
    const env = dict(processEnv ? Object.entries(processEnv).filter(([, v]) => typeof v === 'string') : []);
    const running = dict();
    // for..in order, as dotenv-expand iterates its object (integer-like keys first).
    for (const key of Object.keys(parsed)) {
      let v = parsed[key];
      if (env[key] && env[key] !== v) v = env[key];
      else {
        const scoped = dict(Object.entries(env));
        for (const k of Object.keys(running)) if (scoped[k] === original[k]) delete scoped[k];
        v = interpolate(v, scoped, running);
      }
      v = v.replace(/\\\$/g, '$');
      parsed[key] = v;
      running[key] = v;
    }
    return new Map([...values.keys()].map((k) => [k, parsed[k]] as [string, string]));
  } catch {
    return new Map(values);
  }
}
