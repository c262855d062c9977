import type { App, Fix, Location, Range } from '../model/types';
import { appRule } from '../model/rule';
import { isServedUrlKey } from '../facts/sessions';
import { machineOf } from '../facts/machines';
import { appNamedByKey, listening } from '../facts/listening';
import { fewNames, identity, isTestCode, label, originOf, perApp, portEdit, type Origin } from '../facts/util';

const DEV_ROLES = new Set(['dev', 'server']);

/** Words of a URL key that name no app by themselves (`NEXT_PUBLIC_APP_URL`, `CALLBACK_URL`). */
const GENERIC = new Set([
  'app',
  'apps',
  'site',
  'base',
  'public',
  'url',
  'host',
  'origin',
  'local',
  'localhost',
  'internal',
  'external',
  'callback',
  'redirect',
  'webhook',
  'service',
  'server',
  'client',
  'next',
  'vite',
  'react',
]);

interface Site {
  key: string;
  value: string;
  location: Location;
  /** Where the URL's text is written (for the fix), when it is written literally. */
  written?: Range;
  what: string;
}

/** An app's development URLs under `*_URL` keys: live default/development env files, templates, code defaults (tests excluded). Memoised per app (its env and code). */
const sitesOf = perApp((app: App): Site[] => {
  const out: Site[] = [];
  for (const f of app.envFiles) {
    if (f.kind === 'live' && f.mode !== 'default' && f.mode !== 'development') continue;
    for (const e of f.entries) {
      if (!/_URL$/.test(e.key)) continue;
      const literal = (e.expanded ?? e.value) === e.value;
      out.push({
        key: e.key,
        value: (e.expanded ?? e.value).trim(),
        location: { file: e.file, range: e.range },
        written: literal ? e.innerRange : undefined,
        what: e.key,
      });
    }
  }
  for (const c of app.code) {
    if (isTestCode(app, c.file)) continue;
    for (const d of c.defaults)
      if (/_URL$/.test(d.key))
        out.push({ key: d.key, value: d.value.trim(), location: { file: d.file, range: d.range }, written: d.range, what: `The code default of ${d.key}` });
  }
  return out;
});

/** The sites that name a port of this machine over http(s), with their origin, but the app's own URL (memoised per app). */
const localSitesOf = perApp((app: App): { s: Site; o: Origin }[] => {
  const out: { s: Site; o: Origin }[] = [];
  for (const s of sitesOf(app)) {
    if (isServedUrlKey(s.key)) continue;
    const o = originOf(s.value);
    if (!o || !o.local || !o.port || !/^https?$/.test(o.scheme)) continue;
    out.push({ s, o });
  }
  return out;
});

/**
 * A local URL whose key names one app of the workspace (`DASHBOARD_URL`, `BILLING_API_URL`) points at a port where
 * another app listens, while the app it names listens elsewhere: the caller reaches the wrong server. Only when the
 * named app's ports on that machine are all known, and nothing published by compose sits on that port.
 */
export const misdirectedServiceUrl = appRule({
  id: 'misdirected-service-url',
  docs: {
    description: 'A local URL whose key names an app (DASHBOARD_URL) points at the port of a different app, while the named app listens elsewhere.',
    url: 'docs/rules/misdirected-service-url.md',
  },
  defaultSeverity: 'warning',
  fixable: true,
  facts: ['env', 'code', 'machines', 'listening'],
  // (read key by key: an edit of a port re-runs it only for the apps whose URLs asked about that port)
  ownParts: ['listening'],
  check(app, ctx) {
    const index = ctx.index;
    const sites = localSitesOf(app);
    if (!sites.length) return;
    const l = listening(index);
    const machine = machineOf(index, app);
    for (const { s, o } of sites) {
      const target = appNamedByKey(index, s.key, GENERIC);
      if (!target || identity(target) === identity(app)) continue;
      if (l.isUnseen(identity(target)) || l.unknownApps().some((u) => identity(u.app) === identity(target))) continue;
      // A development URL is compared with the servers that run in development (dev servers, plain servers), when there are any.
      const mine = l.bindingsOf(target).filter((b) => b.machine === machine);
      const devs = mine.filter((b) => DEV_ROLES.has(b.listener.role));
      const targetBindings = devs.length ? devs : mine;
      const targetPorts = [...new Set(targetBindings.map((b) => b.listener.port))];
      if (!targetPorts.length || targetPorts.includes(o.port)) continue;
      if (l.published(`${machine}\0${o.port}`)) continue;
      const there = l.at(`${machine}\0${o.port}`).filter((b) => identity(b.app) !== identity(target));
      if (!there.length) continue; // nothing listens there: dangling-service-url's question, not this one
      const others = [...new Map(there.map((b) => [identity(b.app), b.app])).values()];
      const fixes: Fix[] = [];
      if (targetPorts.length === 1 && s.written) {
        const to = targetPorts[0];
        const range = s.written;
        fixes.push({
          kind: 'judgement',
          title: `Point ${s.key} at port ${to} (${target.name})`,
          preferred: true,
          edits: () => {
            const e = portEdit(index, s.location.file, range, to);
            return e ? [e] : [];
          },
        });
      }
      ctx.report({
        message: `${s.what} points at port ${o.port} (${fewNames(
          others.map((a) => label(index, a)),
          1,
        )}), but ${label(index, target)} listens on ${fewNames(targetPorts.map(String), 2, ['port', 'ports'])}.`,
        at: s.location,
        related: [
          ...targetBindings
            .slice(0, 5)
            .map((b) => ({ location: b.listener.source, message: `${label(index, target)} listens on ${b.listener.port}: ${b.listener.reason}` })),
          ...there
            .slice(0, 5)
            .map((b) => ({ location: b.listener.source, message: `${label(index, b.app)} listens on ${b.listener.port}: ${b.listener.reason}` })),
        ],
        fixes,
      });
    }
  },
});
