/**
 * Applies a rule's quick fix once through the language server protocol: spawns the built server on
 * a workspace folder, waits for the rule's diagnostic on `file` (line containing `needle`), asks
 * for code actions, applies the chosen WorkspaceEdit to the files on disk, reports the change with
 * didChangeWatchedFiles, and waits until the diagnostic is gone.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { CodeAction, Command, Diagnostic, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { FileChange, LspClient, fileOf } from './lsp-client';
import { LineIndex } from '../../src/model/text';

function isAction(a: CodeAction | Command): a is CodeAction {
  return typeof (a as CodeAction).kind === 'string' || (a as CodeAction).edit !== undefined;
}

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
    const sorted = edits.map((e) => ({ start: idx.offsetAt(e.range.start), end: idx.offsetAt(e.range.end), newText: e.newText })).sort((a, b) => b.start - a.start || b.end - a.end);
    for (const e of sorted) text = text.slice(0, e.start) + e.newText + text.slice(e.end);
    fs.writeFileSync(file, text);
  }
  return [...byFile.keys()].sort();
}

export interface ProtocolFixResult {
  diagnostic: Diagnostic;
  action: CodeAction;
  changed: string[];
}

export async function quickFixOverProtocol(opts: { folder: string; file: string; rule: string; needle: string; title: RegExp }): Promise<ProtocolFixResult> {
  const client = await LspClient.start({ folders: [opts.folder] });
  try {
    await client.waitForReady(0, 30_000);
    const line = fs.readFileSync(opts.file, 'utf8').split(/\r?\n/).findIndex((l) => l.includes(opts.needle));
    assert.ok(line >= 0, `"${opts.needle}" not in ${opts.file}`);
    const onLine = () => client.diagnosticsOf(opts.file).filter((d) => d.code === opts.rule && d.range.start.line === line);
    await client.waitForDiagnostics(() => onLine().length === 1, 20_000, `${opts.rule} at line ${line + 1}`);
    const diagnostic = onLine()[0];
    const actions = ((await client.codeActions(opts.file, diagnostic.range, [diagnostic])) ?? []).filter(isAction);
    const action = actions.find((a) => opts.title.test(a.title));
    assert.ok(action, `no code action ${opts.title} for ${opts.rule}; got ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(action.kind, 'quickfix');
    assert.ok(action.edit, 'the code action carries a WorkspaceEdit');
    const changed = applyWorkspaceEdit(action.edit);
    await client.didChangeWatchedFiles(changed.map((file) => ({ file, type: FileChange.Changed })));
    await client.waitForDiagnostics(() => client.diagnosticsOf(opts.file).every((d) => d.code !== opts.rule), 20_000, `${opts.rule} cleared in ${opts.file}`);
    return { diagnostic, action, changed };
  } finally {
    await client.shutdown().catch(() => client.kill());
  }
}
