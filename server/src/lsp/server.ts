/**
 * The Crosswire language server: indexes every workspace folder with the Engine, publishes
 * diagnostics for every indexed file (open or not), keeps them current from open documents'
 * unsaved text and from file-watcher events, and offers the rules' quick fixes as code actions.
 *
 * Every engine operation runs through one serial queue, so overlays, disk refreshes, re-indexing
 * and publishing never interleave. Document changes are coalesced for a short delay.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CodeAction,
  CodeActionKind,
  CodeActionParams,
  Connection,
  DefinitionParams,
  DidChangeConfigurationParams,
  Hover,
  HoverParams,
  Location as LspLocation,
  MarkupKind,
  Diagnostic,
  DidChangeWatchedFilesNotification,
  DidChangeWatchedFilesParams,
  ExecuteCommandParams,
  FileChangeType,
  InitializeParams,
  InitializeResult,
  ResponseError,
  SetTraceNotification,
  ErrorCodes,
  LSPErrorCodes,
  CancellationToken,
  DidChangeTextDocumentParams,
  TextDocuments,
  Trace,
  TextDocumentSyncKind,
  WorkspaceFolder,
  WorkspaceFoldersChangeEvent,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Engine } from '../engine';
import type { CrosswireConfig, Finding, Fix, Logger, SeveritySetting, TextEditAt } from '../model/types';
import type { RuleMeta as Rule } from '../model/rule';
import { escapeControl } from '../model/text';
import { renderAuditReport } from '../report';
import {
  DocsResolver,
  SOURCE,
  fileToUri,
  findingKey,
  sameDiagnostics,
  toCodeAction,
  toDiagnostic,
  toWorkspaceEdit,
  uriToFile,
} from './convert';
import { AuditCommand, AuditResult, DiagnosticData, StatusNotificationMethod, StatusParams } from './protocol';

/** File-watcher globs for everything the index reads. */
export const WATCH_GLOBS = [
  '**/.env*',
  '**/*.env',
  '**/*.template',
  '**/package.json',
  '**/schema.prisma',
  '**/*.{ts,tsx,js,mjs,cjs,py}',
  '**/*compose*.{yml,yaml}',
  '**/{docker,dockers,deploy,deployment,deployments,compose}/**/*.{yml,yaml}',
  '**/pyproject.toml',
];

/** Delay before pending changes are analysed: none beyond the current turn (see schedule()). */
export const DEBOUNCE_MS = 0;

export interface ServerOptions {
  /** Forces debug logging (else only with trace "verbose" or CROSSWIRE_DEBUG=1). */
  debug?: boolean;
  /** Where docs/rules is searched from (defaults to the bundle's folder). */
  docsFrom?: string;
}

interface ClientCaps {
  relatedInformation: boolean;
  documentChanges: boolean;
  dynamicWatch: boolean;
  workspaceFolders: boolean;
}

export class CrosswireServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly docs: DocsResolver;
  private engine: Engine | undefined;
  private engineFailed: string | undefined;
  private roots: string[] = [];
  private caps: ClientCaps = { relatedInformation: false, documentChanges: false, dynamicWatch: false, workspaceFolders: false };
  private rulesById = new Map<string, Rule>();

  /** uri -> the findings behind the last diagnostics computed for it, and the document version they were for. */
  private lastListByUri = new Map<string, readonly Finding[]>();
  private lastVersionByUri = new Map<string, number | undefined>();
  /** uri -> diagnostics last sent. */
  private readonly published = new Map<string, Diagnostic[]>();
  /** Open documents whose analysed version changed since the last publish (their diagnostics carry it). */
  private readonly versionChanged = new Set<string>();
  private lastStatusKey = '';

  private readonly pendingOverlays = new Map<string, string | undefined>();
  /** file -> version of the open document whose text is pending (set with pendingOverlays). */
  private readonly pendingVersions = new Map<string, number>();
  /** file -> version of the open document whose text the engine has analysed (the findings, and the fixes, are for it). */
  private readonly analysedVersions = new Map<string, number>();
  /** Bumped by every (re)creation of the engine: a superseded indexing pass publishes nothing. */
  private generation = 0;
  private maxFileSize: number | undefined;
  private readonly pendingDisk = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private shuttingDown = false;
  private trace: Trace = Trace.Off;

  readonly logger: Logger;

  constructor(
    private readonly connection: Connection,
    private readonly options: ServerOptions = {},
  ) {
    this.docs = new DocsResolver(options.docsFrom);
    const debugOn = () => options.debug === true || process.env.CROSSWIRE_DEBUG === '1' || this.trace === Trace.Verbose;
    this.logger = {
      info: (m) => connection.console.info(escapeControl(m, true)),
      warn: (m) => connection.console.warn(escapeControl(m, true)),
      error: (m) => connection.console.error(escapeControl(m, true)),
      debug: (m) => {
        if (debugOn()) connection.console.log(`[debug] ${escapeControl(m, true)}`);
      },
    };
  }

  listen(): void {
    const c = this.connection;
    c.onInitialize((p) => this.onInitialize(p));
    // Replaces the library's own $/setTrace handler, so it keeps the library's tracer informed too.
    c.onNotification(SetTraceNotification.type, (p) => {
      this.trace = Trace.fromString(p.value);
      (c.tracer as unknown as { trace: Trace }).trace = this.trace;
    });
    c.onInitialized(() => this.guard('initialized', () => this.onInitialized()));
    c.onShutdown(() => {
      this.shuttingDown = true;
      if (this.timer) clearTimeout(this.timer);
    });

    this.documents.onDidChangeContent((e) => this.guard('didChange', () => this.overlay(e.document.uri, e.document.getText(), e.document.version)));
    this.documents.onDidClose((e) => this.guard('didClose', () => this.overlay(e.document.uri, undefined)));
    this.documents.listen(this.inOrderChanges(c));

    c.onDidChangeWatchedFiles((p) => this.guard('didChangeWatchedFiles', () => this.onWatchedFiles(p)));
    c.onCodeAction((p, token) => this.guardRequest('codeAction', () => this.onCodeAction(p, token), [] as CodeAction[]));
    c.onHover((p) => this.guardRequest('hover', () => this.onHover(p), null));
    c.onDefinition((p) => this.guardRequest('definition', () => this.onDefinition(p), [] as LspLocation[]));
    c.onDidChangeConfiguration((p) => this.guard('didChangeConfiguration', () => this.onConfiguration(p)));
    c.onExecuteCommand((p, token) => this.onExecuteCommand(p, token));
    c.listen();
  }

  // -------------------------------------------------------------------------------------------
  // lifecycle

  private onInitialize(params: InitializeParams): InitializeResult {
    const cap = params.capabilities;
    this.caps = {
      relatedInformation: cap.textDocument?.publishDiagnostics?.relatedInformation === true,
      documentChanges: cap.workspace?.workspaceEdit?.documentChanges === true,
      dynamicWatch: cap.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
      workspaceFolders: cap.workspace?.workspaceFolders === true,
    };
    this.roots = rootsOf(params);
    if (typeof params.trace === 'string') this.trace = Trace.fromString(params.trace);
    const max = (params.initializationOptions as { maxFileSize?: unknown } | undefined)?.maxFileSize;
    if (typeof max === 'number' && Number.isFinite(max) && max > 0) this.maxFileSize = Math.floor(max);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        hoverProvider: true,
        definitionProvider: true,
        executeCommandProvider: { commands: [AuditCommand] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'crosswire', version: serverVersion() },
    };
  }

  private async onInitialized(): Promise<void> {
    for (const p of notFolders) this.logger.warn(`crosswire: workspace folder ${p} is not a folder; it is not indexed as one`);
    notFolders.clear();
    if (this.caps.dynamicWatch) {
      this.connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: WATCH_GLOBS.map((globPattern) => ({ globPattern })) })
        .catch((e) => this.logger.warn(`crosswire: could not register file watchers: ${errorText(e)}`));
    }
    if (this.caps.workspaceFolders) {
      try {
        this.connection.workspace.onDidChangeWorkspaceFolders((e) =>
          this.guard('didChangeWorkspaceFolders', () => this.onWorkspaceFolders(e)),
        );
      } catch (e) {
        this.logger.warn(`crosswire: no workspace folder events: ${errorText(e)}`);
      }
    }
    await this.createEngine();
  }

  private async createEngine(): Promise<void> {
    const generation = ++this.generation;
    await this.enqueue(async () => {
      // Folders changed again (or shutdown) before this pass started: the newer pass does the work.
      if (generation !== this.generation || this.shuttingDown) return;
      const t0 = Date.now();
      const roots = [...this.roots];
      this.sendStatus({ state: 'indexing', roots }, true);
      if (roots.length === 0) this.logger.warn('crosswire: no workspace folder; nothing to index');
      let engine: Engine;
      try {
        engine = await Engine.create({ roots, logger: this.logger, config: this.settingsConfig, ...(this.maxFileSize ? { options: { maxFileSize: this.maxFileSize } } : {}) });
      } catch (e) {
        if (generation !== this.generation) return;
        this.engine = undefined;
        this.engineFailed = errorText(e);
        this.logger.error(`crosswire: indexing failed: ${errorStack(e)}`);
        this.sendStatus({ state: 'error', message: this.engineFailed }, true);
        return;
      }
      if (generation !== this.generation || this.shuttingDown) {
        this.logger.info(`crosswire: indexing of ${roots.length} folder(s) superseded${this.shuttingDown ? ' by shutdown' : ''}; its results are dropped`);
        return;
      }
      this.engine = engine;
      this.engineFailed = undefined;
      this.analysedVersions.clear();
      this.rulesById = new Map(this.engine.rules.map((r) => [r.id, r]));
      // Documents opened while indexing: their unsaved text wins over the disk.
      for (const doc of this.documents.all()) {
        const file = uriToFile(doc.uri);
        if (file) {
          this.pendingOverlays.set(file, doc.getText());
          this.pendingVersions.set(file, doc.version);
        }
      }
      await this.applyPending();
      this.publishAll(Date.now() - t0, true);
    });
  }

  private async onWorkspaceFolders(e: WorkspaceFoldersChangeEvent): Promise<void> {
    const removed = new Set(e.removed.map((f) => folderPath(f)).filter(isString));
    const next = this.roots.filter((r) => !removed.has(r));
    for (const f of e.added) {
      const p = folderPath(f);
      if (p && !next.includes(p)) next.push(p);
    }
    this.roots = next;
    for (const p of notFolders) this.logger.warn(`crosswire: workspace folder ${p} is not a folder; it is not indexed as one`);
    notFolders.clear();
    this.logger.info(`crosswire: workspace folders changed; re-indexing ${next.length} folder(s)`);
    await this.createEngine();
  }

  // -------------------------------------------------------------------------------------------
  // changes

  private overlay(uri: string, text: string | undefined, version?: number): void {
    const file = uriToFile(uri);
    if (!file) return;
    this.pendingOverlays.set(file, text);
    if (text !== undefined && version !== undefined) this.pendingVersions.set(file, version);
    else this.pendingVersions.delete(file);
    this.schedule();
  }

  private onWatchedFiles(p: DidChangeWatchedFilesParams): void {
    for (const change of p.changes) {
      const file = uriToFile(change.uri);
      if (!file) continue;
      // An open document's text still wins in the engine while it is open; it learns about the disk anyway.
      if (this.engine && !this.engine.isRelevant(file)) {
        if (change.type !== FileChangeType.Deleted) continue;
        // A deleted folder: everything indexed below it is gone too.
        const prefix = file.endsWith(path.sep) ? file : file + path.sep;
        for (const f of this.engine.files()) if (f.startsWith(prefix)) this.pendingDisk.add(f);
      }
      this.pendingDisk.add(file);
    }
    this.schedule();
  }

  /**
   * Runs the pending changes as soon as the current turn ends. While an analysis runs, changes
   * that arrive meanwhile accumulate and are applied together by the next one, so a burst of
   * keystrokes costs one analysis per pass, and an isolated keystroke waits for no timer.
   */
  private schedule(): void {
    if (this.shuttingDown || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, DEBOUNCE_MS);
  }

  /** Applies every pending change now and republishes (awaits the queue). */
  private flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    return this.enqueue(async () => {
      if (!this.engine) return;
      if (this.pendingOverlays.size === 0 && this.pendingDisk.size === 0) return;
      const t0 = Date.now();
      await this.applyPending();
      this.publishAll(Date.now() - t0, false);
    });
  }

  private async applyPending(): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    const disk = [...this.pendingDisk];
    this.pendingDisk.clear();
    for (const file of disk) {
      try {
        await engine.refreshFromDisk(file);
      } catch (e) {
        this.logger.error(`crosswire: refreshing ${file} failed: ${errorStack(e)}`);
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
      this.versionChanged.add(path.resolve(file));
      try {
        engine.setOverlay(file, text);
      } catch (e) {
        this.logger.error(`crosswire: analysing ${file} failed: ${errorStack(e)}`);
      }
    }
    this.logger.debug?.(`applied ${disk.length} disk change(s), ${overlays.length} document change(s)`);
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T | undefined> {
    const next = this.queue.then(fn).catch((e) => {
      this.logger.error(`crosswire: ${errorStack(e)}`);
      return undefined;
    });
    this.queue = next;
    return next;
  }

  // -------------------------------------------------------------------------------------------
  // publishing

  private publishAll(durationMs: number, forceStatus: boolean): void {
    const engine = this.engine;
    if (!engine || this.shuttingDown) return;
    let changed: Set<string> | 'all';
    try {
      changed = engine.takeChangedFiles();
    } catch (e) {
      this.logger.error(`crosswire: rules failed: ${errorStack(e)}`);
      return;
    }
    const opts = {
      relatedInformation: this.caps.relatedInformation,
      docs: this.docs,
      rules: this.rulesById,
      displayPath: (file: string) => this.displayPath(file),
      versionOf: (file: string) => this.analysedVersion(fileToUri(file)),
    };
    let sent = 0;
    // Only the files whose findings the engine reports as changed (or whose analysed version changed) are converted and compared.
    const unpublish = (uri: string) => {
      this.lastListByUri.delete(uri);
      this.lastVersionByUri.delete(uri);
      const old = this.published.get(uri);
      if (!old) return;
      this.published.delete(uri);
      if (old.length > 0) {
        this.send(uri, []);
        sent++;
      }
    };
    const publish = (file: string) => {
      const uri = fileToUri(file);
      const list = engine.findingsIn(file);
      if (list.length === 0) return unpublish(uri);
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
      sent++;
    };
    const versions = [...this.versionChanged];
    this.versionChanged.clear();
    if (changed === 'all') {
      const files = new Set(engine.filesWithFindings());
      const uris = new Set<string>();
      for (const file of files) {
        uris.add(fileToUri(file));
        publish(file);
      }
      for (const uri of [...this.published.keys()]) if (!uris.has(uri)) unpublish(uri);
    } else {
      for (const file of versions) changed.add(file);
      for (const file of changed) publish(file);
    }
    const counts = engine.counts();
    this.logger.debug?.(`published ${sent} file(s); ${counts.findings} finding(s) in ${durationMs} ms`);
    this.sendStatus({ state: 'ready', apps: engine.apps().length, findings: counts.findings, errors: counts.errors, warnings: counts.warnings, durationMs }, forceStatus);
  }

  private send(uri: string, diagnostics: Diagnostic[]): void {
    // For an open document: the version the diagnostics were computed for (clients drop outdated ones).
    const version = this.analysedVersion(uri);
    this.connection.sendDiagnostics({ uri, diagnostics, ...(version !== undefined ? { version } : {}) }).catch((e) => this.logger.warn(`crosswire: ${errorText(e)}`));
  }

  /** The version of an open document whose text the engine has analysed; undefined when it is not open. */
  private analysedVersion(uri: string): number | undefined {
    if (!this.documents.get(uri)) return undefined;
    const file = uriToFile(uri);
    return file ? this.analysedVersions.get(file) : undefined;
  }

  /**
   * Wraps the connection for TextDocuments: a didChange whose version is not newer than the
   * document's is out of order (a stale or repeated notification). It is dropped with a log line
   * rather than applied over newer text.
   */
  private inOrderChanges(c: Connection): Connection {
    return new Proxy(c, {
      get: (target, prop, receiver) => {
        if (prop === 'onDidChangeTextDocument') {
          return (handler: (p: DidChangeTextDocumentParams) => void) =>
            target.onDidChangeTextDocument((p) => {
              const doc = this.documents.get(p.textDocument.uri);
              const v = p.textDocument.version;
              if (doc && typeof v === 'number' && v <= doc.version) {
                this.logger.warn(`crosswire: ignored an out-of-order change of ${p.textDocument.uri} (version ${v}; the document is at version ${doc.version})`);
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

  private sendStatus(s: StatusParams, force: boolean): void {
    const key = s.state === 'ready' ? `ready:${s.apps}:${s.findings}:${s.errors}:${s.warnings}` : JSON.stringify(s);
    if (!force && key === this.lastStatusKey) return;
    this.lastStatusKey = key;
    this.connection.sendNotification(StatusNotificationMethod, s).catch(() => undefined);
  }

  private displayPath(file: string): string {
    const root = this.roots.find((r) => file === r || file.startsWith(r.endsWith(path.sep) ? r : r + path.sep));
    if (!root) return file;
    const rel = path.relative(root, file).split(path.sep).join('/');
    return this.roots.length > 1 ? `${path.basename(root)}/${rel}` : rel;
  }

  // -------------------------------------------------------------------------------------------
  // settings: crosswire.rules and crosswire.exclude mirror crosswire.config.json (the file wins)

  private settingsConfig: CrosswireConfig | undefined;

  private async onConfiguration(p: DidChangeConfigurationParams): Promise<void> {
    const raw = (p.settings as { crosswire?: { rules?: unknown; exclude?: unknown } } | undefined)?.crosswire;
    const rules: Record<string, SeveritySetting> = {};
    if (raw?.rules && typeof raw.rules === 'object') {
      for (const [id, sev] of Object.entries(raw.rules as Record<string, unknown>)) {
        if (sev === 'off' || sev === 'info' || sev === 'warning' || sev === 'error') rules[id] = sev;
        else this.logger.warn(`crosswire: setting crosswire.rules.${id}: "${String(sev)}" is not off/info/warning/error`);
      }
    }
    const ignore = Array.isArray(raw?.exclude) ? (raw!.exclude as unknown[]).filter(isString) : [];
    this.settingsConfig = { rules, ignore, replicas: [], hosts: {}, maxConnections: {} };
    await this.enqueue(async () => {
      if (!this.engine) return;
      this.engine.setExternalConfig(this.settingsConfig);
      this.publishAll(0, false);
    });
  }

  // -------------------------------------------------------------------------------------------
  // hover and go to definition

  private async onHover(p: HoverParams): Promise<Hover | null> {
    await this.flush();
    const file = uriToFile(p.textDocument.uri);
    if (!this.engine || !file) return null;
    const md = this.engine.hover(file, p.position);
    return md ? { contents: { kind: MarkupKind.Markdown, value: md } } : null;
  }

  private async onDefinition(p: DefinitionParams): Promise<LspLocation[]> {
    await this.flush();
    const file = uriToFile(p.textDocument.uri);
    if (!this.engine || !file) return [];
    return this.engine.definition(file, p.position).map((l) => ({ uri: fileToUri(l.file), range: l.range }));
  }

  // -------------------------------------------------------------------------------------------
  // code actions

  private async onCodeAction(p: CodeActionParams, token?: CancellationToken): Promise<CodeAction[] | ResponseError<void>> {
    if (p.context.only && !p.context.only.some((k) => CodeActionKind.QuickFix === k || CodeActionKind.QuickFix.startsWith(k + '.') || k === CodeActionKind.Empty)) {
      return [];
    }
    // Fixes are computed from the engine's state and carry the document versions that state is
    // for: an edit that arrives meanwhile makes them stale, and stale fixes are never returned.
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.flush();
      if (token?.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
      const result = this.codeActionsNow(p);
      if (result.stale === 0) return result.actions;
      if (attempt === 2) {
        this.logger.info(`crosswire: ${result.stale} quick fix(es) withheld: the document changed while they were computed`);
        return result.actions;
      }
    }
    return [];
  }

  /** Is an open document newer than the text the engine analysed? */
  private isStale(uri: string): boolean {
    const doc = this.documents.get(uri);
    if (!doc) return false;
    const file = uriToFile(uri);
    return !file || this.analysedVersions.get(file) !== doc.version;
  }

  private codeActionsNow(p: CodeActionParams): { actions: CodeAction[]; stale: number } {
    if (!this.engine) return { actions: [], stale: 0 };
    const file = uriToFile(p.textDocument.uri);
    if (!file) return { actions: [], stale: 0 };
    const uri = fileToUri(file);
    const inFile = this.engine.findingsIn(file);
    const actions: CodeAction[] = [];
    let stale = 0;
    const seen = new Set<Finding>();
    const editOptions = { documentChanges: this.caps.documentChanges, versionOf: (u: string) => this.analysedVersion(u) };
    const push = (title: string, d: Diagnostic, edits: TextEditAt[], fix: Fix) => {
      const uris = [...new Set(edits.map((e) => fileToUri(e.file)))];
      if (uris.some((u) => this.isStale(u))) {
        stale++;
        return;
      }
      // A file that is not open: its fix is for the text the engine read. When the disk holds another
      // text (changed, no watcher event yet), the fix would write into the wrong place: withheld, and
      // the file is re-read so the next attempt recomputes it from the new text.
      const changedOnDisk = [...new Set(edits.map((e) => e.file))].filter((f) => !this.documents.get(fileToUri(f)) && !this.engine!.isCurrentOnDisk(f));
      if (changedOnDisk.length) {
        for (const f of changedOnDisk) this.pendingDisk.add(f);
        stale++;
        return;
      }
      actions.push(toCodeAction(fix, d, toWorkspaceEdit(edits, editOptions)));
      // Titles only: edit texts may hold freshly generated secrets.
      this.logger.debug?.(`code action "${title}" (${edits.length} edit(s))`);
    };
    for (const d of p.context.diagnostics) {
      if (d.source !== SOURCE) continue;
      const data = d.data as Partial<DiagnosticData> | undefined;
      const ruleId = typeof data?.ruleId === 'string' ? data.ruleId : typeof d.code === 'string' ? d.code : undefined;
      if (!ruleId) continue;
      // A diagnostic published for an older version of this document: its fixes would be for that text.
      if (typeof data?.version === 'number' && this.documents.get(uri) && data.version !== this.analysedVersion(uri)) {
        this.logger.debug?.(`code actions refused for a diagnostic of version ${data.version} (the document is at ${this.documents.get(uri)?.version})`);
        continue;
      }
      const matches = inFile.filter(
        (f) =>
          f.ruleId === ruleId &&
          f.location.range.start.line === d.range.start.line &&
          f.location.range.start.character === d.range.start.character &&
          (typeof data?.key !== 'string' || data.key === findingKey(f)),
      );
      for (const f of matches) {
        if (seen.has(f)) continue;
        seen.add(f);
        for (const fix of f.fixes) {
          let edits: TextEditAt[];
          try {
            edits = fix.edits();
          } catch (e) {
            this.logger.error(`crosswire: fix "${fix.title}" failed: ${errorStack(e)}`);
            continue;
          }
          if (edits.length === 0) continue;
          push(fix.title, d, edits, fix);
        }
        // "Disable <rule> for this line", like ESLint's: writes a crosswire-disable-next-line comment above it.
        const disable = this.engine.disableEdit(f);
        if (disable) push(`Disable ${f.ruleId} for this line`, d, [disable], { title: `Disable ${f.ruleId} for this line`, edits: () => [disable] });
      }
    }
    return { actions, stale };
  }

  // -------------------------------------------------------------------------------------------
  // commands

  private async onExecuteCommand(p: ExecuteCommandParams, token?: CancellationToken): Promise<AuditResult | ResponseError<void> | null> {
    if (this.shuttingDown) return afterShutdown();
    if (p.command !== AuditCommand) return new ResponseError(ErrorCodes.InvalidParams, `unknown command ${p.command}`);
    const cancelled = () => new ResponseError<void>(LSPErrorCodes.RequestCancelled, 'crosswire: audit cancelled');
    try {
      await this.flush();
      if (token?.isCancellationRequested) return cancelled();
      if (!this.engine) {
        if (this.engineFailed) await this.createEngine();
        if (!this.engine) return new ResponseError(ErrorCodes.InternalError, `crosswire: indexing failed: ${this.engineFailed ?? 'not ready'}`);
      }
      const result = await this.enqueue(async () => {
        const engine = this.engine!;
        const t0 = Date.now();
        this.sendStatus({ state: 'indexing', roots: [...this.roots] }, true);
        await engine.reindex(); // open documents' overlays survive a re-index
        await this.applyPending();
        this.publishAll(Date.now() - t0, true);
        // Cancelled mid-way: the index and the diagnostics are current; only the report is not made.
        if (token?.isCancellationRequested) return cancelled();
        const findings = engine.findings();
        const apps = engine.apps();
        const byRule: Record<string, number> = {};
        for (const f of findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
        const markdown = renderAuditReport({ roots: [...this.roots], apps, findings, rules: engine.rules, docsBaseUri: this.docs.baseUri(), linkBase: this.roots[0] });
        const r: AuditResult = { markdown, findings: findings.length, apps: apps.length, byRule, roots: [...this.roots] };
        return r;
      });
      if (result instanceof ResponseError) return result;
      return result ?? new ResponseError(ErrorCodes.InternalError, 'crosswire: audit failed (see the output log)');
    } catch (e) {
      this.logger.error(`crosswire: audit failed: ${errorStack(e)}`);
      return new ResponseError(ErrorCodes.InternalError, `crosswire: audit failed: ${errorText(e)}`);
    }
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

  private async guardRequest<T>(what: string, fn: () => Promise<T>, fallback: T): Promise<T | ResponseError<void>> {
    if (this.shuttingDown) return afterShutdown();
    try {
      return await fn();
    } catch (e) {
      this.logger.error(`crosswire: ${what}: ${errorStack(e)}`);
      return fallback;
    }
  }
}

/** LSP: after `shutdown`, every request but `exit` fails with InvalidRequest. */
function afterShutdown(): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidRequest, 'crosswire: the server is shutting down');
}

function rootsOf(params: InitializeParams): string[] {
  const roots: string[] = [];
  const add = (p: string | undefined) => {
    if (p && !roots.includes(p)) roots.push(p);
  };
  if (params.workspaceFolders && params.workspaceFolders.length > 0) {
    for (const f of params.workspaceFolders) add(folderPath(f));
  } else if (params.rootUri) {
    add(uriToFile(params.rootUri));
  } else if (params.rootPath) {
    add(path.resolve(params.rootPath));
  }
  return roots;
}

/**
 * The folder of a workspace folder URI; undefined when it names something that is not a folder (a
 * file given as a workspace folder would become the root of itself, and its findings would vanish:
 * the file is then indexed through the folder that holds it, if any). A folder that does not exist
 * yet is kept.
 */
function folderPath(f: WorkspaceFolder): string | undefined {
  const p = uriToFile(f.uri);
  if (!p) return undefined;
  try {
    if (!fs.statSync(p).isDirectory()) {
      notFolders.add(p);
      return undefined;
    }
  } catch {
    /* not there (yet): kept */
  }
  return p;
}

/** Workspace folder URIs that named a file (logged once the connection is up). */
const notFolders = new Set<string>();

function isString(x: unknown): x is string {
  return typeof x === 'string';
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function errorStack(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
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
