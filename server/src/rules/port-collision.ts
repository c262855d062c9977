import type { App, Finding, Fix, Listener, Rule, WorkspaceView } from '../model/types';
import { identity, listNames, perApp } from './util';
import { GroupedFindings, lazyFixes, perIndex } from './incremental';
import { choosePort, setPortFix } from './ports';

function describe(l: Listener, app: App): string {
  return `${app.name} (${l.reason})`;
}

export const portCollision: Rule = {
  id: 'port-collision',
  docs: {
    description: 'Two different apps will listen on the same port.',
    url: 'docs/rules/port-collision.md',
  },
  defaultSeverity: 'error',
  fixable: true,
  check(index: WorkspaceView): Finding[] {
    return groups(index).run(index.apps);
  },
};

/** Each app's listeners, keyed by machine and port (memoised per app). */
const listenersByHostPort = perApp((app: App) => app.listeners.map((l) => [`${app.host}\0${l.port}`, { app, l }] as const));

// Group listeners by machine and port: linear, never app × app; an edit re-evaluates only the ports it touched.
// Apps configured to run on another machine (`hosts`) only collide with apps on that machine.
const groups = perIndex((index) => new GroupedFindings(listenersByHostPort, (_key, entries) => collisions(index, entries)));

function collisions(index: WorkspaceView, entries: { app: App; l: Listener }[]): Finding[] {
  const findings: Finding[] = [];
  const port = entries[0].l.port;
  if (new Set(entries.map((e) => identity(e.app))).size < 2) return findings;
  // One finding per distinct source of the port (several scripts may read one .env line).
  const bySource = new Map<string, { app: App; ls: Listener[] }>();
  for (const e of entries) {
    const k = `${e.l.source.file}\0${e.l.source.range.start.line}\0${e.l.source.range.start.character}`;
    const cur = bySource.get(k);
    if (cur) cur.ls.push(e.l);
    else bySource.set(k, { app: e.app, ls: [e.l] });
  }
  for (const { app, ls } of bySource.values()) {
    const others = entries.filter((e) => identity(e.app) !== identity(app));
    const l = ls[0];
    const scripts = listNames(ls.map((x) => `"${x.script}"`));
    const drifting = ls.filter((x) => x.drifts);
    const drift = drifting.length
      ? ` When the port is taken, \`${drifting[0].tool}\` moves ${app.name} to another free port, which breaks every URL that names ${port}.`
      : ` Whichever starts second fails with EADDRINUSE.`;
    // The fix picks a port no other app uses: computed on demand, against the current apps.
    const fixes = (): Fix[] => {
      if (l.explicit) return [];
      const n = choosePort(index, app, l, { mustBeFree: true });
      const fix = n !== undefined && n !== port ? setPortFix(index, app, l, n) : undefined;
      return fix ? [fix] : [];
    };
    // de-duplicate related locations (one per other source)
    const seen = new Set<string>();
    const related = [];
    for (const o of others) {
      const k = `${o.l.source.file}:${o.l.source.range.start.line}`;
      if (seen.has(k)) continue;
      seen.add(k);
      related.push({ location: o.l.source, message: `${o.app.name} listens on ${port}: ${o.l.reason}` });
    }
    findings.push(lazyFixes({
      ruleId: 'port-collision',
      severity: 'error',
      message:
        `${app.name} listens on port ${port} (${l.reason}${ls.length > 1 ? `; scripts ${scripts}` : ''}), and so ${new Set(others.map((o) => o.app.name)).size > 1 ? 'do' : 'does'} ${listNames(others.map((o) => o.app.name))}: ` +
        `${listNames(others.map((o) => describe(o.l, o.app)))}.${drift}`,
      location: l.source,
      related,
      appId: app.id,
    }, index, fixes));
  }
  return findings;
}
