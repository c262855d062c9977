/**
 * Publishing: turns the engine's findings into diagnostics for the files whose findings changed (open or not),
 * sends only what differs from what the client holds, and reports the server's state (`crosswire/status`).
 */
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver/node';
import type { Engine } from '../engine';
import type { Finding } from '../model/types';
import type { ServerContext } from './context';
import { DiagnosticOptions, fileToUri, sameDiagnostics, toDiagnostic } from './convert';
import { errorStack, errorText } from './errors';
import { STATUS_NOTIFICATION, StatusParams } from './protocol';

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
    const counts = engine.counts();
    this.ctx.logger.debug?.(`published ${this.sent} file(s); ${counts.findings} finding(s) in ${durationMs} ms`);
    this.sendStatus({ state: 'ready', apps: engine.apps().length, findings: counts.findings, errors: counts.errors, warnings: counts.warnings, durationMs }, forceStatus);
  }

  private publish(engine: Engine, file: string, opts: DiagnosticOptions): void {
    const uri = fileToUri(file);
    const list = engine.findingsIn(file);
    if (list.length === 0) return this.unpublish(uri);
    // The engine reuses the Finding objects of rules it did not re-run: a file whose findings are
    // the very same objects (and whose analysed version is unchanged) needs no conversion at all.
    const version = this.analysedVersion(uri);
    const prev = this.lastListByUri.get(uri);
    this.lastListByUri.set(uri, list);
    if (prev && prev.length === list.length && prev.every((f, i) => f === list[i]) && this.lastVersionByUri.get(uri) === version && this.published.has(uri)) return;
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

  private send(uri: string, diagnostics: Diagnostic[]): void {
    // For an open document: the version the diagnostics were computed for (clients drop outdated ones).
    const version = this.analysedVersion(uri);
    this.ctx.connection.sendDiagnostics({ uri, diagnostics, ...(version !== undefined ? { version } : {}) }).catch((e) => this.ctx.logger.warn(`crosswire: ${errorText(e)}`));
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
