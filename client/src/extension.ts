// The Crosswire VS Code extension: a thin client. It starts the Crosswire language server (bundled at
// server/dist/server.js, spoken to over stdio), shows its state in the status bar, and offers three
// commands. Every diagnostic, quick fix and report comes from the server; nothing is analysed here.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  DocumentSelector,
  ErrorAction,
  DynamicFeature,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RegistrationData,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  StaticFeature,
  TransportKind,
} from 'vscode-languageclient/node';
// Shared with the server (bundled by esbuild): the custom protocol, and the table of the files Crosswire reads.
import { FILE_GLOBS } from '../../server/src/model/file-kinds';
import {
  AUDIT_COMMAND,
  AuditResult,
  CLIENT_COMMANDS,
  InitializationOptions,
  RESTART_COMMAND,
  SHOW_OUTPUT_COMMAND,
  STATUS_NOTIFICATION,
  StatusParams,
} from '../../server/src/lsp/protocol';
import { redactTrace } from './redact';
import { RestartPolicy } from './restartPolicy';

const CLIENT_ID = 'crosswire'; // also makes the client honour the `crosswire.trace.server` setting
const CLIENT_NAME = 'Crosswire';

/** The files the server indexes (model/file-kinds.ts); changes on disk are forwarded to it as `workspace/didChangeWatchedFiles`. */
export const WATCHED_FILES_GLOBS: readonly string[] = FILE_GLOBS;

/** The documents whose (unsaved) text the server analyses: the same files, and any document of the dotenv language. */
export const DOCUMENT_SELECTOR: DocumentSelector = [{ scheme: 'file', language: 'dotenv' }, ...FILE_GLOBS.map((pattern) => ({ scheme: 'file', pattern }))];

/** What `activate` returns: used by the in-editor tests. */
export interface CrosswireApi {
  /** The running language client, or undefined while `crosswire.enable` is false. */
  readonly client: LanguageClient | undefined;
  /** The last `crosswire/status` the server sent. */
  readonly status: StatusParams | undefined;
  /** Resolves once the server has finished its first indexing pass (or rejects if it cannot start). */
  ready(): Promise<void>;
}

/** A LanguageClient that leaves the commands the extension registers itself to the extension: if the
 *  server also lists them in `executeCommandProvider`, registering them twice would make VS Code throw
 *  and the client fail to start. */
class CrosswireLanguageClient extends LanguageClient {
  // biome-ignore lint/suspicious/noExplicitAny: vscode-languageclient's own signature
  override registerFeature(feature: StaticFeature | DynamicFeature<any>): void {
    // biome-ignore lint/suspicious/noExplicitAny: as above
    const dynamic = feature as Partial<DynamicFeature<any>>;
    if (dynamic.registrationType?.method === ExecuteCommandRequest.method && typeof dynamic.register === 'function') {
      const register = dynamic.register.bind(feature);
      // biome-ignore lint/suspicious/noExplicitAny: as above
      dynamic.register = (data: RegistrationData<any>) => {
        const commands: string[] | undefined = data.registerOptions?.commands;
        register({
          ...data,
          registerOptions: { ...data.registerOptions, commands: commands?.filter((c) => !CLIENT_COMMANDS.has(c)) },
        });
      };
    }
    super.registerFeature(feature);
  }
}

let client: LanguageClient | undefined;
let lastStatus: StatusParams | undefined;
let output: vscode.LogOutputChannel | undefined;
let statusItem: vscode.StatusBarItem | undefined;
/** Like ESLint's: shown in the language status area of the files Crosswire reads. */
let languageStatus: vscode.LanguageStatusItem | undefined;
let firstReady: { promise: Promise<void>; resolve(): void; reject(e: unknown): void } | undefined;

function deferred(): { promise: Promise<void>; resolve(): void; reject(e: unknown): void } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // a rejection nobody waits for is not an error
  return { promise, resolve, reject };
}

export async function activate(context: vscode.ExtensionContext): Promise<CrosswireApi> {
  output = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  context.subscriptions.push(output);

  statusItem = vscode.window.createStatusBarItem('crosswire.status', vscode.StatusBarAlignment.Left, 0);
  statusItem.name = CLIENT_NAME;
  statusItem.command = AUDIT_COMMAND;
  context.subscriptions.push(statusItem);
  languageStatus = vscode.languages.createLanguageStatusItem('crosswire.languageStatus', DOCUMENT_SELECTOR as vscode.DocumentSelector);
  languageStatus.name = CLIENT_NAME;
  context.subscriptions.push(languageStatus);
  showStatus('$(sync~spin) Crosswire: starting', 'Crosswire is starting its language server');

  context.subscriptions.push(
    vscode.commands.registerCommand(AUDIT_COMMAND, () => audit()),
    vscode.commands.registerCommand(RESTART_COMMAND, () => restart(context)),
    vscode.commands.registerCommand(SHOW_OUTPUT_COMMAND, () => output?.show(true)),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration('crosswire.enable')) return;
      if (isEnabled()) await start(context);
      else await stop();
    }),
  );

  firstReady = deferred();
  if (isEnabled()) {
    // Do not hold up activation on the first indexing pass; `ready()` waits for it.
    start(context).catch((e) => firstReady?.reject(e));
  } else {
    showStatus('$(circle-slash) Crosswire: disabled', 'Crosswire is disabled (setting crosswire.enable)');
  }

  return {
    get client() {
      return client;
    },
    get status() {
      return lastStatus;
    },
    ready: () => firstReady!.promise,
  };
}

export async function deactivate(): Promise<void> {
  await stop();
}

function isEnabled(): boolean {
  return vscode.workspace.getConfiguration('crosswire').get<boolean>('enable', true);
}

/** Restarts a server that died, a bounded number of times, telling the user once (see restartPolicy.ts). */
const restartPolicy = new RestartPolicy();

/** The output channel for LSP traces: the same channel, with document texts and edit texts redacted. */
function redactingChannel(channel: vscode.LogOutputChannel): vscode.LogOutputChannel {
  const redacted = new Set(['append', 'appendLine', 'replace', 'trace', 'debug', 'info', 'warn', 'error']);
  return new Proxy(channel, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (typeof prop === 'string' && redacted.has(prop)) {
        return (message: unknown, ...rest: unknown[]) =>
          (value as (...a: unknown[]) => unknown).call(target, typeof message === 'string' ? redactTrace(message) : message, ...rest);
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

function createClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath('server/dist/server.js');
  // The server's Node flags live in package.json (crosswireServer.execArgv), where the tests and the benchmark read them too.
  const execArgv = (context.extension.packageJSON as { crosswireServer?: { execArgv?: string[] } }).crosswireServer?.execArgv ?? [];
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio, options: { execArgv } },
    debug: { module, transport: TransportKind.stdio, options: { execArgv: [...execArgv, '--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    synchronize: {
      configurationSection: 'crosswire',
      fileEvents: WATCHED_FILES_GLOBS.map((glob) => vscode.workspace.createFileSystemWatcher(glob)),
    },
    initializationOptions: {
      extensionPath: context.extensionPath,
      maxFileSize: vscode.workspace.getConfiguration('crosswire').get<number>('maxFileSize'),
      // Push diagnostics in VS Code: with pull, the code-server e2e run showed a reverted edit's findings staying in
      // the Problems panel (intermittently, not reproduced over the protocol); push is the mode proven there.
      diagnostics: 'push',
    } satisfies InitializationOptions,
    outputChannel: output,
    traceOutputChannel: output ? redactingChannel(output) : undefined,
    errorHandler: {
      error: (_error, _message, count) => ({
        action: restartPolicy.onError(count) === 'continue' ? ErrorAction.Continue : ErrorAction.Shutdown,
        handled: true,
      }),
      closed: () => {
        const decision = restartPolicy.onClosed();
        output?.warn(decision.log);
        if (decision.notify) {
          const show = decision.notify.severity === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
          void show(decision.notify.text, 'Show output').then((choice) => {
            if (choice) output?.show(true);
          });
        }
        return { action: decision.restart ? CloseAction.Restart : CloseAction.DoNotRestart, handled: true };
      },
    },
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationFailedHandler: (error) => {
      output?.error(`Crosswire server failed to initialize: ${String(error)}`);
      return false;
    },
  };
  const created = new CrosswireLanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  created.onNotification(STATUS_NOTIFICATION, (params: StatusParams) => onStatus(params));
  created.onDidChangeState((e) => {
    if (e.newState === State.Stopped) {
      showStatus('$(error) Crosswire: stopped', 'The Crosswire language server is not running. Click to show its output.', SHOW_OUTPUT_COMMAND);
    } else if (e.newState === State.Starting) {
      showStatus('$(sync~spin) Crosswire: starting', 'Crosswire is starting its language server');
    }
  });
  return created;
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  if (client) return;
  client = createClient(context);
  try {
    await client.start();
  } catch (e) {
    output?.error(`Crosswire server could not start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    showStatus('$(error) Crosswire: failed to start', 'The Crosswire language server could not start. Click to show its output.', SHOW_OUTPUT_COMMAND);
    throw e;
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  lastStatus = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (e) {
      output?.error(`Crosswire server did not stop cleanly: ${String(e)}`);
    }
  }
  showStatus('$(circle-slash) Crosswire: disabled', 'Crosswire is disabled (setting crosswire.enable)');
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  if (!isEnabled()) {
    void vscode.window.showInformationMessage('Crosswire is disabled (setting crosswire.enable).');
    return;
  }
  restartPolicy.reset();
  if (client && client.state !== State.Stopped) {
    await client.restart();
  } else {
    await stop();
    await start(context);
  }
}

function onStatus(params: StatusParams): void {
  lastStatus = params;
  switch (params.state) {
    case 'indexing': {
      showStatus('$(sync~spin) Crosswire: indexing…', 'Crosswire is indexing the workspace');
      return;
    }
    case 'ready': {
      const apps = plural(params.apps, 'app');
      const findings = plural(params.findings, 'finding');
      const icon = params.findings > 0 ? '$(warning)' : '$(check)';
      const took = ` Last analysis took ${Math.round(params.durationMs)} ms.`;
      showStatus(`${icon} Crosswire: ${apps}, ${findings}`, `Crosswire: ${apps}, ${findings}.${took} Click to audit the workspace.`);
      firstReady?.resolve();
      return;
    }
    case 'error':
      output?.error(`Crosswire server: ${params.message}`);
      showStatus('$(error) Crosswire: error', `Crosswire: ${params.message}. Click to show the output.`, SHOW_OUTPUT_COMMAND);
      return;
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function showStatus(text: string, tooltip: string, command: string = AUDIT_COMMAND): void {
  if (!statusItem) return;
  statusItem.text = text;
  statusItem.tooltip = tooltip;
  statusItem.command = command;
  statusItem.show();
  if (languageStatus) {
    languageStatus.text = text;
    languageStatus.detail = tooltip;
    languageStatus.busy = text.includes('~spin');
    languageStatus.severity = text.startsWith('$(error)')
      ? vscode.LanguageStatusSeverity.Error
      : text.startsWith('$(warning)')
        ? vscode.LanguageStatusSeverity.Warning
        : vscode.LanguageStatusSeverity.Information;
    languageStatus.command = { title: command === AUDIT_COMMAND ? 'Audit workspace' : 'Show output', command };
  }
}

/** "Crosswire: Audit workspace": the server re-indexes, republishes every diagnostic and returns a
 *  markdown report, which is opened in a new untitled document and shown as a preview. */
async function audit(): Promise<(AuditResult & { document: vscode.Uri }) | undefined> {
  const running = client;
  if (!running || !running.isRunning()) {
    const choice = await vscode.window.showErrorMessage(
      isEnabled() ? 'The Crosswire language server is not running.' : 'Crosswire is disabled (setting crosswire.enable).',
      'Show output',
    );
    if (choice) output?.show(true);
    return undefined;
  }
  let result: AuditResult | null;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Crosswire: auditing the workspace' },
      () => running.sendRequest(ExecuteCommandRequest.type, { command: AUDIT_COMMAND, arguments: [] }) as Promise<AuditResult | null>,
    );
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    output?.error(`Crosswire audit failed: ${message}`);
    void vscode.window.showErrorMessage(`Crosswire: the audit failed: ${message}`);
    return undefined;
  }
  if (!result || typeof result.markdown !== 'string') {
    void vscode.window.showErrorMessage('Crosswire: the server returned no audit report.');
    return undefined;
  }
  // An untitled document placed in the first workspace folder: the report's relative links
  // (`app/.env#L3`) then open the files from the Markdown preview, which does not follow file: links.
  const base = result.roots?.[0];
  let document: vscode.TextDocument;
  if (base) {
    const uri = vscode.Uri.file(path.join(base, 'Crosswire audit.md')).with({ scheme: 'untitled' });
    document = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(0, 0, document.lineCount, 0), result.markdown);
    await vscode.workspace.applyEdit(edit);
    await vscode.languages.setTextDocumentLanguage(document, 'markdown');
  } else {
    document = await vscode.workspace.openTextDocument({ language: 'markdown', content: result.markdown });
  }
  try {
    await vscode.commands.executeCommand('markdown.showPreview', document.uri);
  } catch {
    await vscode.window.showTextDocument(document, { preview: false });
  }
  return { ...result, document: document.uri };
}
