import type { Fix } from '../model/types';
import { appRule } from '../model/rule';
import { processKey } from '../index/runs';
import { pinnedPort, setPortFix } from '../facts/ports';
import { collisions } from '../facts/port-collisions';
import { portNames, systems } from '../facts/systems';
import { identity, label } from '../facts/util';

/**
 * A server that runs with other apps' servers, relies on its framework's default port and moves to another port
 * when that one is taken, while another app names that port (a service URL, a CORS origin): that app then reaches
 * whatever took the port. Reported as info: nothing in the workspace takes the port today (that would be a
 * port-collision, which is reported instead), so it is advice to pin the port, not a conflict.
 */
export const implicitPort = appRule({
  id: 'implicit-port',
  docs: {
    description: "A server other apps depend on relies on its framework's default port and moves when it is taken.",
    url: 'docs/rules/implicit-port.md',
  },
  defaultSeverity: 'info',
  fixable: true,
  facts: ['listeners', 'runs', 'systems', 'portCollisions'],
  check(app, ctx) {
    const index = ctx.index;
    const runs = index.runs();
    const reported = collisions(index).reported;
    const sys = systems(index);
    const componentSize = sys.componentSize;

    for (const l of app.listeners) {
      if (l.explicit || !l.drifts || reported.has(l)) continue;
      const k = processKey(app.id, l.script);
      if (!runs.running.has(k)) continue;
      const withOthers = (runs.setsOf.get(k)?.length ?? 0) > 0 || (componentSize.get(sys.component.get(identity(app))!) ?? 0) > 1;
      if (!withOthers) continue;
      const names = portNames(index, l.port, app, app);
      if (!names.length) continue;
      // Pin the port (its own NEXTAUTH_URL's, else the one the other app expects): moving it to a port no unrelated
      // app happens to use would break that link.
      const fixes = (): Fix[] => {
        const fix = setPortFix(index, app, l, pinnedPort(app, l));
        return fix ? [fix] : [];
      };
      ctx.report({
        message: `${label(index, app)} relies on ${l.frameworkLabel ?? 'its framework'}'s default port ${l.port}, which ${names[0].key} in ${label(index, names[0].app)} expects.`,
        at: l.source,
        related: names.slice(0, 5).map((n) => ({ location: n.location, message: `${n.text} names port ${l.port}` })),
        fixes,
      });
    }
  },
});
