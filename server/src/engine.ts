// PLACEHOLDER — being written; see the interface below.
import type { App, EngineOptions, Finding, Logger, Rule } from './model/types';

export interface EngineInit {
  /** Absolute workspace folder paths (several for a multi-root workspace / several CLI DIRs). */
  roots: string[];
  logger?: Logger;
  options?: Partial<EngineOptions>;
}

export declare class Engine {
  static create(init: EngineInit): Promise<Engine>;
  readonly roots: readonly string[];
  readonly rules: readonly Rule[];
  /** Re-discovers and re-parses the whole workspace. */
  reindex(): Promise<void>;
  /** Sets (text) or clears (undefined) the unsaved text of an open document; the index is updated at once. */
  setOverlay(file: string, text: string | undefined): void;
  /** A file was created, changed or deleted on disk. */
  refreshFromDisk(file: string): Promise<void>;
  /** Whether a path is of a kind Crosswire indexes (an .env file, package.json, schema.prisma, code it reads...). */
  isRelevant(file: string): boolean;
  /** All findings of all rules, sorted by file and position. */
  findings(): Finding[];
  /** Every file currently in the index (absolute paths). */
  files(): string[];
  apps(): readonly App[];
}
