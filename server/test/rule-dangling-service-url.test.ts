import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, audit, byRule, lineOf, makeWorkspace, pkg } from './helpers/workspace';
import { quickFixOverProtocol } from './helpers/quickfix';
import { serviceWords } from '../src/facts/listening';

const PYPROJECT = (name: string) => `[project]\nname = "${name}"\nversion = "0.1.0"\n`;
const UVICORN = (port: string) => `import os\nimport uvicorn\n\nif __name__ == "__main__":\n    uvicorn.run("main:app", host="0.0.0.0", port=${port})\n`;

/** Incident c in small: auth listens on 8081, the root .env says 8001. */
function netra(extra: Record<string, string> = {}): string {
  return makeWorkspace({
    '.env': 'ENVIRONMENT=development\nAUTH_SERVICE_URL=http://127.0.0.1:8001\n',
    '.env.unified.template': 'AUTH_SERVICE_URL=http://localhost:8081\n',
    '.env.test': 'AUTH_SERVICE_URL=http://127.0.0.1:8001\n',
    '.env.production': 'AUTH_SERVICE_URL=http://localhost:9999\n',
    'auth_service/pyproject.toml': PYPROJECT('auth-service'),
    'auth_service/main.py': UVICORN('int(os.getenv("AUTH_SERVICE_PORT", "8081"))'),
    'backend/pyproject.toml': PYPROJECT('backend'),
    'backend/app/config.py': 'import os\nAUTH_SERVICE_URL = os.environ.get("AUTH_SERVICE_URL", "http://127.0.0.1:8081")\n',
    ...extra,
  });
}

test('dangling-service-url: a development URL to a port nobody listens on, with the service that does listen as related info', async () => {
  const ws = netra();
  const { findings } = await audit(ws);
  const d = byRule(findings, 'dangling-service-url');
  assert.deepEqual(
    d.map((f) => `${path.relative(ws, f.location.file)}:${f.location.range.start.line}`),
    ['.env:1'],
  );
  const f = d[0];
  assert.equal(f.severity, 'warning');
  assert.match(f.message, /http:\/\/127\.0\.0\.1:8001/);
  assert.match(f.message, /port 8001/);
  assert.match(f.message, /auth_service listens on 8081/);
  assert.ok(
    f.related.some((r) => r.location.file === path.join(ws, 'auth_service/main.py') && /8081/.test(r.message)),
    JSON.stringify(f.related),
  );
  assert.deepEqual(
    f.fixes.map((x) => x.title),
    ['Point AUTH_SERVICE_URL at port 8081 (auth_service)'],
  );
  // .env.test (test environment) and .env.production are not development sites; the template and the code default are right.
  for (const other of byRule(findings, 'dangling-service-url')) assert.equal(other.location.file, path.join(ws, '.env'));
});

test('dangling-service-url: the fix points the URL at the port the service listens on, and the finding is gone', async () => {
  const ws = netra();
  const { findings } = await audit(ws);
  const f = byRule(findings, 'dangling-service-url')[0];
  applyEdits(f.fixes[0].edits());
  assert.match(fs.readFileSync(path.join(ws, '.env'), 'utf8'), /^AUTH_SERVICE_URL=http:\/\/127\.0\.0\.1:8081$/m);
  const again = await audit(ws);
  assert.deepEqual(byRule(again.findings, 'dangling-service-url'), []);
});

test('dangling-service-url: ports bound by Node servers and published by docker compose count; remote hosts and unknown servers are not judged', async () => {
  const ws = makeWorkspace({
    'api/package.json': pkg('billing-api', { start: 'node server.js' }, { express: '4.21.1', dotenv: '16.4.5' }),
    'api/server.js': "require('dotenv').config();\nrequire('express')().listen(process.env.PORT || 4000);\n",
    'api/.env': 'PORT=4010\n',
    'web/package.json': pkg('web', { dev: 'vite --port 5180 --strictPort' }, { vite: '5.4.0' }),
    'web/.env': [
      'VITE_API_URL=http://localhost:4010',
      'BILLING_API_URL=http://localhost:4010',
      'SEARCH_SERVICE_URL=http://localhost:9200',
      'PAYMENTS_API_URL=https://payments.example.com',
      'LEGACY_API_URL=http://10.0.0.5:8080',
      'REPORTS_SERVICE_URL=http://localhost:7000',
      '',
    ].join('\n'),
    'docker-compose.yml': 'services:\n  search:\n    image: opensearchproject/opensearch:2\n    ports:\n      - "9200:9200"\n',
    // A service whose port Crosswire cannot see (computed at run time): it may well listen on 7000.
    'reports/package.json': pkg('reports', { start: 'node server.js' }, { express: '4.21.1' }),
    'reports/server.js': "const app = require('express')();\napp.listen(require('./port')());\n",
  });
  const { findings } = await audit(ws);
  assert.deepEqual(byRule(findings, 'dangling-service-url'), []);
});

test('dangling-service-url: code defaults and templates are development sites too; a fix from the agreeing definitions when no app is named', async () => {
  const ws = makeWorkspace({
    'svc/pyproject.toml': PYPROJECT('ledger'),
    'svc/main.py': UVICORN('8300'),
    'client/pyproject.toml': PYPROJECT('client'),
    'client/settings.py':
      'import os\nLEDGER_SERVICE_URL = os.getenv("LEDGER_SERVICE_URL", "http://localhost:8300")\nNOTIFY_SERVICE_URL = os.getenv("NOTIFY_SERVICE_URL", "http://localhost:8400")\n',
    'client/.env.example': 'LEDGER_SERVICE_URL=http://localhost:8399\n',
    'client/.env': 'LEDGER_SERVICE_URL=http://localhost:8300\n',
  });
  const { findings } = await audit(ws);
  const d = byRule(findings, 'dangling-service-url');
  const at = d.map((f) => `${path.relative(ws, f.location.file)}:${f.location.range.start.line}`).sort();
  assert.deepEqual(at, ['client/.env.example:0', 'client/settings.py:2']);
  const tpl = d.find((f) => f.location.file.endsWith('.env.example'))!;
  assert.match(tpl.message, /in this template/);
  assert.equal(tpl.fixes.length, 1);
  const code = d.find((f) => f.location.file.endsWith('settings.py'))!;
  assert.match(code.message, /The default of NOTIFY_SERVICE_URL in code/);
  assert.equal(code.fixes.length, 0, 'nothing says where notify listens');
  applyEdits(tpl.fixes[0].edits());
  assert.equal(fs.readFileSync(path.join(ws, 'client/.env.example'), 'utf8'), 'LEDGER_SERVICE_URL=http://localhost:8300\n');
});

test('dangling-service-url: an app whose package.json cannot be read, or whose port is unknown, may listen there: not judged', async () => {
  // Issue 10: unknown is not "nothing listens". The unreadable file itself is reported (parse-error).
  const ws = makeWorkspace({
    'web/package.json': pkg('web', { dev: 'vite --port 5180 --strictPort' }, { vite: '5.4.0' }),
    'web/.env': 'VITE_API_URL=http://localhost:4000\n',
    'api/package.json': '{\n  "name": "helpdesk-api",\n  "scripts": { "start": "node server.js" ',
  });
  const { findings } = await audit(ws);
  assert.deepEqual(byRule(findings, 'dangling-service-url'), []);
  assert.ok(byRule(findings, 'parse-error').some((f) => f.location.file === path.join(ws, 'api/package.json')));
  const unknown = makeWorkspace({
    'web/package.json': pkg('web', { dev: 'vite --port 5180 --strictPort' }, { vite: '5.4.0' }),
    'web/.env': 'VITE_API_URL=http://localhost:4000\n',
    'api/package.json': pkg('api', { dev: 'next dev --port $(get-port)' }, { next: '14.2.0' }),
  });
  assert.deepEqual(byRule((await audit(unknown)).findings, 'dangling-service-url'), []);
});

test('dangling-service-url: service words of a key', () => {
  assert.deepEqual(serviceWords('AUTH_SERVICE_URL'), ['auth']);
  assert.deepEqual(serviceWords('NEXT_PUBLIC_BILLING_API_URL'), ['billing']);
  assert.deepEqual(serviceWords('VITE_API_URL'), []);
});

test('dangling-service-url: the quick fix over the protocol', { timeout: 60_000 }, async () => {
  const ws = netra();
  const env = path.join(ws, '.env');
  const r = await quickFixOverProtocol({
    folder: fs.realpathSync(ws),
    file: path.join(fs.realpathSync(ws), '.env'),
    rule: 'dangling-service-url',
    needle: 'AUTH_SERVICE_URL=',
    title: /^Point AUTH_SERVICE_URL at port 8081/,
  });
  assert.equal(r.diagnostic.severity, 2);
  assert.deepEqual(r.changed, [path.join(fs.realpathSync(ws), '.env')]);
  assert.equal(lineOf(env, 'AUTH_SERVICE_URL=http://127.0.0.1:8081'), 1);
});

test("dangling-service-url: not judged on a replica's own machine that nothing names (what else runs there is unknown)", async () => {
  const ws = makeWorkspace({
    'templates/a/package.json': pkg('next', { dev: 'next dev' }, { next: '14.2.0' }),
    'templates/b/package.json': pkg('next', { dev: 'next dev --port 3000' }, { next: '14.2.0' }),
    'templates/b/src/page.tsx': "const api = process.env.NEXT_PUBLIC_API_URL ?? 'http://localhost:8000';\nexport default api;\n",
  });
  const { findings } = await audit(ws);
  assert.deepEqual(byRule(findings, 'dangling-service-url'), []);
});

test('dangling-service-url: a service whose two scripts read one PORT line is listed once among the related locations', async () => {
  // ledger's `start` and `start:dev` both start its server with PORT from .env: two servers, one place.
  const nest =
    "import { NestFactory } from '@nestjs/core';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  await app.listen(process.env.PORT);\n}\nbootstrap();\n";
  const ws = makeWorkspace({
    'ledger/package.json': pkg('ledger', { start: 'nest start', 'start:dev': 'nest start --watch' }, { '@nestjs/core': '10.0.0', '@nestjs/config': '3.0.0' }),
    'ledger/.env': 'PORT=4200\n',
    'ledger/src/app.module.ts':
      "import { ConfigModule } from '@nestjs/config';\n@Module({ imports: [ConfigModule.forRoot({ isGlobal: true })] })\nexport class AppModule {}\n",
    'ledger/src/main.ts': nest,
    'web/package.json': pkg('web', { dev: 'vite' }, { vite: '5.0.0' }),
    'web/.env': 'VITE_LEDGER_API_URL=http://localhost:4100\n',
  });
  const { findings } = await audit(ws);
  const d = byRule(findings, 'dangling-service-url');
  assert.equal(d.length, 1);
  assert.match(d[0].message, /ledger listens on 4200/);
  assert.deepEqual(
    d[0].related.map((r) => `${path.relative(ws, r.location.file)}:${r.location.range.start.line}: ${r.message}`),
    [`${path.join('ledger', '.env')}:0: ledger listens on 4200: PORT in .env, loaded before src/main.ts listens`],
  );
  fs.rmSync(ws, { recursive: true, force: true });
});
