// The VS Code side of Crosswire: the extension manifest, the dotenv TextMate grammar (tokenized with
// vscode-textmate + vscode-oniguruma, the engine VS Code itself uses), and the extension running in a
// real VS Code through @vscode/test-electron where a VS Code build can be downloaded. Where it cannot
// (no internet), that test is skipped, visibly, with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as dotenv from 'dotenv';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';
import { REPO_ROOT } from './helpers/files';

const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));

// ---------------------------------------------------------------------------------------------
// Manifest

test('manifest: contributes the commands, settings, dotenv language and grammar', () => {
  const c = manifest.contributes;
  const commands = new Map<string, { title: string; category: string }>(
    c.commands.map((x: { command: string; title: string; category: string }) => [x.command, x]),
  );
  assert.equal(commands.get('crosswire.audit')?.title, 'Audit workspace');
  for (const id of ['crosswire.audit', 'crosswire.restart', 'crosswire.showOutput']) {
    assert.equal(commands.get(id)?.category, 'Crosswire', id);
  }
  assert.deepEqual(c.configuration.properties['crosswire.trace.server'].enum, ['off', 'messages', 'verbose']);
  assert.equal(c.configuration.properties['crosswire.enable'].default, true);
  const language = c.languages.find((l: { id: string }) => l.id === 'dotenv');
  assert.ok(language, 'dotenv language');
  assert.ok(fs.existsSync(path.join(REPO_ROOT, language.configuration)), language.configuration);
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, language.configuration), 'utf8'));
  const grammar = c.grammars.find((g: { language: string }) => g.language === 'dotenv');
  const grammarJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, grammar.path), 'utf8'));
  assert.equal(grammarJson.scopeName, grammar.scopeName);
  assert.equal(manifest.main, './client/dist/extension.js');
  for (const e of ['workspaceContains:**/.env*', 'workspaceContains:**/schema.prisma', 'workspaceContains:**/package.json']) {
    assert.ok(manifest.activationEvents.includes(e), e);
  }
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, true);
});

test('manifest: every contributed command is registered by the client', () => {
  const source =
    fs.readFileSync(path.join(REPO_ROOT, 'client/src/extension.ts'), 'utf8') + fs.readFileSync(path.join(REPO_ROOT, 'server/src/lsp/protocol.ts'), 'utf8');
  for (const { command } of manifest.contributes.commands) {
    assert.ok(source.includes(`'${command}'`), `${command} is not registered in client/src`);
  }
});

// ---------------------------------------------------------------------------------------------
// The dotenv grammar

interface Token {
  text: string;
  scopes: string[];
}

let grammarPromise: Promise<vsctm.IGrammar> | undefined;
function loadGrammar(): Promise<vsctm.IGrammar> {
  grammarPromise ??= (async () => {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) => {
        if (scopeName !== 'source.dotenv') return null;
        const file = path.join(REPO_ROOT, 'syntaxes/dotenv.tmLanguage.json');
        return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
      },
    });
    const grammar = await registry.loadGrammar('source.dotenv');
    assert.ok(grammar, 'grammar loads');
    return grammar;
  })();
  return grammarPromise;
}

/** Tokenizes a whole file, line by line, carrying the rule stack across lines as VS Code does. */
async function tokenize(text: string): Promise<Token[][]> {
  const grammar = await loadGrammar();
  let stack = vsctm.INITIAL;
  return text.split(/\r?\n/).map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

/** The scopes of the token holding the first character of `needle` on `line` (after `from`). */
function scopesAt(line: Token[], needle: string, from = 0): string[] {
  const text = line.map((t) => t.text).join('');
  const at = text.indexOf(needle, from);
  assert.ok(at >= 0, `"${needle}" not on line "${text}"`);
  let offset = 0;
  for (const t of line) {
    if (at < offset + t.text.length) return t.scopes;
    offset += t.text.length;
  }
  throw new Error('unreachable');
}

function hasScope(scopes: string[], prefix: string): boolean {
  return scopes.some((s) => s === prefix || s.startsWith(prefix + '.'));
}

test('grammar: comments, export, key, =, quoted and unquoted values', async () => {
  const lines = await tokenize(
    [
      '# Auth settings',
      'export NEXTAUTH_URL="http://localhost:${PORT}/api" # where NextAuth lives',
      "SECRET='not ${EXPANDED} here'",
      'TOKEN=`back tick`',
      'DATABASE_URL=postgresql://u:p@$DB_HOST:5432/db?schema=public # trailing',
      'ESCAPED="line\\nnext \\"quoted\\""',
      'PORT: 3000',
    ].join('\n'),
  );
  const [comment, exported, single, backtick, unquoted, escaped, colon] = lines;

  assert.ok(hasScope(scopesAt(comment, '#'), 'comment.line.number-sign.dotenv'));
  assert.ok(hasScope(scopesAt(comment, 'Auth'), 'comment.line.number-sign.dotenv'));

  assert.ok(hasScope(scopesAt(exported, 'export'), 'storage.modifier.export.dotenv'));
  assert.ok(hasScope(scopesAt(exported, 'NEXTAUTH_URL'), 'variable.other.key.dotenv'));
  assert.ok(hasScope(scopesAt(exported, '='), 'keyword.operator.assignment.dotenv'));
  assert.ok(hasScope(scopesAt(exported, 'http'), 'string.quoted.double.dotenv'));
  assert.ok(hasScope(scopesAt(exported, 'PORT'), 'variable.other.interpolated.dotenv'));
  assert.ok(hasScope(scopesAt(exported, 'PORT'), 'string.quoted.double.dotenv'));
  assert.ok(hasScope(scopesAt(exported, '${'), 'punctuation.definition.interpolation.begin.dotenv'));
  assert.ok(hasScope(scopesAt(exported, '# where'), 'comment.line.number-sign.dotenv'));
  assert.ok(!hasScope(scopesAt(exported, '# where'), 'string'));

  assert.ok(hasScope(scopesAt(single, 'EXPANDED'), 'string.quoted.single.dotenv'));
  assert.ok(!hasScope(scopesAt(single, 'EXPANDED'), 'variable.other.interpolated'), 'no interpolation in single quotes');
  assert.ok(hasScope(scopesAt(backtick, 'back'), 'string.quoted.other.backtick.dotenv'));

  assert.ok(hasScope(scopesAt(unquoted, 'postgresql'), 'string.unquoted.dotenv'));
  assert.ok(hasScope(scopesAt(unquoted, 'DB_HOST'), 'variable.other.interpolated.dotenv'));
  assert.ok(hasScope(scopesAt(unquoted, 'public'), 'string.unquoted.dotenv'));
  assert.ok(hasScope(scopesAt(unquoted, '# trailing'), 'comment.line.number-sign.dotenv'));

  assert.ok(hasScope(scopesAt(escaped, '\\n'), 'constant.character.escape.dotenv'));
  assert.ok(hasScope(scopesAt(escaped, '\\"'), 'constant.character.escape.dotenv'));
  assert.ok(hasScope(scopesAt(escaped, 'quoted'), 'string.quoted.double.dotenv'));

  assert.ok(hasScope(scopesAt(colon, 'PORT'), 'variable.other.key.dotenv'));
  assert.ok(hasScope(scopesAt(colon, '3000'), 'string.unquoted.dotenv'));
});

test('grammar: a double-quoted value spans lines, and the next line is a key again', async () => {
  const lines = await tokenize(['PRIVATE_KEY="-----BEGIN KEY-----', 'NOT_A_KEY=abc ${INSIDE}', '-----END KEY-----"', 'NEXT=1'].join('\n'));
  assert.ok(hasScope(scopesAt(lines[1], 'NOT_A_KEY'), 'string.quoted.double.dotenv'));
  assert.ok(!hasScope(scopesAt(lines[1], 'NOT_A_KEY'), 'variable.other.key'));
  assert.ok(hasScope(scopesAt(lines[1], 'INSIDE'), 'variable.other.interpolated.dotenv'));
  assert.ok(hasScope(scopesAt(lines[2], 'END'), 'string.quoted.double.dotenv'));
  assert.ok(hasScope(scopesAt(lines[3], 'NEXT'), 'variable.other.key.dotenv'));
  assert.ok(!hasScope(scopesAt(lines[3], 'NEXT'), 'string'));
});

test('grammar: unquoted values end where dotenv ends them (trailing space, #)', async () => {
  const text = ['A=abc#def', 'B=  spaced value  ', 'C=x ${Y} z # c', 'D=', 'E=http://h:1/p?q=1&r=2'].join('\n');
  const parsed = dotenv.parse(text);
  const lines = await tokenize(text);
  for (const line of lines) {
    const key = line.find((t) => hasScope(t.scopes, 'variable.other.key.dotenv'))!.text;
    const value = line
      .filter((t) => hasScope(t.scopes, 'string.unquoted.dotenv'))
      .map((t) => t.text)
      .join('');
    assert.equal(value, parsed[key], key);
  }
});

function findEnvFiles(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '.git') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findEnvFiles(full, out);
    else if (/^\.env(\..+)?$|\.env$|\.template$/.test(entry.name)) out.push(full);
  }
  return out;
}

test('grammar: on every env file of test-workspace/, the keys it scopes are the keys dotenv reads', async () => {
  const files = findEnvFiles(path.join(REPO_ROOT, 'test-workspace'));
  assert.ok(files.length >= 5, `env files in test-workspace: ${files.length}`);
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const keys = (await tokenize(text)).flatMap((line) => line.filter((t) => hasScope(t.scopes, 'variable.other.key.dotenv')).map((t) => t.text));
    assert.deepEqual([...new Set(keys)].sort(), Object.keys(dotenv.parse(text)).sort(), path.relative(REPO_ROOT, file));
  }
});

// ---------------------------------------------------------------------------------------------
// The extension in a real VS Code (@vscode/test-electron)

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} timed out after ${ms / 1000} s`), { code: 'ETIMEDOUT' })), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

test('extension: activates in VS Code, publishes diagnostics, runs the audit (@vscode/test-electron)', { timeout: 15 * 60_000 }, async (t) => {
  const { downloadAndUnzipVSCode, runTests } = await import('@vscode/test-electron');
  let vscodeExecutablePath: string;
  try {
    vscodeExecutablePath = await withTimeout(
      downloadAndUnzipVSCode({
        version: process.env.CROSSWIRE_VSCODE_VERSION ?? 'stable',
        cachePath: path.join(REPO_ROOT, '.vscode-test'),
        timeout: 20_000, // idle timeout: no data for 20 s means no usable network
      }),
      Number(process.env.CROSSWIRE_VSCODE_DOWNLOAD_TIMEOUT_MS ?? 10 * 60_000),
      'VS Code download',
    );
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const code = err.code ?? err.message;
    t.skip(`VS Code could not be downloaded here (${code}): the in-editor test runs where a VS Code build can be had; issue 6 runs it through code-server`);
    return;
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    t.skip('no X display to run VS Code in: run the tests under xvfb-run');
    return;
  }

  const extensionTestsPath = path.join(REPO_ROOT, 'client/dist/test-suite/index.js');
  assert.ok(fs.existsSync(path.join(REPO_ROOT, 'client/dist/extension.js')), 'client/dist/extension.js: run the build first');
  assert.ok(fs.existsSync(path.join(REPO_ROOT, 'server/dist/server.js')), 'server/dist/server.js: run the build first');
  assert.ok(fs.existsSync(extensionTestsPath), `${extensionTestsPath}: run the build first`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-vscode-'));
  try {
    const workspace = path.join(tmp, 'test-workspace');
    fs.cpSync(path.join(REPO_ROOT, 'test-workspace'), workspace, { recursive: true });
    const resultFile = path.join(tmp, 'result.json');
    let runError: unknown;
    try {
      await runTests({
        vscodeExecutablePath,
        extensionDevelopmentPath: REPO_ROOT,
        extensionTestsPath,
        launchArgs: [
          workspace,
          '--disable-extensions',
          '--disable-workspace-trust',
          '--skip-welcome',
          '--skip-release-notes',
          `--user-data-dir=${path.join(tmp, 'user-data')}`,
        ],
        extensionTestsEnv: { CROSSWIRE_TEST_RESULT: resultFile },
      });
    } catch (e) {
      runError = e;
    }
    assert.ok(fs.existsSync(resultFile), `the in-editor suite wrote no result file (${String(runError ?? 'VS Code exited')})`);
    const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as {
      ok: boolean;
      checks: { name: string; ok: boolean; detail?: string }[];
      error?: string;
      vscodeVersion: string;
    };
    t.diagnostic(`VS Code ${result.vscodeVersion}`);
    for (const c of result.checks) t.diagnostic(`${c.ok ? 'ok' : 'FAILED'}: ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
    assert.equal(result.error, undefined, result.error);
    assert.ok(result.checks.length > 0, 'the suite ran no checks');
    assert.deepEqual(
      result.checks.filter((c) => !c.ok),
      [],
    );
    assert.ok(result.ok);
    assert.equal(runError, undefined, String(runError));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('manifest: the getting-started walkthrough has its pages, ships them, and links only to commands that exist', () => {
  const [walkthrough] = manifest.contributes.walkthroughs;
  assert.ok(walkthrough.steps.length >= 3);
  const ours = new Set(manifest.contributes.commands.map((c: { command: string }) => c.command));
  for (const step of walkthrough.steps) {
    const page = step.media.markdown as string;
    assert.ok(fs.existsSync(path.join(REPO_ROOT, page)), `${page} is missing`);
    assert.ok(
      manifest.files.some((f: string) => page.startsWith(f)),
      `${page} is not in the package's "files"`,
    );
    for (const [, command] of String(step.description).matchAll(/\(command:([\w.]+)/g)) {
      if (command.startsWith('crosswire.')) assert.ok(ours.has(command), `${step.id} links to ${command}, which the extension does not contribute`);
    }
  }
});
