import type { App, EnvEntry, Fix, WorkspaceView } from '../model/types';
import { mask } from '../model/mask';
import { resolveEnv } from '../facts/datasources';
import { envLocation, fewNames, identity, isLocalHost, label, MAX_RELATED, replaceEnvValue } from '../facts/util';
import { isSecretKey, isSecretValue } from '../facts/secrets';
import { isOutsideCredential, isTestFixture, sharingGroups, type SharingGroup } from '../facts/secret-sharing';
import { urlParts, type UrlParts } from '../facts/replicas';
import { groupRule, type Report } from '../model/rule';

function joinUrl(p: UrlParts): string {
  return `${p.scheme}${p.userinfo}${p.hostport}${p.path}${p.rest}`;
}

const DB_DEFAULT_PORTS: Record<string, string> = {
  postgresql: '5432',
  postgres: '5432',
  mysql: '3306',
  cockroachdb: '26257',
  mongodb: '27017',
  'mongodb+srv': '27017',
};

interface SharedValue {
  key: string;
  /** What is compared, for messages. */
  what: string;
  /** The compared value of an entry, or undefined when it does not take part. */
  project(value: string): string | undefined;
  /** How a value is shown: never a secret, never a credential. */
  show(projected: string): string;
  /** The new raw value of `target` once it takes the compared part of `source`, or undefined when no safe edit exists. */
  copy(target: EnvEntry, source: EnvEntry): string | undefined;
  why: string;
}

/** The whole value, copied as is (only when no `${VAR}` expansion is involved). */
function copyWhole(_target: EnvEntry, source: EnvEntry): string | undefined {
  if (source.value !== (source.expanded ?? source.value)) return undefined;
  return source.value;
}

function secretValue(key: string, why: string): SharedValue {
  return { key, what: key, project: (v) => (v.trim() ? v : undefined), show: (v) => mask(v), copy: copyWhole, why };
}

const SESSION_WHY =
  'Replicas must share it: a session cookie encrypted on one server cannot be decrypted on the other ("JWT_SESSION_ERROR: decryption operation failed"), so users are logged out whenever they move between servers.';

const dbName = (v: string) => {
  const p = urlParts(v);
  if (!p || !/^(postgres(ql)?|mysql|cockroachdb|mongodb(\+srv)?|sqlserver):\/\/$/i.test(p.scheme)) return undefined;
  const name = p.path.replace(/^\//, '');
  if (!name) return undefined;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
};

const dbServer = (v: string) => {
  const p = urlParts(v);
  if (!p || !/^(postgres(ql)?|mysql|cockroachdb|mongodb(\+srv)?|sqlserver):\/\/$/i.test(p.scheme) || !p.host) return undefined;
  // A local database is each machine's own: "localhost" on two servers names two servers, and is not compared.
  if (isLocalHost(p.host)) return undefined;
  const scheme = p.scheme.slice(0, -3).toLowerCase();
  return `${p.host.toLowerCase()}:${p.port || DB_DEFAULT_PORTS[scheme] || ''}`;
};

/** The values replicas of one app must share (the story “One app on two servers”). */
export const SHARED_VALUES: readonly SharedValue[] = [
  secretValue('NEXTAUTH_SECRET', SESSION_WHY),
  secretValue('AUTH_SECRET', SESSION_WHY),
  secretValue(
    'SYNC_REGISTRATION_KEY',
    'Replicas must share it: the sync peers authenticate each other with it, so servers with different keys never discover each other.',
  ),
  {
    key: 'SYNC_SERVICE_PORT',
    what: 'SYNC_SERVICE_PORT',
    project: (v) => (v.trim() ? v.trim() : undefined),
    show: (v) => v,
    copy: copyWhole,
    why: 'Replicas must share it: each server connects to its peers on this port.',
  },
  {
    key: 'DATABASE_URL',
    what: "DATABASE_URL's database name",
    project: dbName,
    show: (v) => `database "${v}"`,
    copy: (target, source) => {
      if (target.value !== (target.expanded ?? target.value) || source.value !== (source.expanded ?? source.value)) return undefined;
      const t = urlParts(target.value);
      const s = urlParts(source.value);
      return t && s && s.path ? joinUrl({ ...t, path: s.path }) : undefined;
    },
    why: 'Replicas of one app must work on the same database (or synced copies of it); with different database names they serve different data.',
  },
  {
    key: 'DATABASE_URL',
    what: "DATABASE_URL's server",
    project: dbServer,
    show: (v) => `server ${v}`,
    copy: (target, source) => {
      if (target.value !== (target.expanded ?? target.value) || source.value !== (source.expanded ?? source.value)) return undefined;
      const t = urlParts(target.value);
      const s = urlParts(source.value);
      return t && s ? joinUrl({ ...t, hostport: s.hostport }) : undefined;
    },
    why: 'Replicas of one app must use the same database server (or synced copies of it); otherwise each server sees different data.',
  },
];

interface Site {
  app: App;
  entry: EnvEntry;
  value: string;
}

/** Every live default/development entry of `key` in `app` whose compared value is `value` (e.g. both `.env` and `.env.local`). */
function entriesHolding(app: App, spec: SharedValue, value: string): EnvEntry[] {
  const out: EnvEntry[] = [];
  for (const f of app.envFiles) {
    if (f.kind !== 'live' || (f.mode !== 'default' && f.mode !== 'development')) continue;
    for (const e of f.entries) if (e.key === spec.key && spec.project(e.expanded ?? e.value) === value) out.push(e);
  }
  return out;
}

export const replicaDrift = groupRule<null>({
  id: 'replica-drift',
  docs: {
    description:
      'Replicas of one app (the same app on several servers) disagree on a value they must share: NEXTAUTH_SECRET/AUTH_SECRET, SYNC_REGISTRATION_KEY, SYNC_SERVICE_PORT, the database of DATABASE_URL; or apps that must share a secret (a token signer and its verifier, a sharedSecrets group) hold different ones.',
    url: 'docs/rules/replica-drift.md',
  },
  defaultSeverity: 'error',
  fixable: true,
  facts: ['env', 'secretSharing'],
  // One group per replica key (replicas of one app), and one per sharing group (apps that must share a secret).
  groupBy(app, { index }) {
    const out: [string, null][] = [[`replicas\0${app.replicaKey}`, null]];
    sharingGroups(index).forEach((g, i) => {
      // (A verifier paired with a signer under different key names only excuses the same value: it is no evidence that the two must agree.)
      if (!g.keys && g.identities.has(identity(app))) out.push([`sharing\0${i}`, null]);
    });
    return out;
  },
  check(key, members, ctx) {
    const index = ctx.index;
    const group = members.map((m) => m.app);
    if (key.startsWith('sharing\0')) {
      const g = sharingGroups(index)[Number(key.slice(8))];
      if (g) for (const r of sharedSecretDrift(index, g, group)) ctx.report(r);
      return;
    }
    if (group.length < 2) return;

    for (const spec of SHARED_VALUES) {
      // The value each replica really uses: the highest-precedence live file that defines the key.
      const sites: Site[] = [];
      for (const app of group) {
        const entry = resolveEnv(app, spec.key);
        if (!entry) continue;
        const value = spec.project(entry.expanded ?? entry.value);
        if (value !== undefined) sites.push({ app, entry, value });
      }
      const byValue = new Map<string, Site[]>();
      for (const s of sites) {
        let l = byValue.get(s.value);
        if (!l) byValue.set(s.value, (l = []));
        l.push(s);
      }
      if (byValue.size < 2) continue;
      const ranked = [...byValue.entries()].sort((a, b) => b[1].length - a[1].length);
      const majority = ranked[0][1].length > ranked[1][1].length ? ranked[0][0] : undefined;
      for (const s of sites) {
        if (s.value === majority) continue;
        const others = sites.filter((o) => o.value !== s.value);
        const sources = majority !== undefined ? [byValue.get(majority)![0]] : [...byValue.entries()].filter(([v]) => v !== s.value).map(([, l]) => l[0]);
        const fixes: Fix[] = [];
        for (const src of sources) {
          const newValue = spec.copy(s.entry, src.entry);
          if (newValue === undefined) continue;
          fixes.push({
            kind: 'judgement',
            title: `Copy ${spec.what} from ${label(index, src.app)}`,
            preferred: majority !== undefined,
            edits: () =>
              entriesHolding(s.app, spec, s.value).flatMap((e) => {
                const v = spec.copy(e, src.entry);
                return v === undefined ? [] : [replaceEnvValue(e, v)];
              }),
          });
        }
        const there =
          others.length === 1
            ? `${spec.show(others[0].value)} on its replica in ${others[0].app.id}`
            : `differs on its replicas in ${fewNames(
                others.map((o) => o.app.id),
                2,
                ['replica', 'replicas'],
              )}`;
        ctx.report({
          message: `${spec.what} of ${s.app.name} is ${spec.show(s.value)} here but ${there}${majority !== undefined ? ` (most use ${spec.show(majority)})` : ''}.`,
          at: envLocation(s.entry),
          related: others
            .slice(0, MAX_RELATED)
            .map((o) => ({ location: envLocation(o.entry), message: `${spec.key} of ${label(index, o.app)} (${spec.show(o.value)})` })),
          app: s.app,
          fixes,
        });
      }
    }
  },
});

/** The secret an app really uses for `key`: its highest-precedence live development entry, unless a test fixture. */
function secretEntry(app: App, key: string): EnvEntry | undefined {
  const e = resolveEnv(app, key);
  if (!e) return undefined;
  const f = app.envFiles.find((x) => x.file === e.file);
  if (f && isTestFixture(app, f)) return undefined;
  return isSecretValue(e.expanded ?? e.value) ? e : undefined;
}

/**
 * Apps that must share a secret (a signer and the app that verifies its tokens, or a `sharedSecrets` group) but hold
 * different values: tokens one issues are rejected by the other. Apps that do not define the key are left out
 * (their value may come from the process environment).
 */
function sharedSecretDrift(index: WorkspaceView, g: SharingGroup, apps: App[]): Report[] {
  const keys = new Set<string>();
  if (g.key) keys.add(g.key);
  else
    for (const a of apps)
      for (const f of a.envFiles) if (f.kind === 'live') for (const e of f.entries) if (isSecretKey(e.key) && !isOutsideCredential(e.key)) keys.add(e.key);
  const findings: Report[] = [];
  for (const key of keys) {
    const sites: Site[] = [];
    for (const app of apps) {
      const entry = secretEntry(app, key);
      if (entry) sites.push({ app, entry, value: entry.expanded ?? entry.value });
    }
    // Compared between apps, not between replicas of one app (that is the replica rule above).
    const perIdentity = new Map<string, Set<string>>();
    for (const s of sites) {
      let v = perIdentity.get(identity(s.app));
      if (!v) perIdentity.set(identity(s.app), (v = new Set()));
      v.add(s.value);
    }
    if (perIdentity.size < 2 || new Set(sites.map((s) => s.value)).size < 2) continue;
    for (const s of sites) {
      const others = sites.filter((o) => identity(o.app) !== identity(s.app) && o.value !== s.value);
      if (!others.length) continue;
      const codeSites = g.uses;
      findings.push({
        message: `${key} of ${label(index, s.app)} is ${mask(s.value)}, but ${fewNames(
          others.map((o) => `${label(index, o.app)} has ${mask(o.value)}`),
          1,
          ['app', 'apps'],
        )}, and they must share it.`,
        at: envLocation(s.entry),
        related: [
          ...others.map((o, i) => ({
            location: envLocation(o.entry),
            message: `${key} of ${label(index, o.app)} (${mask(o.value)})${i === 0 ? `: shared because ${g.why}` : ''}`,
          })),
          ...codeSites.slice(0, 10).map((u) => ({ location: u.location, message: `${u.appName} ${u.what} (${u.key})` })),
        ],
        app: s.app,
        fixes: others.slice(0, 1).flatMap((src) => {
          const v = copyWhole(s.entry, src.entry);
          if (v === undefined) return [];
          return [{ kind: 'judgement', title: `Copy ${key} from ${label(index, src.app)}`, edits: () => [replaceEnvValue(s.entry, v)] }];
        }),
      });
    }
  }
  return findings;
}
