import * as path from 'node:path';
import type { App, EngineOptions, Finding, Logger, Rule } from './model/types';
import { WorkspaceIndex } from './index/workspace';
import { PARSE_ERROR_RULE, RULES } from './rules';

export interface EngineInit {
  /** Absolute workspace folder paths (several for a multi-root workspace / several CLI DIRs). */
  roots: string[];
  logger?: Logger;
  options?: Partial<EngineOptions>;
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
  readonly rules: readonly Rule[] = RULES;
  private cache: Finding[] | undefined;

  private constructor(
    readonly index: WorkspaceIndex,
    private readonly log: Logger,
  ) {}

  static async create(init: EngineInit): Promise<Engine> {
    const roots = [...new Set(init.roots.map((r) => path.resolve(r)))];
    const log = init.logger ?? SILENT;
    const engine = new Engine(new WorkspaceIndex(roots, { ...DEFAULT_OPTIONS, ...init.options }, log), log);
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

  findings(): Finding[] {
    if (this.cache) return this.cache;
    const out: Finding[] = [];
    for (const rule of this.rules) {
      try {
        for (const f of rule.check(this.index)) out.push(f);
      } catch (e) {
        // A failing rule must not lose the other rules' findings.
        this.log.error(`Rule ${rule.id} failed: ${(e as Error).stack ?? e}`);
      }
    }
    out.push(...this.parseErrors());
    out.sort((a, b) => a.location.file.localeCompare(b.location.file) || a.location.range.start.line - b.location.range.start.line || a.location.range.start.character - b.location.range.start.character || a.ruleId.localeCompare(b.ruleId));
    this.cache = out;
    return out;
  }

  private parseErrors(): Finding[] {
    const out: Finding[] = [];
    const push = (file: string, message: string, range: Finding['location']['range']) =>
      out.push({ ruleId: PARSE_ERROR_RULE.id, severity: 'warning', message, location: { file, range }, related: [], fixes: [] });
    for (const f of this.index.files.values()) {
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
