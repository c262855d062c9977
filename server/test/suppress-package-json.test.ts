// Suppressing findings in a package.json (no comments), one rule at a time: its "crosswire" key, and the config's
// "suppress" list. On real temporary folders through the engine, and through the CLI for wrong input.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../src/parsers/config';
import { CLI } from './helpers/files';
import { audit, makeWorkspace } from './helpers/workspace';
import type { Finding } from '../src/model/types';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Each app names the other's default port (Next.js 3000 named by the SPA, Vite 5173 named by web): implicit-port on both package.json files. */
function webPkg(extra?: unknown): string {
  const pkg: Record<string, unknown> = {
    name: 'web',
    version: '1.0.0',
    private: true,
    scripts: { dev: 'next dev', start: 'next start' },
    dependencies: { next: '14.2.5', react: '18.3.1' },
  };
  if (extra !== undefined) pkg.crosswire = extra;
  return JSON.stringify(pkg, null, 2) + '\n';
}
const SPA_PKG =
  JSON.stringify(
    { name: 'spa', version: '1.0.0', private: true, scripts: { dev: 'vite', preview: 'vite preview' }, dependencies: { vite: '5.4.0' } },
    null,
    2,
  ) + '\n';

function ws(files: Record<string, string>): string {
  const dir = fs.realpathSync(
    makeWorkspace({
      'web/.env': 'NEXTAUTH_URL=http://localhost:3005\nCORS_ORIGIN=http://localhost:5173\n',
      'spa/.env': 'VITE_API_URL=http://localhost:3000\n',
      'spa/package.json': SPA_PKG,
      ...files,
    }),
  );
  dirs.push(dir);
  return dir;
}

const rel = (root: string, f: Finding) => path.relative(root, f.location.file).split(path.sep).join('/');
const summary = (root: string, findings: Finding[]) => findings.map((f) => `${f.ruleId} ${rel(root, f)}:${f.location.range.start.line + 1}`).sort();

test('without suppression both package.json files have implicit-port (the fixture)', async () => {
  const root = ws({ 'web/package.json': webPkg() });
  const { findings } = await audit(root);
  assert.deepEqual(summary(root, findings), ['implicit-port spa/package.json:6', 'implicit-port web/package.json:6']);
});

test('"crosswire": { "disable": [...] } in a package.json turns that rule off for that file only', async () => {
  const root = ws({ 'web/package.json': webPkg({ disable: ['implicit-port'] }) });
  const { findings } = await audit(root);
  assert.deepEqual(summary(root, findings), ['implicit-port spa/package.json:6']);
});

test('an entry that suppresses nothing is reported (unused-suppression), an unknown rule or a wrong shape is invalid-config', async () => {
  const root = ws({ 'web/package.json': webPkg({ disable: ['implicit-port', 'port-collision', 'implict-port'] }) });
  const { findings } = await audit(root);
  const unused = findings.filter((f) => f.ruleId === 'unused-suppression');
  assert.equal(unused.length, 1);
  assert.equal(unused[0].message, 'Unused "crosswire.disable" entry: no finding of "port-collision" in this package.json.');
  assert.equal(unused[0].severity, 'info');
  const text = fs.readFileSync(path.join(root, 'web/package.json'), 'utf8');
  const line = text.split('\n').findIndex((l) => l.includes('"port-collision"'));
  assert.equal(unused[0].location.range.start.line, line, 'at the entry');
  const invalid = findings.filter((f) => f.ruleId === 'invalid-config');
  assert.equal(invalid.length, 1);
  assert.match(invalid[0].message, /Unknown rule id "implict-port"\. Did you mean "implicit-port"\?/);
  assert.equal(rel(root, invalid[0]), 'web/package.json');
  assert.ok(!findings.some((f) => f.ruleId === 'implicit-port' && rel(root, f) === 'web/package.json'), 'the valid entry still applies');

  for (const bad of ['implicit-port', { disable: 'implicit-port' }, { disable: [1] }, { disabled: ['implicit-port'] }]) {
    const r = ws({ 'web/package.json': webPkg(bad) });
    const got = (await audit(r)).findings.filter((f) => f.ruleId === 'invalid-config');
    assert.equal(got.length, 1, JSON.stringify(bad));
    assert.match(got[0].message, /"crosswire"/);
  }
});

test('the CLI exits 2 on an unknown rule in a package.json "crosswire" key, naming the place and the nearest rule', () => {
  const root = ws({ 'web/package.json': webPkg({ disable: ['implict-port'] }) });
  const r = spawnSync(process.execPath, [CLI, 'audit', '.'], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(
    r.stderr,
    /invalid package\.json "crosswire" key:\n {2}web\/package\.json:\d+:\d+: Unknown rule id "implict-port"\. Did you mean "implicit-port"\?/,
  );
});

test('crosswire.config.json "suppress": a rule in one file, optionally on one line; unused entries are reported in the config', async () => {
  const config = (suppress: unknown) => JSON.stringify({ suppress }, null, 2) + '\n';
  {
    const root = ws({ 'web/package.json': webPkg(), 'crosswire.config.json': config([{ rule: 'implicit-port', file: 'web/package.json' }]) });
    assert.deepEqual(summary(root, (await audit(root)).findings), ['implicit-port spa/package.json:6']);
  }
  {
    // On its line (the finding's line, 1-based, as the CLI prints it).
    const root = ws({ 'web/package.json': webPkg(), 'crosswire.config.json': config([{ rule: 'implicit-port', file: './web/package.json', line: 6 }]) });
    assert.deepEqual(summary(root, (await audit(root)).findings), ['implicit-port spa/package.json:6']);
  }
  {
    // Another line, another rule, a file with no findings: each reported at its entry; the findings stay.
    const root = ws({
      'web/package.json': webPkg(),
      'crosswire.config.json': config([
        { rule: 'implicit-port', file: 'web/package.json', line: 7 },
        { rule: 'port-collision', file: 'spa/package.json' },
        { rule: 'implicit-port', file: 'api/package.json' },
      ]),
    });
    const { findings } = await audit(root);
    assert.deepEqual(
      summary(
        root,
        findings.filter((f) => f.ruleId === 'implicit-port'),
      ),
      ['implicit-port spa/package.json:6', 'implicit-port web/package.json:6'],
    );
    const unused = findings.filter((f) => f.ruleId === 'unused-suppression');
    assert.deepEqual(
      unused.map((f) => f.message),
      [
        'Unused "suppress" entry: no finding of "implicit-port" in web/package.json on line 7.',
        'Unused "suppress" entry: no finding of "port-collision" in spa/package.json.',
        'Unused "suppress" entry: no finding of "implicit-port" in api/package.json.',
      ],
    );
    assert.ok(unused.every((f) => rel(root, f) === 'crosswire.config.json'));
    const text = fs.readFileSync(path.join(root, 'crosswire.config.json'), 'utf8');
    assert.deepEqual(
      unused.map((f) => f.location.range.start.line),
      [2, 7, 11].map((n) => text.split('\n').findIndex((l, i) => i >= n - 1 && l.includes('{'))),
    );
  }
});

test('the config parser validates "suppress" entries, with the nearest suggestion', () => {
  const ids = new Set(['implicit-port', 'port-collision']);
  const problems = (suppress: unknown) => parseConfig(JSON.stringify({ suppress }), '/w/crosswire.config.json', ids).problems.map((p) => p.message);
  assert.deepEqual(problems([{ rule: 'implicit-port', file: 'apps/web/package.json', line: 3 }]), []);
  assert.deepEqual(
    parseConfig(
      JSON.stringify({ suppress: [{ rule: 'implicit-port', file: 'apps/web/package.json', line: 3 }] }),
      '/w/crosswire.config.json',
      ids,
    ).config.suppress?.map((s) => [s.rule, s.file, s.line]),
    [['implicit-port', path.resolve('/w/apps/web/package.json'), 3]],
  );
  assert.match(problems('x')[0], /"suppress" must be an array/);
  assert.match(problems(['x'])[0], /must be an object/);
  assert.match(problems([{ rule: 'implict-port', file: 'a/package.json' }])[0], /Unknown rule id "implict-port"\. Did you mean "implicit-port"\?/);
  for (const file of ['/abs/package.json', '../up/package.json', 'apps/*/package.json', ''])
    assert.match(problems([{ rule: 'implicit-port', file }])[0], /"file" must be the path of one file/, file);
  for (const line of [0, 1.5, '3']) assert.match(problems([{ rule: 'implicit-port', file: 'a/package.json', line }])[0], /"line" must be a line number from 1/);
  assert.match(problems([{ rule: 'implicit-port', file: 'a/package.json', lines: 3 }])[0], /Unknown key "lines" in a "suppress" entry\. Did you mean "line"\?/);
  assert.match(problems([{ file: 'a/package.json' }])[0], /needs "rule"/);
  assert.match(problems([{ rule: 'implicit-port' }])[0], /needs "file"/);
});
