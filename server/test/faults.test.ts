/**
 * The language server under faults, over real stdio: bursts of edits and out-of-order versions,
 * requests cancelled mid-way, a workspace folder removed while indexing, shutdown/exit in the middle
 * of indexing, quick fixes for a document that changed since. The server answers correctly or
 * cleanly, never leaves stale diagnostics, and exits with the right code.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import type { CodeAction, Command, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { fileOf, isAction, LspClient, uriOf } from './helpers/lsp-client';
import { fastTmp, offsetAt, write } from './helpers/files';

const SECRET = 'fault-test-shared-session-secret-4b7e1d';
const temps: string[] = [];
const clients: LspClient[] = [];
after(() => {
  for (const c of clients) c.kill();
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

const pkgJson = (name: string) =>
  JSON.stringify({ name, private: true, scripts: { start: 'node server.js' }, dependencies: { express: '^4.21.1', dotenv: '^16.4.5' } }, null, 2) + '\n';

/** Two apps sharing SESSION_SECRET; with `filler`, thousands of files that make indexing take a while. */
function workspace(opts: { filler?: number; name?: string } = {}): { ws: string; a: string; b: string } {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(opts.filler ? fastTmp() : os.tmpdir(), 'crosswire-faults-')));
  temps.push(base);
  const ws = path.join(base, opts.name ?? 'ws');
  write(path.join(ws, 'app-a', 'package.json'), pkgJson('app-a'));
  const a = write(path.join(ws, 'app-a', '.env'), `PORT=4201\nSESSION_SECRET=${SECRET}\n`);
  write(path.join(ws, 'app-b', 'package.json'), pkgJson('app-b'));
  const b = write(path.join(ws, 'app-b', '.env'), `PORT=4202\nSESSION_SECRET=${SECRET}\n`);
  for (let i = 0; i < (opts.filler ?? 0); i++) {
    const dir = path.join(ws, 'filler', `d${i % 50}`);
    if (i < 50) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `m${i}.ts`), `export const v${i} = process.env.V_${i} ?? 'x';\n`);
  }
  return { ws, a, b };
}

async function start(folders: string[], extra: Partial<Parameters<typeof LspClient.start>[0]> = {}): Promise<LspClient> {
  const c = await LspClient.start({ folders, ...extra });
  clients.push(c);
  return c;
}

const dup = (c: LspClient, file: string) => c.diagnosticsOf(file).filter((d) => d.code === 'duplicate-secret');

function waitExit(c: LspClient, ms: number): Promise<number | null | 'timeout'> {
  if (c.proc.exitCode !== null) return Promise.resolve(c.proc.exitCode);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve('timeout'), ms);
    c.proc.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

/** The edits of a WorkspaceEdit for one file, with the version they are for (documentChanges). */
function editsFor(edit: WorkspaceEdit, file: string): { version: number | null | undefined; edits: TextEdit[] } {
  for (const dc of edit.documentChanges ?? []) {
    if ('textDocument' in dc && fileOf(dc.textDocument.uri) === file) return { version: dc.textDocument.version, edits: dc.edits as TextEdit[] };
  }
  return { version: undefined, edits: edit.changes?.[uriOf(file)] ?? [] };
}

describe('the server under faults', { timeout: 150_000 }, () => {
  test('hundreds of didChange in a burst, and out-of-order versions: the latest text wins, no stale diagnostics', async () => {
    const { ws, a, b } = workspace();
    const c = await start([ws]);
    await c.waitForReady(0, 30_000);
    assert.equal(dup(c, a).length, 1);
    const original = fs.readFileSync(a, 'utf8');
    const clean = `PORT=4201\nSESSION_SECRET=app-a-own-secret-9c1f0e\n`;
    await c.didOpen(a, original, 'dotenv');
    // 300 full-text changes alternating between sharing and not sharing the secret; the last one does not share.
    const t0 = Date.now();
    for (let i = 0; i < 299; i++) void c.didChange(a, i % 2 === 0 ? clean : `${original}# edit ${i}\n`);
    await c.didChange(a, clean);
    const last = c.versionOf(a)!;
    assert.equal(last, 301);
    // Out of order: older versions arrive late, with the old text. They must not win.
    for (const v of [150, 299, 300, 301]) {
      await c.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uriOf(a), version: v }, contentChanges: [{ text: original }] });
    }
    await c.waitForDiagnostics(() => dup(c, a).length === 0 && dup(c, b).length === 0, 15_000, 'the final text shares nothing');
    // Settled: give the debounce time to publish anything late, then check again.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(dup(c, a).length, 0, 'no stale duplicate-secret on the edited file');
    assert.equal(dup(c, b).length, 0, 'no stale duplicate-secret on the other app');
    const lastPub = [...c.publications].reverse().find((p) => p.uri === uriOf(a));
    if (lastPub?.version !== undefined) assert.equal(lastPub.version, last, 'diagnostics are for the latest version');
    assert.ok(
      c.logs.some((l) => /ignored an out-of-order change .* \(version 150; the document is at version 301\)/.test(l.message)),
      'out-of-order changes logged',
    );
    assert.ok(Date.now() - t0 < 20_000);

    // Incremental edits in a burst: type a new line character by character (200 changes).
    const typed = `SESSION_SECRET=${SECRET}`;
    const lines = clean.split('\n').length - 1;
    for (let i = 0; i < typed.length; i++) {
      void c.didChange(a, [{ range: { start: { line: lines, character: i }, end: { line: lines, character: i } }, text: typed[i] }]);
    }
    for (let i = typed.length; i < 200; i++) {
      void c.didChange(a, [
        { range: { start: { line: lines, character: typed.length }, end: { line: lines, character: typed.length } }, text: i % 2 === 0 ? ' ' : '' },
      ]);
    }
    await c.didChange(a, [{ range: { start: { line: lines, character: typed.length }, end: { line: lines, character: 999 } }, text: '\n' }]);
    await c.waitForDiagnostics(() => dup(c, a).length === 1 && dup(c, b).length === 1, 15_000, 'the typed line shares the secret again');
    const d = dup(c, a)[0];
    assert.equal(d.range.start.line, lines, 'at the typed line (the later SESSION_SECRET)');
    await c.didClose(a);
    await c.waitForDiagnostics(() => dup(c, a).length === 1 && dup(c, a)[0].range.start.line === 1, 10_000, 'back to disk');
    assert.ok(
      !c.logs.some((l) => l.type === 1),
      c.logs
        .filter((l) => l.type === 1)
        .map((l) => l.message)
        .join('\n'),
    );
    assert.equal(await c.shutdown(), 0);
  });

  test('requests cancelled mid-way ($/cancelRequest): a result or RequestCancelled, then everything still works', async () => {
    const { ws, a, b } = workspace({ filler: 1500 });
    const c = await start([ws]);
    await c.waitForReady(0, 60_000);
    const before = JSON.stringify([...c.diagnostics].sort());
    const outcomes: string[] = [];
    for (const delay of [0, 1, 5, 20, 60]) {
      const source = new CancellationTokenSource();
      const p = c.connection.sendRequest('workspace/executeCommand', { command: 'crosswire.audit', arguments: [] }, source.token);
      setTimeout(() => source.cancel(), delay);
      try {
        const r = (await p) as { markdown?: string; findings?: number };
        assert.equal(typeof r.markdown, 'string', 'a full result');
        outcomes.push('result');
      } catch (e) {
        assert.equal((e as { code?: number }).code, -32800, `RequestCancelled, got ${String(e)}`);
        outcomes.push('cancelled');
      }
    }
    // A code action request cancelled at once.
    const d = dup(c, a)[0];
    const source = new CancellationTokenSource();
    const pa = c.connection.sendRequest(
      'textDocument/codeAction',
      { textDocument: { uri: uriOf(a) }, range: d.range, context: { diagnostics: [d] } },
      source.token,
    );
    source.cancel();
    try {
      const r = (await pa) as (CodeAction | Command)[];
      assert.ok(Array.isArray(r));
      outcomes.push('result');
    } catch (e) {
      assert.equal((e as { code?: number }).code, -32800);
      outcomes.push('cancelled');
    }
    assert.ok(outcomes.includes('cancelled'), `at least one request was really cancelled: ${outcomes.join(', ')}`);
    // Everything still works, and the diagnostics are what they were.
    const r = await c.executeCommand<{ findings: number; markdown: string }>('crosswire.audit');
    assert.ok(r.markdown.includes('app-a') && r.findings >= 2);
    await c.waitForDiagnostics(() => dup(c, a).length === 1 && dup(c, b).length === 1, 10_000, 'diagnostics intact');
    assert.equal(JSON.stringify([...c.diagnostics].sort()), before, 'the same diagnostics as before the cancellations');
    assert.equal(await c.shutdown(), 0);
  });

  test('a workspace folder removed while indexing: nothing of it stays published', async () => {
    const one = workspace();
    const two = workspace({ filler: 1500, name: 'big-folder' });
    // The planted pair spans the folders: app-a of one and app-b of two share the secret.
    fs.writeFileSync(one.b, 'PORT=4202\nSESSION_SECRET=only-in-folder-one-b\n');
    fs.writeFileSync(two.a, 'PORT=4301\nSESSION_SECRET=only-in-folder-two-a\n');
    const c = await start([one.ws, two.ws]);
    await c.didChangeWorkspaceFolders([], [two.ws]);
    await c.waitFor('ready after the removal', () => c.statuses.filter((s) => (s as { state: string }).state === 'ready').length >= 1, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    const inTwo = [...c.diagnostics].filter(([uri, list]) => fileOf(uri).startsWith(two.ws + path.sep) && list.length > 0);
    assert.deepEqual(
      inTwo.map(([u]) => u),
      [],
      'no diagnostics left in the removed folder',
    );
    assert.equal(dup(c, one.a).length, 0, 'the pair across folders is gone with the folder');
    const ready = (c.statuses as { state: string; apps?: number }[]).filter((s) => s.state === 'ready').at(-1)!;
    assert.equal(ready.apps, 2, 'only the remaining folder is indexed');
    // Adding it back brings the cross-folder finding back.
    await c.didChangeWorkspaceFolders([two.ws], []);
    await c.waitForDiagnostics(() => dup(c, one.a).length === 1 && dup(c, two.b).length === 1, 60_000, 'the folder is back');
    assert.equal(await c.shutdown(), 0);
  });

  test('shutdown + exit in the middle of indexing: exit code 0, quickly, nothing published after shutdown', async () => {
    const { ws } = workspace({ filler: 1500 });
    const c = await start([ws]);
    const t0 = Date.now();
    await c.connection.sendRequest('shutdown');
    const publishedAtShutdown = c.publications.length;
    await c.connection.sendNotification('exit');
    const code = await waitExit(c, 10_000);
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 < 10_000, `exited in ${Date.now() - t0} ms`);
    assert.equal(c.publications.length, publishedAtShutdown, 'no diagnostics after shutdown');
  });

  test('exit without shutdown (also in the middle of indexing): exit code 1; stdin closed: the server exits', async () => {
    const { ws } = workspace({ filler: 1500 });
    const c = await start([ws]);
    await c.connection.sendNotification('exit');
    assert.equal(await waitExit(c, 10_000), 1);

    const c2 = await start([ws]);
    c2.proc.stdin!.end();
    const code = await waitExit(c2, 10_000);
    assert.notEqual(code, 'timeout', 'the server exits when its client goes away');
    assert.equal(code, 1);
  });

  test('a quick fix for a document that changed since the diagnostic is refused, never misapplied', async () => {
    const { ws, a } = workspace();
    const c = await start([ws]);
    await c.waitForReady(0, 30_000);
    const original = fs.readFileSync(a, 'utf8');
    await c.didOpen(a, original, 'dotenv');
    await c.waitFor('diagnostics for version 1', () => dup(c, a).some((d) => (d.data as { version?: number }).version === 1), 10_000);
    const d1 = dup(c, a)[0];
    assert.equal(d1.range.start.line, 1);

    // Version 2 moves everything one line down.
    const texts = new Map<number, string>([[1, original]]);
    texts.set(2, `# moved\n${original}`);
    await c.didChange(a, texts.get(2)!);
    await c.waitFor('diagnostics for version 2', () => dup(c, a).some((d) => (d.data as { version?: number }).version === 2), 10_000);
    const d2 = dup(c, a)[0];
    assert.equal(d2.range.start.line, 2);
    const last = [...c.publications].reverse().find((p) => p.uri === uriOf(a))!;
    assert.equal(last.version, 2, 'publishDiagnostics carries the version it was computed for');

    // The diagnostic of version 1 (the editor has not refreshed yet): refused.
    const stale = ((await c.codeActions(a, d1.range, [d1])) ?? []).filter(isAction);
    assert.deepEqual(
      stale.map((x) => x.title),
      [],
      'no fix for a diagnostic of an older version',
    );

    // The current diagnostic: fixes for version 2, whose edits hit the secret in version 2's text.
    const secretAt = (text: string, e: TextEdit) => text.slice(offsetAt(text, e.range.start), offsetAt(text, e.range.end)).replace(/^"|"$/g, '');
    const good = ((await c.codeActions(a, d2.range, [d2])) ?? []).filter(isAction).find((x) => /^Generate a new secret/.test(x.title));
    assert.ok(good, 'a Generate fix for version 2');
    const g = editsFor(good.edit!, a);
    assert.equal(g.version, 2, 'documentChanges name the version the fix was computed for');
    assert.equal(secretAt(texts.get(2)!, g.edits[0]), SECRET);

    // Races: a change arrives while the code action request is being answered. Whatever comes back
    // is for the version it names, and applies exactly there.
    let returned = 0;
    for (let round = 0; round < 12; round++) {
      const v = c.versionOf(a)!;
      const current = dup(c, a)[0];
      const req = c.codeActions(a, current.range, [current]);
      const next = `${'# pad\n'.repeat(round % 3)}${original}`;
      texts.set(v + 1, next);
      await c.didChange(a, next);
      const actions = ((await req) ?? []).filter(isAction).filter((x) => /^Generate a new secret/.test(x.title));
      for (const act of actions) {
        const { version, edits } = editsFor(act.edit!, a);
        assert.ok(typeof version === 'number', 'an open document is edited with its version');
        const text = texts.get(version)!;
        assert.ok(text !== undefined, `version ${version} was sent`);
        assert.ok(version === v || version === v + 1, `the version current at the request (${v}) or the one that raced it (${v + 1}), got ${version}`);
        for (const e of edits) assert.equal(secretAt(text, e), SECRET, `the edit for version ${version} hits the secret in that version's text`);
        returned++;
      }
      await c.waitFor(`diagnostics for version ${v + 1}`, () => dup(c, a).some((d) => (d.data as { version?: number }).version === v + 1), 10_000);
    }
    assert.ok(returned > 0, 'some fixes came back during the races');
    await c.didClose(a);
    assert.equal(await c.shutdown(), 0);
  });

  test('a client without documentChanges: stale fixes are withheld (a plain edit cannot be refused by version)', async () => {
    const { ws, a } = workspace();
    const c = await start([ws], { documentChanges: false });
    await c.waitForReady(0, 30_000);
    const original = fs.readFileSync(a, 'utf8');
    await c.didOpen(a, original, 'dotenv');
    const texts: string[] = [original];
    for (let round = 0; round < 10; round++) {
      await c.waitFor('current diagnostics', () => dup(c, a).some((d) => (d.data as { version?: number }).version === c.versionOf(a)), 10_000);
      const current = dup(c, a)[0];
      const prev = texts[texts.length - 1];
      const req = c.codeActions(a, current.range, [current]);
      const next = `${'# pad\n'.repeat((round % 3) + 1)}${original}`;
      await c.didChange(a, next);
      texts.push(next);
      for (const act of ((await req) ?? []).filter(isAction).filter((x) => /^Generate a new secret/.test(x.title))) {
        const edits = act.edit!.changes![uriOf(a)];
        // Without a version, a fix is for the text the server had when it answered: the request's, or the newer one
        // if the change was seen first. Never computed from one and aimed at the other.
        const hits = (text: string) => edits.every((e) => text.slice(offsetAt(text, e.range.start), offsetAt(text, e.range.end)) === SECRET);
        assert.ok(hits(prev) || hits(next), 'a plain edit hits the secret of the text it was computed for');
      }
    }
    await c.didClose(a);
    assert.equal(await c.shutdown(), 0);
  });
});
