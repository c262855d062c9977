/**
 * The Crosswire CLI (entry: main.ts, bundled to server/dist/cli.js):
 *   crosswire audit [DIR...] [--format text|json|sarif] [--fail-on error|warning|info|never] [--output FILE]
 * Several DIRs are audited together as one multi-root workspace.
 * Exit codes: 0 nothing at or above --fail-on, 1 something is, 2 when the run cannot be trusted: a usage
 * error, wrong input (no apps, an invalid crosswire.config.json, an unreadable baseline, an output that
 * cannot be written) or an internal error (a bug: the only case reported as "internal error").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../engine';
import type { CrosswireConfig, Finding, FixKind, Logger, Severity, TextEditAt } from '../model/types';
import { applyEdits, fixKey, planFixes } from '../engine/fixes';
import { CONFIG_FILE_NAME, parseConfig } from '../parsers/config';
import { releasePrismaValidators } from '../parsers/prisma';
import { IGNORED_DIRS } from '../index/discovery';
import { escapeControl } from '../model/text';
import { ENGINE_RULES, RULES } from '../rules';
import { baselineSentence, filterByBaselineWithStats, makeBaseline, readBaseline } from './baseline';
import { FORMATS, formatters, type FormatContext, type FormatName, type ToolInfo } from './formatters';
import { understand, understandingText } from '../understanding';
import { docsBaseUri, packageFacts, type PackageFacts } from '../docs';

export const USAGE = `Usage: crosswire audit [DIR...] [options]
       crosswire apps [DIR...] [--format text|json]

Audits the apps under each DIR (default: the current directory) for configuration
conflicts between them: shared secrets, port collisions, database pools, service URLs.
Several DIRs are audited together, as one multi-root workspace. Text output prints paths
relative to the current directory (absolute outside it), so they open from the terminal;
json and sarif print them relative to DIR (with several DIRs, to the current directory).

Options:
  -f, --format <name>     Output format: text (default), json or sarif
      --fail-on <level>   Exit with 1 when a finding at or above this severity exists:
                          error (default), warning, info or never
  -o, --output <file>     Write the report to <file> instead of standard output
                          (missing folders are created)
      --no-color          No ANSI colours (also when NO_COLOR is set or output is not a terminal)
      --color             Force ANSI colours in text output
      --config <file>     Use this crosswire.config.json (workspace config files still win)
      --baseline <file>   Report only findings that are not in this baseline (and say
                          how many it hides)
      --baseline-write <file>
                          Record the current findings as the baseline and exit 0
      --fix               Apply the safe fixes (a connection_limit, cookie options, a port
                          a port fix chooses, the NEXTAUTH_URL port), say what changed,
                          then report what remains (see docs/fixes.md)
      --fix-secrets       Apply the fixes that write newly generated secrets into env
                          files (duplicated, weak or missing secrets, node ids); never
                          implied by --fix
      --verbose           Log the engine's progress to standard error
  -h, --help              Show this help
  -v, --version           Print the version

\`crosswire apps\` prints what Crosswire understood instead of findings: each app with its
framework, the server processes its scripts start and the port each binds (or why the port
is unknown), whether anything starts them, its env files and database servers; the run
groups (processes one script starts together) and the systems (apps linked by their
configuration, assumed to run together).

Exit status: 0 when nothing is at or above --fail-on, 1 when something is,
2 when the audit cannot be trusted: a usage error, a folder with no apps, an invalid
crosswire.config.json (unknown rule, unknown severity, not JSON...), a baseline that
cannot be read, an output that cannot be written, or an internal error.
`;

const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;
type FailOn = (typeof FAIL_ON)[number];
const RANK: Record<Severity, number> = { info: 1, warning: 2, error: 3 };

/** A wrong command line: exit 2, with a pointer to --help. */
class UsageError extends Error {}
/** Input the audit cannot be trusted with (no apps, an invalid config, a file that cannot be read or written): exit 2. */
class InputError extends Error {}

/** What a file-system error means, in words, with its code ("permission denied (EACCES)"). */
function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'it is a directory',
    ENOTDIR: 'a folder in its path is a file',
    ENOSPC: 'no space left on the device',
    EROFS: 'read-only file system',
    EEXIST: 'a file with that name is in the way',
  };
  const code = err?.code;
  if (code && words[code]) return `${words[code]} (${code})`;
  return code ?? err?.message ?? String(e);
}

/**
 * How a path is shown to the user: relative to the current directory when it is inside it (so it opens
 * from the terminal, as ESLint's paths do), absolute otherwise.
 */
export function shownPath(file: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, file);
  if (rel === '') return '.';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return file;
  return rel.split(path.sep).join('/');
}

function toolInfo(facts: PackageFacts): ToolInfo {
  // Rule docs: the repository's pages (a SARIF log is read on other machines), else the installed copy.
  return { name: 'Crosswire', version: facts.version, informationUri: facts.informationUri, docsBaseUri: docsBaseUri('remote', facts) };
}

interface Options {
  dirs: string[];
  format: FormatName;
  failOn: FailOn;
  output?: string;
  color?: boolean;
  verbose: boolean;
  config?: string;
  baseline?: string;
  baselineWrite?: string;
  fix: boolean;
  fixSecrets: boolean;
}

type Parsed = { kind: 'help' } | { kind: 'version' } | { kind: 'audit'; options: Options } | { kind: 'apps'; options: Options };

export function parseCommandLine(argv: string[]): Parsed {
  // biome-ignore lint/suspicious/noImplicitAnyLet: typed by the destructuring assignment from parseArgs below
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', short: 'f' },
        'fail-on': { type: 'string' },
        output: { type: 'string', short: 'o' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        verbose: { type: 'boolean' },
        config: { type: 'string' },
        baseline: { type: 'string' },
        'baseline-write': { type: 'string' },
        fix: { type: 'boolean' },
        'fix-secrets': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    }));
  } catch (e) {
    // parseArgs' messages are clear ("Unknown option '--x'..."); drop Node's own advice about `--`.
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, '.'));
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const [command, ...dirs] = positionals;
  if (command === undefined) throw new UsageError('missing command (expected "audit" or "apps").');
  if (command !== 'audit' && command !== 'apps') throw new UsageError(`unknown command "${command}" (expected "audit" or "apps").`);

  const format = values.format ?? 'text';
  if (command === 'apps' && (values.fix || values['fix-secrets'])) throw new UsageError(`--fix and --fix-secrets apply to "audit" only.`);
  if (command === 'apps' && format !== 'text' && format !== 'json') throw new UsageError(`unknown format "${format}" for apps (expected text or json).`);
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`unknown format "${format}" (expected one of: ${FORMATS.join(', ')}).`);
  }
  const failOn = values['fail-on'] ?? 'error';
  if (!(FAIL_ON as readonly string[]).includes(failOn)) {
    throw new UsageError(`unknown --fail-on level "${failOn}" (expected one of: ${FAIL_ON.join(', ')}).`);
  }
  if (values.output === '') throw new UsageError('--output needs a file name.');
  let color: boolean | undefined;
  if (values['no-color']) color = false;
  else if (values.color) color = true;
  return {
    kind: command,
    options: {
      dirs: dirs.length > 0 ? dirs : ['.'],
      format: format as FormatName,
      failOn: failOn as FailOn,
      output: values.output,
      color,
      verbose: !!values.verbose,
      config: values.config,
      baseline: values.baseline,
      baselineWrite: values['baseline-write'],
      fix: !!values.fix,
      fixSecrets: !!values['fix-secrets'],
    },
  };
}

/** Resolves and checks the DIRs; drops repeats. */
function resolveDirs(dirs: string[]): string[] {
  const seen = new Set<string>();
  const roots: string[] = [];
  for (const d of dirs) {
    const abs = path.resolve(d);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      throw new UsageError(`directory not found: ${d}`);
    }
    if (!stat.isDirectory()) throw new UsageError(`not a directory: ${d}`);
    // A folder that cannot be listed is an error, not "no problems in 0 apps" (ESLint fails here too).
    try {
      fs.readdirSync(abs);
    } catch (e) {
      throw new UsageError(`cannot list directory ${d}: ${fsReason(e)}`);
    }
    if (!seen.has(abs)) {
      seen.add(abs);
      roots.push(abs);
    }
  }
  return roots;
}

/** Folders that hold installed packages: auditing inside one audits someone else's code. */
const DEPENDENCY_DIRS = new Set(['node_modules', 'bower_components', 'jspm_packages', '.pnpm-store', '.yarn']);
const BUILD_DIRS = new Set(IGNORED_DIRS.filter((d) => !DEPENDENCY_DIRS.has(d) && !['.git', '.hg', '.svn'].includes(d)));

/** "the current directory" starts a sentence with a capital; a path is printed as typed. */
const cap = (s: string) => (s.startsWith('the ') ? 'T' + s.slice(1) : s);

/** A warning (stderr, no change to the exit code) when a DIR is a dependency or build-output folder. */
export function folderWarning(root: string, given: string): string | undefined {
  const segments = root.split(path.sep);
  const dep = segments.find((s) => DEPENDENCY_DIRS.has(s));
  if (dep) return `${cap(given)} is inside ${dep}/ (installed packages, not your apps): audit your repository's root instead.`;
  const base = path.basename(root);
  if (BUILD_DIRS.has(base))
    return `${cap(given)} is a build or cache folder ("${base}"), which Crosswire skips inside a repository: audit your repository's root instead.`;
  if (['.git', '.hg', '.svn'].includes(base)) return `${cap(given)} is a version control folder: audit your repository's root instead.`;
  return undefined;
}

/**
 * The progress line on stderr: drawn only when stderr is a terminal and the run has taken more than
 * about a second (files indexed so far, then the apps found), redrawn in place, erased before anything
 * else is printed. CROSSWIRE_PROGRESS_AFTER_MS changes the delay (tests).
 */
class Progress {
  private drawn = false;
  private lastDraw = 0;
  private files = 0;
  private apps: number | undefined;
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly after: number,
  ) {
    this.timer = setInterval(() => this.draw(), 200);
    this.timer.unref();
  }

  static start(): Progress | undefined {
    if (!process.stderr.isTTY) return undefined;
    const after = Number(process.env.CROSSWIRE_PROGRESS_AFTER_MS);
    return new Progress(process.stderr, Number.isFinite(after) && after >= 0 ? after : 1000);
  }

  update(files: number, apps?: number): void {
    this.files = files;
    if (apps !== undefined) this.apps = apps;
    // A burst of batches redraws at most every 100 ms; the apps line is drawn at once (rules run next, synchronously).
    if (apps !== undefined || Date.now() - this.lastDraw >= 100) this.draw();
  }

  private draw(): void {
    if (Date.now() - this.started < this.after) return;
    const n = (k: number) => k.toLocaleString('en-US');
    const text =
      this.apps === undefined
        ? `crosswire: ${n(this.files)} files indexed…`
        : `crosswire: ${n(this.files)} files indexed, ${n(this.apps)} app${this.apps === 1 ? '' : 's'} found; checking…`;
    this.stream.write(`\r\u001b[K${text}`);
    this.drawn = true;
    this.lastDraw = Date.now();
  }

  /** Stops and erases the line. */
  done(): void {
    clearInterval(this.timer);
    if (this.drawn) this.stream.write('\r\u001b[K');
    this.drawn = false;
  }
}

let progress: Progress | undefined;

/**
 * The engine over the DIRs, with the checks that make an audit trustworthy: a crosswire.config.json at a
 * DIR's root that Crosswire cannot fully read, or a DIR without any app, is an error (exit 2), not a clean run.
 */
async function createEngine(opt: Options, roots: string[]): Promise<Engine> {
  // The DIR as the user typed it (resolveDirs keeps their order and drops only repeats).
  const given = (root: string) => {
    const d = opt.dirs.find((x) => path.resolve(x) === root) ?? shownPath(root);
    return d === '.' || d === './' ? 'the current directory' : d;
  };
  roots.forEach((root) => {
    const warning = folderWarning(root, given(root));
    if (warning) process.stderr.write(`crosswire: warning: ${escapeControl(warning)}\n`);
  });
  const logger = opt.verbose ? stderrLogger() : undefined;
  const config = opt.config ? loadConfig(opt.config) : undefined;
  progress = opt.verbose ? undefined : Progress.start();
  const p = progress;
  const engine = await Engine.create({ roots, logger, config, options: p ? { onProgress: (n) => p.update(n) } : undefined });
  progress?.update(engine.index.files.size, engine.apps().length);
  // Every schema is judged by now: the rule pass ahead is where an audit's memory peaks, without the validators.
  releasePrismaValidators();
  checkWorkspaceConfigs(engine);
  const empty = roots.filter((r) => !engine.apps().some((a) => a.root === r));
  if (empty.length > 0) {
    const which = empty.map(given).join(', ');
    throw new InputError(
      `no apps found in ${which}. Crosswire audits the apps of a repository: folders with a package.json ` +
        `(other than a monorepo root), a Python project (pyproject.toml, requirements.txt, setup.py, Pipfile) or an Nx project.json. ` +
        `Run it in your repository's root, or name the folder that holds your apps.`,
    );
  }
  return engine;
}

/** Problems of a crosswire.config.json that applies (at a DIR's root): the run would not be what the user configured. */
function checkWorkspaceConfigs(engine: Engine): void {
  // Turned off on purpose (by a config that could be read): the problems are neither reported nor fatal.
  if (engine.index.config.rules['invalid-config'] === 'off') return;
  const problems: string[] = [];
  for (const f of engine.index.files.values()) {
    if (f.kind !== 'config' || path.dirname(f.file) !== f.root) continue;
    for (const p of f.problems) problems.push(`${shownPath(f.file)}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.message}`);
  }
  const fromConfig = problems.length;
  // A package.json's "crosswire" key is configuration too: an unknown rule there is as wrong as in the config file.
  for (const f of engine.index.files.values()) {
    if (f.kind !== 'package' || !f.configProblems) continue;
    for (const p of f.configProblems) problems.push(`${shownPath(f.file)}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.message}`);
  }
  const pkgKey = 'package.json "crosswire" key';
  const what = fromConfig === problems.length ? CONFIG_FILE_NAME : fromConfig === 0 ? pkgKey : `${CONFIG_FILE_NAME} and ${pkgKey}`;
  if (problems.length > 0) throw new InputError(`invalid ${what}:\n  ${problems.join('\n  ')}`);
}

function stderrLogger(): Logger {
  const log = (level: string) => (message: string) => process.stderr.write(`[crosswire ${level}] ${escapeControl(message)}\n`);
  return { info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };
}

export function exitCodeFor(findings: readonly Finding[], failOn: FailOn): 0 | 1 {
  if (failOn === 'never') return 0;
  const threshold = RANK[failOn];
  return findings.some((f) => RANK[f.severity] >= threshold) ? 1 : 0;
}

function useColor(opt: Options): boolean {
  if (opt.format !== 'text' || opt.output !== undefined) return false;
  if (opt.color !== undefined) return opt.color;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return !!process.stdout.isTTY;
}

async function audit(opt: Options): Promise<{ text: string; code: 0 | 1 | 2 }> {
  const roots = resolveDirs(opt.dirs);
  let engine = await createEngine(opt, roots);
  const baseDir = roots.length === 1 ? roots[0] : process.cwd();
  let fixed: AppliedFix[] | undefined;
  if (opt.fix || opt.fixSecrets) ({ engine, applied: fixed } = await applyFixes(opt, roots, engine, baseDir));
  let findings = engine.findings();
  progress?.done();
  if (opt.baselineWrite) {
    const b = makeBaseline(findings, baseDir);
    writeFile(opt.baselineWrite, JSON.stringify(b, null, 2) + '\n', 'the baseline');
    return { text: `Wrote a baseline of ${findings.length} finding(s) to ${opt.baselineWrite}.\n`, code: 0 };
  }
  let baseline: FormatContext['baseline'];
  if (opt.baseline) {
    const b = readBaselineOrFail(opt.baseline);
    const before = findings.length;
    const { kept, unmatched } = filterByBaselineWithStats(findings, b, baseDir);
    findings = kept;
    baseline = { file: opt.baseline, hidden: before - kept.length, fixed: unmatched };
  }
  const ctx: FormatContext = {
    baseDir,
    roots,
    rules: engine.rules,
    apps: engine.apps().map((a) => ({ id: a.id, name: a.name, dir: a.dir })),
    color: useColor(opt),
    tool: toolInfo(packageFacts()),
    shownPath: (file) => shownPath(file),
    baseline,
  };
  // In json and sarif the report is data: the baseline's count goes to stderr instead.
  if (baseline && opt.format !== 'text') process.stderr.write(`crosswire: ${baselineSentence(baseline)}\n`);
  let text = formatters[opt.format](findings, ctx);
  if (fixed) {
    const lines = fixedLines(fixed);
    // In json and sarif the report is data: what changed goes to stderr, as does everything for a report written to a file.
    if (opt.format === 'text' && opt.output === undefined) text = lines + '\n' + text;
    else process.stderr.write(lines);
  }
  return { text, code: failedRules(engine) ? 2 : exitCodeFor(findings, opt.failOn) };
}

/** Rules that failed (a bug in Crosswire): said on stderr, and the run exits 2, never as a clean audit. */
function failedRules(engine: Engine): boolean {
  const failures = engine.ruleFailures();
  if (!failures.length) return false;
  const byRule = new Map<string, number>();
  for (const f of failures) byRule.set(f.ruleId, (byRule.get(f.ruleId) ?? 0) + 1);
  const list = [...byRule].map(([id, n]) => `${id} (on ${n} app${n === 1 ? '' : 's'} or groups)`).join(', ');
  process.stderr.write(
    `crosswire: internal error: ${byRule.size === 1 ? 'a rule' : 'rules'} failed, so ${byRule.size === 1 ? 'its' : 'their'} findings there are missing: ${list}: ${escapeControl(failures[0].message)}\n` +
      `This is a bug in Crosswire: please report it with the output of the same command with --verbose (${packageFacts().repositoryWeb ?? 'the Crosswire repository'}/issues).\n`,
  );
  return true;
}

interface AppliedFix {
  file: string;
  title: string;
}

/** At most this many passes of fixing and re-auditing (ESLint stops after 10 too). */
const MAX_FIX_PASSES = 10;

/**
 * `--fix` / `--fix-secrets`: applies the fixes of the kinds asked for to the files on disk, pass by pass (a pass
 * takes the fixes whose edits do not collide, see engine/fixes.ts; the workspace is re-audited and the fixes
 * recomputed before the next), until none is left. Only the findings the report would show (after the baseline)
 * are fixed. Returns the engine of the final state and what was changed, file by file.
 */
async function applyFixes(opt: Options, roots: string[], first: Engine, baseDir: string): Promise<{ engine: Engine; applied: AppliedFix[] }> {
  const kinds = new Set<FixKind>();
  if (opt.fix) kinds.add('safe');
  if (opt.fixSecrets) kinds.add('secret');
  const baseline = opt.baseline ? readBaselineOrFail(opt.baseline) : undefined;
  const done = new Set<string>();
  const applied: AppliedFix[] = [];
  let engine = first;
  for (let pass = 0; pass < MAX_FIX_PASSES; pass++) {
    let findings = engine.findings();
    if (baseline) findings = filterByBaselineWithStats(findings, baseline, baseDir).kept;
    const plan = planFixes(findings, {
      kinds,
      done,
      onError: (fix, e) =>
        process.stderr.write(
          `crosswire: warning: the fix "${escapeControl(fix.title)}" failed and was skipped: ${escapeControl((e as Error)?.message ?? String(e))}\n`,
        ),
    });
    if (plan.fixes.length === 0) break;
    const byFile = new Map<string, TextEditAt[]>();
    for (const p of plan.fixes) {
      done.add(fixKey(p.fix, p.edits));
      for (const e of p.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
    }
    const written = new Set<string>();
    for (const [file, edits] of byFile) {
      let before: string;
      try {
        before = fs.readFileSync(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new InputError(`cannot read ${shownPath(file)} to fix it: ${fsReason(e)}`);
        before = '';
      }
      // The fixes were computed on the text Crosswire read: a file changed since is left alone.
      const read = engine.index.textOf(file);
      if (read !== undefined && read !== before) {
        process.stderr.write(`crosswire: warning: ${escapeControl(shownPath(file))} changed during the run: not fixed\n`);
        continue;
      }
      writeFile(file, applyEdits(before, edits), 'the fix');
      written.add(file);
    }
    for (const p of plan.fixes) {
      for (const file of new Set(p.edits.map((e) => e.file))) if (written.has(file)) applied.push({ file, title: p.fix.title });
    }
    if (written.size === 0) break;
    engine = await Engine.create({ roots, config: opt.config ? loadConfig(opt.config) : undefined, logger: opt.verbose ? stderrLogger() : undefined });
  }
  return { engine, applied };
}

/** What --fix changed: one line per file and fix (titles only: a fix's text may be a generated secret). */
function fixedLines(applied: readonly AppliedFix[]): string {
  if (applied.length === 0) return 'No fixes applied.\n';
  const files = new Set(applied.map((a) => a.file));
  const lines = applied.map((a) => `Fixed ${escapeControl(shownPath(a.file))}: ${escapeControl(a.title)}`);
  lines.push(`Applied ${applied.length} fix${applied.length === 1 ? '' : 'es'} in ${files.size} file${files.size === 1 ? '' : 's'}.`);
  return lines.join('\n') + '\n';
}

function readBaselineOrFail(file: string): ReturnType<typeof readBaseline> {
  try {
    return readBaseline(path.resolve(file));
  } catch (e) {
    const why = e instanceof SyntaxError ? 'it is not JSON' : (e as NodeJS.ErrnoException).code ? fsReason(e) : (e as Error).message;
    throw new InputError(`cannot read the baseline ${file}: ${why}`);
  }
}

/** `crosswire apps`: what Crosswire understood of the workspace. */
async function apps(opt: Options): Promise<{ text: string; code: 0 }> {
  const roots = resolveDirs(opt.dirs);
  const engine = await createEngine(opt, roots);
  progress?.done();
  const baseDir = roots.length === 1 ? roots[0] : process.cwd();
  const u = understand(engine.index, (file) => path.relative(baseDir, file).split(path.sep).join('/'));
  // Names, paths and commands come from the workspace: control characters are shown escaped, never sent to the terminal.
  return { text: opt.format === 'json' ? JSON.stringify(u, null, 2) + '\n' : escapeControl(understandingText(u), true), code: 0 };
}

/** Reads a --config file; a file that cannot be read or is not fully valid stops the run (exit 2). */
function loadConfig(file: string): CrosswireConfig {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(file), 'utf8');
  } catch (e) {
    throw new InputError(`cannot read the config file ${file}: ${fsReason(e)}`);
  }
  const ids = new Set([...RULES, ...ENGINE_RULES].map((r) => r.id));
  const { config, problems } = parseConfig(text, path.resolve(file), ids);
  if (problems.length)
    throw new InputError(
      `invalid config file:\n  ${problems.map((p) => `${file}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.message}`).join('\n  ')}`,
    );
  return config;
}

/**
 * Creates the missing folders of `dir`, one by one from the nearest existing one (fs.mkdirSync's recursive
 * mode spins forever under a pseudo file system such as /proc instead of failing).
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) fs.mkdirSync(d);
}

/** Writes a report or baseline, creating missing folders; failures are the user's to fix, not internal errors. */
function writeFile(file: string, text: string, what: string): void {
  const abs = path.resolve(file);
  try {
    makeDirs(path.dirname(abs));
    fs.writeFileSync(abs, text);
  } catch (e) {
    throw new InputError(`cannot write ${what} to ${file}: ${fsReason(e)}`);
  }
}

/** Writes the text (if any) to stdout, waits for it to drain, and exits (the engine may hold handles). */
function finish(code: number, text?: string): void {
  progress?.done();
  if (text === undefined) {
    process.exit(code);
  }
  // A closed pipe (`| head`) is not an error of ours.
  process.stdout.on('error', () => process.exit(code));
  process.stdout.write(text, () => process.exit(code));
}

export async function main(argv: string[]): Promise<void> {
  let verbose = argv.includes('--verbose');
  try {
    const parsed = parseCommandLine(argv);
    if (parsed.kind === 'help') return finish(0, USAGE);
    if (parsed.kind === 'version') return finish(0, packageFacts().version + '\n');
    const opt = parsed.options;
    verbose = opt.verbose;
    const { text, code } = parsed.kind === 'apps' ? await apps(opt) : await audit(opt);
    if (opt.output !== undefined) {
      writeFile(opt.output, text, 'the report');
      return finish(code);
    }
    return finish(code, text);
  } catch (e) {
    progress?.done();
    if (e instanceof UsageError) {
      process.stderr.write(`crosswire: ${escapeControl(e.message)}\nRun "crosswire --help" for usage.\n`);
    } else if (e instanceof InputError) {
      process.stderr.write(`crosswire: ${escapeControl(e.message, true)}\n`);
    } else {
      const err = e as Error;
      process.stderr.write(`crosswire: internal error: ${escapeControl(err?.message ?? String(e))}\n`);
      process.stderr.write(
        `This is a bug in Crosswire: please report it${verbose ? ' with the stack trace below' : ' with the output of the same command with --verbose'} (${packageFacts().repositoryWeb ?? 'the Crosswire repository'}/issues).\n`,
      );
      if (verbose && err?.stack) process.stderr.write(err.stack + '\n');
    }
    finish(2);
  }
}
