import type { PrismaAssignment, PrismaDatasource, PrismaSchemaInfo, Range } from '../model/types';
import * as v8 from 'node:v8';
import { isCall, keyName, outerStart, parenthesized, parseJs, stringValue, type t } from './js';
import { LineIndex } from '../model/text';
import { tokenize } from './scripts';

/** One `.prisma` file of a schema. */
export interface PrismaSchemaFile {
  file: string;
  text: string;
}

export interface SchemaUnitOptions {
  /**
   * A `.prisma` file of this schema was not read (too large, unreadable, ignored by the configuration):
   * what it holds is unknown, so Prisma's verdict on the files that were read is not reported.
   */
  incomplete?: boolean;
}

/**
 * Config blocks (datasource + generator) holding more code than this (characters other than blanks and
 * comments) are not handed to Prisma's validator: its time grows with the square of its diagnostics.
 */
export const MAX_VALIDATED_CONFIG = 16 * 1024;

/**
 * Reads one Prisma schema, which is one file or (Prisma >= 6.7, or 5.15+ with the `prismaSchemaFolder`
 * preview feature) a folder of `.prisma` files merged into one. Nothing is run:
 * - a small block scanner finds `datasource` blocks and their `key = value` lines with exact
 *   positions (Prisma's own tooling returns no source positions for the config);
 * - Prisma's own validator, `@prisma/prisma-schema-wasm` (the engine Prisma's language server uses),
 *   in the version line of the project's Prisma major (v6 accepts `url = env(...)`, v7 rejects it),
 *   judges the datasource and generator blocks of all the files together, as Prisma merges them;
 *   its errors on datasource blocks are reported.
 * A schema yields at most one problem (a summary at its first problem, with the count), on the file
 * that holds it: one `PrismaSchemaInfo` per file, in the order given.
 * - A schema holding template placeholders (`{{PRISMA_PROVIDER}}`, `<%= ... %>`, `{% ... %}`, `${...}`)
 *   is a template that a build step fills in: no problem is reported on it.
 * - A schema without a datasource is not validated (Crosswire reads nothing from it, and a file of a
 *   schema folder is not a schema on its own); a file with no Prisma block at all is reported once.
 * - Every validator message goes through {@link redactValidatorMessage}: no text of the schema's values.
 */
export function parsePrismaSchemaUnit(files: readonly PrismaSchemaFile[], prismaMajor?: number, opts: SchemaUnitOptions = {}): PrismaSchemaInfo[] {
  const scans = files.map((f) => scanFile(f.text, f.file));
  const infos = scans.map((s) => s.info);
  if (scans.some((s) => s.template)) return infos;
  const problems: UnitProblem[] = [];
  scans.forEach((s, i) => {
    for (const p of s.own) problems.push({ index: i, message: p.message, range: p.range });
    if (s.blocks === 0 && s.strayLines > 0) {
      problems.push({
        index: i,
        message: `This file holds no Prisma block (datasource, generator, model, enum): it is not a Prisma schema, and Prisma rejects its ${s.strayLines === 1 ? 'line' : `${s.strayLines} lines`} that start with no schema keyword`,
        range: s.lines.lineRange(s.firstStray),
      });
    }
  });
  if (!opts.incomplete && infos.some((i) => i.datasources.length > 0)) problems.push(...validateUnit(scans, prismaMajor));
  if (problems.length > 0) {
    problems.sort((a, b) => a.index - b.index || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    const first = problems[0];
    const more = problems.length > 1 ? ` (${problems.length} problems in this schema; the first is shown here)` : '';
    infos[first.index].problems.push({ message: `${first.message}${more}`, range: first.range, severity: 'warning' });
  }
  return infos;
}

/** One schema file on its own (see {@link parsePrismaSchemaUnit}). */
export function parsePrismaSchema(text: string, file: string, prismaMajor?: number): PrismaSchemaInfo {
  return parsePrismaSchemaUnit([{ file, text }], prismaMajor)[0];
}

type UnitProblem = { index: number; message: string; range: Range };

interface FileScan {
  info: PrismaSchemaInfo;
  lines: LineIndex;
  /** The scanner's own problems (a datasource header it cannot read, a block never closed). */
  own: { message: string; range: Range }[];
  /** Top-level blocks (datasource, generator, model, enum, type, view). */
  blocks: number;
  /** Top-level lines outside any block that are neither blank nor a comment, and the first of them. */
  strayLines: number;
  firstStray: number;
  /** Holds a template placeholder outside comments. */
  template: boolean;
}

const BLOCK_HEADER = /^\s*(model|enum|type|view|datasource|generator)\s+[A-Za-z_]/;
/**
 * Placeholders of the usual template engines: mustache/handlebars/Go `{{ name }}`, Jinja `{% for ... %}`,
 * EJS/ERB `<%= name %>`, shell/envsubst `${NAME}`: an opening, a name, and the closing within 200 characters
 * (bounded, so a line costs linear time whatever it holds).
 */
const PLACEHOLDER =
  /\{\{[ \t]*[A-Za-z_.#/^>!&@-][^{}]{0,200}\}\}|\{%[ \t-]*[A-Za-z_][^%]{0,200}%\}|<%[=\-_#]?[ \t]*[A-Za-z_][^%]{0,200}%>|\$\{[A-Za-z_][^{}]{0,200}\}/;

/** One `key = value` line of a datasource block (`url = env("DATABASE_URL")`), or undefined. */
function datasourceAssignment(line: string, ln: number): PrismaAssignment | undefined {
  // (the value is trimmed by hand: a lazy `(.*?)\s*$` is quadratic on a long run of spaces)
  const a = /^(\s*)([A-Za-z_][A-Za-z0-9_]*)(\s*=\s*)(.*)$/.exec(line);
  if (!a) return undefined;
  const keyStart = a[1].length;
  const valueStart = keyStart + a[2].length + a[3].length;
  const rawValue = a[4].trimEnd();
  const assignment: PrismaAssignment = {
    key: a[2],
    raw: rawValue,
    range: { start: { line: ln, character: keyStart }, end: { line: ln, character: valueStart + rawValue.length } },
    keyRange: { start: { line: ln, character: keyStart }, end: { line: ln, character: keyStart + a[2].length } },
    valueRange: { start: { line: ln, character: valueStart }, end: { line: ln, character: valueStart + rawValue.length } },
  };
  const env = /^env\(\s*"([^"]*)"\s*\)$/.exec(rawValue);
  if (env) assignment.envVar = env[1];
  const lit = /^"((?:[^"\\]|\\.)*)"$/.exec(rawValue);
  if (lit) assignment.literal = lit[1].replace(/\\(.)/g, '$1');
  return assignment;
}

/** One pass over a file: its datasource blocks (with positions), its shape, and whether it is a template. */
function scanFile(text: string, file: string): FileScan {
  const info: PrismaSchemaInfo = { file, datasources: [], problems: [], text };
  const lines = new LineIndex(text);
  const scan: FileScan = { info, lines, own: [], blocks: 0, strayLines: 0, firstStray: 0, template: false };
  let current: PrismaDatasource | undefined;
  let depth = 0;
  /** Depth of any top-level block, for the file's shape. */
  let outer = 0;
  for (let ln = 0; ln < lines.lineCount; ln++) {
    const raw = lines.lineText(ln);
    const line = stripComment(raw);
    if (!scan.template && line.length > 3 && PLACEHOLDER.test(line)) scan.template = true;
    const opensHere = count(line, '{');
    const closesHere = count(line, '}');
    if (outer === 0) {
      if (BLOCK_HEADER.test(line)) scan.blocks++;
      else if (line.trim() !== '' && !/^\s*[{}]\s*$/.test(line)) {
        if (scan.strayLines++ === 0) scan.firstStray = ln;
      }
    }
    outer = Math.max(0, outer + opensHere - closesHere);
    if (!current) {
      const m = /^\s*datasource\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{\s*$/.exec(line);
      if (m) {
        const start = raw.indexOf('datasource');
        current = {
          file,
          name: m[1],
          headerRange: { start: { line: ln, character: start }, end: { line: ln, character: line.trimEnd().length } },
          blockRange: { start: { line: ln, character: start }, end: { line: ln, character: line.trimEnd().length } },
          assignments: [],
        };
        depth = 1;
        continue;
      }
      if (/^\s*datasource\b/.test(line)) {
        scan.own.push({ message: 'Crosswire could not read this datasource header (expected `datasource <name> {` on one line)', range: lines.lineRange(ln) });
      }
      continue;
    }
    // inside a datasource block
    const close = line.indexOf('}');
    if (close !== -1 && opensHere === 0 && depth === 1) {
      current.blockRange = { start: current.blockRange.start, end: { line: ln, character: close + 1 } };
      info.datasources.push(current);
      current = undefined;
      depth = 0;
      continue;
    }
    depth += opensHere - closesHere;
    const assignment = datasourceAssignment(line, ln);
    if (assignment) {
      current.assignments.push(assignment);
      if (assignment.key === 'provider') current.provider = assignment;
      else if (assignment.key === 'url') current.url = assignment;
      else if (assignment.key === 'directUrl') current.directUrl = assignment;
    }
  }
  if (current) {
    scan.own.push({
      message: `The datasource ${plainName(current.name) ? `"${current.name}"` : 'block'} opened here is never closed with }`,
      range: current.headerRange,
    });
    info.datasources.push(current);
  }
  return scan;
}

function countBlanks(line: string): number {
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) n++;
  }
  return n;
}

function count(line: string, ch: string): number {
  let n = 0;
  for (let i = line.indexOf(ch); i !== -1; i = line.indexOf(ch, i + 1)) n++;
  return n;
}

/**
 * Prisma's verdict on the datasource and generator blocks of a schema's files, merged as Prisma merges
 * them (the only errors Crosswire reports are on datasource blocks). Every other line is emptied, line
 * numbers and the kept lines intact, so positions carry over, the validator's time and memory do not grow
 * with a workspace's models, and the verdict is shared by every schema with the same config blocks.
 */
function validateUnit(scans: readonly FileScan[], prismaMajor: number | undefined): UnitProblem[] {
  const judged = scans.map((s) => configBlocksOnly(s.info.text));
  const out: UnitProblem[] = [];
  const total = judged.reduce((n, j) => n + j.code, 0);
  if (total > MAX_VALIDATED_CONFIG) {
    // Real config blocks are a few hundred bytes: this is a block that never closes (the rest of the
    // file inside it). Prisma rejects that; the validator is not run on it (its time is quadratic).
    judged.forEach((j, i) => {
      if (j.unclosedAt === undefined) return;
      const header = scans[i].info.datasources.find((d) => d.headerRange.start.line === j.unclosedAt);
      if (!header)
        out.push({ index: i, message: 'This block is never closed with }: Prisma rejects the schema', range: scans[i].lines.lineRange(j.unclosedAt) });
    });
    return out;
  }
  const verdict = validateWithPrisma(
    judged.map((j) => j.text),
    prismaMajor,
  );
  for (const p of verdict) {
    const scan = scans[p.index];
    // Up to Prisma 6, the connection_limit property is reported by missing-connection-limit with a fix; don't
    // say it twice. (In Prisma 7 projects that rule judges the driver adapter: the property is reported here.)
    if (prismaLine(prismaMajor) === 6 && /connection_limit/.test(p.message)) continue;
    if (scan.info.datasources.some((d) => overlaps(d.blockRange, p.range))) out.push(p);
  }
  return out;
}

/** Empties every line outside `datasource`/`generator` blocks (line breaks kept), then drops the trailing empty lines. */
function configBlocksOnly(text: string): { text: string; code: number; unclosedAt?: number } {
  let out = '';
  let code = 0;
  let depth = 0;
  let pendingBreaks = '';
  let ln = 0;
  let openedAt = 0;
  for (const line of text.split(/(?<=\n)/)) {
    const stripped = depth > 0 || line.includes('datasource') || line.includes('generator') ? stripComment(line) : '';
    const opens = depth === 0 && /^\s*(datasource|generator)\s+\w+\s*\{/.test(stripped);
    if (depth > 0 || opens) {
      if (opens) openedAt = ln;
      out += pendingBreaks + line;
      pendingBreaks = '';
      code += stripped.length - countBlanks(stripped);
      depth = Math.max(0, depth + count(stripped, '{') - count(stripped, '}'));
    } else {
      const m = /\r?\n$/.exec(line);
      if (m) pendingBreaks += m[0];
    }
    ln++;
  }
  return depth > 0 ? { text: out, code, unclosedAt: openedAt } : { text: out, code };
}
function stripComment(line: string): string {
  let inStr = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inStr) {
      i++;
      continue;
    }
    if (c === '"') inStr = !inStr;
    else if (!inStr && c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

function overlaps(a: Range, b: Range): boolean {
  return !(b.end.line < a.start.line || b.start.line > a.end.line);
}

type Validator = { lint(input: string): string };

let baselineOnly = false;
function setWasmBaselineOnly(): void {
  if (baselineOnly) return;
  baselineOnly = true;
  try {
    v8.setFlagsFromString('--liftoff-only');
  } catch {
    // an engine without the flag: the validator just compiles as usual
  }
}
const validators = new Map<string, Validator | null>();

/** The validator's version line for a project's Prisma major: 7 for Prisma 7 projects, else 6. */
function prismaLine(major: number | undefined): 6 | 7 {
  return major !== undefined && major >= 7 ? 7 : 6;
}

function loadValidator(major: number | undefined): Validator | null {
  // (kept literal: the no-exec guard checks that this computed require picks one of two fixed names)
  const name = major !== undefined && major >= 7 ? 'prisma-schema-wasm-v7' : 'prisma-schema-wasm-v6';
  if (!validators.has(name)) {
    // Baseline-compile the validator's WebAssembly only (V8's Liftoff): the optimising tier would add
    // ~40 MB of resident code per validator for calls that take a few milliseconds either way.
    setWasmBaselineOnly();
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const validator = require(name) as Validator;
      validators.set(name, validator);
      detachFromModuleCache(validator);
    } catch {
      validators.set(name, null);
    }
  }
  return validators.get(name) ?? null;
}

/**
 * Leaves `validators` the only holder of a loaded validator: Node's module cache and the requiring module's
 * `children` list would otherwise keep its WebAssembly instance for the life of the process.
 */
function detachFromModuleCache(exported: unknown): void {
  const entry = Object.entries(require.cache).find(([, m]) => m?.exports === exported);
  if (!entry) return;
  const [id, loaded] = entry;
  delete require.cache[id];
  for (const m of Object.values(require.cache)) {
    const i = m?.children.indexOf(loaded!) ?? -1;
    if (i >= 0) m!.children.splice(i, 1);
  }
}

/**
 * Drops the loaded validators, so that their WebAssembly instances can be collected. A one-shot audit calls it once
 * its index is built (every schema judged): the rule pass that follows is where its memory peaks. A schema judged
 * later loads its validator again; the verdicts already given stay cached.
 */
export function releasePrismaValidators(): void {
  validators.clear();
}

interface WasmDiagnostic {
  file_name?: string;
  start: number;
  end: number;
  text: string;
  is_warning: boolean;
}

/** A validator verdict: problems by file index, positions in the judged texts (whose lines are the files' lines). */
type Verdict = UnitProblem[];
/** Verdicts by validator and judged texts: identical config blocks are judged once (bounded, cleared when full). */
const verdicts = new Map<string, Verdict>();
const MAX_VERDICTS = 1000;

/** Prisma's own validation errors on the judged texts of one schema's files (cached by texts). */
function validateWithPrisma(texts: readonly string[], major: number | undefined): Verdict {
  const key = `${prismaLine(major)}\0${texts.length}\0${texts.join('\0')}`;
  let verdict = verdicts.get(key);
  if (!verdict) {
    verdict = lintWithPrisma(texts, major);
    if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
    verdicts.set(key, verdict);
  }
  return verdict.map((p) => ({ ...p, range: { start: { ...p.range.start }, end: { ...p.range.end } } }));
}

/**
 * Prisma's own validation errors, redacted, with positions. The validator's `start`/`end` are offsets in
 * UTF-16 code units of the text it was given (as JavaScript strings count; measured on both pinned
 * versions, with characters of 1 to 4 UTF-8 bytes and of 1 or 2 UTF-16 units, and pinned by a test):
 * they index the judged string directly, nothing is decoded.
 */
function lintWithPrisma(texts: readonly string[], major: number | undefined): Verdict {
  const v = loadValidator(major);
  if (!v) return [];
  // File names of the validator's own (`0.prisma`, ...): the verdict depends on the texts alone, so it can be shared.
  const input: [string, string][] = [];
  texts.forEach((t, i) => {
    if (t.length > 0) input.push([`${i}.prisma`, t]);
  });
  if (input.length === 0) return [];
  let diags: WasmDiagnostic[];
  try {
    diags = JSON.parse(v.lint(JSON.stringify(input))) as WasmDiagnostic[];
  } catch {
    return [];
  }
  if (!Array.isArray(diags)) return [];
  const lineIndexes = new Map<number, LineIndex>();
  let values: SchemaValues | undefined;
  const out: Verdict = [];
  for (const d of diags) {
    if (!d || d.is_warning || typeof d.text !== 'string') continue;
    const index = Number(/^(\d+)\.prisma$/.exec(String(d.file_name ?? '0.prisma'))?.[1] ?? 0);
    const text = texts[index];
    if (text === undefined) continue;
    let lines = lineIndexes.get(index);
    if (!lines) lineIndexes.set(index, (lines = new LineIndex(text)));
    const start = clampOffset(d.start, text.length);
    const end = Math.max(start, clampOffset(d.end, text.length));
    values ??= schemaValues(texts);
    out.push({ index, message: `Prisma ${prismaLine(major)} rejects this schema: ${redactValidatorMessage(d.text, values)}`, range: lines.range(start, end) });
  }
  return out;
}

function clampOffset(n: unknown, max: number): number {
  return typeof n === 'number' && Number.isFinite(n) ? Math.max(0, Math.min(max, Math.floor(n))) : 0;
}

// ---------------------------------------------------------------------------------------------
// Redaction: a validator message may echo the schema's values (`received array value
// `["postgresql://admin:…@db/app"]``). Crosswire quotes only its own vocabulary.

/** Words a redacted message may quote: Prisma's keywords, datasource properties, providers and URL schemes. */
const VOCABULARY = new Set([
  'datasource',
  'generator',
  'model',
  'enum',
  'type',
  'view',
  'env',
  'env()',
  'provider',
  'url',
  'directUrl',
  'shadowDatabaseUrl',
  'relationMode',
  'referentialIntegrity',
  'extensions',
  'schemas',
  'connection_limit',
  'previewFeatures',
  'output',
  'binaryTargets',
  'engineType',
  'map',
  'postgresql',
  'postgres',
  'mysql',
  'sqlite',
  'sqlserver',
  'mongodb',
  'cockroachdb',
  'prisma',
  'foreignKeys',
  'prisma-client-js',
  'prisma-client',
  'String',
  'Boolean',
  'Int',
  'array',
  'string',
  'numeric',
  'boolean',
  'constant',
  'function',
  'postgresql://',
  'postgres://',
  'mysql://',
  'sqlserver://',
  'mongodb://',
  'mongodb+srv://',
  'file:',
  'prisma://',
  'prisma+postgres://',
  '@id',
  '@@id',
  '@map',
  '@@map',
  '@@schema',
  '@default',
  '@relation',
  '@unique',
  '@@unique',
  '@@index',
  'model',
  'enum',
  'type',
  'view',
]);

/** Characters that may be part of a secret or a URL (a "run" is a maximal sequence of them). */
const RUN = /[A-Za-z0-9+/=_\-.:@%~!$&*?#]+/g;
const WINDOW = 8;

/** What of the schema's code must never reach a message. */
export interface SchemaValues {
  /** Every 8-character window of the code's runs of 8 characters or more (Crosswire's vocabulary aside). */
  windows: Set<string>;
  /** The code's shorter runs (Crosswire's vocabulary aside). */
  short: Set<string>;
  /** Datasource and generator names that read as names (`db`, `client`): a message may quote them. */
  names: Set<string>;
}

/** The runs of the judged texts' code (comments stripped): linear in the texts (bounded by MAX_VALIDATED_CONFIG). */
export function schemaValues(texts: readonly string[]): SchemaValues {
  const values: SchemaValues = { windows: new Set(), short: new Set(), names: new Set() };
  for (const t of texts) {
    for (const line of t.split('\n')) {
      const header = /^\s*(?:datasource|generator)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(line);
      if (header && plainName(header[1])) values.names.add(header[1]);
      for (const m of stripComment(line).matchAll(RUN)) {
        const run = m[0];
        if (VOCABULARY.has(run)) continue;
        // A URL's scheme is no secret (and Prisma's own words share it: `postgresqlExtensions`).
        const value = run.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '');
        if (value.length < WINDOW) values.short.add(value);
        else for (let i = 0; i + WINDOW <= value.length; i++) values.windows.add(value.slice(i, i + WINDOW));
      }
    }
  }
  return values;
}

function sharesWindow(run: string, values: SchemaValues): boolean {
  for (let i = 0; i + WINDOW <= run.length; i++) if (values.windows.has(run.slice(i, i + WINDOW))) return true;
  return false;
}

/**
 * A validator message with no text taken from the schema: a quoted span (`"…"`, `` `…` ``, `'…'`) becomes
 * `…` when one of its runs of characters shares 8 characters with the schema's code or is one of the
 * code's shorter runs (Prisma's own words, `prisma.config.ts`, `postgresqlExtensions`, stay); an unquoted run
 * that shares 8 characters with the schema's code becomes `…`. Crosswire's vocabulary (keywords,
 * datasource properties, providers, URL schemes) is always kept. So no 8 characters of a value are
 * ever shown, and no quoted value at all.
 */
export function redactValidatorMessage(message: string, values: SchemaValues): string {
  const fromSchema = (run: string) =>
    !VOCABULARY.has(run) && !values.names.has(run) && (run.length < WINDOW ? values.short.has(run) : sharesWindow(run, values));
  return message.replace(/`[^`]*`|"[^"]*"|'[^'\s]*'|[A-Za-z0-9+/=_\-.:@%~!$&*?#]+/g, (m) => {
    const q = m[0];
    if (q === '`' || q === '"' || q === "'") {
      const inner = m.slice(1, -1);
      if (VOCABULARY.has(inner) || values.names.has(inner)) return m;
      for (const r of inner.matchAll(RUN)) if (fromSchema(r[0])) return `${q}…${q}`;
      return m;
    }
    return m.length >= WINDOW && !VOCABULARY.has(m) && sharesWindow(m, values) ? '…' : m;
  });
}

/** A name that a message may quote: an identifier of at most 32 characters with few digits (not a token or a key). */
function plainName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z_]*[0-9]{0,2}$/.test(name) && name.length <= 32;
}

// ---------------------------------------------------------------------------------------------
// Where a project's schema is: `prisma.config.ts`'s `schema`, package.json scripts' `--schema`

/**
 * The `schema` path of a `prisma.config.ts` (relative to the config file's folder, as Prisma resolves it),
 * read with Babel's parser, never run: `defineConfig({ schema: 'prisma/schema' })`, a plain
 * `export default { schema }` object (also through a `const`), `satisfies PrismaConfig`, and paths written as
 * `path.join('prisma', 'schema')` / `path.resolve(__dirname, 'prisma')`. Anything computed otherwise is unknown.
 */
export function prismaConfigSchemaPath(text: string, file: string): string | undefined {
  const program = parseJs(text, file).program;
  if (!program) return undefined;
  const consts = new Map<string, t.Node>();
  let exported: t.Node | undefined;
  for (const s of program.body) {
    const st = s.type === 'ExportNamedDeclaration' && s.declaration ? s.declaration : s;
    if (st.type === 'VariableDeclaration') {
      for (const d of st.declarations) if (d.id.type === 'Identifier' && d.init) consts.set(d.id.name, d.init);
    } else if (st.type === 'ExportDefaultDeclaration') {
      // (`export default function` and `export default class` are declarations, which the compiler's reader skipped)
      if (!/Declaration$/.test(st.declaration.type)) exported = st.declaration;
    } else if (st.type === 'TSExportAssignment') exported = st.expression;
    else if (st.type === 'ExpressionStatement' && st.expression.type === 'AssignmentExpression' && st.expression.operator === '=') {
      // (`(module.exports = x);` was a parenthesized expression to the compiler's reader, not an assignment)
      if (parenthesized(st.expression)) continue;
      if (writtenAs(text, st.expression.left, 'module.exports')) exported = st.expression.right;
    }
  }
  const resolve = (e: t.Node | undefined, depth = 0): t.Node | undefined => {
    while (e && (e.type === 'TSAsExpression' || e.type === 'TSSatisfiesExpression' || e.type === 'TSTypeAssertion')) e = e.expression;
    if (!e || depth > 4) return e;
    if (e.type === 'Identifier' && consts.has(e.name)) return resolve(consts.get(e.name), depth + 1);
    if (isCall(e) && e.arguments.length === 1 && /^(defineConfig|definePrismaConfig)$/.test(source(text, e.callee))) return resolve(e.arguments[0], depth + 1);
    return e;
  };
  const config = resolve(exported);
  if (!config || config.type !== 'ObjectExpression') return undefined;
  for (const p of config.properties) {
    if (p.type === 'SpreadElement' || p.computed || (p.key.type !== 'Identifier' && p.key.type !== 'StringLiteral')) continue;
    if (keyName(p.key, false) !== 'schema') continue;
    if (p.type === 'ObjectProperty' && p.shorthand) return pathValue(resolve(consts.get('schema')), text);
    if (p.type === 'ObjectProperty') return pathValue(resolve(p.value), text);
  }
  return undefined;
}

/** The text of a node, starting at its opening parenthesis when it is parenthesized (the compiler's `getText` kept
 * the parentheses; none of the names compared with it starts with one). */
function source(text: string, n: t.Node): string {
  return text.slice(outerStart(n), n.end ?? 0);
}

/** Is `n` written exactly as `what` (no parentheses, spaces or comments inside)? */
function writtenAs(text: string, n: t.Node, what: string): boolean {
  return source(text, n) === what;
}

/** A path literal, or `path.join/resolve` (or bare `join`/`resolve`) of literals after an optional `__dirname`. */
function pathValue(e: t.Node | undefined, text: string): string | undefined {
  if (!e) return undefined;
  const s = stringValue(e);
  if (s !== undefined) return s;
  if (!isCall(e) || !/^(path\.)?(join|resolve)$/.test(source(text, e.callee))) return undefined;
  const parts: string[] = [];
  e.arguments.forEach((a, i) => {
    const written = source(text, a);
    if (i === 0 && (written === '__dirname' || written === 'import.meta.dirname' || written === 'process.cwd()')) return;
    // (a parenthesized string was not a literal to the compiler's reader)
    parts.push((parenthesized(a) ? undefined : stringValue(a)) ?? '\0');
  });
  if (parts.length === 0 || parts.includes('\0')) return undefined;
  return parts.join('/');
}

/**
 * The `--schema <path>` / `--schema=<path>` values of Prisma CLI calls in package.json scripts (relative to
 * the package's folder, where npm runs a script). A command that changes folder first (`cd x && ...`) is skipped.
 */
export function schemaPathsInScripts(commands: readonly string[]): string[] {
  const out: string[] = [];
  for (const command of commands) {
    if (!command.includes('--schema')) continue;
    let segments: ReturnType<typeof tokenize>;
    try {
      segments = tokenize(command);
    } catch {
      continue;
    }
    for (const seg of segments) {
      if (seg[0]?.text === 'cd') break;
      if (!seg.some((t) => /(^|\/)prisma$/.test(t.text))) continue;
      for (let i = 0; i < seg.length; i++) {
        const t = seg[i].text;
        if (t === '--schema' && seg[i + 1]) out.push(seg[i + 1].text);
        else if (t.startsWith('--schema=')) out.push(t.slice('--schema='.length));
      }
    }
  }
  return out.filter((p) => p.length > 0 && !p.includes('$'));
}
