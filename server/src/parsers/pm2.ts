import { parseExpression } from '@babel/parser';
import type { Pm2AppFact, Pm2ConfigInfo, Range } from '../model/types';
import { LineIndex } from '../model/text';
import { parenthesized, parseJs, propName, stringValue, unwrap, walk, type JsParse, type t } from './js';

/** A PM2 ecosystem file in JSON (comments and trailing commas let through, as before): its value as Babel reads the
 * expression, and the first syntax error. */
function parseJsonForm(text: string): { root?: t.Node; error?: JsParse['error'] } {
  const errorAt = (e: unknown): NonNullable<JsParse['error']> => {
    const loc = (e as { loc?: { index?: number } }).loc;
    const start = Math.min(Math.max(0, loc?.index ?? 0), text.length);
    const message = (e instanceof Error ? e.message : String(e)).replace(/\s*\(\d+:\d+\)$/, '');
    return { message, start, end: Math.min(start + 1, text.length) };
  };
  // (an empty file, or one of comments only, holds no apps and no error, as with the compiler's JSON reader)
  if (text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '').trim() === '') return {};
  try {
    const root = parseExpression(text, { errorRecovery: true, attachComment: false });
    const first = (root as { errors?: unknown[] }).errors?.[0];
    return first ? { root, error: errorAt(first) } : { root };
  } catch (e) {
    return { error: errorAt(e) };
  }
}

function fromJs(p: JsParse): { root?: t.Node; error?: JsParse['error'] } {
  return { root: p.program, error: p.error };
}

/** `module.exports` or `exports.default` as written (no parentheses, no comment inside). */
function isExportsTarget(left: t.Node, text: string): boolean {
  if (left.type !== 'MemberExpression' || parenthesized(left)) return false;
  const written = text.slice(left.start ?? 0, left.end ?? 0);
  return written === 'module.exports' || written === 'exports.default';
}

/**
 * Reads a PM2 ecosystem file (`module.exports = { apps: [...] }`, `export default {...}`, or JSON)
 * with Babel's parser. Never requires or runs it.
 */
export function parsePm2(text: string, file: string): Pm2ConfigInfo {
  const info: Pm2ConfigInfo = { file, apps: [], problems: [], text };
  const lines = new LineIndex(text);
  const isJson = file.endsWith('.json');
  const parsed = isJson ? parseJsonForm(text) : fromJs(parseJs(text, file));
  if (parsed.error) {
    const unread = parsed.root ? '' : ' (Crosswire could not read this file)';
    info.problems.push({ message: `Syntax error: ${parsed.error.message}${unread}`, range: lines.range(parsed.error.start, parsed.error.end) });
  }
  const root = parsed.root;
  if (!root) return info;
  const reader = new Pm2Reader(root, lines, info);
  if (isJson) {
    reader.readConfig(root);
    return info;
  }
  walk(root, (n) => {
    if (n.type === 'AssignmentExpression' && n.operator === '=' && isExportsTarget(n.left, text)) reader.readConfig(n.right);
    else if (n.type === 'ExportDefaultDeclaration') reader.readConfig(n.declaration);
    else if (n.type === 'TSExportAssignment') reader.readConfig(n.expression);
  });
  return info;
}

/** Reads the apps of one ecosystem file into `info.apps`, resolving the file's own constants. */
class Pm2Reader {
  private readonly constants = new Map<string, t.Node>();

  constructor(
    root: t.Node,
    private readonly lines: LineIndex,
    private readonly info: Pm2ConfigInfo,
  ) {
    walk(root, (n) => {
      if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier' && n.init) this.constants.set(n.id.name, n.init);
    });
  }

  private range(n: t.Node): Range {
    return this.lines.range(n.start ?? 0, n.end ?? 0);
  }

  private resolve(e: t.Node): t.Node {
    const x = unwrap(e);
    return x.type === 'Identifier' && this.constants.has(x.name) ? unwrap(this.constants.get(x.name)!) : x;
  }

  private literal(e: t.Node): string | number | undefined {
    const x = this.resolve(e);
    const s = stringValue(x);
    if (s !== undefined) return s;
    if (x.type === 'NumericLiteral') return x.value;
    // (`-(1)` was not a number to the compiler's reader either)
    if (x.type === 'UnaryExpression' && x.operator === '-' && x.argument.type === 'NumericLiteral' && !parenthesized(x.argument)) return -x.argument.value;
    return undefined;
  }

  private envObject(e: t.Node | undefined): Record<string, { value: string; range: Range }> {
    const out: Record<string, { value: string; range: Range }> = {};
    const x = e && this.resolve(e);
    if (!x || x.type !== 'ObjectExpression') return out;
    for (const p of x.properties) {
      const k = propName(p);
      if (!k || p.type !== 'ObjectProperty') continue;
      const v = this.literal(p.value);
      if (v !== undefined) out[k] = { value: String(v), range: this.range(p) };
    }
    return out;
  }

  private readApp(o: t.ObjectExpression): void {
    const app: Pm2AppFact = { file: this.info.file, env: {}, envProduction: {}, range: this.range(o) };
    for (const p of o.properties) {
      const k = propName(p);
      if (!k || p.type !== 'ObjectProperty') continue;
      const v = this.literal(p.value);
      switch (k) {
        case 'name':
          if (typeof v === 'string') app.name = v;
          break;
        case 'script':
          if (typeof v === 'string') app.script = v;
          break;
        case 'args':
          if (typeof v === 'string') app.args = v;
          break;
        case 'cwd':
          if (typeof v === 'string') app.cwd = v;
          break;
        case 'exec_mode':
        case 'execMode':
          if (typeof v === 'string') app.execMode = v;
          break;
        case 'instances':
        case 'i':
          if (v === 'max' || v === -1 || v === 0) app.instances = v === -1 ? -1 : 'max';
          else if (typeof v === 'number') app.instances = v;
          else if (typeof v === 'string' && /^\d+$/.test(v)) app.instances = Number(v);
          app.instancesRange = this.range(p);
          break;
        case 'env':
          app.env = this.envObject(p.value);
          break;
        case 'env_production':
          app.envProduction = this.envObject(p.value);
          break;
      }
    }
    this.info.apps.push(app);
  }

  readConfig(e: t.Node): void {
    const x = this.resolve(e);
    if (x.type === 'ObjectExpression') {
      const apps = x.properties.find((p) => propName(p) === 'apps') as t.ObjectProperty | undefined;
      const arr = apps && this.resolve(apps.value);
      if (arr && arr.type === 'ArrayExpression') this.readApps(arr);
    } else if (x.type === 'ArrayExpression') {
      this.readApps(x);
    }
  }

  private readApps(arr: t.ArrayExpression): void {
    for (const el of arr.elements) {
      const o = el && this.resolve(el);
      if (o && o.type === 'ObjectExpression') this.readApp(o);
    }
  }
}

/** Process count of a PM2 app: `instances` ('max' = cores, -1 = cores - 1), else 1. */
export function pm2Processes(app: Pm2AppFact, cores: number): number {
  if (app.instances === 'max') return cores;
  if (app.instances === -1) return Math.max(1, cores - 1);
  if (typeof app.instances === 'number' && app.instances > 0) return app.instances;
  return 1;
}
