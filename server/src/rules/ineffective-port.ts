import * as path from 'node:path';
import { appRule } from '../model/rule';
import { portEnvFiles } from '../facts/listening';
import type { Listener } from '../model/types';
import { parsePortValue } from '../parsers/scripts';
import { envLocation, fewNames, TEST_RUNNER_CONFIG } from '../facts/util';
import { isTestFixture } from '../facts/secret-sharing';

const WHY: Record<string, string> = {
  next: 'the Next.js CLI reads PORT before it loads .env files',
  vite: 'Vite never reads PORT',
};

/**
 * Why a server ignores the PORT of an env file: its port is set elsewhere (a flag, a config option such as an Nx
 * dev server's `port`), the file is loaded (Nx loads a project's .env for every task) but the code reads another
 * variable or none, or nothing loads the file.
 */
function whyIgnored(l: Listener, file: string): string {
  if (l.how === 'flag' || l.how === 'config') return `its port is set by ${l.reason}`;
  if (l.loadedEnvFiles.includes(file)) return l.portEnvVar && l.portEnvVar !== 'PORT' ? `it reads ${l.portEnvVar}, not PORT` : `${l.reason} does not read PORT`;
  return `nothing loads ${path.basename(file)} before it listens`;
}

export const ineffectivePort = appRule({
  id: 'ineffective-port',
  docs: {
    description: "A PORT= line in a .env file that the app's server never reads, with a value other than the port it really uses.",
    url: 'docs/rules/ineffective-port.md',
  },
  defaultSeverity: 'warning',
  fixable: false,
  facts: ['env', 'listeners', 'code', 'portEnvFiles'],
  check(app, ctx) {
    if (app.listeners.length === 0) return;
    // Env files a test runner's config loads: its PORT is for the server the runner starts (`--port ${PORT}`).
    const testLoaded = new Set(app.code.filter((c) => TEST_RUNNER_CONFIG.test(c.file)).flatMap((c) => c.dotenvPaths.map((p) => path.resolve(app.dir, p))));
    // The app's env schema declares PORT (`createEnv({ server: { PORT: z.string() } })`): its code consumes the variable,
    // for a purpose Crosswire does not know; the line is not without effect.
    if (app.code.some((c) => c.schemaPortKeys?.includes('PORT'))) return;
    for (const f of app.envFiles) {
      if (f.kind !== 'live' || isTestFixture(app, f) || testLoaded.has(f.file)) continue;
      // Is this file loaded by any listener that reads PORT? Another app's too: a monorepo's root .env loaded by an
      // app below it (`bun run --env-file ../../.env ./dev.ts`) configures that app.
      if (portEnvFiles(ctx.index).has(f.file)) continue;
      for (const e of f.entries) {
        if (e.key !== 'PORT') continue;
        const value = parsePortValue((e.expanded ?? e.value).trim());
        if (value === undefined) continue;
        const real = [...new Set(app.listeners.map((l) => l.port))];
        if (real.includes(value)) continue;
        const l = app.listeners[0];
        const why = WHY[l.framework] ?? whyIgnored(l, f.file);
        ctx.report({
          message: `PORT=${value} has no effect: ${app.name} listens on ${fewNames(real.map(String), 2, ['port', 'ports'])} because ${why}.`,
          at: envLocation(e),
          related: app.listeners
            .filter((x, i, arr) => arr.findIndex((y) => y.source.file === x.source.file && y.source.range.start.line === x.source.range.start.line) === i)
            .map((x) => ({ location: x.source, message: `${x.script}: ${x.reason}` })),
        });
      }
    }
  },
});
