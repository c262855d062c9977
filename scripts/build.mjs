// Builds everything: type-checks and compiles the server (and its tests) with tsc for `node --test`,
// then bundles the language server, the CLI and the VS Code client with esbuild, so that a .vsix
// works without a node_modules tree. The two Prisma schema validators (WebAssembly) are loaded from
// files next to their JS, so they are copied beside the bundles instead of being inlined; so is the TypeScript
// compiler (the parser Crosswire reads TS/JS and package.json with), one copy for both bundles: bundled, it cost
// each process about 24 MB more peak RSS and 70 ms more to load than the same file required as is (measured on
// the CLI: `--version` 120 -> 97 MB, an audit of a 5,000-file monorepo 174 -> 150 MB), and the .vsix held it twice.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'server', 'package.json'));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** Deletes compiled files whose TypeScript source is gone (a deleted test must not keep running). */
function removeOrphans(outDir, srcDir) {
  if (!existsSync(outDir)) return;
  for (const entry of readdirSync(outDir, { withFileTypes: true })) {
    const out = join(outDir, entry.name);
    if (entry.isDirectory()) {
      removeOrphans(out, join(srcDir, entry.name));
      continue;
    }
    const m = /^(.*)\.(js|js\.map|d\.ts)$/.exec(entry.name);
    if (m && !existsSync(join(srcDir, `${m[1]}.ts`))) rmSync(out, { force: true });
  }
}

function run(args) {
  execFileSync(process.execPath, [tsc, ...args], { cwd: root, stdio: 'inherit' });
}

const started = Date.now();
run(['-b', 'server']);
removeOrphans(join(root, 'server', 'out'), join(root, 'server'));
run(['-p', 'client', '--noEmit']);

const wasmPackages = ['prisma-schema-wasm-v6', 'prisma-schema-wasm-v7'];
// `--minify` (used by `npm run package`): minified bundles for the .vsix (source maps stay beside them and
// out of the .vsix; keepNames keeps class and function names in stack traces and logs).
const minify = process.argv.includes('--minify');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify,
  keepNames: minify,
  logLevel: 'warning',
  external: ['vscode', ...wasmPackages],
  // jsonc-parser's package main is a UMD build whose `require`s esbuild cannot follow: its ES module build instead.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
};
// The server and the CLI parse JavaScript and TypeScript with Babel (server/src/parsers/js.ts): the TypeScript compiler
// (~40 MB and ~300 ms per process) must never come back into them by an import.
const noTypescript = {
  name: 'no-typescript-compiler',
  setup(b) {
    b.onResolve({ filter: /^typescript$/ }, (args) => ({
      errors: [{ text: `${args.importer} imports the TypeScript compiler: read code with parsers/js.ts (Babel)` }],
    }));
  },
};
await build({
  ...common,
  plugins: [noTypescript],
  entryPoints: { server: 'server/src/lsp/main.ts', cli: 'server/src/cli/main.ts' },
  outdir: 'server/dist',
  absWorkingDir: root,
});
// Node holds a script's source as one string, of one byte per character only when every character is Latin-1:
// one `…` left in a comment (esbuild escapes strings, not comments) doubled the server's 2.3 MB of source in memory
// (the server with no workspace: 66 -> 64 MB resident).
for (const bundle of ['server', 'cli']) {
  const text = readFileSync(join(root, 'server', 'dist', `${bundle}.js`), 'utf8');
  const at = text.search(/[\u0100-\uffff]/);
  if (at >= 0) {
    const line = text.slice(0, at).split('\n').length;
    throw new Error(
      `server/dist/${bundle}.js:${line}: a character beyond Latin-1 (${JSON.stringify(text[at])}) in the bundle: write it as an escape, or in ASCII in a comment`,
    );
  }
}
await build({
  ...common,
  entryPoints: { extension: 'client/src/extension.ts', 'test-suite/index': 'client/test-suite/index.ts' },
  outdir: 'client/dist',
  absWorkingDir: root,
});

// The bundles require the wasm packages by name: give them a node_modules of their own.
for (const name of wasmPackages) {
  const pkgDir = dirname(require.resolve(`${name}/package.json`));
  const dest = join(root, 'server', 'dist', 'node_modules', name);
  if (existsSync(dest)) rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  cpSync(pkgDir, dest, { recursive: true });
}
// A build from before the move to Babel left the TypeScript compiler beside the bundles: nothing loads it now.
rmSync(join(root, 'server', 'dist', 'node_modules', 'typescript'), { recursive: true, force: true });
console.log(`build: done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
