/**
 * Nothing in the workspace is executed.
 * - A static guard: server/src never imports child_process or vm, never evals, never builds
 *   functions from text, and loads modules only by literal names (plus the two Prisma validators). Code is
 *   parsed with Babel (parsers/js.ts), which builds a syntax tree and compiles nothing.
 * - A bait workspace: auth.ts, prisma.config.ts, next.config.js, ecosystem.config.js, vite.config.ts,
 *   server.js, Python files, install/lifecycle scripts, a `$(...)` in .env, a Prisma generator, a
 *   prisma-ast config... each writes a marker file if run or imported. After a full audit by the
 *   CLI (every format) and by the server (open documents, diagnostics, code actions, the audit
 *   command), no marker exists, and a runtime guard loaded into both processes saw no child
 *   process, no vm use at all, and no module compiled from the workspace.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { fileOf, isAction, LspClient, REPO_ROOT } from './helpers/lsp-client';
import { CLI } from './helpers/files';

const SRC = path.join(REPO_ROOT, 'server', 'src');

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Source text without comments and string contents (so that a comment mentioning eval is no hit). */
function codeOnly(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:\\])\/\/.*$/gm, '$1');
}

test('static guard: server/src runs nothing (no child_process, vm, eval, new Function; literal module names only)', () => {
  const files = walk(SRC).filter((f) => /\.[cm]?tsx?$/.test(f));
  assert.ok(files.length > 20, `${files.length} source files`);
  const problems: string[] = [];
  const allowedDynamic = new Map([[path.join(SRC, 'parsers', 'prisma.ts'), /require\(name\)/]]);
  for (const file of files) {
    const code = codeOnly(fs.readFileSync(file, 'utf8'));
    const rel = path.relative(REPO_ROOT, file);
    const forbidden: [RegExp, string][] = [
      [/['"](node:)?child_process['"]/, 'child_process'],
      [/['"](node:)?vm['"]/, 'vm'],
      [/['"](node:)?worker_threads['"]/, 'worker_threads'],
      [/(^|[^\w$.])eval\s*\(/, 'eval('],
      [/new\s+Function\s*\(/, 'new Function('],
      [/(^|[^\w$.])Function\s*\(\s*['"`]/, 'Function("...")'],
      [/\bcreateRequire\b|\bModule\._load\b|\brequire\.resolve\s*\(/, 'module loading by computed path'],
      [/\bprocess\.(binding|dlopen)\b/, 'process.binding/dlopen'],
      [/\bexecSync\b|\bspawnSync\b|\bexecFile\b|\.fork\s*\(/, 'process spawning'],
    ];
    for (const [re, what] of forbidden) if (re.test(code)) problems.push(`${rel}: ${what}`);
    // require(...) and import(...) only with a string literal (a workspace path can never get there).
    for (const m of code.matchAll(/(?<![\w$.])(require|import)\s*\(\s*([^)]*)\)/g)) {
      const arg = m[2].trim();
      if (/^(['"])[^'"]*\1$/.test(arg)) continue;
      if (m[1] === 'import' && /^['"]/.test(arg)) continue; // import('x').Type in a type position
      const allowed = allowedDynamic.get(file);
      if (allowed && allowed.test(m[0])) continue;
      problems.push(`${rel}: ${m[0]}`);
    }
  }
  // The one computed require loads one of two fixed package names.
  const prisma = fs.readFileSync(path.join(SRC, 'parsers', 'prisma.ts'), 'utf8');
  assert.match(prisma, /const name = major !== undefined && major >= 7 \? 'prisma-schema-wasm-v7' : 'prisma-schema-wasm-v6';/);
  // The TypeScript compiler is no longer loaded at run time (the build refuses an import of it in the bundles).
  const imports = files.filter((f) => /(\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(?\s*)['"]typescript['"]/.test(codeOnly(fs.readFileSync(f, 'utf8'))));
  assert.deepEqual(
    imports.map((f) => path.relative(SRC, f)),
    [],
  );
  assert.deepEqual(problems, []);
});

// ---------------------------------------------------------------------------------------------

const temps: string[] = [];
after(() => {
  if (!process.env.KEEP) for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

/** Writes a runtime guard to preload (node --require) into the CLI and the server. */
function writeGuard(dir: string): string {
  const guard = path.join(dir, 'guard.js');
  fs.writeFileSync(
    guard,
    `'use strict';
const fs = require('fs');
const LOG = process.env.CROSSWIRE_GUARD_LOG;
const WS = process.env.CROSSWIRE_GUARD_WS;
const note = (what) => { try { fs.appendFileSync(LOG, process.pid + ' ' + what + '\\n'); } catch {} };
note('loaded');
const cp = require('child_process');
for (const k of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  const orig = cp[k];
  cp[k] = function (...args) { note('child_process.' + k + ' ' + String(args[0])); return orig.apply(this, args); };
}
const vm = require('vm');
for (const k of ['runInThisContext', 'runInNewContext', 'runInContext', 'compileFunction']) {
  const orig = vm[k];
  vm[k] = function (...args) { note('vm.' + k); return orig.apply(this, args); };
}
const Script = vm.Script;
vm.Script = class extends Script {
  constructor(code, options) {
    note('vm.Script ' + (options && options.filename));
    super(code, options);
  }
};
const Module = require('module');
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  if (typeof filename === 'string' && filename.startsWith(WS)) note('compiled ' + filename);
  return compile.call(this, content, filename);
};
`,
  );
  return guard;
}

/** The bait: every file writes `<markers>/<name>` when it is run or imported. */
function baitWorkspace(markers: string): string {
  const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-bait-')));
  temps.push(ws);
  const m = (name: string) => JSON.stringify(path.join(markers, name));
  const js = (name: string) => `require('fs').writeFileSync(${m(name)}, 'executed');\n`;
  const sh = (name: string) => `node -e "require('fs').writeFileSync(process.argv[1], 'x')" ${path.join(markers, name)}`;
  const files: Record<string, string> = {
    'web/package.json':
      JSON.stringify(
        {
          name: 'web',
          private: true,
          scripts: Object.fromEntries(
            [
              'preinstall',
              'install',
              'postinstall',
              'prepare',
              'prepublish',
              'prepack',
              'postpack',
              'predev',
              'dev',
              'prestart',
              'start',
              'poststart',
              'build',
              'test',
              'lint',
            ].map((s) => [s, s === 'dev' || s === 'start' ? `touch ${path.join(markers, `script-${s}`)} && next ${s}` : sh(`script-${s}`)]),
          ),
          prisma: { seed: sh('prisma-seed') },
          dependencies: { next: '^14.2.0', 'next-auth': '^4.24.0', '@prisma/client': '^5.22.0', dotenv: '^16.4.5' },
          devDependencies: { prisma: '^5.22.0' },
        },
        null,
        2,
      ) + '\n',
    'web/.env': [
      'NEXTAUTH_SECRET="shared-bait-secret-value-for-no-exec-0001"',
      `NEXTAUTH_URL=http://localhost:3000`,
      `DATABASE_URL="postgresql://u:p@localhost:5432/web"`,
      `CMD_SUBST=$(node -e "require('fs').writeFileSync(${m('dotenv-expand')}, 'x')")`,
      `BACKTICKS=\`touch ${path.join(markers, 'backticks')}\``,
      `EXPANDED=\${CMD_SUBST}`,
      '',
    ].join('\n'),
    'web/.envrc': `touch ${path.join(markers, 'direnv')}\n`,
    'web/src/lib/auth.ts': `${js('auth-ts')}import type { NextAuthOptions } from 'next-auth';\nexport const authOptions: NextAuthOptions = { secret: process.env.NEXTAUTH_SECRET, session: { strategy: 'jwt' }, providers: [] };\n`,
    'web/auth.ts': `${js('root-auth-ts')}export const { handlers } = NextAuth({ secret: process.env.AUTH_SECRET });\n`,
    'web/prisma.config.ts': `${js('prisma-config-ts')}import { defineConfig } from 'prisma/config';\nexport default defineConfig({ schema: 'prisma/schema.prisma' });\n`,
    'web/next.config.js': `${js('next-config-js')}module.exports = { basePath: '/web', env: { PORT: process.env.PORT } };\n`,
    'web/next.config.mjs': `import fs from 'fs'; fs.writeFileSync(${m('next-config-mjs')}, 'x');\nexport default {};\n`,
    'web/ecosystem.config.js': `${js('ecosystem-config-js')}module.exports = { apps: [{ name: 'web', script: 'node_modules/next/dist/bin/next', args: 'start', instances: 'max', env: { PORT: 3000 } }] };\n`,
    'web/vite.config.ts': `${js('vite-config-ts')}export default defineConfig({ server: { port: 5173 } });\n`,
    'web/server.js': `${js('server-js')}require('dotenv').config();\nconst app = require('express')();\napp.listen(process.env.PORT || 4100);\n`,
    'web/middleware.ts': `${js('middleware-ts')}export const config = { matcher: ['/(.*)'] };\n`,
    'web/.prisma-astrc.js': js('prisma-ast-rc'),
    'web/prisma-ast.config.js': js('prisma-ast-config'),
    'web/.eslintrc.js': js('eslintrc'),
    'web/prisma/schema.prisma': `generator client {\n  provider = "${sh('prisma-generator')}"\n}\n\ndatasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n`,
    'web/prisma/seed.ts': js('prisma-seed-ts'),
    'web/node_modules/dotenv/package.json': JSON.stringify({ name: 'dotenv', main: 'index.js' }),
    'web/node_modules/dotenv/index.js': js('workspace-dotenv'),
    'web/node_modules/.bin/next': `#!/bin/sh\ntouch ${path.join(markers, 'next-bin')}\n`,
    'web/docker-compose.yml': `services:\n  db:\n    image: postgres:16\n    command: sh -c "touch ${path.join(markers, 'compose')}"\n    ports:\n      - "5432:5432"\n`,
    'api/package.json':
      JSON.stringify(
        {
          name: 'api',
          private: true,
          scripts: { postinstall: sh('api-postinstall'), start: 'node server.js' },
          dependencies: { express: '^4.21.1', dotenv: '^16.4.5', '@prisma/client': '^5.22.0' },
        },
        null,
        2,
      ) + '\n',
    'api/server.js': `${js('api-server-js')}require('dotenv').config();\nrequire('express')().listen(process.env.PORT || 3000);\n`,
    'api/.env': 'NEXTAUTH_SECRET="shared-bait-secret-value-for-no-exec-0001"\nPORT=3000\nDATABASE_URL="postgresql://u:p@localhost:5432/api"\n',
    'api/prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
    'py/pyproject.toml': '[project]\nname = "py"\n',
    'py/setup.py': `open(${m('setup-py')}, 'w').write('x')\n`,
    'py/main.py': `import os\nopen(${m('main-py')}, 'w').write('x')\nAUTH_SERVICE_URL = os.getenv("AUTH_SERVICE_URL", "http://localhost:8081")\n`,
    'py/.env': 'AUTH_SERVICE_URL=http://localhost:8001\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    const abs = path.join(ws, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  }
  fs.chmodSync(path.join(ws, 'web/node_modules/.bin/next'), 0o755);
  return ws;
}

describe('nothing in the workspace is executed', { timeout: 120_000 }, () => {
  test('a full audit by the CLI and the server leaves no marker; the guard saw no process, vm or workspace module', async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-markers-')));
    temps.push(dir);
    const markers = path.join(dir, 'markers');
    fs.mkdirSync(markers);
    const guardLog = path.join(dir, 'guard.log');
    const ws = baitWorkspace(markers);
    const env = { ...process.env, NODE_OPTIONS: `--require ${writeGuard(dir)}`, CROSSWIRE_GUARD_LOG: guardLog, CROSSWIRE_GUARD_WS: ws, NO_COLOR: '1' };

    // The CLI, in every format, verbose, from inside the workspace (tools that look for config in the cwd).
    for (const format of ['text', 'json', 'sarif']) {
      const r = spawnSync(process.execPath, [CLI, 'audit', '.', '--format', format, '--verbose'], { cwd: ws, env, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.error, undefined);
      assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
      if (format === 'json') assert.ok((JSON.parse(r.stdout) as unknown[]).length > 0, 'the audit found something (the bait was read)');
    }
    const whole = spawnSync(process.execPath, [CLI, 'audit', ws, '--format', 'json'], { env, encoding: 'utf8', timeout: 60_000 });
    const found = JSON.parse(whole.stdout) as { ruleId: string; file: string }[];
    assert.ok(
      found.some((f) => f.ruleId === 'duplicate-secret'),
      'duplicate-secret between web and api',
    );
    assert.ok(
      found.some((f) => f.ruleId === 'port-collision'),
      'port-collision at 3000',
    );

    // The server: index, open every file, ask for code actions on every diagnostic, audit.
    const client = await LspClient.start({ folders: [ws], env, trace: 'verbose' });
    try {
      await client.waitForReady(0, 30_000);
      const all = walk(ws).filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`));
      for (const file of all) await client.didOpen(file, fs.readFileSync(file, 'utf8'));
      await client.executeCommand('crosswire.audit');
      let actions = 0;
      for (const [uri, diags] of [...client.diagnostics]) {
        for (const d of diags as Diagnostic[]) {
          const result = (await client.codeActions(fileOf(uri), d.range, [d])) ?? [];
          actions += result.filter(isAction).length;
        }
      }
      assert.ok(actions > 0, 'code actions were computed');
      for (const file of all) await client.didClose(file);
      await client.executeCommand('crosswire.audit');
      assert.equal(await client.shutdown(), 0);
    } finally {
      client.kill();
    }

    assert.deepEqual(fs.readdirSync(markers), [], 'no bait was executed');
    const log = fs.readFileSync(guardLog, 'utf8').trim().split('\n');
    assert.ok(log.filter((l) => l.endsWith(' loaded')).length >= 5, 'the guard ran in every CLI run and in the server');
    assert.deepEqual(
      log.filter((l) => !l.endsWith(' loaded')),
      [],
      'no child process, vm or workspace module',
    );

    // The bait is real: run directly, these files do write their markers.
    for (const rel of ['web/next.config.js', 'web/ecosystem.config.js', 'api/server.js']) {
      spawnSync(process.execPath, ['-e', `try { require(${JSON.stringify(path.join(ws, rel))}) } catch {}`], { encoding: 'utf8' });
    }
    spawnSync('sh', ['-c', JSON.parse(fs.readFileSync(path.join(ws, 'web/package.json'), 'utf8')).scripts.postinstall]);
    assert.deepEqual(fs.readdirSync(markers).sort(), ['api-server-js', 'ecosystem-config-js', 'next-config-js', 'script-postinstall']);
  });
});
