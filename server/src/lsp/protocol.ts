/**
 * The custom part of Crosswire's language-server protocol: what the client (the VS Code extension, or any
 * LSP client) and the server agree on beyond standard LSP. One module, used by both: the VS Code client
 * (client/src/extension.ts) bundles it. Imports nothing, so that the client can.
 */

/** `workspace/executeCommand` command that re-indexes the workspace, republishes every diagnostic and returns
 *  an {@link AuditResult}. No arguments. The VS Code client also registers it as its "Audit workspace" command. */
export const AUDIT_COMMAND = 'crosswire.audit';
/** `workspace/executeCommand` command that opens the docs page of a rule (argument: the rule id), with
 *  `window/showDocument` (or a message naming the page when the client cannot open documents). The "Show
 *  documentation for <rule>" code action runs it. */
export const SHOW_DOCS_COMMAND = 'crosswire.showDocumentation';
/** Code action kind of "Fix all safe Crosswire problems" in a document, for `editor.codeActionsOnSave`: only
 *  fixes that need no judgement and write no secret (never a generated secret). */
export const FIX_ALL_KIND = 'source.fixAll.crosswire';
/** VS Code command (client only): restarts the language server. */
export const RESTART_COMMAND = 'crosswire.restart';
/** VS Code command (client only): shows the output channel. */
export const SHOW_OUTPUT_COMMAND = 'crosswire.showOutput';

/** VS Code command ids the client itself registers. If the server lists any of them in its
 *  `executeCommandProvider`, the client does not register them a second time (VS Code rejects
 *  duplicate command ids). */
export const CLIENT_COMMANDS: ReadonlySet<string> = new Set([AUDIT_COMMAND, RESTART_COMMAND, SHOW_OUTPUT_COMMAND]);

/** Result of {@link AUDIT_COMMAND}: re-indexes everything and republishes all diagnostics first. */
export interface AuditResult {
  /** The readable report (Markdown): findings grouped by rule and app, counts, clickable locations. */
  markdown: string;
  /** Number of findings. */
  findings: number;
  /** Number of apps. */
  apps: number;
  /** Findings per rule id. */
  byRule: Record<string, number>;
  /** The workspace roots audited. */
  roots: string[];
}

/** Notification `crosswire/status`, server -> client: sent while indexing and after every (re)analysis. */
export const STATUS_NOTIFICATION = 'crosswire/status';

export type StatusParams =
  | { state: 'indexing'; roots: string[] }
  | {
      state: 'ready';
      /** Number of apps in the index. */
      apps: number;
      /** Number of findings of all rules. */
      findings: number;
      /** Counts by severity. */
      errors: number;
      warnings: number;
      /** Wall time of the last (re)analysis in milliseconds. */
      durationMs: number;
    }
  | { state: 'error'; message: string };

/** `Diagnostic.data` of every Crosswire diagnostic. */
export interface DiagnosticData {
  ruleId: string;
  /** `<ruleId>:<line>:<character>` of the finding's start: identifies the finding within its file. */
  key: string;
  /** For an open document: the version of its text the diagnostic was computed from. Code actions for an older version are refused. */
  version?: number;
}

/** `initializationOptions` the server reads (every field optional). */
export interface InitializationOptions {
  /** Largest file the server reads, in bytes; larger ones are skipped with a notice in the output. */
  maxFileSize?: number;
  /**
   * How diagnostics reach the client. `auto` (the default): pulled (LSP 3.17 `textDocument/diagnostic` and
   * `workspace/diagnostic`) when the client advertises `textDocument.diagnostic`, else pushed. `push`: always
   * pushed (`textDocument/publishDiagnostics`), for every indexed file; for clients that pull only for open
   * documents and never ask for the workspace's (Neovim 0.10 and 0.11), so that findings in files not open still show.
   */
  diagnostics?: 'auto' | 'push';
  /** The VS Code extension's folder (sent by the VS Code client; the server finds the rule docs beside its own bundle). */
  extensionPath?: string;
}
