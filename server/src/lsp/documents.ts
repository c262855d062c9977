/**
 * Documents and files that change: open documents' unsaved text (overlays) and file-watcher events, kept
 * pending and applied to the engine together, through one serial queue, as soon as the current turn ends.
 * Also tracks which version of each open document the engine has analysed (diagnostics and fixes carry it).
 */
import * as path from 'node:path';
import { Connection, DidChangeTextDocumentParams, DidChangeWatchedFilesParams, FileChangeType } from 'vscode-languageserver/node';
import type { ServerContext } from './context';
import { uriToFile } from './convert';
import { errorStack } from './errors';

/** Delay before pending changes are analysed: none beyond the current turn (see schedule()). */
export const DEBOUNCE_MS = 0;

export interface SyncHooks {
  /** An open document's analysed version changed (its diagnostics carry the version: republished). */
  versionChanged(file: string): void;
  /** Publishes after pending changes were applied. */
  publish(durationMs: number, forceStatus: boolean): void;
}

export class DocumentSync {
  private readonly pendingOverlays = new Map<string, string | undefined>();
  /** file -> version of the open document whose text is pending (set with pendingOverlays). */
  private readonly pendingVersions = new Map<string, number>();
  /** file -> version of the open document whose text the engine has analysed (the findings, and the fixes, are for it). */
  private readonly analysedVersions = new Map<string, number>();
  private readonly pendingDisk = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: ServerContext,
    private readonly hooks: SyncHooks,
  ) {}

  /** An open document's text changed (text undefined: it closed, the disk text is back). */
  overlay(uri: string, text: string | undefined, version?: number): void {
    const file = uriToFile(uri);
    if (!file) return;
    this.pendingOverlays.set(file, text);
    if (text !== undefined && version !== undefined) this.pendingVersions.set(file, version);
    else this.pendingVersions.delete(file);
    this.schedule();
  }

  onWatchedFiles(p: DidChangeWatchedFilesParams): void {
    const engine = this.ctx.engine;
    for (const change of p.changes) {
      const file = uriToFile(change.uri);
      if (!file) continue;
      // An open document's text still wins in the engine while it is open; it learns about the disk anyway.
      if (engine && !engine.isRelevant(file)) {
        if (change.type !== FileChangeType.Deleted) continue;
        // A deleted folder: everything indexed below it is gone too.
        const prefix = file.endsWith(path.sep) ? file : file + path.sep;
        for (const f of engine.files()) if (f.startsWith(prefix)) this.pendingDisk.add(f);
      }
      this.pendingDisk.add(file);
    }
    this.schedule();
  }

  /** A file to re-read from disk with the next pass (its text changed without a watcher event yet). */
  refreshLater(file: string): void {
    this.pendingDisk.add(file);
  }

  /** After a new engine: every open document's unsaved text wins over the disk. */
  reopenAll(): void {
    this.analysedVersions.clear();
    for (const doc of this.ctx.documents.all()) {
      const file = uriToFile(doc.uri);
      if (file) {
        this.pendingOverlays.set(file, doc.getText());
        this.pendingVersions.set(file, doc.version);
      }
    }
  }

  /**
   * Runs the pending changes as soon as the current turn ends. While an analysis runs, changes
   * that arrive meanwhile accumulate and are applied together by the next one, so a burst of
   * keystrokes costs one analysis per pass, and an isolated keystroke waits for no timer.
   */
  private schedule(): void {
    if (this.ctx.shuttingDown || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, DEBOUNCE_MS);
  }

  /** Cancels a scheduled pass (shutdown). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  /** Applies every pending change now and republishes (awaits the queue). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    return this.enqueue(async () => {
      if (!this.ctx.engine) return;
      if (this.pendingOverlays.size === 0 && this.pendingDisk.size === 0) return;
      const t0 = Date.now();
      await this.applyPending();
      this.hooks.publish(Date.now() - t0, false);
    });
  }

  async applyPending(): Promise<void> {
    const engine = this.ctx.engine;
    if (!engine) return;
    const logger = this.ctx.logger;
    const disk = [...this.pendingDisk];
    this.pendingDisk.clear();
    for (const file of disk) {
      try {
        await engine.refreshFromDisk(file);
      } catch (e) {
        logger.error(`crosswire: refreshing ${file} failed: ${errorStack(e)}`);
      }
    }
    const overlays = [...this.pendingOverlays];
    const versions = new Map(this.pendingVersions);
    this.pendingOverlays.clear();
    this.pendingVersions.clear();
    for (const [file, text] of overlays) {
      const version = versions.get(file);
      if (text === undefined || version === undefined) this.analysedVersions.delete(file);
      else this.analysedVersions.set(file, version);
      this.hooks.versionChanged(file);
      try {
        engine.setOverlay(file, text);
      } catch (e) {
        logger.error(`crosswire: analysing ${file} failed: ${errorStack(e)}`);
      }
    }
    logger.debug?.(`applied ${disk.length} disk change(s), ${overlays.length} document change(s)`);
  }

  /** Runs `fn` after every engine operation queued before it: overlays, refreshes, re-indexing and publishing never interleave. */
  enqueue<T>(fn: () => Promise<T>): Promise<T | undefined> {
    const next = this.queue.then(fn).catch((e) => {
      this.ctx.logger.error(`crosswire: ${errorStack(e)}`);
      return undefined;
    });
    this.queue = next;
    return next;
  }

  /** The version of an open document whose text the engine has analysed; undefined when it is not open. */
  analysedVersion(uri: string): number | undefined {
    if (!this.ctx.documents.get(uri)) return undefined;
    const file = uriToFile(uri);
    return file ? this.analysedVersions.get(file) : undefined;
  }

  /** Is an open document newer than the text the engine analysed? */
  isStale(uri: string): boolean {
    const doc = this.ctx.documents.get(uri);
    if (!doc) return false;
    const file = uriToFile(uri);
    return !file || this.analysedVersions.get(file) !== doc.version;
  }

  /**
   * Wraps the connection for TextDocuments: a didChange whose version is not newer than the
   * document's is out of order (a stale or repeated notification). It is dropped with a log line
   * rather than applied over newer text.
   */
  inOrderChanges(c: Connection): Connection {
    return new Proxy(c, {
      get: (target, prop, receiver) => {
        if (prop === 'onDidChangeTextDocument') {
          return (handler: (p: DidChangeTextDocumentParams) => void) =>
            target.onDidChangeTextDocument((p) => {
              const doc = this.ctx.documents.get(p.textDocument.uri);
              const v = p.textDocument.version;
              if (doc && typeof v === 'number' && v <= doc.version) {
                this.ctx.logger.warn(
                  `crosswire: ignored an out-of-order change of ${p.textDocument.uri} (version ${v}; the document is at version ${doc.version})`,
                );
                return;
              }
              handler(p);
            });
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}
