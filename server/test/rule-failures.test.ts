// A rule that throws (a bug in Crosswire) loses only its own findings, and the failure is kept where the CLI can say it.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Engine } from '../src/engine';
import { RuleRunner } from '../src/engine/runner';
import { appRule } from '../src/model/rule';
import { audit, makeWorkspace, pkg } from './helpers/workspace';

test('a failing rule is recorded with where and why, and cleared when it runs again without failing', async () => {
  const ws = makeWorkspace({
    'web/package.json': pkg('web', { dev: 'next dev' }, { next: '15.5.0' }),
    'api/package.json': pkg('api', { dev: 'node server.js' }, { express: '5.1.0' }),
  });
  const { engine } = await audit(ws);
  let broken = true;
  const reported: string[] = [];
  const fragile = appRule({
    id: 'fragile',
    docs: { description: 'test', url: 'docs/rules/fragile.md' },
    defaultSeverity: 'warning',
    fixable: false,
    facts: ['package'],
    check(app, ctx) {
      if (broken && app.name === 'api') throw new TypeError('Expected pattern to be a non-empty string');
      reported.push(app.name);
      ctx.report({
        message: `${app.name} checked.`,
        at: { file: app.packageJson!.file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
      });
    },
  });
  const errors: string[] = [];
  const runner = new RuleRunner([fragile], { info() {}, warn() {}, debug() {}, error: (m: string) => errors.push(m) });
  runner.runAll(engine.index);
  // The other app's findings are kept; the failure is recorded, and logged with its stack.
  assert.deepEqual(reported, ['web']);
  assert.deepEqual(
    runner.failures().map((f) => [f.ruleId, f.where.endsWith('api'), f.message]),
    [['fragile', true, 'Expected pattern to be a non-empty string']],
  );
  assert.equal(errors.length, 1);
  broken = false;
  const again = new RuleRunner([fragile], { info() {}, warn() {}, debug() {}, error: () => {} });
  again.runAll(engine.index);
  assert.deepEqual(again.failures(), []);
  // The engine of a healthy workspace has none.
  assert.deepEqual((engine as Engine).ruleFailures(), []);
});
