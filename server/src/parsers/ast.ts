/** Small helpers over the TypeScript syntax tree, shared by the parsers that read code, PM2 files and package.json. */
// A plain require: `import * as` would route every ts.* call through an interop getter.
import ts = require('typescript');

/** The expression inside parentheses, `as T`, `satisfies T`, `<T>x` and `x!`. */
export function unwrap(e: ts.Expression): ts.Expression {
  let x = e;
  while (ts.isParenthesizedExpression(x) || ts.isAsExpression(x) || ts.isNonNullExpression(x) || ts.isSatisfiesExpression(x) || ts.isTypeAssertionExpression(x))
    x = x.expression;
  return x;
}

/** The name of a `key: value` property written as an identifier, a string or a number (`{ "a": 1, b: 2, 3: 4 }`). */
export function propName(p: ts.ObjectLiteralElementLike): string | undefined {
  if (!ts.isPropertyAssignment(p)) return undefined;
  const n = p.name;
  return ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n) ? n.text : undefined;
}

/** The name of any member of an object literal with a plain name: a property, a shorthand (`{ secret }`) or a method. */
export function memberName(p: ts.ObjectLiteralElementLike): string | undefined {
  if (!ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p) && !ts.isMethodDeclaration(p)) return undefined;
  const n = p.name;
  return n && (ts.isIdentifier(n) || ts.isStringLiteral(n)) ? n.text : undefined;
}

/** The value a module exports as its default: `export default x`, `module.exports = x`,
 * `export default function`, `export { config as default }`. */
export function exportedValue(sf: ts.SourceFile): ts.Expression | ts.FunctionDeclaration | undefined {
  let out: ts.Expression | ts.FunctionDeclaration | undefined;
  for (const st of sf.statements) {
    if (ts.isExportAssignment(st)) out = st.expression;
    else if (ts.isExpressionStatement(st) && ts.isBinaryExpression(st.expression) && st.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = st.expression.left;
      if (ts.isPropertyAccessExpression(left) && left.name.text === 'exports' && ts.isIdentifier(left.expression) && left.expression.text === 'module')
        out = st.expression.right;
    } else if (ts.isFunctionDeclaration(st) && st.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) out = st;
    else if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
      // export { config as default }
      const el = st.exportClause.elements.find((x) => x.name.text === 'default');
      if (el) out = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName : undefined;
    }
  }
  return out;
}
