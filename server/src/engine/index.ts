import * as path from 'node:path';
import type { App, CrosswireConfig, EngineOptions, Finding, Logger, PrismaSchemaInfo, TextEditAt, WorkspaceView } from '../model/types';
import type { RuleMeta } from '../model/rule';
import { emptyConfig } from '../parsers/config';
import { WorkspaceIndex } from '../index/workspace';
import { ENGINE_RULES, RULES } from '../rules';
import { checkedView, instrumentApp } from '../facts/track';
import { pushTo } from '../facts/util';
import { envDefinition, envHover } from '../queries';
import type { Location, Position } from '../model/types';
import { RuleRunner } from './runner';
import { changedApps, computeDelta, workspaceFiles, type WorkspaceFiles } from './delta';
import { parseErrorsOf } from './parse-errors';
import { disableEdit, Suppressions } from './suppressions';
import { sameItems } from '../model/same';

export { MAX_PARSE_ERRORS_PER_FILE } from './parse-errors';

export interface EngineInit {
  /** Absolute workspace folder paths (several for a multi-root workspace / several CLI DIRs). */
  roots: string[];
  logger?: Logger;
  options?: Partial<EngineOptions>;
  /** Configuration from outside the workspace (VS Code settings, --config); workspace config files win over it. */
  config?: CrosswireConfig;
}

const SILENT: Logger = { info() {}, warn() {}, error() {}, debug() {} };

export const DEFAULT_OPTIONS: EngineOptions = { cores: 4, maxFileSize: 1_000_000 };

/**
 * The engine the CLI and the language server share: the workspace index plus the rules. Both
 * surfaces are thin shells over it, so they always agree. Rules run in runner.ts, severities and
 * suppressions in suppressions.ts, parse errors in parse-errors.ts; what stays here is the public API
 * and the per-file bookkeeping of a pass.
 */
// size: about half of it is the public API's one-line delegations with their doc comments
export class Engine {
  /** The rules and the engine's own diagnostic ids (whose check() is empty), for docs, SARIF and config validation. */
  readonly rules: readonly RuleMeta[] = [...RULES, ...ENGINE_RULES];
  private cache: Finding[] | undefined;
  private readonly runner: RuleRunner;
  private readonly suppressions: Suppressions;
  /** What rules see: the index, or with fact checking on a view that checks their reads (facts/track.ts). */
  private readonly view: WorkspaceView;

  private constructor(
    readonly index: WorkspaceIndex,
    private readonly log: Logger,
  ) {
    this.runner = new RuleRunner(RULES, log);
    this.suppressions = new Suppressions(index, new Set(this.rules.map((r) => r.id)), (file) => this.refreshFile(file));
    this.view = checkedView(index);
  }

  static async create(init: EngineInit): Promise<Engine> {
    const roots = [...new Set(init.roots.map((r) => path.resolve(r)))];
    const log = init.logger ?? SILENT;
    const ruleIds = new Set([...RULES, ...ENGINE_RULES].map((r) => r.id));
    const index = new WorkspaceIndex(roots, { ...DEFAULT_OPTIONS, ...init.options }, log, ruleIds);
    if (init.config) index.externalConfig = init.config;
    const engine = new Engine(index, log);
    await engine.reindex();
    return engine;
  }

  get roots(): readonly string[] {
    return this.index.roots;
  }

  async reindex(): Promise<void> {
    const t = Date.now();
    await this.index.indexAll();
    this.stale = true;
    this.log.info(`Indexed ${this.index.files.size} files, ${this.index.apps.length} apps in ${Date.now() - t} ms`);
  }

  setOverlay(file: string, text: string | undefined): void {
    this.index.setOverlay(path.resolve(file), text);
    this.dirtyFiles.add(path.resolve(file));
    this.stale = true;
  }

  async refreshFromDisk(file: string): Promise<void> {
    await this.index.refresh(path.resolve(file));
    this.dirtyFiles.add(path.resolve(file));
    this.stale = true;
  }

  /** Whether the disk holds the text the index read for this file (a fix computed from it is still right). */
  isCurrentOnDisk(file: string): boolean {
    return this.index.isCurrentOnDisk(path.resolve(file));
  }

  isRelevant(file: string): boolean {
    return this.index.kindOf(path.resolve(file)) !== undefined;
  }

  files(): string[] {
    return [...this.index.files.keys()];
  }

  apps(): readonly App[] {
    return this.index.apps;
  }

  /** Replaces the configuration that comes from outside the workspace (editor settings, --config). */
  setExternalConfig(config: CrosswireConfig | undefined): void {
    this.index.externalConfig = config ?? emptyConfig();
    this.index.refreshDerived();
    this.stale = true;
  }

  /**
   * Every finding, sorted by file, position and rule. Built from the per-file lists (see
   * changedFiles()/findingsIn()), which an edit updates only for the files it affects.
   */
  /** Rules that failed (a bug): where, and the error's message; their findings there are missing. */
  ruleFailures(): { ruleId: string; where: string; message: string }[] {
    return this.runner.failures();
  }

  findings(): Finding[] {
    this.pass();
    if (this.cache) return this.cache;
    const files = [...this.finalByFile.keys()].sort((a, b) => a.localeCompare(b));
    const out: Finding[] = [];
    for (const file of files) for (const f of this.finalByFile.get(file)!) out.push(f);
    out.sort(compareFindings);
    this.cache = out;
    return out;
  }

  /** The findings located in one file (sorted), as of the last pass. */
  findingsIn(file: string): readonly Finding[] {
    this.pass();
    return this.finalByFile.get(file) ?? NONE;
  }

  /** Files that have findings, as of the last pass. */
  filesWithFindings(): IterableIterator<string> {
    this.pass();
    return this.finalByFile.keys();
  }

  /** How many findings there are, and of which severity. */
  counts(): { findings: number; errors: number; warnings: number } {
    this.pass();
    return { ...this.totals };
  }

  /**
   * Brings the findings up to date and hands over the files whose findings may have changed since
   * the last call ('all' after a full pass, e.g. the first one or a configuration change).
   */
  takeChangedFiles(): Set<string> | 'all' {
    this.pass();
    const c = this.changed;
    this.changed = new Set();
    return c;
  }

  /** Files set or refreshed since the last pass (their text, parse errors and suppressions may have changed). */
  private readonly dirtyFiles = new Set<string>();
  private stale = true;
  /** file -> its findings after severities and suppressions, sorted; files without findings are absent. */
  private finalByFile = new Map<string, Finding[]>();
  /** ruleId -> file -> that rule's findings located in the file, in the rule's order. */
  private ruleByFile = new Map<string, Map<string, Finding[]>>();
  private lastFiles: WorkspaceFiles | undefined;
  /** file -> parse-error / invalid-config findings of the file (and of the schemas read from it). */
  private parseByFile = new Map<string, Finding[]>();
  private changed: Set<string> | 'all' = 'all';
  private totals = { findings: 0, errors: 0, warnings: 0 };
  private lastApps: readonly App[] = [];

  private pass(): void {
    if (!this.stale) return;
    this.stale = false;
    this.cache = undefined;
    const changes = this.index.takeChanges();
    if (!this.lastFiles) {
      this.fullPass();
      return;
    }
    const dirty = [...this.dirtyFiles];
    this.dirtyFiles.clear();
    if (changes === 'full') {
      this.fullPass();
      return;
    }
    const touched = new Set<string>(dirty);
    const files = workspaceFiles(this.index);
    const delta = computeDelta(this.lastApps, this.index.apps, this.lastFiles, files);
    if (!delta) {
      this.fullPass();
      return;
    }
    // An edited file that changed no app's facts: facts that read files on demand may have changed.
    const changedDirs = [...delta.apps.keys()].map((id) => this.index.appById(id)!.dir + path.sep);
    if (dirty.some((f) => !changedDirs.some((d) => f.startsWith(d)))) delta.workspace.add('otherFiles');
    this.lastFiles = files;
    for (const app of this.index.apps) instrumentApp(app);
    const changedRules = this.runner.update(this.view, delta);
    for (const id of changedRules) this.setRuleFindings(id, this.runner.findings(id), touched);
    this.log.debug?.(`rules: ${changedRules.length} of ${RULES.length} changed`);
    // Parse errors: of the files that changed, and of the schemas of apps that were re-derived.
    const parseFiles = new Set<string>(dirty);
    const apps = this.index.apps;
    const prev = this.lastApps;
    const rederived = changedApps(prev, apps);
    if (rederived) {
      for (const i of rederived) {
        for (const s of prev[i].schemas) parseFiles.add(s.file);
        for (const s of apps[i].schemas) parseFiles.add(s.file);
      }
    } else {
      for (const a of prev) for (const s of a.schemas) parseFiles.add(s.file);
      for (const a of apps) for (const s of a.schemas) parseFiles.add(s.file);
    }
    this.lastApps = apps;
    if (parseFiles.size) {
      const schemas = new Map<string, PrismaSchemaInfo[]>();
      for (const a of apps) for (const s of a.schemas) if (parseFiles.has(s.file)) pushTo(schemas, s.file, s);
      for (const file of parseFiles) {
        const list = parseErrorsOf(this.index, file, schemas.get(file) ?? []);
        const old = this.parseByFile.get(file);
        if (list.length) this.parseByFile.set(file, list);
        else this.parseByFile.delete(file);
        if (!sameItems(old ?? NONE, list)) touched.add(file);
      }
    }
    for (const file of touched) this.refreshFile(file);
    this.suppressions.refreshConfig();
  }

  private fullPass(): void {
    this.ruleByFile.clear();
    this.lastFiles = workspaceFiles(this.index);
    for (const app of this.index.apps) instrumentApp(app);
    for (const id of this.runner.runAll(this.view)) this.setRuleFindings(id, this.runner.findings(id), undefined);
    this.parseByFile = new Map();
    const schemas = new Map<string, PrismaSchemaInfo[]>();
    for (const a of this.index.apps) for (const s of a.schemas) pushTo(schemas, s.file, s);
    const files = new Set<string>([...this.index.files.keys(), ...schemas.keys(), ...this.index.unread.keys()]);
    for (const file of files) {
      const list = parseErrorsOf(this.index, file, schemas.get(file) ?? []);
      if (list.length) this.parseByFile.set(file, list);
    }
    this.lastApps = this.index.apps;
    this.finalByFile = new Map();
    this.totals = { findings: 0, errors: 0, warnings: 0 };
    const all = new Set<string>(files);
    for (const m of this.ruleByFile.values()) for (const f of m.keys()) all.add(f);
    for (const file of all) this.refreshFile(file);
    this.suppressions.refreshConfig();
    this.changed = 'all';
  }

  /** Records a rule's new findings; adds the files whose findings of this rule changed to `touched`. */
  private setRuleFindings(id: string, list: Finding[], touched: Set<string> | undefined): void {
    const byFile = new Map<string, Finding[]>();
    for (const f of list) pushTo(byFile, f.location.file, f);
    const old = this.ruleByFile.get(id);
    this.ruleByFile.set(id, byFile);
    if (!touched) return;
    for (const [file, l] of byFile) if (!old || !sameItems(old.get(file) ?? NONE, l)) touched.add(file);
    if (old) for (const file of old.keys()) if (!byFile.has(file)) touched.add(file);
  }

  /** Recomputes one file's final findings from the rules' and the parse errors' (severities, ignores, suppressions). */
  private refreshFile(file: string): void {
    const raw: Finding[] = [];
    for (const rule of this.rules) {
      const l = this.ruleByFile.get(rule.id)?.get(file);
      if (l) for (const f of l) raw.push(f);
    }
    const pe = this.parseByFile.get(file);
    if (pe) for (const f of pe) raw.push(f);
    const out = this.suppressions.apply(file, this.suppressions.applySeverities(raw));
    out.sort(compareFindings);
    const old = this.finalByFile.get(file);
    if (old && sameItems(old, out)) return;
    if (old) this.count(old, -1);
    if (out.length) {
      this.finalByFile.set(file, out);
      this.count(out, 1);
    } else this.finalByFile.delete(file);
    if (this.changed !== 'all' && (old?.length || out.length)) this.changed.add(file);
    this.cache = undefined;
  }

  private count(list: Finding[], sign: 1 | -1): void {
    this.totals.findings += sign * list.length;
    for (const f of list) {
      if (f.severity === 'error') this.totals.errors += sign;
      else if (f.severity === 'warning') this.totals.warnings += sign;
    }
  }

  /** Markdown hover for an env key at a position (undefined elsewhere); the findings on its line with their rules' explanation. */
  hover(file: string, pos: Position, docsHref?: (ruleId: string) => string | undefined): string | undefined {
    return envHover(this.index, this.findings(), path.resolve(file), pos, (id) => {
      const rule = this.rules.find((r) => r.id === id);
      return rule ? { description: rule.docs.description, href: docsHref?.(id) } : undefined;
    });
  }

  /** The env lines that supply the variable named at a position in code or schema.prisma. */
  definition(file: string, pos: Position): Location[] {
    return envDefinition(this.index, path.resolve(file), pos);
  }

  /** "Disable <rule> for this line": the directive comment to insert above a finding's line, if the format has comments. */
  disableEdit(finding: Finding): TextEditAt | undefined {
    return disableEdit(this.index, finding);
  }
}

const NONE: readonly Finding[] = Object.freeze([]) as readonly Finding[];

function compareFindings(a: Finding, b: Finding): number {
  return (
    a.location.file.localeCompare(b.location.file) ||
    a.location.range.start.line - b.location.range.start.line ||
    a.location.range.start.character - b.location.range.start.character ||
    a.ruleId.localeCompare(b.ruleId)
  );
}
