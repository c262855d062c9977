/**
 * The custom part of Crosswire's language-server protocol: what the client (VS Code extension,
 * or any LSP client) and the server agree on beyond standard LSP. Kept free of runtime imports
 * so that the client can import these types too.
 */

/** Notification `crosswire/status`, server -> client. */
export const StatusNotificationMethod = 'crosswire/status';

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

/** `workspace/executeCommand` commands. */
export const AuditCommand = 'crosswire.audit';

/** Result of `crosswire.audit`: re-indexes everything and republishes all diagnostics first. */
export interface AuditResult {
  /** The readable report (Markdown). */
  markdown: string;
  /** Number of findings. */
  findings: number;
  /** Number of apps. */
  apps: number;
  /** Findings per rule id. */
  byRule: Record<string, number>;
  roots: string[];
}

/** `Diagnostic.data` of every Crosswire diagnostic. */
export interface DiagnosticData {
  ruleId: string;
  /** `<ruleId>:<line>:<character>` of the finding's start: identifies the finding within its file. */
  key: string;
  /** For an open document: the version of its text the diagnostic was computed from. Code actions for an older version are refused. */
  version?: number;
}
