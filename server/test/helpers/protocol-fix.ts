/**
 * One quick fix through the real language server: start the built server on a workspace, find the diagnostic of a
 * rule on a line, request its code actions, apply the chosen WorkspaceEdit to the files on disk, send
 * didChangeWatchedFiles, and wait until the diagnostic is gone.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { CodeAction, Diagnostic, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { FileChange, LspClient, fileOf, isAction } from './lsp-client';
import { LineIndex } from '../../src/model/text';

/** Applies a WorkspaceEdit (changes or documentChanges) to the files on disk; returns the edited files. */
export function applyWorkspaceEdit(edit: WorkspaceEdit): string[] {
  const byFile = new Map<string, TextEdit[]>();
  const add = (uri: string, edits: TextEdit[]) => byFile.set(fileOf(uri), [...(byFile.get(fileOf(uri)) ?? []), ...edits]);
  for (const [uri, edits] of Object.entries(edit.changes ?? {})) add(uri, edits);
  for (const dc of edit.documentChanges ?? []) {
    assert.ok('textDocument' in dc, `unexpected resource operation ${JSON.stringify(dc)}`);
    add(dc.textDocument.uri, dc.edits as TextEdit[]);
  }
  for (const [file, edits] of byFile) {
    let text = fs.readFileSync(file, 'utf8');
    const idx = new LineIndex(text);
    const sorted = edits
      .map((e) => ({ start: idx.offsetAt(e.range.start), end: idx.offsetAt(e.range.end), newText: e.newText }))
      .sort((a, b) => b.start - a.start || b.end - a.end);
    for (const e of sorted) text = text.slice(0, e.start) + e.newText + text.slice(e.end);
    fs.writeFileSync(file, text);
  }
  return [...byFile.keys()].sort();
}

export interface ProtocolFixResult {
  client: LspClient;
  diagnostic: Diagnostic;
  action: CodeAction;
  edited: string[];
}

/**
 * Runs the fix titled `title` (string or pattern) of the `rule` diagnostic on `line` of `file`, then waits until no
 * `rule` diagnostic is left on that line and `cleared()` (if given) holds. The caller kills the returned client.
 */
export async function fixThroughProtocol(opts: {
  folder: string;
  file: string;
  rule: string;
  line: number;
  title: string | RegExp;
  cleared?: (client: LspClient) => boolean;
}): Promise<ProtocolFixResult> {
  const client = await LspClient.start({ folders: [opts.folder] });
  try {
    await client.waitForReady(0, 30_000);
    const onLine = () => client.diagnosticsOf(opts.file).filter((d) => d.code === opts.rule && d.range.start.line === opts.line);
    await client.waitForDiagnostics(() => onLine().length > 0, 10_000, `${opts.rule} on line ${opts.line + 1} of ${opts.file}`);
    const diagnostic = onLine()[0];
    const actions = ((await client.codeActions(opts.file, diagnostic.range, [diagnostic])) ?? []).filter(isAction);
    const action = actions.find((a) => (typeof opts.title === 'string' ? a.title === opts.title : opts.title.test(a.title)));
    assert.ok(action, `no code action "${opts.title}" for ${opts.rule}; got ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(action.kind, 'quickfix');
    assert.ok(action.edit, 'the code action carries a WorkspaceEdit');
    const edited = applyWorkspaceEdit(action.edit);
    await client.didChangeWatchedFiles(edited.map((file) => ({ file, type: FileChange.Changed })));
    await client.waitForDiagnostics(() => onLine().length === 0 && (opts.cleared ? opts.cleared(client) : true), 10_000, `${opts.rule} cleared after the fix`);
    return { client, diagnostic, action, edited };
  } catch (e) {
    client.kill();
    throw e;
  }
}
