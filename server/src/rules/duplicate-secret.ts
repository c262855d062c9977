import type { App, EnvEntry, Finding, Rule, WorkspaceView } from '../model/types';
import { mask } from '../model/mask';
import { envLocation, generateSecret, identity, label, listNames, perApp, replaceEnvValue } from './util';
import { isLibraryPackage, isOutsideCredential, isTestFixture, mustShare, sharingGroups } from './secret-sharing';

/** Keys whose values are signing/encryption secrets. */
export function isSecretKey(key: string): boolean {
  const k = key.toUpperCase();
  return /(^|_)SECRET$/.test(k) || /_PRIVATE_KEY$/.test(k) || k === 'SECRET_KEY' || k === 'SECRET_KEY_BASE' || k === 'APP_KEY';
}

/** A value that is a secret for the secret rules: not empty, not a URL, not an unexpanded reference. */
export function isSecretValue(value: string): boolean {
  const v = value.trim();
  return v.length > 0 && !/^[a-z][a-z0-9+.-]*:\/\//i.test(v) && !/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v);
}

export interface Occurrence {
  app: App;
  entry: EnvEntry;
  value: string;
}

/**
 * The secrets an app signs or encrypts its own tokens, cookies and sessions with, from its live env files, with their
 * expanded values (memoised per app). Not judged: committed test fixtures (`.env.test`, `.env.ci`, files under
 * `test/`, `e2e/`, `fixtures/`, ...), credentials of outside services (`*_CLIENT_SECRET`, `AUTH_GITHUB_SECRET`,
 * `STRIPE_WEBHOOK_SECRET`, ...), and library packages (no server: they sign nothing).
 */
export const liveSecrets = perApp((app: App): Occurrence[] => {
  const out: Occurrence[] = [];
  if (isLibraryPackage(app)) return out;
  for (const f of app.envFiles) {
    if (f.kind !== 'live' || isTestFixture(app, f)) continue;
    for (const entry of f.entries) {
      if (!isSecretKey(entry.key) || isOutsideCredential(entry.key)) continue;
      const value = entry.expanded ?? entry.value;
      if (isSecretValue(value)) out.push({ app, entry, value });
    }
  }
  return out;
});

export const duplicateSecret: Rule = {
  id: 'duplicate-secret',
  docs: {
    description: 'The same signing key (NEXTAUTH_SECRET, JWT_SECRET, SESSION_SECRET, ...) is used by two different apps that are not meant to share it.',
    url: 'docs/rules/duplicate-secret.md',
  },
  defaultSeverity: 'error',
  fixable: true,
  check(index: WorkspaceView): Finding[] {
    // Group by value: linear in the number of secrets, never app × app.
    const byValue = new Map<string, Occurrence[]>();
    for (const app of index.apps) {
      for (const o of liveSecrets(app)) {
        let list = byValue.get(o.value);
        if (!list) byValue.set(o.value, (list = []));
        list.push(o);
      }
    }
    const findings: Finding[] = [];
    let groups: ReturnType<typeof sharingGroups> | undefined;
    for (const [value, occs] of byValue) {
      const identities = new Set(occs.map((o) => identity(o.app)));
      if (identities.size < 2) continue;
      // Apps that must share this secret (a token signer and its verifier, a `sharedSecrets` group) are not reported
      // against each other.
      groups ??= sharingGroups(index);
      const fingerprint = mask(value);
      for (const o of occs) {
        const others = occs.filter((x) => !mustShare(groups!, o.app, o.entry.key, x.app, x.entry.key));
        if (!others.length) continue;
        const otherApps = listNames(others.map((x) => label(index, x.app)));
        const otherKeys = [...new Set(others.map((x) => x.entry.key))];
        const keyNote = otherKeys.length === 1 && otherKeys[0] === o.entry.key ? '' : ` (as ${listNames(otherKeys)})`;
        findings.push({
          ruleId: 'duplicate-secret',
          severity: 'error',
          message:
            `${o.entry.key} (${fingerprint}) of ${label(index, o.app)} is also the secret of ${otherApps}${keyNote}. ` +
            `Tokens and session cookies signed by one app are valid in the other. Give each app its own secret.`,
          location: envLocation(o.entry),
          related: others.map((x) => ({
            location: envLocation(x.entry),
            message: `${x.entry.key} of ${label(index, x.app)} (${fingerprint})`,
          })),
          appId: o.app.id,
          fixes: [
            {
              title: `Generate a new secret for ${o.app.name}`,
              preferred: true,
              edits: () => {
                // Every env file of this app, and of its replicas (which must keep sharing it), that holds the value.
                const secret = generateSecret();
                const targets = occs.filter((x) => identity(x.app) === identity(o.app));
                return targets.map((x) => replaceEnvValue(x.entry, secret));
              },
            },
          ],
        });
      }
    }
    return findings;
  },
};
