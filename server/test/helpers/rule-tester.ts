/**
 * A rule tester in the spirit of ESLint's RuleTester: run ONE rule (every other rule and engine diagnostic off
 * through the configuration) on a small workspace of real files, and compare its findings, their fixes and the text
 * after applying the fixes with what the case expects. It only uses the public Engine API (Engine.create, findings(),
 * a finding's fixes[].edits()), so it keeps working whatever a rule does inside.
 *
 *   const ruleTester = new RuleTester();
 *   ruleTester.run('nextauth-url-mismatch', {
 *     valid: [{ name: 'matching port', files: { 'ok/package.json': ..., 'ok/.env': 'NEXTAUTH_URL=http://localhost:3000\n' } }],
 *     invalid: [{
 *       name: 'another port than next dev -p 8080',
 *       files: { 'shop/package.json': ..., 'shop/.env': 'NEXTAUTH_URL="http://localhost:3000/api/auth"\n' },
 *       errors: [{ file: 'shop/.env', line: 1, messageIncludes: 'listens on 8080', fixes: ['Use port 8080 in NEXTAUTH_URL'] }],
 *       output: { 'shop/.env': 'NEXTAUTH_URL="http://localhost:8080/api/auth"\n' },
 *       errorsAfterFix: [],
 *     }],
 *   });
 *
 * Each case becomes a node:test test named `<rule> › valid|invalid › <name>`. Lines and columns are 1-based, as an
 * editor shows them; files are workspace-relative with `/`. Findings and expected errors are compared in order of
 * file, line and column (expected errors are sorted the same way, so write them in any order).
 */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine';
import type { CrosswireConfig, EngineOptions, Finding, Severity, TextEditAt } from '../../src/model/types';
import { ENGINE_RULES, RULES } from '../../src/rules';
import { LineIndex } from '../../src/model/text';

/** A related location a finding must carry. */
export interface ExpectedRelated {
  file: string;
  /** 1-based line. */
  line?: number;
  /** The first line of the file containing this text (instead of `line`). */
  lineIncludes?: string;
  messageIncludes?: string;
}

/** One finding a case expects. Only the properties given are checked (file always). */
export interface ExpectedError {
  /** Defaults to the rule under test; a fixture folder may say it explicitly. */
  rule?: string;
  /** Workspace-relative path with `/`. */
  file: string;
  /** 1-based line the finding starts on. */
  line?: number;
  /** The finding starts on the first line of its file that contains this text (instead of `line`). */
  lineIncludes?: string;
  /** 1-based column the finding starts at. */
  column?: number;
  /** The exact message, or a pattern it must match. */
  message?: string | RegExp;
  /** Text(s) the message must contain. */
  messageIncludes?: string | string[];
  /** Text(s) or patterns the message and the related messages must not contain (a secret, a password). */
  messageExcludes?: (string | RegExp)[];
  severity?: Severity;
  /** The related locations, exactly (count and order). */
  related?: ExpectedRelated[];
  /** The titles of the finding's fixes, exactly (`[]`: no fix). */
  fixes?: string[];
}

export interface CaseBase {
  /** Shown in the test name; defaults to the list of files. */
  name?: string;
  /** Workspace-relative path -> text. */
  files: Record<string, string>;
  /** Configuration from outside the workspace (hosts, replicas, maxConnections...); rules are set by the tester. */
  config?: Partial<CrosswireConfig>;
  options?: Partial<EngineOptions>;
  only?: boolean;
  skip?: boolean | string;
}

export type ValidCase = CaseBase;

export interface InvalidCase extends CaseBase {
  /** The findings of the rule, exactly (count included). */
  errors: ExpectedError[];
  /**
   * Text of files after applying, to the files on disk, one fix of every finding (the preferred fix, else the
   * first, or the one `fix` names), like ESLint's output. A fix whose edits overlap an earlier one is left out
   * (ESLint does the same within one pass). Files not listed must be unchanged.
   */
  output?: Record<string, string>;
  /** Which fix to apply for `output`: its title, or a pattern of it (findings without such a fix are left alone). */
  fix?: string | RegExp;
  /** The rule's findings on a fresh engine after the fixes were applied (`[]`: the fixes cleared everything). */
  errorsAfterFix?: ExpectedError[];
}

export interface RuleTesterOptions {
  /** Configuration every case starts from (a case's own config is merged over it, key by key). */
  config?: Partial<CrosswireConfig>;
  options?: Partial<EngineOptions>;
}

/** The ids of every rule Crosswire knows (workspace rules and the engine's own diagnostics). */
export function knownRuleIds(): string[] {
  return [...RULES, ...ENGINE_RULES].map((r) => r.id);
}

/** A configuration with every rule but `ruleId` turned off. */
export function onlyRule(ruleId: string, config: Partial<CrosswireConfig> = {}): CrosswireConfig {
  const rules: CrosswireConfig['rules'] = {};
  for (const id of knownRuleIds()) if (id !== ruleId) rules[id] = 'off';
  return {
    ignore: [],
    replicas: [],
    hosts: {},
    maxConnections: {},
    ...config,
    rules: { ...rules, ...config.rules },
  };
}

function mergeConfig(a: Partial<CrosswireConfig> | undefined, b: Partial<CrosswireConfig> | undefined): Partial<CrosswireConfig> {
  return { ...a, ...b, rules: { ...a?.rules, ...b?.rules } };
}

/** Writes the files into a fresh temp folder (its real path) and returns it. */
export function materialise(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-rule-tester-')));
  for (const [rel, text] of Object.entries(files)) {
    assert.ok(!path.isAbsolute(rel) && !rel.split(/[\\/]/).includes('..'), `case file "${rel}" must be relative and inside the workspace`);
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  }
  return dir;
}

const rel = (ws: string, file: string) => path.relative(ws, file).split(path.sep).join('/');

/** One line per finding, for assertion messages: `file:line:col rule message`. */
function describeFindings(ws: string, findings: readonly Finding[]): string {
  if (findings.length === 0) return '  (none)';
  return findings
    .map(
      (f) => `  ${rel(ws, f.location.file)}:${f.location.range.start.line + 1}:${f.location.range.start.character + 1} ${f.ruleId} ${f.severity}: ${f.message}`,
    )
    .join('\n');
}

function sortFindings(ws: string, findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      rel(ws, a.location.file).localeCompare(rel(ws, b.location.file)) ||
      a.location.range.start.line - b.location.range.start.line ||
      a.location.range.start.character - b.location.range.start.character ||
      a.message.localeCompare(b.message),
  );
}

/** The 1-based line an expected error names (`line`, or the first line containing `lineIncludes`), if any. */
function expectedLine(ws: string, e: ExpectedError | ExpectedRelated): number | undefined {
  if (e.lineIncludes !== undefined) {
    const text = fs.readFileSync(path.join(ws, e.file), 'utf8');
    const i = text.split(/\r?\n/).findIndex((l) => l.includes(e.lineIncludes!));
    assert.ok(i >= 0, `expected error: "${e.lineIncludes}" is on no line of ${e.file}`);
    return i + 1;
  }
  return e.line;
}

function sortExpected(ws: string, errors: readonly ExpectedError[]): ExpectedError[] {
  return [...errors].sort(
    (a, b) => a.file.localeCompare(b.file) || (expectedLine(ws, a) ?? 0) - (expectedLine(ws, b) ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}

/** Asserts that `findings` are exactly `errors` (count, then each finding against the error at its place). */
export function assertFindings(ws: string, ruleId: string, findings: readonly Finding[], errors: readonly ExpectedError[], when = ''): void {
  const actual = sortFindings(ws, findings);
  const expected = sortExpected(ws, errors);
  const listing = `\nfindings${when}:\n${describeFindings(ws, actual)}`;
  assert.equal(actual.length, expected.length, `expected ${expected.length} finding(s) of ${ruleId}${when}, got ${actual.length}${listing}`);
  expected.forEach((e, i) => {
    const f = actual[i];
    const at = `finding ${i + 1} of ${expected.length}${when}`;
    const where = `${at} (${rel(ws, f.location.file)}:${f.location.range.start.line + 1}: ${f.message})`;
    assert.equal(f.ruleId, e.rule ?? ruleId, `${where}: rule`);
    assert.equal(rel(ws, f.location.file), e.file, `${at}: file${listing}`);
    const line = expectedLine(ws, e);
    if (line !== undefined) assert.equal(f.location.range.start.line + 1, line, `${at}: line${listing}`);
    if (e.column !== undefined) assert.equal(f.location.range.start.character + 1, e.column, `${where}: column`);
    if (typeof e.message === 'string') assert.equal(f.message, e.message, `${where}: message`);
    else if (e.message) assert.match(f.message, e.message, `${where}: message`);
    for (const part of [e.messageIncludes ?? []].flat()) assert.ok(f.message.includes(part), `${where}: the message should include "${part}"`);
    const allText = [f.message, ...f.related.map((r) => r.message)].join('\n');
    for (const no of e.messageExcludes ?? []) {
      const hit = typeof no === 'string' ? allText.includes(no) : no.test(allText);
      assert.ok(!hit, `${at}: the message or a related message contains ${String(no)}`);
    }
    if (e.severity) assert.equal(f.severity, e.severity, `${where}: severity`);
    if (e.related) {
      const got = f.related.map((r) => `${rel(ws, r.location.file)}:${r.location.range.start.line + 1}`);
      assert.equal(f.related.length, e.related.length, `${where}: related locations ${JSON.stringify(got)}`);
      e.related.forEach((r, j) => {
        const actualRel = f.related[j];
        assert.equal(rel(ws, actualRel.location.file), r.file, `${where}: related ${j + 1} file, got ${JSON.stringify(got)}`);
        const rl = expectedLine(ws, r);
        if (rl !== undefined) assert.equal(actualRel.location.range.start.line + 1, rl, `${where}: related ${j + 1} line, got ${JSON.stringify(got)}`);
        if (r.messageIncludes !== undefined)
          assert.ok(
            actualRel.message.includes(r.messageIncludes),
            `${where}: related ${j + 1} message "${actualRel.message}" should include "${r.messageIncludes}"`,
          );
      });
    }
    if (e.fixes)
      assert.deepEqual(
        f.fixes.map((x) => x.title),
        e.fixes,
        `${where}: fix titles`,
      );
  });
}

function chosenFix(f: Finding, which: string | RegExp | undefined) {
  if (which === undefined) return f.fixes.find((x) => x.preferred) ?? f.fixes[0];
  return f.fixes.find((x) => (typeof which === 'string' ? x.title === which : which.test(x.title)));
}

/**
 * Applies one fix of every finding to the files on disk, ESLint-style: edits computed before any is applied, a fix
 * overlapping an accepted one (same file, intersecting ranges) left out. Returns the files changed.
 */
export function applyFixes(findings: readonly Finding[], which?: string | RegExp): string[] {
  const accepted: { file: string; start: number; end: number; newText: string }[] = [];
  const indexes = new Map<string, LineIndex>();
  const indexOf = (file: string) => {
    let idx = indexes.get(file);
    if (!idx) indexes.set(file, (idx = new LineIndex(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '')));
    return idx;
  };
  for (const f of findings) {
    const fix = chosenFix(f, which);
    if (!fix) continue;
    const edits = fix.edits().map((e: TextEditAt) => ({
      file: e.file,
      start: indexOf(e.file).offsetAt(e.range.start),
      end: indexOf(e.file).offsetAt(e.range.end),
      newText: e.newText,
    }));
    const overlaps = edits.some((e) =>
      accepted.some((a) => a.file === e.file && a.start < Math.max(e.end, e.start + 1) && e.start < Math.max(a.end, a.start + 1)),
    );
    if (!overlaps) accepted.push(...edits);
  }
  const files = [...new Set(accepted.map((e) => e.file))].sort();
  for (const file of files) {
    let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    for (const e of accepted.filter((x) => x.file === file).sort((a, b) => b.start - a.start || b.end - a.end))
      text = text.slice(0, e.start) + e.newText + text.slice(e.end);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return files;
}

/** Runs the rule alone on a materialised workspace; returns its findings (sorted by the engine). */
export async function findingsOf(ruleId: string, ws: string, config?: Partial<CrosswireConfig>, options?: Partial<EngineOptions>): Promise<Finding[]> {
  const engine = await Engine.create({ roots: [ws], config: onlyRule(ruleId, config), options });
  return engine.findings();
}

function caseName(c: CaseBase, i: number): string {
  return c.name ?? `#${i + 1} (${Object.keys(c.files).join(', ')})`;
}

export class RuleTester {
  constructor(private readonly defaults: RuleTesterOptions = {}) {}

  /** Runs one case; throws an AssertionError describing the first difference. */
  async runCase(ruleId: string, c: ValidCase | InvalidCase): Promise<void> {
    assert.ok(
      RULES.some((r) => r.id === ruleId),
      `"${ruleId}" is not a rule of the registry (server/src/rules/index.ts)`,
    );
    const config = mergeConfig(this.defaults.config, c.config);
    const options = { ...this.defaults.options, ...c.options };
    const rule = RULES.find((r) => r.id === ruleId)!;
    const ws = materialise(c.files);
    try {
      const findings = await findingsOf(ruleId, ws, config, options);
      for (const f of findings) {
        // What every finding of every rule must be, whatever the case says.
        assert.ok(
          rule.fixable || f.fixes.length === 0,
          `${ruleId} offers fixes (${f.fixes.map((x) => x.title).join(', ')}) but its metadata says fixable: false`,
        );
        for (const at of [f.location, ...f.related.map((r) => r.location)]) {
          assert.ok(!path.relative(ws, at.file).startsWith('..'), `${ruleId}: a location outside the workspace: ${at.file}`);
        }
      }
      const inv = c as InvalidCase;
      assertFindings(ws, ruleId, findings, inv.errors ?? []);
      if (inv.output === undefined && inv.errorsAfterFix === undefined) return;
      applyFixes(findings, inv.fix);
      if (inv.output) {
        const readNow = (file: string) => (fs.existsSync(path.join(ws, file)) ? fs.readFileSync(path.join(ws, file), 'utf8') : undefined);
        for (const [file, text] of Object.entries(inv.output)) assert.equal(readNow(file), text, `text of ${file} after the fixes`);
        for (const [file, original] of Object.entries(c.files)) {
          if (!(file in inv.output)) assert.equal(readNow(file), original, `${file} is not in output, so the fixes must leave it unchanged`);
        }
      }
      if (inv.errorsAfterFix) assertFindings(ws, ruleId, await findingsOf(ruleId, ws, config, options), inv.errorsAfterFix, ' after the fixes');
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  }

  /** Registers one node:test test per case, under `describe(ruleId)`. */
  run(ruleId: string, cases: { valid?: ValidCase[]; invalid?: InvalidCase[] }): void {
    describe(ruleId, () => {
      for (const [kind, list] of [
        ['valid', cases.valid ?? []],
        ['invalid', cases.invalid ?? []],
      ] as const) {
        list.forEach((c, i) => {
          if (kind === 'invalid')
            assert.ok((c as InvalidCase).errors?.length, `${ruleId} invalid ${caseName(c, i)}: an invalid case needs at least one error (else make it valid)`);
          test(`${kind} › ${caseName(c, i)}`, { only: c.only, skip: c.skip }, () =>
            this.runCase(ruleId, kind === 'valid' ? ({ ...c, errors: [] } as InvalidCase) : c),
          );
        });
      }
    });
  }
}
