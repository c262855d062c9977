/**
 * The value an app uses for an env key: one definition of the lookup every layer shares (listeners, facts, rules).
 * Env files are given in precedence order (the index sorts an app's files so: `.env.development.local`, `.env.local`,
 * `.env.development`, `.env`, ...); the first file that defines the key wins, and within a file its last line.
 */
import type { App, EnvEntry, EnvFile } from './types';

/** Prefixes that expose an env variable to browser code (Next.js, Vite, CRA, Nuxt, SvelteKit, Angular, Vue CLI, Gatsby, Expo). */
export const BROWSER_PREFIX = /^(NEXT_PUBLIC_|VITE_|REACT_APP_|NUXT_PUBLIC_|PUBLIC_|NG_APP_|VUE_APP_|GATSBY_|EXPO_PUBLIC_)/;

/** The entry that wins for `key` among `files` (in precedence order). */
export function winningEntry(files: Iterable<EnvFile | undefined>, key: string): EnvEntry | undefined {
  for (const f of files) {
    if (!f) continue;
    let last: EnvEntry | undefined;
    for (const e of f.entries) if (e.key === key) last = e;
    if (last) return last;
  }
  return undefined;
}

/** An app's live env files of the development environment (default and development modes), in precedence order. */
export function devEnvFiles(app: App): EnvFile[] {
  return app.envFiles.filter((f) => f.kind === 'live' && (f.mode === 'default' || f.mode === 'development'));
}

/** The entry an app uses for `key` in development. */
export function devEnvEntry(app: App, key: string): EnvEntry | undefined {
  return winningEntry(devEnvFiles(app), key);
}
