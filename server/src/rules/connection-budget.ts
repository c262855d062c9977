import type { App, RelatedInfo } from '../model/types';
import { groupRule } from '../model/rule';
import { labeler } from '../facts/machines';
import { appPools, limitSources, processCount, serverLimit, type DbTarget, type PoolUse } from '../facts/databases';
import { listNames } from '../facts/util';

/** superuser_reserved_connections: PostgreSQL keeps these for superusers. */
const RESERVED = 3;
/** Other apps named in a message (the largest shares); the rest are counted. */
const MAX_NAMED = 8;

interface Share {
  app: App;
  pools: PoolUse[];
  processes: { n: number; why: string };
  total: number;
}

export const connectionBudget = groupRule<{ pool: PoolUse; processes: { n: number; why: string } }>({
  id: 'connection-budget',
  docs: {
    description: 'The apps that use one PostgreSQL server can together open more connections (pool size × processes) than its max_connections allows.',
    url: 'docs/rules/connection-budget.md',
  },
  defaultSeverity: 'warning',
  fixable: false,
  facts: ['env', 'schemas', 'code', 'pm2', 'package', 'machines', 'databases'],
  // Pools grouped by server: linear in the number of pools.
  groupBy(app, { index }) {
    const pools = appPools(index, app).filter((p) => p.target.scheme === 'postgresql');
    if (pools.length === 0) return [];
    const processes = processCount(index, app);
    return pools.map((pool) => [pool.target.server, { pool, processes }] as const);
  },
  check(_server, members, ctx) {
    const index = ctx.index;
    const target: DbTarget = members[0].item.pool.target;
    const shares = new Map<App, Share>();
    for (const { app, item } of members) {
      let share = shares.get(app);
      if (!share) shares.set(app, (share = { app, pools: [], processes: item.processes, total: 0 }));
      share.pools.push(item.pool);
      share.total += item.pool.size * item.processes.n;
    }
    {
      let total = 0;
      for (const s of shares.values()) total += s.total;
      const limit = serverLimit(index, target, limitSources(index));
      const budget = Math.max(0, limit.max - RESERVED);
      if (total <= budget) return;
      // Largest shares first; messages and related locations name at most MAX_NAMED other apps.
      const list = [...shares.values()].sort((a, b) => b.total - a.total || a.app.id.localeCompare(b.app.id));
      const name = labeler(index);
      for (const s of list) {
        const others: Share[] = [];
        for (const o of list) {
          if (o === s) continue;
          if (others.length === MAX_NAMED) break;
          others.push(o);
        }
        const perProcess = s.pools.reduce((n, p) => n + p.size, 0);
        // One short line: who opens how many against the server's budget; the arithmetic is in the related locations.
        const named = others.slice(0, 1).map((o) => `${name(o.app)} (${o.total})`);
        const rest = list.length - 1 - named.length;
        if (rest > 0) named.push(`${rest} other app${rest === 1 ? '' : 's'}`);
        const message = others.length
          ? `${listNames([`${name(s.app)} (${s.total})`, ...named])} can open ${total} connections to ${target.serverLabel} (limit ${budget}).`
          : `${name(s.app)} can open ${s.total} connections to ${target.serverLabel} (${s.processes.n} × ${perProcess}, limit ${budget}).`;
        const related: RelatedInfo[] = [];
        for (const o of others) {
          const seen = new Set<string>();
          for (const p of o.pools) {
            const k = `${p.location.file}:${p.location.range.start.line}`;
            if (seen.has(k)) continue;
            seen.add(k);
            related.push({
              location: p.location,
              message: `${o.app.name}: ${o.processes.why} × a pool of ${p.size} (${p.sizeWhy}) = ${p.size * o.processes.n}`,
            });
          }
        }
        const limitText = `max_connections = ${limit.max} (${limit.why}), ${RESERVED} of them reserved for superusers`;
        if (limit.location) related.push({ location: limit.location, message: limitText });
        const reported = new Set<string>();
        for (const p of s.pools) {
          const k = `${p.location.file}:${p.location.range.start.line}`;
          if (reported.has(k)) continue;
          reported.add(k);
          ctx.report({
            message,
            at: p.location,
            // The arithmetic behind the message: this pool, the app's other pools, the other apps, the server's limit.
            related: [
              { location: p.location, message: `${name(s.app)}: ${s.processes.why} × a pool of ${p.size} (${p.sizeWhy}) = ${p.size * s.processes.n}` },
              ...(limit.location ? [] : [{ location: p.location, message: limitText }]),
              ...s.pools
                .filter((x) => x !== p && `${x.location.file}:${x.location.range.start.line}` !== k)
                .map((x) => ({ location: x.location, message: `also ${x.size} (${x.sizeWhy}) per process` })),
              ...related,
            ],
            app: s.app,
            fixes: [],
          });
        }
      }
    }
  },
});
