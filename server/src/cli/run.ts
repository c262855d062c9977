/**
 * The Crosswire CLI (entry: main.ts, bundled to server/dist/cli.js):
 *   crosswire audit [DIR...] [--format text|json|sarif] [--fail-on error|warning|info|never] [--output FILE]
 * Several DIRs are audited together as one multi-root workspace.
 * Exit codes: 0 nothing at or above --fail-on, 1 something is, 2 usage or internal error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../engine';
import type { CrosswireConfig, Finding, Logger, Severity } from '../model/types';
import { parseConfig } from '../parsers/config';
import { escapeControl } from '../model/text';
import { ENGINE_RULES, RULES } from '../rules';
import { filterByBaseline, makeBaseline, readBaseline } from './baseline';
import { dirUri, FORMATS, formatters, type FormatContext, type FormatName, type ToolInfo } from './formatters';
import { understand, understandingText } from '../understanding';

export const USAGE = `Usage: crosswire audit [DIR...] [options]
       crosswire apps [DIR...] [--format text|json]

Audits the apps under each DIR (default: the current directory) for configuration
conflicts between them: shared secrets, port collisions, database pools, service URLs.
Several DIRs are audited together, as one multi-root workspace; paths are then printed
relative to the current directory (with one DIR, relative to that DIR).

Options:
  -f, --format <name>     Output format: text (default), json or sarif
      --fail-on <level>   Exit with 1 when a finding at or above this severity exists:
                          error (default), warning, info or never
  -o, --output <file>     Write the report to <file> instead of standard output
      --no-color          No ANSI colours (also when NO_COLOR is set or output is not a terminal)
      --color             Force ANSI colours in text output
      --config <file>     Use this crosswire.config.json (workspace config files still win)
      --baseline <file>   Report only findings that are not in this baseline
      --baseline-write <file>
                          Record the current findings as the baseline and exit 0
      --verbose           Log the engine's progress to standard error
  -h, --help              Show this help
  -v, --version           Print the version

\`crosswire apps\` prints what Crosswire understood instead of findings: each app with its
framework, the server processes its scripts start and the port each binds (or why the port
is unknown), whether anything starts them, its env files and database servers; the run
groups (processes one script starts together) and the systems (apps linked by their
configuration, assumed to run together).

Exit status: 0 when nothing is at or above --fail-on, 1 when something is,
2 on a usage or internal error.
`;

const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;
type FailOn = (typeof FAIL_ON)[number];
const RANK: Record<Severity, number> = { info: 1, warning: 2, error: 3 };

class UsageError extends Error {}

interface PackageFacts {
  root?: string;
  version: string;
  informationUri: string;
  /** Web URL of the source repository (no .git), when package.json names one over http(s). */
  repositoryWeb?: string;
}

const FALLBACK_URI = 'https://example.invalid/crosswire';

/** The root package.json of Crosswire (named "crosswire"), found upwards from this file. */
function packageFacts(): PackageFacts {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'package.json');
    try {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8'));
      if (pkg && pkg.name === 'crosswire') {
        const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
        const web = typeof repo === 'string' ? repo.replace(/^git\+/, '').replace(/\.git$/, '').replace(/\/$/, '') : undefined;
        const repositoryWeb = web && /^https?:\/\//.test(web) ? web : undefined;
        const homepage = typeof pkg.homepage === 'string' ? pkg.homepage : undefined;
        return { root: dir, version: String(pkg.version ?? '0.0.0'), informationUri: homepage ?? repositoryWeb ?? FALLBACK_URI, repositoryWeb };
      }
    } catch {
      /* not here */
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return { version: '0.0.0', informationUri: FALLBACK_URI };
}

function toolInfo(facts: PackageFacts): ToolInfo {
  // Rule docs: the repository's pages (a SARIF log is read on other machines), else the installed copy.
  let docsBaseUri: string | undefined;
  if (facts.repositoryWeb) docsBaseUri = `${facts.repositoryWeb}/blob/HEAD/`;
  else if (facts.root && fs.existsSync(path.join(facts.root, 'docs', 'rules'))) docsBaseUri = dirUri(facts.root);
  return { name: 'Crosswire', version: facts.version, informationUri: facts.informationUri, docsBaseUri };
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
}

type Parsed = { kind: 'help' } | { kind: 'version' } | { kind: 'audit'; options: Options } | { kind: 'apps'; options: Options };

export function parseCommandLine(argv: string[]): Parsed {
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
      throw new UsageError(`cannot list directory ${d}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!seen.has(abs)) {
      seen.add(abs);
      roots.push(abs);
    }
  }
  return roots;
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

async function audit(opt: Options): Promise<{ text: string; code: 0 | 1 }> {
  const roots = resolveDirs(opt.dirs);
  const logger = opt.verbose ? stderrLogger() : undefined;
  const config = opt.config ? loadConfig(opt.config) : undefined;
  const engine = await Engine.create({ roots, logger, config });
  const baseDir = roots.length === 1 ? roots[0] : process.cwd();
  let findings = engine.findings();
  if (opt.baselineWrite) {
    const b = makeBaseline(findings, baseDir);
    fs.writeFileSync(path.resolve(opt.baselineWrite), JSON.stringify(b, null, 2) + '\n');
    return { text: `Wrote a baseline of ${findings.length} finding(s) to ${opt.baselineWrite}.\n`, code: 0 };
  }
  if (opt.baseline) {
    let b;
    try {
      b = readBaseline(path.resolve(opt.baseline));
    } catch (e) {
      throw new UsageError(`cannot read the baseline ${opt.baseline}: ${(e as Error).message}`);
    }
    findings = filterByBaseline(findings, b, baseDir);
  }
  const ctx: FormatContext = {
    baseDir,
    roots,
    rules: engine.rules,
    apps: engine.apps().map((a) => ({ id: a.id, name: a.name, dir: a.dir })),
    color: useColor(opt),
    tool: toolInfo(packageFacts()),
  };
  return { text: formatters[opt.format](findings, ctx), code: exitCodeFor(findings, opt.failOn) };
}

/** `crosswire apps`: what Crosswire understood of the workspace. */
async function apps(opt: Options): Promise<{ text: string; code: 0 }> {
  const roots = resolveDirs(opt.dirs);
  const logger = opt.verbose ? stderrLogger() : undefined;
  const config = opt.config ? loadConfig(opt.config) : undefined;
  const engine = await Engine.create({ roots, logger, config });
  const baseDir = roots.length === 1 ? roots[0] : process.cwd();
  const u = understand(engine.index, (file) => path.relative(baseDir, file).split(path.sep).join('/'));
  // Names, paths and commands come from the workspace: control characters are shown escaped, never sent to the terminal.
  return { text: opt.format === 'json' ? JSON.stringify(u, null, 2) + '\n' : escapeControl(understandingText(u), true), code: 0 };
}


/** Reads a --config file; its problems are usage errors. */
function loadConfig(file: string): CrosswireConfig {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(file), 'utf8');
  } catch {
    throw new UsageError(`config file not found: ${file}`);
  }
  const ids = new Set([...RULES, ...ENGINE_RULES].map((r) => r.id));
  const { config, problems } = parseConfig(text, path.resolve(file), ids);
  if (problems.length) throw new UsageError(`invalid config ${file}: ${problems.map((p) => `line ${p.range.start.line + 1}: ${p.message}`).join('; ')}`);
  return config;
}

/** Writes the text (if any) to stdout, waits for it to drain, and exits (the engine may hold handles). */
function finish(code: number, text?: string): void {
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
      fs.writeFileSync(path.resolve(opt.output), text);
      return finish(code);
    }
    return finish(code, text);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`crosswire: ${escapeControl(e.message)}\nRun "crosswire --help" for usage.\n`);
    } else {
      const err = e as Error;
      process.stderr.write(`crosswire: internal error: ${escapeControl(err?.message ?? String(e))}\n`);
      if (verbose && err?.stack) process.stderr.write(err.stack + '\n');
    }
    finish(2);
  }
}
