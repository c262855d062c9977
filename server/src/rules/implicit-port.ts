import type { Finding, Rule, WorkspaceView } from '../model/types';
import { choosePort, setPortFix } from './ports';

export const implicitPort: Rule = {
  id: 'implicit-port',
  docs: {
    description: "An app's server relies on its framework's default port with nothing explicit.",
    url: 'docs/rules/implicit-port.md',
  },
  defaultSeverity: 'warning',
  fixable: true,
  check(index: WorkspaceView): Finding[] {
    const findings: Finding[] = [];
    for (const app of index.apps) {
      for (const l of app.listeners) {
        if (l.explicit) continue;
        const n = choosePort(index, app, l, { mustBeFree: false });
        const fix = n !== undefined ? setPortFix(index, app, l, n) : undefined;
        const where = l.framework === 'next' ? 'with `-p <port>` (the Next.js CLI does not read PORT from .env files)' : l.framework === 'vite' ? 'with `--port <port> --strictPort` or server.port in vite.config' : 'explicitly';
        findings.push({
          ruleId: 'implicit-port',
          severity: 'warning',
          message: `${l.reason}: nothing in ${app.name} sets its port. Another app on this machine can take ${l.port} first${l.drifts ? ` and ${app.name} will silently move to another port` : ''}. Set it ${where}.`,
          location: l.source,
          related: [],
          appId: app.id,
          fixes: fix ? [fix] : [],
        });
      }
    }
    return findings;
  },
};
