/**
 * The systems (facts/systems.ts) and the port collisions (facts/port-collisions.ts) keep what an edit did not
 * change: each app's links by port names, and the collisions of each port. These edits change what a kept value
 * was made from without changing the apps on the port: the reason two apps are linked (the first link is removed,
 * another one stays), the link itself, and the places naming the port. After each, the findings must equal those
 * of a fresh engine, and the message must give the reason that holds now.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../src/engine';
import type { Finding } from '../src/model/types';
import { byRule, makeWorkspace, pkg, withoutFactChecking } from './helpers/workspace';
import { setChecking } from '../src/facts/track';

const SECRET = 'k7Qp2LwN9vRt4KzB8mYc3HdF6jGs1AeU';
const SECRET2 = 'Zr5Tq8WmX2vN7bLc4HpJ9sKd3FgY6aQe';

function snapshot(findings: Finding[]): string[] {
  return findings.map(
    (f) =>
      `${f.ruleId}|${f.severity}|${f.location.file}:${f.location.range.start.line}|${f.message}|` +
      f.related.map((r) => `${r.location.file}:${r.location.range.start.line}:${r.message}`).join(','),
  );
}

test('port collisions follow the reason and the links of the apps on the port after each edit', async () => {
  // web and api want port 3000; they are linked only through hub (a database server with web, secrets with api),
  // which does not listen on 3000: edits of hub change the reason and the link without touching the port's servers.
  const ws = makeWorkspace({
    'web/package.json': pkg('web', { dev: 'next dev', start: 'next start' }, { next: '14.2.5', react: '18.3.1' }),
    'web/.env': 'DATABASE_URL=postgresql://u:p@localhost:5432/web\n',
    'api/package.json': pkg('api', { start: 'nest start', 'start:dev': 'nest start --watch' }, { '@nestjs/core': '10.0.0', '@nestjs/config': '3.0.0' }),
    'api/.env': `SESSION_SECRET=${SECRET}\nJWT_SECRET=${SECRET2}\nPORT=3000\n`,
    'api/src/app.module.ts':
      "import { ConfigModule } from '@nestjs/config';\n@Module({ imports: [ConfigModule.forRoot({ isGlobal: true })] })\nexport class AppModule {}\n",
    'api/src/main.ts':
      "import { NestFactory } from '@nestjs/core';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  await app.listen(process.env.PORT ?? 3000);\n}\nbootstrap();\n",
    'hub/package.json': pkg('hub', { dev: 'vite' }, { vite: '5.0.0' }),
    'hub/.env': `DATABASE_URL=postgresql://u:p@localhost:5432/hub\nSESSION_SECRET=${SECRET}\nJWT_SECRET=${SECRET2}\n`,
    'docs/package.json': pkg('docs', { dev: 'vite' }, { vite: '5.0.0' }),
    'docs/.env': 'VITE_API_URL=http://localhost:4000\n',
  });
  const engine = await Engine.create({ roots: [ws] });
  const reasons = () =>
    byRule(engine.findings(), 'port-collision')
      .flatMap((f) => f.related.map((r) => r.message))
      .join('\n');
  assert.match(reasons(), /share the value of SESSION_SECRET/, 'first the session secret links hub and api');
  const steps: [string, (t: string) => string, RegExp | undefined][] = [
    // The first link between hub and api goes, the second stays: the message must give the one that holds.
    ['hub/.env', (t) => t.replace(/SESSION_SECRET=.*\n/, ''), /share the value of JWT_SECRET/],
    // A third app names port 3000 (it is in the system of neither).
    ['docs/.env', (t) => t.replace('localhost:4000', 'localhost:3000'), /share the value of JWT_SECRET/],
    // hub leaves web's database server: nothing links web and api any more.
    ['hub/.env', (t) => t.replace('localhost:5432/hub', 'localhost:5433/hub'), undefined],
    // And comes back.
    ['hub/.env', (t) => t.replace('localhost:5433/hub', 'localhost:5432/hub'), /share the value of JWT_SECRET/],
    // An edit of a server on the port.
    ['api/.env', (t) => t.replace(`JWT_SECRET=${SECRET2}`, 'JWT_SECRET=another-secret-value-0123456789abcdef'), undefined],
  ];
  for (const [rel, edit, expected] of steps) {
    const file = path.join(ws, rel);
    const next = edit(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, next);
    engine.setOverlay(file, next);
    const fresh = await Engine.create({ roots: [ws] });
    assert.deepEqual(snapshot(engine.findings()), snapshot(fresh.findings()), `after editing ${rel}`);
    if (expected) assert.match(reasons(), expected, `after editing ${rel}`);
    else assert.equal(byRule(engine.findings(), 'port-collision').length, 0, `after editing ${rel}`);
  }
  fs.rmSync(ws, { recursive: true, force: true });
});

test('an edit that ends one port collision leaves the findings of another collision as they were (not published again; fact checking off, as for users)', async () => {
  // (with fact checking on, per-app memos are off, so each computation makes new collision objects everywhere)
  await withoutFactChecking(oneCollisionEnds);
});

async function oneCollisionEnds(): Promise<void> {
  // Two independent systems, each with a collision: web/api on 3000 (linked through hub) and web2/api2 on 3100
  // (linked through hub2). hub2 stops sharing its secrets with api2: only the second collision goes.
  const nest = (port: number) =>
    `import { NestFactory } from '@nestjs/core';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  await app.listen(process.env.PORT ?? ${port});\n}\nbootstrap();\n`;
  const files: Record<string, string> = {};
  for (const [n, port, db] of [
    ['', 3000, 5432],
    ['2', 3100, 5433],
  ] as const) {
    files[`web${n}/package.json`] = pkg(`web${n}`, { dev: `next dev -p ${port}`, start: `next start -p ${port}` }, { next: '14.2.5', react: '18.3.1' });
    files[`web${n}/.env`] = `DATABASE_URL=postgresql://u:p@localhost:${db}/web\n`;
    files[`api${n}/package.json`] = pkg(
      `api${n}`,
      { start: 'nest start', 'start:dev': 'nest start --watch' },
      { '@nestjs/core': '10.0.0', '@nestjs/config': '3.0.0' },
    );
    files[`api${n}/.env`] = `SESSION_SECRET=${SECRET}${n}\nPORT=${port}\n`;
    files[`api${n}/src/app.module.ts`] =
      "import { ConfigModule } from '@nestjs/config';\n@Module({ imports: [ConfigModule.forRoot({ isGlobal: true })] })\nexport class AppModule {}\n";
    files[`api${n}/src/main.ts`] = nest(port);
    files[`hub${n}/package.json`] = pkg(`hub${n}`, { dev: 'vite' }, { vite: '5.0.0' });
    files[`hub${n}/.env`] = `DATABASE_URL=postgresql://u:p@localhost:${db}/hub\nSESSION_SECRET=${SECRET}${n}\n`;
  }
  const ws = makeWorkspace(files);
  const engine = await Engine.create({ roots: [ws] });
  const collisionFiles = () => new Set(byRule(engine.findings(), 'port-collision').map((f) => path.relative(ws, f.location.file)));
  const both = ['api/.env', 'api2/.env', 'web/package.json', 'web2/package.json'].map((f) => path.join(...f.split('/')));
  assert.deepEqual([...collisionFiles()].sort(), both.sort(), 'both collisions are found');
  assert.equal(engine.takeChangedFiles(), 'all');

  const hub2 = path.join(ws, 'hub2', '.env');
  const next = fs.readFileSync(hub2, 'utf8').replace(/SESSION_SECRET=.*\n/, '');
  fs.writeFileSync(hub2, next);
  engine.setOverlay(hub2, next);
  const changed = engine.takeChangedFiles();
  assert.notEqual(changed, 'all');
  const rel = [...(changed as Set<string>)].map((f) => path.relative(ws, f));
  assert.ok(rel.includes(path.join('web2', 'package.json')), `the ended collision's files are published again: ${rel.join(', ')}`);
  assert.ok(!rel.some((f) => f.startsWith(`web${path.sep}`) || f.startsWith(`api${path.sep}`)), `the other collision's files are not: ${rel.join(', ')}`);
  assert.deepEqual([...collisionFiles()].sort(), [path.join('api', '.env'), path.join('web', 'package.json')].sort(), 'only the first collision is left');
  const fresh = await Engine.create({ roots: [ws] });
  assert.deepEqual(snapshot(engine.findings()), snapshot(fresh.findings()));
  fs.rmSync(ws, { recursive: true, force: true });
}

test('a rule run again over every app publishes only the files whose findings changed (fact checking off, as for users)', async () => {
  // web relies on Next.js's default port, which admin's API URL names (implicit-port). An edit of a third app's
  // secret changes the systems, which implicit-port reads for every app: it runs over every app again, finds the
  // same about web, and web's package.json must not be published again.
  const was = setChecking(false);
  const ws = makeWorkspace({
    'web/package.json': pkg('web', { dev: 'next dev' }, { next: '14.2.5', react: '18.3.1' }),
    'admin/package.json': pkg('admin', { dev: 'vite' }, { vite: '5.0.0' }),
    'admin/.env': 'VITE_API_URL=http://localhost:3000\n',
    'docs/package.json': pkg('docs', { dev: 'vite' }, { vite: '5.0.0' }),
    'docs/.env': `SESSION_SECRET=${SECRET}\n`,
  });
  try {
    const engine = await Engine.create({ roots: [ws] });
    const implicit = () => byRule(engine.findings(), 'implicit-port').map((f) => path.relative(ws, f.location.file));
    assert.deepEqual(implicit(), [path.join('web', 'package.json')]);
    assert.equal(engine.takeChangedFiles(), 'all');
    const file = path.join(ws, 'docs', '.env');
    const next = `SESSION_SECRET=${SECRET2}\n`;
    fs.writeFileSync(file, next);
    engine.setOverlay(file, next);
    const changed = engine.takeChangedFiles();
    assert.notEqual(changed, 'all');
    assert.deepEqual([...(changed as Set<string>)], [], 'nothing any finding is about changed');
    assert.deepEqual(implicit(), [path.join('web', 'package.json')], 'the finding is still there');
    const fresh = await Engine.create({ roots: [ws] });
    assert.deepEqual(snapshot(engine.findings()), snapshot(fresh.findings()));
  } finally {
    setChecking(was);
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

/**
 * Links by a shared secret or database server go from an app to the key's first holder (in app order), and the
 * systems keep each app's such links over an edit, updating those of every holder of a key the edited app had or has.
 * Three NestJS servers on port 3000, linked only by what they share: the first holder changes, a later app becomes
 * the first, an app moves to another database server and back. After each edit the findings (whose related
 * messages name the two apps of each link) equal a fresh engine's.
 */
async function firstHolderChanges(): Promise<void> {
  const files: Record<string, string> = {};
  for (const n of ['a', 'b', 'c']) {
    files[`api-${n}/package.json`] = pkg(`api-${n}`, { start: 'nest start' }, { '@nestjs/core': '10.0.0', '@nestjs/config': '3.0.0' });
    files[`api-${n}/src/app.module.ts`] =
      "import { ConfigModule } from '@nestjs/config';\n@Module({ imports: [ConfigModule.forRoot({ isGlobal: true })] })\nexport class AppModule {}\n";
    files[`api-${n}/src/main.ts`] =
      "import { NestFactory } from '@nestjs/core';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  await app.listen(process.env.PORT ?? 3000);\n}\nbootstrap();\n";
  }
  files['api-a/.env'] = `JWT_SECRET=${SECRET}\nPORT=3000\n`;
  files['api-b/.env'] = `JWT_SECRET=${SECRET}\nPORT=3000\n`;
  files['api-c/.env'] = `JWT_SECRET=${SECRET}\nDATABASE_URL=postgresql://u:p@localhost:5432/c\nPORT=3000\n`;
  const ws = makeWorkspace(files);
  const engine = await Engine.create({ roots: [ws] });
  const related = () =>
    byRule(engine.findings(), 'port-collision')
      .flatMap((f) => f.related.map((r) => r.message))
      .filter((m) => /share the value|use the database server/.test(m));
  assert.ok(
    related().some((m) => /api-a and api-c share the value of JWT_SECRET/.test(m)),
    related().join('\n'),
  );
  const steps: [string, (t: string) => string, RegExp | undefined][] = [
    // api-a, the first holder, takes another value: api-b is now the first, and api-c links to it.
    ['api-a/.env', (t) => t.replace(SECRET, SECRET2), /api-b and api-c share the value of JWT_SECRET/],
    // api-c takes api-a's new value: api-c links to api-a, and api-b is linked to neither.
    ['api-c/.env', (t) => t.replace(SECRET, SECRET2), /api-a and api-c share the value of JWT_SECRET/],
    // api-b joins api-c's database server: api-b is that server's first user now.
    ['api-b/.env', (t) => `${t}DATABASE_URL=postgresql://u:p@localhost:5432/b\n`, /api-b and api-c use the database server/],
    // and leaves it again; api-a takes the first value back.
    ['api-b/.env', (t) => t.replace(/DATABASE_URL=.*\n/, ''), undefined],
    ['api-a/.env', (t) => t.replace(SECRET2, SECRET), /api-a and api-b share the value of JWT_SECRET/],
  ];
  for (const [rel, edit, expected] of steps) {
    const file = path.join(ws, rel);
    const next = edit(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, next);
    engine.setOverlay(file, next);
    const now = snapshot(engine.findings());
    const fresh = await Engine.create({ roots: [ws] });
    assert.deepEqual(now, snapshot(fresh.findings()), `after editing ${rel}`);
    if (expected)
      assert.ok(
        related().some((m) => expected.test(m)),
        `after editing ${rel}: ${related().join('\n')}`,
      );
  }
  fs.rmSync(ws, { recursive: true, force: true });
}

test('links by a shared secret or database server follow their first holder over edits', firstHolderChanges);

test('links by a shared secret or database server follow their first holder over edits (fact checking off, as for users)', async () => {
  await withoutFactChecking(firstHolderChanges);
});
