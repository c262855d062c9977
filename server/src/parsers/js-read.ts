/**
 * Small helpers over Babel's syntax tree (parsers/js.ts) for the code and auth readers: the shapes they test the way
 * they tested the TypeScript compiler's tree (parentheses, which the compiler kept as a node; TypeScript's numeric
 * text; its notion of a function), so that moving to Babel changes no fact.
 */
import { forEachChild, member, parenthesized, stringValue, type t } from './js';

/** The source text of a node (TypeScript's `getText`). */
export function textOf(text: string, n: t.Node): string {
  return text.slice(n.start ?? 0, n.end ?? 0);
}

/** A string literal or a template without substitutions (TypeScript's isStringLiteralLike). */
export function isStringLike(n: t.Node | null | undefined): n is t.StringLiteral | t.TemplateLiteral {
  return stringValue(n) !== undefined;
}

/** TypeScript's text of a numeric literal: the written digits of a decimal integer, else the value's. */
export function numberText(n: t.NumericLiteral): string {
  const raw = (n.extra as { raw?: string } | undefined)?.raw;
  return raw !== undefined && /^(0|[1-9]\d*)$/.test(raw) ? raw : String(n.value);
}

/** `true` written as such (outside parentheses). */
export function isTrue(n: t.Node | null | undefined): boolean {
  return n?.type === 'BooleanLiteral' && n.value && !parenthesized(n);
}

/** The name a callee is known by: `f` of `f()` and of `a.f()` (TypeScript's Identifier or PropertyAccessExpression). */
export function calleeName(callee: t.Node): string {
  if (callee.type === 'Identifier') return callee.name;
  return member(callee)?.name ?? '';
}

/** Functions, methods, accessors and constructors (TypeScript's isFunctionLike, for values). */
export function isFunctionLike(n: t.Node): boolean {
  switch (n.type) {
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
    case 'ObjectMethod':
    case 'ClassMethod':
    case 'ClassPrivateMethod':
    case 'TSDeclareFunction':
    case 'TSDeclareMethod':
      return true;
    default:
      return false;
  }
}

/** Class declarations and expressions (TypeScript's isClassLike). */
export function isClassLike(n: t.Node): boolean {
  return n.type === 'ClassDeclaration' || n.type === 'ClassExpression';
}

/** The statements of a program with `export` and `export default` taken off their declarations (TypeScript kept
 * them as modifiers of the statement). */
export function topStatements(program: t.Program): t.Node[] {
  return program.body.map((st) => ((st.type === 'ExportNamedDeclaration' || st.type === 'ExportDefaultDeclaration') && st.declaration ? st.declaration : st));
}

/** The first variable declared with `name` anywhere in the tree (a `const`, `let`, `var`, in any scope). */
export function findDeclarator(root: t.Node, name: string): t.VariableDeclarator | undefined {
  let found: t.VariableDeclarator | undefined;
  const visit = (n: t.Node): void => {
    if (found) return;
    if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier' && n.id.name === name) {
      found = n;
      return;
    }
    forEachChild(n, visit);
  };
  visit(root);
  return found;
}
