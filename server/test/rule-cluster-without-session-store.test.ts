import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyEdits, audit, byRule, lineOf, makeWorkspace, pkg } from './helpers/workspace';
import { fixThroughProtocol } from './helpers/protocol-fix';
import { read, REPO_ROOT } from './helpers/files';

const RULE = 'cluster-without-session-store';
const EXPRESS = { express: '4.21.1', 'express-session': '1.18.1' };

function ecosystem(name: string, instances: string, extra = ''): string {
  return `module.exports = {\n  apps: [\n    {\n      name: '${name}',\n      script: 'server.js',\n      instances: ${instances},\n      exec_mode: 'cluster',${extra}\n    },\n  ],\n};\n`;
}

function expressApp(sessionOptions: string, prefix = ''): string {
  return `${prefix}const express = require('express');\nconst session = require('express-session');\nconst app = express();\napp.use(session(${sessionOptions}));\napp.listen(4200);\n`;
}

test('cluster-without-session-store: helpdesk-api runs on every core with express-session and no store', async () => {
  const ws = path.join(REPO_ROOT, 'test-workspace');
  const found = byRule((await audit(ws)).findings, RULE);
  const eco = path.join(ws, 'helpdesk/api/ecosystem.config.js');
  const server = path.join(ws, 'helpdesk/api/src/server.js');
  assert.equal(found.length, 1);
  const f = found[0];
  assert.equal(f.severity, 'warning');
  assert.equal(f.location.file, eco);
  assert.equal(f.location.range.start.line, lineOf(eco, "instances: 'max'"));
  assert.equal(f.message, `PM2 runs helpdesk-api as several processes (instances: "max"), but helpdesk-api keeps its sessions in one process's memory.`);
  assert.match(f.related[0].message, /express-session without a store/);
  assert.deepEqual(
    f.related.map((r) => [r.location.file, r.location.range.start.line]),
    [[server, lineOf(server, 'session({')]],
  );
  assert.equal(f.fixes[0].title, 'Run a single instance of helpdesk-api');
});

test('cluster-without-session-store: it-assets-manager (iron-session) on "max" instances is fine', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-cluster-'));
  try {
    fs.cpSync(path.join(REPO_ROOT, 'test-workspace/it-assets-manager'), path.join(dir, 'it-assets-manager'), { recursive: true });
    const eco = path.join(dir, 'it-assets-manager/ecosystem.config.js');
    fs.writeFileSync(eco, read(eco).replace('instances: 1, //', "instances: 'max', //").replace("exec_mode: 'fork'", "exec_mode: 'cluster'"));
    assert.match(read(eco), /instances: 'max'/);
    const { engine, findings } = await audit(dir);
    const app = engine.apps().find((a) => a.name === 'it-assets-manager')!;
    assert.equal(app.pm2[0].apps[0].instances, 'max');
    assert.deepEqual(byRule(findings, RULE), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('cluster-without-session-store: memory maps and MemoryStore fire; stores, cookie sessions, NextAuth JWT and one instance do not', async () => {
  const ws = makeWorkspace({
    'map/package.json': pkg('map', { start: 'node server.js' }, { express: '4.21.1' }),
    'map/server.js':
      "const express = require('express');\nconst sessions = new Map();\nconst app = express();\napp.use((req, res, next) => { req.user = sessions.get(req.get('x-session')); next(); });\napp.listen(4201);\n",
    'map/ecosystem.config.js': ecosystem('map', '4'),
    'memstore/package.json': pkg('memstore', { start: 'node server.js' }, { ...EXPRESS, memorystore: '1.6.7' }),
    'memstore/server.js': expressApp(
      '{ secret: process.env.SESSION_SECRET, store: new MemoryStore({ checkPeriod: 86400000 }) }',
      "const MemoryStore = require('memorystore')(require('express-session'));\n",
    ),
    'memstore/ecosystem.config.js': ecosystem('memstore', '-1'),
    'redis/package.json': pkg('redis', { start: 'node server.js' }, { ...EXPRESS, 'connect-redis': '7.1.1' }),
    'redis/server.js': expressApp('{ secret: process.env.SESSION_SECRET, store: new RedisStore({ client: redisClient }) }'),
    'redis/ecosystem.config.js': ecosystem('redis', "'max'"),
    'cookie/package.json': pkg('cookie', { start: 'node server.js' }, { express: '4.21.1', 'cookie-session': '2.1.0' }),
    'cookie/server.js':
      "const express = require('express');\nconst cookieSession = require('cookie-session');\nconst app = express();\napp.use(cookieSession({ name: 'session', keys: [process.env.SESSION_KEY] }));\napp.listen(4202);\n",
    'cookie/ecosystem.config.js': ecosystem('cookie', "'max'"),
    'nextauth/package.json': pkg('nextauth', { start: 'next start -p 3200' }, { next: '14.2.18', 'next-auth': '^4.24.10' }),
    'nextauth/lib/auth.ts':
      "import type { NextAuthOptions } from 'next-auth';\nexport const authOptions: NextAuthOptions = { providers: [], session: { strategy: 'jwt' } };\n",
    'nextauth/ecosystem.config.js': ecosystem('nextauth', "'max'"),
    'single/package.json': pkg('single', { start: 'node server.js' }, EXPRESS),
    'single/server.js': expressApp('{ secret: process.env.SESSION_SECRET }'),
    'single/ecosystem.config.js': ecosystem('single', '1'),
  });
  try {
    const found = byRule((await audit(ws)).findings, RULE);
    assert.deepEqual(found.map((f) => path.relative(ws, f.location.file)).sort(), [
      path.join('map', 'ecosystem.config.js'),
      path.join('memstore', 'ecosystem.config.js'),
    ]);
    const map = found.find((f) => f.location.file.includes(`${path.sep}map${path.sep}`))!;
    assert.match(map.message, /as several processes \(instances: 4\)/);
    assert.match(map.related[0].message, /a module-level session map/);
    const mem = found.find((f) => f.location.file.includes('memstore'))!;
    assert.match(mem.message, /as several processes \(instances: -1\)/);
    assert.match(mem.related[0].message, /in-memory session store/);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('cluster-without-session-store: an ecosystem file that starts another folder (cwd) is checked against that app; the fix runs one instance', async () => {
  const ws = makeWorkspace({
    'ops/package.json': pkg('ops', { deploy: 'pm2 startOrReload ecosystem.config.js' }),
    'ops/ecosystem.config.js':
      "module.exports = {\n  apps: [\n    { name: 'api', cwd: '../api', script: 'server.js', instances: \"max\" },\n    { name: 'worker', cwd: '../worker', script: 'worker.js', instances: 2 },\n  ],\n};\n",
    'api/package.json': pkg('api', { start: 'node server.js' }, EXPRESS),
    'api/server.js': expressApp('{ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }'),
    'worker/package.json': pkg('worker', { start: 'node worker.js' }, {}),
    'worker/worker.js': "setInterval(() => console.log('tick'), 1000);\n",
  });
  try {
    const eco = path.join(ws, 'ops/ecosystem.config.js');
    const found = byRule((await audit(ws)).findings, RULE);
    assert.equal(found.length, 1);
    assert.equal(found[0].location.range.start.line, lineOf(eco, "name: 'api'"));
    assert.equal(found[0].appId, 'api');
    applyEdits(found[0].fixes[0].edits());
    assert.match(read(eco), /\{ name: 'api', cwd: '\.\.\/api', script: 'server\.js', instances: 1 \}/);
    assert.deepEqual(byRule((await audit(ws)).findings, RULE), []);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('cluster-without-session-store: the fix through the language server', { timeout: 60_000 }, async () => {
  const ws = makeWorkspace({
    'api/package.json': pkg('api', { start: 'node server.js' }, EXPRESS),
    'api/server.js': expressApp('{ secret: process.env.SESSION_SECRET }'),
    'api/ecosystem.config.js': ecosystem('api', "'max'"),
  });
  const file = path.join(ws, 'api/ecosystem.config.js');
  const { client, edited } = await fixThroughProtocol({
    folder: ws,
    file,
    rule: RULE,
    line: lineOf(file, 'instances:'),
    title: 'Run a single instance of api',
  });
  try {
    assert.deepEqual(edited, [file]);
    assert.match(read(file), /^ {6}instances: 1,$/m);
  } finally {
    client.kill();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
