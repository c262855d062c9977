import { compactArrays } from '../model/compact';
import * as path from 'node:path';
import * as YAML from 'yaml';
import type { CodeFileInfo, ComposeFileInfo, CrosswireConfig, EnvFile, Logger, PackageJsonInfo, Pm2ConfigInfo, PostgresConfInfo, Range } from '../model/types';
import { ZERO_RANGE } from '../model/text';
import { parseCompose, parsePostgresConf } from '../parsers/compose';
import { isComposeName } from '../model/file-kinds';
import { parsePm2 } from '../parsers/pm2';
import { parseConfig, parsePackageCrosswireKey } from '../parsers/config';
import { parseSuppressions, type Suppression } from '../parsers/suppressions';
import { classifyEnvFile, looksBinary, parseEnv } from '../parsers/env';
import { parsePackageJson } from '../parsers/packageJson';
import { mayHaveCodeFacts, parseCode, TEST_SOURCE } from '../parsers/code';
import { mayHavePythonFacts, parsePython, PY_TEST_SOURCE } from '../parsers/python';
import type { FileKind } from './discovery';
import { relativeTo } from '../model/paths';

/** One file as the index holds it. */
/** Configs whose text the index reads later (a dev server's port, a test runner's web servers), even when they hold no code facts. */
const KEEP_TEXT = /(^|[\\/])(rsbuild|webpack|playwright)(\.[\w-]+)*\.config\.[cm]?[jt]s$|[\\/]\.vitepress[\\/]config\.[cm]?[jt]s$/;

export interface IndexedFile {
  file: string;
  root: string;
  kind: FileKind;
  text: string;
  env?: EnvFile;
  pkg?: PackageJsonInfo;
  code?: CodeFileInfo;
  compose?: ComposeFileInfo;
  pm2?: Pm2ConfigInfo;
  pgConf?: PostgresConfInfo;
  config?: CrosswireConfig;
  /** pnpm-workspace.yaml, lerna.json, nx.json, turbo.json, an Nx project.json or nest-cli.json, parsed (undefined data when it does not parse). */
  repoConfig?: { kind: 'pnpm-workspace' | 'lerna' | 'nx' | 'turbo' | 'nx-project' | 'nest-cli'; data: unknown };
  /** The text was not kept (a source file with no facts); textOf() reads it from disk when asked. */
  textDropped?: boolean;
  /** Inline `crosswire-disable...` directives in the file. */
  suppressions: Suppression[];
  /** Problems of Crosswire's own settings written in the file (a package.json's "crosswire" key): reported as invalid-config. */
  configProblems?: { message: string; range: Range }[];
  /** Problems that make the file (partly) unreadable: reported as parse-error. */
  problems: { message: string; range: Range }[];
}

/** What became of one file's text: an index entry, or the reason it is not analysed. */
export type Parsed = { entry: IndexedFile } | { skip: string; level: 'info' | 'warn' };

export interface IngestOptions {
  maxFileSize: number;
  /** Rule ids a crosswire.config.json may name. */
  ruleIds: ReadonlySet<string>;
  /** Keep the text of a source file without facts (an open document). */
  keepText: boolean;
}

/**
 * Parses one file's text into an index entry, or says why it is skipped. No index state and no I/O;
 * never throws (a parser's failure becomes a parse problem of the file, and an error in the log).
 */
export function parseIndexedFile(file: string, kind: FileKind, rawText: string, root: string, opts: IngestOptions, log: Logger): Parsed {
  // A file only whose presence is read (a web app's index.html): nothing to parse, whatever its size.
  if (kind === 'web-entry') return { entry: { file, root, kind, text: '', textDropped: true, problems: [], suppressions: [] } };
  // Open documents bypass the disk read: the size limit holds for them too.
  if (rawText.length > opts.maxFileSize || Buffer.byteLength(rawText, 'utf8') > opts.maxFileSize) {
    return { skip: `larger than the ${opts.maxFileSize}-byte limit (${Buffer.byteLength(rawText, 'utf8')} bytes)`, level: 'warn' };
  }
  // Editors hide a byte-order mark: positions are counted without it.
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  const entry: IndexedFile = { file, root, kind, text, problems: [], suppressions: [] };
  try {
    if (kind === 'env') {
      const cls = classifyEnvFile(path.basename(file));
      if (!cls) return { entry };
      const { entries, problems } = parseEnv(text, file);
      if (problems.length === 1 && problems[0].message === 'binary file')
        log.info(`Skipped ${file}: binary content (NUL bytes), no entries read; reported as parse-error`);
      entry.env = { file, name: path.basename(file), ...cls, entries, problems, text };
      entry.problems.push(...problems);
    } else if (kind === 'package') {
      const { info, problems } = parsePackageJson(text, file);
      entry.pkg = info;
      entry.problems.push(...problems);
    } else if (kind === 'code' || kind === 'prisma-config' || kind === 'python') {
      // Binary by more than one byte (a source file may hold a stray NUL in a string and still parse).
      if (looksBinary(text)) return { skip: 'binary content (NUL bytes)', level: 'info' };
      if (kind === 'python') {
        if (!PY_TEST_SOURCE.test(path.basename(file)) && mayHavePythonFacts(text)) entry.code = parsePython(text, file);
        if (entry.code && !hasFacts(entry.code) && path.basename(file) !== 'setup.py') entry.code = undefined;
      } else if (kind === 'prisma-config' || (!TEST_SOURCE.test(relativeTo(root, file)) && mayHaveCodeFacts(text, file))) {
        entry.code = parseCode(text, file);
        // Syntax errors in arbitrary source files are the compiler's business; only report them
        // where Crosswire relies on the file (auth/config/server entry files are reported by rules).
        if (!hasFacts(entry.code)) entry.code = undefined;
      }
      if (kind !== 'prisma-config' && !entry.code && !opts.keepText && !KEEP_TEXT.test(file)) {
        entry.text = '';
        entry.textDropped = true;
      }
    } else if (kind === 'compose') {
      const compose = parseCompose(text, file);
      // A YAML file found by the broad compose patterns (`docker/*.yml`, `*compose*.yml`) that is not a compose
      // file (a CI workflow, a Kubernetes manifest, process-compose.yaml) is not Crosswire's business: no problems.
      if (compose.isCompose || isComposeName(path.basename(file))) {
        entry.compose = compose;
        entry.problems.push(...compose.problems);
      }
    } else if (kind === 'pm2') {
      entry.pm2 = parsePm2(text, file);
      entry.problems.push(...entry.pm2.problems);
    } else if (kind === 'pg-conf') {
      const mc = parsePostgresConf(text);
      entry.pgConf = {
        file,
        text,
        maxConnections: mc
          ? { value: mc.value, range: { start: { line: mc.line, character: mc.start }, end: { line: mc.line, character: mc.end } } }
          : undefined,
      };
    } else if (kind === 'repo-config') {
      entry.repoConfig = parseRepoConfig(path.basename(file), text);
    } else if (kind === 'config') {
      const parsed = parseConfig(text, file, opts.ruleIds);
      entry.config = parsed.config;
      entry.problems.push(...parsed.problems);
    }
    entry.suppressions = parseSuppressions(text);
    if (kind === 'package' && entry.pkg) {
      const own = parsePackageCrosswireKey(text, file, opts.ruleIds);
      entry.suppressions.push(...own.suppressions);
      if (own.problems.length) entry.configProblems = own.problems;
    }
    // prisma schemas are parsed when apps are derived, once the app's Prisma major is known
  } catch (e) {
    entry.problems.push({ message: `Crosswire could not read this file: ${(e as Error).message}`, range: ZERO_RANGE });
    log.error(`Parser failed on ${file}: ${(e as Error).stack ?? e}`);
  }
  return { entry: compactArrays(entry) };
}

const REPO_KINDS: Record<string, NonNullable<IndexedFile['repoConfig']>['kind']> = {
  'pnpm-workspace.yaml': 'pnpm-workspace',
  'lerna.json': 'lerna',
  'nx.json': 'nx',
  'turbo.json': 'turbo',
  'project.json': 'nx-project',
  'nest-cli.json': 'nest-cli',
};

/** Monorepo and project files: only their presence and a few keys matter, so a file that does not parse keeps no data (no finding). */
function parseRepoConfig(base: string, text: string): IndexedFile['repoConfig'] {
  const kind = REPO_KINDS[base];
  let data: unknown;
  try {
    data = base.endsWith('.yaml') ? YAML.parse(text) : JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''));
  } catch {
    data = undefined;
  }
  return { kind, data };
}

/** Whether parsed code holds anything Crosswire uses (else neither the facts nor the text are kept). */
export function hasFacts(c: CodeFileInfo): boolean {
  return (
    c.defaults.length > 0 ||
    c.listens.length > 0 ||
    (c.urlLiterals?.length ?? 0) > 0 ||
    c.loadsDotenv ||
    c.dotenvPaths.length > 0 ||
    c.dotenvPathUnknown === true ||
    c.vite !== undefined ||
    c.prismaConfig !== undefined ||
    c.driverPools.length > 0 ||
    (c.effectConfigs?.length ?? 0) > 0 ||
    (c.schemaPortKeys?.length ?? 0) > 0 ||
    c.problems.length > 0 ||
    (c.placeholderGuards?.length ?? 0) > 0 ||
    (c.auth !== undefined &&
      (c.auth.secretReads.length > 0 || c.auth.nextAuth.length > 0 || c.auth.cookies.length > 0 || c.auth.sessions.length > 0 || c.auth.cors.length > 0))
  );
}
