import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function errorStack(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/** LSP: after `shutdown`, every request but `exit` fails with InvalidRequest. */
export function afterShutdown<D = void>(): ResponseError<D> {
  return new ResponseError<D>(ErrorCodes.InvalidRequest, 'crosswire: the server is shutting down');
}
