import type { App, SessionStoreFact } from '../model/types';
import { appLabel, pm2EntriesOf, TextAt } from '../facts/sessions';
import { appRule } from '../model/rule';

/** Sessions kept in the memory of one process: lost to every other process of a cluster. */
function memorySessions(app: App): SessionStoreFact[] {
  const out: SessionStoreFact[] = [];
  for (const c of app.code) {
    for (const s of c.auth?.sessions ?? []) {
      if ((s.kind === 'express-session' && !s.hasStore) || s.kind === 'memory-map' || s.kind === 'memory-adapter') out.push(s);
    }
  }
  return out;
}

function describe(s: SessionStoreFact): string {
  switch (s.kind) {
    case 'express-session':
      return 'express-session without a store keeps them in its default MemoryStore';
    case 'memory-map':
      return 'a module-level session map holds them';
    default:
      return 'an in-memory session store holds them';
  }
}

export const clusterWithoutSessionStore = appRule({
  id: 'cluster-without-session-store',
  docs: {
    description: 'PM2 runs several instances of an app whose sessions live in process memory: each instance knows only its own sessions.',
    url: 'docs/rules/cluster-without-session-store.md',
  },
  defaultSeverity: 'warning',
  fixable: true,
  facts: ['pm2Entries', 'code'],
  check(app, ctx) {
    const index = ctx.index;
    let sessions: SessionStoreFact[] | undefined;
    for (const p of pm2EntriesOf(index, app)) {
      const n = p.fact.instances;
      if (n === undefined || !p.fact.instancesRange || (typeof n === 'number' && n >= 0 && n <= 1)) continue;
      sessions ??= memorySessions(app);
      if (!sessions.length) continue;
      const count = n === 'max' ? 'instances: "max"' : `instances: ${n}`;
      const name = p.fact.name ?? app.name;
      ctx.report({
        message: `PM2 runs ${name} as several processes (${count}), but ${appLabel(index, app)} keeps its sessions in one process's memory.`,
        at: { file: p.file, range: p.fact.instancesRange },
        related: sessions.map((s) => ({ location: { file: s.file, range: s.range }, message: `sessions in process memory: ${describe(s)}` })),
        app,
        fixes: [
          {
            kind: 'judgement',
            title: `Run a single instance of ${name}`,
            edits: () => {
              const t = TextAt.of(index, p.file);
              const r = p.fact.instancesRange!;
              if (!t) return [];
              const start = t.offset(r.start);
              const seg = t.text.slice(start, t.offset(r.end));
              const m = /^(["']?(?:instances|i)["']?\s*:\s*)(.+?)\s*$/s.exec(seg);
              if (!m) return [];
              const s = start + m[1].length;
              return [{ file: p.file, range: { start: t.position(s), end: t.position(s + m[2].length) }, newText: '1' }];
            },
          },
        ],
      });
    }
  },
});
