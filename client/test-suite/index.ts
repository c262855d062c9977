// The in-editor test suite: runs inside a real VS Code extension host (launched by @vscode/test-electron
// from server/test/vscode-extension.test.ts, or by the code-server end-to-end script), on a workspace that
// is a temporary copy of test-workspace/. It asserts through the `vscode` API only, writes its result to
// the JSON file named by CROSSWIRE_TEST_RESULT (the extension host's exit code does not report a failing
// run() everywhere), and throws on failure.
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
  let workspace: string | undefined;
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
  const out = process.env.CROSSWIRE_TEST_RESULT;
  if (out) fs.writeFileSync(out, JSON.stringify(result, null, 2));
  for (const c of checks) console.log(`${c.ok ? 'ok    ' : 'FAILED'} ${c.name}${c.detail ? ` — ${c.detail}` : ''}`);
  if (!result.ok) {
    throw new Error(`Crosswire extension suite failed: ${error ?? checks.filter((c) => !c.ok).map((c) => c.name).join('; ')}`);
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

async function suite(checks: Check[]): Promise<string> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  check(checks, 'a workspace folder is open', folder !== undefined, 'open a copy of test-workspace/ as the workspace');
  const root = folder!.uri.fsPath;
  const envFile = path.join(root, 'electricity-tokens', '.env');
  check(checks, 'the workspace is a copy of test-workspace/', fs.existsSync(envFile), envFile);
  const envUri = vscode.Uri.file(envFile);

  // 1. The extension activates on its own (workspaceContains), without anyone calling activate().
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  check(checks, `extension ${EXTENSION_ID} is installed`, extension !== undefined);
  const activated = await waitFor(() => extension!.isActive || undefined, 30_000);
  check(checks, 'the extension activated on its own', activated === true, 'not active 30 s after startup', false);
  if (!extension!.isActive) await extension!.activate();

  // 2. Diagnostics arrive for a file that was never opened (incident a).
  const wasOpen = vscode.workspace.textDocuments.some((d) => d.uri.fsPath === envFile);
  const duplicates = await waitFor(() => {
    const found = crosswireDiagnostics(envUri, 'duplicate-secret');
    return found.length > 0 ? found : undefined;
  }, 90_000);
  const seen = vscode.languages
    .getDiagnostics()
    .map(([uri, ds]) => `${path.relative(root, uri.fsPath)}: ${ds.filter((d) => d.source === 'crosswire').map(codeOf).join(',')}`)
    .filter((s) => !s.endsWith(': '));
  check(
    checks,
    'duplicate-secret diagnostic on electricity-tokens/.env',
    duplicates !== undefined,
    duplicates ? `${duplicates.length} diagnostic(s)` : `none after 90 s; crosswire diagnostics seen: ${seen.join(' | ') || 'none'}`,
  );
  check(checks, 'electricity-tokens/.env was never opened in an editor', !wasOpen, undefined, false);
  const diagnostic = duplicates![0];
  check(checks, 'duplicate-secret is an error', diagnostic.severity === vscode.DiagnosticSeverity.Error, `severity ${diagnostic.severity}`, false);
  const line = fs.readFileSync(envFile, 'utf8').split(/\r?\n/)[diagnostic.range.start.line] ?? '';
  check(checks, 'the diagnostic is on the NEXTAUTH_SECRET line', /^\s*(export\s+)?NEXTAUTH_SECRET\s*=/.test(line), `line ${diagnostic.range.start.line + 1}`, false);
  const otherApp = path.join(root, 'multi-business-multi-apps');
  const related = diagnostic.relatedInformation ?? [];
  check(
    checks,
    'its related information points into the other app',
    related.some((r) => isUnder(r.location.uri.fsPath, otherApp)),
    related.map((r) => path.relative(root, r.location.uri.fsPath)).join(', ') || 'no related information',
    false,
  );
  const target = typeof diagnostic.code === 'object' ? diagnostic.code.target : undefined;
  check(checks, 'the diagnostic links to its rule documentation', target !== undefined && /duplicate-secret/.test(target.toString()), String(target), false);

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
  check(checks, 'the report counts apps and findings', report!.apps > 0 && report!.findings > 0, `apps ${report!.apps}, findings ${report!.findings}`, false);
  check(checks, 'the report names duplicate-secret', report!.markdown.includes('duplicate-secret'), undefined, false);
  const opened = vscode.workspace.textDocuments.find((d) => d.languageId === 'markdown' && d.getText() === report!.markdown);
  check(checks, 'the report is opened as a markdown document', opened !== undefined, undefined, false);
  const stillThere = await waitFor(() => crosswireDiagnostics(envUri, 'duplicate-secret').length > 0 || undefined, 10_000);
  check(checks, 'diagnostics are still published after the audit', stillThere === true, undefined, false);
  return root;
}
