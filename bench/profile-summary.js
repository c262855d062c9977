'use strict';
/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): top functions by self time, by inclusive time, and self time
 * by source file. Positions in bundles and tsc output are mapped back to the TypeScript sources through their
 * source maps (node:module SourceMap), so server/dist/server.js frames read as server/src/... .
 *
 *   node bench/profile-summary.js <file.cpuprofile> [--top 25] [--from <µs> --to <µs>]
 *
 * --from/--to restrict the summary to samples in a window of the monotonic clock (µs), e.g. the edit phase of
 * the language server run (bench/run.js records it).
 */
const fs = require('node:fs');
const path = require('node:path');
const { fileURLToPath } = require('node:url');
const { SourceMap } = require('node:module');

const ROOT = process.env.CROSSWIRE_ROOT || path.resolve(__dirname, '..');
const maps = new Map();

function mapFor(file) {
  if (!maps.has(file)) {
    let m = null;
    try {
      const text = fs.readFileSync(file, 'utf8');
      const ref = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text.slice(-500));
      if (ref && !ref[1].startsWith('data:'))
        m = { map: new SourceMap(JSON.parse(fs.readFileSync(path.resolve(path.dirname(file), ref[1]), 'utf8'))), dir: path.dirname(file) };
    } catch {
      m = null;
    }
    maps.set(file, m);
  }
  return maps.get(file);
}

/** "name file:line" with the original (TypeScript) source where a source map knows it. */
function describe(cf) {
  const name = cf.functionName || '(anonymous)';
  if (!cf.url) return { key: name, name, file: name.startsWith('(') ? name : '(native)' };
  let file = cf.url.startsWith('file://') ? fileURLToPath(cf.url) : cf.url;
  let line = cf.lineNumber + 1;
  const m = file.startsWith('/') ? mapFor(file) : null;
  if (m && cf.lineNumber >= 0) {
    const e = m.map.findEntry(cf.lineNumber, cf.columnNumber);
    if (e && e.originalSource) {
      file = path.resolve(m.dir, e.originalSource.replace(/^file:\/\//, ''));
      line = e.originalLine + 1;
    }
  }
  let rel = path.relative(ROOT, file);
  if (rel.startsWith('..')) rel = file;
  rel = rel.replace(/^.*node_modules\//, 'node_modules/');
  return { key: `${name} ${rel}:${line}`, name, file: rel };
}

function summarize(profile, { top = 25, fromUs, toUs } = {}) {
  const nodes = new Map();
  const parent = new Map();
  for (const n of profile.nodes) {
    nodes.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const desc = new Map();
  const d = (id) => {
    if (!desc.has(id)) desc.set(id, describe(nodes.get(id).callFrame));
    return desc.get(id);
  };
  const self = new Map();
  const incl = new Map();
  const byFile = new Map();
  let total = 0;
  let idle = 0;
  let t = profile.startTime;
  const ts = profile.samples.map((_, i) => (t += profile.timeDeltas[i]));
  for (let i = 0; i < profile.samples.length; i++) {
    if (fromUs !== undefined && ts[i] < fromUs) continue;
    if (toUs !== undefined && ts[i] > toUs) continue;
    const dur = (i + 1 < ts.length ? ts[i + 1] : profile.endTime) - ts[i];
    if (dur <= 0) continue;
    const leaf = profile.samples[i];
    const info = d(leaf);
    if (info.name === '(idle)') {
      idle += dur;
      continue;
    }
    total += dur;
    self.set(info.key, (self.get(info.key) ?? 0) + dur);
    byFile.set(info.file, (byFile.get(info.file) ?? 0) + dur);
    const seen = new Set();
    for (let id = leaf; id !== undefined; id = parent.get(id)) {
      const k = d(id).key;
      if (seen.has(k) || k === '(root)') continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + dur);
    }
  }
  const rows = (m, n) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, us]) => ({ key, ms: us / 1000, pct: (100 * us) / total }));
  return { busyMs: total / 1000, idleMs: idle / 1000, self: rows(self, top), inclusive: rows(incl, top), files: rows(byFile, 15) };
}

function format(s, title) {
  const line = (r) => `  ${r.ms.toFixed(0).padStart(7)} ms ${r.pct.toFixed(1).padStart(5)}%  ${r.key}`;
  return [
    `${title}: ${s.busyMs.toFixed(0)} ms busy (${s.idleMs.toFixed(0)} ms idle)`,
    ' top self time:',
    ...s.self.map(line),
    ' top inclusive time:',
    ...s.inclusive.map(line),
    ' self time by file:',
    ...s.files.map(line),
  ].join('\n');
}

module.exports = { summarize, format };

if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = (name) => {
    const i = args.indexOf(name);
    return i === -1 ? undefined : Number(args[i + 1]);
  };
  const file = args.find((a) => a.endsWith('.cpuprofile'));
  if (!file) {
    console.error('usage: node bench/profile-summary.js <file.cpuprofile> [--top N] [--from µs --to µs]');
    process.exit(2);
  }
  const s = summarize(JSON.parse(fs.readFileSync(file, 'utf8')), { top: opt('--top') ?? 25, fromUs: opt('--from'), toUs: opt('--to') });
  console.log(format(s, path.basename(file)));
}
