/**
 * Property-based tests (fast-check): `schema.prisma`, `auth.ts` and `package.json` with random
 * truncations and garbage.
 * - The parsers never throw.
 * - In the engine, on a copy of test-workspace (plus two "sentinel" apps whose findings involve no
 *   other app), a broken file yields at most diagnostics on itself (parse-error, or what the
 *   recovered part still says), nothing fails, and every finding of another file that does not
 *   involve the broken file's app stays exactly the same.
 * Runs: see helpers/fuzz.ts (CROSSWIRE_FUZZ_RUNS scales them all: by default 1000 parser runs, 200 engine runs
 * on open-document text and 30 on disk).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { Engine } from '../src/engine';
import type { Finding, Logger } from '../src/model/types';
import { parsePrismaSchema } from '../src/parsers/prisma';
import { parseCode } from '../src/parsers/code';
import { parsePackageJson } from '../src/parsers/packageJson';
import { fuzzParams, runProperty, runPropertyAsync } from './helpers/fuzz';
import { systems } from '../src/facts/systems';
import { identity } from '../src/facts/util';
import { REPO_ROOT } from './helpers/files';

const SOURCE_WS = path.join(REPO_ROOT, 'test-workspace');

// ------------------------------------------------------------------------------------------------
// mutations

const GARBAGE = [
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '`',
  '\\',
  '\0',
  '\r',
  '\n',
  '/*',
  '*/',
  '//',
  '${',
  '`${',
  '\ud800',
  '\uffff',
  '\ufeff',
  '=',
  ':',
  ',',
  'datasource db {',
  'url = env("',
  'provider = ',
  'connection_limit = 10',
  'process.env.',
  'export default {',
  '"scripts": {',
  '"dev": "next dev -p',
  'NextAuth({',
  'secret:',
  '.listen(',
  '@@',
  'generator',
  'model X {',
  '\u2028',
  '😀',
  '\u0000\u0001\u0002',
];

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'replace'; at: number; len: number; text: string }
  | { kind: 'duplicate'; at: number; len: number };

const garbage = fc.oneof(fc.constantFrom(...GARBAGE), fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ maxLength: 30 }));
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: garbage }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }), text: garbage }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 80 }) }),
);
const mutations = fc.array(mutation, { minLength: 1, maxLength: 3 });

function mutate(text: string, ms: Mutation[]): string {
  let t = text;
  for (const m of ms) {
    const at = t.length === 0 ? 0 : m.at % (t.length + 1);
    switch (m.kind) {
      case 'truncate':
        t = t.slice(0, at);
        break;
      case 'insert':
        t = t.slice(0, at) + m.text + t.slice(at);
        break;
      case 'delete':
        t = t.slice(0, at) + t.slice(at + m.len);
        break;
      case 'replace':
        t = t.slice(0, at) + m.text + t.slice(at + m.len);
        break;
      case 'duplicate':
        t = t.slice(0, at + m.len) + t.slice(at, at + m.len) + t.slice(at + m.len);
        break;
    }
  }
  return t;
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return ['node_modules', '.next', '.git'].includes(e.name) ? [] : walk(p);
    return [p];
  });
}

const isTarget = (f: string) => path.basename(f) === 'schema.prisma' || path.basename(f) === 'auth.ts' || path.basename(f) === 'package.json';

// ------------------------------------------------------------------------------------------------

test('fuzz: the Prisma, TS/JS and package.json parsers never throw on truncated or garbled files', () => {
  const targets = walk(SOURCE_WS).filter(isTarget);
  assert.ok(targets.some((f) => f.endsWith('schema.prisma')) && targets.some((f) => f.endsWith('auth.ts')) && targets.some((f) => f.endsWith('package.json')));
  const texts = targets.map((f) => ({ f, text: fs.readFileSync(f, 'utf8') }));
  runProperty(
    fc.property(fc.nat(texts.length - 1), mutations, fc.constantFrom(undefined, 5, 6, 7), (i, ms, major) => {
      const { f, text } = texts[i];
      const broken = mutate(text, ms);
      const base = path.basename(f);
      if (base === 'schema.prisma') {
        const r = parsePrismaSchema(broken, f, major);
        for (const p of r.problems) assert.ok(p.message.length > 10);
      } else if (base === 'auth.ts') {
        parseCode(broken, f);
        parseCode(broken, f.replace(/\.ts$/, '.js'));
      } else {
        const r = parsePackageJson(broken, f);
        for (const p of r.problems) assert.ok(p.message.length > 10);
      }
    }),
    fuzzParams(1000),
  );
});

// ------------------------------------------------------------------------------------------------

/**
 * A finding as a comparable string. Fix titles with their numbers masked (a suggested free port
 * depends on every port in the workspace), never fix edits (they may hold fresh random secrets).
 */
function key(f: Finding): string {
  return JSON.stringify([
    f.ruleId,
    f.severity,
    f.message,
    f.location,
    f.related.map((r) => [r.location, r.message]),
    f.fixes.map((x) => x.title.replace(/\d+/g, 'N')),
  ]);
}

/** Where a finding is: its rule and location. */
function site(f: Finding): string {
  return JSON.stringify([f.ruleId, f.location]);
}

function inside(dir: string, file: string): boolean {
  return file === dir || file.startsWith(dir + path.sep);
}

function multiset(list: Finding[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of list) m.set(key(f), (m.get(key(f)) ?? 0) + 1);
  return m;
}

describe('fuzz: a broken file changes nothing outside its app', { timeout: 120_000 }, () => {
  let ws: string;
  let engine: Engine;
  let baseline: Finding[];
  /** App dir -> the other app dirs of its system (rules/systems.ts) in the unbroken workspace. */
  let baselineSystems: Map<string, Set<string>>;
  const logs: { level: string; message: string }[] = [];
  let targets: { file: string; text: string; appDir: string }[] = [];
  /** app folder -> the ports its servers listened on before any file was broken. */
  const servedPorts = new Map<string, Set<number>>();

  before(async () => {
    const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-fuzz-')));
    ws = path.join(tmp, 'test-workspace');
    fs.cpSync(SOURCE_WS, ws, { recursive: true });
    // Two sentinel apps whose findings involve no test-workspace app: a rule that fails or loses
    // its findings because of a broken file elsewhere shows up here.
    for (const name of ['sentinel-one', 'sentinel-two']) {
      const dir = path.join(ws, name);
      fs.mkdirSync(path.join(dir, 'prisma'), { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'package.json'),
        JSON.stringify(
          {
            name,
            private: true,
            scripts: { dev: 'vite --port 4600 --strictPort' },
            dependencies: { vite: '^5.4.0', '@prisma/client': '^5.22.0' },
            devDependencies: { prisma: '^5.22.0' },
          },
          null,
          2,
        ) + '\n',
      );
      fs.writeFileSync(
        path.join(dir, '.env'),
        'SENTINEL_SECRET="sentinel-shared-secret-value-000111"\nDATABASE_URL="postgresql://app:pw@db.sentinel.internal:5432/' + name.replace('-', '_') + '"\n',
      );
      fs.writeFileSync(
        path.join(dir, 'prisma', 'schema.prisma'),
        'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\ngenerator client {\n  provider = "prisma-client-js"\n}\n',
      );
    }
    const capture = (level: string) => (message: string) => void logs.push({ level, message });
    const logger: Logger = { info: capture('info'), warn: capture('warn'), error: capture('error'), debug: capture('debug') };
    engine = await Engine.create({ roots: [ws], logger });
    baseline = engine.findings();
    baselineSystems = systemPeers();
    const sentinel = baseline.filter((f) => inside(path.join(ws, 'sentinel-one'), f.location.file));
    for (const rule of ['duplicate-secret', 'port-collision', 'missing-connection-limit']) {
      assert.ok(
        sentinel.some((f) => f.ruleId === rule),
        `the sentinel has a ${rule} finding: ${sentinel.map((f) => f.ruleId).join(', ')}`,
      );
    }
    const appDirs = engine
      .apps()
      .map((a) => a.dir)
      .sort((a, b) => b.length - a.length);
    for (const a of engine.apps()) servedPorts.set(a.dir, new Set(a.listeners.map((l) => l.port)));
    targets = walk(ws)
      .filter(isTarget)
      .map((file) => ({ file, text: fs.readFileSync(file, 'utf8'), appDir: appDirs.find((d) => inside(d, file)) ?? path.dirname(file) }));
    assert.ok(targets.length >= 15, `targets: ${targets.length}`);
  });

  after(() => fs.rmSync(path.dirname(ws), { recursive: true, force: true }));

  /** For each app folder, the folders of the apps in its system (which servers run together follows from the system). */
  function systemPeers(): Map<string, Set<string>> {
    const sys = systems(engine.index);
    const byComp = new Map<string, Set<string>>();
    for (const a of engine.apps()) {
      const c = sys.component.get(identity(a))!;
      const set = byComp.get(c) ?? new Set<string>();
      set.add(a.dir);
      byComp.set(c, set);
    }
    return new Map(engine.apps().map((a) => [a.dir, byComp.get(sys.component.get(identity(a))!)!]));
  }

  function check(target: { file: string; text: string; appDir: string }, broken: string): void {
    const now = engine.findings();
    // Which servers run together is decided per system (apps linked by URLs, database servers, secrets): a broken app
    // can join or leave a system, so port findings in its system, before or after, involve it.
    const peers = new Set([...(baselineSystems.get(target.appDir) ?? []), ...(systemPeers().get(target.appDir) ?? [])]);
    const inItsSystem = (f: Finding) => (f.ruleId === 'port-collision' || f.ruleId === 'implicit-port') && [...peers].some((d) => inside(d, f.location.file));
    assert.deepEqual(
      logs.filter((l) => l.level === 'error').map((l) => l.message),
      [],
      'no parser or rule failed',
    );
    // A broken package.json or server file can take the app's server away: another app's URL or CORS origin that
    // pointed at it then points at nothing. Such a finding cannot name the broken app (it is about its absence),
    // so it counts as involving the app when the port it names was one the app served.
    // (the ports it serves before the break, and after: a broken script can also start a server on another port)
    const served = new Set([
      ...(servedPorts.get(target.appDir) ?? []),
      ...(engine
        .apps()
        .find((a) => a.dir === target.appDir)
        ?.listeners.map((l) => l.port) ?? []),
    ]);
    // Likewise, since issue 10, which servers run together follows from the URLs that name them: when the broken app no
    // longer serves a port, a URL naming that port may link other apps (port-collision, implicit-port on that port).
    const aboutItsServer = (f: Finding) =>
      ['dangling-service-url', 'cors-origin-mismatch', 'port-collision', 'implicit-port'].includes(f.ruleId) &&
      [...f.message.matchAll(/(?::|port )(\d{2,5})\b/g)].some((m) => served.has(Number(m[1])));
    const involves = (f: Finding) =>
      inside(target.appDir, f.location.file) || f.related.some((r) => inside(target.appDir, r.location.file)) || aboutItsServer(f) || inItsSystem(f);
    // A site (rule + location) is exempt when a finding there, before or after, involves the broken file's app.
    const exempt = new Set([...baseline, ...now].filter(involves).map(site));
    const outside = (list: Finding[]) => list.filter((f) => !exempt.has(site(f)));
    assert.deepEqual(multiset(outside(now)), multiset(outside(baseline)), `findings outside ${path.relative(ws, target.appDir)} changed`);
    const lines = broken.split(/\r\n|\r|\n/);
    const known = new Set(engine.rules.map((r) => r.id));
    for (const f of now.filter(involves)) {
      assert.ok(known.has(f.ruleId), f.ruleId);
      assert.ok(typeof f.message === 'string' && f.message.length > 10, `a clear message: ${f.message}`);
      if (f.location.file === target.file) {
        const r = f.location.range;
        assert.ok(r.start.line >= 0 && r.start.line < lines.length + 1 && r.end.line < lines.length + 1, `range inside the broken file: ${JSON.stringify(r)}`);
      }
    }
    if (broken === target.text) assert.deepEqual(multiset(now), multiset(baseline));
  }

  test('open-document text (overlays): garbled schema.prisma / auth.ts / package.json', () => {
    runProperty(
      fc.property(fc.nat(targets.length - 1), mutations, (i, ms) => {
        const target = targets[i];
        const broken = mutate(target.text, ms);
        try {
          engine.setOverlay(target.file, broken);
          check(target, broken);
        } finally {
          engine.setOverlay(target.file, undefined);
        }
      }),
      fuzzParams(3000, 15),
    );
    assert.deepEqual(multiset(engine.findings()), multiset(baseline), 'back to the baseline');
  });

  test('files on disk: garbled and refreshed, then restored', async () => {
    await runPropertyAsync(
      fc.asyncProperty(fc.nat(targets.length - 1), mutations, async (i, ms) => {
        const target = targets[i];
        const broken = mutate(target.text, ms);
        fs.writeFileSync(target.file, broken);
        try {
          await engine.refreshFromDisk(target.file);
          check(target, broken);
        } finally {
          fs.writeFileSync(target.file, target.text);
          await engine.refreshFromDisk(target.file);
        }
      }),
      fuzzParams(3000, 100),
    );
    assert.deepEqual(multiset(engine.findings()), multiset(baseline), 'back to the baseline');
  });
});
