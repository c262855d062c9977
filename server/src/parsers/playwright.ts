/**
 * Playwright's `webServer` (playwright.dev/docs/test-webserver): the servers `playwright test` launches before the tests,
 * one object or an array of them, each a shell `command` run in `cwd` (default: the config's folder) with `env`
 * (default: the runner's environment), and the `port` or `url` Playwright waits for. Read from the config's syntax,
 * never evaluated: a value that is not written as a literal is unknown.
 */
import ts = require('typescript');
import { exportedValue, propName, unwrap } from './ast';

export interface PlaywrightWebServer {
  command: string;
  /** The folder it runs in, relative to the config's folder (as written), when given. */
  cwd?: string;
  /** Variables it sets (names), and whether any value is not a literal. */
  envKeys: string[];
  /** The port Playwright waits for (`port`, or the port of `url`), when written as a literal. */
  port?: number;
}

/** The web servers a Playwright config starts together, or undefined when it has none Crosswire can read (a conditional, a computed list). */
export function parsePlaywrightWebServers(
  text: string,
  file: string,
): { servers: PlaywrightWebServer[]; range: { start: { line: number; character: number }; end: { line: number; character: number } } } | undefined {
  let sf: ts.SourceFile;
  try {
    sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, /\.[cm]?tsx?$/.test(file) ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  } catch {
    return undefined;
  }
  const config = configObject(sf);
  if (!config) return undefined;
  const ws = config.properties.find((p) => propName(p) === 'webServer');
  if (!ws || !ts.isPropertyAssignment(ws)) return undefined;
  const v = unwrap(ws.initializer);
  const items = ts.isArrayLiteralExpression(v) ? [...v.elements] : [v];
  const out: PlaywrightWebServer[] = [];
  for (const item of items) {
    const o = unwrap(item as ts.Expression);
    // One server Crosswire cannot read makes the set unknown: what runs together would be a guess.
    if (!ts.isObjectLiteralExpression(o)) return undefined;
    const s = server(o);
    if (!s) return undefined;
    out.push(s);
  }
  if (!out.length) return undefined;
  const a = sf.getLineAndCharacterOfPosition(ws.name.getStart(sf));
  const b = sf.getLineAndCharacterOfPosition(ws.name.end);
  return { servers: out, range: { start: { line: a.line, character: a.character }, end: { line: b.line, character: b.character } } };
}

function literal(e: ts.Expression | undefined): string | undefined {
  if (!e) return undefined;
  const x = unwrap(e);
  return ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x) ? x.text : undefined;
}

function server(o: ts.ObjectLiteralExpression): PlaywrightWebServer | undefined {
  const get = (name: string) => {
    const p = o.properties.find((q) => propName(q) === name);
    return p && ts.isPropertyAssignment(p) ? p.initializer : undefined;
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
    if (!ts.isObjectLiteralExpression(e)) return undefined;
    for (const p of e.properties) {
      const n = propName(p);
      if (n === undefined) return undefined; // a spread (`...process.env`) or a computed key: not readable
      s.envKeys.push(n);
    }
  }
  const port = get('port');
  const url = literal(get('url'));
  if (port && ts.isNumericLiteral(unwrap(port))) s.port = Number((unwrap(port) as ts.NumericLiteral).text);
  else if (url) {
    const m = /^[a-z]+:\/\/[^/:]+:(\d{1,5})(\/|$)/i.exec(url);
    if (m) s.port = Number(m[1]);
  }
  return s;
}

/** The object the config exports: `export default defineConfig({...})`, `module.exports = {...}`, or a variable holding one. */
function configObject(sf: ts.SourceFile): ts.ObjectLiteralExpression | undefined {
  const exported = exportedValue(sf);
  let e: ts.Expression | undefined = exported && !ts.isFunctionDeclaration(exported) ? exported : undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    const x = unwrap(e);
    if (ts.isObjectLiteralExpression(x)) return x;
    if (ts.isCallExpression(x) && ts.isIdentifier(x.expression) && x.expression.text === 'defineConfig' && x.arguments.length >= 1)
      e = x.arguments[x.arguments.length - 1];
    else if (ts.isIdentifier(x)) e = variable(sf, x.text);
    else return undefined;
  }
  return undefined;
}

function variable(sf: ts.SourceFile, name: string): ts.Expression | undefined {
  for (const st of sf.statements)
    if (ts.isVariableStatement(st))
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer) return d.initializer;
  return undefined;
}
