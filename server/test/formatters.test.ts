import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatJson, toJsonFindings } from '../src/cli/formatters/json';
import { formatSarif, toSarif, SARIF_SCHEMA } from '../src/cli/formatters/sarif';
import { formatText } from '../src/cli/formatters/text';
import type { FormatContext, RuleMeta } from '../src/cli/formatters/common';
import { renderAuditReport } from '../src/report';
import type { App, Finding, Location, Range } from '../src/model/types';

// A real little workspace on disk; every position below is found by searching the files' text.
const SECRET = 'pano-pamusha-hapa-pindwi-nemuroyi';
const GENERATED = 'R2VuZXJhdGVkU2VjcmV0VGhhdE11c3ROZXZlckJlUHJpbnRlZA==';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-fmt-'));
const files: Record<string, string> = {
  'alpha/.env': `# alpha\nNEXTAUTH_URL="http://localhost:3000"\nNEXTAUTH_SECRET="${SECRET}"\n`,
  'beta app/.env.local': `PORT=8080\nNEXTAUTH_SECRET='${SECRET}'\n`,
  'alpha/package.json': '{\n  "name": "alpha",\n  "scripts": {\n    "dev": "next dev"\n  }\n}\n',
  'odd#dir/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
};
for (const [rel, text] of Object.entries(files)) {
  fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}
const abs = (rel: string) => path.join(dir, rel);

/** Range (0-based, LSP) of the first occurrence of `needle` in a file. */
function find(rel: string, needle: string): Location {
  const text = fs.readFileSync(abs(rel), 'utf8');
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `${needle} not in ${rel}`);
  const character = lines[line].indexOf(needle);
  const range: Range = { start: { line, character }, end: { line, character: character + needle.length } };
  return { file: abs(rel), range };
}
/** 1-based line of the first line containing `needle`. */
function lineOf(rel: string, needle: string): number {
  return (
    fs
      .readFileSync(abs(rel), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(needle)) + 1
  );
}

let editsCalled = 0;
const rules: RuleMeta[] = [
  {
    id: 'duplicate-secret',
    docs: { description: 'The same secret is used by two apps.', url: 'docs/rules/duplicate-secret.md' },
    defaultSeverity: 'error',
    fixable: true,
  },
  {
    id: 'implicit-port',
    docs: { description: 'An app relies on its framework default port.', url: 'docs/rules/implicit-port.md' },
    defaultSeverity: 'warning',
    fixable: true,
  },
  {
    id: 'missing-connection-limit',
    docs: { description: 'A shared database server without a pool limit.', url: 'docs/rules/missing-connection-limit.md' },
    defaultSeverity: 'warning',
    fixable: true,
  },
];

function findings(): Finding[] {
  const a = find('alpha/.env', 'NEXTAUTH_SECRET');
  const b = find('beta app/.env.local', 'NEXTAUTH_SECRET');
  return [
    {
      ruleId: 'duplicate-secret',
      severity: 'error',
      message: 'NEXTAUTH_SECRET (sha256:abc123) is also used by app "beta".',
      location: a,
      related: [{ location: b, message: 'beta uses the same NEXTAUTH_SECRET here' }],
      appId: 'alpha',
      fixes: [
        {
          title: 'Generate a new secret for alpha',
          edits: () => {
            editsCalled++;
            return [{ file: a.file, range: a.range, newText: GENERATED }];
          },
          preferred: true,
        },
      ],
    },
    {
      ruleId: 'implicit-port',
      severity: 'warning',
      message: 'alpha relies on the default port 3000 of `next dev`.',
      location: find('alpha/package.json', '"next dev"'),
      related: [],
      appId: 'alpha',
      fixes: [
        {
          title: 'Set the port of alpha to 3000',
          edits: () => {
            editsCalled++;
            return [];
          },
        },
      ],
    },
    {
      ruleId: 'duplicate-secret',
      severity: 'error',
      message: 'NEXTAUTH_SECRET (sha256:abc123) is also used by app "alpha".',
      location: b,
      related: [{ location: a, message: 'alpha uses the same NEXTAUTH_SECRET here' }],
      appId: 'beta app',
      fixes: [],
    },
    {
      ruleId: 'parse-error',
      severity: 'info',
      message: 'Something odd\non two lines',
      location: find('odd#dir/schema.prisma', 'url'),
      related: [],
      fixes: [],
    },
  ];
}

const apps = [
  { id: 'alpha', name: 'alpha', dir: abs('alpha') },
  { id: 'beta app', name: 'beta', dir: abs('beta app') },
];
const ctx = (over: Partial<FormatContext> = {}): FormatContext => ({
  baseDir: dir,
  roots: [dir],
  rules,
  apps,
  color: false,
  tool: {
    name: 'Crosswire',
    version: '1.2.3',
    informationUri: 'https://example.invalid/crosswire',
    docsBaseUri: 'https://example.invalid/crosswire/blob/main/',
  },
  ...over,
});

function assertNoSecret(out: string): void {
  assert.ok(!out.includes(GENERATED), 'generated secret (fix edit) printed');
  for (let i = 0; i + 8 <= SECRET.length; i++) {
    assert.ok(!out.includes(SECRET.slice(i, i + 8)), `output contains a piece of the secret: ${SECRET.slice(i, i + 8)}`);
  }
}

test('json: 1-based positions, relative paths, related, fix titles, round-trip, no edits', () => {
  editsCalled = 0;
  const out = formatJson(findings(), ctx());
  const parsed = JSON.parse(out);
  assert.deepEqual(parsed, JSON.parse(JSON.stringify(toJsonFindings(findings(), ctx()))));
  assert.equal(parsed.length, 4);
  const [first, second, third, fourth] = parsed;
  assert.equal(first.ruleId, 'duplicate-secret');
  assert.equal(first.severity, 'error');
  assert.equal(first.file, 'alpha/.env');
  assert.equal(first.line, lineOf('alpha/.env', 'NEXTAUTH_SECRET='));
  assert.equal(first.column, 1);
  assert.equal(first.endLine, first.line);
  assert.equal(first.endColumn, 1 + 'NEXTAUTH_SECRET'.length);
  assert.equal(first.app, 'alpha');
  assert.equal(first.appName, 'alpha');
  assert.deepEqual(first.related, [
    {
      file: 'beta app/.env.local',
      line: lineOf('beta app/.env.local', 'NEXTAUTH_SECRET'),
      column: 1,
      endLine: lineOf('beta app/.env.local', 'NEXTAUTH_SECRET'),
      endColumn: 16,
      message: 'beta uses the same NEXTAUTH_SECRET here',
    },
  ]);
  assert.equal(first.fixable, true);
  assert.deepEqual(first.fixes, ['Generate a new secret for alpha']);
  // the "next dev" string: column is where its quote starts
  const pkgLine = fs.readFileSync(abs('alpha/package.json'), 'utf8').split('\n')[second.line - 1];
  assert.equal(pkgLine.slice(second.column - 1, second.endColumn - 1), '"next dev"');
  assert.equal(third.appName, 'beta');
  assert.equal(third.fixable, false);
  assert.deepEqual(third.fixes, []);
  assert.equal(fourth.app, null);
  assert.equal(fourth.file, 'odd#dir/schema.prisma');
  assert.equal(editsCalled, 0, 'formatters must never compute fix edits');
  assertNoSecret(out);
});

test('json: empty array when nothing is found', () => {
  assert.deepEqual(JSON.parse(formatJson([], ctx())), []);
});

test('text: stylish layout with headers, aligned rows, related locations and summary', () => {
  const out = formatText(findings(), ctx());
  assert.ok(!out.includes('\u001b['), 'no ANSI without color');
  const lines = out.split('\n');
  const header = lines.indexOf('alpha/.env');
  assert.ok(header >= 0, out);
  const secretLine = lineOf('alpha/.env', 'NEXTAUTH_SECRET=');
  assert.match(
    lines[header + 1],
    new RegExp(`^  ${secretLine}:1  error  NEXTAUTH_SECRET \\(sha256:abc123\\) is also used by app "beta"\\.  duplicate-secret$`),
  );
  assert.equal(lines[header + 2], `      → beta app/.env.local:${lineOf('beta app/.env.local', 'NEXTAUTH_SECRET')}: beta uses the same NEXTAUTH_SECRET here`);
  assert.ok(lines.includes('alpha/package.json'));
  assert.ok(lines.includes('beta app/.env.local'));
  assert.ok(lines.includes('odd#dir/schema.prisma'));
  // multi-line messages are one row
  assert.ok(
    lines.some((l) => /info\s+Something odd on two lines\s+parse-error$/.test(l)),
    out,
  );
  assert.equal(lines.filter((l) => l.startsWith('✖')).length, 1);
  assert.ok(out.trimEnd().endsWith('✖ 4 problems (2 errors, 1 warning, 1 info)'), out);
  assertNoSecret(out);
});

test('text: rows of one file are aligned', () => {
  const a = find('alpha/.env', 'NEXTAUTH_URL');
  const b = find('alpha/.env', 'NEXTAUTH_SECRET');
  const mk = (loc: Location, severity: Finding['severity'], message: string, ruleId: string): Finding => ({
    ruleId,
    severity,
    message,
    location: loc,
    related: [],
    fixes: [],
  });
  const out = formatText([mk(a, 'warning', 'short', 'rule-one'), mk(b, 'error', 'a much longer message', 'rule-two')], ctx());
  const rows = out.split('\n').filter((l) => l.startsWith('  '));
  assert.equal(rows.length, 2);
  assert.equal(rows[0].indexOf('rule-one'), rows[1].indexOf('rule-two'));
  assert.equal(rows[0].indexOf('short'), rows[1].indexOf('a much longer'));
});

test('text: clean workspace and colours', () => {
  assert.equal(formatText([], ctx()).trim(), 'No problems found in 2 apps.');
  assert.equal(formatText([], ctx({ apps: [apps[0]] })).trim(), 'No problems found in 1 app.');
  const colored = formatText(findings(), ctx({ color: true }));
  assert.ok(colored.includes('\u001b[31merror'), 'errors are red');
  assert.ok(colored.includes('\u001b[33mwarning'), 'warnings are yellow');
  assert.ok(colored.includes('\u001b[4malpha/.env\u001b[0m'), 'file headers underlined');
});

test('paths are relative to the base directory (the current directory for several DIRs)', () => {
  const parent = path.dirname(dir);
  const out = JSON.parse(formatJson(findings(), ctx({ baseDir: parent, roots: [abs('alpha'), abs('beta app')] })));
  assert.equal(out[0].file, `${path.basename(dir)}/alpha/.env`);
  assert.equal(out[0].related[0].file, `${path.basename(dir)}/beta app/.env.local`);
  const text = formatText(findings(), ctx({ baseDir: parent }));
  assert.ok(text.split('\n').includes(`${path.basename(dir)}/alpha/.env`));
});

test('sarif: 2.1.0 structure, rules, results, regions and related locations', () => {
  editsCalled = 0;
  const out = formatSarif(findings(), ctx());
  const log = JSON.parse(out);
  assert.deepEqual(log, JSON.parse(JSON.stringify(toSarif(findings(), ctx()))));
  assert.equal(log.$schema, SARIF_SCHEMA);
  assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs.length, 1);
  const run = log.runs[0];
  const driver = run.tool.driver;
  assert.equal(driver.name, 'Crosswire');
  assert.equal(driver.version, '1.2.3');
  assert.equal(driver.informationUri, 'https://example.invalid/crosswire');
  assert.deepEqual(
    driver.rules.map((r: { id: string }) => r.id),
    ['duplicate-secret', 'implicit-port', 'missing-connection-limit', 'parse-error'],
  );
  for (const r of driver.rules) {
    assert.equal(typeof r.shortDescription.text, 'string');
    assert.ok(r.shortDescription.text.length > 0);
    assert.equal(typeof r.help.text, 'string');
    assert.ok(['error', 'warning', 'note'].includes(r.defaultConfiguration.level));
    assert.equal(r.helpUri, `https://example.invalid/crosswire/blob/main/docs/rules/${r.id}.md`);
  }
  assert.equal(driver.rules[0].defaultConfiguration.level, 'error');
  assert.equal(driver.rules[1].defaultConfiguration.level, 'warning');
  assert.equal(driver.rules[0].shortDescription.text, 'The same secret is used by two apps.');

  assert.deepEqual(run.originalUriBaseIds, { '%SRCROOT%': { uri: pathToFileURL(dir).href + '/' } });
  assert.ok(run.originalUriBaseIds['%SRCROOT%'].uri.startsWith('file:///'));

  assert.equal(run.results.length, 4);
  for (const res of run.results) {
    assert.equal(driver.rules[res.ruleIndex].id, res.ruleId);
    assert.ok(['error', 'warning', 'note'].includes(res.level));
    assert.equal(typeof res.message.text, 'string');
    assert.equal(res.locations.length, 1);
    const pl = res.locations[0].physicalLocation;
    assert.equal(pl.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.ok(!pl.artifactLocation.uri.startsWith('/') && !pl.artifactLocation.uri.includes('\\'));
    for (const k of ['startLine', 'startColumn', 'endLine', 'endColumn']) assert.ok(Number.isInteger(pl.region[k]) && pl.region[k] >= 1, k);
    // the region resolves (through the base URI) to the very text the finding points at
    const fileUrl = new URL(pl.artifactLocation.uri, run.originalUriBaseIds['%SRCROOT%'].uri);
    const text = fs.readFileSync(fileUrl, 'utf8').split('\n')[pl.region.startLine - 1];
    assert.ok(text.length >= pl.region.endColumn - 1);
  }
  const [dup, port, , parse] = run.results;
  assert.equal(dup.level, 'error');
  assert.equal(port.level, 'warning');
  assert.equal(parse.level, 'note');
  assert.equal(parse.message.text, 'Something odd on two lines');
  assert.equal(parse.locations[0].physicalLocation.artifactLocation.uri, 'odd%23dir/schema.prisma');
  assert.equal(port.locations[0].physicalLocation.artifactLocation.uri, 'alpha/package.json');
  const region = dup.locations[0].physicalLocation.region;
  assert.deepEqual(region, {
    startLine: lineOf('alpha/.env', 'NEXTAUTH_SECRET='),
    startColumn: 1,
    endLine: lineOf('alpha/.env', 'NEXTAUTH_SECRET='),
    endColumn: 1 + 'NEXTAUTH_SECRET'.length,
  });
  assert.equal(dup.relatedLocations.length, 1);
  assert.equal(dup.relatedLocations[0].id, 1);
  assert.equal(dup.relatedLocations[0].physicalLocation.artifactLocation.uri, 'beta%20app/.env.local');
  assert.equal(dup.relatedLocations[0].message.text, 'beta uses the same NEXTAUTH_SECRET here');
  assert.equal(port.relatedLocations, undefined);
  assert.equal(editsCalled, 0, 'formatters must never compute fix edits');
  assertNoSecret(out);
});

test('sarif: a clean run still lists the rules and has an empty results array', () => {
  const log = JSON.parse(formatSarif([], ctx()));
  assert.deepEqual(log.runs[0].results, []);
  assert.equal(log.runs[0].tool.driver.rules.length, rules.length);
});

test('report: counts, apps table, findings by rule and app with file:// line links', () => {
  editsCalled = 0;
  const mkApp = (id: string, name: string, over: Partial<App> = {}): App => ({
    id,
    name,
    dir: abs(id),
    root: dir,
    replicaKey: name,
    framework: 'next',
    hasPrismaConfig: false,
    envFiles: [],
    schemas: [],
    code: [],
    listeners: [],
    unknownPorts: [],
    compose: [],
    pm2: [],
    host: 'local',
    ...over,
  });
  const schemaLoc = find('odd#dir/schema.prisma', 'url');
  const alpha = mkApp('alpha', 'alpha', {
    listeners: [
      {
        appId: 'alpha',
        script: 'dev',
        command: 'next dev',
        framework: 'next',
        tool: 'next dev',
        port: 3000,
        how: 'default',
        explicit: false,
        drifts: true,
        source: find('alpha/package.json', '"next dev"'),
        scriptLocation: find('alpha/package.json', '"next dev"'),
        reason: 'default',
        loadedEnvFiles: [],
        role: 'dev',
      },
    ],
    envFiles: [
      {
        file: abs('alpha/.env'),
        name: '.env',
        kind: 'live',
        mode: 'default',
        local: false,
        problems: [],
        text: '',
        entries: [
          {
            key: 'DATABASE_URL',
            value: 'postgresql://user:hunter2secret@db.example:6543/alpha',
            file: abs('alpha/.env'),
            keyRange: schemaLoc.range,
            valueRange: schemaLoc.range,
            innerRange: schemaLoc.range,
            range: schemaLoc.range,
            quote: '"',
            exported: false,
          },
        ],
      },
    ],
    schemas: [
      {
        file: schemaLoc.file,
        problems: [],
        text: '',
        datasources: [
          {
            file: schemaLoc.file,
            name: 'db',
            headerRange: schemaLoc.range,
            blockRange: schemaLoc.range,
            assignments: [],
            url: {
              key: 'url',
              raw: 'env("DATABASE_URL")',
              envVar: 'DATABASE_URL',
              range: schemaLoc.range,
              keyRange: schemaLoc.range,
              valueRange: schemaLoc.range,
            },
          },
        ],
      },
    ],
  });
  const beta = mkApp('beta app', 'beta', { framework: 'vite' });
  const md = renderAuditReport({ roots: [dir], apps: [alpha, beta], findings: findings(), rules, docsBaseUri: 'https://example.invalid/crosswire/blob/main/' });
  assert.match(md, /^# Crosswire audit/);
  assert.ok(md.includes('**2 apps indexed**'), md);
  assert.ok(md.includes('2 errors, 1 warning, 1 info'), md);
  // apps table
  const alphaRow = md.split('\n').find((l) => l.startsWith('| alpha |'));
  assert.ok(alphaRow, md);
  assert.ok(alphaRow!.includes(`(${pathToFileURL(abs('alpha')).href})`));
  assert.ok(alphaRow!.includes('| next |'));
  assert.ok(alphaRow!.includes('3000 (dev: default port)'));
  assert.ok(alphaRow!.includes('db.example:6543'));
  assert.ok(!md.includes('hunter2secret'), 'database passwords are never shown');
  // findings grouped by rule, then app
  const dupAt = md.indexOf('### `duplicate-secret`');
  const portAt = md.indexOf('### `implicit-port`');
  const parseAt = md.indexOf('### `parse-error`');
  assert.ok(dupAt >= 0 && portAt > dupAt && parseAt > portAt, md);
  assert.ok(!md.includes('### `missing-connection-limit`'), 'rules without findings are not listed');
  assert.ok(md.includes('The same secret is used by two apps. [Documentation](https://example.invalid/crosswire/blob/main/docs/rules/duplicate-secret.md)'));
  const dupSection = md.slice(dupAt, portAt);
  assert.ok(dupSection.indexOf('#### alpha') < dupSection.indexOf('#### beta'));
  const line = lineOf('alpha/.env', 'NEXTAUTH_SECRET=');
  assert.ok(dupSection.includes(`[alpha/.env:${line}](${pathToFileURL(abs('alpha/.env')).href}#L${line})`), dupSection);
  const relLine = lineOf('beta app/.env.local', 'NEXTAUTH_SECRET');
  assert.ok(
    dupSection.includes(
      `  - [beta app/.env.local:${relLine}](${pathToFileURL(abs('beta app/.env.local')).href}#L${relLine}) beta uses the same NEXTAUTH_SECRET here`,
    ),
    dupSection,
  );
  assert.ok(dupSection.includes('Generate a new secret for alpha'));
  assert.ok(md.includes('#### (no app)'));
  assert.equal(editsCalled, 0);
  assertNoSecret(md);

  const clean = renderAuditReport({ roots: [dir], apps: [beta], findings: [], rules });
  assert.ok(clean.includes('No problems found.'));
  assert.ok(clean.includes('**1 app indexed**'));
});

test('report: code spans show their text (`-p <port>`), prose around them stays escaped', () => {
  const loc = find('alpha/package.json', '"next dev"');
  const f: Finding = {
    ruleId: 'implicit-port',
    severity: 'warning',
    message: 'Start it with `next dev -p <port>` or set `PORT` <b>not</b> & `a|b`',
    location: loc,
    related: [{ location: loc, message: 'run as ``echo `x` <y>``' }],
    appId: 'alpha',
    fixes: [{ title: 'Add `-p <port>`', edits: () => [] }],
  };
  const md = renderAuditReport({ roots: [dir], apps: [], findings: [f], rules });
  assert.ok(md.includes('Start it with `next dev -p <port>` or set `PORT` &lt;b&gt;not&lt;/b&gt; &amp; `a|b`'), md);
  assert.ok(md.includes('run as ``echo `x` <y>``'), md);
  assert.ok(md.includes('_Quick fix: Add `-p <port>`_'), md);
  assert.ok(!md.includes('&lt;port&gt;'), md);
  // An unclosed backtick opens no span: what follows is escaped.
  const odd = renderAuditReport({ roots: [dir], apps: [], findings: [{ ...f, message: 'a ` <b>', related: [], fixes: [] }], rules });
  assert.ok(odd.includes('a ` &lt;b&gt;'), odd);
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
