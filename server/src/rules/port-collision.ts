import type { App, Finding, Fix, Listener, Rule, WorkspaceView } from '../model/types';
import { processKey } from '../index/runs';
import { identity, label } from './util';
import { lazyFixes } from './incremental';
import { choosePort, setPortFix } from './ports';
import { portNames, together } from './systems';

/**
 * Two server processes of different apps that run at the same time (one script starts both, or the apps form
 * one system: rules/systems.ts) on one machine and want one port.
 * - Neither moves to another port: whichever starts second fails with EADDRINUSE (error).
 * - One moves (`next dev`, Vite without --strictPort): reported only where something names the port (a URL, a
 *   CORS origin), which then reaches the wrong server (warning).
 * Processes that nothing starts together are never compared; ports Crosswire cannot know are never guessed.
 */
export const portCollision: Rule = {
  id: 'port-collision',
  docs: {
    description: 'Two apps that run at the same time will listen on the same port.',
    url: 'docs/rules/port-collision.md',
  },
  defaultSeverity: 'error',
  fixable: true,
  check(index: WorkspaceView): Finding[] {
    return collisions(index).findings;
  },
};

interface Partner {
  app: App;
  l: Listener;
  certain?: string;
  assumed?: string;
  drift: boolean;
}

const MAX_NAMED = 3;

const cache = new WeakMap<WorkspaceView, { apps: readonly App[]; findings: Finding[]; reported: Set<Listener> }>();

/** The findings, and the listeners they report (implicit-port stays silent on those). */
export function collisions(index: WorkspaceView): { findings: Finding[]; reported: Set<Listener> } {
  const hit = cache.get(index);
  if (hit && hit.apps === index.apps) return hit;
  const runs = index.runs();
  const byPort = new Map<string, { app: App; l: Listener }[]>();
  for (const app of index.apps) {
    for (const l of app.listeners) {
      if (!runs.running.has(processKey(app.id, l.script))) continue;
      const k = `${app.host}\0${l.port}`;
      const list = byPort.get(k) ?? [];
      list.push({ app, l });
      byPort.set(k, list);
    }
  }
  const findings: Finding[] = [];
  const reported = new Set<Listener>();
  for (const entries of byPort.values()) {
    if (new Set(entries.map((e) => identity(e.app))).size < 2) continue;
    const port = entries[0].l.port;
    // One finding per distinct source of the port (several scripts may read one .env line).
    const seen = new Set<string>();
    for (const e of entries) {
      const partners: Partner[] = [];
      for (const o of entries) {
        if (identity(o.app) === identity(e.app)) continue;
        const t = together(index, e.app, e.l, o.app, o.l);
        if (!t) continue;
        partners.push({ app: o.app, l: o.l, certain: t.certain?.label, assumed: t.assumed, drift: e.l.drifts || o.l.drifts });
      }
      if (!partners.length) continue;
      const hard = partners.filter((p) => !p.drift);
      // Places in apps other than the two that collide say best who expects the port (a client's URL, a CORS origin).
      const involved = new Set([identity(e.app), ...partners.map((p) => identity(p.app))]);
      const names = portNames(index, port, e.app).sort((x, y) => Number(involved.has(identity(x.app))) - Number(involved.has(identity(y.app))));
      if (!hard.length && !names.length) continue; // both may move: nothing in the workspace depends on who gets the port
      const k = `${e.l.source.file}\0${e.l.source.range.start.line}\0${e.l.source.range.start.character}`;
      if (seen.has(k)) continue;
      seen.add(k);
      reported.add(e.l);
      const shown = (hard.length ? hard : partners);
      const others = [...new Map(shown.map((p) => [identity(p.app), p])).values()];
      const first = others[0];
      const who = others.slice(0, MAX_NAMED).map((p) => label(index, p.app)).join(', ') + (others.length > MAX_NAMED ? ` and ${others.length - MAX_NAMED} more` : '');
      const how = first.certain ? `both started by ${first.certain}` : `assumed to run together: ${first.assumed}`;
      const message = hard.length
        ? `${label(index, e.app)} and ${who} listen on port ${port} (${how}); whichever starts second fails with EADDRINUSE.`
        : `${label(index, e.app)} and ${who} want port ${port} (${how}); ${(e.l.drifts ? e.l : first.l).tool} moves to another port, but ${names[0].text} expects ${port}.`;
      const related = others.slice(0, 20).map((p) => ({ location: p.l.source, message: `${label(index, p.app)} listens on ${port}: ${p.l.reason}` }));
      if (!hard.length) related.push(...names.slice(0, 5).map((n) => ({ location: n.location, message: `${n.text} names port ${port}` })));
      const l = e.l;
      const app = e.app;
      const fixes = (): Fix[] => {
        if (l.explicit) return [];
        const n = choosePort(index, app, l, { mustBeFree: true });
        const fix = n !== undefined && n !== port ? setPortFix(index, app, l, n) : undefined;
        return fix ? [fix] : [];
      };
      findings.push(lazyFixes({
        ruleId: 'port-collision',
        severity: hard.length ? 'error' : 'warning',
        message,
        location: l.source,
        related,
        appId: app.id,
      }, index, fixes));
    }
  }
  const out = { apps: index.apps, findings, reported };
  cache.set(index, out);
  return out;
}
