import { randomBytes, randomUUID } from 'node:crypto';
import type { App, EnvEntry } from '../model/types';
import { resolveEnv } from '../facts/datasources';
import { groupRule } from '../model/rule';
import { envLocation, fewNames, label, MAX_RELATED, replaceEnvValue } from '../facts/util';

/** Keys whose value identifies one server of a replicated app: SYNC_NODE_ID, SYNC_NODE_NAME, NODE_ID, CLUSTER_NODE_NAME, INSTANCE_ID, PEER_ID. */
export function isNodeIdKey(key: string): boolean {
  const k = key.toUpperCase();
  return /(^|_)NODE_(ID|NAME)$/.test(k) || /(^|_)(INSTANCE|PEER)_ID$/.test(k);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A fresh id: 8 random bytes as hex (`openssl rand -hex 8`), or a random UUID where the old id was a UUID. */
export function newNodeId(old: string): string {
  return UUID.test(old.trim()) ? randomUUID() : randomBytes(8).toString('hex');
}

/**
 * A fresh name: a trailing number is replaced by the smallest number no replica uses yet
 * (`sync-node-server-1` -> `sync-node-server-2`); otherwise 2 random bytes are appended (`sync-node` -> `sync-node-3fa9`).
 */
export function newNodeName(old: string, taken: ReadonlySet<string>): string {
  const m = /^(.*?)(\d+)$/.exec(old);
  if (m) {
    for (let n = 1; n < 10_000; n++) {
      const candidate = `${m[1]}${n}`;
      if (!taken.has(candidate)) return candidate;
    }
  }
  return `${old}-${randomBytes(2).toString('hex')}`;
}

interface Site {
  app: App;
  entry: EnvEntry;
  value: string;
}

export const duplicateNodeId = groupRule<null>({
  id: 'duplicate-node-id',
  docs: {
    description:
      'Replicas of one app share a value that must be unique per server (SYNC_NODE_ID, SYNC_NODE_NAME, *_NODE_ID, *_NODE_NAME, *_INSTANCE_ID, *_PEER_ID).',
    url: 'docs/rules/duplicate-node-id.md',
  },
  defaultSeverity: 'error',
  fixable: true,
  facts: ['env'],
  groupBy: (app) => [[app.replicaKey, null]],
  check(_key, members, ctx) {
    const index = ctx.index;
    const group = members.map((m) => m.app);
    if (group.length < 2) return;
    {
      const keys = new Set<string>();
      for (const app of group) for (const f of app.envFiles) if (f.kind === 'live') for (const e of f.entries) if (isNodeIdKey(e.key)) keys.add(e.key);
      for (const key of keys) {
        const byValue = new Map<string, Site[]>();
        const taken = new Set<string>();
        for (const app of group) {
          // The value the replica really uses: the highest-precedence live file that defines the key.
          const entry = resolveEnv(app, key);
          const value = entry ? (entry.expanded ?? entry.value).trim() : '';
          if (!entry || !value) continue;
          taken.add(value);
          let l = byValue.get(value);
          if (!l) byValue.set(value, (l = []));
          l.push({ app, entry, value });
        }
        const isName = /NAME$/i.test(key);
        for (const [value, sites] of byValue) {
          if (sites.length < 2) continue;
          for (const s of sites) {
            const others = sites.filter((o) => o !== s);
            ctx.report({
              message: `${key} "${value}" of ${s.app.name} is also used by its ${others.length === 1 ? 'replica' : 'replicas'} in ${fewNames(
                others.map((o) => o.app.id),
                2,
                ['replica', 'replicas'],
              )}.`,
              at: envLocation(s.entry),
              related: others
                .slice(0, MAX_RELATED)
                .map((o) => ({ location: envLocation(o.entry), message: `${key} of ${label(index, o.app)} (the same value)` })),
              app: s.app,
              fixes: [
                {
                  kind: 'secret',
                  title: `Generate a new ${key} for ${label(index, s.app)}`,
                  preferred: true,
                  edits: () => {
                    const fresh = isName ? newNodeName(value, taken) : newNodeId(value);
                    // Every live env file of this replica that holds the shared value for this key.
                    const out = [];
                    for (const f of s.app.envFiles) {
                      if (f.kind !== 'live') continue;
                      for (const e of f.entries)
                        if (e.key === key && (e.expanded ?? e.value).trim() === value && e.value === (e.expanded ?? e.value))
                          out.push(replaceEnvValue(e, fresh));
                    }
                    return out;
                  },
                },
              ],
            });
          }
        }
      }
    }
  },
});
