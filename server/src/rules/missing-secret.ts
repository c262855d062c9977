import * as path from 'node:path';
import type { App, EnvFile, Location, RelatedInfo, TextEditAt, WorkspaceView } from '../model/types';
import { LineIndex, ZERO_RANGE } from '../model/text';
import { fewNames, generateSecret, listNames } from '../facts/util';
import { appRule, type Report } from '../model/rule';
import { envFilesByPath } from '../facts/env';
import { nextAuthVersion } from '../facts/auth';
import { isTestFixture } from '../facts/secret-sharing';

/** The variables NextAuth falls back to when `secret` is not set: v4 `NEXTAUTH_SECRET`; v5 `AUTH_SECRET ?? NEXTAUTH_SECRET` (and AUTH_SECRET_1..3). */
function implicitSecretVars(version: 4 | 5): string[] {
  return version === 5 ? ['AUTH_SECRET', 'NEXTAUTH_SECRET', 'AUTH_SECRET_1', 'AUTH_SECRET_2', 'AUTH_SECRET_3'] : ['NEXTAUTH_SECRET'];
}

/**
 * The live env files the app loads into process.env: every live env file of its folder for Next.js (it loads
 * .env, .env.local, .env.[mode], .env.[mode].local itself); otherwise the files its scripts load (`--env-file`,
 * `dotenv -e`) and the files its code loads (`dotenv`, Nest `ConfigModule.forRoot`, default `.env`).
 * `known` resolves a path to an indexed env file anywhere in the workspace; `unseen` collects loaded paths outside the
 * app that Crosswire does not index (their content is unknown).
 */
export function loadedEnvFiles(app: App, known: { get(file: string): EnvFile | undefined }): { files: EnvFile[]; unseen: string[]; computed: boolean } {
  const live = app.envFiles.filter((f) => f.kind === 'live');
  if (app.framework === 'next') return { files: live.filter((f) => path.dirname(f.file) === app.dir), unseen: [], computed: false };
  const paths = new Set<string>();
  for (const l of app.listeners) for (const f of l.loadedEnvFiles) paths.add(path.resolve(app.dir, f));
  for (const c of app.code) {
    if (!c.loadsDotenv) continue;
    if (c.dotenvPaths.length) for (const p of c.dotenvPaths) paths.add(path.resolve(app.dir, p));
    else paths.add(path.join(app.dir, '.env'));
  }
  const files: EnvFile[] = [];
  const unseen: string[] = [];
  for (const p of paths) {
    const f = known.get(p);
    if (f) {
      if (f.kind === 'live' && !files.includes(f)) files.push(f);
    } else if (path.relative(app.dir, p).startsWith('..')) unseen.push(p);
  }
  return { files, unseen, computed: app.code.some((c) => c.loadsDotenv && c.dotenvPathUnknown) };
}

interface Need {
  /** Where the secret is read (or the NextAuth options that read it implicitly). */
  location: Location;
  /** Any of these variables supplies the secret. */
  vars: string[];
  /** What the code does, for the message: "reads JWT_SECRET to sign and verify JWTs". */
  subject: string;
  /** The variable a fix adds. */
  primary: string;
  /**
   * NextAuth v4 needs its secret only in production: in development it derives one from its options (warning
   * NO_SECRET). Judged against production env files only.
   */
  productionOnly?: boolean;
}

function definedIn(files: EnvFile[], app: App, key: string): boolean {
  for (const f of files) for (const e of f.entries) if (e.key === key && (e.expanded ?? e.value).trim()) return true;
  for (const p of app.pm2) for (const a of p.apps) if (a.env[key]?.value.trim() || a.envProduction[key]?.value.trim()) return true;
  return false;
}

function appendLine(index: WorkspaceView, file: string, line: string): TextEditAt | undefined {
  const text = index.textOf(file);
  if (text === undefined) return undefined;
  const end = new LineIndex(text).positionAt(text.length);
  const sep = text.length === 0 || /[\r\n]$/.test(text) ? '' : text.includes('\r\n') ? '\r\n' : '\n';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return { file, range: { start: end, end }, newText: `${sep}${line}${eol}` };
}

export const missingSecret = appRule({
  id: 'missing-secret',
  docs: {
    description:
      'An app signs tokens or sessions with NextAuth/Auth.js or JWT (Nest JwtModule, passport-jwt, jsonwebtoken), but no live env file it loads defines the secret.',
    url: 'docs/rules/missing-secret.md',
  },
  defaultSeverity: 'error',
  fixable: true,
  facts: ['env', 'code', 'package', 'listeners', 'pm2', 'envFilesByPath'],
  check(app, ctx) {
    const known = envFilesByPath(ctx.index);
    for (const r of appFindings(ctx.index, app, { get: (file) => known.get(file)?.file })) ctx.report(r);
  },
});

/** Where an app's code needs a signing secret from the environment: explicit reads, and NextAuth options without `secret`. */
function secretNeeds(app: App): Need[] {
  const needs: Need[] = [];
  let explicitNextAuth = false;
  for (const c of app.code) {
    for (const r of c.auth?.secretReads ?? []) {
      if (r.kind === 'session' || !r.envVar) continue; // literals and unknown expressions are not env reads
      const vars = [r.envVar, ...r.alternatives];
      if (r.kind === 'nextauth') {
        explicitNextAuth = true;
        // `secret ??= process.env.X`: NextAuth still falls back to its own variables when X is unset.
        for (const v of implicitSecretVars(nextAuthVersion(app, c.file) ?? 4)) if (!vars.includes(v)) vars.push(v);
      }
      const alts = r.alternatives.length ? ` (or ${listNames(r.alternatives)})` : '';
      const subject =
        r.kind === 'nextauth'
          ? `reads ${r.envVar}${alts} as its NextAuth secret${vars.length > 1 + r.alternatives.length ? ` (NextAuth falls back to ${listNames(vars.slice(1 + r.alternatives.length).filter((v) => !/_\d$/.test(v)))})` : ''}`
          : `reads ${r.envVar}${alts} to sign and verify JWTs`;
      const v4 = r.kind === 'nextauth' && (nextAuthVersion(app, c.file) ?? 4) === 4;
      needs.push({ location: { file: r.file, range: r.range }, vars, subject, primary: r.envVar, ...(v4 ? { productionOnly: true } : {}) });
    }
  }
  if (!explicitNextAuth) {
    // Options without `secret`: NextAuth reads its variable itself.
    for (const c of app.code) {
      for (const n of c.auth?.nextAuth ?? []) {
        const version = nextAuthVersion(app, c.file) ?? 4;
        const vars = implicitSecretVars(version);
        const subject =
          version === 5
            ? 'configures Auth.js (next-auth v5) without `secret`, so it reads AUTH_SECRET (or NEXTAUTH_SECRET)'
            : 'configures NextAuth v4 without `secret`, so it reads NEXTAUTH_SECRET';
        needs.push({ location: { file: n.file, range: n.range }, vars, subject, primary: vars[0], ...(version === 4 ? { productionOnly: true } : {}) });
      }
    }
  }
  return needs;
}

function appFindings(index: WorkspaceView, app: App, known: { get(file: string): EnvFile | undefined }): Report[] {
  const findings: Report[] = [];
  // An app without any live env file gets its environment from elsewhere (deployment, CI): nothing to check.
  // Committed test fixtures (`.env.test`, env files under `e2e/`...) do not count: they configure test runs.
  if (!app.envFiles.some((f) => f.kind === 'live' && !isTestFixture(app, f))) return findings;
  const needs = secretNeeds(app);
  if (!needs.length) return findings;
  const { files, unseen, computed } = loadedEnvFiles(app, known);
  if (unseen.length || computed) return findings; // it loads a file Crosswire cannot see, or one its code picks at run time
  for (const need of needs) {
    if (need.productionOnly && !files.some((f) => f.mode === 'production')) continue;
    if (need.vars.some((v) => definedIn(files, app, v))) continue;
    const shown = need.vars.filter((v) => !/^AUTH_SECRET_\d$/.test(v));
    const empty = files.some((f) => f.entries.some((e) => need.vars.includes(e.key)));
    const related: RelatedInfo[] = files.map((f) => ({
      location: { file: f.file, range: ZERO_RANGE },
      message: f.entries.some((e) => need.vars.includes(e.key))
        ? `${f.name} sets ${listNames(shown)} to an empty value`
        : `${f.name} is loaded and does not define ${listNames(shown)}`,
    }));
    for (const f of app.envFiles) {
      if (f.kind !== 'template') continue;
      for (const e of f.entries)
        if (need.vars.includes(e.key))
          related.push({ location: { file: f.file, range: e.range }, message: `${e.key} is listed in the template ${f.name}, which is never loaded` });
    }
    const loadedNames = files.map((f) => path.relative(app.dir, f.file).split(path.sep).join('/'));
    const where = loadedNames.length
      ? `no env file it loads (${fewNames(loadedNames, 2, ['file', 'files'])}) defines it${empty ? ' with a value' : ''}`
      : `it loads no env file (${fewNames(
          app.envFiles.filter((f) => f.kind === 'live').map((f) => f.name),
          2,
          ['file', 'files'],
        )} ${app.envFiles.filter((f) => f.kind === 'live').length === 1 ? 'is' : 'are'} never read)`;
    const target =
      files.find((f) => f.name === '.env' && path.dirname(f.file) === app.dir) ?? files.find((f) => f.mode === 'default' && path.dirname(f.file) === app.dir);
    findings.push({
      message: `${app.name} ${need.subject}, but ${where}.`,
      at: need.location,
      related,
      app: app,
      fixes: target
        ? [
            {
              kind: 'secret',
              title: `Add ${need.primary} to ${target.name} with a generated secret`,
              preferred: true,
              edits: () => {
                const e = appendLine(index, target.file, `${need.primary}="${generateSecret()}"`);
                return e ? [e] : [];
              },
            },
          ]
        : [],
    });
  }
  return findings;
}
