/**
 * Editing the workspace's configuration files in the editor takes effect without a restart, over the real
 * protocol: `postgresql.conf` (max_connections), a PM2 `ecosystem.json` (instances) and `crosswire.config.json`
 * (a rule turned off), each through an open document's unsaved text (didChange, then didClose back to the
 * disk) and through a saved file (didChangeWatchedFiles, which the editor sends only for the watched globs);
 * and a Prisma schema typed after indexing, which Prisma's validator still judges.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileGlobs } from '../src/parsers/glob';
import { FileChange, LspClient } from './helpers/lsp-client';
import { makeWorkspace, pkg } from './helpers/workspace';

const PRISMA5 = { '@prisma/client': '5.22.0', prisma: '5.22.0', express: '4.21.1', dotenv: '16.4.5' };
const PG_CONF = (max: number) => `# tuned for the small VM\nport = 5432\nmax_connections = ${max}\n`;
const ECOSYSTEM = (instances: number) => JSON.stringify({ apps: [{ name: 'api', script: 'server.js', instances, exec_mode: 'cluster' }] }, null, 2) + '\n';
const OFF = JSON.stringify({ rules: { 'connection-budget': 'off' } }, null, 2) + '\n';

describe('configuration files edited in the editor take effect without a restart', () => {
  let client: LspClient;
  let ws: string;
  const file = (rel: string) => path.join(ws, rel);
  /** connection-budget diagnostics on api/.env: pool 10 (connection_limit=10) × the PM2 instances, against max_connections − 3. */
  const budget = () => client.diagnosticsOf(file('api/.env')).filter((d) => d.code === 'connection-budget');
  const expectBudget = async (n: number, what: string) => {
    await client.waitForDiagnostics(() => budget().length === n, 20_000, `${n} connection-budget finding(s) ${what}`);
  };
  /** Writes a file on disk and tells the server, as an editor does on save. */
  const save = async (rel: string, text: string) => {
    fs.writeFileSync(file(rel), text);
    await client.didChangeWatchedFiles([{ file: file(rel), type: FileChange.Changed }]);
  };

  before(async () => {
    ws = fs.realpathSync(
      makeWorkspace({
        'api/package.json': pkg('api', { start: 'node server.js' }, PRISMA5),
        'api/prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
        'api/.env': 'DATABASE_URL="postgresql://a:a@localhost:5432/api?connection_limit=10"\n',
        'api/ecosystem.json': ECOSYSTEM(1),
        'db/postgresql.conf': PG_CONF(100),
        'crosswire.config.json': '{}\n',
      }),
    );
    client = await LspClient.start({ folders: [ws] });
    await client.waitForReady(0, 30_000);
  });
  after(() => {
    client?.kill();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  test('the server watches the three files (the editor sends save events for the watched globs only)', async () => {
    await client.waitFor('file watchers registered', () => client.registrations.some((r) => r.method === 'workspace/didChangeWatchedFiles'));
    const watch = client.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles')!;
    const globs = (watch.registerOptions as { watchers: { globPattern: string }[] }).watchers.map((w) => w.globPattern);
    const watched = compileGlobs(globs);
    for (const rel of ['db/postgresql.conf', 'api/ecosystem.json', 'crosswire.config.json']) assert.ok(watched(rel), `${rel} is watched`);
    // 1 process × 10 <= 97: nothing to say.
    assert.deepEqual(budget(), []);
  });

  test('postgresql.conf: an unsaved edit, closing it unsaved, and a saved edit', async () => {
    const conf = 'db/postgresql.conf';
    await client.didOpen(file(conf), PG_CONF(100));
    await client.didChange(file(conf), PG_CONF(10));
    await expectBudget(1, 'after max_connections = 10 is typed');
    assert.equal(budget()[0].message, 'api can open 10 connections to localhost:5432 (1 × 10, limit 7).');
    assert.ok(
      (budget()[0].relatedInformation ?? []).some(
        (r) => r.message === 'max_connections = 10 (max_connections = 10 in postgresql.conf), 3 of them reserved for superusers',
      ),
    );
    await client.didClose(file(conf));
    await expectBudget(0, 'after the unsaved edit is closed (the disk says 100)');
    await save(conf, PG_CONF(10));
    await expectBudget(1, 'after max_connections = 10 is saved');
    await save(conf, PG_CONF(100));
    await expectBudget(0, 'after max_connections = 100 is saved again');
  });

  test('a PM2 ecosystem.json: an unsaved edit, closing it unsaved, and a saved edit', async () => {
    const eco = 'api/ecosystem.json';
    await client.didOpen(file(eco), ECOSYSTEM(1), 'json');
    await client.didChange(file(eco), ECOSYSTEM(12));
    await expectBudget(1, 'after instances: 12 is typed');
    assert.match(String(budget()[0].message), /api can open 120 connections .*\(12 × 10, limit \d+\)/);
    assert.match(String((budget()[0].relatedInformation as { message: string }[] | undefined)?.[0]?.message), /12 PM2 processes × a pool of 10/);
    await client.didClose(file(eco));
    await expectBudget(0, 'after the unsaved edit is closed (the disk says 1)');
    await save(eco, ECOSYSTEM(12));
    await expectBudget(1, 'after instances: 12 is saved');
  });

  test('crosswire.config.json: an unsaved edit, closing it unsaved, and a saved edit', async () => {
    // ecosystem.json holds instances: 12 on disk (previous test): the finding is there.
    await expectBudget(1, 'with 12 instances on disk');
    const config = 'crosswire.config.json';
    await client.didOpen(file(config), '{}\n', 'json');
    await client.didChange(file(config), OFF);
    await expectBudget(0, 'after "connection-budget": "off" is typed');
    await client.didClose(file(config));
    await expectBudget(1, 'after the unsaved edit is closed (the disk turns nothing off)');
    await save(config, OFF);
    await expectBudget(0, 'after "connection-budget": "off" is saved');
    await save(config, '{}\n');
    await expectBudget(1, 'after the rule is turned on again');
  });

  test("a schema typed after indexing is still judged by Prisma's own validator", async () => {
    // The server lets the validators go once its index is built; a schema edited later loads them again.
    const schema = 'api/prisma/schema.prisma';
    const text = fs.readFileSync(file(schema), 'utf8');
    const rejected = () => client.diagnosticsOf(file(schema)).filter((d) => d.code === 'parse-error' && /rejects this schema/.test(String(d.message)));
    await client.didOpen(file(schema), text, 'prisma');
    await client.didChange(file(schema), text.replace('"postgresql"', '"postgresq"'));
    await client.waitForDiagnostics(() => rejected().length === 1, 20_000, 'the misspelt provider rejected');
    assert.match(String(rejected()[0].message), /^Prisma 6 rejects this schema: Datasource provider not known/);
    await client.didChange(file(schema), text);
    await client.waitForDiagnostics(() => rejected().length === 0, 20_000, 'the schema accepted again');
    await client.didClose(file(schema));
  });
});
