import * as path from 'node:path';
import type { App, EnvEntry } from '../model/types';
import { mask } from '../model/mask';
import { liveSecrets } from '../facts/secrets';
import { envLocation, exampleRoot, generateSecret, identity, replaceEnvValue } from '../facts/util';
import { appRule } from '../model/rule';
import { guardsByDir } from '../facts/secrets';
import { isPlaceholder } from '../model/placeholder';

/** Minimum length and strength of a secret: 32 characters, 128 bits (32 hex characters is exactly 128). */
export const MIN_LENGTH = 32;
export const MIN_BITS = 128;

export { isPlaceholder } from '../model/placeholder';

/**
 * Estimated strength in bits: length × log2(alphabet), where the alphabet is 10 for digits only, 16 for a hex string,
 * and otherwise the sum of the character classes used (26 lowercase, 26 uppercase, 10 digits, 33 other printable characters).
 */
export function estimatedBits(value: string): number {
  if (!value) return 0;
  let alphabet: number;
  if (/^[0-9]+$/.test(value)) alphabet = 10;
  else if (/^[0-9a-f]+$/.test(value) || /^[0-9A-F]+$/.test(value)) alphabet = 16;
  else {
    alphabet = 0;
    if (/[a-z]/.test(value)) alphabet += 26;
    if (/[A-Z]/.test(value)) alphabet += 26;
    if (/[0-9]/.test(value)) alphabet += 10;
    if (/[^a-zA-Z0-9]/.test(value)) alphabet += 33;
  }
  return [...value].length * Math.log2(alphabet);
}

export interface Weakness {
  kind: 'placeholder' | 'template' | 'length' | 'bits';
  text: string;
}

/** Why a secret value is weak, or undefined when it is not. `templateValues` are the app's own templates' values for the key. */
export function weakness(value: string, templateValues: readonly string[]): Weakness | undefined {
  const length = [...value].length;
  if (isPlaceholder(value)) return { kind: 'placeholder', text: 'is a known placeholder or default value' };
  if (templateValues.includes(value)) return { kind: 'template', text: "is the example value of the app's own template" };
  if (length < MIN_LENGTH) return { kind: 'length', text: `is only ${length} characters long (at least ${MIN_LENGTH} are needed)` };
  const bits = estimatedBits(value);
  if (bits < MIN_BITS)
    return { kind: 'bits', text: `has an estimated strength of ${Math.floor(bits)} bits (length × log2 of its alphabet; at least ${MIN_BITS} are needed)` };
  return undefined;
}

function templateValues(app: App, key: string): string[] {
  const out: string[] = [];
  for (const f of app.envFiles) if (f.kind === 'template') for (const e of f.entries) if (e.key === key && e.value.trim()) out.push(e.expanded ?? e.value);
  return out;
}

/**
 * The placeholders the code of each app refuses (`if value == "changethis": raise`), by app folder. Kept while the
 * edited apps' guards are the same (the same object then: weak-secret's per-app memo depends on it).
 */
/** The app itself, or an app in a folder below it (a backend that reads the root `.env`), refuses this placeholder. */
function refusedByCode(guards: Map<string, Set<string>>, app: App, value: string): boolean {
  for (const [dir, set] of guards)
    if (set.has(value) && (dir === app.dir || dir.startsWith(app.dir.endsWith(path.sep) ? app.dir : app.dir + path.sep))) return true;
  return false;
}

export const weakSecret = appRule({
  id: 'weak-secret',
  docs: {
    description:
      "A live secret (NEXTAUTH_SECRET, JWT_SECRET, SESSION_SECRET, ...) outside development-mode and test files is a placeholder, the template's example, shorter than 32 characters, or under 128 bits.",
    url: 'docs/rules/weak-secret.md',
  },
  defaultSeverity: 'warning',
  fixable: true,
  facts: ['env', 'code', 'listeners', 'package', 'compose', 'placeholderGuards'],
  check(app, ctx) {
    const index = ctx.index;
    // A folder that is no program (no package.json, no Python project, no server) and holds a compose file is a
    // compose kit: its env files configure the published images it runs, and their committed placeholders are the
    // kit's documented defaults. Crosswire judges the secrets of the workspace's own programs.
    if (!app.packageJson && app.framework !== 'python' && app.listeners.length === 0 && app.compose.length > 0) return;
    // An app of a collection of examples (`examples/nextjs`): its committed env file is a demo's, never a deployment's.
    if (exampleRoot(app)) return;
    const guards = guardsByDir(index);
    // A development-mode file (`.env.development`, `.env.dev`) configures `next dev`/`vite` and the like on a developer's
    // machine; frameworks have it committed on purpose. Its secrets never sign anything in production.
    const devOnly = new Set(app.envFiles.filter((f) => f.mode === 'development').map((f) => f.file));
    for (const { entry, value } of liveSecrets(app)) {
      if (devOnly.has(entry.file)) continue;
      const w = weakness(value, templateValues(app, entry.key));
      if (!w) continue;
      // The app's own code refuses this placeholder (outside development): it cannot reach production unnoticed.
      if (w.kind === 'placeholder' && refusedByCode(guards, app, value)) continue;
      const templateEntry =
        w.kind === 'template'
          ? app.envFiles.find((f) => f.kind === 'template' && f.entries.some((e) => e.key === entry.key && (e.expanded ?? e.value) === value))
          : undefined;
      ctx.report({
        message: `${entry.key} (${mask(value)}) of ${app.name} ${w.text}.`,
        at: envLocation(entry),
        related: templateEntry
          ? templateEntry.entries
              .filter((e) => e.key === entry.key)
              .map((e) => ({ location: envLocation(e), message: `${e.key} in the template ${templateEntry.name}` }))
          : [],
        fixes: [
          {
            kind: 'secret',
            title: `Generate a strong ${entry.key} for ${app.name}`,
            preferred: true,
            edits: () => {
              // Every env file of this app, and of its replicas (which must keep sharing it), that holds the value for this key.
              const secret = generateSecret();
              const holders: EnvEntry[] = [];
              for (const a of index.apps) {
                if (identity(a) !== identity(app)) continue;
                for (const o of liveSecrets(a)) if (o.entry.key === entry.key && o.value === value) holders.push(o.entry);
              }
              return (holders.length ? holders : [entry]).map((e) => replaceEnvValue(e, secret));
            },
          },
        ],
      });
    }
  },
});
