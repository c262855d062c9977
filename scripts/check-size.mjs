// Fails (exit 1) on a function longer than 80 lines or a class longer than 250 lines in server/src or client/src,
// unless the comment right above it gives a reason: `// size: <why it is one piece>`. Run by `npm run lint`.
// Lines are counted from the function's or class's first token (after its doc comment) to its closing brace.
// `--all` also lists the largest functions and classes that pass.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const MAX_FUNCTION_LINES = 80;
const MAX_CLASS_LINES = 250;
const ROOTS = ['server/src', 'client/src'];
/** A reason given in the comment block right above the function or class (or above its statement). */
const REASON = /\bsize:\s*\S/;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function tsFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function isFunctionLike(node) {
  return (
    (ts.isFunctionDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node)) &&
    node.body !== undefined
  );
}

/** The node whose leading comments speak for `node`: the statement or member that holds a function expression. */
function anchorOf(node) {
  let n = node;
  while (
    n.parent &&
    (ts.isVariableDeclaration(n.parent) ||
      ts.isVariableDeclarationList(n.parent) ||
      ts.isVariableStatement(n.parent) ||
      ts.isPropertyAssignment(n.parent) ||
      ts.isPropertyDeclaration(n.parent) ||
      ts.isExportAssignment(n.parent) ||
      ts.isParenthesizedExpression(n.parent) ||
      ts.isAsExpression(n.parent) ||
      ts.isSatisfiesExpression(n.parent) ||
      ts.isCallExpression(n.parent) ||
      (ts.isExpressionStatement(n.parent) && n.parent.expression === n))
  ) {
    n = n.parent;
  }
  return n;
}

function hasReason(sf, node) {
  const text = sf.text;
  for (const n of new Set([node, anchorOf(node)])) {
    for (const c of ts.getLeadingCommentRanges(text, n.getFullStart()) ?? []) {
      if (REASON.test(text.slice(c.pos, c.end))) return true;
    }
  }
  return false;
}

function nameOf(node) {
  const own = node.name && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) || ts.isPrivateIdentifier(node.name)) ? node.name.text : undefined;
  if (ts.isConstructorDeclaration(node)) return `${nameOf(node.parent)}.constructor`;
  if (own !== undefined) {
    const owner = node.parent && (ts.isClassLike(node.parent) || ts.isObjectLiteralExpression(node.parent)) ? nameOf(node.parent) : undefined;
    return owner && owner !== '(anonymous)' && !ts.isFunctionDeclaration(node) ? `${owner}.${own}` : own;
  }
  const p = node.parent;
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isCallExpression(p)) return `(callback of ${p.expression.getText().slice(0, 40)})`;
  return '(anonymous)';
}

const listAll = process.argv.includes('--all');
const over = [];
const measured = [];
for (const dir of ROOTS) {
  for (const file of tsFiles(join(root, dir))) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      const isClass = ts.isClassDeclaration(node) || ts.isClassExpression(node);
      if (isClass || isFunctionLike(node)) {
        const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
        const last = sf.getLineAndCharacterOfPosition(node.end).line;
        const lines = last - first + 1;
        const max = isClass ? MAX_CLASS_LINES : MAX_FUNCTION_LINES;
        const entry = { where: `${relative(root, file)}:${first + 1}`, what: `${isClass ? 'class' : 'function'} ${nameOf(node)}`, lines, max };
        measured.push(entry);
        if (lines > max && !hasReason(sf, node)) over.push(entry);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
}

const show = (e) => `  ${e.where}  ${e.what}: ${e.lines} lines (max ${e.max})`;
if (listAll) {
  console.log('largest functions and classes:');
  for (const e of [...measured].sort((a, b) => b.lines / b.max - a.lines / a.max).slice(0, 30)) console.log(show(e));
}
if (over.length) {
  console.error(`check-size: ${over.length} over the limit without a \`// size: <reason>\` comment above them:`);
  for (const e of over) console.error(show(e));
  process.exit(1);
}
console.log(`check-size: ${measured.length} functions and classes within ${MAX_FUNCTION_LINES} / ${MAX_CLASS_LINES} lines (or with a reason)`);
