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
