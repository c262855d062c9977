/**
 * Publishing: turns the engine's findings into diagnostics for the files whose findings changed (open or not),
 * sends only what differs from what the client holds, and reports the server's state (`crosswire/status`).
 *
 * Two ways to deliver them, chosen by the client's capabilities (never both, so no client sees a finding twice):
 * - push (`textDocument/publishDiagnostics`), for clients without `textDocument.diagnostic` (Neovim 0.7, plain clients);
 * - pull (LSP 3.17 `textDocument/diagnostic` and `workspace/diagnostic`): every file's diagnostics carry a result id
 *   that changes only when they do, so a client asking again with the id it holds gets `unchanged`. When a pass
 *   changes what an open document's last pull said for another reason than its own edit (another app's file changed),
 *   the client is asked to pull again (`workspace/diagnostic/refresh`, when it supports it).
 */
import * as path from 'node:path';
import type {
  Diagnostic,
  DocumentDiagnosticReport,
  PreviousResultId,
  WorkspaceDiagnosticReport,
  WorkspaceDocumentDiagnosticReport,
} from 'vscode-languageserver/node';
import type { Engine } from '../engine';
import type { Finding } from '../model/types';
import type { ServerContext } from './context';
import { DiagnosticOptions, fileToUri, sameDiagnostics, toDiagnostic, uriToFile } from './convert';
import { errorStack, errorText } from './errors';
import { STATUS_NOTIFICATION, StatusParams } from './protocol';

/** Result id of a file Crosswire never reported diagnostics for (it has none). */
const NO_FINDINGS_ID = '0';

export class Publisher {
  /** uri -> the findings behind the last diagnostics computed for it, and the document version they were for. */
  private readonly lastListByUri = new Map<string, readonly Finding[]>();
  private readonly lastVersionByUri = new Map<string, number | undefined>();
  /** uri -> diagnostics last sent. */
  private readonly published = new Map<string, Diagnostic[]>();
  /** Open documents whose analysed version changed since the last publish (their diagnostics carry it). */
  private readonly versionChanged = new Set<string>();
  private lastStatusKey = '';
  /** Files sent by the publishing pass under way. */
  private sent = 0;
  /** Pull mode: uri -> result id of its current diagnostics (a file never reported has {@link NO_FINDINGS_ID}). */
  private readonly resultIds = new Map<string, string>();
  /** Pull mode: uri -> the result id the client was last given for it (by a document or workspace pull). */
  private readonly reportedIds = new Map<string, string>();
  private nextResultId = 0;
  /** Distinguishes this server process's result ids from an earlier one's (a restarted server starts again at 1). */
  private readonly idPrefix = `${process.pid.toString(36)}.${Date.now().toString(36)}`;

  constructor(
    private readonly ctx: ServerContext,
    /** The version of an open document whose text the engine has analysed (documents.ts). */
    private readonly analysedVersion: (uri: string) => number | undefined,
  ) {}

  /** An open document's analysed version changed: its diagnostics are sent again with the next pass. */
  markVersionChanged(file: string): void {
    this.versionChanged.add(path.resolve(file));
  }

  publishAll(durationMs: number, forceStatus: boolean): void {
    const engine = this.ctx.engine;
    if (!engine || this.ctx.shuttingDown) return;
    let changed: Set<string> | 'all';
    try {
      changed = engine.takeChangedFiles();
    } catch (e) {
      this.ctx.logger.error(`crosswire: rules failed: ${errorStack(e)}`);
      return;
    }
    const opts: DiagnosticOptions = {
      relatedInformation: this.ctx.caps.relatedInformation,
      docs: this.ctx.docs,
      rules: this.ctx.rulesById,
      displayPath: (file: string) => this.displayPath(file),
      versionOf: (file: string) => this.analysedVersion(fileToUri(file)),
    };
    this.sent = 0;
    // Only the files whose findings the engine reports as changed (or whose analysed version changed) are converted and compared.
    const versions = [...this.versionChanged];
    this.versionChanged.clear();
    const changedUris: string[] = [];
    this.changedUris = changedUris;
    if (changed === 'all') {
      const uris = new Set<string>();
      for (const file of new Set(engine.filesWithFindings())) {
        uris.add(fileToUri(file));
        this.publish(engine, file, opts);
      }
      for (const uri of [...this.published.keys()]) if (!uris.has(uri)) this.unpublish(uri);
    } else {
      for (const file of versions) changed.add(file);
      for (const file of changed) this.publish(engine, file, opts);
    }
    this.changedUris = undefined;
    if (this.ctx.caps.pullDiagnostics) this.refreshIfStale(changedUris, new Set(versions.map((f) => fileToUri(f))));
    const counts = engine.counts();
    this.ctx.logger.debug?.(`published ${this.sent} file(s); ${counts.findings} finding(s) in ${durationMs} ms`);
    this.sendStatus(
      { state: 'ready', apps: engine.apps().length, findings: counts.findings, errors: counts.errors, warnings: counts.warnings, durationMs },
      forceStatus,
    );
  }

  private publish(engine: Engine, file: string, opts: DiagnosticOptions): void {
    const uri = fileToUri(file);
    const list = engine.findingsIn(file);
    if (list.length === 0) {
      this.unpublish(uri);
      return;
    }
    // The engine reuses the Finding objects of rules it did not re-run: a file whose findings are
    // the very same objects (and whose analysed version is unchanged) needs no conversion at all.
    const version = this.analysedVersion(uri);
    const prev = this.lastListByUri.get(uri);
    this.lastListByUri.set(uri, list);
    if (prev && prev.length === list.length && prev.every((f, i) => f === list[i]) && this.lastVersionByUri.get(uri) === version && this.published.has(uri))
      return;
    this.lastVersionByUri.set(uri, version);
    const diagnostics = list.map((f) => toDiagnostic(f, opts));
    if (sameDiagnostics(this.published.get(uri), diagnostics)) return;
    this.published.set(uri, diagnostics);
    this.send(uri, diagnostics);
    this.sent++;
  }

  private unpublish(uri: string): void {
    this.lastListByUri.delete(uri);
    this.lastVersionByUri.delete(uri);
    const old = this.published.get(uri);
    if (!old) return;
    this.published.delete(uri);
    if (old.length > 0) {
      this.send(uri, []);
      this.sent++;
    }
  }

  /** Uris whose diagnostics the pass under way changed. */
  private changedUris: string[] | undefined;

  private send(uri: string, diagnostics: Diagnostic[]): void {
    if (this.ctx.caps.pullDiagnostics) {
      // Pull: the client asks; a new result id tells it that what it holds is out of date.
      this.resultIds.set(uri, `${this.idPrefix}.${++this.nextResultId}`);
      this.changedUris?.push(uri);
      return;
    }
    // For an open document: the version the diagnostics were computed for (clients drop outdated ones).
    const version = this.analysedVersion(uri);
    this.ctx.connection
      .sendDiagnostics({ uri, diagnostics, ...(version !== undefined ? { version } : {}) })
      .catch((e) => this.ctx.logger.warn(`crosswire: ${errorText(e)}`));
  }

  // -------------------------------------------------------------------------------------------
  // pull diagnostics

  private resultIdOf(uri: string): string {
    return this.resultIds.get(uri) ?? NO_FINDINGS_ID;
  }

  /** `textDocument/diagnostic`: the document's diagnostics, or `unchanged` when the client holds the current ones. */
  documentReport(requested: string, previousResultId: string | undefined): DocumentDiagnosticReport {
    // Diagnostics are kept under the URI form fileToUri makes; a client may spell the same file another way.
    const file = uriToFile(requested);
    const uri = file ? fileToUri(path.resolve(file)) : requested;
    const resultId = this.resultIdOf(uri);
    this.reportedIds.set(uri, resultId);
    if (previousResultId === resultId) return { kind: 'unchanged', resultId };
    return { kind: 'full', resultId, items: this.published.get(uri) ?? [] };
  }

  /**
   * `workspace/diagnostic`: every file with diagnostics (open or not), `unchanged` for those the client holds the
   * current ones of, and an empty report for a file the client holds diagnostics of that it has no more.
   */
  workspaceReport(previous: readonly PreviousResultId[]): WorkspaceDiagnosticReport {
    const held = new Map(previous.map((p) => [p.uri, p.value]));
    const items: WorkspaceDocumentDiagnosticReport[] = [];
    const report = (uri: string): void => {
      const resultId = this.resultIdOf(uri);
      const version = this.analysedVersion(uri) ?? null;
      this.reportedIds.set(uri, resultId);
      if (held.get(uri) === resultId) items.push({ kind: 'unchanged', uri, version, resultId });
      else items.push({ kind: 'full', uri, version, resultId, items: this.published.get(uri) ?? [] });
    };
    for (const uri of this.published.keys()) report(uri);
    for (const uri of held.keys()) if (!this.published.has(uri) && held.get(uri) !== this.resultIdOf(uri)) report(uri);
    return { items };
  }

  /**
   * After a pass: when the diagnostics of an open document the client has pulled changed, and not because of its own
   * edit (the client pulls an edited document by itself), asks the client to pull again.
   */
  private refreshIfStale(changed: readonly string[], edited: ReadonlySet<string>): void {
    if (!this.ctx.caps.diagnosticRefresh) return;
    const stale = changed.filter(
      (uri) => !edited.has(uri) && this.ctx.documents.get(uri) !== undefined && this.reportedIds.has(uri) && this.reportedIds.get(uri) !== this.resultIdOf(uri),
    );
    if (stale.length === 0) return;
    this.ctx.logger.debug?.(`diagnostics of ${stale.length} open document(s) changed: asking the client to pull again`);
    this.ctx.connection.languages.diagnostics.refresh().catch((e) => this.ctx.logger.warn(`crosswire: diagnostic refresh: ${errorText(e)}`));
  }

  sendStatus(s: StatusParams, force: boolean): void {
    const key = s.state === 'ready' ? `ready:${s.apps}:${s.findings}:${s.errors}:${s.warnings}` : JSON.stringify(s);
    if (!force && key === this.lastStatusKey) return;
    this.lastStatusKey = key;
    this.ctx.connection.sendNotification(STATUS_NOTIFICATION, s).catch(() => undefined);
  }

  private displayPath(file: string): string {
    const roots = this.ctx.roots;
    const root = roots.find((r) => file === r || file.startsWith(r.endsWith(path.sep) ? r : r + path.sep));
    if (!root) return file;
    const rel = path.relative(root, file).split(path.sep).join('/');
    return roots.length > 1 ? `${path.basename(root)}/${rel}` : rel;
  }
}
