import type { App, Finding, Fix, Rule, WorkspaceView } from '../model/types';
import { lazyFixes, perAppFindings } from './incremental';
import { choosePort, setPortFix } from './ports';

export const implicitPort: Rule = {
  id: 'implicit-port',
  docs: {
    description: "An app's server relies on its framework's default port with nothing explicit.",
    url: 'docs/rules/implicit-port.md',
  },
  defaultSeverity: 'warning',
  fixable: true,
  // Findings about an app depend on that app alone (memoised per app); the port a fix proposes depends on
  // the other apps' ports, so fixes are computed on demand.
  check: perAppFindings((index: WorkspaceView, app: App): Finding[] => {
    const findings: Finding[] = [];
    for (const l of app.listeners) {
      if (l.explicit) continue;
      const fixes = (): Fix[] => {
        const n = choosePort(index, app, l, { mustBeFree: false });
        const fix = n !== undefined ? setPortFix(index, app, l, n) : undefined;
        return fix ? [fix] : [];
      };
      const where = l.framework === 'next' ? 'with `-p <port>` (the Next.js CLI does not read PORT from .env files)' : l.framework === 'vite' ? 'with `--port <port> --strictPort` or server.port in vite.config' : 'explicitly';
      findings.push(lazyFixes({
        ruleId: 'implicit-port',
        severity: 'warning',
        message: `${l.reason}: nothing in ${app.name} sets its port. Another app on this machine can take ${l.port} first${l.drifts ? ` and ${app.name} will silently move to another port` : ''}. Set it ${where}.`,
        location: l.source,
        related: [],
        appId: app.id,
      }, index, fixes));
    }
    return findings;
  }),
};
