import { groupRule } from '../model/rule';
import { appDatabaseUses, isLibrary, type DbUse } from '../facts/databases';
import { labeler } from '../facts/machines';
import { fewNames, identity } from '../facts/util';

/** Other apps named in a message, and related locations, per finding. */
const MAX_NAMED = 2;
const MAX_RELATED = 20;

export const sharedDatabase = groupRule<DbUse>({
  id: 'shared-database',
  docs: {
    description: 'Two different apps use the same database (same server, database and schema), so their migrations fight.',
    url: 'docs/rules/shared-database.md',
  },
  defaultSeverity: 'warning',
  fixable: false,
  facts: ['env', 'schemas', 'code', 'machines', 'databases', 'package', 'listeners', 'pm2'],
  // Every app's database uses, grouped by environment, server, database and schema: linear, never app × app. A
  // library (a schema and migrations package) connects to nothing itself: its URL is the database of the app that
  // uses it, never a second app sharing it.
  groupBy: (app, { index }) =>
    isLibrary(app) ? [] : appDatabaseUses(index, app).map((u) => [`${u.bucket}\0${u.target.server}\0${u.target.database}\0${u.target.schema}`, u] as const),
  check(_key, members, ctx) {
    const index = ctx.index;
    const uses = members.map((m) => m.item);
    const label = labeler(index);
    {
      if (uses.length < 2) return;
      // Distinct apps (replicas are one) of the group, each with its first use: linear per group.
      const byIdentity = new Map<string, DbUse>();
      for (const u of uses) if (!byIdentity.has(identity(u.app))) byIdentity.set(identity(u.app), u);
      if (byIdentity.size < 2) return;
      for (const u of uses) {
        const id = identity(u.app);
        // The first other uses: enough for the names and related locations of one finding.
        const others: DbUse[] = [];
        for (const o of uses) {
          if (identity(o.app) === id) continue;
          others.push(o);
          if (others.length === MAX_RELATED) break;
        }
        const otherCount = byIdentity.size - 1;
        const t = u.target;
        const schema = t.scheme === 'postgresql' && t.schema !== 'public' ? `, schema ${t.schema}` : '';
        const env = u.bucket === 'development' ? '' : ` in the ${u.bucket} environment`;
        const shown = [...new Set(others.map((o) => label(o.app)))];
        ctx.report({
          message: `${label(u.app)} shares database ${t.database}${schema} on ${t.serverLabel} with ${fewNames(shown, MAX_NAMED, ['app', 'apps'], otherCount)}${env}.`,
          at: u.location,
          related: others.map((o) => ({ location: o.location, message: `${o.app.name} uses ${t.database}${schema} on ${t.serverLabel} (${o.what})` })),
          app: u.app,
          fixes: [],
        });
      }
    }
  },
});
