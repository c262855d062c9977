/**
 * The editor experience over the real protocol: hover on .env keys, go to definition from
 * schema.prisma / auth.ts to the env line, "Disable <rule> for this line", and the
 * crosswire.rules / crosswire.exclude settings.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CodeAction, Command, Hover, Location, MarkupContent } from 'vscode-languageserver-protocol';
import { FileChange, LspClient, REPO_ROOT, fileOf, uriOf } from './helpers/lsp-client';
import { lineOf } from './helpers/files';
import { applyWorkspaceEdit } from './helpers/protocol-fix';

describe('editor experience over stdio', () => {
  let client: LspClient;
  let ws: string;
  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-editor-'));
    ws = path.join(dir, 'test-workspace');
    fs.cpSync(path.join(REPO_ROOT, 'test-workspace'), ws, { recursive: true });
    ws = fs.realpathSync(ws);
    client = await LspClient.start({ folders: [ws] });
    await client.waitForReady(0, 30_000);
  });
  after(() => {
    client?.kill();
    fs.rmSync(path.dirname(ws), { recursive: true, force: true });
  });

  test('hover on a .env key lists every definition per app, masked, with the findings on that line', async () => {
    const env = path.join(ws, 'electricity-tokens/.env');
    const line = lineOf(env, 'NEXTAUTH_SECRET=');
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: uriOf(env) }, position: { line, character: 3 } })) as Hover;
    const md = (hover.contents as MarkupContent).value;
    assert.match(md, /\*\*NEXTAUTH_SECRET\*\*/);
    assert.match(md, /multi-business-multi-apps/);
    assert.match(md, /same value/);
    assert.match(md, /duplicate-secret/);
    assert.match(md, /sha256:[0-9a-f]{6}/);
    // the one-line message, then the rule's explanation and its docs page (the page shipped with the server)
    assert.match(
      md,
      /- `duplicate-secret` \(error\): NEXTAUTH_SECRET \(sha256:[0-9a-f]{6}\) of electricity-tokens is also the secret of multi-business-multi-apps\.\n {2}The same signing key .* \[Documentation\]\(file:\/\/[^)]*\/docs\/rules\/duplicate-secret\.md\)/,
    );
    assert.ok(!md.includes('pano-pamu'), 'the secret is never shown');
    // This line's own finding once; the other apps' findings that point here are links, not their messages again.
    assert.equal(md.split('\n').filter((l) => l.startsWith('- `duplicate-secret`')).length, 1, md);
    const theirs = client.diagnosticsOf(path.join(ws, 'multi-business-multi-apps/.env')).find((d) => d.code === 'duplicate-secret');
    assert.ok(theirs, 'the other app has its own duplicate-secret diagnostic');
    assert.ok(!md.includes(String(theirs.message)), "the other app's finding message is not repeated");
    const other = md.split('\n').find((l) => l.startsWith('Also reported on the other side:'));
    assert.ok(other, md);
    for (const f of ['multi-business-multi-apps/.env:', 'multi-business-multi-apps/.env.local:', 'multi-business-server-2/.env.local:'])
      assert.ok(other.includes(`[${f}`), other);
    const none = await client.connection.sendRequest('textDocument/hover', {
      textDocument: { uri: uriOf(path.join(ws, 'electricity-tokens/package.json')) },
      position: { line: 0, character: 0 },
    });
    assert.equal(none, null);
  });

  test('go to definition: env("DATABASE_URL") in schema.prisma and process.env.NEXTAUTH_SECRET in auth.ts jump to the env lines', async () => {
    const schema = path.join(ws, 'electricity-tokens/prisma/schema.prisma');
    const sline = lineOf(schema, 'env("DATABASE_URL")');
    const col = fs.readFileSync(schema, 'utf8').split('\n')[sline].indexOf('DATABASE_URL');
    const defs = (await client.connection.sendRequest('textDocument/definition', {
      textDocument: { uri: uriOf(schema) },
      position: { line: sline, character: col + 2 },
    })) as Location[];
    const envFile = path.join(ws, 'electricity-tokens/.env');
    assert.ok(
      defs.some((d) => fileOf(d.uri) === envFile && d.range.start.line === lineOf(envFile, 'DATABASE_URL=')),
      JSON.stringify(defs),
    );
    const auth = path.join(ws, 'electricity-tokens/src/lib/auth.ts');
    const aline = lineOf(auth, 'process.env.NEXTAUTH_SECRET');
    const acol = fs.readFileSync(auth, 'utf8').split('\n')[aline].indexOf('NEXTAUTH_SECRET');
    const adefs = (await client.connection.sendRequest('textDocument/definition', {
      textDocument: { uri: uriOf(auth) },
      position: { line: aline, character: acol + 1 },
    })) as Location[];
    const files = adefs.map((d) => path.relative(ws, fileOf(d.uri))).sort();
    assert.deepEqual(files, ['electricity-tokens/.env', 'electricity-tokens/.env.local'].sort());
  });

  test('"Disable <rule> for this line" writes a directive and the diagnostic goes away', async () => {
    const env = path.join(ws, 'it-assets-manager/.env');
    const line = lineOf(env, 'PORT=3001');
    const d = client.diagnosticsOf(env).find((x) => x.code === 'ineffective-port' && x.range.start.line === line)!;
    assert.ok(d, 'ineffective-port on PORT=3001');
    const actions = (await client.codeActions(env, d.range, [d])) as (CodeAction | Command)[];
    const disable = actions.find((a) => a.title === 'Disable ineffective-port for this line') as CodeAction;
    assert.ok(disable?.edit, actions.map((a) => a.title).join(', '));
    const changed = applyWorkspaceEdit(disable.edit!);
    assert.deepEqual(changed, [env]);
    assert.equal(fs.readFileSync(env, 'utf8').split('\n')[line], '# crosswire-disable-next-line ineffective-port');
    await client.didChangeWatchedFiles([{ file: env, type: FileChange.Changed }]);
    await client.waitForDiagnostics(() => !client.diagnosticsOf(env).some((x) => x.code === 'ineffective-port'), 10_000, 'ineffective-port suppressed');
    assert.ok(!client.diagnosticsOf(env).some((x) => x.code === 'unused-suppression'));
  });

  test('settings: crosswire.rules turns a rule off or changes its severity; crosswire.exclude ignores folders', async () => {
    const netra = path.join(ws, 'netra/.env');
    assert.ok(client.diagnosticsOf(netra).some((x) => x.code === 'inconsistent-service-url'));
    await client.connection.sendNotification('workspace/didChangeConfiguration', {
      settings: { crosswire: { rules: { 'inconsistent-service-url': 'off', 'port-collision': 'info' }, exclude: ['status-page'] } },
    });
    await client.waitForDiagnostics(() => !client.diagnosticsOf(netra).some((x) => x.code === 'inconsistent-service-url'), 10_000, 'rule off');
    const pkg = path.join(ws, 'electricity-tokens/package.json');
    await client.waitForDiagnostics(
      () =>
        client
          .diagnosticsOf(pkg)
          .filter((x) => x.code === 'port-collision')
          .every((x) => x.severity === 3),
      10_000,
      'port-collision as info',
    );
    assert.ok(client.diagnosticsOf(pkg).some((x) => x.code === 'port-collision'));
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { crosswire: {} } });
    await client.waitForDiagnostics(() => client.diagnosticsOf(netra).some((x) => x.code === 'inconsistent-service-url'), 10_000, 'rule back on');
  });
});
