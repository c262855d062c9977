/**
 * Service URLs in env files only docker compose containers read (`env_file:`): compared within one compose
 * deployment, after layering, and never as host configuration. These tests edit the files that decide it (the env
 * layers, the compose file, a script that loads the file on the host) and check that the editor's incrementally
 * updated findings say what a fresh audit says.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../src/engine';
import type { Finding } from '../src/model/types';
import { byRule, makeWorkspace, pkg } from './helpers/workspace';

const RULES = ['inconsistent-service-url', 'dangling-service-url'];

function shown(ws: string, findings: Finding[]): string[] {
  return findings
    .filter((f) => RULES.includes(f.ruleId))
    .map((f) => `${f.ruleId} ${path.relative(ws, f.location.file).split(path.sep).join('/')}:${f.location.range.start.line + 1} ${f.message}`)
    .sort();
}

/** Writes `text` to `rel` (on disk and as the editor's overlay) and checks the engine against a fresh audit; returns the findings. */
async function edit(engine: Engine, ws: string, rel: string, text: string): Promise<string[]> {
  const file = path.join(ws, rel);
  fs.writeFileSync(file, text);
  engine.setOverlay(file, text);
  const fresh = await Engine.create({ roots: [ws] });
  const now = shown(ws, engine.findings());
  assert.deepEqual(now, shown(ws, fresh.findings()), `after editing ${rel}: incremental findings equal a fresh audit`);
  return now;
}

const DEPLOY = {
  'package.json': pkg('shopfront', {}, { 'left-pad': '1.3.0' }),
  'deploy/common.env': 'ORDERS_SERVICE_URL=http://localhost:4000\n',
  'deploy/split.env': 'ORDERS_SERVICE_URL=http://orders:4000\n',
  'deploy/docker-compose.yml': 'services:\n  shop:\n    image: example/shop:1.0\n    env_file: [common.env]\n',
  'deploy/docker-compose-split.yml':
    'services:\n  orders:\n    image: example/orders:1.0\n    env_file: [common.env, split.env]\n  web:\n    image: example/web:1.0\n    env_file: [common.env, split.env]\n',
};

test('layered env_file lists and alternative compose files: silent; a script that loads the file on the host makes it host configuration again', async () => {
  const ws = makeWorkspace(DEPLOY);
  try {
    const engine = await Engine.create({ roots: [ws] });
    assert.deepEqual(shown(ws, engine.findings()), [], 'each container gets one value: nothing to compare, localhost is the container');
    // The root package now loads common.env on the host: its localhost URL is this machine's, and dangles.
    const after = await edit(
      engine,
      ws,
      'package.json',
      pkg('shopfront', { start: 'dotenv -e deploy/common.env -- node server.js' }, { 'dotenv-cli': '7.4.2' }),
    );
    assert.ok(
      after.some((f) => f.startsWith('dangling-service-url deploy/common.env:1')),
      `common.env is host configuration once a script loads it: ${after.join('\n')}`,
    );
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('containers of one deployment that disagree: reported; an environment: override in the compose file or a fixed layer clears it', async () => {
  const ws = makeWorkspace({
    'package.json': pkg('shopfront', {}, { 'left-pad': '1.3.0' }),
    'deploy/app.env': 'ORDERS_SERVICE_URL=http://orders:4000\n',
    'deploy/worker.env': 'ORDERS_SERVICE_URL=http://orders:4001\n',
    'deploy/docker-compose.yml':
      'services:\n  web:\n    image: example/web:1.0\n    env_file: app.env\n  worker:\n    image: example/worker:1.0\n    env_file: worker.env\n',
  });
  try {
    const engine = await Engine.create({ roots: [ws] });
    const before = byRule(engine.findings(), 'inconsistent-service-url').map((f) => f.message);
    assert.equal(before.length, 2, before.join('\n'));
    assert.match(before[0], /differs between the containers of docker-compose\.yml: http:\/\/orders:4000 and http:\/\/orders:4001\./);
    // `environment:` wins over every env_file: worker.env's value no longer reaches the worker.
    const overridden = await edit(
      engine,
      ws,
      'deploy/docker-compose.yml',
      'services:\n  web:\n    image: example/web:1.0\n    env_file: app.env\n  worker:\n    image: example/worker:1.0\n    env_file: worker.env\n    environment:\n      ORDERS_SERVICE_URL: http://orders:4000\n',
    );
    assert.deepEqual(overridden, []);
    // Back to the env file alone, then the layer fixed.
    await edit(
      engine,
      ws,
      'deploy/docker-compose.yml',
      'services:\n  web:\n    image: example/web:1.0\n    env_file: app.env\n  worker:\n    image: example/worker:1.0\n    env_file: [app.env, worker.env]\n',
    );
    assert.deepEqual(await edit(engine, ws, 'deploy/worker.env', 'ORDERS_SERVICE_URL=http://orders:4000\n'), []);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
