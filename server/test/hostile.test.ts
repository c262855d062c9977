/**
 * Hostile workspaces: each test builds one in a temp dir next to two ordinary apps that share a
 * secret (a planted duplicate-secret), and checks that Crosswire does not crash or hang, still
 * analyses the rest of the workspace, and logs why it skipped what it skipped.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../src/engine';
import type { Finding, Logger } from '../src/model/types';
import { LspClient, uriOf } from './helpers/lsp-client';
import { CLI, fastTmp, write } from './helpers/files';

const PLANTED = 'planted-duplicate-session-secret-7f3a9c';
const LIMIT_MS = 30_000;

const temps: string[] = [];
after(() => {
  for (const d of temps) {
    try {
      fs.chmodSync(d, 0o755);
    } catch {
      /* gone */
    }
    fs.rmSync(d, { recursive: true, force: true });
  }
});

function tempDir(prefix = 'crosswire-hostile-', base = os.tmpdir()): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(base, prefix)));
  temps.push(d);
  return d;
}

const pkgJson = (name: string) =>
  JSON.stringify(
    { name, version: '1.0.0', private: true, scripts: { start: 'node server.js' }, dependencies: { express: '^4.21.1', dotenv: '^16.4.5' } },
    null,
    2,
  ) + '\n';

/** A workspace with two ordinary apps that share SESSION_SECRET (the planted finding). */
function baseWorkspace(base?: string): string {
  const ws = path.join(tempDir(undefined, base), 'ws');
  write(path.join(ws, 'app-a', 'package.json'), pkgJson('app-a'));
  write(path.join(ws, 'app-a', '.env'), `PORT=4101\nSESSION_SECRET=${PLANTED}\n`);
  write(path.join(ws, 'app-b', 'package.json'), pkgJson('app-b'));
  write(path.join(ws, 'app-b', '.env'), `PORT=4102\nSESSION_SECRET="${PLANTED}"\n`);
  return ws;
}

interface Logged {
  level: string;
  message: string;
}

function capture(): { logger: Logger; logs: Logged[] } {
  const logs: Logged[] = [];
  const at = (level: string) => (message: string) => void logs.push({ level, message });
  return { logs, logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } };
}

async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (a hang)`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function audit(ws: string, options: { maxFileSize?: number } = {}): Promise<{ engine: Engine; findings: Finding[]; logs: Logged[]; ms: number }> {
  const { logger, logs } = capture();
  const t0 = Date.now();
  const engine = await within(LIMIT_MS, `indexing ${ws}`, Engine.create({ roots: [ws], logger, options }));
  const findings = engine.findings();
  const ms = Date.now() - t0;
  assert.deepEqual(
    logs.filter((l) => l.level === 'error'),
    [],
    'nothing failed',
  );
  return { engine, findings, logs, ms };
}

/** The planted duplicate secret is still found, on both apps. */
function assertPlantedFound(ws: string, findings: Finding[]): void {
  const dup = findings.filter((f) => f.ruleId === 'duplicate-secret');
  const files = dup.map((f) => path.relative(ws, f.location.file)).sort();
  for (const expected of [path.join('app-a', '.env'), path.join('app-b', '.env')]) {
    assert.ok(files.includes(expected), `duplicate-secret on ${expected}; got ${files.join(', ') || '(none)'}`);
  }
  for (const f of findings) assert.ok(!f.message.includes(PLANTED), 'the secret is never shown');
}

function assertLogged(logs: Logged[], file: string, reason: RegExp): void {
  const hit = logs.find((l) => l.message.includes(file) && reason.test(l.message));
  assert.ok(hit, `a logged reason for ${file} matching ${reason}; logs:\n${logs.map((l) => `${l.level}: ${l.message}`).join('\n')}`);
  assert.ok(hit.level === 'info' || hit.level === 'warn', `logged at info/warn (visible), not ${hit.level}`);
}

function runCli(args: string[], opts: { uid?: number } = {}): { status: number | null; stdout: string; stderr: string } {
  const cmd = opts.uid !== undefined ? 'setpriv' : process.execPath;
  const argv = opts.uid !== undefined ? [`--reuid=${opts.uid}`, `--regid=${opts.uid}`, '--clear-groups', process.execPath, CLI, ...args] : [CLI, ...args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: LIMIT_MS, env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.error, undefined, `CLI did not run: ${r.error}`);
  assert.notEqual(r.signal, 'SIGTERM', 'the CLI hung (killed after the time limit)');
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hostile workspaces', { timeout: 120_000 }, () => {
  test('a 50 MB .env is skipped with a notice (size limit, default 1 MB, configurable); the rest is analysed', async () => {
    const ws = baseWorkspace();
    const big = path.join(ws, 'app-c', '.env');
    fs.mkdirSync(path.dirname(big), { recursive: true });
    const line = `SESSION_SECRET=${PLANTED}\nFILLER=${'x'.repeat(1000)}\n`;
    const fd = fs.openSync(big, 'w');
    for (let written = 0; written < 50 * 1024 * 1024; written += line.length) fs.writeSync(fd, line);
    fs.closeSync(fd);
    const { engine, findings, logs, ms } = await audit(ws);
    assertPlantedFound(ws, findings);
    assert.ok(!engine.files().includes(big), 'the big file is not indexed');
    // Issue 11 (never a silent all clear): the skipped file carries one info finding saying so, and nothing else.
    const onBig = findings.filter((f) => f.location.file === big || f.related.some((r) => r.location.file === big));
    assert.deepEqual(
      onBig.map((f) => [f.ruleId, f.severity]),
      [['parse-error', 'info']],
    );
    assert.match(onBig[0].message, /did not read this file \(larger than the 1000000-byte limit/);
    assertLogged(logs, big, /larger than the 1000000-byte limit \(5\d{7} bytes\)/);
    assert.ok(ms < 10_000, `took ${ms} ms`);

    // The CLI shows the notice with --verbose, and only then.
    const verbose = runCli(['audit', ws, '--format', 'json', '--verbose']);
    assert.equal(verbose.status, 1);
    assert.match(verbose.stderr, /Skipped .*app-c[\\/]\.env: larger than the 1000000-byte limit/);
    assert.equal(JSON.parse(verbose.stdout).filter((f: { ruleId: string }) => f.ruleId === 'duplicate-secret').length, 2);
    const quiet = runCli(['audit', ws, '--format', 'json']);
    assert.doesNotMatch(quiet.stderr, /Skipped/);

    // The limit is an engine option: a lower one skips the small files too; a higher one reads the big one.
    const low = await audit(ws, { maxFileSize: 20 });
    assert.equal(low.findings.filter((f) => f.ruleId === 'duplicate-secret').length, 0);
    assertLogged(low.logs, path.join(ws, 'app-a', '.env'), /larger than the 20-byte limit/);
    // An open document bigger than the limit is skipped the same way (overlays bypass the disk read).
    const { engine: e2, logs: logs2 } = await audit(ws);
    const openBig = path.join(ws, 'app-a', '.env');
    e2.setOverlay(openBig, `SESSION_SECRET=${PLANTED}\n# ${'y'.repeat(1_100_000)}\n`);
    assert.ok(!e2.files().includes(openBig));
    assertLogged(logs2, openBig, /larger than the 1000000-byte limit/);
    e2.setOverlay(openBig, undefined);
    assertPlantedFound(ws, e2.findings());
  });

  test('a binary file named .env: a parse-error on it, a logged reason, nothing else affected', async () => {
    const ws = baseWorkspace();
    const bin = path.join(ws, 'app-c', '.env');
    const bytes = Buffer.alloc(64 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 256;
    write(bin, bytes);
    write(path.join(ws, 'app-c', 'server.js'), Buffer.concat([Buffer.from('process.env.PORT\0'), bytes]));
    const { findings, logs } = await audit(ws);
    assertPlantedFound(ws, findings);
    const onBin = findings.filter((f) => f.location.file === bin);
    assert.deepEqual(
      onBin.map((f) => f.ruleId),
      ['parse-error'],
    );
    assert.match(onBin[0].message, /binary/);
    assertLogged(logs, bin, /binary content \(NUL bytes\)/);
    assertLogged(logs, path.join(ws, 'app-c', 'server.js'), /binary content/);
  });

  test('a .env that is a folder, a FIFO named .env, a device: never opened, logged', async (t) => {
    const ws = baseWorkspace();
    const dir = path.join(ws, 'app-c', '.env');
    write(path.join(dir, 'inside.txt'), 'not an env file');
    write(path.join(dir, '.env'), `SESSION_SECRET=${PLANTED}-in-folder\n`); // a real file inside the folder is read
    const fifo = path.join(ws, 'app-d', '.env');
    fs.mkdirSync(path.dirname(fifo), { recursive: true });
    const mk = spawnSync('mkfifo', [fifo]);
    const haveFifo = mk.status === 0;
    const dev = path.join(ws, 'app-e', '.env.local');
    fs.mkdirSync(path.dirname(dev), { recursive: true });
    fs.symlinkSync('/dev/zero', dev); // an endless file behind a link

    const { engine, findings, logs } = await audit(ws);
    assertPlantedFound(ws, findings);
    assertLogged(logs, dir, /a folder, not a file/);
    assert.ok(engine.files().includes(path.join(dir, '.env')), 'files inside a folder named .env are still read');
    if (haveFifo) assertLogged(logs, fifo, /a FIFO, not a regular file/);
    assertLogged(logs, dev, /symbolic link/);

    // The same paths reported by a file watcher (refresh) are refused the same way; no read blocks.
    if (haveFifo) await within(5_000, 'refreshing a FIFO', engine.refreshFromDisk(fifo));
    await within(5_000, 'refreshing a link to /dev/zero', engine.refreshFromDisk(dev));
    await within(5_000, 'refreshing a folder', engine.refreshFromDisk(dir));
    assert.ok(!engine.files().includes(fifo) && !engine.files().includes(dev) && !engine.files().includes(dir));
    // An open document over a FIFO that closes goes back to the disk, which is refused too.
    if (haveFifo) {
      engine.setOverlay(fifo, 'PORT=1\n');
      assert.ok(engine.files().includes(fifo));
      engine.setOverlay(fifo, undefined);
      assert.ok(!engine.files().includes(fifo));
    }
    if (!haveFifo) t.diagnostic('mkfifo is not available: the FIFO case was not run');
  });

  test('symbolic links: a loop, a folder loop, a link to outside the workspace: not followed, logged', async () => {
    const ws = baseWorkspace();
    const outside = tempDir('crosswire-outside-');
    const secretOutside = 'outside-the-workspace-secret-9d2e41b7';
    write(path.join(outside, 'secret.env'), `SESSION_SECRET=${PLANTED}\nAPI_SECRET=${secretOutside}\n`);
    const linkOut = path.join(ws, 'app-c', '.env');
    fs.mkdirSync(path.dirname(linkOut), { recursive: true });
    fs.symlinkSync(path.join(outside, 'secret.env'), linkOut);
    const loopA = path.join(ws, 'app-d', '.env');
    const loopB = path.join(ws, 'app-d', '.env.local');
    fs.mkdirSync(path.dirname(loopA), { recursive: true });
    fs.symlinkSync('.env.local', loopA);
    fs.symlinkSync('.env', loopB);
    fs.symlinkSync('..', path.join(ws, 'app-d', 'up')); // a folder loop
    fs.symlinkSync(ws, path.join(ws, 'app-d', 'root')); // another one
    const linkIn = path.join(ws, 'app-e', '.env');
    fs.mkdirSync(path.dirname(linkIn), { recursive: true });
    fs.symlinkSync(path.join(ws, 'app-a', '.env'), linkIn);

    const { engine, findings, logs, ms } = await audit(ws);
    assertPlantedFound(ws, findings);
    assert.ok(ms < 10_000, `took ${ms} ms`);
    for (const f of [linkOut, loopA, loopB, linkIn]) assert.ok(!engine.files().includes(f), `${f} not indexed`);
    assert.ok(!engine.files().some((f) => f.includes(`${path.sep}up${path.sep}`) || f.includes(`${path.sep}root${path.sep}`)), 'folder links not descended');
    assertLogged(logs, linkOut, /symbolic link to outside the workspace/);
    assertLogged(logs, loopA, /symbolic link loop/);
    assertLogged(logs, loopB, /symbolic link loop/);
    assertLogged(logs, linkIn, /symbolic link \(not followed\)/);
    assert.equal(findings.filter((f) => f.ruleId === 'duplicate-secret').length, 2, 'no finding from the linked files');
    assert.ok(!JSON.stringify(findings.map((f) => [f.message, f.related.map((r) => r.message)])).includes(secretOutside));

    // A watcher event for the link does not make Crosswire follow it.
    await engine.refreshFromDisk(linkOut);
    await engine.refreshFromDisk(loopA);
    assert.ok(!engine.files().includes(linkOut) && !engine.files().includes(loopA));
    // An open document at the link path closes: back to disk, still not followed.
    engine.setOverlay(linkOut, 'PORT=1\n');
    engine.setOverlay(linkOut, undefined);
    assert.ok(!engine.files().includes(linkOut));
  });

  test('a file and a folder without read permission (as a non-root user): skipped with the reason', async (t) => {
    const ws = baseWorkspace();
    const secretFile = path.join(ws, 'app-c', '.env');
    write(secretFile, `SESSION_SECRET=${PLANTED}\n`);
    const lockedDir = path.join(ws, 'app-d');
    write(path.join(lockedDir, '.env'), `SESSION_SECRET=${PLANTED}\n`);
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!isRoot) {
      fs.chmodSync(secretFile, 0o000);
      fs.chmodSync(lockedDir, 0o000);
      try {
        const { findings, logs } = await audit(ws);
        assertPlantedFound(ws, findings);
        assertLogged(logs, secretFile, /unreadable \(EACCES\)/);
        assertLogged(logs, lockedDir, /folder not listed \(EACCES\)/);
      } finally {
        fs.chmodSync(lockedDir, 0o755);
        fs.chmodSync(secretFile, 0o644);
      }
      return;
    }
    // Root reads anything: chmod 000 proves nothing. Run the CLI as `nobody` instead (setpriv).
    const probe = spawnSync('setpriv', [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      '-e',
      `require('fs').accessSync(${JSON.stringify(CLI)})`,
    ]);
    if (probe.error || probe.status !== 0) {
      t.skip(
        `running as root and cannot drop privileges with setpriv (${probe.error?.message ?? probe.stderr}): chmod 000 does not stop root, so this case cannot be made`,
      );
      return;
    }
    // `nobody` must reach the workspace: open the temp folders up, then lock the two paths.
    for (let d = ws; d !== path.dirname(d) && d.startsWith(os.tmpdir()) && d !== os.tmpdir(); d = path.dirname(d)) fs.chmodSync(d, 0o755);
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) {
          fs.chmodSync(p, 0o755);
          walk(p);
        } else fs.chmodSync(p, 0o644);
      }
    };
    walk(ws);
    fs.chmodSync(secretFile, 0o000);
    fs.chmodSync(lockedDir, 0o000);
    const r = runCli(['audit', ws, '--format', 'json', '--verbose'], { uid: 65534 });
    fs.chmodSync(lockedDir, 0o755);
    assert.equal(r.status, 1, `exit 1 (findings); stderr:\n${r.stderr}`);
    const json = JSON.parse(r.stdout) as { ruleId: string; file: string }[];
    const dups = json
      .filter((f) => f.ruleId === 'duplicate-secret')
      .map((f) => f.file)
      .sort();
    assert.deepEqual(dups, ['app-a/.env', 'app-b/.env'], 'the rest is analysed; the locked paths add nothing');
    assert.match(r.stderr, new RegExp(`Skipped ${escapeRe(secretFile)}: unreadable \\(EACCES\\)`));
    assert.match(r.stderr, new RegExp(`Skipped ${escapeRe(lockedDir)}: folder not listed \\(EACCES\\)`));
  });

  test('paths with spaces and non-ASCII names', async () => {
    const ws = path.join(tempDir(), 'my work space ünïcødé');
    const a = path.join(ws, 'Ärger app', 'sub dir', '.env');
    const b = path.join(ws, '日本語 アプリ', '.env.local');
    const c = path.join(ws, 'emoji 🚀 app', '.env');
    write(path.join(path.dirname(path.dirname(a)), 'package.json'), pkgJson('ärger-app'));
    write(a, `SESSION_SECRET=${PLANTED}\n`);
    write(path.join(path.dirname(b), 'package.json'), pkgJson('nihongo-app'));
    write(b, `SESSION_SECRET=${PLANTED}\n`);
    write(c, `SESSION_SECRET="${PLANTED}"\n`);
    const { findings } = await audit(ws);
    const dup = findings.filter((f) => f.ruleId === 'duplicate-secret');
    assert.deepEqual(dup.map((f) => f.location.file).sort(), [a, b, c].sort());
    for (const f of dup) {
      assert.equal(f.location.range.start.line, 0);
      assert.ok(f.related.length >= 2);
    }
    const r = runCli(['audit', ws, '--format', 'json']);
    assert.equal(r.status, 1);
    const files = (JSON.parse(r.stdout) as { ruleId: string; file: string }[])
      .filter((f) => f.ruleId === 'duplicate-secret')
      .map((f) => f.file)
      .sort();
    assert.deepEqual(files, ['Ärger app/sub dir/.env', 'emoji 🚀 app/.env', '日本語 アプリ/.env.local'].sort());
    const sarif = JSON.parse(runCli(['audit', ws, '--format', 'sarif']).stdout);
    const uris: string[] = sarif.runs[0].results.map(
      (x: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => x.locations[0].physicalLocation.artifactLocation.uri,
    );
    assert.ok(
      uris.some((u) => u.includes('%20') || u.includes(' ')),
      `SARIF uris: ${uris.join(', ')}`,
    );
  });

  test('10,000 empty .env files (10,000 apps): bounded time, the planted finding still found', async () => {
    const ws = baseWorkspace(fastTmp());
    const many = path.join(ws, 'many');
    fs.mkdirSync(many);
    for (let i = 0; i < 10_000; i++) {
      const d = path.join(many, `app-${i}`);
      fs.mkdirSync(d);
      fs.closeSync(fs.openSync(path.join(d, '.env'), 'w'));
    }
    const { engine, findings, ms } = await audit(ws);
    assertPlantedFound(ws, findings);
    assert.ok(engine.apps().length >= 10_002, `apps ${engine.apps().length}`);
    assert.equal(findings.filter((f) => f.location.file.startsWith(many + path.sep)).length, 0, 'empty files have no findings');
    assert.ok(ms < 20_000, `took ${ms} ms`);
    // An edit in one of them is picked up quickly.
    const t0 = Date.now();
    engine.setOverlay(path.join(many, 'app-42', '.env'), `SESSION_SECRET=${PLANTED}\n`);
    const after = engine.findings().filter((f) => f.ruleId === 'duplicate-secret');
    assert.equal(after.length, 3);
    assert.ok(Date.now() - t0 < 5_000, `re-analysis took ${Date.now() - t0} ms`);
  });

  test('a file that changes on disk while being indexed (rewritten, truncated, grown past the limit, deleted)', async () => {
    const ws = baseWorkspace();
    const hot = path.join(ws, 'app-c', '.env');
    write(path.join(ws, 'app-c', 'package.json'), pkgJson('app-c'));
    write(hot, 'PORT=4103\n');
    for (let i = 0; i < 200; i++) write(path.join(ws, 'app-c', `mod${i}.ts`), `export const port${i} = process.env.PORT_${i} ?? ${5000 + i};\n`);
    // A separate process rewrites the file as fast as it can while the engine indexes.
    const script = `
      const fs = require('fs'); const f = process.argv[1]; const end = Date.now() + Number(process.argv[2]);
      const big = 'FILLER=' + 'z'.repeat(1_200_000) + '\\n'; let i = 0;
      while (Date.now() < end) {
        try {
          switch (i++ % 5) {
            case 0: fs.writeFileSync(f, 'PORT=4103\\nSESSION_SECRET=${PLANTED}\\n'); break;
            case 1: fs.truncateSync(f, 7); break;
            case 2: fs.writeFileSync(f, big); break;
            case 3: fs.rmSync(f, { force: true }); break;
            case 4: fs.writeFileSync(f, Buffer.from([0x50, 0x4f, 0x52, 0x54, 0x3d, 0xff, 0xfe, 0x00, 0x0a])); break;
          }
        } catch {}
      }
      fs.writeFileSync(f, 'PORT=4103\\nAPP_C_SECRET=only-in-app-c-final-state\\n');`;
    const writer = spawn(process.execPath, ['-e', script, hot, '3000'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => writer.on('exit', r));
    try {
      const { logger, logs } = capture();
      const engine = await within(LIMIT_MS, 'first index', Engine.create({ roots: [ws], logger }));
      let rounds = 0;
      while (writer.exitCode === null) {
        await within(LIMIT_MS, 'reindex', engine.reindex());
        await within(LIMIT_MS, 'refresh', engine.refreshFromDisk(hot));
        assertPlantedFound(ws, engine.findings());
        rounds++;
      }
      assert.equal(await exited, 0);
      assert.ok(rounds > 0);
      assert.deepEqual(
        logs.filter((l) => l.level === 'error'),
        [],
      );
      // Once it settles, the final content is what the index holds: nothing stale.
      await engine.refreshFromDisk(hot);
      const f = engine.index.files.get(hot);
      assert.ok(f, 'the final file is indexed');
      assert.equal(f.text, 'PORT=4103\nAPP_C_SECRET=only-in-app-c-final-state\n');
      // ... and the findings are those of a fresh index of the settled workspace.
      const fresh = await Engine.create({ roots: [ws] });
      const summary = (list: Finding[]) =>
        list.map((x) => `${x.ruleId} ${path.relative(ws, x.location.file)}:${x.location.range.start.line} ${x.message}`).sort();
      assert.deepEqual(summary(engine.findings()), summary(fresh.findings()), 'no stale finding once the file settled');
      assertPlantedFound(ws, engine.findings());
    } finally {
      writer.kill('SIGKILL');
    }
  });
});

describe('hostile workspace over the language server', { timeout: 120_000 }, () => {
  let client: LspClient | undefined;
  after(() => client?.kill());

  test('skip notices reach the output channel; a deleted-while-open document; the rest still analysed', async () => {
    const ws = baseWorkspace();
    const big = write(path.join(ws, 'app-c', '.env'), `SESSION_SECRET=${PLANTED}\n# ${'w'.repeat(1_200_000)}\n`);
    const outside = tempDir('crosswire-outside-');
    write(path.join(outside, 'x.env'), `SESSION_SECRET=${PLANTED}\n`);
    fs.mkdirSync(path.join(ws, 'app-d'));
    fs.symlinkSync(path.join(outside, 'x.env'), path.join(ws, 'app-d', '.env'));
    const aEnv = path.join(ws, 'app-a', '.env');
    const bEnv = path.join(ws, 'app-b', '.env');
    const doomed = write(path.join(ws, 'app-e', '.env'), `SESSION_SECRET=${PLANTED}\n`);

    client = await LspClient.start({ folders: [ws] });
    const c = client;
    await c.waitForReady(0, LIMIT_MS);
    const dup = (file: string) => c.diagnosticsOf(file).filter((d) => d.code === 'duplicate-secret');
    assert.equal(dup(aEnv).length, 1);
    assert.equal(dup(doomed).length, 1);
    const warn = c.logs
      .filter((l) => l.type === 2)
      .map((l) => l.message)
      .join('\n');
    assert.match(warn, new RegExp(`Skipped ${escapeRe(big)}: larger than the 1000000-byte limit`), 'the size notice is in the output channel (warning)');
    const info = c.logs.map((l) => l.message).join('\n');
    assert.match(info, new RegExp(`Skipped ${escapeRe(path.join(ws, 'app-d', '.env'))}: a symbolic link to outside the workspace`));
    // Issue 11: the skipped file is reported on itself (info), nothing more.
    assert.deepEqual(
      c.diagnosticsOf(big).map((d) => [d.code, d.severity]),
      [['parse-error', 3]],
    );

    // Open app-e/.env, then delete it on disk while it is open: the open text still counts.
    const text = fs.readFileSync(doomed, 'utf8');
    await c.didOpen(doomed, text, 'dotenv');
    fs.rmSync(path.dirname(doomed), { recursive: true });
    await c.didChangeWatchedFiles([
      { file: doomed, type: 3 },
      { file: path.dirname(doomed), type: 3 },
    ]);
    await c.didChange(doomed, `${text}PORT=4999\n`);
    await c.waitFor('a publication after the deletion', () => c.publications.some((p) => p.uri === uriOf(doomed)) && dup(doomed).length === 1, 10_000);
    // Code actions on the deleted-but-open document answer (or answer nothing) without failing.
    const d = dup(doomed)[0];
    const actions = await c.codeActions(doomed, d.range, [d]);
    assert.ok(Array.isArray(actions));
    // Closing it: the file is gone for good; its diagnostics are cleared and the planted pair remains.
    await c.didClose(doomed);
    await c.waitForDiagnostics(() => c.diagnosticsOf(doomed).length === 0 && dup(aEnv).length === 1 && dup(bEnv).length === 1, 10_000, 'deleted file cleared');
    assert.ok(!dup(aEnv)[0].relatedInformation?.some((r) => r.location.uri === uriOf(doomed)), 'no related location in the deleted file');
    // Opening a document bigger than the limit: skipped with a notice, no crash.
    await c.didOpen(aEnv, `SESSION_SECRET=${PLANTED}\n#${'v'.repeat(1_100_000)}\n`, 'dotenv');
    await c.waitFor('size notice for the open document', () => c.logs.some((l) => l.message.includes(`Skipped ${aEnv}: larger than`)), 10_000);
    await c.didClose(aEnv);
    await c.waitForDiagnostics(() => dup(aEnv).length === 1, 10_000, 'back to the disk text');
    assert.ok(
      !c.logs.some((l) => l.type === 1),
      `no errors: ${c.logs
        .filter((l) => l.type === 1)
        .map((l) => l.message)
        .join('\n')}`,
    );
    assert.equal(await c.shutdown(), 0);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
