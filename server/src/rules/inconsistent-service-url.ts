import type { App, Finding, Location, Rule, WorkspaceView } from '../model/types';
import { identity, listNames, MAX_RELATED, originOf, perApp, where } from './util';

const FRAMEWORK_PREFIXES = /^(NEXT_PUBLIC_|VITE_|REACT_APP_|PUBLIC_|NUXT_PUBLIC_|EXPO_PUBLIC_|GATSBY_|NG_APP_|VUE_APP_)/;

export function isServiceUrlKey(key: string): boolean {
  return /_SERVICE_URL$/.test(key) || /(^|_)API_URL$/.test(key);
}

/**
 * The comparison group of a key: a key that names a service (AUTH_SERVICE_URL, BILLING_API_URL) is
 * compared across the workspace; a generic one (API_URL, VITE_API_URL, NEXT_PUBLIC_API_URL) only
 * within its app, since two frontends may rightly call two backends.
 */
export function serviceGroup(key: string, app: App): string {
  const stripped = key.replace(FRAMEWORK_PREFIXES, '');
  if (stripped === 'API_URL' || stripped === 'SERVICE_URL' || stripped === 'BACKEND_URL') return `app:${identity(app)}:${stripped}`;
  return `svc:${stripped}`;
}

/** Development sites: default/development env files and templates, and code defaults; production/staging/test are compared per environment. */
function envBucket(mode: string): string {
  if (mode === 'default' || mode === 'development') return 'development';
  return mode;
}

export interface UrlSite {
  app: App;
  key: string;
  value: string;
  origin: string;
  location: Location;
  kind: 'env' | 'template' | 'code';
  bucket: string;
}

export function serviceUrlSites(index: WorkspaceView): UrlSite[] {
  const sites: UrlSite[] = [];
  for (const app of index.apps) for (const s of appServiceUrlSites(app)) sites.push(s);
  return sites;
}

/** The service-URL sites of one app (memoised per app: see perApp). */
export const appServiceUrlSites = perApp((app: App): UrlSite[] => {
  const sites: UrlSite[] = [];
  for (const f of app.envFiles) {
    for (const e of f.entries) {
      if (!isServiceUrlKey(e.key)) continue;
      const value = (e.expanded ?? e.value).trim();
      const o = originOf(value);
      if (!o) continue;
      sites.push({ app, key: e.key, value, origin: o.key, location: { file: e.file, range: e.range }, kind: f.kind === 'template' ? 'template' : 'env', bucket: envBucket(f.mode) });
    }
  }
  for (const c of app.code) {
    for (const d of c.defaults) {
      if (!isServiceUrlKey(d.key)) continue;
      const o = originOf(d.value.trim());
      if (!o) continue;
      sites.push({ app, key: d.key, value: d.value.trim(), origin: o.key, location: { file: d.file, range: d.range }, kind: 'code', bucket: 'development' });
    }
  }
  return sites;
});

/** A host name with a public-looking domain (not an address, not a single-label or internal name). */
function isPublicHost(host: string): boolean {
  if (!host.includes('.') || /^[\d.]+$/.test(host) || host.includes(':')) return false;
  return !/\.(local|localhost|internal|lan|test|home|svc|cluster\.local)$/.test(host);
}

/** The origin as written (scheme://host:port), for messages. */
export function display(value: string): string {
  try {
    return new URL(value).origin;
  } catch {
    return value;
  }
}

export const inconsistentServiceUrl: Rule = {
  id: 'inconsistent-service-url',
  docs: {
    description: 'A service URL (AUTH_SERVICE_URL, *_SERVICE_URL, *_API_URL) has different origins across the env files, templates and code defaults that define it.',
    url: 'docs/rules/inconsistent-service-url.md',
  },
  defaultSeverity: 'warning',
  fixable: false,
  check(index: WorkspaceView): Finding[] {
    const groups = new Map<string, UrlSite[]>();
    for (const s of serviceUrlSites(index)) {
      // Development values name local or internal services (localhost, a compose service name, an address); a public
      // domain there (`process.env.API_URL || "https://api.example.com"`) is the production default, not a competing
      // development value.
      if (s.bucket === 'development' && isPublicHost(originOf(s.value)?.host ?? '')) continue;
      const k = `${serviceGroup(s.key, s.app)}\0${s.bucket}`;
      let l = groups.get(k);
      if (!l) groups.set(k, (l = []));
      l.push(s);
    }
    const findings: Finding[] = [];
    for (const sites of groups.values()) {
      const byOrigin = new Map<string, UrlSite[]>();
      for (const s of sites) {
        let l = byOrigin.get(s.origin);
        if (!l) byOrigin.set(s.origin, (l = []));
        l.push(s);
      }
      if (byOrigin.size < 2) continue;
      const counts = [...byOrigin.entries()].sort((a, b) => b[1].length - a[1].length);
      const majority = counts[0][1].length > counts[1][1].length ? counts[0][0] : undefined;
      // Bounded text and related lists: a key defined in thousands of places must not cost sites × sites.
      const shown = counts.slice(0, 5).map(([, ss]) => {
        const locs = ss.slice(0, 3).map((x) => where(index, x.location));
        const more = ss.length > 3 ? ` and ${ss.length - 3} more` : '';
        return `${listNames([...new Set(ss.slice(0, 3).map((x) => display(x.value)))])} (${locs.join(', ')}${more})`;
      });
      const summary = shown.join('; ') + (counts.length > 5 ? `; and ${counts.length - 5} other origins` : '');
      const majorityValues = listNames([...new Set(counts[0][1].slice(0, 3).map((x) => display(x.value)))]);
      const relatedPool = counts.flatMap(([, ss]) => ss.slice(0, MAX_RELATED));
      for (const s of sites) {
        if (majority && s.origin === majority) continue;
        const key = s.key;
        const envNote = s.bucket === 'development' ? '' : ` in the ${s.bucket} environment`;
        findings.push({
          ruleId: 'inconsistent-service-url',
          severity: 'warning',
          message: majority
            ? `${key} points at ${display(s.value)} here, but ${counts[0][1].length} other ${counts[0][1].length === 1 ? 'definition points' : 'definitions point'} at ${majorityValues}${envNote}. Every place that defines it: ${summary}.`
            : `${key} has ${byOrigin.size} different origins${envNote} and none is the majority: ${summary}.`,
          location: s.location,
          related: relatedPool.filter((o) => o !== s).slice(0, MAX_RELATED).map((o) => ({ location: o.location, message: `${o.key} = ${display(o.value)} (${o.kind === 'code' ? 'default in code' : o.kind === 'template' ? 'template' : 'env file'} of ${o.app.name})` })),
          appId: s.app.id,
          fixes: [],
        });
      }
    }
    return findings;
  },
};
