/**
 * A rule's quick fix applied once through the language server, for a diagnostic found by the text of
 * its line (a needle) rather than by its number; the server is shut down afterwards. See protocol-fix.ts.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { applyWorkspaceEdit, fixThroughProtocol } from './protocol-fix';

export { applyWorkspaceEdit };

export interface QuickFixResult {
  diagnostic: Diagnostic;
  action: CodeAction;
  changed: string[];
}

export async function quickFixOverProtocol(opts: { folder: string; file: string; rule: string; needle: string; title: RegExp }): Promise<QuickFixResult> {
  const line = fs
    .readFileSync(opts.file, 'utf8')
    .split(/\r?\n/)
    .findIndex((l) => l.includes(opts.needle));
  assert.ok(line >= 0, `"${opts.needle}" not in ${opts.file}`);
  const r = await fixThroughProtocol({
    folder: opts.folder,
    file: opts.file,
    rule: opts.rule,
    line,
    title: opts.title,
    cleared: (c) => c.diagnosticsOf(opts.file).every((d) => d.code !== opts.rule),
  });
  await r.client.shutdown().catch(() => r.client.kill());
  return { diagnostic: r.diagnostic, action: r.action, changed: r.edited };
}
