'use strict';
/**
 * One measurement in a fresh process (so every run is cold: no module, JIT or cache state from another run).
 *
 *   node bench/child.js audit <dir>   Engine.create({ roots: [dir] }) + findings(), from the built server/out/src/engine
 *                                     (with every finding's rule, file and line, for the check against the planted ones)
 *   node bench/child.js floor-sync <dir>    the read floor: the engine's own fast-glob patterns and ignores, then
 *   node bench/child.js floor-async <dir>   reading every file (utf8), nothing else; fast-glob's sync walker + one read at a time, or its promise API + 64 reads in flight
 *
 * Prints one JSON line. Module loading is timed separately and not part of either figure.
 */
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const ROOT = process.env.CROSSWIRE_ROOT || path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'server', 'out', 'src');

function vmHWM() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function audit(dir) {
  const t0 = performance.now();
  const { Engine } = require(path.join(OUT, 'engine'));
  const t1 = performance.now();
  const startUs = Number(process.hrtime.bigint() / 1000n); // the profiler's clock: lets a summary skip module loading
  const engine = await Engine.create({ roots: [dir] });
  const t2 = performance.now();
  const findings = engine.findings();
  const t3 = performance.now();
  const endUs = Number(process.hrtime.bigint() / 1000n);
  const byRule = {};
  for (const f of findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  // (rule, file relative to the workspace, 1-based line) of every finding: run.js compares them with the planted ones.
  const found = findings.map((f) => ({
    rule: f.ruleId,
    file: path.relative(dir, f.location.file).split(path.sep).join('/'),
    line: f.location.range.start.line + 1,
    message: f.message.slice(0, 200),
  }));
  return {
    mode: 'audit',
    loadMs: t1 - t0,
    createMs: t2 - t1,
    findingsMs: t3 - t2,
    ms: t3 - t1,
    files: engine.files().length,
    apps: engine.apps().length,
    findings: findings.length,
    byRule,
    found,
    peakRssMB: vmHWM(),
    window: { startUs, endUs },
  };
}

function floorGlobber() {
  const discovery = require(path.join(OUT, 'index', 'discovery.js'));
  const fg = require(require.resolve('fast-glob', { paths: [path.join(ROOT, 'server')] }));
  // The same ignore list discovery.ts builds from IGNORED_DIRS (plus its three file suffixes).
  const ignore = discovery.IGNORED_DIRS.map((d) => `**/${d}/**`).concat(['**/*.d.ts', '**/*.min.js', '**/*.map']);
  const options = (dir) => ({ cwd: dir, absolute: true, dot: true, onlyFiles: true, followSymbolicLinks: false, suppressErrors: true, unique: true, ignore });
  // Each variant walks the way it reads: fast-glob's synchronous walker with the one-at-a-time reads (the
  // engine's way, and usually the faster), its promise API with the 64-in-flight reads.
  return {
    sync: async (dir) => fg.sync(discovery.DISCOVERY_PATTERNS, options(dir)),
    async: (dir) => fg(discovery.DISCOVERY_PATTERNS, options(dir)),
  };
}

async function floor(dir, variant) {
  const glob = floorGlobber()[variant];
  const t0 = performance.now();
  const files = await glob(dir);
  const t1 = performance.now();
  let chars = 0;
  if (variant === 'async') {
    // a pool of 64 reads in flight
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const text = await fs.promises.readFile(files[next++], 'utf8');
        chars += text.length;
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
  } else {
    // one read at a time: usually faster for many small files (no thread-pool round trips)
    for (const f of files) chars += fs.readFileSync(f, 'utf8').length;
  }
  const t2 = performance.now();
  return { mode: `floor-${variant}`, ms: t2 - t0, globMs: t1 - t0, readMs: t2 - t1, files: files.length, chars };
}

(async () => {
  const [mode, dir] = process.argv.slice(2);
  if (!dir || !['audit', 'floor-sync', 'floor-async'].includes(mode)) {
    console.error('usage: node bench/child.js audit|floor-sync|floor-async <dir>');
    process.exit(2);
  }
  const r = mode === 'audit' ? await audit(dir) : await floor(dir, mode.slice(6));
  process.stdout.write(JSON.stringify(r) + '\n');
})().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
