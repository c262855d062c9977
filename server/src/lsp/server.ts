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
  TextDocuments,
  Trace,
  TextDocumentSyncKind,
  WorkspaceFolder,
  WorkspaceFoldersChangeEvent,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Engine } from '../engine';
import type { CrosswireConfig, Finding, Logger, Rule, SeveritySetting } from '../model/types';
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
  '**/docker-compose*.{yml,yaml}',
  '**/compose*.{yml,yaml}',
  '**/pyproject.toml',
];

export const DEBOUNCE_MS = 50;

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

  /** uri -> diagnostics last sent. */
  private readonly published = new Map<string, Diagnostic[]>();
  /** canonical uri -> current findings in that file (from the last publish). */
  private findingsByUri = new Map<string, Finding[]>();
  private lastFindings: Finding[] = [];
  private lastStatusKey = '';

  private readonly pendingOverlays = new Map<string, string | undefined>();
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
      info: (m) => connection.console.info(m),
      warn: (m) => connection.console.warn(m),
      error: (m) => connection.console.error(m),
      debug: (m) => {
        if (debugOn()) connection.console.log(`[debug] ${m}`);
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

    this.documents.onDidChangeContent((e) => this.guard('didChange', () => this.overlay(e.document.uri, e.document.getText())));
    this.documents.onDidClose((e) => this.guard('didClose', () => this.overlay(e.document.uri, undefined)));
    this.documents.listen(c);

    c.onDidChangeWatchedFiles((p) => this.guard('didChangeWatchedFiles', () => this.onWatchedFiles(p)));
    c.onCodeAction((p) => this.guardRequest('codeAction', () => this.onCodeAction(p), [] as CodeAction[]));
    c.onHover((p) => this.guardRequest('hover', () => this.onHover(p), null));
    c.onDefinition((p) => this.guardRequest('definition', () => this.onDefinition(p), [] as LspLocation[]));
    c.onDidChangeConfiguration((p) => this.guard('didChangeConfiguration', () => this.onConfiguration(p)));
    c.onExecuteCommand((p) => this.onExecuteCommand(p));
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
    await this.enqueue(async () => {
      const t0 = Date.now();
      this.sendStatus({ state: 'indexing', roots: [...this.roots] }, true);
      if (this.roots.length === 0) this.logger.warn('crosswire: no workspace folder; nothing to index');
      try {
        this.engine = await Engine.create({ roots: [...this.roots], logger: this.logger, config: this.settingsConfig });
        this.engineFailed = undefined;
      } catch (e) {
        this.engine = undefined;
        this.engineFailed = errorText(e);
        this.logger.error(`crosswire: indexing failed: ${errorStack(e)}`);
        this.sendStatus({ state: 'error', message: this.engineFailed }, true);
        return;
      }
      this.rulesById = new Map(this.engine.rules.map((r) => [r.id, r]));
      // Documents opened while indexing: their unsaved text wins over the disk.
      for (const doc of this.documents.all()) {
        const file = uriToFile(doc.uri);
        if (file) this.pendingOverlays.set(file, doc.getText());
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
    this.logger.info(`crosswire: workspace folders changed; re-indexing ${next.length} folder(s)`);
    await this.createEngine();
  }

  // -------------------------------------------------------------------------------------------
  // changes

  private overlay(uri: string, text: string | undefined): void {
    const file = uriToFile(uri);
    if (!file) return;
    this.pendingOverlays.set(file, text);
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

  private schedule(): void {
    if (this.shuttingDown) return;
    if (this.timer) clearTimeout(this.timer);
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
    this.pendingOverlays.clear();
    for (const [file, text] of overlays) {
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
    let findings: Finding[];
    try {
      findings = engine.findings();
    } catch (e) {
      this.logger.error(`crosswire: rules failed: ${errorStack(e)}`);
      return;
    }
    this.lastFindings = findings;
    const byUri = new Map<string, Finding[]>();
    for (const f of findings) {
      const uri = fileToUri(f.location.file);
      let list = byUri.get(uri);
      if (!list) byUri.set(uri, (list = []));
      list.push(f);
    }
    this.findingsByUri = byUri;
    const opts = {
      relatedInformation: this.caps.relatedInformation,
      docs: this.docs,
      rules: this.rulesById,
      displayPath: (file: string) => this.displayPath(file),
    };
    let sent = 0;
    for (const [uri, list] of byUri) {
      const diagnostics = list.map((f) => toDiagnostic(f, opts));
      if (sameDiagnostics(this.published.get(uri), diagnostics)) continue;
      this.published.set(uri, diagnostics);
      this.send(uri, diagnostics);
      sent++;
    }
    for (const [uri, old] of [...this.published]) {
      if (byUri.has(uri)) continue;
      this.published.delete(uri);
      if (old.length > 0) {
        this.send(uri, []);
        sent++;
      }
    }
    this.logger.debug?.(`published ${sent} file(s); ${findings.length} finding(s) in ${durationMs} ms`);
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.filter((f) => f.severity === 'warning').length;
    this.sendStatus({ state: 'ready', apps: engine.apps().length, findings: findings.length, errors, warnings, durationMs }, forceStatus);
  }

  private send(uri: string, diagnostics: Diagnostic[]): void {
    this.connection.sendDiagnostics({ uri, diagnostics }).catch((e) => this.logger.warn(`crosswire: ${errorText(e)}`));
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

  private async onCodeAction(p: CodeActionParams): Promise<CodeAction[]> {
    if (p.context.only && !p.context.only.some((k) => CodeActionKind.QuickFix === k || CodeActionKind.QuickFix.startsWith(k + '.') || k === CodeActionKind.Empty)) {
      return [];
    }
    await this.flush();
    if (!this.engine) return [];
    const file = uriToFile(p.textDocument.uri);
    if (!file) return [];
    const inFile = this.findingsByUri.get(fileToUri(file)) ?? [];
    const actions: CodeAction[] = [];
    const seen = new Set<Finding>();
    for (const d of p.context.diagnostics) {
      if (d.source !== SOURCE) continue;
      const data = d.data as Partial<DiagnosticData> | undefined;
      const ruleId = typeof data?.ruleId === 'string' ? data.ruleId : typeof d.code === 'string' ? d.code : undefined;
      if (!ruleId) continue;
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
          let edits;
          try {
            edits = fix.edits();
          } catch (e) {
            this.logger.error(`crosswire: fix "${fix.title}" failed: ${errorStack(e)}`);
            continue;
          }
          if (edits.length === 0) continue;
          const edit = toWorkspaceEdit(edits, {
            documentChanges: this.caps.documentChanges,
            versionOf: (uri) => this.documents.get(uri)?.version,
          });
          actions.push(toCodeAction(fix, d, edit));
          // Titles only: edit texts may hold freshly generated secrets.
          this.logger.debug?.(`code action "${fix.title}" (${edits.length} edit(s))`);
        }
        // "Disable <rule> for this line", like ESLint's: writes a crosswire-disable-next-line comment above it.
        const disable = this.engine.disableEdit(f);
        if (disable) {
          const edit = toWorkspaceEdit([disable], { documentChanges: this.caps.documentChanges, versionOf: (uri) => this.documents.get(uri)?.version });
          actions.push(toCodeAction({ title: `Disable ${f.ruleId} for this line`, edits: () => [disable] }, d, edit));
        }
      }
    }
    return actions;
  }

  // -------------------------------------------------------------------------------------------
  // commands

  private async onExecuteCommand(p: ExecuteCommandParams): Promise<AuditResult | ResponseError<void> | null> {
    if (p.command !== AuditCommand) return new ResponseError(ErrorCodes.InvalidParams, `unknown command ${p.command}`);
    try {
      await this.flush();
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
        const findings = this.lastFindings;
        const apps = engine.apps();
        const byRule: Record<string, number> = {};
        for (const f of findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
        const markdown = renderAuditReport({ roots: [...this.roots], apps, findings, rules: engine.rules, docsBaseUri: this.docs.baseUri() });
        const r: AuditResult = { markdown, findings: findings.length, apps: apps.length, byRule, roots: [...this.roots] };
        return r;
      });
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

  private async guardRequest<T>(what: string, fn: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      this.logger.error(`crosswire: ${what}: ${errorStack(e)}`);
      return fallback;
    }
  }
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

function folderPath(f: WorkspaceFolder): string | undefined {
  return uriToFile(f.uri);
}

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
