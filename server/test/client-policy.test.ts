/**
 * The VS Code client's behaviour that can be tested without VS Code: the restart policy (a server
 * that dies is restarted a bounded number of times, and the user is told once) and the redaction of
 * the LSP trace channel (document texts and fix edits never reach the output). Both live in
 * vscode-free modules of client/src, compiled here with the TypeScript compiler and loaded.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { LspClient, REPO_ROOT } from './helpers/lsp-client';

const CLIENT_SRC = path.join(REPO_ROOT, 'client', 'src');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-client-'));
after(() => fs.rmSync(out, { recursive: true, force: true }));

/** Compiles one vscode-free client module to CommonJS and loads it. */
function load<T>(name: string): T {
  const src = fs.readFileSync(path.join(CLIENT_SRC, `${name}.ts`), 'utf8');
  assert.doesNotMatch(src, /^\s*import\b|require\(/m, `${name}.ts imports nothing (in particular not vscode)`);
  const js = ts.transpileModule(src, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, strict: true },
    reportDiagnostics: true,
  });
  assert.deepEqual(js.diagnostics ?? [], []);
  const file = path.join(out, `${name}.js`);
  fs.writeFileSync(file, js.outputText);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as T;
}

type Decision = { restart: boolean; notify?: { severity: 'warning' | 'error'; text: string }; log: string };
interface Policy {
  onClosed(now?: number): Decision;
  onError(count: number | undefined): 'continue' | 'shutdown';
  reset(): void;
}
const { RestartPolicy } = load<{ RestartPolicy: new (max?: number, windowMs?: number, name?: string) => Policy }>('restartPolicy');
const { redactTrace } = load<{ redactTrace(s: string): string }>('redact');

test('restart policy: bounded restarts in a window, the user told once', () => {
  const p = new RestartPolicy();
  const t0 = 1_000_000;
  const decisions = [0, 1, 2, 3, 4, 5].map((i) => p.onClosed(t0 + i * 1000));
  assert.deepEqual(
    decisions.map((d) => d.restart),
    [true, true, true, true, false, false],
    '4 restarts in 3 minutes, then stop',
  );
  assert.deepEqual(
    decisions.map((d) => d.notify?.severity),
    ['warning', undefined, undefined, undefined, 'error', undefined],
    'told once that it restarted, once that it gave up',
  );
  assert.match(decisions[0].notify!.text, /stopped unexpectedly and was restarted/);
  assert.match(decisions[4].notify!.text, /will not be restarted.*Restart server/);
  for (const d of decisions) assert.ok(d.log.length > 10, 'every stop is logged');
  // A manual restart gives a fresh budget, without telling again that it restarts.
  p.reset();
  const again = p.onClosed(t0 + 10_000);
  assert.equal(again.restart, true);
  assert.equal(again.notify, undefined);
  // Crashes far apart never exhaust the budget.
  const q = new RestartPolicy(2, 60_000);
  for (let i = 0; i < 20; i++) assert.equal(q.onClosed(i * 61_000).restart, true, `crash ${i}`);
  // Connection errors: continue for the first three, then shut down.
  assert.deepEqual(
    [1, 2, 3, 4, undefined].map((n) => p.onError(n)),
    ['continue', 'continue', 'continue', 'shutdown', 'shutdown'],
  );
});

test('the real server killed again and again: restarted by the policy until the budget is spent', { timeout: 60_000 }, async () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-restart-'));
  fs.writeFileSync(path.join(ws, '.env'), 'PORT=4000\n');
  try {
    const policy = new RestartPolicy(3, 60_000);
    let starts = 0;
    const told: string[] = [];
    for (;;) {
      const c = await LspClient.start({ folders: [ws] });
      starts++;
      await c.waitForReady(0, 30_000);
      const exited = new Promise((r) => c.proc.once('exit', r));
      c.proc.kill('SIGKILL'); // the server dies
      await exited;
      c.kill();
      const d = policy.onClosed();
      if (d.notify) told.push(d.notify.severity);
      if (!d.restart) break;
      assert.ok(starts < 10, 'bounded');
    }
    assert.equal(starts, 4, 'the first start and 3 restarts');
    assert.deepEqual(told, ['warning', 'error']);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('the trace channel never shows document texts or fix edits', () => {
  const secret = randomBytes(32).toString('base64');
  const fresh = randomBytes(32).toString('base64');
  // What vscode-languageclient writes for a traced message: a header and the params as JSON (4 spaces).
  const didOpen = `Sending notification 'textDocument/didOpen'.\nParams: ${JSON.stringify({ textDocument: { uri: 'file:///w/app/.env', languageId: 'dotenv', version: 1, text: `A=1\nSESSION_SECRET="${secret}"\n# "quoted" \\ back\n` } }, null, 4)}`;
  const didChange = `Sending notification 'textDocument/didChange'.\nParams: ${JSON.stringify({ textDocument: { uri: 'file:///w/app/.env', version: 2 }, contentChanges: [{ range: { start: { line: 1, character: 16 }, end: { line: 1, character: 20 } }, text: secret.slice(0, 20) }] }, null, 4)}`;
  const actions = `Received response 'textDocument/codeAction - (12)' in 3ms.\nResult: ${JSON.stringify([{ title: 'Generate a new secret for app', kind: 'quickfix', edit: { documentChanges: [{ textDocument: { uri: 'file:///w/app/.env', version: 2 }, edits: [{ range: { start: { line: 1, character: 16 }, end: { line: 1, character: 60 } }, newText: `"${fresh}"` }] }] } }], null, 4)}`;
  const diagnostics = `Received notification 'textDocument/publishDiagnostics'.\nParams: ${JSON.stringify({ uri: 'file:///w/app/.env', diagnostics: [{ message: 'SESSION_SECRET (sha256:abc123) of app is also the secret of other.', code: 'duplicate-secret' }] }, null, 4)}`;
  for (const t of [didOpen, didChange, actions]) {
    const r = redactTrace(t);
    for (let i = 0; i + 8 <= secret.length; i++) assert.ok(!r.includes(secret.slice(i, i + 8)), `no part of the secret in ${r}`);
    for (let i = 0; i + 8 <= fresh.length; i++) assert.ok(!r.includes(fresh.slice(i, i + 8)), `no part of the fresh secret in ${r}`);
    assert.match(r, /characters not shown/);
    assert.ok(r.includes('file:///w/app/.env'), 'the rest stays readable');
  }
  assert.equal(redactTrace(diagnostics), diagnostics, 'messages without contents are untouched (secrets there are masked already)');
  assert.match(redactTrace(actions), /"title": "Generate a new secret for app"/);
  assert.equal(redactTrace('plain log line'), 'plain log line');
});

test('the extension wires the policy and the redaction into its LanguageClient', () => {
  const ext = fs.readFileSync(path.join(CLIENT_SRC, 'extension.ts'), 'utf8');
  assert.match(ext, /import \{ RestartPolicy \} from '\.\/restartPolicy';/);
  assert.match(ext, /import \{ redactTrace \} from '\.\/redact';/);
  assert.match(
    ext,
    /errorHandler: \{[\s\S]*closed: \(\) => \{[\s\S]*restartPolicy\.onClosed\(\)[\s\S]*CloseAction\.Restart : CloseAction\.DoNotRestart, handled: true/,
  );
  assert.match(ext, /traceOutputChannel: output \? redactingChannel\(output\) : undefined/);
  assert.match(ext, /restartPolicy\.reset\(\);/, 'the Restart command resets the budget');
  // The bundle that VS Code loads has them too.
  const bundle = path.join(REPO_ROOT, 'client', 'dist', 'extension.js');
  if (fs.existsSync(bundle)) {
    const js = fs.readFileSync(bundle, 'utf8');
    assert.ok(js.includes('characters not shown') && js.includes('will not be restarted'), 'bundled');
  }
});
