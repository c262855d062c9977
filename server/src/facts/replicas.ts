import type { App, WorkspaceView } from '../model/types';

/** Replica groups (apps sharing a replica key: same package name, or a `replicas` group of the config) with two or more members. */
export function replicaGroups(index: WorkspaceView): App[][] {
  const groups = new Map<string, App[]>();
  for (const app of index.apps) {
    let g = groups.get(app.replicaKey);
    if (!g) groups.set(app.replicaKey, (g = []));
    g.push(app);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

/** The parts of a connection URL as written: `scheme://` `user:pass@` `host:port` `/path` `?query#hash`. */
export interface UrlParts {
  scheme: string;
  userinfo: string;
  hostport: string;
  host: string;
  port: string;
  path: string;
  rest: string;
}

export function urlParts(value: string): UrlParts | undefined {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(\/[^?#]*)?(.*)$/is.exec(value.trim());
  if (!m) return undefined;
  const authority = m[2];
  const at = authority.lastIndexOf('@');
  const userinfo = at === -1 ? '' : authority.slice(0, at + 1);
  const hostport = authority.slice(at + 1);
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostport);
  if (!hp) return undefined;
  return { scheme: m[1], userinfo, hostport, host: hp[1].replace(/^\[|\]$/g, ''), port: hp[2] ?? '', path: m[3] ?? '', rest: m[4] };
}
