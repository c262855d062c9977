// Packaging test: what a user gets from npm. `npm pack` the repository as it is built, install the
// tarball into an unrelated temporary project (`npm i -D`, then `npm i -g` into a private prefix), and
// run both bins from there with nothing else installed: `npx crosswire audit .` finds the conflicts of
// a small two-app monorepo, and `crosswire-language-server --stdio` answers `initialize`.
// The package bundles its dependencies, so the installs need no registry (`--offline`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as semver from 'semver';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { pathToFileURL } from 'node:url';

const repoRoot = path.resolve(__dirname, '../../..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const SECRET = 'Zq8vK2mW9xLr4TnB7yHc3PdF6sJg1QeA';

let tmp = '';
let tarball = '';
let project = '';
const npmLogs: string[] = [];

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout: 240_000,
    // A private npm cache and no update check: the test touches nothing of the user's npm setup but the
    // shared cache it may read from (--offline never writes to it from the network).
    env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...env },
  });
  if (r.error) throw r.error;
  return r;
}

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

/**
 * An unrelated project: a turbo monorepo whose two Next.js apps share a secret and port 3000. (No npm
 * `workspaces`: `npm i` would then install the apps' dependencies, which an offline test cannot fetch.)
 */
function makeProject(dir: string): void {
  const app = (name: string) =>
    JSON.stringify(
      {
        name,
        private: true,
        scripts: { dev: 'next dev -p 3000' },
        dependencies: { next: '14.2.0', 'next-auth': '4.24.0', '@prisma/client': '6.19.0', prisma: '6.19.0' },
      },
      null,
      2,
    );
  writeFiles(dir, {
    'package.json': JSON.stringify({ name: 'acme-monorepo', version: '1.0.0', private: true, scripts: { dev: 'turbo run dev' } }, null, 2),
    'apps/web/package.json': app('web'),
    'apps/api/package.json': app('api'),
    'apps/web/.env': `NEXTAUTH_SECRET=${SECRET}\n`,
    'apps/api/.env': `NEXTAUTH_SECRET=${SECRET}\n`,
    // A provider only Prisma's own validator (WebAssembly, loaded from the package at run time) rejects.
    'apps/api/prisma/schema.prisma': 'datasource db {\n  provider = "postgress"\n  url      = env("DATABASE_URL")\n}\n',
  });
}

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-pack-'));
  // The bundles were built by `npm test` / `npm run build`: pack them as they are (no second build).
  assert.ok(fs.existsSync(path.join(repoRoot, 'server', 'dist', 'cli.js')), 'server/dist/cli.js is missing: run npm run build first');
  const r = sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], repoRoot);
  assert.equal(r.status, 0, `npm pack failed:\n${r.stderr}`);
  const info = JSON.parse(r.stdout)[0];
  tarball = path.join(tmp, info.filename);
  assert.ok(fs.existsSync(tarball), `npm pack did not write ${tarball}`);
  project = path.join(tmp, 'acme');
  makeProject(project);
});

after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('the tarball holds the built bundles and the bins, not the sources, tests or maps', () => {
  const r = sh('tar', ['-tzf', tarball], tmp);
  assert.equal(r.status, 0, r.stderr);
  const files = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
  for (const f of [
    'package.json',
    'README.md',
    'LICENSE',
    'CHANGELOG.md',
    'server/bin/crosswire.js',
    'server/bin/crosswire-language-server.js',
    'server/dist/cli.js',
    'server/dist/server.js',
    'client/dist/extension.js',
    'docs/rules/port-collision.md',
  ]) {
    assert.ok(files.includes(f), `${f} is not in the tarball`);
  }
  for (const v of ['v6', 'v7']) {
    for (const f of ['package.json', 'src/prisma_schema_build.js', 'src/prisma_schema_build_bg.wasm']) {
      assert.ok(
        files.includes(`server/dist/node_modules/prisma-schema-wasm-${v}/${f}`),
        `the Prisma schema validator the bundles load is not in the tarball (${v}: ${f})`,
      );
    }
  }
  // Code is parsed by Babel inside the bundles: the TypeScript compiler (3.6 MB minified) is no longer shipped.
  assert.deepEqual(
    files.filter((f) => f.includes('node_modules/typescript/')),
    [],
  );
  const unwanted = files.filter((f) =>
    /\.map$|\.ts$|^server\/src\/|^server\/test\/|^server\/out\/|^client\/src\/|^test-workspace\/|^scripts\/|^bench\/|test-suite\//.test(f),
  );
  assert.deepEqual(unwanted, []);
  // Everything the bundles need at run time is inside them: nothing for npm to fetch.
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  assert.deepEqual(Object.keys(pkg.dependencies ?? {}), [], 'the bundles include their dependencies');
  assert.equal(pkg.private, undefined, 'a private package cannot be published');
});

test('npm i -D ./crosswire-*.tgz into an unrelated project: no engine warning, both bins work', async () => {
  const install = sh('npm', ['install', '--save-dev', '--offline', '--no-audit', '--no-fund', tarball], project);
  npmLogs.push(install.stdout, install.stderr);
  assert.equal(install.status, 0, `npm install failed:\n${install.stderr}`);
  assert.doesNotMatch(install.stderr + install.stdout, /EBADENGINE|Unsupported engine/);
  assert.ok(JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')).devDependencies?.crosswire, 'crosswire is a devDependency');

  // npx crosswire: help, version, then the audit of the project itself.
  const help = sh('npx', ['--no', '--', 'crosswire', '--help'], project);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: crosswire audit/);
  const version = sh('npx', ['--no', '--', 'crosswire', '--version'], project);
  assert.equal(version.stdout.trim(), manifest.version);
  const audit = sh('npx', ['--no', '--', 'crosswire', 'audit', '.'], project);
  assert.equal(audit.status, 1, `exit ${audit.status}:\n${audit.stdout}\n${audit.stderr}`);
  assert.match(audit.stdout, /^apps\/web\/\.env$/m);
  assert.match(audit.stdout, /duplicate-secret/);
  assert.match(audit.stdout, /port-collision/);
  assert.doesNotMatch(audit.stdout, /node_modules/, 'the installed package itself is not audited');
  assert.doesNotMatch(audit.stdout + audit.stderr, new RegExp(SECRET.slice(0, 8)));
  const json = sh('npx', ['--no', '--', 'crosswire', 'audit', '.', '--format', 'sarif'], project);
  assert.equal(json.status, 1, json.stderr);
  assert.equal(JSON.parse(json.stdout).version, '2.1.0');

  // The language server: --version, --help, then a real session over stdio.
  const lsBin = path.join(project, 'node_modules', '.bin', 'crosswire-language-server');
  const lsVersion = sh(lsBin, ['--version'], project);
  assert.equal(lsVersion.stdout.trim(), manifest.version);
  const lsHelp = sh(lsBin, ['--help'], project);
  assert.equal(lsHelp.status, 0);
  assert.match(lsHelp.stdout, /^Usage: crosswire-language-server/);
  await languageServerSession(lsBin, project);
});

test('npm i -g ./crosswire-*.tgz: crosswire and crosswire-language-server on the PATH', async () => {
  const prefix = path.join(tmp, 'global');
  const install = sh('npm', ['install', '--global', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tarball], tmp);
  npmLogs.push(install.stdout, install.stderr);
  assert.equal(install.status, 0, `npm install -g failed:\n${install.stderr}`);
  assert.doesNotMatch(install.stderr + install.stdout, /EBADENGINE|Unsupported engine/);
  const bin = process.platform === 'win32' ? prefix : path.join(prefix, 'bin');
  const env = { PATH: `${bin}${path.delimiter}${process.env.PATH}` };
  const version = sh('crosswire', ['--version'], tmp, env);
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout.trim(), manifest.version);
  const audit = sh('crosswire', ['audit', project, '--format', 'json'], tmp, env);
  assert.equal(audit.status, 1, audit.stderr);
  const findings = JSON.parse(audit.stdout) as { ruleId: string; file: string; message: string }[];
  assert.deepEqual([...new Set(findings.map((f) => f.ruleId))].sort(), ['duplicate-secret', 'parse-error', 'port-collision']);
  // Prisma's validator ran from the installed package (its WebAssembly beside the bundle).
  assert.ok(
    findings.some(
      (f) =>
        f.ruleId === 'parse-error' &&
        f.file === 'apps/api/prisma/schema.prisma' &&
        /Prisma 6 rejects this schema: Datasource provider not known/.test(f.message),
    ),
    JSON.stringify(findings),
  );
  const lsVersion = sh('crosswire-language-server', ['--version'], tmp, env);
  assert.equal(lsVersion.stdout.trim(), manifest.version);
  await languageServerSession(path.join(bin, 'crosswire-language-server'), project);
});

/** initialize -> diagnostics for the project's files -> shutdown -> exit, over stdio. */
async function languageServerSession(bin: string, folder: string): Promise<void> {
  const proc = spawn(bin, ['--stdio'], { cwd: folder, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const diagnosed = new Set<string>();
  let gotDiagnostics: () => void = () => {};
  const waiting = new Promise<void>((resolve) => (gotDiagnostics = resolve));
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: { code?: string }[] }) => {
    if (p.diagnostics.some((d) => d.code === 'duplicate-secret')) diagnosed.add(p.uri);
    if (diagnosed.size === 2) gotDiagnostics();
  });
  conn.onRequest(() => null); // workspace/configuration, client/registerCapability...
  conn.listen();
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  try {
    const uri = pathToFileURL(folder).href;
    const init = (await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri,
      capabilities: {},
      workspaceFolders: [{ uri, name: 'acme' }],
    })) as { serverInfo?: { name: string; version?: string }; capabilities: object };
    assert.ok(init.capabilities, 'initialize result');
    await conn.sendNotification('initialized', {});
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      waiting,
      new Promise(
        (_, reject) =>
          (timer = setTimeout(
            () => reject(new Error(`no duplicate-secret diagnostics within 60 s (got ${[...diagnosed].join(', ')}); stderr:\n${stderr}`)),
            60_000,
          )),
      ),
    ]).finally(() => clearTimeout(timer));
    assert.deepEqual([...diagnosed].sort(), [pathToFileURL(path.join(folder, 'apps/api/.env')).href, pathToFileURL(path.join(folder, 'apps/web/.env')).href]);
    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
    assert.equal(await exited, 0, stderr);
  } finally {
    conn.dispose();
    proc.kill();
  }
}

test('npm printed no secret', () => {
  assert.doesNotMatch(npmLogs.join('\n'), new RegExp(SECRET.slice(0, 8)));
});

test('a clone installs without engine warnings on Node 20: every locked package, dev tools included, accepts Node 20.19', () => {
  // `npm ci` in a fresh clone warns EBADENGINE for any locked package whose engines exclude the Node the README names
  // (vsce 4 and test-electron 3 require Node 22; so does @azure/identity 4.14, pinned back by an override).
  const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8'));
  const excluded = Object.entries(lock.packages as Record<string, { engines?: { node?: unknown } }>)
    .filter(([, p]) => typeof p.engines?.node === 'string' && !semver.satisfies('20.19.0', p.engines.node as string))
    .map(([name, p]) => `${name} (${p.engines!.node})`);
  assert.deepEqual(excluded, []);
});
