import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeCommand, tokenize } from '../src/parsers/scripts';

test('tokenize: quotes and segments keep offsets', () => {
  const segs = tokenize(`prisma migrate deploy && PORT=4000 "next" start -p 80`);
  assert.equal(segs.length, 2);
  assert.deepEqual(
    segs[1].map((t) => t.text),
    ['PORT=4000', 'next', 'start', '-p', '80'],
  );
  assert.equal(segs[1][1].start, `prisma migrate deploy && PORT=4000 `.length);
});

test('analyzeCommand: Next.js flags in every spelling', () => {
  for (const [cmd, port] of [
    ['next dev -p 8080', 8080],
    ['next start --port 4000', 4000],
    ['next dev --port=4001', 4001],
    ['next dev -p4002', 4002],
    ['npx next start -p 9', 9],
  ] as const) {
    const [a] = analyzeCommand(cmd);
    assert.equal(a.portFlag?.port, port, cmd);
  }
  const [dev] = analyzeCommand('next dev --turbo');
  assert.equal(dev.tool, 'next-dev');
  assert.equal(dev.portFlag, undefined);
  assert.equal(dev.toolEnd, 'next dev'.length);
  assert.deepEqual(analyzeCommand('next build'), []);
  assert.deepEqual(analyzeCommand('next lint'), []);
});

test('analyzeCommand: Vite dev / preview / build and strictPort', () => {
  assert.equal(analyzeCommand('vite')[0].tool, 'vite-dev');
  assert.equal(analyzeCommand('vite --port 5174 --strictPort')[0].portFlag?.port, 5174);
  assert.equal(analyzeCommand('vite --port 5174 --strictPort')[0].strictPort, true);
  assert.equal(analyzeCommand('vite preview')[0].tool, 'vite-preview');
  assert.deepEqual(analyzeCommand('tsc && vite build'), []);
});

test('analyzeCommand: inline env, cross-env, dotenv-cli, env-cmd, node --env-file, -r dotenv/config', () => {
  assert.equal(analyzeCommand('PORT=4000 next start')[0].inlineEnv.PORT.value, '4000');
  assert.equal(analyzeCommand('cross-env NODE_ENV=production PORT=4100 next start')[0].inlineEnv.PORT.value, '4100');
  assert.deepEqual(analyzeCommand('dotenv -e .env.local -- next dev')[0].envFiles, ['.env.local']);
  assert.deepEqual(analyzeCommand('dotenv -- next dev')[0].envFiles, ['.env']);
  assert.deepEqual(analyzeCommand('env-cmd -f .env.staging node server.js')[0].envFiles, ['.env.staging']);
  const n = analyzeCommand('node --env-file=.env server.js')[0];
  assert.equal(n.tool, 'node');
  assert.equal(n.entry, 'server.js');
  assert.deepEqual(n.envFiles, ['.env']);
  assert.deepEqual(analyzeCommand('node -r dotenv/config dist/index.js')[0].envFiles, ['.env']);
  assert.equal(analyzeCommand('nodemon --watch src server.ts')[0].entry, 'server.ts');
});

test('analyzeCommand: delegation and concurrently', () => {
  assert.equal(analyzeCommand('npm run start:dev')[0].delegateTo, 'start:dev');
  assert.equal(analyzeCommand('yarn dev')[0].delegateTo, 'dev');
  const c = analyzeCommand(`concurrently "next dev -p 3000" "vite --port 5173"`);
  assert.deepEqual(
    c.map((a) => [a.tool, a.portFlag?.port]),
    [
      ['next-dev', 3000],
      ['vite-dev', 5173],
    ],
  );
  const cmd = `concurrently "next dev" "vite"`;
  const inner = analyzeCommand(cmd)[0];
  assert.equal(cmd.slice(inner.toolStart, inner.toolEnd), 'next dev');
});

test('analyzeCommand: one-shot node scripts and inline code before a server do not hide it', () => {
  assert.deepEqual(
    analyzeCommand(`node -e "require('fs').writeFileSync('x','')" && next dev -p 4100`).map((a) => [a.tool, a.portFlag?.port]),
    [['next-dev', 4100]],
  );
  assert.deepEqual(
    analyzeCommand('node scripts/check-env.js && next start').map((a) => a.tool),
    ['node', 'next-start'],
  );
});

test('analyzeCommand: runner options and their values are not the entry (tsx watch, node, ts-node, deno)', () => {
  for (const [cmd, entry, envFiles] of [
    ['tsx watch --clear-screen=false src/index.ts', 'src/index.ts', []],
    ['tsx --env-file=.env watch src/x.ts', 'src/x.ts', ['.env']],
    ['tsx watch --include "src/**" --exclude dist src/x.ts', 'src/x.ts', []],
    ['tsx watch --tsconfig tsconfig.dev.json --ignore "*.log" src/x.ts', 'src/x.ts', []],
    ['tsx --env-file .env.local src/x.ts', 'src/x.ts', ['.env.local']],
    ['node -C development --import ./otel.mjs --max-old-space-size 4096 dist/main.js', 'dist/main.js', []],
    ['node --require=dotenv/config --inspect server.js', 'server.js', ['.env']],
    ['ts-node -P tsconfig.server.json src/main.ts', 'src/main.ts', []],
    ['ts-node-dev --respawn --ignore-watch node_modules src/main.ts', 'src/main.ts', []],
    ['deno run -A --env-file main.ts', 'main.ts', ['.env']],
    ['deno run --config deno.json main.ts', 'main.ts', []],
    ['nodemon --watch src -e ts,json --exec tsx src/server.ts', 'src/server.ts', []],
  ] as const) {
    const a = analyzeCommand(cmd)[0];
    assert.equal(a?.entry, entry, cmd);
    assert.deepEqual(a.envFiles, envFiles, cmd);
    assert.equal(cmd.slice(a.toolStart, a.toolEnd).endsWith(entry), true, cmd);
  }
});

test('analyzeCommand: `sh -c` / `bash -c` strings are analysed as command lines, with the outer environment', () => {
  const cmd = `dotenv -e ../.env -- sh -c 'prisma migrate deploy && PORT=3100 next start'`;
  const [a] = analyzeCommand(cmd);
  assert.equal(a.tool, 'next-start');
  assert.deepEqual(a.envFiles, ['../.env']);
  assert.equal(a.inlineEnv.PORT.value, '3100');
  assert.equal(cmd.slice(a.toolStart, a.toolEnd), 'next start', 'offsets point into the quoted string');
  assert.equal(cmd.slice(a.inlineEnv.PORT.start, a.inlineEnv.PORT.end), 'PORT=3100');
  const [b] = analyzeCommand(`NODE_ENV=production bash -ec "next start -p 4000"`);
  assert.equal(b.portFlag?.port, 4000);
  assert.equal(b.inlineEnv.NODE_ENV.value, 'production');
  assert.equal(analyzeCommand(`/bin/sh -c "npm run serve"`)[0].delegateTo, 'serve');
  assert.deepEqual(analyzeCommand(`sh ./scripts/start.sh`), [], 'a script file is not a command string');
  assert.deepEqual(analyzeCommand(`bash -c`), []);
  assert.equal(analyzeCommand(`sh -c 'next start'`)[0].inexact, undefined);
  assert.equal(analyzeCommand(`sh -c 'next'' start'`)[0].inexact, true, 'offsets that do not map back are never used for an edit');
  // The inner command's own variables win over the outer ones.
  assert.equal(analyzeCommand(`PORT=1 sh -c 'PORT=2 next start'`)[0].inlineEnv.PORT.value, '2');
});

test('analyzeCommand: binaries Bun runs, runners behind a package manager, and bun flags with values', () => {
  const tools = (c: string) => analyzeCommand(c).map((a) => a.tool);
  // Bun runs the package's binary: `bun next dev` is next dev, not a script named "next".
  assert.deepEqual(tools('bun --bun vite'), ['vite-dev']);
  assert.equal(analyzeCommand('bun next dev -p 8080')[0].portFlag?.port, 8080);
  assert.deepEqual(analyzeCommand('bun --bun turbo dev')[0].orchestrate?.tasks, ['dev']);
  // A script name stays a script; a file stays a file.
  assert.deepEqual(analyzeCommand('bun dev')[0].delegateTo, 'dev');
  assert.deepEqual(tools('bun src/index.ts'), ['node']);
  // `--elide-lines 0` takes a value: the task is dev, not 0.
  assert.deepEqual(analyzeCommand('bun run --filter "*" --elide-lines 0 dev')[0].orchestrate?.tasks, ['dev']);
  // concurrently started through pnpm, pnpm exec, yarn dlx.
  assert.deepEqual(
    analyzeCommand('pnpm concurrently "pnpm run client:dev" "pnpm run server:dev"').map((a) => a.delegateTo),
    ['client:dev', 'server:dev'],
  );
  assert.deepEqual(tools('pnpm exec concurrently "next dev" "vite"'), ['next-dev', 'vite-dev']);
  // Workspace commands given to concurrently run side by side.
  assert.deepEqual(
    analyzeCommand('concurrently "npm run dev -w api" "yarn workspace web dev"').map((a) => [a.orchestrate?.filters[0], a.orchestrate?.parallel]),
    [
      ['api', true],
      ['web', true],
    ],
  );
});

test('analyzeCommand: Vite options before its command, another config file, and excluded packages', () => {
  // `vite --config x build` builds: no server.
  assert.deepEqual(analyzeCommand('vite --config playground/alias/vite.config-special.ts build'), []);
  assert.equal(analyzeCommand('vite --host 0.0.0.0 preview')[0].tool, 'vite-preview');
  // Another config file decides the port: unknown, unless --port says it.
  assert.equal(analyzeCommand('vite --config vite.e2e.config.ts')[0].portUnknown, '--config vite.e2e.config.ts');
  assert.equal(analyzeCommand('vite --config vite.e2e.config.ts --port 3001')[0].portFlag?.port, 3001);
  assert.equal(analyzeCommand('vite -c vite.config.ts')[0].portUnknown, undefined);
  // turbo / pnpm `!` filters and nx --exclude remove packages from the run.
  assert.deepEqual(analyzeCommand('turbo dev --filter !@acme/expo')[0].orchestrate?.excludes, ['@acme/expo']);
  assert.deepEqual(analyzeCommand('turbo dev --filter !@acme/expo')[0].orchestrate?.filters, []);
  assert.deepEqual(analyzeCommand("pnpm -r --filter '!docs' dev")[0].orchestrate?.excludes, ['docs']);
  assert.deepEqual(analyzeCommand('nx run-many -t serve --exclude docs,e2e')[0].orchestrate?.excludes, ['docs', 'e2e']);
});

test('analyzeCommand: binaries run through pnpm, yarn and npm exec', () => {
  const tools = (c: string) => analyzeCommand(c).map((a) => a.tool);
  assert.deepEqual(tools('pnpm exec vite'), ['vite-dev']);
  assert.equal(analyzeCommand('npm exec -- next dev -p 4000')[0].portFlag?.port, 4000);
  assert.equal(analyzeCommand('pnpm tsx server.ts')[0].entry, 'server.ts');
  assert.deepEqual(tools('yarn next start'), ['next-start']);
  // A script name, a workspace command, npm's `run`: unchanged.
  assert.equal(analyzeCommand('pnpm dev')[0].delegateTo, 'dev');
  assert.equal(analyzeCommand('npm run dev')[0].delegateTo, 'dev');
  assert.equal(analyzeCommand('pnpm --filter web dev')[0].orchestrate?.runner, 'pnpm');
  assert.equal(analyzeCommand('pnpm turbo dev')[0].orchestrate?.runner, 'turbo');
});

test('analyzeCommand: bun run with option values before the file, and Strapi', () => {
  const a = analyzeCommand('bun run --watch --env-file ../../.env --env-file ../../.env.local ./dev.ts')[0];
  assert.deepEqual([a.tool, a.entry, a.envFiles], ['node', './dev.ts', ['../../.env', '../../.env.local']]);
  assert.equal(analyzeCommand('bun run dev')[0].delegateTo, 'dev');
  assert.equal(analyzeCommand('node --run serve')[0].delegateTo, 'serve');
  assert.deepEqual(
    ['strapi develop', 'strapi start', 'strapi build'].map((c) => analyzeCommand(c)[0]?.tool),
    ['strapi-develop', 'strapi-start', undefined],
  );
});

test('analyzeCommand: runners behind environment prefixes, turbo package#task, coverage wrappers', () => {
  const cc = analyzeCommand('cross-env NODE_ENV=development concurrently "vite" "node server.js"');
  assert.deepEqual(
    cc.map((a) => [a.tool, Object.keys(a.inlineEnv)]),
    [
      ['vite-dev', ['NODE_ENV']],
      ['node', ['NODE_ENV']],
    ],
  );
  assert.deepEqual(
    analyzeCommand('dotenv -e .env -- run-p dev:web dev:api').map((a) => [a.delegateTo, a.envFiles]),
    [
      ['dev:web', ['.env']],
      ['dev:api', ['.env']],
    ],
  );
  const t = analyzeCommand('turbo run @acme/web#dev @acme/ssr#dev')[0].orchestrate;
  assert.deepEqual([t?.tasks, t?.filters], [['dev'], ['@acme/web', '@acme/ssr']]);
  assert.equal(analyzeCommand('nyc --silent node ./dist/server.js')[0].entry, './dist/server.js');
});
