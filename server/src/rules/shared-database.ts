import type { Finding, Rule, WorkspaceView } from '../model/types';
import { appDatabaseUses, type DbUse } from './databases';
import { identity, label, listNames } from './util';

export const sharedDatabase: Rule = {
  id: 'shared-database',
  docs: {
    description: 'Two different apps use the same database (same server, database and schema), so their migrations fight.',
    url: 'docs/rules/shared-database.md',
  },
  defaultSeverity: 'warning',
  fixable: false,
  check(index: WorkspaceView): Finding[] {
    // Group every app's database uses by environment, server, database and schema: linear, never app × app.
    const groups = new Map<string, DbUse[]>();
    for (const app of index.apps) {
      for (const u of appDatabaseUses(index, app)) {
        const k = `${u.bucket}\0${u.target.server}\0${u.target.database}\0${u.target.schema}`;
        let g = groups.get(k);
        if (!g) groups.set(k, (g = []));
        g.push(u);
      }
    }
    const findings: Finding[] = [];
    for (const uses of groups.values()) {
      if (uses.length < 2 || new Set(uses.map((u) => identity(u.app))).size < 2) continue;
      for (const u of uses) {
        const others = uses.filter((o) => identity(o.app) !== identity(u.app));
        const t = u.target;
        const schema = t.scheme === 'postgresql' && t.schema !== 'public' ? `, schema ${t.schema}` : '';
        const env = u.bucket === 'development' ? '' : ` in the ${u.bucket} environment`;
        const names = [...new Set(others.map((o) => label(index, o.app)))];
        findings.push({
          ruleId: 'shared-database',
          severity: 'warning',
          message:
            `${label(index, u.app)} and ${listNames(names)} use the same database (${t.database}${schema} on ${t.serverLabel})${env}. ` +
            `Their migrations fight: each app's migration history lacks the other's tables, so each sees them as drift ` +
            `(\`prisma migrate dev\` then offers to reset the database, deleting the other app's data). ` +
            `Give each app its own database; different databases on one server are fine${t.scheme === 'postgresql' ? ', and so is a schema of its own (`?schema=...`)' : ''}.`,
          location: u.location,
          related: others.map((o) => ({ location: o.location, message: `${o.app.name} uses ${t.database}${schema} on ${t.serverLabel} (${o.what})` })),
          appId: u.app.id,
          fixes: [],
        });
      }
    }
    return findings;
  },
};
