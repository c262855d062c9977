import type { App, Finding, Listener, Rule, WorkspaceView } from '../model/types';
import { identity, listNames } from './util';
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
    // Group listeners by machine and port: linear, never app × app.
    // Apps configured to run on another machine (`hosts`) only collide with apps on that machine.
    const byHostPort = new Map<string, { app: App; l: Listener }[]>();
    for (const app of index.apps) {
      for (const l of app.listeners) {
        const k = `${app.host}\0${l.port}`;
        let list = byHostPort.get(k);
        if (!list) byHostPort.set(k, (list = []));
        list.push({ app, l });
      }
    }
    const findings: Finding[] = [];
    for (const entries of byHostPort.values()) {
      const port = entries[0].l.port;
      if (new Set(entries.map((e) => identity(e.app))).size < 2) continue;
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
        const fixes = [];
        if (!l.explicit) {
          const n = choosePort(index, app, l, { mustBeFree: true });
          const fix = n !== undefined && n !== port ? setPortFix(index, app, l, n) : undefined;
          if (fix) fixes.push(fix);
        }
        // de-duplicate related locations (one per other source)
        const seen = new Set<string>();
        const related = [];
        for (const o of others) {
          const k = `${o.l.source.file}:${o.l.source.range.start.line}`;
          if (seen.has(k)) continue;
          seen.add(k);
          related.push({ location: o.l.source, message: `${o.app.name} listens on ${port}: ${o.l.reason}` });
        }
        findings.push({
          ruleId: 'port-collision',
          severity: 'error',
          message:
            `${app.name} listens on port ${port} (${l.reason}${ls.length > 1 ? `; scripts ${scripts}` : ''}), and so ${new Set(others.map((o) => o.app.name)).size > 1 ? 'do' : 'does'} ${listNames(others.map((o) => o.app.name))}: ` +
            `${listNames(others.map((o) => describe(o.l, o.app)))}.${drift}`,
          location: l.source,
          related,
          appId: app.id,
          fixes,
        });
      }
    }
    return findings;
  },
};
