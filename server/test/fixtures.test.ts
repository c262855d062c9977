/**
 * Fixture folders: server/test/fixtures/<rule-id>/<case>/ holds a small workspace and an expected.json; every
 * case runs the rule alone (helpers/rule-tester.ts) and compares its findings with the expected ones. Adding a
 * case is adding a folder. See server/test/fixtures/README.md for the format of expected.json.
 */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { FIXTURES, fixtureCases, loadCase } from './helpers/fixtures';
import { RuleTester } from './helpers/rule-tester';
import { RULES } from '../src/rules';

const tester = new RuleTester();
const ruleIds = new Set(RULES.map((r) => r.id));

describe('fixtures', () => {
  for (const [rule, cases] of fixtureCases()) {
    describe(rule, () => {
      test('is a rule of the registry and has at least one case', () => {
        assert.ok(ruleIds.has(rule), `server/test/fixtures/${rule}/: no rule "${rule}" in server/src/rules/index.ts`);
        assert.ok(cases.length > 0, `server/test/fixtures/${rule}/ has no case folder`);
      });
      for (const name of cases) {
        const dir = path.join(FIXTURES, rule, name);
        test(name, async () => {
          await tester.runCase(rule, loadCase(dir));
        });
      }
    });
  }
});
