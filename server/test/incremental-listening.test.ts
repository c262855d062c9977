/**
 * What listens where (facts/listening.ts) is updated app by app over edits, as are the listeners and the places
 * naming each port of the systems (facts/systems.ts) and the apps whose env files name each port (facts/compose-model.ts): an edit that moves a server to another port, onto a port
 * another server binds, or off it again, must leave the findings of dangling-service-url and misdirected-service-url
 * equal to those of a fresh engine, and name the port that holds now. Fact checking is off, as for users: with it
 * on, per-app memos are off and every computation is a rebuild.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../src/engine';
import type { Finding } from '../src/model/types';
import { byRule, makeWorkspace, pkg } from './helpers/workspace';
import { setChecking } from '../src/facts/track';

function snapshot(findings: Finding[]): string[] {
  return findings.map(
    (f) =>
      `${f.ruleId}|${f.severity}|${f.location.file}:${f.location.range.start.line}|${f.message}|` +
      f.related.map((r) => `${r.location.file}:${r.location.range.start.line}:${r.message}`).join(','),
  );
}

const NEST_MAIN =
  "import { NestFactory } from '@nestjs/core';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  await app.listen(process.env.PORT);\n}\nbootstrap();\n";
const NEST_MODULE =
  "import { ConfigModule } from '@nestjs/config';\n@Module({ imports: [ConfigModule.forRoot({ isGlobal: true })] })\nexport class AppModule {}\n";

function nestApp(name: string, port: number): Record<string, string> {
  return {
    [`${name}/package.json`]: pkg(name, { start: 'nest start' }, { '@nestjs/core': '10.0.0', '@nestjs/config': '3.0.0' }),
    [`${name}/.env`]: `PORT=${port}\n`,
    [`${name}/src/app.module.ts`]: NEST_MODULE,
    [`${name}/src/main.ts`]: NEST_MAIN,
  };
}

test('servers moving between ports: the URLs left dangling and those bound again follow each edit (fact checking off)', async () => {
  const was = setChecking(false);
  const ws = makeWorkspace({
    ...nestApp('billing', 4000),
    ...nestApp('ledger', 4200),
    'web/package.json': pkg('web', { dev: 'vite' }, { vite: '5.0.0' }),
    'web/.env': 'VITE_BILLING_API_URL=http://localhost:4000\nVITE_LEDGER_API_URL=http://localhost:4100\n',
    // shop's billing URL points at ledger's port (misdirected-service-url while ledger is there, dangling once it leaves).
    'shop/package.json': pkg('shop', { dev: 'vite' }, { vite: '5.0.0' }),
    'shop/.env': 'BILLING_SERVICE_URL=http://localhost:4200\n',
  });
  try {
    const engine = await Engine.create({ roots: [ws] });
    const dangling = () =>
      byRule(engine.findings(), 'dangling-service-url')
        .map((f) => /^(\w+) points at \S+, but nothing in the workspace listens on port (\d+)/.exec(f.message)?.slice(1, 3).join(' '))
        .sort();
    assert.deepEqual(dangling(), ['VITE_LEDGER_API_URL 4100'], 'at first only the ledger URL names a port nothing binds');
    assert.equal(byRule(engine.findings(), 'misdirected-service-url').length, 1, "shop's billing URL points at ledger");
    const steps: [string, string, string[]][] = [
      // ledger moves between two ports web does not name: web's URL stays dangling, its message names the new port;
      // shop's URL, which pointed at ledger, names nothing any more.
      ['ledger', 'PORT=4300\n', ['BILLING_SERVICE_URL 4200', 'VITE_LEDGER_API_URL 4100']],
      ['ledger', 'PORT=4200\n', ['VITE_LEDGER_API_URL 4100']],
      // billing leaves the port web names.
      ['billing', 'PORT=4001\n', ['VITE_BILLING_API_URL 4000', 'VITE_LEDGER_API_URL 4100']],
      // ledger moves to the port web names for it.
      ['ledger', 'PORT=4100\n', ['BILLING_SERVICE_URL 4200', 'VITE_BILLING_API_URL 4000']],
      // ledger moves onto the port billing left: two servers in turn on one port, then one.
      ['ledger', 'PORT=4000\n', ['BILLING_SERVICE_URL 4200', 'VITE_LEDGER_API_URL 4100']],
      ['billing', 'PORT=4000\n', ['BILLING_SERVICE_URL 4200', 'VITE_LEDGER_API_URL 4100']],
      ['ledger', 'PORT=4100\n', ['BILLING_SERVICE_URL 4200']],
      ['billing', 'PORT=4300\n', ['BILLING_SERVICE_URL 4200', 'VITE_BILLING_API_URL 4000']],
      // billing moves to where shop's URL points.
      ['billing', 'PORT=4200\n', ['VITE_BILLING_API_URL 4000']],
    ];
    for (const [app, text, expected] of steps) {
      const file = path.join(ws, app, '.env');
      fs.writeFileSync(file, text);
      engine.setOverlay(file, text);
      engine.takeChangedFiles();
      assert.deepEqual(dangling(), expected, `after ${app}/.env: ${text.trim()}`);
      const ledger = byRule(engine.findings(), 'dangling-service-url').find((f) => f.message.includes('VITE_LEDGER_API_URL'));
      if (ledger && app === 'ledger')
        assert.match(ledger.message, new RegExp(`\\(ledger listens on ${text.match(/\d+/)![0]}\\)`), 'the message names where ledger listens now');
      const fresh = await Engine.create({ roots: [ws] });
      assert.deepEqual(snapshot(engine.findings()), snapshot(fresh.findings()), `after ${app}/.env: ${text.trim()}`);
    }
  } finally {
    setChecking(was);
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test("a compose service's users by the ports their env files name follow edits of those ports (fact checking off)", async () => {
  // infra publishes 4000, where api listens: api's own PORT=4000 makes it a user of the project (compose-port-collision).
  const was = setChecking(false);
  const ws = makeWorkspace({
    'infra/docker-compose.yml': 'services:\n  cache:\n    image: redis:7\n    ports:\n      - "4000:6379"\n',
    ...nestApp('api', 4000),
    'worker/package.json': pkg('worker', { dev: 'vite' }, { vite: '5.0.0' }),
    'worker/.env': 'VITE_API_URL=http://localhost:4000\n',
  });
  try {
    const engine = await Engine.create({ roots: [ws] });
    const why = () =>
      byRule(engine.findings(), 'compose-port-collision').map(
        (f) => (/\((api uses project infra|project infra is used by an app)/.exec(f.related[0].message) ?? [])[1],
      );
    assert.deepEqual(why(), ['api uses project infra']);
    const steps: [string, string, string, (string | undefined)[]][] = [
      ['api', '.env', 'PORT=4001\n', []],
      ['api', '.env', 'PORT=4000\n', ['api uses project infra']],
      ['worker', '.env', 'VITE_API_URL=http://localhost:4002\n', ['api uses project infra']],
      ['api', '.env', 'PORT=4003\n', []],
      ['worker', '.env', 'VITE_API_URL=http://localhost:4000\n', []],
      ['api', '.env', 'PORT=4000\n', ['api uses project infra']],
    ];
    for (const [app, name, text, expected] of steps) {
      const file = path.join(ws, app, name);
      fs.writeFileSync(file, text);
      engine.setOverlay(file, text);
      engine.takeChangedFiles();
      assert.deepEqual(why(), expected, `after ${app}/${name}: ${text.trim()}`);
      const fresh = await Engine.create({ roots: [ws] });
      assert.deepEqual(snapshot(engine.findings()), snapshot(fresh.findings()), `after ${app}/${name}: ${text.trim()}`);
    }
  } finally {
    setChecking(was);
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
