// The messages the Crosswire client and language server exchange beyond standard LSP. The client only
// displays what the server sends: it holds no analysis logic of its own.

/** `workspace/executeCommand` command that re-indexes the workspace, republishes every diagnostic and
 *  returns a readable report. No arguments. */
export const AUDIT_COMMAND = 'crosswire.audit';

/** What the server returns for {@link AUDIT_COMMAND}. */
export interface AuditResult {
  /** The report: findings grouped by rule and app, counts, clickable locations. */
  markdown: string;
  /** Number of findings in the report. */
  findings: number;
  /** Number of apps indexed. */
  apps: number;
  /** Findings per rule id. */
  byRule?: Record<string, number>;
  /** The workspace roots audited. */
  roots?: string[];
}

/** Server -> client notification sent while indexing and after every (re)analysis. Mirrors
 *  server/src/lsp/protocol.ts; the client reads it tolerantly (counts may be missing while indexing). */
export const STATUS_NOTIFICATION = 'crosswire/status';

export type StatusParams =
  | { state: 'indexing'; apps?: number; findings?: number; roots?: string[] }
  | { state: 'ready'; apps: number; findings: number; errors?: number; warnings?: number; durationMs?: number }
  | { state: 'error'; message: string };

/** VS Code command ids the client itself registers. If the server lists any of them in its
 *  `executeCommandProvider`, the client does not register them a second time (VS Code rejects
 *  duplicate command ids). */
export const CLIENT_COMMANDS: ReadonlySet<string> = new Set([AUDIT_COMMAND, 'crosswire.restart', 'crosswire.showOutput']);
