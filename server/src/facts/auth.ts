/** What an app's authentication library is: NextAuth / Auth.js and its major version. */
import type { App } from '../model/types';
import { majorOf } from '../parsers/packageJson';

/**
 * The NextAuth major version an app uses: from its next-auth dependency; else the options Crosswire parsed (in `file`
 * when given, else anywhere in the app); else 5 for Auth.js (`@auth/*` dependencies or imports). Undefined when the app
 * shows no sign of NextAuth.
 */
export function nextAuthVersion(app: App, file?: string): 4 | 5 | undefined {
  const deps = app.packageJson?.dependencies ?? {};
  const dep = majorOf(deps['next-auth']);
  if (dep !== undefined) return dep >= 5 ? 5 : 4;
  const code = file === undefined ? app.code : app.code.filter((c) => c.file === file);
  const fact = code.flatMap((c) => c.auth?.nextAuth ?? [])[0];
  if (fact) return fact.version;
  if (Object.keys(deps).some((d) => d.startsWith('@auth/')) || code.some((c) => c.auth?.imports.some((m) => m.startsWith('@auth/')))) return 5;
  return undefined;
}
