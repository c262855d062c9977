'use strict';
/**
 * Memory over many edits (issue 14: "must not grow without bound over 1,000 edits"): generates the bench's
 * workspace of N apps, indexes it in-process with the built engine (server/out), applies EDITS edits of one app's
 * .env in turn (a duplicate secret, its undo, a port, its undo, as the protocol benchmark does) and prints the heap in
 * use after a full garbage collection, and the resident set, every 200 edits. Run with the GC exposed:
 *   node --expose-gc bench/edits-memory.js [N=2000] [EDITS=1000]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { generate } = require('./generate');

const ROOT = path.resolve(__dirname, '..');

async function main() {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
  const n = Number(process.argv[2] ?? 2000);
  const edits = Number(process.argv[3] ?? 1000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-edits-memory-'));
  try {
    const ws = generate({ dir, n });
    const { Engine } = require(path.join(ROOT, 'server', 'out', 'src', 'engine'));
    const engine = await Engine.create({ roots: [ws.dir] });
    engine.findings();
    const { file, text: base, secretKey, ownSecret, otherSecret, ownPort, otherPort } = ws.edit;
    const texts = [base.replace(`${secretKey}=${ownSecret}`, `${secretKey}=${otherSecret}`), base, base.replace(`PORT=${ownPort}`, `PORT=${otherPort}`), base];
    const sample = (i) => {
      global.gc();
      global.gc();
      const m = process.memoryUsage();
      return { edits: i, heapMB: Math.round(m.heapUsed / 1048576), rssMB: Math.round(m.rss / 1048576) };
    };
    const rows = [sample(0)];
    for (let i = 1; i <= edits; i++) {
      engine.setOverlay(file, texts[i % 4]);
      engine.takeChangedFiles();
      if (i % 200 === 0 || i === edits) rows.push(sample(i));
    }
    console.log(`crosswire edits-memory: N=${n}, ${edits} edits of ${path.relative(dir, file)}; heap in use after GC and RSS (MB):`);
    for (const r of rows) console.log(`  after ${String(r.edits).padStart(5)} edits: heap ${r.heapMB} MB, rss ${r.rssMB} MB`);
    const first = rows[1] ?? rows[0];
    const last = rows[rows.length - 1];
    console.log(`  heap growth from edit ${first.edits} to ${last.edits}: ${last.heapMB - first.heapMB} MB`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
