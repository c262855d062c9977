/** Workspace folders: the roots an `initialize` names, and the folder of a workspace folder URI. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InitializeParams, WorkspaceFolder } from 'vscode-languageserver/node';
import { uriToFile } from './convert';

export function rootsOf(params: InitializeParams): string[] {
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
export function folderPath(f: WorkspaceFolder): string | undefined {
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

/** Hands over (and forgets) the workspace folder URIs that named a file since the last call. */
export function takeNotFolders(): string[] {
  const list = [...notFolders];
  notFolders.clear();
  return list;
}
