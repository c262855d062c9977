import type { PrismaAssignment, PrismaDatasource, PrismaSchemaInfo, Range, Severity } from '../model/types';
import * as v8 from 'node:v8';
import { LineIndex } from '../model/text';

/**
 * Reads `schema.prisma` in two ways, neither of which runs anything:
 * - a small block scanner that finds `datasource` blocks and their `key = value` lines with exact
 *   positions (Prisma's own tooling returns no source positions for the config);
 * - Prisma's own validator, `@prisma/prisma-schema-wasm` (the engine Prisma's language server uses),
 *   in the version line of the project's Prisma major (v6 accepts `url = env(...)`, v7 rejects it),
 *   whose errors on datasource blocks are reported.
 */
export function parsePrismaSchema(text: string, file: string, prismaMajor?: number): PrismaSchemaInfo {
  const info: PrismaSchemaInfo = { file, datasources: [], problems: [], text };
  const lines = new LineIndex(text);
  let current: PrismaDatasource | undefined;
  let depth = 0;
  for (let ln = 0; ln < lines.lineCount; ln++) {
    const raw = lines.lineText(ln);
    const line = stripComment(raw);
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
        info.problems.push({ message: 'Crosswire could not read this datasource header (expected `datasource <name> {` on one line)', range: lines.lineRange(ln), severity: 'warning' });
      }
      continue;
    }
    // inside a datasource block
    const close = line.indexOf('}');
    const opens = (line.match(/\{/g) ?? []).length;
    if (close !== -1 && opens === 0 && depth === 1) {
      current.blockRange = { start: current.blockRange.start, end: { line: ln, character: close + 1 } };
      info.datasources.push(current);
      current = undefined;
      depth = 0;
      continue;
    }
    depth += opens - (line.match(/\}/g) ?? []).length;
    const a = /^(\s*)([A-Za-z_][A-Za-z0-9_]*)(\s*=\s*)(.*?)\s*$/.exec(line);
    if (a) {
      const keyStart = a[1].length;
      const valueStart = keyStart + a[2].length + a[3].length;
      const rawValue = a[4];
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
      current.assignments.push(assignment);
      if (a[2] === 'provider') current.provider = assignment;
      else if (a[2] === 'url') current.url = assignment;
      else if (a[2] === 'directUrl') current.directUrl = assignment;
    }
  }
  if (current) {
    info.problems.push({ message: `datasource "${current.name}" is never closed with }`, range: current.headerRange, severity: 'warning' });
    info.datasources.push(current);
  }
  // Prisma judges only the datasource and generator blocks here (the only errors Crosswire reports
  // when datasources were found): every other line is emptied, line numbers and the kept lines intact,
  // so positions carry over, the validator's memory does not grow with a workspace's models, and the
  // verdict is shared by every schema with the same config blocks (most of a monorepo's).
  const judged = info.datasources.length > 0 ? configBlocksOnly(text) : text;
  for (const p of validateWithPrisma(judged, prismaMajor, judged === text ? lines : undefined)) {
    const inDatasource = info.datasources.some((d) => overlaps(d.blockRange, p.range));
    // The connection_limit property is reported by missing-connection-limit with a fix; don't say it twice.
    if (/connection_limit/.test(p.message)) continue;
    if (inDatasource || info.datasources.length === 0) info.problems.push(p);
  }
  return info;
}

/** Empties every line outside `datasource`/`generator` blocks (line breaks kept), then drops the trailing empty lines. */
function configBlocksOnly(text: string): string {
  let out = '';
  let depth = 0;
  let pendingBreaks = '';
  for (const line of text.split(/(?<=\n)/)) {
    const code = depth > 0 || line.includes('datasource') || line.includes('generator') ? stripComment(line) : '';
    if (depth > 0 || /^\s*(datasource|generator)\s+\w+\s*\{/.test(code)) {
      out += pendingBreaks + line;
      pendingBreaks = '';
      depth = Math.max(0, depth + (code.match(/\{/g)?.length ?? 0) - (code.match(/\}/g)?.length ?? 0));
    } else {
      const m = /\r?\n$/.exec(line);
      if (m) pendingBreaks += m[0];
    }
  }
  return out;
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
      validators.set(name, require(name) as Validator);
    } catch {
      validators.set(name, null);
    }
  }
  return validators.get(name) ?? null;
}

interface WasmDiagnostic {
  start: number;
  end: number;
  text: string;
  is_warning: boolean;
}

type PrismaProblem = { message: string; range: Range; severity: Severity };
/** Verdicts by validator and judged text: identical config blocks are judged once (bounded, cleared when full). */
const verdicts = new Map<string, PrismaProblem[]>();
const MAX_VERDICTS = 1000;

/** Prisma's own validation errors (cached by text), positions in `text` (whose lines are the schema's lines). */
function validateWithPrisma(text: string, major: number | undefined, lines: LineIndex | undefined): PrismaProblem[] {
  const key = `${prismaLine(major)}\0${text}`;
  let verdict = verdicts.get(key);
  if (!verdict) {
    verdict = lintWithPrisma(text, major, lines ?? new LineIndex(text));
    if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
    verdicts.set(key, verdict);
  }
  return verdict.map((p) => ({ ...p, range: { start: { ...p.range.start }, end: { ...p.range.end } } }));
}

/** Prisma's own validation errors, converted from UTF-8 byte offsets to positions. */
function lintWithPrisma(text: string, major: number | undefined, lines: LineIndex): PrismaProblem[] {
  const v = loadValidator(major);
  if (!v) return [];
  let diags: WasmDiagnostic[];
  try {
    // One file name for all: the verdict depends on the text alone, so it can be shared.
    diags = JSON.parse(v.lint(JSON.stringify([['schema.prisma', text]]))) as WasmDiagnostic[];
  } catch {
    return [];
  }
  const bytes = Buffer.from(text, 'utf8');
  const ascii = bytes.length === text.length;
  const toOffset = (b: number) => (ascii ? b : bytes.subarray(0, b).toString('utf8').length);
  return diags
    .filter((d) => !d.is_warning)
    .map((d) => ({ message: `Prisma ${prismaLine(major)} rejects this schema: ${d.text}`, range: lines.range(toOffset(d.start), toOffset(d.end)), severity: 'warning' as Severity }));
}
