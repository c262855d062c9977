import * as path from 'node:path';
import type { App, Finding, Rule, WorkspaceView } from '../model/types';
import { perAppFindings } from './incremental';
import { parsePortValue } from '../parsers/scripts';
import { envLocation, listNames } from './util';

const WHY: Record<string, string> = {
  next: 'the Next.js CLI starts the server before it loads .env files, so PORT there is never read (only -p / --port or PORT in the process environment count)',
  vite: 'Vite does not read PORT at all (it uses --port or server.port in vite.config)',
};

export const ineffectivePort: Rule = {
  id: 'ineffective-port',
  docs: {
    description: 'A PORT= line in a .env file that the app\'s server never reads, with a value other than the port it really uses.',
    url: 'docs/rules/ineffective-port.md',
  },
  defaultSeverity: 'warning',
  fixable: false,
  // Findings about an app depend on that app alone: memoised per app.
  check: perAppFindings((_index: WorkspaceView, app: App): Finding[] => {
    const findings: Finding[] = [];
    if (app.listeners.length === 0) return findings;
    for (const f of app.envFiles) {
      if (f.kind !== 'live') continue;
      // Is this file loaded by any listener that reads PORT?
      const readers = app.listeners.filter((l) => l.portEnvVar === 'PORT' && l.loadedEnvFiles.includes(f.file));
      if (readers.length > 0) continue;
      for (const e of f.entries) {
        if (e.key !== 'PORT') continue;
        const value = parsePortValue((e.expanded ?? e.value).trim());
        if (value === undefined) continue;
        const real = [...new Set(app.listeners.map((l) => l.port))];
        if (real.includes(value)) continue;
        const l = app.listeners[0];
        const why = WHY[l.framework] ?? `no script of ${app.name} loads ${path.basename(f.file)} before its server listens`;
        findings.push({
          ruleId: 'ineffective-port',
          severity: 'warning',
          message: `PORT=${value} has no effect: ${app.name} will listen on ${listNames(real.map(String))} (${listNames(app.listeners.map((x) => x.reason))}), because ${why}.`,
          location: envLocation(e),
          related: app.listeners.filter((x, i, arr) => arr.findIndex((y) => y.source.file === x.source.file && y.source.range.start.line === x.source.range.start.line) === i).map((x) => ({ location: x.source, message: `${x.script}: ${x.reason}` })),
          appId: app.id,
          fixes: [],
        });
      }
    }
    return findings;
  }),
};
