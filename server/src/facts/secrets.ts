import type { App, EnvEntry, WorkspaceView } from '../model/types';
import { derived } from './track';
import { perApp } from './util';
import { isLibraryPackage, isOutsideCredential, isTestFixture } from './secret-sharing';

/**
 * Keys whose values are signing/encryption secrets: `*_SECRET`, `*_PRIVATE_KEY`, `SECRET_KEY` (Django, Flask),
 * `SECRET_KEY_BASE`, `APP_KEY`, and `*_SECRET_KEY` when its other words say what it protects (`JWT_SECRET_KEY`,
 * `SESSION_SECRET_KEY`, `DJANGO_SECRET_KEY`); an `S3_SECRET_KEY` or `MINIO_SECRET_KEY` is a storage credential.
 */
export function isSecretKey(key: string): boolean {
  const k = key.toUpperCase();
  if (/(^|_)SECRET$/.test(k) || /_PRIVATE_KEY$/.test(k) || k === 'SECRET_KEY' || k === 'SECRET_KEY_BASE' || k === 'APP_KEY') return true;
  return /_SECRET_KEY$/.test(k) && k.split('_').some((w) => SECRET_KEY_OWNERS.has(w));
}

/** Words that make `<WORD>_SECRET_KEY` the app's own signing key. */
const SECRET_KEY_OWNERS = new Set(['JWT', 'SESSION', 'COOKIE', 'TOKEN', 'SIGNING', 'ENCRYPTION', 'AUTH', 'NEXTAUTH', 'APP', 'DJANGO', 'FLASK', 'CSRF', 'HMAC']);

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

/** App folder -> the placeholder values its code refuses outside development (`if (secret === 'changeme') throw`). */
export function guardsByDir(index: WorkspaceView): Map<string, Set<string>> {
  return derived('placeholderGuards', index, (ix) => {
    const m = new Map<string, Set<string>>();
    for (const a of ix.apps) {
      const g = a.code.flatMap((c) => c.placeholderGuards ?? []);
      if (g.length) m.set(a.dir, new Set(g));
    }
    return m;
  });
}
