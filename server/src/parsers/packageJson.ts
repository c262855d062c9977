// A plain require: `import * as` would route every ts.* call through an interop getter (measured ~5% of a cold audit).
import ts = require('typescript');
import type { PackageJsonInfo, ScriptInfo } from '../model/types';
import { LineIndex } from '../model/text';
import { propName } from './ast';

export interface ParsedPackageJson {
  info?: PackageJsonInfo;
  problems: { message: string; range: import('../model/types').Range }[];
}

function stringValue(node: ts.Expression | undefined): string | undefined {
  return node && ts.isStringLiteral(node) ? node.text : undefined;
}

/**
 * Parses a package.json with the TypeScript compiler's JSON parser (it keeps positions), never
 * with `require`. Returns the facts Crosswire needs with the source range of every script.
 */
export function parsePackageJson(text: string, file: string): ParsedPackageJson {
  const lines = new LineIndex(text);
  const sf = ts.parseJsonText(file, text);
  const diags = (sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  const problems = diags.map((d) => ({
    message: `package.json is not valid JSON: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
    range: lines.range(d.start ?? 0, (d.start ?? 0) + (d.length ?? 0)),
  }));
  const root = sf.statements[0]?.expression;
  if (!root || !ts.isObjectLiteralExpression(root)) {
    if (problems.length === 0) problems.push({ message: 'package.json does not contain a JSON object', range: lines.range(0, 0) });
    return { problems };
  }
  const info: PackageJsonInfo = { file, workspaces: [], scripts: [], dependencies: {}, text };
  for (const p of root.properties) {
    const key = propName(p);
    if (!key || !ts.isPropertyAssignment(p)) continue;
    const v = p.initializer;
    switch (key) {
      case 'name':
        info.name = stringValue(v);
        if (info.name !== undefined) info.nameRange = lines.range(v.getStart(sf), v.end);
        break;
      case 'version':
        info.version = stringValue(v);
        break;
      case 'main':
        info.main = stringValue(v);
        break;
      case 'prisma':
        if (ts.isObjectLiteralExpression(v)) {
          const schema = v.properties.find((q) => propName(q) === 'schema');
          if (schema && ts.isPropertyAssignment(schema)) info.prismaSchema = stringValue(schema.initializer);
        }
        break;
      case 'workspaces': {
        const arr = ts.isArrayLiteralExpression(v)
          ? v
          : ts.isObjectLiteralExpression(v)
            ? (v.properties.find((q) => propName(q) === 'packages') as ts.PropertyAssignment | undefined)?.initializer
            : undefined;
        if (arr && ts.isArrayLiteralExpression(arr)) {
          for (const e of arr.elements) if (ts.isStringLiteral(e)) info.workspaces.push(e.text);
        }
        break;
      }
      case 'scripts':
        if (ts.isObjectLiteralExpression(v)) {
          for (const s of v.properties) {
            const name = propName(s);
            if (!name || !ts.isPropertyAssignment(s) || !ts.isStringLiteral(s.initializer)) continue;
            const init = s.initializer;
            const start = init.getStart(sf);
            const script: ScriptInfo = {
              name,
              command: init.text,
              range: lines.range(start, init.end),
              innerRange: lines.range(start + 1, init.end - 1),
              keyRange: lines.range(s.name.getStart(sf), s.name.end),
            };
            info.scripts.push(script);
          }
        }
        break;
      case 'dependencies':
      case 'devDependencies':
      case 'peerDependencies':
      case 'optionalDependencies':
        if (ts.isObjectLiteralExpression(v)) {
          for (const d of v.properties) {
            const name = propName(d);
            const ver = ts.isPropertyAssignment(d) ? stringValue(d.initializer) : undefined;
            if (name && ver !== undefined && !(name in info.dependencies)) info.dependencies[name] = ver;
          }
        }
        break;
    }
  }
  return { info, problems };
}

/** Major version from a dependency range like `^5.22.0`, `~6.1`, `7.0.0-dev.1`, `latest` -> undefined. */
export function majorOf(range: string | undefined): number | undefined {
  if (!range) return undefined;
  const m = /(\d+)(?:\.\d+)?/.exec(range.replace(/^npm:[^@]+@/, ''));
  return m ? Number(m[1]) : undefined;
}
