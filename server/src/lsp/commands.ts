/**
 * `workspace/executeCommand`: `crosswire.audit` re-indexes the workspace, republishes every diagnostic and
 * returns a readable report.
 */
import {
  CancellationToken,
  ErrorCodes,
  ExecuteCommandParams,
  LSPErrorCodes,
  MessageType,
  ResponseError,
  ShowMessageNotification,
} from 'vscode-languageserver/node';
import { renderAuditReport } from '../report';
import type { ServerContext } from './context';
import type { DocumentSync } from './documents';
import { afterShutdown, errorStack, errorText } from './errors';
import { editingHeap, indexingHeap } from './heap';
import { AUDIT_COMMAND, AuditResult, SHOW_DOCS_COMMAND } from './protocol';
import type { Publisher } from './publishing';
import { releaseValidators } from './validators';

/** The commands the server executes (its `executeCommandProvider`). */
export const SERVER_COMMANDS = [AUDIT_COMMAND, SHOW_DOCS_COMMAND];

export class Commands {
  constructor(
    private readonly ctx: ServerContext,
    private readonly sync: DocumentSync,
    private readonly publisher: Publisher,
    /** Indexes the workspace again from scratch (after a failed indexing pass). */
    private readonly recreateEngine: () => Promise<void>,
  ) {}

  async execute(p: ExecuteCommandParams, token?: CancellationToken): Promise<AuditResult | ResponseError<void> | null> {
    if (this.ctx.shuttingDown) return afterShutdown();
    if (p.command === SHOW_DOCS_COMMAND) return this.showDocs(p.arguments?.[0]);
    if (p.command !== AUDIT_COMMAND) return new ResponseError(ErrorCodes.InvalidParams, `unknown command ${p.command}`);
    try {
      await this.sync.flush();
      if (token?.isCancellationRequested) return cancelled();
      if (!this.ctx.engine) {
        if (this.ctx.engineFailed) await this.recreateEngine();
        if (!this.ctx.engine) return new ResponseError(ErrorCodes.InternalError, `crosswire: indexing failed: ${this.ctx.engineFailed ?? 'not ready'}`);
      }
      const result = await this.sync.enqueue(() => this.audit(token));
      if (result instanceof ResponseError) return result;
      return result ?? new ResponseError(ErrorCodes.InternalError, 'crosswire: audit failed (see the output log)');
    } catch (e) {
      this.ctx.logger.error(`crosswire: audit failed: ${errorStack(e)}`);
      return new ResponseError(ErrorCodes.InternalError, `crosswire: audit failed: ${errorText(e)}`);
    }
  }

  /**
   * Opens the docs page of a rule: the page the extension ships (offline) or the repository's. Takes a rule id, never
   * a URI, so the command opens nothing but Crosswire's own pages.
   */
  private async showDocs(ruleId: unknown): Promise<null | ResponseError<void>> {
    if (typeof ruleId !== 'string' || !/^[a-z][a-z0-9-]*$/.test(ruleId))
      return new ResponseError(ErrorCodes.InvalidParams, `${SHOW_DOCS_COMMAND} takes a rule id`);
    const rule = this.ctx.rulesById.get(ruleId) ?? this.ctx.engine?.rules.find((r) => r.id === ruleId);
    const href = this.ctx.docs.href(ruleId, rule);
    if (this.ctx.caps.showDocument) {
      // A web page opens in the browser; a page the extension ships opens in the editor.
      try {
        const r = await this.ctx.connection.window.showDocument({ uri: href, external: /^https?:/i.test(href) });
        if (r.success) return null;
      } catch (e) {
        this.ctx.logger.info(`crosswire: the client could not open ${href}: ${errorText(e)}`);
      }
    }
    // A notification (window/showMessage), not a request: every client shows it, none has to answer.
    void this.ctx.connection.sendNotification(ShowMessageNotification.type, {
      type: MessageType.Info,
      message: `Crosswire: documentation for ${ruleId}: ${href}`,
    });
    return null;
  }

  /** Re-indexes, republishes and renders the report (runs on the queue). */
  private async audit(token?: CancellationToken): Promise<AuditResult | ResponseError<void>> {
    const engine = this.ctx.engine!;
    const t0 = Date.now();
    this.publisher.sendStatus({ state: 'indexing', roots: [...this.ctx.roots] }, true);
    indexingHeap();
    try {
      await engine.reindex(); // open documents' overlays survive a re-index
      releaseValidators(); // (as after the first indexing: server.ts)
      await this.sync.applyPending();
      this.publisher.publishAll(Date.now() - t0, true);
    } finally {
      editingHeap();
    }
    // Cancelled mid-way: the index and the diagnostics are current; only the report is not made.
    if (token?.isCancellationRequested) return cancelled();
    const findings = engine.findings();
    const apps = engine.apps();
    const byRule: Record<string, number> = {};
    for (const f of findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
    const roots = this.ctx.roots;
    const markdown = renderAuditReport({ roots: [...roots], apps, findings, rules: engine.rules, docsBaseUri: this.ctx.docs.baseUri(), linkBase: roots[0] });
    return { markdown, findings: findings.length, apps: apps.length, byRule, roots: [...roots] };
  }
}

function cancelled(): ResponseError<void> {
  return new ResponseError<void>(LSPErrorCodes.RequestCancelled, 'crosswire: audit cancelled');
}
