import type { App, Location, WorkspaceView } from '../model/types';
import { identity, isTestCode, originOf, perApp } from './util';

import { BROWSER_PREFIX as FRAMEWORK_PREFIXES } from '../model/env';

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
      sites.push({
        app,
        key: e.key,
        value,
        origin: o.key,
        location: { file: e.file, range: e.range },
        kind: f.kind === 'template' ? 'template' : 'env',
        bucket: envBucket(f.mode),
      });
    }
  }
  for (const c of app.code) {
    if (isTestCode(app, c.file)) continue;
    for (const d of c.defaults) {
      if (!isServiceUrlKey(d.key)) continue;
      const o = originOf(d.value.trim());
      if (!o) continue;
      sites.push({ app, key: d.key, value: d.value.trim(), origin: o.key, location: { file: d.file, range: d.range }, kind: 'code', bucket: 'development' });
    }
  }
  return sites;
});

/** The origin as written (scheme://host:port), for messages. */
export function display(value: string): string {
  try {
    return new URL(value).origin;
  } catch {
    return value;
  }
}
