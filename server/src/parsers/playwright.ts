/**
 * Playwright's `webServer` (playwright.dev/docs/test-webserver): the servers `playwright test` launches before the tests,
 * one object or an array of them, each a shell `command` run in `cwd` (default: the config's folder) with `env`
 * (default: the runner's environment), and the `port` or `url` Playwright waits for. Read from the config's syntax,
 * never evaluated: a value that is not written as a literal is unknown.
 */
import { exportedValue, isCall, parseJs, propName, stringValue, unwrap, type t } from './js';

export interface PlaywrightWebServer {
  command: string;
  /** The folder it runs in, relative to the config's folder (as written), when given. */
  cwd?: string;
  /** Variables it sets (names), and whether any value is not a literal. */
  envKeys: string[];
  /** The port Playwright waits for (`port`, or the port of `url`), when written as a literal. */
  port?: number;
}

/** Line and character of an offset, lines broken as the TypeScript compiler breaks them (\r\n, \r, \n, U+2028, U+2029). */
function lineAndCharacter(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10 && i + 1 < offset) continue;
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}

/** The web servers a Playwright config starts together, or undefined when it has none Crosswire can read (a conditional, a computed list). */
export function parsePlaywrightWebServers(
  text: string,
  file: string,
): { servers: PlaywrightWebServer[]; range: { start: { line: number; character: number }; end: { line: number; character: number } } } | undefined {
  const program = parseJs(text, file).program;
  if (!program) return undefined;
  const config = configObject(program);
  if (!config) return undefined;
  const ws = config.properties.find((p) => propName(p) === 'webServer');
  if (!ws || ws.type !== 'ObjectProperty') return undefined;
  const v = unwrap(ws.value);
  const items = v.type === 'ArrayExpression' ? [...v.elements] : [v];
  const out: PlaywrightWebServer[] = [];
  for (const item of items) {
    const o = item && unwrap(item);
    // One server Crosswire cannot read makes the set unknown: what runs together would be a guess.
    if (!o || o.type !== 'ObjectExpression') return undefined;
    const s = server(o);
    if (!s) return undefined;
    out.push(s);
  }
  if (!out.length) return undefined;
  return { servers: out, range: { start: lineAndCharacter(text, ws.key.start ?? 0), end: lineAndCharacter(text, ws.key.end ?? 0) } };
}

function literal(e: t.Node | undefined): string | undefined {
  return e ? stringValue(unwrap(e)) : undefined;
}

function server(o: t.ObjectExpression): PlaywrightWebServer | undefined {
  const get = (name: string) => {
    const p = o.properties.find((q) => propName(q) === name);
    return p && p.type === 'ObjectProperty' ? p.value : undefined;
  };
  const command = literal(get('command'));
  if (command === undefined) return undefined;
  const s: PlaywrightWebServer = { command, envKeys: [] };
  const cwd = get('cwd');
  if (cwd) {
    const c = literal(cwd);
    if (c === undefined) return undefined;
    s.cwd = c;
  }
  const env = get('env');
  if (env) {
    const e = unwrap(env);
    if (e.type !== 'ObjectExpression') return undefined;
    for (const p of e.properties) {
      const n = propName(p);
      if (n === undefined) return undefined; // a spread (`...process.env`) or a computed key: not readable
      s.envKeys.push(n);
    }
  }
  const port = get('port');
  const url = literal(get('url'));
  const portValue = port && unwrap(port);
  if (portValue && portValue.type === 'NumericLiteral') s.port = portValue.value;
  else if (url) {
    const m = /^[a-z]+:\/\/[^/:]+:(\d{1,5})(\/|$)/i.exec(url);
    if (m) s.port = Number(m[1]);
  }
  return s;
}

/** The object the config exports: `export default defineConfig({...})`, `module.exports = {...}`, or a variable holding one. */
function configObject(program: t.Program): t.ObjectExpression | undefined {
  let e: t.Node | undefined = exportedValue(program);
  for (let depth = 0; e && depth < 4; depth++) {
    const x = unwrap(e);
    if (x.type === 'ObjectExpression') return x;
    if (isCall(x) && x.callee.type === 'Identifier' && x.callee.name === 'defineConfig' && x.arguments.length >= 1) e = x.arguments[x.arguments.length - 1];
    else if (x.type === 'Identifier') e = variable(program, x.name);
    else return undefined;
  }
  return undefined;
}

/** The value of a top-level variable (`const`, `let` or `var`, exported or not): the first declared with that name. */
function variable(program: t.Program, name: string): t.Node | undefined {
  for (const s of program.body) {
    const st = s.type === 'ExportNamedDeclaration' && s.declaration ? s.declaration : s;
    if (st.type === 'VariableDeclaration') for (const d of st.declarations) if (d.id.type === 'Identifier' && d.id.name === name && d.init) return d.init;
  }
  return undefined;
}
