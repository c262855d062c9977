// Installs what the end-to-end test needs on a fresh Debian machine, and caches it between runs:
// - apt: chromium (the browser Playwright drives), ripgrep (code-server's search; also the source of the
//   ripgrep tarball below), libkrb5-dev (headers a native module of code-server builds against);
// - ~/.cache/crosswire-e2e/tools: code-server (a real VS Code workbench) and playwright-core, pinned by
//   scripts/e2e/tools/package-lock.json, outside the extension's own dependencies.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;

export const cacheDir = process.env.CROSSWIRE_E2E_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'crosswire-e2e');
export const toolsDir = join(cacheDir, 'tools');
export const codeServerBin = join(toolsDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const chromiumPath = process.env.CROSSWIRE_E2E_CHROMIUM || '/usr/bin/chromium';

function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/** apt-get install of the packages that are missing (as root, or through passwordless sudo). */
export function ensureAptPackages(log, { needBuildHeaders }) {
  const missing = [];
  if (!existsSync(chromiumPath)) missing.push('chromium');
  if (!which('rg')) missing.push('ripgrep');
  if (needBuildHeaders && !existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
  if (missing.length === 0) return;
  if (!which('apt-get')) throw new Error(`missing ${missing.join(', ')} and no apt-get to install them`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  log(`apt-get install ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => {
    const [cmd, ...rest] = [...sudo, ...args];
    const r = spawnSync(cmd, rest, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10 * 60_000 });
    if (r.status !== 0) throw new Error(`${[cmd, ...rest].join(' ')} failed (${r.status ?? r.signal}):\n${(r.stdout + r.stderr).slice(-3000)}`);
  };
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', ...missing]);
}

/** The tarball name @vscode/ripgrep@1.15.11 downloads from GitHub; a copy of Debian's rg satisfies it. */
function ripgrepTarget() {
  return process.arch === 'arm64' ? 'aarch64-unknown-linux-musl' : 'x86_64-unknown-linux-musl';
}

/** code-server + playwright-core in the cache folder, installed with `npm ci` from the committed lock file. */
export function ensureTools(log) {
  const pkg = readFileSync(join(here, 'tools', 'package.json'));
  const lock = readFileSync(join(here, 'tools', 'package-lock.json'));
  const stamp = createHash('sha256').update(pkg).update(lock).update(process.version).digest('hex');
  const stampFile = join(toolsDir, '.installed');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp && existsSync(codeServerBin)) {
    log(`tools: cached in ${toolsDir}`);
    return;
  }
  ensureAptPackages(log, { needBuildHeaders: true });
  const started = Date.now();
  log(`tools: installing code-server and playwright-core into ${toolsDir} (about a minute)`);
  rmSync(toolsDir, { recursive: true, force: true });
  mkdirSync(toolsDir, { recursive: true });
  copyFileSync(join(here, 'tools', 'package.json'), join(toolsDir, 'package.json'));
  copyFileSync(join(here, 'tools', 'package-lock.json'), join(toolsDir, 'package-lock.json'));

  // @vscode/ripgrep (inside code-server) downloads ripgrep from GitHub unless its cache holds the tarball.
  const tmp = join(cacheDir, 'tmp');
  const rgCache = join(tmp, 'vscode-ripgrep-cache-1.15.11');
  mkdirSync(rgCache, { recursive: true });
  const tarball = join(rgCache, `ripgrep-v13.0.0-10-${ripgrepTarget()}.tar.gz`);
  if (!existsSync(tarball)) {
    const stage = mkdtempSync(join(tmpdir(), 'crosswire-rg-'));
    const rg = execFileSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).trim();
    copyFileSync(rg, join(stage, 'rg'));
    execFileSync('tar', ['-czf', tarball, '-C', stage, 'rg']);
    rmSync(stage, { recursive: true, force: true });
  }
  const env = {
    ...process.env,
    TMPDIR: tmp,
    npm_config_unsafe_perm: 'true', // code-server's postinstall refuses to run as root otherwise
    npm_config_yes: 'true', // a nested `npx node-gyp` aborts on its prompt otherwise
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], {
    cwd: toolsDir,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 15 * 60_000,
  });
  if (r.status !== 0 || !existsSync(codeServerBin)) {
    throw new Error(`npm ci of the e2e tools failed (${r.status ?? r.signal}):\n${(r.stdout + r.stderr).slice(-4000)}`);
  }
  writeFileSync(stampFile, stamp);
  log(`tools: installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
