import * as path from 'node:path';
import type { App, Location, WorkspaceView } from '../model/types';
import { identity, isTestCode, originOf, perApp } from './util';
import { containerEnv } from './compose-model';

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
  /** `development`, another environment of env files (`production`, `test`), or `compose` (see `environments`). */
  bucket: string;
  /**
   * For a value only compose services read (bucket `compose`): the compose environments (variants) whose containers
   * get it, with how messages name them. Values are compared only within one of them.
   */
  environments?: { id: string; label: string }[];
}

export function serviceUrlSites(index: WorkspaceView): UrlSite[] {
  const sites: UrlSite[] = [];
  for (const app of index.apps) for (const s of scopedServiceUrlSites(index, app)) sites.push(s);
  return sites;
}

/**
 * An app's service-URL sites as the environments they belong to see them (reads the derived fact `containerEnv`).
 * An env file only compose services load with `env_file:` is no configuration of a process on this machine: its
 * entries are the environment of the containers that load it. Such an entry is a site only
 * - where it reaches a container (a later `env_file` or `environment:` does not override it for every service that
 *   loads it), in the bucket `compose`, with the compose environments (variants) it reaches: each variant is a
 *   deployment of its own, compared with itself only;
 * - when it names a service by a host the containers share (a compose service name, an address): `localhost` in a
 *   container is that container itself, and a generic key (`API_URL`) has one value per container.
 */
export function scopedServiceUrlSites(index: WorkspaceView, app: App): UrlSite[] {
  const sites = appServiceUrlSites(app);
  const ce = containerEnv(index);
  if (ce.containerOnly.size === 0 || !sites.some((s) => s.kind === 'env' && ce.containerOnly.has(path.resolve(s.location.file)))) return sites;
  const out: UrlSite[] = [];
  for (const s of sites) {
    const file = path.resolve(s.location.file);
    if (s.kind !== 'env' || !ce.containerOnly.has(file)) {
      out.push(s);
      continue;
    }
    if (serviceGroup(s.key, s.app).startsWith('app:')) continue;
    if (originOf(s.value)?.local !== false) continue;
    const envs = ce.effective.get(`${file}\0${s.location.range.start.line}`);
    if (!envs?.length) continue;
    out.push({ ...s, bucket: 'compose', environments: envs.map((id) => ({ id, label: ce.labels.get(id) ?? 'the containers of a compose project' })) });
  }
  return out;
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
