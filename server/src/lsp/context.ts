/**
 * The state the parts of the language server share: the connection, the open documents, the engine (replaced by
 * every re-indexing), the workspace folders and what the client can do. Each concern (documents.ts,
 * publishing.ts, code-actions.ts, settings.ts, commands.ts) reads it; server.ts owns its lifecycle.
 */
import type { Connection } from 'vscode-languageserver/node';
import { TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Engine } from '../engine';
import type { Logger } from '../model/types';
import type { RuleMeta as Rule } from '../model/rule';
import type { DocsResolver } from './convert';

export interface ClientCaps {
  relatedInformation: boolean;
  documentChanges: boolean;
  dynamicWatch: boolean;
  workspaceFolders: boolean;
  /** The client pulls diagnostics (LSP 3.17 `textDocument.diagnostic`): it gets no push. */
  pullDiagnostics: boolean;
  /** The client handles `workspace/diagnostic/refresh`. */
  diagnosticRefresh: boolean;
  /** `window/showDocument` (LSP 3.16): the server can ask the client to open a URI. */
  showDocument?: boolean;
}

export class ServerContext {
  readonly documents = new TextDocuments(TextDocument);
  /** The current engine; undefined before the first indexing pass ends, or when it failed ({@link engineFailed}). */
  engine: Engine | undefined;
  engineFailed: string | undefined;
  roots: string[] = [];
  caps: ClientCaps = {
    relatedInformation: false,
    documentChanges: false,
    dynamicWatch: false,
    workspaceFolders: false,
    pullDiagnostics: false,
    diagnosticRefresh: false,
  };
  rulesById = new Map<string, Rule>();
  shuttingDown = false;

  constructor(
    readonly connection: Connection,
    readonly logger: Logger,
    readonly docs: DocsResolver,
  ) {}
}
