import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, audit, byRule, lineOf, makeWorkspace, pkg } from './helpers/workspace';
import { fixThroughProtocol } from './helpers/protocol-fix';
import { estimatedBits, isPlaceholder, weakness } from '../src/rules/weak-secret';
import { read, REPO_ROOT } from './helpers/files';

const NEXT = { next: '14.2.18', 'next-auth': '^4.24.10' };
const STRONG = 'oc0FjAGuUs5BufizhWOqN8lQhhdPJnEf8ABJa349UIU=';

test('weak-secret: placeholders, length and the bits estimate (32 hex characters are exactly 128 bits)', () => {
  for (const v of [
    'change-me-in-production-use-long-random-string',
    'your_very_secure_secret_at_least_32_characters_long',
    'secret',
    'changeme',
    'password',
    'CHANGE_ME',
    '<your-long-random-string>',
    'replace-with-a-random-secret',
    'keyboard cat',
  ]) {
    assert.ok(isPlaceholder(v), v);
    assert.equal(weakness(v, [])?.kind, 'placeholder', v);
  }
  for (const v of [STRONG, 'pano-pamusha-hapa-pindwi-nemuroyi', '2595930f841f02e1']) assert.ok(!isPlaceholder(v), v);
  assert.equal(estimatedBits('0123456789abcdef0123456789abcdef'), 128);
  assert.equal(weakness('0123456789abcdef0123456789abcdef', []), undefined, '32 hex characters: not weak');
  assert.equal(weakness('0123456789abcdef0123456789abcde', [])?.kind, 'length', '31 characters');
  const digits = '40912837465019283746501928374650'; // 32 × log2(10) ≈ 106 bits
  assert.equal(weakness(digits, [])?.kind, 'bits');
  assert.match(weakness(digits, [])!.text, /106 bits/);
  assert.equal(weakness(digits + '8102937', []), undefined, '39 digits ≈ 129.6 bits');
  // incident a's secret: 33 characters, lowercase letters and '-': 33 × log2(26 + 33) ≈ 194 bits
  assert.ok(Math.abs(estimatedBits('pano-pamusha-hapa-pindwi-nemuroyi') - 33 * Math.log2(59)) < 1e-9);
  assert.equal(weakness('pano-pamusha-hapa-pindwi-nemuroyi', []), undefined);
  assert.equal(weakness(STRONG, [STRONG])?.kind, 'template');
});

test('weak-secret: warnings on live placeholders, short secrets and template values; never the value; templates, strong secrets and non-secret keys are fine', async () => {
  const ws = makeWorkspace({
    'api/package.json': pkg('api', { start: 'node server.js' }, { express: '4.21.1', dotenv: '16.4.5' }),
    'api/.env': `JWT_SECRET="change-me-in-production-use-long-random-string"\nSESSION_SECRET=supersecretkey123\nCOOKIE_SECRET=${STRONG}\nAPI_KEY=short\nWEBHOOK_SECRET=\n`,
    'api/.env.example': `JWT_SECRET="<your-long-random-string>"\nSESSION_SECRET=changeme\n`,
    'web/package.json': pkg('web', { dev: 'next dev -p 3001' }, NEXT),
    'web/.env.example': `NEXTAUTH_SECRET=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE=\n`,
    'web/.env.local': `NEXTAUTH_SECRET=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE=\n`,
  });
  const weak = byRule((await audit(ws)).findings, 'weak-secret');
  const sites = weak.map((f) => `${path.relative(ws, f.location.file)}:${f.location.range.start.line}`).sort();
  assert.deepEqual(sites, ['api/.env:0', 'api/.env:1', 'web/.env.local:0']);
  const by = (rel: string) => weak.find((f) => f.location.file === path.join(ws, rel))!;
  assert.equal(by('web/.env.local').severity, 'warning');
  assert.match(weak.find((f) => f.location.range.start.line === 0 && f.location.file.endsWith(path.join('api', '.env')))!.message, /placeholder/);
  assert.match(weak.find((f) => f.location.range.start.line === 1)!.message, /only 17 characters/);
  assert.match(by('web/.env.local').message, /template/);
  assert.deepEqual(
    by('web/.env.local').related.map((r) => path.relative(ws, r.location.file)),
    ['web/.env.example'],
  );
  for (const f of weak) {
    assert.ok(!/change-me|supersecret|Zm9vYmFy/.test(f.message), `value never shown: ${f.message}`);
    assert.match(f.message, /sha256:[0-9a-f]{6}/);
  }
});

test('weak-secret: the fix writes one generated secret into every env file of the app and its replicas holding the value, and nothing else', async () => {
  const ws = makeWorkspace({
    's1/package.json': pkg('shop', { dev: 'next dev -p 8080' }, NEXT),
    's1/.env': `NEXTAUTH_SECRET="changeme"\nJWT_SECRET=changeme\n`,
    's1/.env.local': `NEXTAUTH_SECRET='changeme'\n`,
    's2/package.json': pkg('shop', { dev: 'next dev -p 8080' }, NEXT),
    's2/.env.local': `NEXTAUTH_SECRET=changeme\n`,
    'other/package.json': pkg('other', { dev: 'next dev -p 9000' }, NEXT),
    'other/.env': `NEXTAUTH_SECRET=changeme\n`,
  });
  const weak = byRule((await audit(ws)).findings, 'weak-secret');
  assert.equal(weak.length, 5);
  const f = weak.find((x) => x.location.file === path.join(ws, 's1/.env') && x.location.range.start.line === 0)!;
  assert.equal(f.fixes[0].title, 'Generate a strong NEXTAUTH_SECRET for shop');
  const edits = f.fixes[0].edits();
  assert.deepEqual(edits.map((e) => path.relative(ws, e.file)).sort(), ['s1/.env', 's1/.env.local', 's2/.env.local']);
  applyEdits(edits);
  const v1 = /^NEXTAUTH_SECRET="([A-Za-z0-9+/=]{44})"$/m.exec(read(path.join(ws, 's1/.env')))?.[1];
  const v2 = /^NEXTAUTH_SECRET='([A-Za-z0-9+/=]{44})'$/m.exec(read(path.join(ws, 's1/.env.local')))?.[1];
  const v3 = /^NEXTAUTH_SECRET="?([A-Za-z0-9+/=]{44})"?$/m.exec(read(path.join(ws, 's2/.env.local')))?.[1];
  assert.ok(v1 && v1 === v2 && v2 === v3, 'one secret, quoting kept');
  assert.equal(Buffer.from(v1, 'base64').length, 32);
  assert.match(read(path.join(ws, 's1/.env')), /^JWT_SECRET=changeme$/m, 'another key is not touched');
  assert.equal(read(path.join(ws, 'other/.env')), 'NEXTAUTH_SECRET=changeme\n', 'another app is not touched');
  const after = byRule((await audit(ws)).findings, 'weak-secret');
  assert.deepEqual(after.map((x) => `${path.relative(ws, x.location.file)}:${x.location.range.start.line}`).sort(), ['other/.env:0', 's1/.env:1']);
  assert.deepEqual(byRule((await audit(ws)).findings, 'replica-drift'), [], 'the replicas still share their secret');
});

test("weak-secret: test-workspace has the placeholder JWT_SECRET (incident e) and SESSION_SECRET (incident d); incident a's 33-character secret is not weak by the formula", async () => {
  const ws = path.join(REPO_ROOT, 'test-workspace');
  const weak = byRule((await audit(ws)).findings, 'weak-secret');
  const jwt = path.join(ws, 'insight-garden', 'backend', '.env');
  const session = path.join(ws, 'it-assets-manager', '.env');
  assert.deepEqual(
    weak.map((f) => `${f.location.file}:${f.location.range.start.line}`).sort(),
    [`${jwt}:${lineOf(jwt, 'JWT_SECRET=')}`, `${session}:${lineOf(session, 'SESSION_SECRET=')}`].sort(),
  );
  for (const f of weak) assert.match(f.message, /placeholder/);
});

test('weak-secret: the fix through the language server replaces the placeholder and clears the warning', { timeout: 60_000 }, async () => {
  const ws = fs.realpathSync(
    makeWorkspace({
      'backend/package.json': pkg('backend', { start: 'nest start' }, { '@nestjs/core': '10.4.7', '@nestjs/config': '3.3.0' }),
      'backend/src/main.ts': `import { NestFactory } from '@nestjs/core';\nasync function bootstrap() {\n  const app = await NestFactory.create({});\n  await app.listen(process.env.PORT ?? 3000);\n}\nbootstrap();\n`,
      'backend/.env': `PORT=3000\nJWT_SECRET="change-me-in-production-use-long-random-string"\n`,
    }),
  );
  const env = path.join(ws, 'backend', '.env');
  const { client, edited } = await fixThroughProtocol({
    folder: ws,
    file: env,
    rule: 'weak-secret',
    line: 1,
    title: 'Generate a strong JWT_SECRET for backend',
  });
  try {
    assert.deepEqual(edited, [env]);
    const v = /^JWT_SECRET="([A-Za-z0-9+/=]{44})"$/m.exec(read(env))?.[1];
    assert.ok(v, read(env));
    assert.equal(Buffer.from(v, 'base64').length, 32);
    assert.deepEqual(
      client.diagnosticsOf(env).filter((d) => d.code === 'weak-secret'),
      [],
    );
  } finally {
    client.kill();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('weak-secret: a compose kit (a folder with no program, only a compose file and its env files for published images) is not judged', async () => {
  const ws = makeWorkspace({
    'platform/docker-compose.yml': 'services:\n  api:\n    image: ghcr.io/acme/api:3.2\n    env_file:\n      - backend.env\n    ports:\n      - "8000:8000"\n',
    'platform/backend.env': 'DATABASE_URL=postgres://acme:acme@db/acme\nSECRET_KEY=changeme\n',
    'app/package.json': pkg('app', { start: 'node server.js' }, { express: '4.19.0', dotenv: '16.4.5' }),
    'app/.env': 'SESSION_SECRET=changeme\n',
  });
  const { findings } = await audit(ws);
  const ws2 = byRule(findings, 'weak-secret').map((f) => path.relative(ws, f.location.file));
  assert.deepEqual(ws2, ['app/.env'], "the program's own placeholder is reported; the kit's documented default is not");
});
