#!/usr/bin/env node
// `npm run test:e2e`: Crosswire in a real VS Code workbench (code-server), end to end.
//
//  1. installs what it needs (scripts/e2e/setup.mjs: apt packages, code-server + playwright-core cached
//     in ~/.cache/crosswire-e2e), and packages the extension (`npm run package` -> crosswire-<version>.vsix);
//  2. installs that .vsix into a fresh code-server extensions folder and starts code-server on a free
//     loopback port;
//  3. in-editor suite: opens a temporary copy of test-workspace/ with an extension-tests payload. The
//     development extension is a tiny runner (scripts/e2e/runner, no code), so Crosswire itself is the
//     INSTALLED .vsix, activated by its own activation events; client/dist/test-suite/index.js asserts
//     through the vscode API and writes a result file, which this script checks;
//  4. browser-level check (scripts/e2e/workbench.mjs): another temporary copy of test-workspace/ opened in
//     Chromium through playwright-core: Problems panel, hover on the squiggle, the audit report;
//     screenshots into test-results/.
// Every process it starts (code-server, chromium) runs in its own process group and is killed on exit,
// failure, a signal, or the overall timeout (CROSSWIRE_E2E_TIMEOUT_MIN, default 20).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { chromiumPath, codeServerBin, ensureAptPackages, ensureTools, toolsDir } from './setup.mjs';
import { checkWorkbench } from './workbench.mjs';

const root = realpathSync(join(new URL('.', import.meta.url).pathname, '..', '..'));
const results = join(root, 'test-results');
const timeoutMin = Number(process.env.CROSSWIRE_E2E_TIMEOUT_MIN || 20);
const keepTemp = process.env.CROSSWIRE_E2E_KEEP === '1';
const started = Date.now();

function log(message) {
  console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}`);
}

// ---------------------------------------------------------------------------------------------------
// Process bookkeeping: every child is a process-group leader, killed with its group on the way out.

// Group ids are never removed: when code-server itself has exited, its extension host and the language
// server may still be alive in its group. Killing a group that is gone is harmless (ESRCH).
const groups = new Set();
const cleanups = [];
const tempDirs = [];
let cleaningUp = false;
let cleanupPromise;

/** Linux: the processes in our groups and all their descendants (code-server starts some helpers in
 *  groups of their own). Elsewhere: just the group leaders. */
function ourProcesses() {
  let table;
  try {
    table = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map((d) => {
        try {
          const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
          const [, , ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return { pid: Number(d), ppid: Number(ppid), pgrp: Number(pgrp) };
        } catch {
          return undefined;
        }
      })
      .filter(Boolean);
  } catch {
    return [...groups];
  }
  const ours = new Set(table.filter((p) => groups.has(p.pgrp) || groups.has(p.pid)).map((p) => p.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of table) {
      if (!ours.has(p.pid) && ours.has(p.ppid)) {
        ours.add(p.pid);
        grew = true;
      }
    }
  }
  return [...ours];
}

function killGroups(signal) {
  const pids = ourProcesses();
  for (const pid of groups) {
    try {
      process.kill(-pid, signal);
    } catch {
      /* already gone */
    }
  }
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
  return pids;
}

/** Idempotent: the timeout, a signal and the normal end all wait for the same cleanup. */
function cleanup() {
  cleanupPromise ??= (async () => {
    cleaningUp = true;
    for (const fn of cleanups.reverse()) {
      try {
        await Promise.race([fn(), new Promise((r) => setTimeout(r, 5_000))]);
      } catch {
        /* keep cleaning */
      }
    }
    killGroups('SIGTERM');
    await new Promise((r) => setTimeout(r, 1_000));
    for (let i = 0; i < 20 && killGroups('SIGKILL').length > 0; i++) await new Promise((r) => setTimeout(r, 250));
    for (const dir of keepTemp ? [] : tempDirs) {
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
      } catch (e) {
        log(`could not remove ${dir}: ${e.message}`);
      }
    }
  })();
  return cleanupPromise;
}

process.on('exit', () => killGroups('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    cleanup().finally(() => process.exit(130));
  });
}
const overall = setTimeout(() => {
  log(`FAILED: overall timeout of ${timeoutMin} min reached`);
  cleanup().finally(() => process.exit(1));
}, timeoutMin * 60_000);
overall.unref();

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10 * 60_000, ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${((r.stdout ?? '') + (r.stderr ?? '')).slice(-4000)}`);
  return r.stdout;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitUntil(what, fn, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function copyWorkspace(tmp, name) {
  const ws = join(tmp, name, 'test-workspace');
  mkdirSync(join(tmp, name), { recursive: true });
  cpSync(join(root, 'test-workspace'), ws, { recursive: true });
  return ws;
}

/** Names and sizes in a zip (.vsix) file, from its central directory. */
function zipEntries(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error('bad zip central directory');
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extra = buf.readUInt16LE(at + 30);
    const comment = buf.readUInt16LE(at + 32);
    entries.push({ name: buf.toString('utf8', at + 46, at + 46 + nameLength), size });
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  rmSync(results, { recursive: true, force: true });
  mkdirSync(results, { recursive: true });
  const timings = {};
  const phase = async (name, fn) => {
    if (cleaningUp) throw new Error(`stopped before ${name}`);
    const t = Date.now();
    log(`--- ${name}`);
    try {
      return await fn();
    } finally {
      timings[name] = Math.round((Date.now() - t) / 100) / 10;
    }
  };

  // 1. What it needs, and the .vsix.
  await phase('setup', () => {
    ensureAptPackages(log, { needBuildHeaders: false });
    ensureTools(log);
  });
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const vsix = join(root, `${manifest.name}-${manifest.version}.vsix`);
  await phase('package', () => {
    rmSync(vsix, { force: true });
    run('npm', ['run', '--silent', 'package']);
    if (!existsSync(vsix)) throw new Error(`npm run package did not produce ${relative(root, vsix)}`);
    const entries = zipEntries(readFileSync(vsix));
    const files = entries.filter((e) => e.name.startsWith('extension/')).map((e) => e.name.slice('extension/'.length));
    const unpacked = entries.reduce((n, e) => n + e.size, 0);
    log(
      `${relative(root, vsix)}: ${(statSync(vsix).size / 1024 / 1024).toFixed(2)} MB, ${files.length} files, ${(unpacked / 1024 / 1024).toFixed(1)} MB unpacked`,
    );
    const required = [
      'package.json',
      'README.md',
      manifest.icon,
      manifest.main.replace(/^\.\//, ''),
      'server/dist/server.js',
      ...manifest.contributes.grammars.map((g) => g.path.replace(/^\.\//, '')),
    ];
    const missing = required.filter((f) => !files.some((x) => x.toLowerCase() === f.toLowerCase())); // vsce writes readme.md
    const unwanted = files.filter((f) => /\.map$|\.ts$|(^|\/)test-suite\/|^test-workspace\/|^node_modules\/|^client\/src\/|^server\/src\/|^scripts\//.test(f));
    if (missing.length || unwanted.length)
      throw new Error(`the .vsix is wrong: missing ${missing.join(', ') || 'nothing'}; unwanted ${unwanted.join(', ') || 'nothing'}`);
  });
  const suitePath = join(root, 'client', 'dist', 'test-suite', 'index.js');
  if (!existsSync(suitePath)) throw new Error(`${relative(root, suitePath)} is missing: the build did not bundle the in-editor suite`);

  // 2. A fresh code-server: its own user data, extensions and config folders, the .vsix installed.
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'crosswire-e2e-')));
  tempDirs.push(tmp);
  const userData = join(tmp, 'user-data');
  const extensionsDir = join(tmp, 'extensions');
  const config = join(tmp, 'code-server.yaml');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(config, 'auth: none\ncert: false\n');
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'extensions.ignoreRecommendations': true,
        'telemetry.telemetryLevel': 'off',
        'security.workspace.trust.enabled': false,
        'update.mode': 'none',
        'editor.hover.delay': 300,
        'window.zoomLevel': 0,
      },
      null,
      2,
    ),
  );
  const csArgs = ['--user-data-dir', userData, '--extensions-dir', extensionsDir, '--config', config];
  // code-server also writes logs and a heartbeat under XDG_DATA_HOME: keep them in the temporary folder.
  const csEnv = { ...process.env, XDG_DATA_HOME: join(tmp, 'xdg-data'), XDG_CONFIG_HOME: join(tmp, 'xdg-config'), XDG_CACHE_HOME: join(tmp, 'xdg-cache') };
  await phase('install .vsix', () => {
    const out = run(process.execPath, [codeServerBin, ...csArgs, '--force', '--install-extension', vsix], { cwd: tmp, env: csEnv });
    const installed = join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
    if (!existsSync(join(installed, 'package.json'))) throw new Error(`the .vsix did not install into ${installed}:\n${out}`);
    log(`installed ${relative(tmp, installed)} (${out.trim().split('\n').pop()})`);
  });

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const resultFile = join(tmp, 'suite-result.json');
  const serverLog = openSync(join(results, 'code-server.log'), 'w');
  await phase('start code-server', async () => {
    const child = spawn(
      process.execPath,
      [
        codeServerBin,
        ...csArgs,
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
      ],
      {
        cwd: tmp,
        detached: true,
        stdio: ['ignore', serverLog, serverLog],
        env: { ...csEnv, CROSSWIRE_TEST_RESULT: resultFile, CROSSWIRE_EXPECT_EXTENSIONS_DIR: extensionsDir },
      },
    );
    groups.add(child.pid);
    child.on('exit', (code, signal) => {
      if (!cleaningUp) log(`code-server exited (${code ?? signal})`);
    });
    await waitUntil(
      'code-server to answer',
      async () => {
        if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}: see test-results/code-server.log`);
        try {
          return (await fetch(`${base}/healthz`)).ok;
        } catch {
          return false;
        }
      },
      60_000,
    );
    log(`code-server on ${base}`);
  });

  const require = createRequire(join(toolsDir, 'package.json'));
  const { chromium } = require('playwright-core');
  const browserServer = await chromium.launchServer({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      '--disable-crash-reporter',
    ],
    // Chromium's crash database and caches go to the temporary folder, not the home folder.
    env: { ...process.env, XDG_CONFIG_HOME: join(tmp, 'chromium-config'), XDG_CACHE_HOME: join(tmp, 'chromium-cache') },
    // This script's own handlers stop everything (playwright's would exit before code-server is stopped).
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const browserPid = browserServer.process().pid;
  groups.add(browserPid);
  const browser = await chromium.connect(browserServer.wsEndpoint());
  cleanups.push(async () => {
    await browser.close().catch(() => {});
    await browserServer.close().catch(() => {});
  });

  const failures = [];

  // 3. The in-editor suite, against the installed .vsix.
  await phase('in-editor suite', async () => {
    const ws = copyWorkspace(tmp, 'suite');
    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(join(root, 'scripts', 'e2e', 'runner'))],
      ['extensionTestsPath', remote(suitePath)],
    ];
    const url = `${base}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const consoleLines = [];
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    try {
      await page.goto(url);
      await waitUntil('the in-editor suite to write its result', () => existsSync(resultFile), 5 * 60_000, 500).catch((e) => {
        failures.push(`in-editor suite: ${e.message}`);
      });
    } finally {
      writeFileSync(join(results, 'suite-console.log'), consoleLines.join('\n') + '\n');
      await page.screenshot({ path: join(results, 'suite-end.png') }).catch(() => {});
      await context.close().catch(() => {});
    }
    if (!existsSync(resultFile)) return;
    const result = JSON.parse(readFileSync(resultFile, 'utf8'));
    writeFileSync(join(results, 'suite-result.json'), JSON.stringify(result, null, 2) + '\n');
    log(`VS Code ${result.vscodeVersion} (code-server), suite took ${(result.durationMs / 1000).toFixed(1)} s:`);
    for (const c of result.checks) console.log(`   ${c.ok ? 'ok    ' : 'FAILED'} ${c.name}${c.detail && !c.ok ? ` — ${c.detail}` : ''}`);
    if (result.error) console.log(`   error: ${result.error.split('\n')[0]}`);
    if (!result.ok)
      failures.push(
        `in-editor suite: ${
          result.error?.split('\n')[0] ??
          result.checks
            .filter((c) => !c.ok)
            .map((c) => c.name)
            .join('; ')
        }`,
      );
  });

  // 4. What a user sees, in the browser.
  await phase('workbench (Playwright)', async () => {
    const ws = copyWorkspace(tmp, 'ui');
    try {
      const checks = await checkWorkbench({ browser, base, workspace: ws, results, log });
      for (const c of checks) console.log(`   ${c.ok ? 'ok    ' : 'FAILED'} ${c.name}${c.detail ? ` — ${String(c.detail).slice(0, 160)}` : ''}`);
      const failed = checks.filter((c) => !c.ok);
      if (failed.length) failures.push(`workbench: ${failed.map((c) => c.name).join('; ')}`);
    } catch (e) {
      failures.push(`workbench: ${e instanceof Error ? e.message : String(e)}`);
    }
  });

  const summary = {
    ok: failures.length === 0,
    failures,
    timings,
    vsix: relative(root, vsix),
    vsixBytes: statSync(vsix).size,
    totalSeconds: Math.round((Date.now() - started) / 1000),
  };
  writeFileSync(join(results, 'e2e-summary.json'), JSON.stringify(summary, null, 2) + '\n');
  log(
    `timings (s): ${Object.entries(timings)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  return failures;
}

let failures;
try {
  failures = await main();
} catch (e) {
  failures = [e instanceof Error ? (e.stack ?? e.message) : String(e)];
} finally {
  await cleanup();
}
if (failures.length) {
  log(`FAILED (${failures.length}):\n  ${failures.join('\n  ')}\nartifacts: test-results/`);
  process.exit(1);
}
log('PASSED: the packaged extension works in code-server; screenshots in test-results/');
process.exit(0);
