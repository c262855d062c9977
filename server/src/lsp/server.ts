/**
 * The Crosswire language server: indexes every workspace folder with the Engine, reports
 * diagnostics for every indexed file (open or not; pushed, or pulled by LSP 3.17 clients), keeps them current from open documents'
 * unsaved text and from file-watcher events, and offers the rules' quick fixes as code actions.
 *
 * This class wires the protocol to the parts and owns the engine's lifecycle (indexing, workspace
 * folders, settings); the parts are documents.ts (pending changes, the serial queue, analysed
 * versions), publishing.ts, code-actions.ts, commands.ts and settings.ts, sharing a ServerContext.
 *
 * Every engine operation runs through one serial queue, so overlays, disk refreshes, re-indexing
 * and publishing never interleave. Document changes are coalesced for a short delay.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CodeAction,
  CodeActionKind,
  Connection,
  DefinitionParams,
  DiagnosticServerCancellationData,
  DidChangeConfigurationParams,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticParams,
  DocumentDiagnosticReport,
  DocumentDiagnosticReportKind,
  Hover,
  HoverParams,
  InitializeParams,
  InitializeResult,
  Location as LspLocation,
  MarkupKind,
  ResponseError,
  SetTraceNotification,
  TextDocumentSyncKind,
  Trace,
  WorkspaceDiagnosticParams,
  WorkspaceDiagnosticReport,
  WorkspaceFoldersChangeEvent,
} from 'vscode-languageserver/node';
import { Engine } from '../engine';
import { FILE_GLOBS } from '../model/file-kinds';
import { escapeControl } from '../model/text';
import type { CrosswireConfig, Logger } from '../model/types';
import { CodeActions } from './code-actions';
import { Commands, SERVER_COMMANDS } from './commands';
import { ServerContext } from './context';
import { DocsResolver, fileToUri, uriToFile } from './convert';
import { DocumentSync } from './documents';
import { afterShutdown, errorStack, errorText } from './errors';
import { folderPath, rootsOf, takeNotFolders } from './folders';
import { FIX_ALL_KIND, type InitializationOptions } from './protocol';
import { Publisher } from './publishing';
import { editingHeap, indexingHeap } from './heap';
import { configFromSettings } from './settings';
import { releaseValidators } from './validators';

export { DEBOUNCE_MS } from './documents';

/** File-watcher globs for everything the index reads: the file-kinds table's (model/file-kinds.ts). */
export const WATCH_GLOBS: readonly string[] = FILE_GLOBS;

export interface ServerOptions {
  /** Forces debug logging (else only with trace "verbose" or CROSSWIRE_DEBUG=1). */
  debug?: boolean;
  /** Where docs/rules is searched from (defaults to the bundle's folder). */
  docsFrom?: string;
}

// size: the wiring of every LSP request and notification to its handler module (documents, publishing, code actions,
// commands, settings), with the capabilities it announces; the handlers themselves live in those modules
export class CrosswireServer {
  private readonly ctx: ServerContext;
  private readonly sync: DocumentSync;
  private readonly publisher: Publisher;
  private readonly codeActions: CodeActions;
  private readonly commands: Commands;
  /** Bumped by every (re)creation of the engine: a superseded indexing pass publishes nothing. */
  private generation = 0;
  private maxFileSize: number | undefined;
  private trace: Trace = Trace.Off;
  /** What the `crosswire` settings say (crosswire.rules, crosswire.exclude); the workspace's crosswire.config.json wins. */
  private settingsConfig: CrosswireConfig | undefined;

  readonly logger: Logger;

  constructor(
    private readonly connection: Connection,
    options: ServerOptions = {},
  ) {
    const debugOn = () => options.debug === true || process.env.CROSSWIRE_DEBUG === '1' || this.trace === Trace.Verbose;
    this.logger = {
      info: (m) => connection.console.info(escapeControl(m, true)),
      warn: (m) => connection.console.warn(escapeControl(m, true)),
      error: (m) => connection.console.error(escapeControl(m, true)),
      debug: (m) => {
        if (debugOn()) connection.console.log(`[debug] ${escapeControl(m, true)}`);
      },
    };
    this.ctx = new ServerContext(connection, this.logger, new DocsResolver(options.docsFrom));
    this.sync = new DocumentSync(this.ctx, {
      versionChanged: (file) => this.publisher.markVersionChanged(file),
      publish: (durationMs, force) => this.publisher.publishAll(durationMs, force),
    });
    this.publisher = new Publisher(this.ctx, (uri) => this.sync.analysedVersion(uri));
    this.codeActions = new CodeActions(this.ctx, this.sync);
    this.commands = new Commands(this.ctx, this.sync, this.publisher, () => this.createEngine());
  }

  listen(): void {
    const c = this.connection;
    const documents = this.ctx.documents;
    c.onInitialize((p) => this.onInitialize(p));
    // Replaces the library's own $/setTrace handler, so it keeps the library's tracer informed too.
    c.onNotification(SetTraceNotification.type, (p) => {
      this.trace = Trace.fromString(p.value);
      (c.tracer as unknown as { trace: Trace }).trace = this.trace;
    });
    c.onInitialized(() => this.guard('initialized', () => this.onInitialized()));
    c.onShutdown(() => {
      this.ctx.shuttingDown = true;
      this.sync.cancel();
    });

    documents.onDidChangeContent((e) => this.guard('didChange', () => this.sync.overlay(e.document.uri, e.document.getText(), e.document.version)));
    documents.onDidClose((e) => this.guard('didClose', () => this.sync.overlay(e.document.uri, undefined)));
    documents.listen(this.sync.inOrderChanges(c));

    c.onDidChangeWatchedFiles((p) => this.guard('didChangeWatchedFiles', () => this.sync.onWatchedFiles(p)));
    c.onCodeAction((p, token) => this.guardRequest('codeAction', () => this.codeActions.provide(p, token), [] as CodeAction[]));
    c.languages.diagnostics.on((p) =>
      this.guardRequest<DocumentDiagnosticReport, DiagnosticServerCancellationData>('diagnostic', () => this.onDocumentDiagnostic(p), {
        kind: DocumentDiagnosticReportKind.Full,
        items: [],
      }),
    );
    c.languages.diagnostics.onWorkspace((p) =>
      this.guardRequest<WorkspaceDiagnosticReport, DiagnosticServerCancellationData>('workspaceDiagnostic', () => this.onWorkspaceDiagnostic(p), { items: [] }),
    );
    c.onHover((p) => this.guardRequest('hover', () => this.onHover(p), null));
    c.onDefinition((p) => this.guardRequest('definition', () => this.onDefinition(p), [] as LspLocation[]));
    c.onDidChangeConfiguration((p) => this.guard('didChangeConfiguration', () => this.onConfiguration(p)));
    c.onExecuteCommand((p, token) => this.commands.execute(p, token));
    c.listen();
  }

  // -------------------------------------------------------------------------------------------
  // lifecycle

  private onInitialize(params: InitializeParams): InitializeResult {
    const cap = params.capabilities;
    this.ctx.caps = {
      relatedInformation: cap.textDocument?.publishDiagnostics?.relatedInformation === true,
      documentChanges: cap.workspace?.workspaceEdit?.documentChanges === true,
      dynamicWatch: cap.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
      workspaceFolders: cap.workspace?.workspaceFolders === true,
      // LSP 3.17: a client that can pull diagnostics says so with textDocument.diagnostic; it gets pull only
      // (unless its initializationOptions ask for push: see InitializationOptions.diagnostics).
      pullDiagnostics:
        typeof cap.textDocument?.diagnostic === 'object' &&
        cap.textDocument.diagnostic !== null &&
        (params.initializationOptions as InitializationOptions | undefined)?.diagnostics !== 'push',
      diagnosticRefresh: cap.workspace?.diagnostics?.refreshSupport === true,
      showDocument: cap.window?.showDocument?.support === true,
    };
    this.ctx.roots = rootsOf(params);
    if (typeof params.trace === 'string') this.trace = Trace.fromString(params.trace);
    const max = (params.initializationOptions as InitializationOptions | undefined)?.maxFileSize as unknown;
    if (typeof max === 'number' && Number.isFinite(max) && max > 0) this.maxFileSize = Math.floor(max);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        hoverProvider: true,
        definitionProvider: true,
        executeCommandProvider: { commands: [...SERVER_COMMANDS] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
        // A finding in one file depends on others (other apps' env files, compose files): the client re-pulls
        // open documents when another changes, and pulls the whole workspace (files not open included).
        ...(this.ctx.caps.pullDiagnostics ? { diagnosticProvider: { identifier: 'crosswire', interFileDependencies: true, workspaceDiagnostics: true } } : {}),
      },
      serverInfo: { name: 'crosswire', version: serverVersion() },
    };
  }

  private async onInitialized(): Promise<void> {
    this.warnNotFolders();
    if (this.ctx.caps.dynamicWatch) {
      this.connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: WATCH_GLOBS.map((globPattern) => ({ globPattern })) })
        .catch((e) => this.logger.warn(`crosswire: could not register file watchers: ${errorText(e)}`));
    }
    if (this.ctx.caps.workspaceFolders) {
      try {
        this.connection.workspace.onDidChangeWorkspaceFolders((e) => this.guard('didChangeWorkspaceFolders', () => this.onWorkspaceFolders(e)));
      } catch (e) {
        this.logger.warn(`crosswire: no workspace folder events: ${errorText(e)}`);
      }
    }
    await this.createEngine();
  }

  private warnNotFolders(): void {
    for (const p of takeNotFolders()) this.logger.warn(`crosswire: workspace folder ${p} is not a folder; it is not indexed as one`);
  }

  private async createEngine(): Promise<void> {
    const generation = ++this.generation;
    await this.sync.enqueue(async () => {
      // Folders changed again (or shutdown) before this pass started: the newer pass does the work.
      if (generation !== this.generation || this.ctx.shuttingDown) return;
      const t0 = Date.now();
      const roots = [...this.ctx.roots];
      this.publisher.sendStatus({ state: 'indexing', roots }, true);
      indexingHeap();
      if (roots.length === 0) this.logger.warn('crosswire: no workspace folder; nothing to index');
      let engine: Engine;
      try {
        engine = await Engine.create({
          roots,
          logger: this.logger,
          config: this.settingsConfig,
          ...(this.maxFileSize ? { options: { maxFileSize: this.maxFileSize } } : {}),
        });
      } catch (e) {
        if (generation !== this.generation) return;
        this.ctx.engine = undefined;
        this.ctx.engineFailed = errorText(e);
        this.logger.error(`crosswire: indexing failed: ${errorStack(e)}`);
        this.publisher.sendStatus({ state: 'error', message: this.ctx.engineFailed }, true);
        return;
      }
      // Every schema is judged by now: the rule pass ahead is where indexing peaks, without the validators.
      releaseValidators();
      if (generation !== this.generation || this.ctx.shuttingDown) {
        this.logger.info(`crosswire: indexing of ${roots.length} folder(s) superseded${this.ctx.shuttingDown ? ' by shutdown' : ''}; its results are dropped`);
        return;
      }
      this.ctx.engine = engine;
      this.ctx.engineFailed = undefined;
      this.ctx.rulesById = new Map(engine.rules.map((r) => [r.id, r]));
      // Documents opened while indexing: their unsaved text wins over the disk.
      this.sync.reopenAll();
      await this.sync.applyPending();
      this.publisher.publishAll(Date.now() - t0, true);
    });
    editingHeap();
  }

  private async onWorkspaceFolders(e: WorkspaceFoldersChangeEvent): Promise<void> {
    const removed = new Set(e.removed.map((f) => folderPath(f)).filter((p): p is string => typeof p === 'string'));
    const next = this.ctx.roots.filter((r) => !removed.has(r));
    for (const f of e.added) {
      const p = folderPath(f);
      if (p && !next.includes(p)) next.push(p);
    }
    this.ctx.roots = next;
    this.warnNotFolders();
    this.logger.info(`crosswire: workspace folders changed; re-indexing ${next.length} folder(s)`);
    await this.createEngine();
  }

  // -------------------------------------------------------------------------------------------
  // settings: crosswire.rules and crosswire.exclude mirror crosswire.config.json (the file wins)

  private async onConfiguration(p: DidChangeConfigurationParams): Promise<void> {
    this.settingsConfig = configFromSettings(p.settings, this.logger);
    await this.sync.enqueue(async () => {
      if (!this.ctx.engine) return;
      this.ctx.engine.setExternalConfig(this.settingsConfig);
      this.publisher.publishAll(0, false);
    });
  }

  // -------------------------------------------------------------------------------------------
  // pull diagnostics (clients with textDocument.diagnostic): pending changes are analysed first

  private async onDocumentDiagnostic(p: DocumentDiagnosticParams): Promise<DocumentDiagnosticReport> {
    await this.sync.flush();
    return this.publisher.documentReport(p.textDocument.uri, p.previousResultId);
  }

  private async onWorkspaceDiagnostic(p: WorkspaceDiagnosticParams): Promise<WorkspaceDiagnosticReport> {
    await this.sync.flush();
    return this.publisher.workspaceReport(p.previousResultIds ?? []);
  }

  // -------------------------------------------------------------------------------------------
  // hover and go to definition

  private async onHover(p: HoverParams): Promise<Hover | null> {
    await this.sync.flush();
    const file = uriToFile(p.textDocument.uri);
    if (!this.ctx.engine || !file) return null;
    const engine = this.ctx.engine;
    const md = engine.hover(file, p.position, (id) =>
      this.ctx.docs.href(
        id,
        engine.rules.find((r) => r.id === id),
      ),
    );
    return md ? { contents: { kind: MarkupKind.Markdown, value: md } } : null;
  }

  private async onDefinition(p: DefinitionParams): Promise<LspLocation[]> {
    await this.sync.flush();
    const file = uriToFile(p.textDocument.uri);
    if (!this.ctx.engine || !file) return [];
    return this.ctx.engine.definition(file, p.position).map((l) => ({ uri: fileToUri(l.file), range: l.range }));
  }

  // -------------------------------------------------------------------------------------------
  // error guards: a handler's failure is logged, never fatal

  private guard(what: string, fn: () => unknown): void {
    try {
      const r = fn();
      if (r && typeof (r as Promise<unknown>).then === 'function') {
        (r as Promise<unknown>).catch((e) => this.logger.error(`crosswire: ${what}: ${errorStack(e)}`));
      }
    } catch (e) {
      this.logger.error(`crosswire: ${what}: ${errorStack(e)}`);
    }
  }

  private async guardRequest<T, D = void>(what: string, fn: () => Promise<T>, fallback: T): Promise<T | ResponseError<D>> {
    if (this.ctx.shuttingDown) return afterShutdown<D>();
    try {
      return await fn();
    } catch (e) {
      this.logger.error(`crosswire: ${what}: ${errorStack(e)}`);
      return fallback;
    }
  }
}

function serverVersion(): string {
  try {
    // The bundle lives in server/dist; server/package.json is one level up. Not fatal when absent.
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
