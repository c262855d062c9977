/**
 * The code and auth readers (parsers/code.ts, parsers/auth.ts) on Babel's syntax tree: the shapes where Babel's tree
 * differs from the TypeScript compiler's, which the readers were first written for, and where a reader could miss a
 * fact without an error: optional chaining (its own node kinds), `satisfies` / `as` / `!` around a value, decorators
 * on parameters and on computed class members, and syntax errors (a file Babel cannot read at all, one it recovers
 * from).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseCode } from '../src/parsers/code';

function read(text: string, name = 'src/main.ts'): ReturnType<typeof parseCode> {
  return parseCode(text, path.join('/tmp/app', name));
}

/** The 0-based line a range starts on. */
const lineOf = (r: { start: { line: number } }) => r.start.line;

test('code parser (Babel): optional chaining reads env variables, listen calls and config reads', () => {
  const info = read(
    [
      'const port = Number(process.env?.PORT ?? 3000);',
      'app?.listen(port);',
      "server?.listen?.(process.env?.['API_PORT'] || 4000);",
      "const url = config?.get?.('API_URL', 'http://localhost:5000/api');",
      "const ws = import.meta.env?.VITE_WS ?? 'ws://localhost:8080';",
    ].join('\n'),
  );
  assert.deepEqual(
    info.listens.map((l) => ({ line: lineOf(l.range), envVar: l.envVar, fallback: l.fallback })),
    [
      { line: 1, envVar: 'PORT', fallback: 3000 },
      { line: 2, envVar: 'API_PORT', fallback: 4000 },
    ],
  );
  assert.deepEqual(
    info.defaults.map((d) => [d.key, d.value]),
    [
      ['API_URL', 'http://localhost:5000/api'],
      ['VITE_WS', 'ws://localhost:8080'],
    ],
  );
});

test('code parser (Babel): values inside satisfies, as and ! are read through', () => {
  const info = read(
    [
      'const config = { port: (process.env.PORT as string | undefined) ?? 3001 } satisfies ServerConfig;',
      'app.listen(config.port);',
      'const pool = new Pool({ max: 5 as number, connectionString: process.env.DATABASE_URL! });',
      "export const api = (process.env.API_URL! satisfies string) || 'http://localhost:4000';",
    ].join('\n'),
  );
  assert.deepEqual(
    info.listens.map((l) => [l.envVar, l.fallback]),
    [['PORT', 3001]],
  );
  assert.deepEqual(
    info.driverPools.map((p) => [p.kind, p.max, p.connectionEnvVar]),
    [['pg-pool', 5, 'DATABASE_URL']],
  );
  assert.deepEqual(
    info.defaults.map((d) => [d.key, d.value]),
    [['API_URL', 'http://localhost:4000']],
  );
});

test('code parser (Babel): a NestJS file with parameter decorators and decorated computed members is read whole', () => {
  const text = [
    "import { Body, Controller, Inject, Post } from '@nestjs/common';",
    "import { ConfigService } from '@nestjs/config';",
    "const KEY = 'handler';",
    "@Controller('auth')",
    'export class AuthController {',
    '  constructor(@Inject(ConfigService) private readonly config: ConfigService) {}',
    '  @Post()',
    '  login(@Body() body: LoginDto) {',
    "    return this.config.get<string>('API_URL') ?? 'http://localhost:3333';",
    '  }',
    "  @Throttle() [KEY] = process.env.FEATURE || 'off';",
    "  @Get() ['status']() { return this.config.get('STATUS_PORT', '8081'); }",
    '}',
    "app.use(cookieParser()); res.cookie('session_id', id, { httpOnly: true, secure: true });",
  ].join('\n');
  const info = read(text, 'src/auth.controller.ts');
  assert.deepEqual(info.problems, [], 'parameter decorators are accepted, as TypeScript accepts them');
  assert.deepEqual(
    info.defaults.map((d) => [d.key, d.value, lineOf(d.range)]),
    [
      ['API_URL', 'http://localhost:3333', 8],
      ['FEATURE', 'off', 10],
      ['STATUS_PORT', '8081', 11],
    ],
  );
  assert.deepEqual(
    info.auth?.cookies.map((c) => [c.name, c.session, c.httpOnly?.value, c.secure?.value]),
    [['session_id', true, true, true]],
  );
});

test('code parser (Babel): auth facts through satisfies and optional calls', () => {
  const text = [
    "import NextAuth, { type NextAuthConfig } from 'next-auth';",
    "import jwt from 'jsonwebtoken';",
    'export const authConfig = {',
    '  providers: [],',
    '  secret: process.env.AUTH_SECRET ?? process.env.NEXTAUTH_SECRET,',
    "  session: { strategy: 'jwt' },",
    '} satisfies NextAuthConfig;',
    'export const { handlers, auth } = NextAuth(authConfig);',
    'jwt?.sign({ sub: 1 }, process.env.JWT_SECRET!);',
  ].join('\n');
  const info = read(text, 'src/auth.ts');
  assert.deepEqual(
    info.auth?.nextAuth.map((n) => [n.version, n.sessionStrategy, lineOf(n.range)]),
    [[5, 'jwt', 2]],
  );
  assert.deepEqual(
    info.auth?.secretReads.map((s) => [s.kind, s.envVar, s.alternatives, s.use]),
    [
      ['nextauth', 'AUTH_SECRET', ['NEXTAUTH_SECRET'], 'both'],
      ['jwt', 'JWT_SECRET', [], 'sign'],
    ],
  );
});

test('code parser (Babel): a file Babel cannot read at all gives a syntax error and no facts, without throwing', () => {
  const info = read("app.listen(3000);\nconst x = {;\nexport const api = process.env.API_URL ?? 'http://localhost:4000';\n");
  assert.equal(info.problems.length, 1);
  assert.match(info.problems[0].message, /^Syntax error: .+ \(Crosswire could not read this file\)$/);
  assert.equal(lineOf(info.problems[0].range), 1);
  assert.deepEqual([info.listens, info.defaults, info.urlLiterals, info.auth], [[], [], undefined, undefined]);
});

test('code parser (Babel): a syntax error Babel recovers from is reported and the rest of the file is still read', () => {
  const info = read("const missing;\napp.listen(process.env.PORT || 3000);\nexport const api = process.env.API_URL ?? 'http://localhost:4000';\n");
  assert.equal(info.problems.length, 1);
  assert.match(info.problems[0].message, /^Syntax error: .+ \(Crosswire read what it could of this file\)$/);
  assert.equal(lineOf(info.problems[0].range), 0);
  assert.deepEqual(
    info.listens.map((l) => [l.envVar, l.fallback]),
    [['PORT', 3000]],
  );
  assert.deepEqual(
    info.defaults.map((d) => [d.key, d.value]),
    [['API_URL', 'http://localhost:4000']],
  );
});
