import * as path from 'node:path';
import type { App, CrosswireConfig, EngineOptions, Finding, IndexChange, Logger, Rule, TextEditAt } from './model/types';
import { commentPrefix } from './parsers/suppressions';
import { emptyConfig } from './parsers/config';
import { WorkspaceIndex } from './index/workspace';
import { ENGINE_RULES, PARSE_ERROR_RULE, RULES } from './rules';
import { envDefinition, envHover } from './queries';
import type { Location, Position } from './model/types';

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

/** Code files whose syntax errors matter to Crosswire (it relies on them for ports, auth and config). */
const RELIED_ON = /^(auth|main|server|app|index)\.[cm]?[jt]sx?$|^(vite|prisma)\.config\.[cm]?[jt]s$/;

/**
 * The engine the CLI and the language server share: the workspace index plus the rules. Both
 * surfaces are thin shells over it, so they always agree.
 */
export class Engine {
  /** The rules and the engine's own diagnostic ids (whose check() is empty), for docs, SARIF and config validation. */
  readonly rules: readonly Rule[] = [...RULES, ...ENGINE_RULES];
  private cache: Finding[] | undefined;

  private constructor(
    readonly index: WorkspaceIndex,
    private readonly log: Logger,
  ) {}


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
    this.cache = undefined;
    this.log.info(`Indexed ${this.index.files.size} files, ${this.index.apps.length} apps in ${Date.now() - t} ms`);
  }

  setOverlay(file: string, text: string | undefined): void {
    this.index.setOverlay(path.resolve(file), text);
    this.cache = undefined;
  }

  async refreshFromDisk(file: string): Promise<void> {
    await this.index.refresh(path.resolve(file));
    this.cache = undefined;
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
    this.cache = undefined;
  }

  findings(): Finding[] {
    if (this.cache) return this.cache;
    const raw = this.rawFindings();
    const out = this.applySuppressions(this.applySeverities(raw));
    out.sort((a, b) => a.location.file.localeCompare(b.location.file) || a.location.range.start.line - b.location.range.start.line || a.location.range.start.character - b.location.range.start.character || a.ruleId.localeCompare(b.ruleId));
    this.cache = out;
    return out;
  }

  private applySeverities(findings: Finding[]): Finding[] {
    const sev = this.index.config.rules;
    const out: Finding[] = [];
    for (const f of findings) {
      const s = sev[f.ruleId];
      if (s === 'off') continue;
      if (this.index.isIgnored(f.location.file)) continue;
      out.push(s && s !== f.severity ? { ...f, severity: s } : f);
    }
    return out;
  }

  /** Drops findings under `crosswire-disable...` directives and reports directives that suppress nothing. */
  private applySuppressions(findings: Finding[]): Finding[] {
    const out: Finding[] = [];
    const used = new Set<string>();
    const byFile = new Map<string, Finding[]>();
    for (const f of findings) {
      const file = this.index.files.get(f.location.file);
      const dirs = file?.suppressions ?? [];
      let suppressed = false;
      for (const d of dirs) {
        const covers = d.rules.length === 0 || d.rules.includes(f.ruleId);
        if (!covers) continue;
        if (d.kind === 'file' || d.line + 1 === f.location.range.start.line) {
          suppressed = true;
          used.add(`${f.location.file}\0${d.line}\0${d.rules.length ? f.ruleId : '*'}`);
        }
      }
      if (!suppressed) {
        out.push(f);
        byFile.set(f.location.file, [...(byFile.get(f.location.file) ?? []), f]);
      }
    }
    if (this.index.config.rules['unused-suppression'] === 'off') return out;
    const severity = (this.index.config.rules['unused-suppression'] as Finding['severity'] | undefined) ?? 'info';
    const known = new Set(this.rules.map((r) => r.id));
    for (const f of this.index.files.values()) {
      for (const d of f.suppressions) {
        const range = { start: { line: d.line, character: d.start }, end: { line: d.line, character: d.end } };
        const unusedRules = d.rules.length === 0 ? (used.has(`${f.file}\0${d.line}\0*`) ? [] : ['*']) : d.rules.filter((r) => !used.has(`${f.file}\0${d.line}\0${r}`));
        for (const r of unusedRules) {
          const what = r === '*' ? 'any rule' : `"${r}"`;
          const message = r !== '*' && !known.has(r)
            ? `Unknown rule id "${r}" in a crosswire-disable directive.`
            : `Unused crosswire-disable directive: no finding of ${what} ${d.kind === 'file' ? 'in this file' : 'on the next line'}.`;
          out.push({ ruleId: 'unused-suppression', severity, message, location: { file: f.file, range }, related: [], fixes: [] });
        }
      }
    }
    return out;
  }

  /** Markdown hover for an env key at a position (undefined elsewhere). */
  hover(file: string, pos: Position): string | undefined {
    return envHover(this.index, this.findings(), path.resolve(file), pos);
  }

  /** The env lines that supply the variable named at a position in code or schema.prisma. */
  definition(file: string, pos: Position): Location[] {
    return envDefinition(this.index, path.resolve(file), pos);
  }

  /** "Disable <rule> for this line": the directive comment to insert above a finding's line, if the format has comments. */
  disableEdit(finding: Finding): TextEditAt | undefined {
    const prefix = commentPrefix(finding.location.file);
    const text = this.index.textOf(finding.location.file);
    if (!prefix || text === undefined) return undefined;
    const line = finding.location.range.start.line;
    const lineText = text.split(/\r\n|\r|\n/)[line] ?? '';
    const indent = /^\s*/.exec(lineText)![0];
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const at = { line, character: 0 };
    return { file: finding.location.file, range: { start: at, end: at }, newText: `${indent}${prefix} crosswire-disable-next-line ${finding.ruleId}${eol}` };
  }

  /** Each rule's findings of its last run, reused while nothing it depends on has changed. */
  private byRule = new Map<string, Finding[]>();

  /** Whether a rule must run again after these changes (see Rule.dependsOn). */
  private affected(rule: Rule, changes: IndexChange[] | 'full'): boolean {
    const last = this.byRule.get(rule.id);
    if (changes === 'full' || !last || !rule.dependsOn) return true;
    for (const c of changes) {
      if (c.other) return true;
      // Positions in the edited file may have moved: findings that point into it are recomputed.
      if (last.some((f) => f.location.file === c.file || f.related.some((r) => r.location.file === c.file))) return true;
      if (c.listenersChanged && rule.dependsOn.listeners) return true;
      const envKey = rule.dependsOn.envKey;
      if (envKey && c.envChanges.some((k) => envKey(k.key, k.values))) return true;
    }
    return false;
  }

  private rawFindings(): Finding[] {
    const changes = this.index.takeChanges();
    const out: Finding[] = [];
    let reran = 0;
    for (const rule of this.rules) {
      let list = this.byRule.get(rule.id);
      if (!list || this.affected(rule, changes)) {
        reran++;
        try {
          list = rule.check(this.index);
        } catch (e) {
          // A failing rule must not lose the other rules' findings.
          this.log.error(`Rule ${rule.id} failed: ${(e as Error).stack ?? e}`);
          list = [];
        }
        this.byRule.set(rule.id, list);
      }
      for (const f of list) out.push(f);
    }
    this.log.debug?.(`rules: ${reran} of ${this.rules.length} re-run`);
    out.push(...this.parseErrors());
    return out;
  }

  private parseErrors(): Finding[] {
    const out: Finding[] = [];
    const push = (file: string, message: string, range: Finding['location']['range'], ruleId = PARSE_ERROR_RULE.id) =>
      out.push({ ruleId, severity: 'warning', message, location: { file, range }, related: [], fixes: [] });
    for (const f of this.index.files.values()) {
      if (f.kind === 'config') {
        for (const p of f.problems) push(f.file, p.message, p.range, 'invalid-config');
        continue;
      }
      if (f.kind === 'code' && !RELIED_ON.test(path.basename(f.file))) continue;
      for (const p of f.problems) push(f.file, p.message, p.range);
      if (f.code && RELIED_ON.test(path.basename(f.file))) for (const p of f.code.problems) push(f.file, p.message, p.range);
    }
    for (const app of this.index.apps) {
      for (const s of app.schemas) for (const p of s.problems) push(s.file, p.message, p.range);
    }
    return out;
  }
}
