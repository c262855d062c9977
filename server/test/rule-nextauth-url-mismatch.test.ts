import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { audit, byRule, lineOf, pkg } from './helpers/workspace';
import { fixThroughProtocol } from './helpers/protocol-fix';
import { read, REPO_ROOT } from './helpers/files';
import { RuleTester } from './helpers/rule-tester';

const NEXT4 = { next: '14.2.18', 'next-auth': '^4.24.10' };
const NEXT5 = { next: '15.0.3', 'next-auth': '^5.0.0-beta.25' };

new RuleTester().run('nextauth-url-mismatch', {
  valid: [
    {
      name: 'not reported for real hosts, https behind a proxy, apps without NextAuth, test files, or matching ports',
      files: {
        'server-2/package.json': pkg('shop', { dev: 'next dev -p 8080' }, NEXT4),
        'server-2/.env.local': `NEXTAUTH_URL="http://192.168.1.101:8080"\n`,
        'prod/package.json': pkg('prod', { start: 'next start' }, NEXT4),
        'prod/.env.production': `NEXTAUTH_URL=https://app.example.com\n`,
        'prod/.env.test': `NEXTAUTH_URL=http://localhost:9999\n`,
        'plain/package.json': pkg('plain', { dev: 'next dev' }, { next: '14.2.18' }),
        'plain/.env': `NEXTAUTH_URL=http://localhost:9999\n`,
        'ok/package.json': pkg('ok', { dev: 'next dev', start: 'next start' }, NEXT4),
        'ok/.env': `NEXTAUTH_URL="http://localhost:3000"\n`,
        'ok/.env.example': `NEXTAUTH_URL="http://localhost:1234"\n`,
      },
    },
  ],
  invalid: [
    {
      name: 'a local NEXTAUTH_URL on another port than `next dev -p 8080`: warning on the line, related to the script',
      files: {
        'shop/package.json': pkg('shop', { dev: 'next dev -p 8080', start: 'next start -p 8080' }, NEXT4),
        'shop/.env': `# copied from the other app\nNEXTAUTH_URL="http://localhost:3000/api/auth"\n`,
      },
      errors: [
        {
          file: 'shop/.env',
          line: 2,
          severity: 'warning',
          message: /port 3000.*listens on 8080/,
          related: [{ file: 'shop/package.json', lineIncludes: '"dev"' }, { file: 'shop/package.json' }],
          fixes: ['Use port 8080 in NEXTAUTH_URL'],
        },
      ],
      // path and quoting kept
      output: { 'shop/.env': '# copied from the other app\nNEXTAUTH_URL="http://localhost:8080/api/auth"\n' },
      errorsAfterFix: [],
    },
    {
      name: 'no port means 80/443; .env.development applies to next dev, .env.production to next start; v5 AUTH_URL wins over NEXTAUTH_URL',
      files: {
        // next dev -> 3000 (default), next start -> 4000
        'a/package.json': pkg('a', { dev: 'next dev', start: 'next start -p 4000' }, NEXT4),
        'a/.env.development': `NEXTAUTH_URL=http://localhost:3000\n`,
        'a/.env.production': `NEXTAUTH_URL=http://127.0.0.1:3000\n`,
        'a/.env.local': `NEXTAUTH_URL=http://localhost\n`,
        // v5: AUTH_URL is read, NEXTAUTH_URL is not
        'b/package.json': pkg('b', { dev: 'next dev -p 3005' }, NEXT5),
        'b/.env': `AUTH_URL=http://localhost:3006\nNEXTAUTH_URL=http://localhost:9999\n`,
        // v4 does not read AUTH_URL
        'c/package.json': pkg('c', { dev: 'next dev -p 3007' }, NEXT4),
        'c/.env': `AUTH_URL=http://localhost:9999\nNEXTAUTH_URL=http://localhost:3007\n`,
      },
      errors: [
        // two ports apply to .env.local: no single right port
        { file: 'a/.env.local', line: 1, messageIncludes: ['no port (so 80, the http default)', '3000 and 4000'], fixes: [] },
        { file: 'a/.env.production', line: 1, fixes: ['Use port 4000 in NEXTAUTH_URL'] },
        { file: 'b/.env', line: 1 },
      ],
      fix: 'Use port 4000 in NEXTAUTH_URL',
      output: { 'a/.env.production': 'NEXTAUTH_URL=http://127.0.0.1:4000\n' },
    },
  ],
});

test('nextauth-url-mismatch: test-workspace: only multi-business-multi-apps/.env.development (copied from electricity-tokens)', async () => {
  const ws = path.join(REPO_ROOT, 'test-workspace');
  const found = byRule((await audit(ws)).findings, 'nextauth-url-mismatch');
  const file = path.join(ws, 'multi-business-multi-apps', '.env.development');
  assert.deepEqual(
    found.map((f) => `${f.location.file}:${f.location.range.start.line}`),
    [`${file}:${lineOf(file, 'NEXTAUTH_URL=')}`],
  );
  assert.deepEqual(
    found[0].related.map((r) => path.relative(ws, r.location.file)),
    ['multi-business-multi-apps/package.json'],
  );
});

test('nextauth-url-mismatch: the fix through the language server sets the port and clears the warning', { timeout: 60_000 }, async () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-nextauth-url-')));
  fs.cpSync(path.join(REPO_ROOT, 'test-workspace', 'multi-business-multi-apps'), path.join(dir, 'multi-business-multi-apps'), { recursive: true });
  const file = path.join(dir, 'multi-business-multi-apps', '.env.development');
  const { client, edited } = await fixThroughProtocol({
    folder: dir,
    file,
    rule: 'nextauth-url-mismatch',
    line: lineOf(file, 'NEXTAUTH_URL='),
    title: 'Use port 8080 in NEXTAUTH_URL',
  });
  try {
    assert.deepEqual(edited, [file]);
    assert.match(read(file), /^NEXTAUTH_URL="http:\/\/localhost:8080"$/m);
  } finally {
    client.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
