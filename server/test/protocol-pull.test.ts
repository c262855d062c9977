/**
 * Diagnostics both ways over the real protocol: a client that advertises LSP 3.17 pull diagnostics
 * (`textDocument.diagnostic`, as VS Code does) pulls them (`textDocument/diagnostic`, `workspace/diagnostic`) with
 * result ids and is asked to pull again when another app's file changes an open document's findings; a client
 * that does not (Neovim 0.7, plain clients) keeps getting `textDocument/publishDiagnostics`.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic, DocumentDiagnosticReport, WorkspaceDocumentDiagnosticReport } from 'vscode-languageserver-protocol';
import { FileChange, fileOf, LspClient, uriOf } from './helpers/lsp-client';
import { makeWorkspace, pkg } from './helpers/workspace';

// Made-up secrets, long and random-looking (so no weak-secret finding), never printed by the assertions.
const SHARED = 'Qw3Er5Ty7Ui9Op1As2Df4Gh6Jk8Lz0Xc';
const OTHER = 'Mn4Bv6Cx8Zl0Kj2Hg5Fd7Sa9Po1Iu3Yt';

const dirs: string[] = [];
function twoApps(): { ws: string; webEnv: string; apiEnv: string } {
  const ws = fs.realpathSync(
    makeWorkspace({
      'apps/web/package.json': pkg('web', { dev: 'next dev' }, { next: '14.2.0', 'next-auth': '4.24.0' }),
      'apps/web/.env': `NEXTAUTH_SECRET=${SHARED}\n`,
      'apps/api/package.json': pkg('api', { dev: 'next dev' }, { next: '14.2.0', 'next-auth': '4.24.0' }),
      'apps/api/.env': `NEXTAUTH_SECRET=${SHARED}\n`,
    }),
  );
  dirs.push(ws);
  return { ws, webEnv: path.join(ws, 'apps/web/.env'), apiEnv: path.join(ws, 'apps/api/.env') };
}

after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function codes(list: readonly Diagnostic[]): string[] {
  return list.map((d) => String(d.code));
}

function full(r: DocumentDiagnosticReport | WorkspaceDocumentDiagnosticReport): Diagnostic[] {
  assert.equal(r.kind, 'full', JSON.stringify(r).slice(0, 200));
  return (r as { items: Diagnostic[] }).items;
}

describe('pull diagnostics (LSP 3.17 client)', { timeout: 60_000 }, () => {
  test('the server offers pull with inter-file dependencies and workspace diagnostics, and pushes nothing', async () => {
    const { ws, webEnv } = twoApps();
    const client = await LspClient.start({ folders: [ws], pullDiagnostics: true });
    try {
      const provider = client.initializeResult?.capabilities.diagnosticProvider as
        | { interFileDependencies?: boolean; workspaceDiagnostics?: boolean }
        | undefined;
      assert.equal(provider?.interFileDependencies, true);
      assert.equal(provider?.workspaceDiagnostics, true);
      await client.waitForReady(0, 30_000);
      await client.didOpen(webEnv, fs.readFileSync(webEnv, 'utf8'), 'dotenv');
      const first = await client.pullDiagnostics(webEnv);
      assert.ok(codes(full(first)).includes('duplicate-secret'), codes(full(first)).join(', '));
      assert.equal(client.publications.length, 0, 'a pull client gets no publishDiagnostics as well');
    } finally {
      client.kill();
    }
  });

  test("a document: its findings, then `unchanged` for the same result id; another app's file changes it: refresh, then the new findings", async () => {
    const { ws, webEnv, apiEnv } = twoApps();
    const client = await LspClient.start({ folders: [ws], pullDiagnostics: true });
    try {
      await client.waitForReady(0, 30_000);
      await client.didOpen(webEnv, fs.readFileSync(webEnv, 'utf8'), 'dotenv');
      const first = await client.pullDiagnostics(webEnv);
      const dup = full(first).find((d) => d.code === 'duplicate-secret');
      assert.ok(dup, codes(full(first)).join(', '));
      assert.equal(dup.range.start.line, 0);
      assert.match(String(dup.message), /api/, 'the message names the other app');
      assert.ok(!String(dup.message).includes(SHARED.slice(0, 8)), 'the secret is never shown');
      assert.equal(typeof first.resultId, 'string');

      const second = await client.pullDiagnostics(webEnv, first.resultId);
      assert.deepEqual(second, { kind: 'unchanged', resultId: first.resultId });
      // An id the server never gave (or an old one) gets the full report again.
      assert.equal((await client.pullDiagnostics(webEnv, 'not-an-id')).kind, 'full');
      assert.equal(client.refreshes, 0, 'nothing changed: no refresh');

      // The other app (not open in the editor) gets its own secret on disk: the open document's finding goes.
      fs.writeFileSync(apiEnv, `NEXTAUTH_SECRET=${OTHER}\n`);
      await client.didChangeWatchedFiles([{ file: apiEnv, type: FileChange.Changed }]);
      await client.waitFor('workspace/diagnostic/refresh', () => client.refreshes > 0, 10_000);
      const third = await client.pullDiagnostics(webEnv, first.resultId);
      assert.ok(!codes(full(third)).includes('duplicate-secret'), codes(full(third)).join(', '));
      assert.notEqual(third.resultId, first.resultId);
      assert.deepEqual(await client.pullDiagnostics(webEnv, third.resultId), { kind: 'unchanged', resultId: third.resultId });

      // Its own edit: the client pulls it after the change; the report is for the edited text.
      await client.didChange(webEnv, `NEXTAUTH_SECRET=${OTHER}\n`);
      const fourth = await client.pullDiagnostics(webEnv, third.resultId);
      assert.ok(codes(full(fourth)).includes('duplicate-secret'), codes(full(fourth)).join(', '));
      assert.equal(client.publications.length, 0);
    } finally {
      client.kill();
    }
  });

  test('workspace/diagnostic lists the files with findings, open or not, `unchanged` for the ids held, and empties a file whose findings went', async () => {
    const { ws, webEnv, apiEnv } = twoApps();
    const client = await LspClient.start({ folders: [ws], pullDiagnostics: true });
    try {
      await client.waitForReady(0, 30_000);
      const first = await client.pullWorkspaceDiagnostics();
      const byFile = new Map(first.items.map((i) => [fileOf(i.uri), i]));
      assert.deepEqual([...byFile.keys()].sort(), [apiEnv, webEnv].sort(), 'the two files with findings');
      for (const file of [webEnv, apiEnv]) {
        assert.ok(codes(full(byFile.get(file)!)).includes('duplicate-secret'));
        assert.equal(byFile.get(file)!.version, null, 'not open: no version');
      }
      const held = new Map(first.items.map((i) => [i.uri, i.resultId!]));
      const second = await client.pullWorkspaceDiagnostics(held);
      assert.deepEqual(
        second.items.map((i) => i.kind),
        first.items.map(() => 'unchanged'),
      );

      fs.writeFileSync(apiEnv, `NEXTAUTH_SECRET=${OTHER}\n`);
      await client.didChangeWatchedFiles([{ file: apiEnv, type: FileChange.Changed }]);
      // The document pull waits for the change to be analysed.
      await client.pullDiagnostics(apiEnv);
      const third = await client.pullWorkspaceDiagnostics(held);
      const api = third.items.find((i) => i.uri === uriOf(apiEnv));
      const web = third.items.find((i) => i.uri === uriOf(webEnv));
      assert.ok(api && web, JSON.stringify(third.items.map((i) => i.uri)));
      assert.deepEqual(codes(full(api)), [], 'the client is told the findings it holds are gone');
      assert.ok(!codes(full(web)).includes('duplicate-secret'));
      // Nothing was open and the client never pulled an open document: no refresh is needed.
      assert.equal(client.refreshes, 0);
    } finally {
      client.kill();
    }
  });

  test('a pull client without refreshSupport is never sent a refresh', async () => {
    const { ws, webEnv, apiEnv } = twoApps();
    const client = await LspClient.start({ folders: [ws], pullDiagnostics: true, diagnosticRefresh: false });
    try {
      await client.waitForReady(0, 30_000);
      await client.didOpen(webEnv, fs.readFileSync(webEnv, 'utf8'), 'dotenv');
      const first = await client.pullDiagnostics(webEnv);
      assert.ok(codes(full(first)).includes('duplicate-secret'));
      fs.writeFileSync(apiEnv, `NEXTAUTH_SECRET=${OTHER}\n`);
      await client.didChangeWatchedFiles([{ file: apiEnv, type: FileChange.Changed }]);
      const second = await client.pullDiagnostics(webEnv, first.resultId);
      assert.ok(!codes(full(second)).includes('duplicate-secret'));
      assert.equal(client.refreshes, 0);
    } finally {
      client.kill();
    }
  });
});

describe('push diagnostics (client without textDocument.diagnostic, or asking for push)', { timeout: 60_000 }, () => {
  test('initializationOptions.diagnostics "push": a client that could pull is pushed every file\'s diagnostics (open or not)', async () => {
    const { ws, webEnv, apiEnv } = twoApps();
    const client = await LspClient.start({ folders: [ws], pullDiagnostics: true, initializationOptions: { diagnostics: 'push' } });
    try {
      assert.equal(client.initializeResult?.capabilities.diagnosticProvider, undefined);
      await client.waitForDiagnostics(
        () => codes(client.diagnosticsOf(webEnv)).includes('duplicate-secret') && codes(client.diagnosticsOf(apiEnv)).includes('duplicate-secret'),
      );
      assert.equal(client.refreshes, 0);
    } finally {
      client.kill();
    }
  });

  test('publishDiagnostics as before, no diagnosticProvider, no refresh', async () => {
    const { ws, webEnv, apiEnv } = twoApps();
    const client = await LspClient.start({ folders: [ws] });
    try {
      assert.equal(client.initializeResult?.capabilities.diagnosticProvider, undefined);
      await client.waitForDiagnostics(
        () => codes(client.diagnosticsOf(webEnv)).includes('duplicate-secret') && codes(client.diagnosticsOf(apiEnv)).includes('duplicate-secret'),
      );
      await client.didOpen(webEnv, fs.readFileSync(webEnv, 'utf8'), 'dotenv');
      fs.writeFileSync(apiEnv, `NEXTAUTH_SECRET=${OTHER}\n`);
      await client.didChangeWatchedFiles([{ file: apiEnv, type: FileChange.Changed }]);
      await client.waitForDiagnostics(
        () => !codes(client.diagnosticsOf(webEnv)).includes('duplicate-secret') && client.diagnosticsOf(apiEnv).length === 0,
        10_000,
        'the finding cleared on both',
      );
      assert.equal(client.refreshes, 0);
    } finally {
      client.kill();
    }
  });
});
