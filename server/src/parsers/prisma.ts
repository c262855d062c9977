import type { PrismaAssignment, PrismaDatasource, PrismaSchemaInfo, Range, Severity } from '../model/types';
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
  // when datasources were found): everything else is blanked out, offsets and lines kept, so the
  // validator's memory does not grow with the size of a workspace's models.
  const judged = info.datasources.length > 0 ? blankOutsideConfigBlocks(text) : text;
  for (const p of validateWithPrisma(judged, file, prismaMajor, lines)) {
    const inDatasource = info.datasources.some((d) => overlaps(d.blockRange, p.range));
    // The connection_limit property is reported by missing-connection-limit with a fix; don't say it twice.
    if (/connection_limit/.test(p.message)) continue;
    if (inDatasource || info.datasources.length === 0) info.problems.push(p);
  }
  return info;
}

/** Replaces every character outside `datasource`/`generator` blocks with a space (line breaks kept). */
function blankOutsideConfigBlocks(text: string): string {
  const out: string[] = [];
  let depth = 0;
  for (const line of text.split(/(?<=\n)/)) {
    const code = stripComment(line);
    const starts = depth === 0 && /^\s*(datasource|generator)\s+\w+\s*\{/.test(code);
    const inside = depth > 0 || starts;
    out.push(inside ? line : line.replace(/[^\r\n]/g, ' '));
    if (inside) depth = Math.max(0, depth + (code.match(/\{/g)?.length ?? 0) - (code.match(/\}/g)?.length ?? 0));
  }
  return out.join('');
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
const validators = new Map<string, Validator | null>();

function loadValidator(major: number | undefined): Validator | null {
  const name = major !== undefined && major >= 7 ? 'prisma-schema-wasm-v7' : 'prisma-schema-wasm-v6';
  if (!validators.has(name)) {
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

/** Prisma's own validation errors, converted from UTF-8 byte offsets to positions. */
function validateWithPrisma(text: string, file: string, major: number | undefined, lines: LineIndex): { message: string; range: Range; severity: Severity }[] {
  const v = loadValidator(major);
  if (!v) return [];
  let diags: WasmDiagnostic[];
  try {
    diags = JSON.parse(v.lint(JSON.stringify([[file, text]]))) as WasmDiagnostic[];
  } catch {
    return [];
  }
  const bytes = Buffer.from(text, 'utf8');
  const ascii = bytes.length === text.length;
  const toOffset = (b: number) => (ascii ? b : bytes.subarray(0, b).toString('utf8').length);
  return diags
    .filter((d) => !d.is_warning)
    .map((d) => ({ message: `Prisma ${major !== undefined && major >= 7 ? '7' : '6'} rejects this schema: ${d.text}`, range: lines.range(toOffset(d.start), toOffset(d.end)), severity: 'warning' as Severity }));
}
