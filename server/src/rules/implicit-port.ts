import type { Finding, Fix, Rule, WorkspaceView } from '../model/types';
import { processKey } from '../index/runs';
import { lazyFixes } from './incremental';
import { choosePort, setPortFix } from './ports';
import { collisions } from './port-collision';
import { portNames, systems } from './systems';
import { identity, label } from './util';

/**
 * A server that runs with other apps' servers, relies on its framework's default port and moves to another port
 * when that one is taken, while another app names that port (a service URL, a CORS origin): that app then reaches
 * whatever took the port. Reported as info: nothing in the workspace takes the port today (that would be a
 * port-collision, which is reported instead), so it is advice to pin the port, not a conflict.
 */
export const implicitPort: Rule = {
  id: 'implicit-port',
  docs: {
    description: "A server other apps depend on relies on its framework's default port and moves when it is taken.",
    url: 'docs/rules/implicit-port.md',
  },
  defaultSeverity: 'info',
  fixable: true,
  check(index: WorkspaceView): Finding[] {
    const runs = index.runs();
    const reported = collisions(index).reported;
    const sys = systems(index);
    const componentSize = new Map<string, number>();
    for (const c of new Set(index.apps.map((a) => identity(a)))) {
      const comp = sys.component.get(c)!;
      componentSize.set(comp, (componentSize.get(comp) ?? 0) + 1);
    }
    const findings: Finding[] = [];
    for (const app of index.apps) {
      for (const l of app.listeners) {
        if (l.explicit || !l.drifts || reported.has(l)) continue;
        const k = processKey(app.id, l.script);
        if (!runs.running.has(k)) continue;
        const withOthers = (runs.setsOf.get(k)?.length ?? 0) > 0 || (componentSize.get(sys.component.get(identity(app))!) ?? 0) > 1;
        if (!withOthers) continue;
        const names = portNames(index, l.port, app, app);
        if (!names.length) continue;
        const fixes = (): Fix[] => {
          const n = choosePort(index, app, l, { mustBeFree: false });
          const fix = n !== undefined ? setPortFix(index, app, l, n) : undefined;
          return fix ? [fix] : [];
        };
        findings.push(lazyFixes({
          ruleId: 'implicit-port',
          severity: 'info',
          message: `${label(index, app)} relies on ${l.frameworkLabel ?? 'its framework'}'s default port ${l.port} and moves when it is taken, but ${names[0].text} (${label(index, names[0].app)}) expects ${l.port}.`,
          location: l.source,
          related: names.slice(0, 5).map((n) => ({ location: n.location, message: `${n.text} names port ${l.port}` })),
          appId: app.id,
        }, index, fixes));
      }
    }
    return findings;
  },
};
