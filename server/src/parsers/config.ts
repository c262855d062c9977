// A plain require: `import * as` would route every ts.* call through an interop getter (measured ~5% of a cold audit).
import ts = require('typescript');
import { distance } from 'fastest-levenshtein';
import * as path from 'node:path';
import type { ConfigSuppression, CrosswireConfig, Range, SeveritySetting } from '../model/types';
import type { Suppression } from './suppressions';
import { LineIndex } from '../model/text';
import { globProblem } from './glob';

export const CONFIG_FILE_NAME = 'crosswire.config.json';

export function emptyConfig(): CrosswireConfig {
  return { rules: {}, ignore: [], replicas: [], hosts: {}, maxConnections: {} };
}

const SEVERITIES = new Set(['off', 'info', 'warning', 'error']);
const KEYS = new Set(['$schema', 'rules', 'ignore', 'replicas', 'hosts', 'maxConnections', 'cores', 'sharedSecrets', 'suppress']);
const SUPPRESS_KEYS = new Set(['rule', 'file', 'line']);

/**
 * The known word a misspelt one most likely meant: the nearest by edit distance when it is close (at most a
 * third of the word's length, at least 1), or the only known word that starts with it ("warn" -> "warning").
 * Case is ignored ("Error" -> "error").
 */
export function nearest(word: string, known: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  if (w === '') return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  const prefixed: string[] = [];
  for (const k of known) {
    const d = distance(w, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
    if (w.length >= 3 && k.toLowerCase().startsWith(w)) prefixed.push(k);
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.floor(Math.max(w.length, best.length) / 3))) return best;
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

function didYouMean(word: string, known: Iterable<string>): string {
  const n = nearest(word, known);
  return n !== undefined && n !== word ? ` Did you mean "${n}"?` : '';
}

export interface ParsedConfig {
  config: CrosswireConfig;
  problems: { message: string; range: Range }[];
}

/** `"ignore": ["glob", ...]`: the patterns Crosswire can use; the others are problems. */
function readIgnore(elements: ts.NodeArray<ts.StringLiteral>, problems: ParsedConfig['problems'], range: (n: ts.Node) => Range): string[] {
  const ignore: string[] = [];
  for (const e of elements) {
    const why = globProblem(e.text);
    if (why) problems.push({ message: `Ignore pattern not used: ${why}.`, range: range(e) });
    else ignore.push(e.text);
  }
  return ignore;
}

/** `"rules": { "<id>": "off" | "info" | "warning" | "error" }` into config.rules; unknown ids and severities are problems. */
function readRules(
  v: ts.ObjectLiteralExpression,
  sf: ts.JsonSourceFile,
  knownRules: ReadonlySet<string>,
  config: CrosswireConfig,
  problems: ParsedConfig['problems'],
  range: (n: ts.Node) => Range,
): void {
  for (const r of v.properties) {
    if (!ts.isPropertyAssignment(r)) continue;
    const id = ts.isStringLiteral(r.name) || ts.isIdentifier(r.name) ? r.name.text : r.name.getText(sf);
    const sev = ts.isStringLiteral(r.initializer) ? r.initializer.text : undefined;
    if (!knownRules.has(id)) problems.push({ message: `Unknown rule id "${id}".${didYouMean(id, knownRules)}`, range: range(r.name) });
    else if (!sev || !SEVERITIES.has(sev)) {
      const got = sev === undefined ? '' : ` (not "${sev}").${didYouMean(sev, SEVERITIES)}`;
      problems.push({ message: `Severity of "${id}" must be "off", "info", "warning" or "error"${got || '.'}`, range: range(r.initializer) });
    } else config.rules[id] = sev as SeveritySetting;
  }
}

/**
 * Reads crosswire.config.json (JSON with comments) with the TypeScript JSON parser, validating
 * every key; unknown keys and rule ids, and values of the wrong shape, become problems with ranges.
 */
export function parseConfig(text: string, file: string, knownRules: ReadonlySet<string>): ParsedConfig {
  const config = emptyConfig();
  const problems: ParsedConfig['problems'] = [];
  const lines = new LineIndex(text);
  const sf = ts.parseJsonText(file, text);
  const range = (n: ts.Node): Range => lines.range(n.getStart(sf), n.end);
  for (const d of ((sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? []).slice(0, 3)) {
    problems.push({
      message: `Invalid JSON: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
      range: lines.range(d.start ?? 0, (d.start ?? 0) + (d.length ?? 0)),
    });
  }
  const root = sf.statements[0]?.expression;
  if (!root) return { config, problems };
  if (!ts.isObjectLiteralExpression(root)) {
    problems.push({ message: 'crosswire.config.json must contain an object', range: range(root) });
    return { config, problems };
  }
  for (const p of root.properties) {
    if (!ts.isPropertyAssignment(p)) continue;
    const key = ts.isStringLiteral(p.name) || ts.isIdentifier(p.name) ? p.name.text : p.name.getText(sf);
    if (!KEYS.has(key)) {
      problems.push({
        message: `Unknown key "${key}".${didYouMean(key, KEYS)} Known keys: ${[...KEYS].filter((k) => k !== '$schema').join(', ')}.`,
        range: range(p.name),
      });
      continue;
    }
    readKey(key, p.initializer, { sf, file, knownRules, config, problems, range });
  }
  return { config, problems };
}

/** One `suppress` entry, validated: a known rule, a relative path inside the config's folder, an optional line from 1. */
function suppressEntry(
  e: ts.Expression,
  sf: ts.JsonSourceFile,
  file: string,
  knownRules: ReadonlySet<string>,
  range: (n: ts.Node) => Range,
  problems: ParsedConfig['problems'],
): ConfigSuppression | undefined {
  if (!ts.isObjectLiteralExpression(e)) {
    problems.push({ message: 'A "suppress" entry must be an object: { "rule": "<rule id>", "file": "<path>" }, with an optional "line"', range: range(e) });
    return undefined;
  }
  let rule: string | undefined;
  let written: string | undefined;
  let line: number | undefined;
  let ok = true;
  for (const p of e.properties) {
    if (!ts.isPropertyAssignment(p)) continue;
    const key = ts.isStringLiteral(p.name) || ts.isIdentifier(p.name) ? p.name.text : p.name.getText(sf);
    const v = p.initializer;
    if (!SUPPRESS_KEYS.has(key)) {
      problems.push({
        message: `Unknown key "${key}" in a "suppress" entry.${didYouMean(key, SUPPRESS_KEYS)} Known keys: rule, file, line.`,
        range: range(p.name),
      });
      ok = false;
    } else if (key === 'rule') {
      if (!ts.isStringLiteral(v)) {
        problems.push({ message: '"rule" must be a rule id', range: range(v) });
        ok = false;
      } else if (!knownRules.has(v.text)) {
        problems.push({ message: `Unknown rule id "${v.text}".${didYouMean(v.text, knownRules)}`, range: range(v) });
        ok = false;
      } else rule = v.text;
    } else if (key === 'file') {
      const f = ts.isStringLiteral(v) ? v.text.trim().replace(/\\/g, '/') : '';
      if (!f || path.isAbsolute(f) || /^[a-z]:/i.test(f) || f.split('/').includes('..') || /[*?[\]{}]/.test(f)) {
        problems.push({
          message: '"file" must be the path of one file relative to the folder of crosswire.config.json (no "..", no glob), e.g. "apps/web/package.json"',
          range: range(v),
        });
        ok = false;
      } else written = f.replace(/^\.\//, '');
    } else if (key === 'line') {
      if (!ts.isNumericLiteral(v) || !Number.isInteger(Number(v.text)) || Number(v.text) < 1) {
        problems.push({ message: '"line" must be a line number from 1', range: range(v) });
        ok = false;
      } else line = Number(v.text);
    }
  }
  if (ok && (rule === undefined || written === undefined)) {
    problems.push({
      message: `A "suppress" entry needs ${rule === undefined && written === undefined ? '"rule" and "file"' : rule === undefined ? '"rule"' : '"file"'}: { "rule": "<rule id>", "file": "<path>" }`,
      range: range(e),
    });
    return undefined;
  }
  if (!ok || rule === undefined || written === undefined) return undefined;
  const abs = path.resolve(path.dirname(file), ...written.split('/'));
  return { rule, file: abs, ...(line !== undefined ? { line } : {}), written, source: { file, range: range(e) } };
}

/**
 * The `crosswire` key of a package.json (which has no comments), like ESLint's `eslintConfig`:
 *   "crosswire": { "disable": ["implicit-port"] }
 * turns the named rules off for the findings in that package.json. Each rule id becomes a file-wide suppression
 * (reported by unused-suppression when it suppresses nothing); a wrong shape or an unknown rule id is a problem
 * (invalid-config).
 */
export function parsePackageCrosswireKey(
  text: string,
  file: string,
  knownRules: ReadonlySet<string>,
): { suppressions: Suppression[]; problems: ParsedConfig['problems'] } {
  const suppressions: Suppression[] = [];
  const problems: ParsedConfig['problems'] = [];
  if (!text.includes('"crosswire"')) return { suppressions, problems };
  const lines = new LineIndex(text);
  const sf = ts.parseJsonText(file, text);
  const range = (n: ts.Node): Range => lines.range(n.getStart(sf), n.end);
  const root = sf.statements[0]?.expression;
  if (!root || !ts.isObjectLiteralExpression(root)) return { suppressions, problems };
  const key = root.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isStringLiteral(p.name) && p.name.text === 'crosswire');
  if (!key) return { suppressions, problems };
  const shape = 'The "crosswire" key must be { "disable": ["<rule id>", ...] }';
  const v = key.initializer;
  if (!ts.isObjectLiteralExpression(v)) {
    problems.push({ message: shape, range: range(v) });
    return { suppressions, problems };
  }
  for (const p of v.properties) {
    if (!ts.isPropertyAssignment(p)) continue;
    const name = ts.isStringLiteral(p.name) || ts.isIdentifier(p.name) ? p.name.text : p.name.getText(sf);
    if (name !== 'disable') {
      problems.push({ message: `Unknown key "${name}" in "crosswire".${didYouMean(name, ['disable'])} ${shape}.`, range: range(p.name) });
      continue;
    }
    if (!ts.isArrayLiteralExpression(p.initializer)) {
      problems.push({ message: shape, range: range(p.initializer) });
      continue;
    }
    for (const e of p.initializer.elements) {
      if (!ts.isStringLiteral(e)) {
        problems.push({ message: `${shape}: each entry is a rule id`, range: range(e) });
        continue;
      }
      if (!knownRules.has(e.text)) {
        problems.push({ message: `Unknown rule id "${e.text}".${didYouMean(e.text, knownRules)}`, range: range(e) });
        continue;
      }
      const r = range(e);
      suppressions.push({
        kind: 'file',
        rules: [e.text],
        line: r.start.line,
        start: r.start.character,
        end: r.start.line === r.end.line ? r.end.character : r.start.character,
        origin: 'package.json',
      });
    }
  }
  return { suppressions, problems };
}

/** Merges configs: later ones win key by key; lists are concatenated. */
export function mergeConfigs(list: CrosswireConfig[]): CrosswireConfig {
  const out = emptyConfig();
  for (const c of list) {
    Object.assign(out.rules, c.rules);
    out.ignore.push(...c.ignore);
    out.replicas.push(...c.replicas);
    Object.assign(out.hosts, c.hosts);
    Object.assign(out.maxConnections, c.maxConnections);
    if (c.cores !== undefined) out.cores = c.cores;
    if (c.sharedSecrets?.length) out.sharedSecrets = [...(out.sharedSecrets ?? []), ...c.sharedSecrets];
    if (c.suppress?.length) out.suppress = [...(out.suppress ?? []), ...c.suppress];
  }
  return out;
}

interface KeyContext {
  sf: ts.JsonSourceFile;
  file: string;
  knownRules: ReadonlySet<string>;
  config: CrosswireConfig;
  problems: ParsedConfig['problems'];
  range: (n: ts.Node) => Range;
}

/** Reads one known top-level key of crosswire.config.json into `config`, or says what is wrong with its value. */
function readKey(key: string, v: ts.Expression, { sf, file, knownRules, config, problems, range }: KeyContext): void {
  switch (key) {
    case 'rules':
      if (!ts.isObjectLiteralExpression(v)) {
        problems.push({ message: '"rules" must be an object of rule id to "off" | "info" | "warning" | "error"', range: range(v) });
        break;
      }
      readRules(v, sf, knownRules, config, problems, range);
      break;
    case 'ignore':
      if (ts.isArrayLiteralExpression(v) && v.elements.every(ts.isStringLiteral))
        config.ignore = readIgnore(v.elements as ts.NodeArray<ts.StringLiteral>, problems, range);
      else problems.push({ message: '"ignore" must be an array of glob strings', range: range(v) });
      break;
    case 'replicas':
      if (ts.isArrayLiteralExpression(v) && v.elements.every((g) => ts.isArrayLiteralExpression(g) && g.elements.every(ts.isStringLiteral))) {
        config.replicas = v.elements.map((g) => (g as ts.ArrayLiteralExpression).elements.map((e) => (e as ts.StringLiteral).text));
      } else problems.push({ message: '"replicas" must be an array of groups, each an array of folders', range: range(v) });
      break;
    case 'hosts':
      if (ts.isObjectLiteralExpression(v) && v.properties.every((h) => ts.isPropertyAssignment(h) && ts.isStringLiteral(h.initializer))) {
        for (const h of v.properties as ts.NodeArray<ts.PropertyAssignment>)
          config.hosts[(h.name as ts.StringLiteral).text] = (h.initializer as ts.StringLiteral).text;
      } else problems.push({ message: '"hosts" must map folders to host names', range: range(v) });
      break;
    case 'maxConnections':
      if (ts.isObjectLiteralExpression(v) && v.properties.every((h) => ts.isPropertyAssignment(h) && ts.isNumericLiteral(h.initializer))) {
        for (const h of v.properties as ts.NodeArray<ts.PropertyAssignment>)
          config.maxConnections[(h.name as ts.StringLiteral).text] = Number((h.initializer as ts.NumericLiteral).text);
      } else problems.push({ message: '"maxConnections" must map database servers ("localhost:5432") to numbers', range: range(v) });
      break;
    case 'sharedSecrets':
      // Groups of app folders that must use the same secrets (a token signer and its verifier).
      if (
        ts.isArrayLiteralExpression(v) &&
        v.elements.every(
          (g) => ts.isArrayLiteralExpression(g) && g.elements.length >= 2 && g.elements.every((e) => ts.isStringLiteral(e) && e.text.trim() !== ''),
        )
      ) {
        config.sharedSecrets = v.elements.map((g) => (g as ts.ArrayLiteralExpression).elements.map((e) => (e as ts.StringLiteral).text));
      } else
        problems.push({
          message: '"sharedSecrets" must be an array of groups, each an array of two or more app folders that must use the same secrets',
          range: range(v),
        });
      break;
    case 'suppress':
      if (!ts.isArrayLiteralExpression(v)) {
        problems.push({
          message: '"suppress" must be an array of { "rule": "<rule id>", "file": "<path>", "line": <number> } ("line" is optional)',
          range: range(v),
        });
        break;
      }
      config.suppress = [];
      for (const e of v.elements) {
        const s = suppressEntry(e, sf, file, knownRules, range, problems);
        if (s) config.suppress.push(s);
      }
      break;
    case 'cores':
      if (ts.isNumericLiteral(v) && Number(v.text) >= 1) config.cores = Number(v.text);
      else problems.push({ message: '"cores" must be a positive number', range: range(v) });
      break;
  }
}
