/**
 * Loads the TypeScript compiler (a 9 MB CommonJS file) with a V8 code cache kept beside it, as Node 22's
 * `module.enableCompileCache()` does for every module (Node 20 has none). Measured on Node 20 (2 cores): compiling
 * typescript.js takes ~210 ms and leaves ~99 MB resident; from a cache made after a run, ~67 ms and ~82 MB. A whole
 * `crosswire audit` of a 4,300-file monorepo: ~0.1 s and ~9 MB less.
 *
 * The cache is V8 bytecode for this very file, this Node and these V8 flags: its name carries the file's size and
 * modification time, the Node, V8 and architecture, and the process's flags: those on its command line and in
 * NODE_OPTIONS (not `--require` or `-e` and their values) and those it set on itself (setV8Flags). The language server
 * runs with other flags than the CLI: one cache each, no rewriting each other's. V8 checks the rest and rejects a cache it
 * cannot use (`cachedDataRejected`): then the file is compiled as usual and the cache written again.
 * It lives in the compiler's own folder (whoever can write there can already replace the compiler), is written to a
 * temporary file and renamed (two processes never leave half a cache), and a folder that cannot be written is no
 * error: the compiler is then loaded without a cache. CROSSWIRE_NO_COMPILE_CACHE=1 turns it off.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module = require('node:module');
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

export interface CachedLoad {
  exports: unknown;
  /** The cache file of this runtime. */
  cacheFile: string;
  /** 'used': loaded from the cache; 'rejected': V8 refused it (written again); 'absent'; 'off'. */
  cache: 'used' | 'rejected' | 'absent' | 'off';
}

/** V8 flags this process set on itself before loading (cli/heap.ts, lsp/heap.ts): part of the cache's name. */
const runtimeFlags: string[] = [];

/** Sets V8 flags from inside the process (before the compiler loads), and names its code cache after them. */
export function setV8Flags(flags: string): void {
  v8.setFlagsFromString(flags);
  runtimeFlags.push(flags);
}

/** Options that load or run something, or only observe (their values are paths or code): not in a cache's name. */
const NOT_FLAGS = /^-(r|e|p|-require|-import|-loader|-experimental-loader|-eval|-print|-inspect[\w-]*|-cpu-prof[\w-]*|-heap-prof[\w-]*|-title|-test[\w-]*)$/;

/** The Node and V8 flags among command-line options (those that can change what V8 compiles, or whether it takes a cache). */
export function flagsOf(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = a.split('=')[0];
    if (NOT_FLAGS.test(name)) {
      if (!a.includes('=') && !/^--(inspect|cpu-prof|heap-prof|test)/.test(name)) i++; // its value follows
      continue;
    }
    if (a.startsWith('-')) out.push(a);
  }
  return out;
}

/** Which copy of a file a cache belongs to: its size and modification time. */
function stampOf(stat: fs.Stats): string {
  return `${stat.size}-${Math.floor(stat.mtimeMs)}`;
}

/** The cache file for `file` in this process (its runtime and flags). */
export function cacheFileFor(file: string, stat: fs.Stats): string {
  const nodeOptions = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  const flags = [...flagsOf(process.execArgv), ...flagsOf(nodeOptions), ...runtimeFlags];
  const runtime = [process.version, process.versions.v8, process.arch, ...flags].join('\0');
  const key = createHash('sha256').update(runtime).digest('hex').slice(0, 16);
  return `${file}.${stampOf(stat)}.${key}.cache`;
}

/** Requires the CommonJS module `file` through a V8 code cache kept beside it (see above). */
export function loadWithCodeCache(file: string): CachedLoad {
  const stat = fs.statSync(file);
  const cacheFile = cacheFileFor(file, stat);
  const off = process.env.CROSSWIRE_NO_COMPILE_CACHE === '1';
  let cachedData: Buffer | undefined;
  if (!off) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  const source = fs.readFileSync(file, 'utf8');
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = { exports: {} as unknown, filename: file, id: file, loaded: false, children: [], paths: [] as string[] };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  const cache: CachedLoad['cache'] = off ? 'off' : !cachedData ? 'absent' : script.cachedDataRejected ? 'rejected' : 'used';
  // Made right after loading (once the module ran: the functions its loading compiled are in it; the same gain as a
  // cache made after a whole audit, measured), before anything changes V8's flags: prisma.ts turns on --liftoff-only
  // when it loads a validator, and V8 rejects a cache made under other flags.
  if (cache === 'absent' || cache === 'rejected') writeCache(script, file, cacheFile, stampOf(stat));
  return { exports: mod.exports, cacheFile, cache };
}

function writeCache(script: vm.Script, file: string, cacheFile: string, stamp: string): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  const dir = path.dirname(file);
  try {
    // (a folder this user may not write, e.g. a global install by root: no cache is made, ~20 ms saved each run)
    fs.accessSync(dir, fs.constants.W_OK);
    fs.writeFileSync(tmp, script.createCachedData());
    fs.renameSync(tmp, cacheFile);
    // Caches of an earlier copy of the file (another size or time) can never be used again.
    const prefix = `${path.basename(file)}.`;
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith(prefix) && name.endsWith('.cache') && !name.startsWith(`${prefix}${stamp}.`)) fs.rmSync(path.join(dir, name), { force: true });
    }
  } catch {
    // A folder we may not write: no cache, nothing else changes.
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing to clean
    }
  }
}
