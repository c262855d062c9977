/**
 * Which secrets the secret rules judge, and which apps must share one (issue 10, root cause 7):
 * - committed test fixtures (`.env.test`, `.env.ci`, env files under `test/`, `e2e/`, `fixtures/`, ...) are not
 *   production secrets;
 * - a credential issued by an outside service (`*_CLIENT_SECRET`, `AUTH_GITHUB_SECRET`, `STRIPE_WEBHOOK_SECRET`, ...)
 *   is not a key the app signs its own tokens with, and two apps of one team may well hold the same one;
 * - a library package (no server, no dev/start script that serves, no auth code) signs nothing;
 * - a token signer and the app that verifies its tokens (`jwt.sign` in one, `jwt.verify` / passport-jwt in the other,
 *   with the same variable), or apps the configuration lists under `sharedSecrets`, must share the secret.
 */
import * as path from 'node:path';
import type { App, EnvFile, Location, SecretRead, WorkspaceView } from '../model/types';
import { exampleRoot, identity, inTestFolder, perApp } from './util';
import { derived } from './track';

/** Env file modes of test runs and CI (`.env.test`, `.env.testing`, `.env.ci`, `.env.e2e`). */
const TEST_MODES = new Set(['test', 'ci', 'e2e', 'cypress', 'playwright']);

/** A committed test fixture: a test/CI env file, or any env file under a test folder of the workspace. */
export function isTestFixture(app: App, f: EnvFile): boolean {
  if (TEST_MODES.has(f.mode)) return true;
  return inTestFolder(app.root, path.dirname(f.file));
}

/**
 * Services whose credentials apps hold (OAuth providers, payments, analytics, mail, infrastructure): `<PROVIDER>_...`
 * and Auth.js's `AUTH_<PROVIDER>_SECRET` are issued by them, not keys the app signs its own tokens with.
 */
const PROVIDERS = new Set(
  (
    'STRIPE PAYPAL BRAINTREE ADYEN PADDLE LEMONSQUEEZY LEMON RAZORPAY MOLLIE SQUARE PLAID COINBASE ' +
    'GITHUB GITLAB BITBUCKET GOOGLE GCP FIREBASE APPLE MICROSOFT AZURE AWS COGNITO AUTH0 OKTA CLERK WORKOS KEYCLOAK ' +
    'SUPABASE DISCORD SLACK TWITTER FACEBOOK META INSTAGRAM LINKEDIN TWITCH SPOTIFY ZOOM DROPBOX NOTION LINEAR JIRA ' +
    'ATLASSIAN HUBSPOT SALESFORCE INTERCOM TWILIO SENDGRID MAILGUN POSTMARK RESEND MAILCHIMP LOOPS POSTHOG SEGMENT ' +
    'MIXPANEL AMPLITUDE OPENPANEL PLAUSIBLE SENTRY DATADOG ALGOLIA PUSHER ABLY CLOUDINARY UPLOADTHING UPSTASH TURSO ' +
    'UNKEY TINYBIRD OPENAI ANTHROPIC COHERE REPLICATE VERCEL NETLIFY CLOUDFLARE SHOPIFY AIRTABLE HCAPTCHA RECAPTCHA ' +
    'TURNSTILE NOVU KNOCK INNGEST QSTASH SVIX OAUTH OIDC SAML SSO AZURE_AD ENTRA'
  ).split(' '),
);

/** Words of a key that say it protects the app's own tokens, cookies or data. */
const OWN_WORDS = new Set([
  'JWT',
  'SESSION',
  'COOKIE',
  'TOKEN',
  'SIGNING',
  'ENCRYPTION',
  'ENCRYPT',
  'CRYPTO',
  'REFRESH',
  'ACCESS',
  'HMAC',
  'CSRF',
  'NEXTAUTH',
  'AUTH',
  'APP',
  'MASTER',
  'INTERNAL',
  'ADMIN',
]);

/** A credential of an outside service (an OAuth client secret, a payments or analytics key, a provider's webhook secret). */
export function isOutsideCredential(key: string): boolean {
  const k = key.toUpperCase();
  if (/_(CLIENT|CONSUMER|OAUTH)_SECRET$/.test(k) || /(^|_)CLIENT_SECRET$/.test(k)) return true;
  const words = k.split('_').filter(Boolean);
  // Auth.js v5 reads AUTH_<PROVIDER>_ID / AUTH_<PROVIDER>_SECRET for its OAuth providers.
  if (words.length >= 3 && words[0] === 'AUTH' && words[words.length - 1] === 'SECRET') {
    const middle = words.slice(1, -1);
    if (middle.some((w) => PROVIDERS.has(w)) || !middle.some((w) => OWN_WORDS.has(w))) return true;
  }
  // AUTH0_SECRET is the Auth0 SDK's own cookie encryption key; every other provider-prefixed secret is issued by it.
  if (k === 'AUTH0_SECRET') return false;
  return PROVIDERS.has(words[0]) || (words.length > 1 && PROVIDERS.has(`${words[0]}_${words[1]}`));
}

/** Scripts that build or check, never serve. */
const NON_SERVING =
  /^\s*(tsc|tsup|rollup|esbuild|unbuild|swc|babel|webpack(?!\s+serve)|vite\s+build|next\s+build|turbo|echo|rimraf|prisma|drizzle-kit|eslint|prettier|jest|vitest|pkgroll|bunchee|microbundle|tsx\s+scripts|node\s+scripts)\b/;

/**
 * A library package: a package.json app with no server (no listener, no listen call), no dev/start/serve script that
 * could serve, and no code that signs or reads tokens or sessions. Its env file feeds a test or a script, not an app
 * that signs anything.
 */
export const isLibraryPackage = perApp((app: App): boolean => {
  if (!app.packageJson || app.listeners.length) return false;
  // A Next.js or NestJS app may be started from elsewhere; a package that declares a library entry (`main`) is a library
  // that merely depends on the framework (an auth adapter, a UI kit).
  if ((app.framework === 'next' || app.framework === 'nest') && !app.packageJson.main) return false;
  for (const c of app.code) {
    if (c.listens.length) return false;
    const a = c.auth;
    if (a && (a.secretReads.length || a.nextAuth.length || a.sessions.length)) return false;
  }
  for (const s of app.packageJson.scripts) {
    if (/^(dev|start|serve|develop)(:|$)/.test(s.name) && !NON_SERVING.test(s.command)) return false;
  }
  return true;
});

/** Where a signer signs, or a verifier verifies, tokens with an env variable. */
export interface TokenUse {
  app: App;
  key: string;
  use: 'sign' | 'verify' | 'both';
  location: Location;
  what: string;
}

function describeRead(r: SecretRead): string {
  if (r.use === 'verify') return 'verifies tokens with it';
  if (r.use === 'sign') return 'signs tokens with it';
  return 'signs and verifies tokens with it';
}

/**
 * The JWT secret reads of an app, by env variable; a read whose variable Crosswire cannot resolve (an injected or
 * computed key) has the key `*`: any of the app's secrets may be the one.
 */
const tokenUses = perApp((app: App): TokenUse[] => {
  const out: TokenUse[] = [];
  for (const c of app.code) {
    for (const r of c.auth?.secretReads ?? []) {
      if (r.kind !== 'jwt') continue;
      const location = { file: r.file, range: r.range };
      if (!r.envVar && !r.literal) out.push({ app, key: ANY_KEY, use: r.use ?? 'both', location, what: describeRead(r) });
      for (const key of [r.envVar, ...r.alternatives]) if (key) out.push({ app, key, use: r.use ?? 'both', location, what: describeRead(r) });
    }
  }
  return out;
});

/** The key of a token use whose variable is unknown. */
const ANY_KEY = '*';

function hasUnknownTokenKey(app: App): boolean {
  return tokenUses(app).some((u) => u.key === ANY_KEY);
}

/** A group of apps (by identity) that must share the secret of `key` (undefined key: every secret they both hold). */
export interface SharingGroup {
  key?: string;
  /**
   * Identity -> the key that app holds the secret under, when a verifier names it differently from a signer (`JWT_SECRET_KEY`
   * for `JWT_SECRET`): the same value there is how it verifies that signer's tokens (no finding), but different values
   * prove nothing (it may verify another signer's tokens), so replica-drift does not compare them.
   */
  keys?: Map<string, string>;
  identities: Set<string>;
  /** Why, for messages: `a verifies the tokens b signs with JWT_SECRET` or `listed together under sharedSecrets`. */
  why: string;
  /** The code that shows it (sign and verify sites), for related locations. */
  uses: GroupUse[];
  /** The config group's folders, when declared. */
  folders?: string[];
}

/** A sign or verify site of a sharing group, naming its app (groups hold no App object: registry.ts CARRIED). */
export interface GroupUse {
  appName: string;
  key: string;
  location: Location;
  what: string;
}

function groupUse(u: TokenUse): GroupUse {
  return { appName: u.app.name, key: u.key, location: u.location, what: u.what };
}

function normFolder(f: string): string {
  return f.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '') || '.';
}

/** Whether a `sharedSecrets` folder names an app (its id, or its folder relative to its workspace folder). */
export function folderMatches(app: App, folder: string): boolean {
  const f = normFolder(folder);
  const rel = path.relative(app.root, app.dir).split(path.sep).join('/') || '.';
  return app.id === f || rel === f;
}

/**
 * The groups of apps that must share secrets: sign/verify pairs found in code (a key one app only verifies tokens
 * with, and another app signs with), and the configuration's `sharedSecrets`. Recomputed only when an edited app's
 * token uses changed (the configuration re-derives every app).
 */
export function sharingGroups(index: WorkspaceView): SharingGroup[] {
  return derived('secretSharing', index, computeSharingGroups);
}

function computeSharingGroups(index: WorkspaceView): SharingGroup[] {
  {
    const groups: SharingGroup[] = [];
    const byKey = new Map<string, TokenUse[]>();
    for (const app of index.apps) {
      for (const u of tokenUses(app)) {
        if (u.key === ANY_KEY) continue;
        let l = byKey.get(u.key);
        if (!l) byKey.set(u.key, (l = []));
        l.push(u);
      }
    }
    for (const [key, uses] of byKey) {
      const perIdentity = new Map<string, Set<string>>();
      for (const u of uses) {
        let s = perIdentity.get(identity(u.app));
        if (!s) perIdentity.set(identity(u.app), (s = new Set()));
        s.add(u.use);
      }
      if (perIdentity.size < 2) continue;
      const verifiers = [...perIdentity].filter(([, s]) => s.size === 1 && s.has('verify')).map(([id]) => id);
      const signers = [...perIdentity].filter(([, s]) => s.has('sign') || s.has('both')).map(([id]) => id);
      if (!verifiers.length || !signers.some((s) => !verifiers.includes(s))) continue;
      const name = (id: string) => uses.find((u) => identity(u.app) === id)!.app.name;
      groups.push({
        key,
        identities: new Set(perIdentity.keys()),
        why: `${verifiers.map(name).join(', ')} ${verifiers.length === 1 ? 'verifies' : 'verify'} the tokens ${signers
          .filter((s) => !verifiers.includes(s))
          .map(name)
          .join(', ')} ${signers.length === 1 ? 'signs' : 'sign'} with ${key}`,
        uses: uses.map(groupUse),
      });
    }
    // A verifier that names the key differently from the signer (`JWT_SECRET_KEY` against `JWT_SECRET`): holding the same
    // value is how it verifies that signer's tokens. Verify-only apps are few; each is paired with every signer.
    const verifyOnly = new Map<string, TokenUse[]>();
    const signs: TokenUse[] = [];
    for (const app of index.apps) {
      const uses = tokenUses(app);
      if (uses.length && uses.every((u) => u.use === 'verify')) verifyOnly.set(identity(app), uses);
      else signs.push(...uses.filter((u) => u.use !== 'verify'));
    }
    for (const [vid, vuses] of verifyOnly) {
      for (const v of vuses) {
        for (const sgn of signs) {
          if (identity(sgn.app) === vid || sgn.key === v.key || sgn.key === ANY_KEY) continue;
          groups.push({
            identities: new Set([vid, identity(sgn.app)]),
            keys: new Map([
              [vid, v.key],
              [identity(sgn.app), sgn.key],
            ]),
            why: `${v.app.name} verifies tokens with ${v.key === ANY_KEY ? 'a key from its configuration' : v.key}, and ${sgn.app.name} signs them with ${sgn.key}`,
            uses: [groupUse(v), groupUse(sgn)],
          });
        }
      }
    }
    for (const folders of index.config.sharedSecrets ?? []) {
      const ids = new Set<string>();
      for (const app of index.apps) if (folders.some((f) => folderMatches(app, f))) ids.add(identity(app));
      if (ids.size >= 2)
        groups.push({
          identities: ids,
          why: `they are listed together under "sharedSecrets" in crosswire.config.json (${folders.join(', ')})`,
          uses: [],
          folders,
        });
    }
    return groups;
  }
}

/**
 * A deployment folder: env and deploy files only (no package.json, no Python project, no code). Two of them with one
 * name (`deployments/aio/community`, `deployments/cli/community`) are the same app deployed one way or another, like
 * replicas: they hold the same secret on purpose.
 */
function deploymentName(app: App): string | undefined {
  return !app.packageJson && app.framework !== 'python' && app.code.length === 0 ? app.name : undefined;
}

/** Whether two secrets (app and key each) are meant to be equal: one app (replicas, deployment variants), or one sharing group. */
export function mustShare(groups: SharingGroup[], a: App, keyA: string, b: App, keyB: string): boolean {
  const ia = identity(a);
  const ib = identity(b);
  if (ia === ib) return true;
  const da = deploymentName(a);
  if (da !== undefined && da === deploymentName(b)) return true;
  // Independent examples of a collection run one at a time: a demo secret they all carry is no shared key.
  if (exampleRoot(a) !== exampleRoot(b)) return true;
  // The same value under two names, where one app's token code takes its key from somewhere Crosswire cannot resolve
  // (an injected or computed key): it may be configured on purpose to verify the other's tokens. Unknown is not a conflict.
  if (keyA !== keyB && (hasUnknownTokenKey(a) || hasUnknownTokenKey(b))) return true;
  for (const g of groups) {
    if (!g.identities.has(ia) || !g.identities.has(ib)) continue;
    if (g.keys) {
      const [ka, kb] = [g.keys.get(ia), g.keys.get(ib)];
      if ((ka === keyA || ka === ANY_KEY) && (kb === keyB || kb === ANY_KEY)) return true;
    } else if (g.key === undefined || (g.key === keyA && g.key === keyB)) return true;
  }
  return false;
}
