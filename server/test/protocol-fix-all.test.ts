/**
 * Over the real protocol: `source.fixAll.crosswire` (what `editor.codeActionsOnSave` asks for) applies the safe
 * fixes of the document only and never writes a secret; "Show documentation for <rule>" sits beside "Disable <rule>
 * for this line" and opens the rule's page with `window/showDocument`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CodeAction, Diagnostic, TextDocumentEdit, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { offsetAt } from './helpers/files';
import { LspClient, fileOf, isAction, uriOf } from './helpers/lsp-client';
import { makeWorkspace, pkg } from './helpers/workspace';

const SECRET = 'k8Jd9sLq2Wm4Xv7Zp1Rt6Yb3Nc5Hf0Ga';
const NEXT = { next: '14.2.3', 'next-auth': '4.24.7', react: '18.3.1' };
const WEB_ENV = `NEXTAUTH_URL=http://localhost:3000\nNEXTAUTH_SECRET=${SECRET}\n`;
const ADMIN_ENV = `NEXTAUTH_URL=http://localhost:3002\nNEXTAUTH_SECRET=${SECRET}\n`;
const FIX_ALL = 'source.fixAll.crosswire';
const WHOLE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The edits of a workspace edit, per file. */
function editsByFile(edit: WorkspaceEdit): Map<string, TextEdit[]> {
  const out = new Map<string, TextEdit[]>();
  for (const c of (edit.documentChanges ?? []) as TextDocumentEdit[]) out.set(fileOf(c.textDocument.uri), c.edits as TextEdit[]);
  for (const [uri, list] of Object.entries(edit.changes ?? {})) out.set(fileOf(uri), list);
  return out;
}

function apply(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => offsetAt(text, b.range.start) - offsetAt(text, a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offsetAt(out, e.range.start)) + e.newText + out.slice(offsetAt(out, e.range.end));
  return out;
}

describe('fix all on save and the docs action', () => {
  let client: LspClient;
  let ws: string;
  const file = (rel: string) => path.join(ws, rel);
  const fixAll = async (rel: string, only: string[] = [FIX_ALL]) => ((await client.codeActions(file(rel), WHOLE, [], only)) ?? []).filter(isAction);

  before(async () => {
    ws = fs.realpathSync(
      makeWorkspace({
        'web/package.json': pkg('web', { dev: 'next dev -p 3001', start: 'next start -p 3001' }, NEXT),
        'web/.env': WEB_ENV,
        'admin/package.json': pkg('admin', { dev: 'next dev -p 3002', start: 'next start -p 3002' }, NEXT),
        'admin/.env': ADMIN_ENV,
      }),
    );
    client = await LspClient.start({ folders: [ws] });
    await client.waitForReady(0, 30_000);
    await client.waitForDiagnostics(() => client.diagnosticsOf(file('web/.env')).some((d) => d.code === 'nextauth-url-mismatch'));
  });
  after(() => {
    client?.kill();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  test('the server advertises the fix-all kind and the docs command', () => {
    const caps = client.initializeResult!.capabilities;
    assert.ok((caps.codeActionProvider as { codeActionKinds: string[] }).codeActionKinds.includes(FIX_ALL));
    assert.ok(caps.executeCommandProvider?.commands.includes('crosswire.showDocumentation'));
  });

  test('source.fixAll.crosswire fixes the NEXTAUTH_URL port and leaves the duplicated secret alone', async () => {
    for (const only of [[FIX_ALL], ['source.fixAll'], ['source']]) {
      const actions = await fixAll('web/.env', only);
      assert.equal(actions.length, 1, `one fix-all action for only=${only}`);
      const a = actions[0];
      assert.equal(a.kind, FIX_ALL);
      const byFile = editsByFile(a.edit!);
      assert.deepEqual([...byFile.keys()], [file('web/.env')], 'edits in the document only');
      // Only the safe fix: the secret line stays as it is (a generated secret is never written on save).
      assert.equal(apply(WEB_ENV, byFile.get(file('web/.env'))!), `NEXTAUTH_URL=http://localhost:3001\nNEXTAUTH_SECRET=${SECRET}\n`);
    }
  });

  test('no fix-all action where the only fixes write secrets, nor when quick fixes (or nothing) are asked for', async () => {
    assert.ok(
      client.diagnosticsOf(file('admin/.env')).some((d) => d.code === 'duplicate-secret'),
      'admin/.env has a finding with a (secret) fix',
    );
    assert.deepEqual(await fixAll('admin/.env'), [], 'a secret-writing fix is never applied on save');
    const diags = client.diagnosticsOf(file('web/.env'));
    for (const only of [['quickfix'], undefined]) {
      const actions = (await client.codeActions(file('web/.env'), diags[0].range, diags, only)) ?? [];
      assert.ok(!actions.some((a) => isAction(a) && a.kind === FIX_ALL), `no fix-all for only=${only}`);
      assert.ok(actions.length > 0, 'quick fixes are still there');
    }
  });

  test('fix-all works on the unsaved text of an open document, with its version', async () => {
    const unsaved = `# edited\nNEXTAUTH_URL=http://localhost:4000\nNEXTAUTH_SECRET=${SECRET}\n`;
    await client.didOpen(file('web/.env'), unsaved);
    try {
      await client.waitForDiagnostics(() => client.diagnosticsOf(file('web/.env')).some((d) => d.code === 'nextauth-url-mismatch' && d.range.start.line === 1));
      const [a] = await fixAll('web/.env');
      assert.ok(a, 'a fix-all action');
      const change = (a.edit!.documentChanges as TextDocumentEdit[])[0];
      assert.equal(change.textDocument.uri, uriOf(file('web/.env')));
      assert.equal(change.textDocument.version, client.versionOf(file('web/.env')));
      assert.equal(apply(unsaved, change.edits as TextEdit[]), `# edited\nNEXTAUTH_URL=http://localhost:3001\nNEXTAUTH_SECRET=${SECRET}\n`);
    } finally {
      await client.didClose(file('web/.env'));
    }
  });

  test('"Show documentation for <rule>" follows "Disable <rule> for this line" and opens the rule page', async () => {
    await client.waitForDiagnostics(() => client.diagnosticsOf(file('admin/.env')).some((d) => d.code === 'duplicate-secret'));
    const d = client.diagnosticsOf(file('admin/.env')).find((x) => x.code === 'duplicate-secret') as Diagnostic;
    const actions = ((await client.codeActions(file('admin/.env'), d.range, [d])) ?? []).filter(isAction) as CodeAction[];
    const titles = actions.map((a) => a.title);
    const disable = titles.indexOf('Disable duplicate-secret for this line');
    const docs = titles.indexOf('Show documentation for duplicate-secret');
    assert.ok(disable >= 0 && docs === disable + 1, titles.join(' | '));
    const action = actions[docs];
    assert.equal(action.edit, undefined);
    assert.deepEqual(action.command, {
      title: 'Show documentation for duplicate-secret',
      command: 'crosswire.showDocumentation',
      arguments: ['duplicate-secret'],
    });
    assert.deepEqual(action.diagnostics, [d]);

    await client.connection.sendRequest('workspace/executeCommand', { command: action.command!.command, arguments: action.command!.arguments });
    await client.waitFor('window/showDocument', () => client.shownDocuments.length > 0);
    const shown = client.shownDocuments.at(-1)!;
    // The page this checkout ships (the same link as the diagnostic's codeDescription), opened in the editor.
    assert.equal(shown.uri, d.codeDescription!.href);
    assert.match(shown.uri, /docs\/rules\/duplicate-secret\.md$/);
    assert.equal(shown.external, !/^file:/.test(shown.uri));
  });

  test('the docs command takes a rule id only', async () => {
    await assert.rejects(
      client.connection.sendRequest('workspace/executeCommand', { command: 'crosswire.showDocumentation', arguments: ['https://evil.example/'] }),
    );
    await assert.rejects(client.connection.sendRequest('workspace/executeCommand', { command: 'crosswire.showDocumentation', arguments: [] }));
  });
});

describe('the docs action with a client that cannot open documents', () => {
  test('the page is named in a message instead', async () => {
    const ws = fs.realpathSync(
      makeWorkspace({
        'web/package.json': pkg('web', { dev: 'next dev' }, NEXT),
        'web/.env': WEB_ENV,
        'admin/package.json': pkg('admin', { dev: 'next dev -p 3002' }, NEXT),
        'admin/.env': ADMIN_ENV,
      }),
    );
    const client = await LspClient.start({ folders: [ws], showDocument: false });
    try {
      await client.waitForReady(0, 30_000);
      await client.connection.sendRequest('workspace/executeCommand', { command: 'crosswire.showDocumentation', arguments: ['port-collision'] });
      await client.waitFor('a message naming the page', () =>
        client.logs.some((l) => /documentation for port-collision: .*docs\/rules\/port-collision\.md/.test(l.message)),
      );
      assert.equal(client.shownDocuments.length, 0);
    } finally {
      client.kill();
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});

describe('a config "suppress" entry in the editor', () => {
  test('becomes unused (reported in crosswire.config.json) when the finding it hid goes away, and used again when it comes back', async () => {
    const webPkg = (dev: string) =>
      JSON.stringify(
        { name: 'web', version: '1.0.0', private: true, scripts: { dev, start: 'next start' }, dependencies: { next: '14.2.5', react: '18.3.1' } },
        null,
        2,
      ) + '\n';
    const spaPkg = JSON.stringify({ name: 'spa', version: '1.0.0', private: true, scripts: { dev: 'vite' }, dependencies: { vite: '5.4.0' } }, null, 2) + '\n';
    const ws = fs.realpathSync(
      makeWorkspace({
        'web/package.json': webPkg('next dev'),
        'web/.env': 'NEXTAUTH_URL=http://localhost:3005\nCORS_ORIGIN=http://localhost:5173\n',
        'spa/package.json': spaPkg,
        'spa/.env': 'VITE_API_URL=http://localhost:3000\n',
        'crosswire.config.json': JSON.stringify({ suppress: [{ rule: 'implicit-port', file: 'web/package.json' }] }, null, 2) + '\n',
      }),
    );
    const client = await LspClient.start({ folders: [ws] });
    const web = path.join(ws, 'web/package.json');
    const config = path.join(ws, 'crosswire.config.json');
    const unused = () => client.diagnosticsOf(config).filter((d) => d.code === 'unused-suppression');
    try {
      await client.waitForReady(0, 30_000);
      await client.waitForDiagnostics(() => client.diagnosticsOf(path.join(ws, 'spa/package.json')).some((d) => d.code === 'implicit-port'));
      assert.deepEqual(
        client.diagnosticsOf(web).filter((d) => d.code === 'implicit-port'),
        [],
        'suppressed by the config',
      );
      assert.deepEqual(unused(), []);
      // The app gets an explicit port: nothing left to suppress, and the entry says so (in the config file).
      await client.didOpen(web, webPkg('next dev -p 3005'), 'json');
      await client.waitForDiagnostics(() => unused().length === 1, 20_000, 'the entry reported as unused');
      assert.equal(unused()[0].message, 'Unused "suppress" entry: no finding of "implicit-port" in web/package.json.');
      await client.didChange(web, webPkg('next dev'));
      await client.waitForDiagnostics(() => unused().length === 0, 20_000, 'the entry used again');
      assert.deepEqual(
        client.diagnosticsOf(web).filter((d) => d.code === 'implicit-port'),
        [],
      );
    } finally {
      client.kill();
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});
