/**
 * Protocol tests: the built language server (server/dist/server.js) over stdio, on a temporary
 * copy of test-workspace/, driven by a real JSON-RPC client. Lines are found by searching the
 * files for the expected text, never hard-coded.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CodeAction, Diagnostic, Range, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { compileGlobs } from '../src/parsers/glob';
import { FileChange, fileOf, isAction, LspClient, REPO_ROOT, SERVER_BUNDLE, uriOf } from './helpers/lsp-client';
import { lineOf, read } from './helpers/files';
import { applyWorkspaceEdit } from './helpers/protocol-fix';

const ERROR = 1;
const WARNING = 2;
const INFO = 3;

const tempDirs: string[] = [];
function copyWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-lsp-'));
  tempDirs.push(dir);
  const ws = path.join(dir, 'test-workspace');
  fs.cpSync(path.join(REPO_ROOT, 'test-workspace'), ws, { recursive: true });
  return fs.realpathSync(ws);
}

after(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// helpers

/** Diagnostic.message is `string | MarkupContent` since LSP 3.18; Crosswire sends plain strings. */
function msg(d: Diagnostic): string {
  assert.equal(typeof d.message, 'string');
  return d.message as string;
}

function describeDiags(list: Diagnostic[]): string {
  return list.map((d) => `${d.code}@${d.range.start.line + 1}`).join(', ') || '(none)';
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function editedFiles(edit: WorkspaceEdit): string[] {
  const uris = [...Object.keys(edit.changes ?? {}), ...(edit.documentChanges ?? []).map((dc) => ('textDocument' in dc ? dc.textDocument.uri : ''))];
  return [...new Set(uris.map(fileOf))].sort();
}

// ---------------------------------------------------------------------------------------------

describe('language server over stdio on a copy of test-workspace', { timeout: 60_000 }, () => {
  let ws: string;
  let client: LspClient;
  const f = (...segments: string[]) => path.join(ws, ...segments);

  const ET = () => f('electricity-tokens');
  const MB = () => f('multi-business-multi-apps');
  const MB2 = () => f('multi-business-server-2');
  const IGB = () => f('insight-garden', 'backend');

  function diags(file: string, rule?: string): Diagnostic[] {
    return client.diagnosticsOf(file).filter((d) => rule === undefined || d.code === rule);
  }

  function allDiags(rule?: string): { file: string; d: Diagnostic }[] {
    const out: { file: string; d: Diagnostic }[] = [];
    for (const [uri, list] of client.diagnostics) {
      for (const d of list) if (rule === undefined || d.code === rule) out.push({ file: fileOf(uri), d });
    }
    return out;
  }

  /** Asserts a diagnostic of `rule` on the line holding `needle` and returns it. */
  function expectAt(file: string, rule: string, needle: string, severity: number): Diagnostic {
    const line = lineOf(file, needle);
    const d = diags(file, rule).find((x) => x.range.start.line === line);
    assert.ok(d, `expected ${rule} at ${path.relative(ws, file)}:${line + 1} (${needle}); got ${describeDiags(diags(file))}`);
    assert.equal(d.source, 'crosswire');
    assert.equal(d.code, rule);
    assert.equal(d.severity, severity, `${rule} severity at ${path.relative(ws, file)}:${line + 1}`);
    assert.ok(d.codeDescription, 'codeDescription');
    assert.match(d.codeDescription.href, new RegExp(`docs/rules/${rule}\\.md$`));
    assert.ok(/^(file|https):\/\//.test(d.codeDescription.href), d.codeDescription.href);
    assert.deepEqual((d.data as { ruleId?: string }).ruleId, rule);
    assert.ok(msg(d).length > 0);
    return d;
  }

  function relatedFiles(d: Diagnostic): string[] {
    return (d.relatedInformation ?? []).map((r) => fileOf(r.location.uri));
  }

  async function quickFix(file: string, d: Diagnostic, title: string | RegExp): Promise<CodeAction> {
    const result = await client.codeActions(file, d.range, [d]);
    const actions = (result ?? []).filter(isAction);
    const a = actions.find((x) => (typeof title === 'string' ? x.title === title : title.test(x.title)));
    assert.ok(a, `no code action "${title}" for ${d.code} in ${path.relative(ws, file)}; got ${actions.map((x) => x.title).join(' | ')}`);
    assert.equal(a.kind, 'quickfix');
    assert.ok(a.edit, 'code action carries a WorkspaceEdit');
    assert.equal(a.diagnostics?.[0]?.code, d.code);
    return a;
  }

  async function applyAndNotify(edit: WorkspaceEdit): Promise<string[]> {
    const changed = applyWorkspaceEdit(edit);
    await client.didChangeWatchedFiles(changed.map((file) => ({ file, type: FileChange.Changed })));
    return changed;
  }

  before(async () => {
    assert.ok(fs.existsSync(SERVER_BUNDLE), `${SERVER_BUNDLE} missing: run node scripts/build.mjs`);
    ws = copyWorkspace();
    client = await LspClient.start({ folders: [ws] });
    await client.waitForReady(0, 30_000);
  });

  after(async () => {
    client?.kill();
  });

  test('initialize advertises the capabilities', () => {
    const caps = client.initializeResult!.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2 });
    assert.deepEqual(
      (caps.codeActionProvider as { codeActionKinds: string[] }).codeActionKinds,
      ['quickfix', 'source.fixAll.crosswire'],
      'quick fixes, and the safe fix-all for editor.codeActionsOnSave',
    );
    assert.ok(caps.executeCommandProvider?.commands.includes('crosswire.audit'));
    assert.equal(caps.workspace?.workspaceFolders?.supported, true);
    const watch = client.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles');
    assert.ok(watch, 'file watchers registered dynamically');
    const globs = (watch.registerOptions as { watchers: { globPattern: string }[] }).watchers.map((w) => w.globPattern);
    // The watchers cover every kind of file the index reads (the file-kinds table), the editor's config files included.
    const watched = compileGlobs(globs);
    for (const rel of [
      '.env',
      'app/.env.local',
      'app/package.json',
      'app/prisma/schema.prisma',
      'crosswire.config.json',
      'db/postgresql.conf',
      'api/ecosystem.json',
      'api/ecosystem.config.js',
      'svc/requirements.txt',
      'svc/Pipfile',
      'web/src/App.jsx',
      'api/src/main.mts',
      'api/src/main.cts',
      'docker-compose.yml',
    ]) {
      assert.ok(watched(rel), `${rel} is watched (${globs.join(' ')})`);
    }
    const statuses = client.statuses as { state: string; apps?: number; findings?: number }[];
    assert.equal(statuses[0].state, 'indexing');
    const ready = statuses.find((s) => s.state === 'ready')!;
    assert.ok(ready.apps! >= 7, `apps ${ready.apps}`);
    assert.equal(ready.findings, allDiags().length, 'status counts every published diagnostic');
  });

  test('incident a: duplicate-secret on every NEXTAUTH_SECRET line, related to the other app, never between replicas', () => {
    const sites = [
      f('electricity-tokens', '.env'),
      f('electricity-tokens', '.env.local'),
      f('multi-business-multi-apps', '.env'),
      f('multi-business-multi-apps', '.env.local'),
      f('multi-business-server-2', '.env.local'),
    ];
    for (const file of sites) {
      const d = expectAt(file, 'duplicate-secret', 'NEXTAUTH_SECRET=', ERROR);
      assert.ok(!msg(d).includes('pano-pamusha'), 'the secret is never shown');
      const rel = relatedFiles(d);
      assert.ok(rel.length > 0, `related information on ${file}`);
      if (isInside(ET(), file)) {
        assert.ok(
          rel.every((r) => isInside(MB(), r) || isInside(MB2(), r)),
          `related of ${file}: ${rel.join(', ')}`,
        );
        assert.ok(rel.some((r) => isInside(MB(), r)));
        assert.match(msg(d), /multi-business-multi-apps/);
      } else {
        assert.ok(
          rel.every((r) => isInside(ET(), r)),
          `related of ${file} must be the other app only: ${rel.join(', ')}`,
        );
        assert.match(msg(d), /electricity-tokens/);
      }
      for (const r of d.relatedInformation!) {
        assert.equal(r.location.range.start.line, lineOf(fileOf(r.location.uri), 'NEXTAUTH_SECRET='));
      }
    }
    assert.equal(allDiags('duplicate-secret').length, sites.length, describeDiags(allDiags('duplicate-secret').map((x) => x.d)));
    assert.equal(diags(f('electricity-tokens', '.next', 'standalone', '.env')).length, 0, 'build output is not indexed');
  });

  test('port-collision, ineffective-port and implicit-port at the right lines', () => {
    // Issue 10: electricity-tokens and the insight-garden backend share a database server, so they are taken to run
    // together; `next start` cannot share 3000 (error), `next dev` moves away from it while NEXTAUTH_URL names it (warning).
    const start = expectAt(f('electricity-tokens', 'package.json'), 'port-collision', '"start":', ERROR);
    const dev = expectAt(f('electricity-tokens', 'package.json'), 'port-collision', '"dev":', WARNING);
    for (const d of [start, dev]) {
      assert.match(msg(d), /3000/);
      assert.ok(
        relatedFiles(d).some((r) => !isInside(ET(), r)),
        `port-collision related to another app: ${relatedFiles(d).join(', ')}`,
      );
    }
    const backendPort = expectAt(f('insight-garden', 'backend', '.env'), 'port-collision', 'PORT=3000', ERROR);
    assert.ok(relatedFiles(backendPort).some((r) => !isInside(IGB(), r)));
    // it-assets-manager shares nothing with them: not compared.
    assert.equal(diags(f('it-assets-manager', 'package.json'), 'port-collision').length, 0);
    expectAt(f('insight-garden', 'frontend', 'package.json'), 'implicit-port', '"dev":', INFO);
    assert.equal(diags(f('insight-garden', 'frontend', 'package.json'), 'implicit-port').length, 1, 'vite preview: nothing depends on it');

    const ineffective = expectAt(f('it-assets-manager', '.env'), 'ineffective-port', 'PORT=3001', WARNING);
    assert.match(msg(ineffective), /3000/);
    assert.equal(diags(f('multi-business-multi-apps', '.env'), 'ineffective-port').length, 0, 'PORT=8080 equals the real port');
    assert.equal(diags(f('multi-business-multi-apps', 'package.json'), 'implicit-port').length, 0);
    assert.equal(diags(f('multi-business-multi-apps', 'package.json'), 'port-collision').length, 0);
  });

  test('missing-connection-limit on the url lines and the in-block property', () => {
    for (const app of [ET(), MB(), MB2(), IGB()]) {
      const schema = path.join(app, 'prisma', 'schema.prisma');
      const d = expectAt(schema, 'missing-connection-limit', 'env("DATABASE_URL")', WARNING);
      const rel = relatedFiles(d);
      assert.ok(
        rel.some((r) => isInside(app, r) && path.basename(r).startsWith('.env')),
        `related to the env line: ${rel.join(', ')}`,
      );
      assert.ok(
        rel.some((r) => !isInside(app, r) && r.endsWith('schema.prisma')),
        `related to other apps' datasources: ${rel.join(', ')}`,
      );
    }
    for (const app of [MB(), MB2()]) {
      expectAt(path.join(app, 'prisma', 'schema.prisma'), 'missing-connection-limit', 'connection_limit =', ERROR);
    }
    assert.equal(diags(f('electricity-tokens', 'prisma', 'schema.prisma')).length, 1);
  });

  test('incident c: inconsistent-service-url on netra/.env; the clean app has nothing', () => {
    const d = expectAt(f('netra', '.env'), 'inconsistent-service-url', 'AUTH_SERVICE_URL=', WARNING);
    assert.ok((d.relatedInformation ?? []).length > 0);
    for (const { file, d: x } of allDiags()) {
      assert.ok(!isInside(f('status-page'), file), `status-page must be clean: ${x.code} in ${file}`);
      assert.notEqual(x.code, 'parse-error', `parse-error in ${file}: ${msg(x)}`);
      assert.equal(x.source, 'crosswire');
    }
    assert.equal(diags(f('netra', '.env.test')).length, 0);
  });

  test('unsaved text of another app changes diagnostics in electricity-tokens; closing reverts to disk', async () => {
    const etEnv = f('electricity-tokens', '.env');
    const mbEnv = f('multi-business-multi-apps', '.env');
    const mbLocal = f('multi-business-multi-apps', '.env.local');
    const mbText = read(mbEnv);
    await client.didOpen(mbEnv, mbText, 'dotenv');
    const changed = mbText.replace('NEXTAUTH_SECRET="pano-pamusha-hapa-pindwi-nemuroyi"', 'NEXTAUTH_SECRET="an-unsaved-value-only-in-the-editor-0001"');
    assert.notEqual(changed, mbText);
    await client.didChange(mbEnv, changed);
    // .env no longer shares; .env.local of the same app (and its replica) still do.
    await client.waitForDiagnostics(
      () =>
        diags(mbEnv, 'duplicate-secret').length === 0 &&
        diags(etEnv, 'duplicate-secret').length === 1 &&
        !relatedFiles(diags(etEnv, 'duplicate-secret')[0]).includes(mbEnv),
      10_000,
      'duplicate-secret of electricity-tokens/.env no longer related to the edited file',
    );
    assert.ok(relatedFiles(diags(etEnv, 'duplicate-secret')[0]).includes(mbLocal));

    // The same edit in .env.local too (incremental change this time): only the replica still shares.
    const localText = read(mbLocal);
    await client.didOpen(mbLocal, localText, 'dotenv');
    const line = lineOf(mbLocal, 'NEXTAUTH_SECRET=');
    const lineText = localText.split(/\r?\n/)[line];
    const range: Range = { start: { line, character: 0 }, end: { line, character: lineText.length } };
    await client.didChange(mbLocal, [{ range, text: 'NEXTAUTH_SECRET="an-unsaved-value-only-in-the-editor-0001"' }]);
    await client.waitForDiagnostics(
      () => {
        const d = diags(etEnv, 'duplicate-secret')[0];
        return diags(mbLocal, 'duplicate-secret').length === 0 && !!d && relatedFiles(d).every((r) => isInside(MB2(), r));
      },
      10_000,
      'electricity-tokens related only to the replica on server 2',
    );

    await client.didClose(mbEnv);
    await client.didClose(mbLocal);
    await client.waitForDiagnostics(
      () => diags(mbEnv, 'duplicate-secret').length === 1 && diags(mbLocal, 'duplicate-secret').length === 1,
      10_000,
      'closing the documents falls back to the disk text',
    );
  });

  test('quick fix: Generate a new secret for electricity-tokens clears every duplicate-secret', async () => {
    const etEnv = f('electricity-tokens', '.env');
    const etLocal = f('electricity-tokens', '.env.local');
    const d = expectAt(etEnv, 'duplicate-secret', 'NEXTAUTH_SECRET=', ERROR);
    const action = await quickFix(etEnv, d, 'Generate a new secret for electricity-tokens');
    assert.deepEqual(editedFiles(action.edit!), [etEnv, etLocal].sort(), 'writes every env file of the app holding the value');
    assert.ok(action.edit!.documentChanges, 'documentChanges when the client supports them');
    await applyAndNotify(action.edit!);

    const secretOf = (file: string) => /^NEXTAUTH_SECRET="([^"]*)"$/m.exec(read(file))?.[1];
    const s1 = secretOf(etEnv);
    assert.ok(s1, 'quoting preserved');
    assert.equal(secretOf(etLocal), s1, 'the same new secret in .env and .env.local');
    assert.notEqual(s1, 'pano-pamusha-hapa-pindwi-nemuroyi');
    assert.equal(Buffer.from(s1, 'base64').length, 32);
    assert.equal(secretOf(f('multi-business-multi-apps', '.env')), 'pano-pamusha-hapa-pindwi-nemuroyi', 'other app untouched');

    await client.waitForDiagnostics(() => allDiags('duplicate-secret').length === 0, 10_000, 'no duplicate-secret left');
    // The cleared files were republished (as empty, or without the rule).
    for (const file of [etEnv, etLocal, f('multi-business-multi-apps', '.env'), f('multi-business-server-2', '.env.local')]) {
      assert.ok(client.diagnostics.has(uriOf(file)), `${file} was republished`);
    }
    assert.deepEqual(client.diagnosticsOf(etLocal), [], '.env.local cleared');
  });

  test('quick fixes of missing-connection-limit: append to the env URL; move the in-block property into the URL', async () => {
    const schema = f('electricity-tokens', 'prisma', 'schema.prisma');
    const envFile = f('electricity-tokens', '.env');
    const d = expectAt(schema, 'missing-connection-limit', 'env("DATABASE_URL")', WARNING);
    const result = (await client.codeActions(schema, d.range, [d])) ?? [];
    const actions = result.filter(isAction);
    const action = actions.find((a) => a.edit && editedFiles(a.edit!).includes(envFile));
    assert.ok(action, `a fix that edits electricity-tokens/.env; got ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(action.kind, 'quickfix');
    assert.deepEqual(editedFiles(action.edit!), [envFile]);
    await applyAndNotify(action.edit!);
    const m = /^DATABASE_URL="postgresql:\/\/postgres:postgres@localhost:5432\/electricity_tokens\?connection_limit=(\d+)"$/m.exec(read(envFile));
    assert.ok(
      m,
      `connection_limit appended with quoting kept: ${read(envFile)
        .split('\n')
        .find((l) => l.startsWith('DATABASE_URL'))}`,
    );
    const n = Number(m[1]);
    assert.ok(n >= 1 && n <= 10, `n=${n}`);
    await client.waitForDiagnostics(() => diags(schema, 'missing-connection-limit').length === 0, 10_000, 'electricity-tokens schema cleared');
    // The others still lack the parameter.
    expectAt(f('insight-garden', 'backend', 'prisma', 'schema.prisma'), 'missing-connection-limit', 'env("DATABASE_URL")', WARNING);

    // The in-block property of multi-business-multi-apps: Prisma rejects it; the fix moves it into the URL.
    const mbSchema = f('multi-business-multi-apps', 'prisma', 'schema.prisma');
    const mbEnv = f('multi-business-multi-apps', '.env');
    const e = expectAt(mbSchema, 'missing-connection-limit', 'connection_limit =', ERROR);
    const blockActions = ((await client.codeActions(mbSchema, e.range, [e])) ?? []).filter(isAction);
    assert.ok(blockActions.length >= 1, 'a fix for the in-block property');
    const move = blockActions.find((a) => a.edit && editedFiles(a.edit!).includes(mbSchema) && editedFiles(a.edit!).includes(mbEnv));
    assert.ok(
      move,
      `a fix editing the schema and the env file; got ${blockActions
        .filter((a) => a.edit)
        .map((a) => `${a.title} -> ${editedFiles(a.edit!).join(',')}`)
        .join(' | ')}`,
    );
    await applyAndNotify(move.edit!);
    assert.ok(!/^\s*connection_limit\s*=/m.test(read(mbSchema)), 'property removed from the datasource block');
    assert.match(read(mbEnv), /^DATABASE_URL="postgresql:\/\/postgres:postgres@localhost:5432\/multi_business_db\?connection_limit=10"$/m);
    await client.waitForDiagnostics(() => diags(mbSchema, 'missing-connection-limit').length === 0, 10_000, 'multi-business schema cleared');
    expectAt(f('multi-business-server-2', 'prisma', 'schema.prisma'), 'missing-connection-limit', 'connection_limit =', ERROR);
  });

  test('quick fix: Set the port of insight-garden-frontend', async () => {
    const pkg = f('insight-garden', 'frontend', 'package.json');
    const d = expectAt(pkg, 'implicit-port', '"dev":', INFO);
    const action = await quickFix(pkg, d, /^Set the port of insight-garden-frontend to \d+$/);
    const port = Number(/(\d+)$/.exec(action.title)![1]);
    assert.deepEqual(editedFiles(action.edit!), [pkg]);
    await applyAndNotify(action.edit!);
    const scripts = (JSON.parse(read(pkg)) as { scripts: Record<string, string> }).scripts;
    assert.match(scripts.dev, new RegExp(`^vite .*--port ${port}\\b.*--strictPort|^vite --port ${port} --strictPort$`));
    await client.waitForDiagnostics(
      () => !diags(pkg, 'implicit-port').some((x) => x.range.start.line === lineOf(pkg, '"dev":')),
      10_000,
      'implicit-port on the dev script cleared',
    );
    assert.equal(diags(pkg).filter((x) => x.range.start.line === lineOf(pkg, '"dev":')).length, 0);
  });

  test('files created and deleted on disk are picked up through file events', async () => {
    const appDir = f('late-app');
    fs.mkdirSync(appDir);
    const pkg = path.join(appDir, 'package.json');
    const env = path.join(appDir, '.env');
    const statusEnv = f('status-page', '.env');
    const statusSecret = /^SESSION_SECRET=(.*)$/m.exec(read(statusEnv))![1];
    fs.writeFileSync(
      pkg,
      JSON.stringify(
        { name: 'late-app', private: true, scripts: { start: 'node server.js' }, dependencies: { dotenv: '^16.4.5', express: '^4.21.1' } },
        null,
        2,
      ) + '\n',
    );
    fs.writeFileSync(env, `PORT=4200\nSESSION_SECRET=${statusSecret}\n`);
    await client.didChangeWatchedFiles([
      { file: pkg, type: FileChange.Created },
      { file: env, type: FileChange.Created },
    ]);
    await client.waitForDiagnostics(
      () => diags(env, 'duplicate-secret').length === 1 && diags(statusEnv, 'duplicate-secret').length === 1,
      10_000,
      'duplicate-secret between the new app and status-page',
    );
    const d = expectAt(statusEnv, 'duplicate-secret', 'SESSION_SECRET=', ERROR);
    assert.deepEqual(relatedFiles(d), [env]);

    // A deleted folder may be reported as the folder alone.
    fs.rmSync(appDir, { recursive: true });
    await client.didChangeWatchedFiles([{ file: appDir, type: FileChange.Deleted }]);
    await client.waitForDiagnostics(
      () => client.diagnostics.get(uriOf(statusEnv))?.length === 0 && client.diagnostics.get(uriOf(env))?.length === 0,
      10_000,
      'status-page clean again; the deleted file cleared',
    );

    // A deleted file with findings gets an empty publication.
    const netraEnv = f('netra', '.env');
    assert.equal(diags(netraEnv, 'inconsistent-service-url').length, 1);
    fs.rmSync(netraEnv);
    await client.didChangeWatchedFiles([{ file: netraEnv, type: FileChange.Deleted }]);
    await client.waitForDiagnostics(() => client.diagnostics.get(uriOf(netraEnv))?.length === 0, 10_000, 'netra/.env cleared after deletion');
  });

  test('crosswire.audit re-indexes and returns the report', async () => {
    const before = client.publications.length;
    const result = await client.executeCommand<{ markdown: string; findings: number; apps: number; byRule: Record<string, number> }>('crosswire.audit');
    assert.equal(typeof result.markdown, 'string');
    assert.equal(result.findings, allDiags().length, 'findings = diagnostics currently published');
    assert.ok(result.apps >= 7, `apps ${result.apps}`);
    for (const name of [
      'electricity-tokens',
      'multi-business-multi-apps',
      'it-assets-manager',
      'insight-garden-backend',
      'insight-garden-frontend',
      'status-page',
    ]) {
      assert.ok(result.markdown.includes(name), `report mentions ${name}`);
    }
    assert.ok(result.markdown.includes(`${result.apps} apps`), 'report counts the apps');
    assert.ok(result.markdown.includes(`${result.findings} finding`), 'report counts the findings');
    assert.ok(!result.markdown.includes('pano-pamusha'), 'no secret in the report');
    const sum = Object.values(result.byRule).reduce((a, b) => a + b, 0);
    assert.equal(sum, result.findings);
    assert.equal(result.byRule['duplicate-secret'] ?? 0, 0);
    assert.ok(client.publications.length >= before);
    const ready = (client.statuses as { state: string; findings?: number }[]).filter((s) => s.state === 'ready').at(-1)!;
    assert.equal(ready.findings, result.findings);
  });

  test('shutdown and exit end the server with code 0', async () => {
    const code = await client.shutdown();
    assert.equal(code, 0);
    assert.ok(
      !client.logs.some((l) => l.type === 1),
      `no errors logged: ${client.logs
        .filter((l) => l.type === 1)
        .map((l) => l.message)
        .join('\n')}`,
    );
  });
});

describe('a client without relatedInformation / documentChanges support', { timeout: 60_000 }, () => {
  let client: LspClient | undefined;
  after(() => client?.kill());

  test('related locations go into the message; code actions use `changes`', async () => {
    const ws = copyWorkspace();
    client = await LspClient.start({ folders: [ws], relatedInformation: false, documentChanges: false, trace: 'verbose' });
    await client.waitForReady(0, 30_000);
    const etEnv = path.join(ws, 'electricity-tokens', '.env');
    const d = client.diagnosticsOf(etEnv).find((x) => x.code === 'duplicate-secret');
    assert.ok(d, 'duplicate-secret on electricity-tokens/.env');
    assert.equal(d.relatedInformation, undefined);
    const line = lineOf(path.join(ws, 'multi-business-multi-apps', '.env'), 'NEXTAUTH_SECRET=') + 1;
    assert.ok(msg(d).includes(`multi-business-multi-apps/.env:${line}`), msg(d));
    assert.match(msg(d), /\(also: /);
    const actions = ((await client.codeActions(etEnv, d.range, [d])) ?? []).filter(isAction);
    const a = actions.find((x) => x.title === 'Generate a new secret for electricity-tokens');
    assert.ok(a?.edit?.changes, 'WorkspaceEdit.changes');
    assert.equal(a.edit.documentChanges, undefined);
    assert.ok(Object.keys(a.edit.changes).includes(uriOf(etEnv)));
    // Debug logging with trace verbose, and never an edit text (they hold generated secrets).
    const newText = Object.values(a.edit.changes).flat()[0].newText;
    assert.ok(
      client.logs.some((l) => l.message.includes('[debug]')),
      'debug log with trace verbose',
    );
    assert.ok(!client.logs.some((l) => l.message.includes(newText)), 'an edit text was logged');
    assert.equal(await client.shutdown(), 0);
  });
});

describe('a multi-root workspace: two apps in two unrelated folders (incident a)', { timeout: 60_000 }, () => {
  let client: LspClient | undefined;
  after(() => client?.kill());

  test('findings across folders; removing and adding a folder republishes', async () => {
    const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-lsp-roots-')));
    tempDirs.push(base);
    const rootA = path.join(base, 'home-projects');
    const rootB = path.join(base, 'work-projects');
    for (const [root, app] of [
      [rootA, 'electricity-tokens'],
      [rootB, 'multi-business-multi-apps'],
    ]) {
      fs.cpSync(path.join(REPO_ROOT, 'test-workspace', app), path.join(root, app), { recursive: true });
    }
    const etEnv = path.join(rootA, 'electricity-tokens', '.env');
    const mbEnv = path.join(rootB, 'multi-business-multi-apps', '.env');
    client = await LspClient.start({ folders: [rootA, rootB] });
    await client.waitForReady(0, 30_000);
    const c = client;
    const dup = (file: string) => c.diagnosticsOf(file).filter((d) => d.code === 'duplicate-secret');
    assert.equal(dup(etEnv).length, 1, 'duplicate-secret across the two folders');
    assert.ok(dup(etEnv)[0].relatedInformation!.some((r) => fileOf(r.location.uri) === mbEnv));
    assert.equal(dup(mbEnv).length, 1);

    assert.ok(!c.logs.some((l) => l.message.includes('[debug]')), 'no debug logs with trace off');
    await c.connection.sendNotification('$/setTrace', { value: 'verbose' });
    await c.didChangeWorkspaceFolders([], [rootB]);
    await c.waitForDiagnostics(
      () => dup(etEnv).length === 0 && c.diagnostics.get(uriOf(mbEnv))?.length === 0,
      10_000,
      'the removed folder is forgotten and its diagnostics cleared',
    );
    assert.ok(
      c.logs.some((l) => l.message.includes('[debug]')),
      'debug logs after $/setTrace verbose',
    );
    await c.didChangeWorkspaceFolders([rootB], []);
    await c.waitForDiagnostics(() => dup(etEnv).length === 1 && dup(mbEnv).length === 1, 10_000, 'the folder is back');
    assert.equal(await c.shutdown(), 0);
  });
});
