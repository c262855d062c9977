import { type Node, type ParseError, ParseErrorCode, parseTree } from 'jsonc-parser';
import type { PackageJsonInfo, Range, ScriptInfo } from '../model/types';
import { LineIndex } from '../model/text';

export interface ParsedPackageJson {
  info?: PackageJsonInfo;
  problems: { message: string; range: Range }[];
}

/** What each JSON syntax error says, in the words a user reads in the Problems panel. */
const ERROR_TEXT: Partial<Record<ParseErrorCode, string>> = {
  [ParseErrorCode.InvalidSymbol]: 'a character JSON does not allow here',
  [ParseErrorCode.InvalidNumberFormat]: 'a number JSON cannot read',
  [ParseErrorCode.PropertyNameExpected]: 'a property name in double quotes expected',
  [ParseErrorCode.ValueExpected]: 'a value expected',
  [ParseErrorCode.ColonExpected]: "':' expected",
  [ParseErrorCode.CommaExpected]: "',' expected",
  [ParseErrorCode.CloseBraceExpected]: "'}' expected",
  [ParseErrorCode.CloseBracketExpected]: "']' expected",
  [ParseErrorCode.EndOfFileExpected]: 'text after the end of the JSON value',
  [ParseErrorCode.UnexpectedEndOfComment]: 'a comment that is never closed',
  [ParseErrorCode.UnexpectedEndOfString]: 'a string that is never closed',
  [ParseErrorCode.UnexpectedEndOfNumber]: 'a number cut short',
  [ParseErrorCode.InvalidUnicode]: 'an invalid \\u escape',
  [ParseErrorCode.InvalidEscapeCharacter]: 'an invalid escape in a string',
  [ParseErrorCode.InvalidCharacter]: 'a control character in a string',
};

/** A line a merge left in the file: `<<<<<<< HEAD`, `=======`, `>>>>>>> branch` (and diff3's `|||||||`). */
const CONFLICT_MARKER = /^(<{7}|={7}|>{7}|\|{7})(\s|$)/;

/** What a JSON syntax error is, in a user's words (package.json's and crosswire.config.json's problems). */
export function errorText(text: string, e: ParseError): string {
  const lineStart = text.lastIndexOf('\n', e.offset - 1) + 1;
  if (CONFLICT_MARKER.test(text.slice(lineStart, lineStart + 8))) return 'a merge conflict marker';
  // A comma right before a closing brace or bracket (or the end): JSON allows no trailing comma.
  if (e.error === ParseErrorCode.PropertyNameExpected || e.error === ParseErrorCode.ValueExpected) {
    const before = text.slice(0, e.offset).trimEnd();
    if (before.endsWith(',') && /^\s*([}\]]|$)/.test(text.slice(e.offset))) return 'a trailing comma, which JSON does not allow';
  }
  return ERROR_TEXT[e.error] ?? 'a syntax error';
}

function stringValue(node: Node | undefined): string | undefined {
  return node?.type === 'string' ? (node.value as string) : undefined;
}

/** The properties of an object node: [name, key node, value node], in order (duplicates kept). */
function* properties(node: Node | undefined): Generator<[string, Node, Node | undefined]> {
  if (node?.type !== 'object') return;
  for (const p of node.children ?? []) {
    const [k, v] = p.children ?? [];
    if (k?.type === 'string') yield [k.value as string, k, v];
  }
}

function property(node: Node | undefined, name: string): Node | undefined {
  for (const [k, , v] of properties(node)) if (k === name) return v;
  return undefined;
}

/**
 * Parses a package.json with a JSON parser that keeps positions (jsonc-parser, VS Code's), never with `require`.
 * Returns the facts Crosswire needs with the source range of every script. Comments are let through (npm would
 * refuse them, but they change no fact); anything else JSON does not allow is a problem, and the facts are read
 * from what the parser recovered.
 */
export function parsePackageJson(text: string, file: string): ParsedPackageJson {
  const lines = new LineIndex(text);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: false, allowEmptyContent: true });
  const problems: ParsedPackageJson['problems'] = [];
  let last: ParseError | undefined;
  for (const e of errors) {
    // (one problem per place: the parser reports a missing name and a missing value at one trailing comma)
    if (last && last.offset === e.offset) continue;
    // (and one per conflict marker line, whose every symbol the parser refuses)
    const message = `package.json is not valid JSON: ${errorText(text, e)}`;
    const range = lines.range(e.offset, e.offset + e.length);
    const prev = problems[problems.length - 1];
    if (prev && prev.message === message && prev.range.start.line === range.start.line) continue;
    problems.push({ message, range });
    last = e;
  }
  if (root?.type !== 'object') {
    if (problems.length === 0) problems.push({ message: 'package.json does not contain a JSON object', range: lines.range(0, 0) });
    return { problems };
  }
  const info: PackageJsonInfo = { file, workspaces: [], scripts: [], dependencies: {}, text };
  for (const [key, , v] of properties(root)) {
    switch (key) {
      case 'name':
        info.name = stringValue(v);
        if (info.name !== undefined) info.nameRange = lines.range(v!.offset, v!.offset + v!.length);
        break;
      case 'version':
        info.version = stringValue(v);
        break;
      case 'main':
        info.main = stringValue(v);
        break;
      case 'prisma':
        if (v?.type === 'object') info.prismaSchema = stringValue(property(v, 'schema'));
        break;
      case 'workspaces': {
        const arr = v?.type === 'array' ? v : v?.type === 'object' ? property(v, 'packages') : undefined;
        if (arr?.type === 'array') for (const e of arr.children ?? []) if (e.type === 'string') info.workspaces.push(e.value as string);
        break;
      }
      case 'scripts':
        for (const [name, k, init] of properties(v)) {
          if (init?.type !== 'string') continue;
          const start = init.offset;
          const end = init.offset + init.length;
          const script: ScriptInfo = {
            name,
            command: init.value as string,
            range: lines.range(start, end),
            innerRange: lines.range(start + 1, end - 1),
            keyRange: lines.range(k.offset, k.offset + k.length),
          };
          info.scripts.push(script);
        }
        break;
      case 'dependencies':
      case 'devDependencies':
      case 'peerDependencies':
      case 'optionalDependencies':
        for (const [name, , d] of properties(v)) {
          const ver = stringValue(d);
          if (ver !== undefined && !(name in info.dependencies)) info.dependencies[name] = ver;
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
