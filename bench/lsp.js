'use strict';
/**
 * Incremental latency over the real protocol: starts the built language server (server/dist/server.js --stdio)
 * on a workspace with the protocol tests' LSP client (server/out/test/helpers/lsp-client.js), opens one app's
 * .env and sends full-text didChange edits that alternately create and remove a duplicate secret and a port
 * collision with another app. Each latency is the time from sending the change to receiving the
 * publishDiagnostics for that .env that reflects it.
 */
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const ROOT = process.env.CROSSWIRE_ROOT || path.resolve(__dirname, '..');

function procStatus(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number((new RegExp(`${k}:\\s+(\\d+) kB`).exec(s) ?? [])[1]) / 1024;
    return { hwmMB: kb('VmHWM'), rssMB: kb('VmRSS') };
  } catch {
    return { hwmMB: undefined, rssMB: undefined };
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return undefined;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/**
 * @param {{ dir: string, edit: object, edits?: number, env?: object, log?: (m: string) => void }} o
 */
async function measureIncremental({ dir, edit, edits = 200, env = {}, log = () => {} }) {
  const { LspClient, uriOf } = require(path.join(ROOT, 'server', 'out', 'test', 'helpers', 'lsp-client.js'));
  const t0 = performance.now();
  const client = await LspClient.start({ folders: [dir], env });
  try {
    await client.waitForReady(0, 30 * 60_000);
    const readyMs = performance.now() - t0;
    const pid = client.proc.pid;
    const afterIndex = procStatus(pid);
    log(`  server ready in ${(readyMs / 1000).toFixed(1)} s, peak RSS ${afterIndex.hwmMB?.toFixed(0)} MB`);

    const base = edit.text;
    const dupLine = `${edit.secretKey}=${edit.ownSecret}`;
    const portLine = `PORT=${edit.ownPort}`;
    if (!base.includes(dupLine) || !base.includes(portLine)) throw new Error(`edit target ${edit.file} does not hold ${edit.secretKey}/PORT as generated`);
    const texts = {
      dup: base.replace(dupLine, `${edit.secretKey}=${edit.otherSecret}`),
      port: base.replace(portLine, `PORT=${edit.otherPort}`),
      base,
    };
    const has = (d, code) => d.some((x) => x.code === code);
    const want = {
      dup: (d) => has(d, 'duplicate-secret') && !has(d, 'port-collision'),
      port: (d) => has(d, 'port-collision') && !has(d, 'duplicate-secret'),
      base: (d) => !has(d, 'port-collision') && !has(d, 'duplicate-secret'),
    };
    const cycle = ['dup', 'base', 'port', 'base'];
    const uri = uriOf(edit.file);

    await client.didOpen(edit.file, base, 'dotenv');
    // A code-action request waits for the server's queue to drain: a barrier before timing starts.
    await client.codeActions(edit.file, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, []);
    const statusFrom = client.statuses.length;

    const latencies = [];
    const window = { startUs: Number(process.hrtime.bigint() / 1000n) };
    for (let i = 0; i < edits; i++) {
      const state = cycle[i % cycle.length];
      let received;
      const published = client.waitFor(
        `edit ${i} (${state})`,
        () => {
          if (want[state](client.diagnostics.get(uri) ?? [])) {
            received ??= performance.now();
            return true;
          }
          return false;
        },
        10 * 60_000,
      );
      const sent = performance.now();
      await client.didChange(edit.file, texts[state]);
      await published;
      latencies.push(received - sent);
      if ((i + 1) % 50 === 0) log(`  ${i + 1}/${edits} edits, last ${latencies[i].toFixed(0)} ms`);
    }
    window.endUs = Number(process.hrtime.bigint() / 1000n);
    const afterEdits = procStatus(pid);
    const serverMs = client.statuses
      .slice(statusFrom)
      .filter((s) => s.state === 'ready' && typeof s.durationMs === 'number')
      .map((s) => s.durationMs)
      .sort((a, b) => a - b);
    const sorted = [...latencies].sort((a, b) => a - b);
    await client.shutdown(60_000).catch(() => client.kill());
    return {
      edits,
      readyMs,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      max: sorted[sorted.length - 1],
      mean: latencies.reduce((a, b) => a + b, 0) / latencies.length,
      serverReported: { count: serverMs.length, p50: percentile(serverMs, 50), p95: percentile(serverMs, 95) },
      peakRssAfterIndexMB: afterIndex.hwmMB,
      rssAfterIndexMB: afterIndex.rssMB,
      peakRssAfterEditsMB: afterEdits.hwmMB,
      // Resident now (not the high-water mark): whether the edits left memory behind.
      rssAfterEditsMB: afterEdits.rssMB,
      latencies,
      window,
    };
  } catch (e) {
    client.kill();
    throw e;
  }
}

module.exports = { measureIncremental, percentile };
