/**
 * A small real LSP client for protocol tests: spawns the built server bundle over stdio and
 * speaks JSON-RPC to it with vscode-jsonrpc, like an editor would.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type {
  CodeAction,
  Command,
  Diagnostic,
  DocumentDiagnosticReport,
  FileEvent,
  InitializeResult,
  PublishDiagnosticsParams,
  Range,
  TextDocumentContentChangeEvent,
  WorkspaceDiagnosticReport,
} from 'vscode-languageserver-protocol';
import { URI } from 'vscode-uri';

import { REPO_ROOT } from './files';

export { REPO_ROOT };
export const SERVER_BUNDLE = path.join(REPO_ROOT, 'server', 'dist', 'server.js');
/** The Node flags the VS Code client starts the server with (package.json crosswireServer.execArgv). */
export const SERVER_EXEC_ARGV: string[] = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).crosswireServer?.execArgv ?? [];

export const FileChange = { Created: 1, Changed: 2, Deleted: 3 } as const;

/** A code action (not a bare command) among a codeAction response. */
export function isAction(a: CodeAction | Command): a is CodeAction {
  return typeof (a as CodeAction).kind === 'string' || (a as CodeAction).edit !== undefined;
}

export function uriOf(file: string): string {
  return URI.file(file).toString();
}

export function fileOf(uri: string): string {
  return URI.parse(uri).fsPath;
}

export interface ClientOptions {
  folders: string[];
  /** Client capabilities to turn off, for testing fallbacks. */
  relatedInformation?: boolean;
  documentChanges?: boolean;
  trace?: 'off' | 'messages' | 'verbose';
  env?: NodeJS.ProcessEnv;
  /** `window/showDocument` support (LSP 3.16); on by default. */
  showDocument?: boolean;
  /** Keep everything the server writes to stdout (the raw JSON-RPC stream) in `stdout`. */
  captureStdout?: boolean;
  /** Advertise LSP 3.17 pull diagnostics (`textDocument.diagnostic`), as VS Code does. */
  pullDiagnostics?: boolean;
  /** Advertise `workspace.diagnostics.refreshSupport` (defaults to `pullDiagnostics`). */
  diagnosticRefresh?: boolean;
  /** `initializationOptions` of the initialize request. */
  initializationOptions?: unknown;
}

type Waiter = { check: () => boolean; resolve: () => void };

export class LspClient {
  readonly proc: ChildProcess;
  readonly connection: MessageConnection;
  /** uri -> last published diagnostics. */
  readonly diagnostics = new Map<string, Diagnostic[]>();
  /** Every publishDiagnostics notification, in order. */
  readonly publications: PublishDiagnosticsParams[] = [];
  readonly statuses: unknown[] = [];
  readonly logs: { type: number; message: string }[] = [];
  readonly registrations: { id: string; method: string; registerOptions?: unknown }[] = [];
  /** `window/showDocument` requests the server sent. */
  readonly shownDocuments: { uri: string; external?: boolean; takeFocus?: boolean }[] = [];
  stderr = '';
  /** The raw stdout stream (with `captureStdout`). */
  stdout = '';
  /** `$/logTrace` notifications. */
  readonly traces: { message: string; verbose?: string }[] = [];
  initializeResult: InitializeResult | undefined;
  /** How many `workspace/diagnostic/refresh` requests the server sent. */
  refreshes = 0;
  private readonly waiters = new Set<Waiter>();
  private readonly versions = new Map<string, number>();
  private exitCode: number | null | undefined;
  private readonly exited: Promise<number | null>;

  private constructor(readonly options: ClientOptions) {
    this.proc = spawn(process.execPath, [...SERVER_EXEC_ARGV, SERVER_BUNDLE, '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code) => {
        this.exitCode = code;
        this.notify();
        resolve(code);
      });
    });
    this.proc.stderr!.setEncoding('utf8');
    this.proc.stderr!.on('data', (d: string) => {
      this.stderr += d;
    });
    if (options.captureStdout) {
      this.proc.stdout!.on('data', (d: Buffer) => {
        this.stdout += d.toString('utf8');
      });
    }
    this.connection = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.publications.push(p);
      this.diagnostics.set(p.uri, p.diagnostics);
      this.notify();
    });
    this.connection.onNotification('crosswire/status', (p: unknown) => {
      this.statuses.push(p);
      this.notify();
    });
    this.connection.onNotification('window/logMessage', (p: { type: number; message: string }) => {
      this.logs.push(p);
    });
    this.connection.onRequest('client/registerCapability', (p: { registrations: { id: string; method: string; registerOptions?: unknown }[] }) => {
      this.registrations.push(...p.registrations);
      this.notify();
      return null;
    });
    this.connection.onRequest('client/unregisterCapability', () => null);
    this.connection.onRequest('workspace/diagnostic/refresh', () => {
      this.refreshes++;
      this.notify();
      return null;
    });
    this.connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('workspace/applyEdit', () => ({ applied: false }));
    this.connection.onRequest('window/showDocument', (p: { uri: string; external?: boolean; takeFocus?: boolean }) => {
      this.shownDocuments.push(p);
      this.notify();
      return { success: true };
    });
    this.connection.onNotification('$/progress', () => undefined);
    this.connection.onNotification('$/logTrace', (p: { message: string; verbose?: string }) => {
      this.traces.push(p);
    });
    this.connection.onNotification('window/showMessage', (p: { type: number; message: string }) => {
      this.logs.push(p);
    });
    this.connection.listen();
  }

  static async start(options: ClientOptions): Promise<LspClient> {
    const client = new LspClient(options);
    try {
      await client.initialize();
    } catch (e) {
      client.kill();
      throw e;
    }
    return client;
  }

  private async initialize(): Promise<void> {
    const o = this.options;
    const folders = o.folders.map((f) => ({ uri: uriOf(f), name: path.basename(f) }));
    this.initializeResult = await this.connection.sendRequest<InitializeResult>('initialize', {
      processId: process.pid,
      clientInfo: { name: 'crosswire-protocol-test' },
      rootUri: folders[0]?.uri ?? null,
      workspaceFolders: folders,
      trace: o.trace ?? 'off',
      ...(o.initializationOptions !== undefined ? { initializationOptions: o.initializationOptions } : {}),
      capabilities: {
        workspace: {
          applyEdit: true,
          workspaceEdit: { documentChanges: o.documentChanges ?? true },
          didChangeWatchedFiles: { dynamicRegistration: true },
          workspaceFolders: true,
          ...((o.diagnosticRefresh ?? o.pullDiagnostics) ? { diagnostics: { refreshSupport: true } } : {}),
          executeCommand: { dynamicRegistration: false },
          configuration: true,
        },
        window: { showDocument: { support: o.showDocument ?? true } },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: true },
          publishDiagnostics: {
            relatedInformation: o.relatedInformation ?? true,
            codeDescriptionSupport: true,
            dataSupport: true,
            versionSupport: false,
          },
          ...(o.pullDiagnostics ? { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } } : {}),
          codeAction: {
            dataSupport: true,
            isPreferredSupport: true,
            codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'source'] } },
          },
        },
      },
    });
    await this.connection.sendNotification('initialized', {});
  }

  private notify(): void {
    for (const w of [...this.waiters]) {
      if (w.check()) {
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }

  /** Resolves when `predicate` holds (checked now and after every notification), rejects after the timeout. */
  waitFor(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        check: () => {
          if (this.exitCode !== undefined) {
            clearTimeout(timer);
            reject(new Error(`server exited (${this.exitCode}) while waiting for ${what}\n${this.stderr}`));
            return true;
          }
          return predicate();
        },
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  /** Waits until the diagnostics (uri -> last published) satisfy the predicate. */
  waitForDiagnostics(predicate: (all: Map<string, Diagnostic[]>) => boolean, timeoutMs = 20_000, what = 'diagnostics'): Promise<void> {
    return this.waitFor(what, () => predicate(this.diagnostics), timeoutMs);
  }

  /** Waits for a `crosswire/status` with state ready, after `afterCount` statuses. */
  waitForReady(afterCount = 0, timeoutMs = 30_000): Promise<void> {
    return this.waitFor('crosswire/status ready', () => this.statuses.slice(afterCount).some((s) => (s as { state?: string }).state === 'ready'), timeoutMs);
  }

  diagnosticsOf(file: string): Diagnostic[] {
    return this.diagnostics.get(uriOf(file)) ?? [];
  }

  didOpen(file: string, text: string, languageId = 'plaintext'): Promise<void> {
    const uri = uriOf(file);
    this.versions.set(uri, 1);
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Sends changes (full text when `changes` is a string). */
  didChange(file: string, changes: string | TextDocumentContentChangeEvent[]): Promise<void> {
    const uri = uriOf(file);
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    const contentChanges = typeof changes === 'string' ? [{ text: changes }] : changes;
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
  }

  didClose(file: string): Promise<void> {
    const uri = uriOf(file);
    this.versions.delete(uri);
    return this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  versionOf(file: string): number | undefined {
    return this.versions.get(uriOf(file));
  }

  didChangeWatchedFiles(changes: { file: string; type: number }[]): Promise<void> {
    const events: FileEvent[] = changes.map((c) => ({ uri: uriOf(c.file), type: c.type as FileEvent['type'] }));
    return this.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: events });
  }

  didChangeWorkspaceFolders(added: string[], removed: string[]): Promise<void> {
    const folder = (f: string) => ({ uri: uriOf(f), name: path.basename(f) });
    return this.connection.sendNotification('workspace/didChangeWorkspaceFolders', {
      event: { added: added.map(folder), removed: removed.map(folder) },
    });
  }

  codeActions(file: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<(CodeAction | Command)[] | null> {
    return this.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: uriOf(file) },
      range,
      context: { diagnostics, ...(only ? { only } : {}) },
    });
  }

  /** `textDocument/diagnostic` (pull). */
  pullDiagnostics(file: string, previousResultId?: string): Promise<DocumentDiagnosticReport> {
    return this.connection.sendRequest('textDocument/diagnostic', {
      textDocument: { uri: uriOf(file) },
      identifier: 'crosswire',
      ...(previousResultId !== undefined ? { previousResultId } : {}),
    });
  }

  /** `workspace/diagnostic` (pull), with the result ids the client holds (uri -> id). */
  pullWorkspaceDiagnostics(previous: Map<string, string> = new Map()): Promise<WorkspaceDiagnosticReport> {
    return this.connection.sendRequest('workspace/diagnostic', {
      identifier: 'crosswire',
      previousResultIds: [...previous].map(([uri, value]) => ({ uri, value })),
    });
  }

  executeCommand<T = unknown>(command: string, args: unknown[] = []): Promise<T> {
    return this.connection.sendRequest('workspace/executeCommand', { command, arguments: args });
  }

  /** shutdown + exit; resolves with the server's exit code. */
  async shutdown(timeoutMs = 5_000): Promise<number | null> {
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    const code = await Promise.race([this.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref())]);
    this.connection.dispose();
    if (code === 'timeout') {
      this.kill();
      throw new Error('server did not exit after shutdown + exit');
    }
    return code;
  }

  /** Kills the server if it still runs (for failures). */
  kill(): void {
    try {
      this.connection.dispose();
    } catch {
      /* already disposed */
    }
    if (this.exitCode === undefined && this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}
