// The in-editor test suite: runs inside a real VS Code extension host (launched by @vscode/test-electron
// from server/test/vscode-extension.test.ts, or by the code-server end-to-end script scripts/e2e/run.mjs),
// on a workspace that is a temporary copy of test-workspace/. It asserts through the `vscode` API only,
// writes its result to the JSON file named by CROSSWIRE_TEST_RESULT (else crosswire-test-result.json beside
// the workspace folder: the extension host's exit code does not report a failing run() everywhere), and
// throws on failure. Lines are found by searching the files' text, never hard-coded.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'crosswire.crosswire';

interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface SuiteResult {
  ok: boolean;
  checks: Check[];
  error?: string;
  vscodeVersion: string;
  workspace?: string;
  durationMs: number;
}

export async function run(): Promise<void> {
  const started = Date.now();
  const checks: Check[] = [];
  let error: string | undefined;
  let workspace: string | undefined = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  try {
    workspace = await suite(checks);
  } catch (e) {
    error = e instanceof Error ? (e.stack ?? e.message) : String(e);
  }
  const result: SuiteResult = {
    ok: error === undefined && checks.length > 0 && checks.every((c) => c.ok),
    checks,
    error,
    vscodeVersion: vscode.version,
    workspace,
    durationMs: Date.now() - started,
  };
  const out = process.env.CROSSWIRE_TEST_RESULT ?? (workspace ? path.join(path.dirname(workspace), 'crosswire-test-result.json') : undefined);
  if (out) fs.writeFileSync(out, JSON.stringify(result, null, 2));
  for (const c of checks) console.log(`${c.ok ? 'ok    ' : 'FAILED'} ${c.name}${c.detail ? ` — ${c.detail}` : ''}`);
  if (!result.ok) {
    throw new Error(
      `Crosswire extension suite failed: ${
        error ??
        checks
          .filter((c) => !c.ok)
          .map((c) => c.name)
          .join('; ')
      }`,
    );
  }
}

/** Records a check; throws when `required` and it failed, since later checks depend on it. */
function check(checks: Check[], name: string, ok: boolean, detail?: string, required = true): boolean {
  checks.push({ name, ok, detail });
  if (!ok && required) throw new Error(`${name}${detail ? `: ${detail}` : ''}`);
  return ok;
}

async function waitFor<T>(what: () => T | undefined, timeoutMs: number, intervalMs = 200): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = what();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function codeOf(d: vscode.Diagnostic): string | undefined {
  const code = d.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}

function crosswireDiagnostics(uri: vscode.Uri, ruleId: string): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'crosswire' && codeOf(d) === ruleId);
}

function isUnder(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** 0-based line of the first line of `text` that matches `pattern`, or -1. */
function lineMatching(text: string, pattern: RegExp): number {
  return text.split(/\r?\n/).findIndex((l) => pattern.test(l));
}

/** The value of `key` in an env file as written (quotes removed), read from the file itself. */
function envValue(file: string, key: string): string | undefined {
  const line = fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .find((l) => new RegExp(`^\\s*(export\\s+)?${key}\\s*=`).test(l));
  return line
    ?.replace(/^[^=]*=\s*/, '')
    .replace(/^(["'])(.*)\1\s*$/, '$2')
    .trim();
}

function describeDiagnostics(root: string): string {
  return (
    vscode.languages
      .getDiagnostics()
      .map(
        ([uri, ds]) =>
          `${path.relative(root, uri.fsPath)}: ${ds
            .filter((d) => d.source === 'crosswire')
            .map(codeOf)
            .join(',')}`,
      )
      .filter((s) => !s.endsWith(': '))
      .join(' | ') || 'none'
  );
}

async function suite(checks: Check[]): Promise<string> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  check(checks, 'a workspace folder is open', folder !== undefined, 'open a copy of test-workspace/ as the workspace');
  const root = folder!.uri.fsPath;
  const f = (...segments: string[]) => path.join(root, ...segments);
  const etDir = f('electricity-tokens');
  const mbDir = f('multi-business-multi-apps');
  const etEnv = f('electricity-tokens', '.env');
  const mbEnv = f('multi-business-multi-apps', '.env');
  check(checks, 'the workspace is a copy of test-workspace/', fs.existsSync(etEnv) && fs.existsSync(mbEnv), root);
  const etUri = vscode.Uri.file(etEnv);
  const mbUri = vscode.Uri.file(mbEnv);
  const openedAtStart = new Set(vscode.workspace.textDocuments.map((d) => d.uri.fsPath));

  // 1. The extension is installed (when run by scripts/e2e, from the packaged .vsix) and activates on its
  //    own (activationEvents: workspaceContains), without anyone calling activate().
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  check(checks, `extension ${EXTENSION_ID} is installed`, extension !== undefined);
  const installedIn = process.env.CROSSWIRE_EXPECT_EXTENSIONS_DIR;
  if (installedIn) {
    const dir = extension!.extensionPath;
    const packaged =
      isUnder(dir, installedIn) &&
      fs.existsSync(path.join(dir, 'server', 'dist', 'server.js')) &&
      !fs.existsSync(path.join(dir, 'client', 'src')) &&
      !fs.existsSync(path.join(dir, 'server', 'src')) &&
      !fs.existsSync(path.join(dir, 'node_modules')) &&
      !fs.existsSync(path.join(dir, 'client', 'dist', 'extension.js.map'));
    check(checks, 'the extension runs from the installed .vsix (bundles only, no sources, maps or node_modules)', packaged, dir);
  }
  const activated = await waitFor(() => extension!.isActive || undefined, 60_000);
  check(checks, 'the extension activated on its own', activated === true, activated ? undefined : 'not active 60 s after startup');
  // isActive is also true when activate() threw: the API it returns shows that it ran to the end.
  const exported = extension!.exports as Partial<{ ready: () => Promise<void> }> | undefined;
  check(checks, 'activate() completed and returned the Crosswire API', typeof exported?.ready === 'function', `exports: ${typeof exported}`);

  // 2. Diagnostics arrive for files that were never opened: incident a's two apps share NEXTAUTH_SECRET.
  const incidentA: { uri: vscode.Uri; file: string; app: string; otherApp: string }[] = [
    { uri: etUri, file: etEnv, app: 'electricity-tokens', otherApp: mbDir },
    { uri: mbUri, file: mbEnv, app: 'multi-business-multi-apps', otherApp: etDir },
  ];
  const first: Record<string, vscode.Diagnostic> = {};
  for (const { uri, file, app, otherApp } of incidentA) {
    const rel = path.relative(root, file);
    const found = await waitFor(() => {
      const list = crosswireDiagnostics(uri, 'duplicate-secret');
      return list.length > 0 ? list : undefined;
    }, 90_000);
    check(
      checks,
      `duplicate-secret diagnostic on ${rel}`,
      found !== undefined,
      found ? `${found.length} diagnostic(s)` : `none after 90 s; crosswire diagnostics seen: ${describeDiagnostics(root)}`,
    );
    check(checks, `${rel} was never opened in an editor`, !openedAtStart.has(file) && !vscode.workspace.textDocuments.some((d) => d.uri.fsPath === file));
    const d = found![0];
    first[app] = d;
    check(checks, `${rel}: duplicate-secret is an error`, d.severity === vscode.DiagnosticSeverity.Error, `severity ${d.severity}`);
    const expectedLine = lineMatching(fs.readFileSync(file, 'utf8'), /^\s*(export\s+)?NEXTAUTH_SECRET\s*=/);
    check(
      checks,
      `${rel}: the diagnostic is on the NEXTAUTH_SECRET line`,
      d.range.start.line === expectedLine,
      `line ${d.range.start.line + 1}, expected ${expectedLine + 1}`,
    );
    const related = d.relatedInformation ?? [];
    const into = related.filter((r) => isUnder(r.location.uri.fsPath, otherApp));
    check(
      checks,
      `${rel}: related information points into ${path.basename(otherApp)}`,
      into.length > 0,
      related.map((r) => `${path.relative(root, r.location.uri.fsPath)}:${r.location.range.start.line + 1}`).join(', ') || 'no related information',
    );
    const target = into[0]!.location;
    const targetLine = fs.readFileSync(target.uri.fsPath, 'utf8').split(/\r?\n/)[target.range.start.line] ?? '';
    check(
      checks,
      `${rel}: the related location is the other app's NEXTAUTH_SECRET line`,
      /NEXTAUTH_SECRET\s*=/.test(targetLine),
      `${path.relative(root, target.uri.fsPath)}:${target.range.start.line + 1}`,
    );
    check(checks, `${rel}: the message names the other app`, d.message.includes(path.basename(otherApp)), d.message);
    const docs = typeof d.code === 'object' ? d.code.target : undefined;
    check(
      checks,
      `${rel}: the diagnostic links to its rule documentation`,
      docs !== undefined && /duplicate-secret/.test(docs.toString()),
      String(docs),
      false,
    );
  }

  // 3. The server reports its state for the status bar.
  const api = extension!.exports as { status?: { apps: number; findings: number; state: string } } | undefined;
  const status = await waitFor(() => (api?.status?.state === 'ready' ? api.status : undefined), 30_000);
  check(
    checks,
    'crosswire/status reports the apps and findings',
    status !== undefined && status.apps > 0 && status.findings > 0,
    JSON.stringify(api?.status),
    false,
  );

  // 4. "Crosswire: Audit workspace" runs and opens its report.
  const report = await vscode.commands.executeCommand<{ markdown: string; findings: number; apps: number; document?: vscode.Uri } | undefined>(
    'crosswire.audit',
  );
  check(checks, 'crosswire.audit returns a report', report !== undefined && typeof report.markdown === 'string', JSON.stringify(report)?.slice(0, 200));
  check(checks, 'the report counts apps and findings', report!.apps > 0 && report!.findings > 0, `apps ${report!.apps}, findings ${report!.findings}`);
  check(
    checks,
    'the report names duplicate-secret and both incident-a apps',
    ['duplicate-secret', 'electricity-tokens', 'multi-business-multi-apps'].every((s) => report!.markdown.includes(s)),
  );
  const opened = vscode.workspace.textDocuments.find((d) => d.languageId === 'markdown' && d.getText() === report!.markdown);
  check(checks, 'the report is opened as a markdown document', opened !== undefined);
  const previewTab = await waitFor(
    () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => (t.input instanceof vscode.TabInputWebview && /markdown/i.test(t.input.viewType)) || /^Preview /.test(t.label)),
    15_000,
  );
  check(
    checks,
    'the report is shown as a markdown preview',
    previewTab !== undefined,
    vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label)).join(', '),
    false,
  );
  const stillThere = await waitFor(() => crosswireDiagnostics(etUri, 'duplicate-secret').length > 0 || undefined, 10_000);
  check(checks, 'diagnostics are still published after the audit', stillThere === true);

  // 5. An unsaved edit of a .env in the editor updates the diagnostics of another app's (unopened) file:
  //    give status-page the SESSION_SECRET value of helpdesk's API, without saving (a real secret: a
  //    placeholder shared by two apps is weak-secret's finding, not duplicate-secret's).
  const spEnv = f('status-page', '.env');
  const iamEnv = f('helpdesk', 'api', '.env');
  const iamUri = vscode.Uri.file(iamEnv);
  const iamSecret = envValue(iamEnv, 'SESSION_SECRET');
  check(checks, 'helpdesk/api/.env has a SESSION_SECRET', iamSecret !== undefined && iamSecret.length > 0);
  check(checks, 'helpdesk/api/.env starts without duplicate-secret', crosswireDiagnostics(iamUri, 'duplicate-secret').length === 0, describeDiagnostics(root));
  const spOnDisk = fs.readFileSync(spEnv, 'utf8');
  const spDoc = await vscode.workspace.openTextDocument(spEnv);
  const spEditor = await vscode.window.showTextDocument(spDoc, { preview: false });
  const spLine = lineMatching(spDoc.getText(), /^\s*SESSION_SECRET\s*=/);
  check(checks, 'status-page/.env has a SESSION_SECRET line', spLine >= 0);
  const lineText = spDoc.lineAt(spLine).text;
  const valueStart = lineText.indexOf('=') + 1;
  const edited = await spEditor.edit((b) => b.replace(new vscode.Range(spLine, valueStart, spLine, lineText.length), iamSecret!));
  check(checks, 'the edit is applied in the editor, unsaved', edited && spDoc.isDirty && fs.readFileSync(spEnv, 'utf8') === spOnDisk);
  const appeared = await waitFor(() => {
    const list = crosswireDiagnostics(iamUri, 'duplicate-secret');
    return list.length > 0 ? list : undefined;
  }, 30_000);
  check(
    checks,
    'the unsaved edit adds duplicate-secret to helpdesk/api/.env',
    appeared !== undefined,
    appeared ? appeared[0].message : `none after 30 s; seen: ${describeDiagnostics(root)}`,
  );
  check(
    checks,
    'its related information points to the edited status-page/.env line',
    (appeared![0].relatedInformation ?? []).some((r) => r.location.uri.fsPath === spEnv && r.location.range.start.line === spLine),
    (appeared![0].relatedInformation ?? []).map((r) => `${path.relative(root, r.location.uri.fsPath)}:${r.location.range.start.line + 1}`).join(', '),
  );
  await vscode.window.showTextDocument(spDoc, { preview: false });
  await vscode.commands.executeCommand('workbench.action.files.revert');
  const reverted = await waitFor(() => (!spDoc.isDirty && crosswireDiagnostics(iamUri, 'duplicate-secret').length === 0) || undefined, 30_000);
  check(checks, 'reverting the edit removes it again', reverted === true, `dirty ${spDoc.isDirty}; seen: ${describeDiagnostics(root)}`);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

  // 6. The quick fix "Generate a new secret for electricity-tokens" is offered, changes the files, and the
  //    diagnostic disappears.
  const diagnostic = crosswireDiagnostics(etUri, 'duplicate-secret')[0];
  check(checks, 'the duplicate-secret diagnostic is still on electricity-tokens/.env', diagnostic !== undefined);
  // As a user does: open the file (VS Code computes code actions only for a loaded document).
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(etUri), { preview: false, selection: diagnostic.range });
  const actions =
    (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider',
      etUri,
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
    )) ?? [];
  const title = 'Generate a new secret for electricity-tokens';
  const fix = actions.find((a): a is vscode.CodeAction => a.title === title && 'kind' in a);
  check(checks, `the quick fix "${title}" is offered`, fix !== undefined, `offered: ${actions.map((a) => a.title).join(' | ') || 'nothing'}`);
  check(
    checks,
    'it is a preferred quickfix with an edit',
    fix!.kind?.value === vscode.CodeActionKind.QuickFix.value && fix!.isPreferred === true && fix!.edit !== undefined,
    `kind ${fix!.kind?.value}, preferred ${fix!.isPreferred}`,
    false,
  );
  const docsAction = actions.find((a) => a.title === 'Show documentation for duplicate-secret');
  check(
    checks,
    'beside the fixes, "Show documentation for duplicate-secret" is offered (a command)',
    docsAction !== undefined && (docsAction as vscode.CodeAction).command !== undefined,
    `offered: ${actions.map((a) => a.title).join(' | ')}`,
  );
  const editedFiles = fix!
    .edit!.entries()
    .map(([uri]) => uri.fsPath)
    .sort();
  check(
    checks,
    'the fix edits only electricity-tokens env files',
    editedFiles.length > 0 && editedFiles.every((p) => isUnder(p, etDir)) && editedFiles.includes(etEnv),
    editedFiles.map((p) => path.relative(root, p)).join(', '),
  );
  const oldSecret = envValue(etEnv, 'NEXTAUTH_SECRET');
  const applied = await vscode.workspace.applyEdit(fix!.edit!);
  check(checks, 'the fix applies', applied);
  const etDoc = await vscode.workspace.openTextDocument(etUri);
  const newLine = etDoc.lineAt(lineMatching(etDoc.getText(), /^\s*NEXTAUTH_SECRET\s*=/)).text;
  check(
    checks,
    'the fix changes NEXTAUTH_SECRET in the document',
    oldSecret !== undefined && !newLine.includes(oldSecret) && /^NEXTAUTH_SECRET=".{20,}"$/.test(newLine),
    'the new line keeps the quotes and holds a new value',
  );
  for (const file of editedFiles) {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
    if (doc?.isDirty) await doc.save();
  }
  const onDisk = envValue(etEnv, 'NEXTAUTH_SECRET');
  check(
    checks,
    'after saving, the file on disk holds the new secret',
    onDisk !== undefined && onDisk !== oldSecret && newLine.includes(onDisk),
    'value changed on disk',
  );
  check(
    checks,
    'every edited env file holds the same new secret',
    editedFiles.every((p) => envValue(p, 'NEXTAUTH_SECRET') === onDisk),
  );
  const gone = await waitFor(() => crosswireDiagnostics(etUri, 'duplicate-secret').length === 0 || undefined, 30_000);
  check(checks, 'the duplicate-secret diagnostic disappears from electricity-tokens/.env', gone === true, `seen: ${describeDiagnostics(root)}`);
  const goneInOtherApp = await waitFor(() => crosswireDiagnostics(mbUri, 'duplicate-secret').length === 0 || undefined, 30_000);
  check(
    checks,
    'and from multi-business-multi-apps/.env (only its replica shares its secret now)',
    goneInOtherApp === true,
    `seen: ${describeDiagnostics(root)}`,
  );
  const otherStill = await waitFor(
    () =>
      crosswireDiagnostics(etUri, 'port-collision').length + vscode.languages.getDiagnostics(vscode.Uri.file(f('electricity-tokens', 'package.json'))).length >
        0 || undefined,
    5_000,
  );
  check(checks, 'the other findings stay (e.g. on electricity-tokens/package.json)', otherStill === true, undefined, false);

  // 7. editor.codeActionsOnSave with source.fixAll.crosswire: saving a file applies its safe fixes (never secrets).
  const poolFile = f('insight-garden', 'worker', 'src', 'lib', 'prisma.ts');
  const poolUri = vscode.Uri.file(poolFile);
  const poolSeen = await waitFor(() => crosswireDiagnostics(poolUri, 'missing-connection-limit').length > 0 || undefined, 30_000);
  check(checks, 'insight-garden/worker/src/lib/prisma.ts has missing-connection-limit', poolSeen === true, `seen: ${describeDiagnostics(root)}`);
  await vscode.workspace
    .getConfiguration('editor')
    .update('codeActionsOnSave', { 'source.fixAll.crosswire': 'explicit' }, vscode.ConfigurationTarget.Workspace);
  const poolDoc = await vscode.workspace.openTextDocument(poolUri);
  const poolEditor = await vscode.window.showTextDocument(poolDoc, { preview: false });
  await poolEditor.edit((b) => b.insert(new vscode.Position(poolDoc.lineCount, 0), '\n'));
  await vscode.commands.executeCommand('workbench.action.files.save');
  const fixedOnSave = await waitFor(
    () => (/new PrismaPg\(\{[^}]*\bmax: 10\b/.test(fs.readFileSync(poolFile, 'utf8')) && !poolDoc.isDirty) || undefined,
    30_000,
  );
  check(
    checks,
    'saving with source.fixAll.crosswire applies the safe fix (max: 10 on the PrismaPg adapter) and saves it',
    fixedOnSave === true,
    fs.readFileSync(poolFile, 'utf8'),
  );
  const poolGone = await waitFor(() => crosswireDiagnostics(poolUri, 'missing-connection-limit').length === 0 || undefined, 30_000);
  check(checks, 'and its missing-connection-limit diagnostic disappears', poolGone === true, `seen: ${describeDiagnostics(root)}`);
  await vscode.workspace.getConfiguration('editor').update('codeActionsOnSave', undefined, vscode.ConfigurationTarget.Workspace);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  return root;
}
