/**
 * JavaScript and TypeScript read with Babel's parser (@babel/parser 7), and small helpers over its syntax tree shared
 * by the readers of code, auth and session settings, PM2, Playwright and Prisma config files.
 *
 * Babel rather than the TypeScript compiler: it loads in ~30 ms and ~3 MB where the compiler takes ~300 ms and ~40 MB
 * per process (measured, README "Performance"), and Crosswire only ever needs the syntax tree. The parse never runs
 * workspace code.
 *
 * Differences from the compiler's tree that the readers must keep in mind: `a?.b` is an OptionalMemberExpression and
 * `a?.()` an OptionalCallExpression (`member` and `isCall` accept both); parentheses leave no node; `{ a }` is an
 * ObjectProperty with `shorthand`; a "use strict" prologue is a directive, not a statement; numbers are values, not
 * text; nodes have no parent (`walk` passes it).
 */
import { parse, type ParserPlugin } from '@babel/parser';
import type * as t from '@babel/types';

export type { t };

/** What a parse gives: the program, unless the file could not be read at all, and the first syntax error, if any. */
export interface JsParse {
  program?: t.Program;
  /** The first syntax error. With `program` set, Babel recovered from it and the tree holds the rest of the file. */
  error?: { message: string; start: number; end: number };
}

// `decorators` (the standard's, which Babel's TypeScript plugin extends to parameters): NestJS, TypeORM and
// class-validator decorate classes, members (computed names included), parameters, before or after `export`.
const TS: ParserPlugin[] = ['typescript', 'decorators', 'explicitResourceManagement'];
const TSX: ParserPlugin[] = [...TS, 'jsx'];
// Plain JavaScript may hold JSX (TypeScript's reader of .js files accepts it too).
const JS: ParserPlugin[] = ['jsx', 'decorators', 'explicitResourceManagement'];

/** The plugins for a file, by its extension: .ts/.mts/.cts TypeScript, .tsx TypeScript with JSX, anything else JS. */
function pluginsFor(file: string): ParserPlugin[] {
  if (/\.[cm]?ts$/.test(file)) return TS;
  if (/\.tsx$/.test(file)) return TSX;
  return JS;
}

/** Errors Babel recovers from that TypeScript accepts: parameter decorators (`m(@Body() b)`, TypeScript's
 * experimental decorators, which NestJS is written in) are outside the decorators standard. */
const ACCEPTED = new Set(['UnsupportedParameterDecorator']);

/** Babel ends its messages with `(line:column)`; the range already says where. */
function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/\s*\(\d+:\d+\)$/, '');
}

function errorAt(e: unknown, textLength: number): NonNullable<JsParse['error']> {
  const loc = (e as { loc?: { index?: number } }).loc;
  const start = Math.min(Math.max(0, loc?.index ?? (e as { pos?: number }).pos ?? 0), textLength);
  return { message: messageOf(e), start, end: Math.min(start + 1, textLength) };
}

/**
 * Parses one file as a module or, when it has no import or export, as a script (CommonJS), recovering from the
 * errors Babel can recover from. Never throws: a file Babel cannot read at all has no `program`, only `error`.
 */
export function parseJs(text: string, file: string): JsParse {
  try {
    const ast = parse(text, {
      sourceType: 'unambiguous',
      plugins: pluginsFor(file),
      errorRecovery: true,
      attachComment: false,
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
      allowImportExportEverywhere: true,
      allowNewTargetOutsideFunction: true,
      allowSuperOutsideMethod: true,
      allowUndeclaredExports: true,
    });
    const first = ast.errors?.find((e) => !ACCEPTED.has((e as { reasonCode?: string }).reasonCode ?? ''));
    return first ? { program: ast.program, error: errorAt(first, text.length) } : { program: ast.program };
  } catch (e) {
    return { error: errorAt(e, text.length) };
  }
}

/** Keys of a node that hold only types (no value Crosswire reads is ever written in a type). */
const TYPE_KEYS = new Set(['typeAnnotation', 'returnType', 'typeParameters', 'superTypeParameters', 'typeArguments', 'implements', 'predicate']);
const NO_KEYS = new Set<string>();

function isNode(x: unknown): x is t.Node {
  return typeof x === 'object' && x !== null && typeof (x as { type?: unknown }).type === 'string';
}

/** The children of `n` in source order, those under the keys in `skip` left out. Object.keys rather than for-in, and
 * no lookup for values that are not objects (positions, names, flags): the walk is most of what reading a file
 * costs after the parse (188,000 nodes of the bench: 68 -> 40 ms, measured). `loc` and `extra` have no `type`. */
function eachChild(n: t.Node, f: (child: t.Node) => void, skip: ReadonlySet<string>): void {
  const o = n as unknown as Record<string, unknown>;
  const keys = Object.keys(o);
  for (let j = 0; j < keys.length; j++) {
    const v = o[keys[j]];
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      if (skip.has(keys[j])) continue;
      for (let i = 0; i < v.length; i++) if (isNode(v[i])) f(v[i]);
    } else if (isNode(v) && !skip.has(keys[j])) f(v);
  }
}

/**
 * Calls `f` on each child of `n` in source order (type annotations skipped; an expression such as `x as T` keeps its
 * `expression`).
 */
export function forEachChild(n: t.Node, f: (child: t.Node) => void): void {
  eachChild(n, f, TYPE_KEYS);
}

/** Calls `f` on each child of `n` in source order, type annotations included (as TypeScript's forEachChild did). */
export function forEachChildWithTypes(n: t.Node, f: (child: t.Node) => void): void {
  eachChild(n, f, NO_KEYS);
}

/**
 * Walks the tree under `root` depth first, in source order, calling `enter(node, parent)`; returning false skips the
 * node's children.
 */
export function walk(root: t.Node, enter: (n: t.Node, parent: t.Node | undefined) => unknown): void {
  const visit = (n: t.Node, parent: t.Node | undefined): void => {
    if (enter(n, parent) === false) return;
    forEachChild(n, (c) => visit(c, n));
  };
  visit(root, undefined);
}

/** Whether a node was written in parentheses (Babel keeps no node for them; the compiler's tree did). */
export function parenthesized(n: t.Node | null | undefined): boolean {
  return !!(n?.extra as { parenthesized?: boolean } | undefined)?.parenthesized;
}

/** Where a node starts, at its opening parenthesis when it is parenthesized (the compiler's `getStart`). */
export function outerStart(n: t.Node): number {
  const extra = n.extra as { parenthesized?: boolean; parenStart?: number } | undefined;
  return extra?.parenthesized && extra.parenStart !== undefined ? extra.parenStart : (n.start ?? 0);
}

/** The expression inside `as T`, `satisfies T`, `<T>x` and `x!` (parentheses leave no node in Babel's tree). */
export function unwrap(e: t.Node): t.Node {
  let x = e;
  while (x.type === 'TSAsExpression' || x.type === 'TSSatisfiesExpression' || x.type === 'TSNonNullExpression' || x.type === 'TSTypeAssertion')
    x = x.expression;
  return x;
}

/** The value of a string literal or of a template without substitutions (`'a'`, `"a"`, `` `a` ``). */
export function stringValue(e: t.Node | null | undefined): string | undefined {
  if (!e) return undefined;
  if (e.type === 'StringLiteral') return e.value;
  if (e.type === 'TemplateLiteral' && e.expressions.length === 0) return e.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

/** `a.b` and `a?.b` with a plain name: the object and the name; undefined for `a[b]`, `a['b']` and `a.#b`. */
export function member(e: t.Node): { object: t.Expression; name: string } | undefined {
  if ((e.type === 'MemberExpression' || e.type === 'OptionalMemberExpression') && !e.computed && e.property.type === 'Identifier')
    return { object: e.object as t.Expression, name: e.property.name };
  return undefined;
}

/** A call, `f()` or `f?.()`. */
export function isCall(e: t.Node | null | undefined): e is t.CallExpression | t.OptionalCallExpression {
  return e?.type === 'CallExpression' || e?.type === 'OptionalCallExpression';
}

/** The name of a plain key written as an identifier, a string or a number (`{ a: 1, "b": 2, 3: 4 }`), not computed. */
export function keyName(key: t.Node, computed: boolean): string | undefined {
  if (computed) return undefined;
  if (key.type === 'Identifier') return key.name;
  if (key.type === 'StringLiteral') return key.value;
  if (key.type === 'NumericLiteral') return String(key.value);
  return undefined;
}

/** The name of a `key: value` property (not a shorthand `{ a }`, not a method). */
export function propName(p: t.Node): string | undefined {
  return p.type === 'ObjectProperty' && !p.shorthand ? keyName(p.key, p.computed) : undefined;
}

/** The name of any member of an object literal with a plain name: a property, a shorthand (`{ secret }`) or a method
 * (not a getter or setter). */
export function memberName(p: t.Node): string | undefined {
  if (p.type === 'ObjectProperty') return p.computed || p.key.type === 'NumericLiteral' ? undefined : keyName(p.key, false);
  if (p.type === 'ObjectMethod' && p.kind === 'method') return p.computed || p.key.type === 'NumericLiteral' ? undefined : keyName(p.key, false);
  return undefined;
}

/** The value a module exports as its default: `export default x`, `module.exports = x`, `export = x`,
 * `export default function`, `export { config as default }` (the local name). */
export function exportedValue(program: t.Program): t.Node | undefined {
  let out: t.Node | undefined;
  for (const st of program.body) {
    if (st.type === 'ExportDefaultDeclaration') out = st.declaration;
    else if (st.type === 'TSExportAssignment') out = st.expression;
    else if (st.type === 'ExpressionStatement' && st.expression.type === 'AssignmentExpression' && st.expression.operator === '=') {
      const left = member(st.expression.left);
      if (left && left.name === 'exports' && left.object.type === 'Identifier' && left.object.name === 'module') out = st.expression.right;
    } else if (st.type === 'ExportNamedDeclaration' && !st.source) {
      for (const s of st.specifiers) {
        if (s.type !== 'ExportSpecifier') continue;
        const exported = s.exported.type === 'Identifier' ? s.exported.name : s.exported.value;
        if (exported === 'default') out = s.local;
      }
    }
  }
  return out;
}
