import type { CodeDefault, CodeFileInfo, ListenCall } from '../model/types';
import { LineIndex } from '../model/text';
import { GUARD_HINT, isGuardedPlaceholder } from '../model/placeholder';

/**
 * Python test modules by name: what pytest collects by default (`test_*.py`, `*_test.py`), its fixtures
 * (`conftest.py`) and Django's `tests.py`. Their env defaults, URLs and `app.run()` calls are test inputs, not what an
 * app runs with, so they are not parsed (as TEST_SOURCE in code.ts for JavaScript).
 */
export const PY_TEST_SOURCE = /(^|[\\/])(test_[^\\/]*|[^\\/]*_test|conftest|tests)\.py$/;

export function mayHavePythonFacts(text: string): boolean {
  return text.includes('getenv') || text.includes('environ') || /:\s*str\s*=/.test(text) || /\.run(_app)?\(/.test(text) || GUARD_HINT.test(text);
}

// os.getenv("X", "default") / os.environ.get("X", "default") / getenv('X', 'default')
const GETENV =
  /\b(?:os\.getenv|getenv|os\.environ\.get|environ\.get)\(\s*(["'])([A-Za-z_][A-Za-z0-9_]*)\1\s*,\s*(?:default\s*=\s*)?(["'])((?:(?!\3)[^\\\n]|\\.)*)\3/g;
// Settings fields (pydantic BaseSettings, dataclasses): `AUTH_SERVICE_URL: str = "http://..."`
const FIELD =
  /^(\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?:str|Optional\[str\]|str\s*\|\s*None|AnyHttpUrl|HttpUrl|AnyUrl)\s*=\s*(?:Field\(\s*(?:default\s*=\s*)?)?(["'])((?:(?!\3)[^\\\n]|\\.)*)\3/;

/**
 * Reads env defaults from Python source line by line (never imports or runs it): `os.getenv`
 * defaults and settings-class string fields, whose env name is the field name upper-cased
 * (pydantic matches env names case-insensitively).
 */
export function parsePython(text: string, file: string): CodeFileInfo {
  const info: CodeFileInfo = { file, language: 'python', defaults: [], listens: [], loadsDotenv: false, dotenvPaths: [], driverPools: [], problems: [], text };
  const lines = new LineIndex(text);
  const settings = new SettingsClasses();
  for (let ln = 0; ln < lines.lineCount; ln++) {
    const line = lines.lineText(ln);
    const trimmed = line.trimStart();
    if (trimmed.startsWith('#')) continue;
    if (/\bload_dotenv\(/.test(line)) info.loadsDotenv = true;
    GETENV.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = GETENV.exec(line))) {
      const valueStart = m.index + m[0].length - 1 - m[4].length;
      info.defaults.push(def(file, m[2], m[4], ln, valueStart));
    }
    // `if value == "changethis":` / `"changeme" != secret`: the app refuses a placeholder itself
    if (GUARD_HINT.test(line)) {
      for (const g of line.matchAll(/(?:==|!=)\s*(["'])([^"'\n]{1,80})\1|(["'])([^"'\n]{1,80})\3\s*(?:==|!=)/g)) {
        const lit = g[2] ?? g[4];
        if (lit && isGuardedPlaceholder(lit)) (info.placeholderGuards ??= []).push(lit);
      }
    }
    const f = settings.fieldLine(line, ln, lines) ? FIELD.exec(line) : null;
    if (f) {
      const valueStart = f[0].length - 1 - f[4].length;
      info.defaults.push(def(file, f[2].toUpperCase(), f[4], ln, valueStart));
    }
  }
  info.listens = pythonListens(text, file, lines);
  return info;
}

const CLASS_HEADER = /^(\s*)class\s+[A-Za-z_][A-Za-z0-9_]*\s*(\(([^)]*)\)?)?/;

/**
 * Which lines are fields of a settings class: pydantic's `BaseSettings` reads each field of the class body from the
 * env variable of the same name, so its string default is an env default; the same annotation in a dataclass, a
 * `BaseModel`, a nested `class Config:` or a function's local variable (`entry: str = "..."`) reads no env. A class is
 * a settings class when one of its bases names `...Settings` (`BaseSettings`, `pydantic_settings.BaseSettings`, a
 * project's own `AppSettings`); its fields are the lines at the indentation of its body, not the bodies of its methods.
 */
class SettingsClasses {
  private readonly open: { indent: number; settings: boolean; body?: number }[] = [];
  /** The last line of a class header written over several lines. */
  private headerEnd = -1;

  /** Feeds one line (not a comment); true when it sits directly in the body of a settings class. */
  fieldLine(line: string, ln: number, lines: LineIndex): boolean {
    if (!line.trim() || ln <= this.headerEnd) return false;
    const indent = line.length - line.trimStart().length;
    while (this.open.length && indent <= this.open[this.open.length - 1].indent) this.open.pop();
    const top = this.open[this.open.length - 1];
    if (top && top.body === undefined) top.body = indent;
    const c = CLASS_HEADER.exec(line);
    if (c) {
      let bases = c[3] ?? '';
      // Bases over several lines: `class Settings(\n    BaseSettings,\n):`
      if (c[2] && !c[2].endsWith(')'))
        for (let k = 1; k <= 5 && ln + k < lines.lineCount && !bases.includes(')'); k++) {
          bases += ` ${lines.lineText(ln + k)}`;
          this.headerEnd = ln + k;
        }
      this.open.push({ indent, settings: /Settings\b/.test(bases) });
      return false;
    }
    return !!top && top.settings && indent === top.body;
  }
}

/** Servers started from Python code, with the port they use when the call passes none. */
const SERVER_CALL = /\b(uvicorn\.run|(?:aiohttp\.)?web\.run_app|([A-Za-z_][A-Za-z0-9_]*)\.run)\s*\(/g;
const NOT_SERVERS = new Set([
  'asyncio',
  'subprocess',
  'trio',
  'anyio',
  'uvloop',
  'loop',
  'self',
  'pool',
  'executor',
  'runner',
  'unittest',
  'pytest',
  'cli',
  'typer',
  'celery',
  'worker',
  'job',
  'task',
  'os',
  'sys',
]);

/**
 * `uvicorn.run(app, host=..., port=N)`, Flask's `app.run(port=...)`, aiohttp's `web.run_app(app, port=...)`:
 * where a Python service binds its port. The port argument is read as a literal, an env read
 * (`int(os.getenv("AUTH_PORT", "8081"))`) or a name defined elsewhere (`config.BACKEND_PORT`).
 */
export function pythonListens(text: string, file: string, lines = new LineIndex(text)): ListenCall[] {
  const out: ListenCall[] = [];
  const flask = /^\s*(from\s+flask(_socketio)?\s+import|import\s+flask)/m.test(text);
  SERVER_CALL.lastIndex = 0;
  let m: RegExpExecArray | null;
  // The last `#` seen, found by one forward scan over the matches (linear even on one long line).
  let hashScan = 0;
  let lastHash = -1;
  while ((m = SERVER_CALL.exec(text))) {
    const lineStart = lines.lineStart(lines.positionAt(m.index).line);
    for (; hashScan < m.index; hashScan++) if (text.charCodeAt(hashScan) === 35) lastHash = hashScan;
    const before = m.index > lineStart ? text[m.index - 1] : '';
    if (lastHash >= lineStart || /^\s*(def|class)\b/.test(text.slice(lineStart, Math.min(m.index, lineStart + 200))) || /[.\w]/.test(before)) continue;
    const callee = m[1];
    const owner = m[2];
    if (owner && NOT_SERVERS.has(owner)) continue;
    const open = m.index + m[0].length - 1;
    const args = splitArgs(text, open);
    if (!args) continue;
    // A UNIX socket (`uds=`) or an inherited file descriptor (`fd=`, `sock=`) is no TCP port.
    if (args.list.some((a) => /^\s*(uds|fd|sock|path)\s*=/.test(a.text))) continue;
    const port = args.list.find((a) => /^\s*port\s*=/.test(a.text));
    const tool = callee;
    const defaultPort = callee === 'uvicorn.run' ? 8000 : /run_app$/.test(callee) ? 8080 : owner && flask ? 5000 : undefined;
    if (!port) {
      if (defaultPort === undefined) continue;
      out.push({ file, tool, defaultPort, range: lines.range(m.index, m.index + callee.length) });
      continue;
    }
    const eq = port.text.indexOf('=');
    const exprText = port.text.slice(eq + 1);
    const lead = exprText.length - exprText.trimStart().length;
    const p = pythonPortExpr(exprText);
    if (!p) continue;
    const start = port.start + (port.text.length - port.text.trimStart().length);
    const end = port.start + eq + 1 + lead + exprText.trim().length;
    out.push({ file, tool, defaultPort, range: lines.range(start, end), ...p });
  }
  return out;
}

/** How far past its `(` a call's arguments are read. */
const ARGS_WINDOW = 5000;

/**
 * The top-level arguments of a call whose `(` is at `open`, with their offsets. Strings and brackets
 * are skipped over; comments are blanked in the arguments' text (same length, so offsets hold).
 * Reads at most {@link ARGS_WINDOW} characters, each once (a file of many calls costs O(calls × window),
 * not a copy of the whole text per `#`).
 */
function splitArgs(text: string, open: number): { list: { text: string; start: number }[]; end: number } | undefined {
  const limit = Math.min(text.length, open + ARGS_WINDOW);
  const win = text.slice(0, limit);
  const comments: [number, number][] = [];
  const cut: [number, number][] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < limit; i++) {
    const c = win[i];
    if (c === '"' || c === "'") {
      const triple = win.startsWith(c.repeat(3), i);
      const close = triple ? win.indexOf(c.repeat(3), i + 3) : findClose(win, i, c);
      if (close < 0) return undefined;
      i = triple ? close + 2 : close;
      continue;
    }
    if (c === '#') {
      let nl = win.indexOf('\n', i);
      if (nl < 0) nl = limit;
      comments.push([i, nl]);
      i = nl;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        cut.push([start, i]);
        const list = cut.map(([s, e]) => ({ text: blanked(win, s, e, comments), start: s })).filter((a, k) => k < cut.length - 1 || a.text.trim());
        return { list, end: i + 1 };
      }
    } else if (c === ',' && depth === 1) {
      cut.push([start, i]);
      start = i + 1;
    }
  }
  return undefined;
}

/** `text[s, e)` with the comment ranges (sorted, not overlapping) blanked. */
function blanked(text: string, s: number, e: number, comments: readonly [number, number][]): string {
  let out = '';
  let at = s;
  for (const [cs, ce] of comments) {
    if (ce <= at || cs >= e) continue;
    const from = Math.max(cs, at);
    const to = Math.min(ce, e);
    out += text.slice(at, from) + ' '.repeat(to - from);
    at = to;
  }
  return out + text.slice(at, e);
}

function findClose(text: string, i: number, q: string): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === q) return j;
    else if (text[j] === '\n') return -1;
  }
  return -1;
}

/** A Python port expression: `8081`, `"8081"`, `int(os.getenv("X", "8081"))`, `os.environ["X"]`, `int(os.getenv("X") or 8081)`, `config.PORT`. */
export function pythonPortExpr(expr: string, depth = 0): { literal?: number; envVar?: string; fallback?: number; ref?: string } | undefined {
  const e = expr.replace(/#.*$/s, '').trim().replace(/,$/, '').trim();
  if (depth > 4 || !e) return undefined;
  const num = (x: string) => {
    const n = /^(["']?)(\d{1,5})\1$/.exec(x.trim());
    return n ? Number(n[2]) : undefined;
  };
  const lit = num(e);
  if (lit !== undefined) return lit > 0 && lit <= 65535 ? { literal: lit } : undefined;
  const wrapped = /^(?:int|str)\(\s*([\s\S]*)\)$/.exec(e);
  if (wrapped && balanced(wrapped[1])) return pythonPortExpr(wrapped[1], depth + 1);
  const or = topLevelOr(e);
  if (or) {
    const left = pythonPortExpr(or[0], depth + 1);
    const right = pythonPortExpr(or[1], depth + 1);
    if (left?.envVar) return { envVar: left.envVar, fallback: left.fallback ?? right?.literal ?? right?.fallback };
    return left ?? right;
  }
  const getenv = /^(?:os\.)?(?:getenv|environ\.get)\(\s*(["'])([A-Za-z_][A-Za-z0-9_]*)\1\s*(?:,\s*(?:default\s*=\s*)?([^,()]+?))?\s*\)$/.exec(e);
  if (getenv) return { envVar: getenv[2], fallback: getenv[3] !== undefined ? num(getenv[3]) : undefined };
  const item = /^(?:os\.)?environ\[\s*(["'])([A-Za-z_][A-Za-z0-9_]*)\1\s*\]$/.exec(e);
  if (item) return { envVar: item[2] };
  const ref = /^(?:[A-Za-z_][A-Za-z0-9_]*(?:\(\))?\.)*([A-Za-z_][A-Za-z0-9_]*)$/.exec(e);
  if (ref && !/^(True|False|None)$/.test(ref[1])) return { ref: ref[1] };
  return undefined;
}

function balanced(s: string): boolean {
  let d = 0;
  for (const c of s) {
    if (c === '(') d++;
    else if (c === ')' && --d < 0) return false;
  }
  return d === 0;
}

function topLevelOr(s: string): [string, string] | undefined {
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[') d++;
    else if (c === ')' || c === ']') d--;
    else if (d === 0 && s.startsWith(' or ', i)) return [s.slice(0, i), s.slice(i + 4)];
  }
  return undefined;
}

/**
 * Where a Python name used as a port may be defined in `text`: assignments `NAME = <expr>` /
 * `NAME: int = <expr>` at any level (not keyword arguments of a multi-line call), in order.
 */
export function findPythonAssignments(text: string, name: string): { expr: string; line: number; start: number; end: number }[] {
  const re = new RegExp(`^(\\s*)${name}\\s*(?::\\s*[A-Za-z_][\\w\\[\\]., |]*)?=(?!=)\\s*(.+)$`);
  const out: { expr: string; line: number; start: number; end: number }[] = [];
  text.split(/\r\n|\r|\n/).forEach((l, i) => {
    const m = re.exec(l);
    if (!m || l.trimEnd().endsWith(',')) return;
    out.push({ expr: m[2], line: i, start: m[1].length, end: l.trimEnd().length });
  });
  return out;
}

function def(file: string, key: string, value: string, line: number, character: number): CodeDefault {
  return { file, key, value, range: { start: { line, character }, end: { line, character: character + value.length } }, language: 'python' };
}
