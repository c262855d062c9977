import { groupRule } from '../model/rule';
import { mask } from '../model/mask';
import { isPlaceholder } from '../model/placeholder';
import { envLocation, fewNames, generateSecret, identity, label, MAX_RELATED, replaceEnvValue } from '../facts/util';
import { mustShare, sharingGroups } from '../facts/secret-sharing';
import { liveSecrets, type Occurrence } from '../facts/secrets';

/** Groups by value: linear in the number of secrets, never app × app. */
export const duplicateSecret = groupRule<Occurrence>({
  id: 'duplicate-secret',
  docs: {
    description: 'The same signing key (NEXTAUTH_SECRET, JWT_SECRET, SESSION_SECRET, ...) is used by two different apps that are not meant to share it.',
    url: 'docs/rules/duplicate-secret.md',
  },
  defaultSeverity: 'error',
  fixable: true,
  facts: ['env', 'code', 'listeners', 'package', 'secretSharing'],
  // A known placeholder (`changeme`, `your_secret_here`) is weak-secret's finding, whose fix gives each app its own
  // strong value: one problem, one finding on the line.
  groupBy: (app) =>
    liveSecrets(app)
      .filter((o) => !isPlaceholder(o.value))
      .map((o) => [o.value, o] as const),
  check(value, members, ctx) {
    const index = ctx.index;
    const occs = members.map((m) => m.item);
    const identities = new Set(occs.map((o) => identity(o.app)));
    if (identities.size < 2) return;
    // Apps that must share this secret (a token signer and its verifier, a `sharedSecrets` group) are not reported
    // against each other.
    const groups = sharingGroups(index);
    const fingerprint = mask(value);
    for (const o of occs) {
      const others = occs.filter((x) => !mustShare(groups, o.app, o.entry.key, x.app, x.entry.key));
      if (!others.length) continue;
      // One name per other app (its replicas are one app); the folder only where two different apps share a name.
      const byId = new Map(others.map((x) => [identity(x.app), x.app] as const));
      const named = [...byId.values()];
      const otherApps = fewNames(named.map((a) => (named.some((b) => b !== a && b.name === a.name && identity(b) !== identity(a)) ? label(index, a) : a.name)));
      const otherKeys = [...new Set(others.map((x) => x.entry.key))];
      const keyNote = otherKeys.length === 1 && otherKeys[0] === o.entry.key ? '' : ` (as ${fewNames(otherKeys, 2, ['key', 'keys'])})`;
      ctx.report({
        message: `${o.entry.key} (${fingerprint}) of ${label(index, o.app)} is also the secret of ${otherApps}${keyNote}.`,
        at: envLocation(o.entry),
        // (at most MAX_RELATED: a secret shared by hundreds of apps must not make every finding list all of them)
        related: others.slice(0, MAX_RELATED).map((x) => ({
          location: envLocation(x.entry),
          message: `${x.entry.key} of ${label(index, x.app)} (${fingerprint})`,
        })),
        app: o.app,
        fixes: [
          {
            kind: 'secret',
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
  },
});
