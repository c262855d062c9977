import { type Node, type ParseError, parseTree } from 'jsonc-parser';
import { distance } from 'fastest-levenshtein';
import * as path from 'node:path';
import type { ConfigSuppression, CrosswireConfig, Range, SeveritySetting } from '../model/types';
import type { Suppression } from './suppressions';
import { LineIndex } from '../model/text';
import { globProblem } from './glob';
import { errorText } from './packageJson';

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

type RangeOf = (n: Node) => Range;

/**
 * Parses JSON with comments and trailing commas (both accepted, as they always were) with jsonc-parser, keeping
 * positions; the syntax errors come back in `errors`.
 */
function parseJsonc(text: string, errors: ParseError[]): Node | undefined {
  return parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
}

/** The properties of an object node, in order (duplicates kept): name, key node and value node (absent when the
 * JSON is cut short there). */
function* properties(node: Node): Generator<[string, Node, Node | undefined]> {
  for (const p of node.children ?? []) {
    const [k, v] = p.children ?? [];
    if (k?.type === 'string') yield [k.value as string, k, v];
  }
}

function isString(n: Node | undefined): n is Node & { value: string } {
  return n?.type === 'string';
}

/** A number written without a sign (`-1` was an expression, not a number, to the compiler's JSON reader). */
function isUnsigned(n: Node | undefined, text: string): n is Node & { value: number } {
  return n?.type === 'number' && text[n.offset] !== '-';
}

/** `"ignore": ["glob", ...]`: the patterns Crosswire can use; the others are problems. */
function readIgnore(elements: (Node & { value: string })[], problems: ParsedConfig['problems'], range: RangeOf): string[] {
  const ignore: string[] = [];
  for (const e of elements) {
    const why = globProblem(e.value);
    if (why) problems.push({ message: `Ignore pattern not used: ${why}.`, range: range(e) });
    else ignore.push(e.value);
  }
  return ignore;
}

/** `"rules": { "<id>": "off" | "info" | "warning" | "error" }` into config.rules; unknown ids and severities are problems. */
function readRules(v: Node, knownRules: ReadonlySet<string>, config: CrosswireConfig, problems: ParsedConfig['problems'], range: RangeOf): void {
  for (const [id, name, value] of properties(v)) {
    const sev = isString(value) ? value.value : undefined;
    if (!knownRules.has(id)) problems.push({ message: `Unknown rule id "${id}".${didYouMean(id, knownRules)}`, range: range(name) });
    // (a value cut short is already an "Invalid JSON" problem)
    else if (!value) continue;
    else if (!sev || !SEVERITIES.has(sev)) {
      const got = sev === undefined ? '' : ` (not "${sev}").${didYouMean(sev, SEVERITIES)}`;
      problems.push({ message: `Severity of "${id}" must be "off", "info", "warning" or "error"${got || '.'}`, range: range(value) });
    } else config.rules[id] = sev as SeveritySetting;
  }
}

/**
 * Reads crosswire.config.json (JSON with comments; trailing commas accepted) with jsonc-parser, validating
 * every key; unknown keys and rule ids, and values of the wrong shape, become problems with ranges.
 */
export function parseConfig(text: string, file: string, knownRules: ReadonlySet<string>): ParsedConfig {
  const config = emptyConfig();
  const problems: ParsedConfig['problems'] = [];
  const lines = new LineIndex(text);
  const errors: ParseError[] = [];
  const root = parseJsonc(text, errors);
  const range = (n: Node): Range => lines.range(n.offset, n.offset + n.length);
  // The first three syntax errors (one per place: a missing name and a missing value are one mistake).
  for (const e of errors.filter((e, i) => i === 0 || errors[i - 1].offset !== e.offset).slice(0, 3))
    problems.push({ message: `Invalid JSON: ${errorText(text, e)}`, range: lines.range(e.offset, e.offset + e.length) });
  if (!root) return { config, problems };
  if (root.type !== 'object') {
    problems.push({ message: 'crosswire.config.json must contain an object', range: range(root) });
    return { config, problems };
  }
  for (const [key, name, v] of properties(root)) {
    if (!KEYS.has(key)) {
      problems.push({
        message: `Unknown key "${key}".${didYouMean(key, KEYS)} Known keys: ${[...KEYS].filter((k) => k !== '$schema').join(', ')}.`,
        range: range(name),
      });
      continue;
    }
    if (v) readKey(key, v, { text, file, knownRules, config, problems, range });
  }
  return { config, problems };
}

/** One `suppress` entry, validated: a known rule, a relative path inside the config's folder, an optional line from 1. */
function suppressEntry(e: Node, { text, file, knownRules, range, problems }: KeyContext): ConfigSuppression | undefined {
  if (e.type !== 'object') {
    problems.push({ message: 'A "suppress" entry must be an object: { "rule": "<rule id>", "file": "<path>" }, with an optional "line"', range: range(e) });
    return undefined;
  }
  let rule: string | undefined;
  let written: string | undefined;
  let line: number | undefined;
  let ok = true;
  for (const [key, name, v] of properties(e)) {
    if (!SUPPRESS_KEYS.has(key)) {
      problems.push({
        message: `Unknown key "${key}" in a "suppress" entry.${didYouMean(key, SUPPRESS_KEYS)} Known keys: rule, file, line.`,
        range: range(name),
      });
      ok = false;
    } else if (!v) {
      // (a value cut short is already an "Invalid JSON" problem)
      ok = false;
    } else if (key === 'rule') {
      if (!isString(v)) {
        problems.push({ message: '"rule" must be a rule id', range: range(v) });
        ok = false;
      } else if (!knownRules.has(v.value)) {
        problems.push({ message: `Unknown rule id "${v.value}".${didYouMean(v.value, knownRules)}`, range: range(v) });
        ok = false;
      } else rule = v.value;
    } else if (key === 'file') {
      const f = isString(v) ? v.value.trim().replace(/\\/g, '/') : '';
      if (!f || path.isAbsolute(f) || /^[a-z]:/i.test(f) || f.split('/').includes('..') || /[*?[\]{}]/.test(f)) {
        problems.push({
          message: '"file" must be the path of one file relative to the folder of crosswire.config.json (no "..", no glob), e.g. "apps/web/package.json"',
          range: range(v),
        });
        ok = false;
      } else written = f.replace(/^\.\//, '');
    } else if (key === 'line') {
      if (!isUnsigned(v, text) || !Number.isInteger(v.value) || v.value < 1) {
        problems.push({ message: '"line" must be a line number from 1', range: range(v) });
        ok = false;
      } else line = v.value;
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
  _file: string,
  knownRules: ReadonlySet<string>,
): { suppressions: Suppression[]; problems: ParsedConfig['problems'] } {
  const suppressions: Suppression[] = [];
  const problems: ParsedConfig['problems'] = [];
  if (!text.includes('"crosswire"')) return { suppressions, problems };
  const lines = new LineIndex(text);
  // (syntax errors are package.json's own problems, reported by its parser)
  const root = parseJsonc(text, []);
  const range = (n: Node): Range => lines.range(n.offset, n.offset + n.length);
  if (root?.type !== 'object') return { suppressions, problems };
  const key = [...properties(root)].find(([name]) => name === 'crosswire');
  if (!key || !key[2]) return { suppressions, problems };
  const shape = 'The "crosswire" key must be { "disable": ["<rule id>", ...] }';
  const v = key[2];
  if (v.type !== 'object') {
    problems.push({ message: shape, range: range(v) });
    return { suppressions, problems };
  }
  for (const [name, k, list] of properties(v)) {
    if (!list) continue;
    if (name !== 'disable') {
      problems.push({ message: `Unknown key "${name}" in "crosswire".${didYouMean(name, ['disable'])} ${shape}.`, range: range(k) });
      continue;
    }
    if (list.type !== 'array') {
      problems.push({ message: shape, range: range(list) });
      continue;
    }
    for (const e of list.children ?? []) {
      if (!isString(e)) {
        problems.push({ message: `${shape}: each entry is a rule id`, range: range(e) });
        continue;
      }
      if (!knownRules.has(e.value)) {
        problems.push({ message: `Unknown rule id "${e.value}".${didYouMean(e.value, knownRules)}`, range: range(e) });
        continue;
      }
      const r = range(e);
      suppressions.push({
        kind: 'file',
        rules: [e.value],
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
  text: string;
  file: string;
  knownRules: ReadonlySet<string>;
  config: CrosswireConfig;
  problems: ParsedConfig['problems'];
  range: RangeOf;
}

/** An array node whose every element passes `test`. */
function arrayOf<T extends Node>(v: Node, test: (e: Node) => e is T): T[] | undefined {
  const items = v.type === 'array' ? (v.children ?? []) : undefined;
  return items && items.every(test) ? (items as T[]) : undefined;
}

/** Groups of strings, `[["a", "b"], ...]` (with at least `min` strings in each group, none blank when `min` > 0). */
function groupsOf(v: Node, min: number): string[][] | undefined {
  const groups = arrayOf(v, (g): g is Node => g.type === 'array');
  if (!groups) return undefined;
  const out: string[][] = [];
  for (const g of groups) {
    const items = arrayOf(g, (e): e is Node & { value: string } => isString(e) && (min === 0 || e.value.trim() !== ''));
    if (!items || items.length < min) return undefined;
    out.push(items.map((e) => e.value));
  }
  return out;
}

/** An object node whose every property has a value that passes `test`: [name, value] pairs. */
function mapOf<T>(v: Node, test: (e: Node | undefined) => e is Node & { value: T }): [string, T][] | undefined {
  if (v.type !== 'object') return undefined;
  const out: [string, T][] = [];
  for (const p of v.children ?? []) {
    const [k, value] = p.children ?? [];
    if (k?.type !== 'string' || !test(value)) return undefined;
    out.push([k.value as string, value.value]);
  }
  return out;
}

/** Reads one known top-level key of crosswire.config.json into `config`, or says what is wrong with its value. */
function readKey(key: string, v: Node, ctx: KeyContext): void {
  const { text, knownRules, config, problems, range } = ctx;
  switch (key) {
    case 'rules':
      if (v.type !== 'object') {
        problems.push({ message: '"rules" must be an object of rule id to "off" | "info" | "warning" | "error"', range: range(v) });
        break;
      }
      readRules(v, knownRules, config, problems, range);
      break;
    case 'ignore': {
      const strings = arrayOf(v, isString);
      if (strings) config.ignore = readIgnore(strings, problems, range);
      else problems.push({ message: '"ignore" must be an array of glob strings', range: range(v) });
      break;
    }
    case 'replicas': {
      const groups = groupsOf(v, 0);
      if (groups) config.replicas = groups;
      else problems.push({ message: '"replicas" must be an array of groups, each an array of folders', range: range(v) });
      break;
    }
    case 'hosts': {
      const hosts = mapOf(v, isString);
      if (hosts) for (const [folder, host] of hosts) config.hosts[folder] = host;
      else problems.push({ message: '"hosts" must map folders to host names', range: range(v) });
      break;
    }
    case 'maxConnections': {
      const max = mapOf(v, (e): e is Node & { value: number } => isUnsigned(e, text));
      if (max) for (const [server, n] of max) config.maxConnections[server] = n;
      else problems.push({ message: '"maxConnections" must map database servers ("localhost:5432") to numbers', range: range(v) });
      break;
    }
    case 'sharedSecrets': {
      // Groups of app folders that must use the same secrets (a token signer and its verifier).
      const groups = groupsOf(v, 2);
      if (groups) config.sharedSecrets = groups;
      else
        problems.push({
          message: '"sharedSecrets" must be an array of groups, each an array of two or more app folders that must use the same secrets',
          range: range(v),
        });
      break;
    }
    case 'suppress':
      if (v.type !== 'array') {
        problems.push({
          message: '"suppress" must be an array of { "rule": "<rule id>", "file": "<path>", "line": <number> } ("line" is optional)',
          range: range(v),
        });
        break;
      }
      config.suppress = [];
      for (const e of v.children ?? []) {
        const s = suppressEntry(e, ctx);
        if (s) config.suppress.push(s);
      }
      break;
    case 'cores':
      if (isUnsigned(v, text) && v.value >= 1) config.cores = v.value;
      else problems.push({ message: '"cores" must be a positive number', range: range(v) });
      break;
  }
}
