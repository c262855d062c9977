import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyEdits, audit, byRule, lineOf, makeWorkspace, pkg } from './helpers/workspace';
import { fixThroughProtocol } from './helpers/protocol-fix';
import { read, REPO_ROOT } from './helpers/files';

const RULE = 'cors-origin-mismatch';
const VITE = { react: '18.3.1', vite: '5.4.11' };
const API = { express: '4.21.1', cors: '2.8.5', dotenv: '16.4.5' };

/** An Express API that loads .env and reads its CORS origin with `origin` written as given. */
function api(origin: string, credentials = true): string {
  return `require('dotenv').config();\nconst express = require('express');\nconst cors = require('cors');\nconst app = express();\napp.use(\n  cors({\n    origin: ${origin},\n    credentials: ${credentials},\n  }),\n);\napp.listen(process.env.PORT || 4000);\n`;
}

function viteApp(name: string, port: number, apiUrl: string): Record<string, string> {
  return {
    [`${name}/package.json`]: pkg(name, { dev: 'vite', preview: 'vite preview' }, VITE),
    [`${name}/vite.config.ts`]: `import { defineConfig } from 'vite';\nexport default defineConfig({ server: { port: ${port}, strictPort: true }, preview: { port: ${port + 1000}, strictPort: true } });\n`,
    [`${name}/.env`]: `VITE_API_URL=${apiUrl}\n`,
  };
}

test('cors-origin-mismatch: test-workspace — helpdesk-web runs on 5174 but helpdesk-api allows 5173; insight-garden matches', async () => {
  const ws = path.join(REPO_ROOT, 'test-workspace');
  const found = byRule((await audit(ws)).findings, RULE);
  const env = path.join(ws, 'helpdesk/api/.env');
  assert.equal(found.length, 1, found.map((f) => f.message).join('\n'));
  const f = found[0];
  assert.equal(f.severity, 'warning');
  assert.equal(f.location.file, env);
  assert.equal(f.location.range.start.line, lineOf(env, 'CORS_ORIGIN='));
  assert.equal(f.message, 'The CORS origin of helpdesk-api does not allow http://localhost:5174, where helpdesk-web runs and calls it.');
  assert.match(f.related[0].message, /VITE_API_URL=http:\/\/localhost:4000 in helpdesk-web points at helpdesk-api/);
  const rel = f.related.map((r) => path.relative(ws, r.location.file));
  assert.deepEqual(rel, ['helpdesk/web/.env', 'helpdesk/web/vite.config.ts', 'helpdesk/api/src/server.js']);
  assert.equal(f.fixes[0].title, 'Set the CORS origin of helpdesk-api to http://localhost:5174');
  // insight-garden: CORS_ORIGIN=http://localhost:5173 is its Vite dev server (the preview server on 4173 serves the production build)
  assert.ok(!found.some((x) => x.location.file.includes('insight-garden')));
});

test('cors-origin-mismatch: the fix on a copy of test-workspace sets CORS_ORIGIN and clears the finding', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-cors-'));
  try {
    fs.cpSync(path.join(REPO_ROOT, 'test-workspace'), dir, { recursive: true });
    const env = path.join(dir, 'helpdesk/api/.env');
    const [f] = byRule((await audit(dir)).findings, RULE);
    applyEdits(f.fixes[0].edits());
    assert.match(read(env), /^CORS_ORIGIN=http:\/\/localhost:5174$/m);
    assert.deepEqual(byRule((await audit(dir)).findings, RULE), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('cors-origin-mismatch: * with credentials, unset env var, literal origins, trailing slash; * without credentials and origin: true are fine', async () => {
  const ws = makeWorkspace({
    // `*` with credentials
    'star-api/package.json': pkg('star-api', { start: 'node server.js' }, API),
    'star-api/.env': 'PORT=4301\nCORS_ORIGIN=*\n',
    'star-api/server.js': api('process.env.CORS_ORIGIN'),
    ...viteApp('star-web', 5301, 'http://localhost:4301'),
    // the variable is read but set nowhere
    'unset-api/package.json': pkg('unset-api', { start: 'node server.js' }, API),
    'unset-api/.env': 'PORT=4302\n',
    'unset-api/server.js': api('process.env.CORS_ORIGIN'),
    ...viteApp('unset-web', 5302, 'http://127.0.0.1:4302'),
    // a literal in code, still CRA's port
    'literal-api/package.json': pkg('literal-api', { start: 'node server.js' }, API),
    'literal-api/.env': 'PORT=4303\n',
    'literal-api/server.js': api("'http://localhost:3000'"),
    ...viteApp('literal-web', 5303, 'http://localhost:4303/api'),
    // a trailing slash
    'slash-api/package.json': pkg('slash-api', { start: 'node server.js' }, API),
    'slash-api/.env': 'PORT=4304\nCORS_ORIGIN=http://localhost:5304/\n',
    'slash-api/server.js': api('process.env.CORS_ORIGIN'),
    ...viteApp('slash-web', 5304, 'http://localhost:4304'),
    // `*` without credentials, and origin: true (reflects the Origin): both allow the frontend
    'open-api/package.json': pkg('open-api', { start: 'node server.js' }, API),
    'open-api/.env': 'PORT=4305\nCORS_ORIGIN=*\n',
    'open-api/server.js': api('process.env.CORS_ORIGIN', false),
    ...viteApp('open-web', 5305, 'http://localhost:4305'),
    'reflect-api/package.json': pkg('reflect-api', { start: 'node server.js' }, API),
    'reflect-api/.env': 'PORT=4306\n',
    'reflect-api/server.js': api('true'),
    ...viteApp('reflect-web', 5306, 'http://localhost:4306'),
    // no CORS at all: not this rule's business
    'plain-api/package.json': pkg('plain-api', { start: 'node server.js' }, { express: '4.21.1', dotenv: '16.4.5' }),
    'plain-api/.env': 'PORT=4307\n',
    'plain-api/server.js': "require('dotenv').config();\nconst express = require('express');\nexpress().listen(process.env.PORT);\n",
    ...viteApp('plain-web', 5307, 'http://localhost:4307'),
    // an API URL nobody in the workspace listens on
    ...viteApp('lonely-web', 5308, 'http://localhost:4999'),
  });
  try {
    const found = byRule((await audit(ws)).findings, RULE);
    const at = (rel: string, needle: string) => {
      const file = path.join(ws, rel);
      const f = found.find((x) => x.location.file === file && x.location.range.start.line === lineOf(file, needle));
      assert.ok(
        f,
        `${RULE} at ${rel} "${needle}"; got ${found.map((x) => `${path.relative(ws, x.location.file)}:${x.location.range.start.line + 1}`).join(', ')}`,
      );
      return f;
    };
    assert.match(at('star-api/.env', 'CORS_ORIGIN=*').message, /is `\*` with credentials, which browsers reject for star-web at http:\/\/localhost:5301/);
    const unset = at('unset-api/server.js', 'origin: process.env.CORS_ORIGIN');
    assert.match(unset.message, /leaves its CORS origin CORS_ORIGIN unset, so `\*` with credentials blocks/);
    const literal = at('literal-api/server.js', "origin: 'http://localhost:3000'");
    assert.match(literal.message, /does not allow http:\/\/localhost:5303/);
    assert.match(at('slash-api/.env', 'CORS_ORIGIN=').message, /\(the allowed origin ends with a slash\)/);
    assert.equal(found.length, 4);

    applyEdits([...found.flatMap((f) => f.fixes[0].edits())]);
    assert.match(read(path.join(ws, 'star-api/.env')), /^CORS_ORIGIN=http:\/\/localhost:5301$/m);
    assert.equal(read(path.join(ws, 'unset-api/.env')), 'PORT=4302\nCORS_ORIGIN=http://localhost:5302\n');
    assert.match(read(path.join(ws, 'literal-api/server.js')), /origin: 'http:\/\/localhost:5303',/);
    assert.match(read(path.join(ws, 'slash-api/.env')), /^CORS_ORIGIN=http:\/\/localhost:5304$/m);
    assert.deepEqual(byRule((await audit(ws)).findings, RULE), []);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('cors-origin-mismatch: a split list gets the missing origin appended; a Next.js frontend is compared by its dev server', async () => {
  const ws = makeWorkspace({
    'api/package.json': pkg('api', { start: 'node server.js' }, API),
    'api/.env': 'PORT=4400\nCORS_ORIGINS=http://localhost:5400,http://localhost:5173\n',
    'api/server.js': api("process.env.CORS_ORIGINS?.split(',').map((o) => o.trim())"),
    ...viteApp('admin', 5400, 'http://localhost:4400'),
    'shop/package.json': pkg('shop', { dev: 'next dev -p 3400', start: 'next start -p 3400' }, { next: '14.2.18', react: '18.3.1' }),
    'shop/.env.local': 'NEXT_PUBLIC_API_URL=http://localhost:4400\n',
  });
  try {
    const env = path.join(ws, 'api/.env');
    const found = byRule((await audit(ws)).findings, RULE);
    assert.equal(found.length, 1);
    assert.match(found[0].message, /The CORS origin of api does not allow http:\/\/localhost:3400, where shop runs and calls it/);
    assert.equal(found[0].fixes[0].title, 'Add http://localhost:3400 to the CORS origins of api');
    applyEdits(found[0].fixes[0].edits());
    // the origins already listed are kept
    assert.match(read(env), /^CORS_ORIGINS=http:\/\/localhost:5400,http:\/\/localhost:5173,http:\/\/localhost:3400$/m);
    assert.deepEqual(byRule((await audit(ws)).findings, RULE), []);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('cors-origin-mismatch: the fix through the language server', { timeout: 60_000 }, async () => {
  const ws = makeWorkspace({
    'api/package.json': pkg('api', { start: 'node server.js' }, API),
    'api/.env': 'PORT=4500\nCORS_ORIGIN=http://localhost:3000\n',
    'api/server.js': api('process.env.CORS_ORIGIN'),
    ...viteApp('web', 5500, 'http://localhost:4500'),
  });
  const file = path.join(ws, 'api/.env');
  const { client, edited } = await fixThroughProtocol({ folder: ws, file, rule: RULE, line: 1, title: 'Set the CORS origin of api to http://localhost:5500' });
  try {
    assert.deepEqual(edited, [file]);
    assert.equal(read(file), 'PORT=4500\nCORS_ORIGIN=http://localhost:5500\n');
  } finally {
    client.kill();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
