// A plain require: `import * as` would route every ts.* call through an interop getter (measured ~5% of a cold audit).
import ts = require('typescript');
import type { Pm2AppFact, Pm2ConfigInfo, Range } from '../model/types';
import { LineIndex } from '../model/text';
import { propName, unwrap } from './ast';

/**
 * Reads a PM2 ecosystem file (`module.exports = { apps: [...] }`, `export default {...}`, or JSON)
 * with the TypeScript parser. Never requires or runs it.
 */
export function parsePm2(text: string, file: string): Pm2ConfigInfo {
  const info: Pm2ConfigInfo = { file, apps: [], problems: [], text };
  const lines = new LineIndex(text);
  const isJson = file.endsWith('.json');
  const sf = isJson
    ? ts.parseJsonText(file, text)
    : ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, /\.ts$/.test(file) ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const diags = (sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (diags.length) {
    const d = diags[0];
    info.problems.push({
      message: `Syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
      range: lines.range(d.start ?? 0, (d.start ?? 0) + (d.length ?? 0)),
    });
  }
  const reader = new Pm2Reader(sf, lines, info);
  if (isJson) {
    const root = (sf as ts.JsonSourceFile).statements[0]?.expression;
    if (root) reader.readConfig(root);
    return info;
  }
  const visit = (n: ts.Node) => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = n.left.getText(sf);
      if (left === 'module.exports' || left === 'exports.default') reader.readConfig(n.right);
    }
    if (ts.isExportAssignment(n)) reader.readConfig(n.expression);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return info;
}

/** Reads the apps of one ecosystem file into `info.apps`, resolving the file's own constants. */
class Pm2Reader {
  private readonly constants = new Map<string, ts.Expression>();

  constructor(
    private readonly sf: ts.SourceFile,
    private readonly lines: LineIndex,
    private readonly info: Pm2ConfigInfo,
  ) {
    const collectConsts = (n: ts.Node) => {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) this.constants.set(n.name.text, n.initializer);
      ts.forEachChild(n, collectConsts);
    };
    collectConsts(sf);
  }

  private range(n: ts.Node): Range {
    return this.lines.range(n.getStart(this.sf), n.end);
  }

  private resolve(e: ts.Expression): ts.Expression {
    const x = unwrap(e);
    return ts.isIdentifier(x) && this.constants.has(x.text) ? unwrap(this.constants.get(x.text)!) : x;
  }

  private literal(e: ts.Expression): string | number | undefined {
    const x = this.resolve(e);
    if (ts.isStringLiteralLike(x)) return x.text;
    if (ts.isNumericLiteral(x)) return Number(x.text);
    if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(x.operand)) return -Number(x.operand.text);
    return undefined;
  }

  private envObject(e: ts.Expression | undefined): Record<string, { value: string; range: Range }> {
    const out: Record<string, { value: string; range: Range }> = {};
    const x = e && this.resolve(e);
    if (!x || !ts.isObjectLiteralExpression(x)) return out;
    for (const p of x.properties) {
      const k = propName(p);
      if (!k || !ts.isPropertyAssignment(p)) continue;
      const v = this.literal(p.initializer);
      if (v !== undefined) out[k] = { value: String(v), range: this.range(p) };
    }
    return out;
  }

  private readApp(o: ts.ObjectLiteralExpression): void {
    const app: Pm2AppFact = { file: this.info.file, env: {}, envProduction: {}, range: this.range(o) };
    for (const p of o.properties) {
      const k = propName(p);
      if (!k || !ts.isPropertyAssignment(p)) continue;
      const v = this.literal(p.initializer);
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
          app.env = this.envObject(p.initializer);
          break;
        case 'env_production':
          app.envProduction = this.envObject(p.initializer);
          break;
      }
    }
    this.info.apps.push(app);
  }

  readConfig(e: ts.Expression): void {
    const x = this.resolve(e);
    if (ts.isObjectLiteralExpression(x)) {
      const apps = x.properties.find((p) => propName(p) === 'apps') as ts.PropertyAssignment | undefined;
      const arr = apps && this.resolve(apps.initializer);
      if (arr && ts.isArrayLiteralExpression(arr)) this.readApps(arr);
    } else if (ts.isArrayLiteralExpression(x)) {
      this.readApps(x);
    }
  }

  private readApps(arr: ts.ArrayLiteralExpression): void {
    for (const el of arr.elements) {
      const o = this.resolve(el as ts.Expression);
      if (ts.isObjectLiteralExpression(o)) this.readApp(o);
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
