/**
 * Issue 10 item 5 and the judges' misses: servers a test runner starts (Playwright's webServer), root scripts that
 * change into an app folder (`cd server && yarn dev`, `yarn --cwd`, `npm --prefix`, `pnpm -C`), and the dev servers of
 * Rsbuild, VitePress, Mintlify, PartyKit and webpack-dev-server. Each case is a pattern seen in public repositories, written small.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeCommand } from '../src/parsers/scripts';
import { parsePlaywrightWebServers } from '../src/parsers/playwright';
import { audit, byRule, makeWorkspace, pkg } from './helpers/workspace';

function first(cmd: string) {
  const a = analyzeCommand(cmd)[0];
  assert.ok(a, cmd);
  return a;
}

test('frameworks: Rsbuild, VitePress, Mintlify, PartyKit and webpack-dev-server commands with their default port, port flag and drift', () => {
  const cases: [string, string, number | undefined, string, number][] = [
    // command, tool id, port flag found, role, default port
    ['rsbuild dev', 'rsbuild-dev', undefined, 'dev', 3000],
    ['rsbuild preview --port 4100', 'rsbuild-preview', 4100, 'preview', 3000],
    ['vitepress dev docs --port 3002', 'vitepress-dev', 3002, 'dev', 5173],
    ['vitepress docs', 'vitepress-dev', undefined, 'dev', 5173],
    ['vitepress serve docs', 'vitepress-preview', undefined, 'preview', 4173],
    ['mintlify dev --port 3333', 'mintlify-dev', 3333, 'dev', 3000],
    ['mint dev', 'mintlify-dev', undefined, 'dev', 3000],
    ['partykit dev --live', 'partykit-dev', undefined, 'dev', 1999],
    ['partykit dev -p 2000', 'partykit-dev', 2000, 'dev', 1999],
    ['webpack serve --mode development', 'webpack-serve', undefined, 'dev', 8080],
    ['webpack-dev-server --config ./webpack.config.cjs --port 5000', 'webpack-serve', 5000, 'dev', 8080],
  ];
  for (const [cmd, tool, port, role, def] of cases) {
    const a = first(cmd);
    assert.equal(a.tool, tool, cmd);
    assert.equal(a.portFlag?.port, port, cmd);
    assert.equal(a.serve?.role, role, cmd);
    assert.equal(a.serve?.defaultPort, def, cmd);
  }
  assert.equal(first('webpack-dev-server --config ./webpack.config.cjs').serve?.configFiles?.[0], './webpack.config.cjs');
  assert.equal(first('webpack serve').serve?.drift, 'when-implicit', 'webpack-dev-server looks for a free port only when none is given');
  assert.equal(first('vitepress serve docs').serve?.drift, 'never');
  assert.equal(analyzeCommand('rsbuild build').length, 0);
  assert.equal(analyzeCommand('vitepress build docs').length, 0);
  assert.equal(analyzeCommand('partykit deploy').length, 0);
});

test('a config that may set the port makes it unknown; one that does not leaves the default', async () => {
  const ws = makeWorkspace({
    'set/package.json': pkg('set', { dev: 'rsbuild dev' }, { '@rsbuild/core': '1.0.0' }),
    'set/rsbuild.config.ts': "import { defineConfig } from '@rsbuild/core';\nexport default defineConfig({ server: { port: 3100 } });\n",
    'plain/package.json': pkg('plain', { dev: 'rsbuild dev' }, { '@rsbuild/core': '1.0.0' }),
    'plain/rsbuild.config.ts': "import { defineConfig } from '@rsbuild/core';\nexport default defineConfig({ html: { title: 'x' } });\n",
    'pack/package.json': pkg('pack', { start: 'webpack serve' }, { 'webpack-dev-server': '5.0.0' }),
    'pack/webpack.config.js': 'module.exports = { devServer: { port: 9000 } };\n',
  });
  const { engine } = await audit(ws);
  const app = (n: string) => engine.apps().find((a) => a.name === n)!;
  assert.deepEqual(app('set').listeners, []);
  assert.match(app('set').unknownPorts[0].reason, /rsbuild\.config\.ts may set Rsbuild's port/);
  assert.deepEqual(
    app('plain').listeners.map((l) => [l.port, l.drifts]),
    [[3000, true]],
  );
  assert.equal(app('plain').framework, 'rsbuild');
  assert.deepEqual(app('pack').listeners, []);
  assert.match(app('pack').unknownPorts[0].reason, /webpack\.config\.js may set/);
});

test("root scripts that change into an app folder run that folder's script: cd, yarn --cwd, npm --prefix, pnpm -C, npx concurrently", async () => {
  assert.deepEqual(
    [
      'cd server && yarn dev',
      'yarn --cwd server dev',
      'npm --prefix server run dev',
      'pnpm -C server dev',
      'pnpm --dir=server dev',
      'cd ./a/../server && npm run dev',
    ].map((c) => {
      const a = first(c);
      return [a.tool, a.delegateTo, a.cwd];
    }),
    Array(6).fill(['delegate', 'dev', 'server']),
  );
  assert.equal(first('yarn dev').cwd, undefined);
  // Inside concurrently's strings, and a server started directly in another folder (not this package's process).
  assert.deepEqual(
    analyzeCommand('concurrently "cd server && yarn dev" "cd web && npm run dev"').map((a) => [a.delegateTo, a.cwd]),
    [
      ['dev', 'server'],
      ['dev', 'web'],
    ],
  );
  assert.equal(first('cd apps/web && next dev').cwd, 'apps/web');
  assert.equal(analyzeCommand('cd $APP_DIR && yarn dev').length, 0, 'a folder decided at run time: nothing after it is attributed');
  const ws = makeWorkspace({
    'package.json': JSON.stringify({
      name: 'root',
      scripts: {
        dev: 'npx concurrently "yarn dev:server" "yarn dev:frontend" "yarn dev:collector"',
        'dev:server': 'cd server && yarn dev',
        'dev:frontend': 'yarn --cwd frontend dev',
        'dev:collector': 'npm --prefix collector run dev',
      },
    }),
    'server/package.json': pkg('server', { dev: 'PORT=3001 node index.js' }, { express: '4.19.0' }),
    'server/index.js': "const app = require('express')();\napp.listen(process.env.PORT || 3001);\n",
    'frontend/package.json': pkg('frontend', { dev: 'vite --port 3000 --strictPort' }, { vite: '5.0.0' }),
    'collector/package.json': pkg('collector', { dev: 'node index.js' }, { express: '4.19.0' }),
    'collector/index.js': "const app = require('express')();\napp.listen(3001);\n",
  });
  const { engine, findings } = await audit(ws);
  const runs = engine.index.runs();
  assert.equal(runs.sets.length, 1, JSON.stringify(runs.sets));
  assert.deepEqual(runs.sets[0].processes.map((p) => p.split('\0')[0]).sort(), ['collector', 'frontend', 'server']);
  // server and collector both listen on 3001 and one script starts them together.
  const pc = byRule(findings, 'port-collision');
  assert.equal(pc.length, 2, pc.map((f) => f.message).join('\n'));
  assert.match(pc[0].message, /Port 3001/);
  assert.match(pc[0].related![0].message, /started together by script "dev"/);
  // The root's own `cd server && yarn dev` is not a process of the root.
  const root = engine.apps().find((a) => a.name === 'root');
  assert.deepEqual([root?.listeners, root?.unknownPorts], [[], []]);
});

test('Playwright webServer: the servers one config starts run together, and are compared only with each other', async () => {
  const parsed = parsePlaywrightWebServers(
    "import { defineConfig } from '@playwright/test';\nexport default defineConfig({\n  webServer: [\n    { command: 'npm run dev:web', url: 'http://localhost:3000', reuseExistingServer: !process.env.CI },\n    { command: 'npm start --workspace=packages/api', port: 8081, env: { NODE_ENV: 'test' } },\n  ],\n});\n",
    'playwright.config.ts',
  );
  assert.deepEqual(
    parsed?.servers.map((s) => [s.command, s.port, s.envKeys]),
    [
      ['npm run dev:web', 3000, []],
      ['npm start --workspace=packages/api', 8081, ['NODE_ENV']],
    ],
  );
  assert.equal(parsePlaywrightWebServers("export default { webServer: process.env.CI ? { command: 'a' } : undefined };", 'playwright.config.ts'), undefined);
  assert.equal(parsePlaywrightWebServers('export default { webServer: { command: cmd } };', 'playwright.config.ts'), undefined);
  // `export { config as default }` is the default export too.
  assert.deepEqual(
    parsePlaywrightWebServers(
      "const config = { webServer: { command: 'pnpm dev', port: 5173 } };\nexport { config as default };\n",
      'playwright.config.ts',
    )?.servers.map((s) => s.port),
    [5173],
  );

  const ws = makeWorkspace({
    'package.json': JSON.stringify({ name: 'root', workspaces: ['packages/*'], scripts: { 'dev:web': 'npm run dev --workspace=packages/web' } }),
    'playwright.config.ts':
      "import { defineConfig } from '@playwright/test';\nexport default defineConfig({\n  webServer: [\n    { command: 'npm run dev:web', url: 'http://localhost:4000' },\n    { command: 'npm run e2e --workspace=packages/mock', url: 'http://localhost:4000/ping' },\n  ],\n});\n",
    'packages/web/package.json': pkg('web', { dev: 'vite --port 4000 --strictPort' }, { vite: '5.0.0' }),
    // Only the tests start the mock server: it meets the web app through the config, nothing else.
    'packages/mock/package.json': pkg('mock', { e2e: 'node server.js' }, { express: '4.19.0' }),
    'packages/mock/server.js': "const app = require('express')();\napp.listen(4000);\n",
    // A dev server of another app on 4000, never started with the tests: not compared with the mock.
    'packages/other/package.json': pkg('other', { dev: 'node server.js' }, { express: '4.19.0' }),
    'packages/other/server.js': "const app = require('express')();\napp.listen(4000);\n",
  });
  const { engine, findings } = await audit(ws);
  const runs = engine.index.runs();
  const harness = runs.sets.filter((s) => s.harness);
  assert.equal(harness.length, 1, JSON.stringify(runs.sets));
  assert.deepEqual(harness[0].processes.map((p) => p.split('\0')[0]).sort(), ['packages/mock', 'packages/web']);
  assert.match(harness[0].label, /webServer of .*playwright\.config\.ts \(Playwright, waits for 4000\)/);
  assert.ok(runs.harnessOnly?.has('packages/mock\0e2e'));
  const pc = byRule(findings, 'port-collision');
  const about = (id: string) => pc.filter((f) => f.location.file.includes(`${id}/`));
  assert.equal(about('packages/mock').length, 1, pc.map((f) => f.message).join('\n'));
  assert.match(about('packages/mock')[0].message, /Port 4000 of .*mock.* is also the port of .*web/);
  assert.match(about('packages/mock')[0].related![0].message, /started together by webServer of/);
  assert.ok(!about('packages/mock')[0].message.includes('other'), "the harness is not compared with other apps' dev servers");
});
