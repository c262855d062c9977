/**
 * The rule tester itself: it runs one rule only, and it fails a case whenever the findings, their fixes or the text
 * after the fixes differ from what the case says (a tester that passes everything would prove nothing).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RuleTester, type InvalidCase } from './helpers/rule-tester';
import { pkg } from './helpers/workspace';

const NEXT4 = { next: '14.2.18', 'next-auth': '^4.24.10' };
const SECRET = 'rule-tester-shared-secret-value-0123456789';

/** NEXTAUTH_URL on 3000 while next dev listens on 8080; both apps also share NEXTAUTH_SECRET (duplicate-secret). */
const base: InvalidCase = {
  name: 'base',
  files: {
    'shop/package.json': pkg('shop', { dev: 'next dev -p 8080' }, NEXT4),
    'shop/.env': `NEXTAUTH_SECRET=${SECRET}\nNEXTAUTH_URL="http://localhost:3000/api/auth"\n`,
    'blog/package.json': pkg('blog', { dev: 'next dev -p 8081' }, NEXT4),
    'blog/.env': `NEXTAUTH_SECRET=${SECRET}\nNEXTAUTH_URL=http://localhost:8081\n`,
  },
  errors: [{ file: 'shop/.env', line: 2, severity: 'warning', messageIncludes: 'listens on 8080', fixes: ['Use port 8080 in NEXTAUTH_URL'] }],
  output: { 'shop/.env': `NEXTAUTH_SECRET=${SECRET}\nNEXTAUTH_URL="http://localhost:8080/api/auth"\n` },
  errorsAfterFix: [],
};
const tester = new RuleTester();
const run = (c: InvalidCase, rule = 'nextauth-url-mismatch') => tester.runCase(rule, c);

test('rule tester: a correct case passes, and only the rule under test reports (duplicate-secret is off)', async () => {
  await run(base);
  await run(
    {
      ...base,
      errors: [
        { file: 'blog/.env', line: 1 },
        { file: 'shop/.env', line: 1 },
      ],
      output: undefined,
      errorsAfterFix: undefined,
    },
    'duplicate-secret',
  );
});

test('rule tester: fails on a wrong count, file, line, column, message, severity, related or fix titles', async () => {
  const e = base.errors[0];
  const wrong: [string, InvalidCase][] = [
    ['count', { ...base, errors: [e, e] }],
    ['no error expected', { ...base, errors: [], output: undefined, errorsAfterFix: undefined }],
    ['file', { ...base, errors: [{ ...e, file: 'blog/.env' }] }],
    ['line', { ...base, errors: [{ ...e, line: 1 }] }],
    ['lineIncludes', { ...base, errors: [{ ...e, line: undefined, lineIncludes: 'NEXTAUTH_SECRET' }] }],
    ['column', { ...base, errors: [{ ...e, column: 2 }] }],
    ['exact message', { ...base, errors: [{ ...e, message: 'listens on 8080' }] }],
    ['message pattern', { ...base, errors: [{ ...e, message: /^nothing like it$/ }] }],
    ['messageIncludes', { ...base, errors: [{ ...e, messageIncludes: ['listens on 8080', 'port 9999'] }] }],
    ['messageExcludes', { ...base, errors: [{ ...e, messageExcludes: ['8080'] }] }],
    ['severity', { ...base, errors: [{ ...e, severity: 'error' }] }],
    ['related', { ...base, errors: [{ ...e, related: [] }] }],
    ['fix titles', { ...base, errors: [{ ...e, fixes: [] }] }],
    ['output', { ...base, output: { 'shop/.env': 'NEXTAUTH_URL=nothing\n' } }],
    ['a file changed that output does not list', { ...base, output: { 'blog/.env': base.files['blog/.env'] } }],
    ['errorsAfterFix', { ...base, output: undefined, errorsAfterFix: [e] }],
    ['a fix that is not there', { ...base, fix: 'No such fix' }],
  ];
  for (const [what, c] of wrong) await assert.rejects(run(c), assert.AssertionError, `a wrong ${what} must fail the case`);
});

test('rule tester: a valid case with a finding fails; an unknown rule id fails', async () => {
  await assert.rejects(run({ ...base, errors: [], output: undefined, errorsAfterFix: undefined }), assert.AssertionError);
  await assert.rejects(run(base, 'no-such-rule'), /not a rule of the registry/);
});
