/**
 * What each rule depends on, for the engine's incremental re-run (Rule.dependsOn). Conservative
 * by design: a predicate that says "yes" too often costs time; one that says "no" wrongly would
 * leave a stale finding, so when in doubt the key matches.
 */
import type { RuleDependencies } from '../model/types';
import { isSecretKey } from './duplicate-secret';
import { isServiceUrlKey } from './inconsistent-service-url';

const DB_URL = /^\s*(postgres|postgresql|mysql|mariadb|cockroachdb|sqlserver|mongodb(\+srv)?|prisma(\+postgres)?):/i;

export const dbValues = (key: string, values: string[]): boolean =>
  /DATABASE|(^|_)DB(_|$)|POSTGRES|MYSQL|PG|PRISMA|_URL$|^URL$/i.test(key) || values.some((v) => DB_URL.test(v));

/** Keys that say where an app is served (cookie host, https, environment). */
export const servedKeys = (key: string): boolean => /(_|^)URL$|(_|^)ORIGIN$|NODE_ENV|BASE_PATH|HOST|DOMAIN|SECURE|COOKIE/i.test(key);

export const DEPENDS: Record<string, RuleDependencies> = {
  'duplicate-secret': { envKey: (k) => isSecretKey(k) },
  'weak-secret': { envKey: (k) => isSecretKey(k) },
  // The variables code reads a secret from can have any name: any change of a key that looks like a credential, or that the app may read.
  'missing-secret': { envKey: (k) => isSecretKey(k) || /SECRET|KEY|TOKEN|JWT|AUTH|PASSWORD/i.test(k) },
  'replica-drift': { envKey: (k, v) => isSecretKey(k) || /^SYNC_|_KEY$/.test(k) || dbValues(k, v) },
  'duplicate-node-id': { envKey: (k) => /(NODE|INSTANCE|PEER)_(ID|NAME)$|_ID$|_NAME$/.test(k) },
  'nextauth-url-mismatch': { envKey: (k) => /^(NEXTAUTH_URL|AUTH_URL)$/.test(k), listeners: true },
  // Which processes run together depends on URLs, database servers and secrets of every app (rules/systems.ts): re-run on every change.
  'ineffective-port': { envKey: (k) => /PORT/.test(k), listeners: true },
  'inconsistent-service-url': { envKey: (k) => isServiceUrlKey(k) },
  'dangling-service-url': { envKey: (k) => isServiceUrlKey(k) || /PORT/.test(k), listeners: true },
  'missing-connection-limit': { envKey: dbValues },
  'shared-database': { envKey: dbValues },
  'connection-budget': { envKey: (k, v) => dbValues(k, v) || /MAX_CONNECTIONS|POOL|CONNECTION_LIMIT/i.test(k) },
  'shared-session-cookie': { envKey: (k) => servedKeys(k) || isSecretKey(k) },
  'cookie-options': { envKey: (k) => servedKeys(k) },
  'cors-origin-mismatch': { envKey: (k) => /CORS|ORIGIN/i.test(k) || isServiceUrlKey(k) || servedKeys(k), listeners: true },
  // compose-port-collision: re-run on every change (a project's .env, any app's env URLs, scripts); memoised on its inputs.
};
