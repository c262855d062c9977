import type { App, ComposeFileInfo, ComposePort, ComposeService, Listener, WorkspaceView } from '../model/types';
import { composeStackKey } from '../parsers/compose';
import { isLocalHost, originOf } from './util';

/**
 * Which machine an app runs on. `app.host` when configured (`hosts`). Replicas of one app run on
 * separate machines: a replica whose own URL (NEXTAUTH_URL, AUTH_URL, APP_URL, ...) names another
 * host runs on that host; of the other replicas, the first (by folder) is this machine and each of
 * the rest is a machine of its own. Everything else runs on `local`.
 */
export function machineOf(index: WorkspaceView, app: App): string {
  return machines(index).get(app) ?? 'local';
}

const OWN_URL_KEYS = new Set(['NEXTAUTH_URL', 'AUTH_URL', 'APP_URL', 'PUBLIC_URL', 'BASE_URL', 'SITE_URL', 'NEXT_PUBLIC_APP_URL', 'NEXT_PUBLIC_SITE_URL', 'NEXT_PUBLIC_BASE_URL']);

function ownHost(app: App): string | undefined {
  for (const f of app.envFiles) {
    if (f.kind !== 'live' || !(f.mode === 'default' || f.mode === 'development')) continue;
    for (const e of f.entries) {
      if (!OWN_URL_KEYS.has(e.key)) continue;
      const o = originOf(e.expanded ?? e.value);
      if (o && !o.local) return o.host;
    }
  }
  return undefined;
}

const cache = new WeakMap<readonly App[], Map<App, string>>();

function machines(index: WorkspaceView): Map<App, string> {
  const hit = cache.get(index.apps);
  if (hit) return hit;
  const out = new Map<App, string>();
  const groups = new Map<string, App[]>();
  for (const app of index.apps) {
    let g = groups.get(app.replicaKey);
    if (!g) groups.set(app.replicaKey, (g = []));
    g.push(app);
  }
  for (const group of groups.values()) {
    if (group.length === 1) {
      out.set(group[0], group[0].host);
      continue;
    }
    let first = true;
    for (const app of [...group].sort((a, b) => a.id.localeCompare(b.id))) {
      if (app.host !== 'local') out.set(app, app.host);
      else {
        const own = ownHost(app);
        if (own) out.set(app, own);
        else if (first) {
          out.set(app, 'local');
          first = false;
        } else out.set(app, `replica:${app.id}`);
      }
    }
  }
  cache.set(index.apps, out);
  return out;
}

/** `localhost` on a machine, as a host name: `localhost` for this machine, the host for a named machine. */
export function localHostName(machine: string): string {
  return machine === 'local' || machine.startsWith('replica:') ? 'localhost' : machine;
}

/** The machine a host in a URL of `app` names: the app's own machine for a local host, else the host itself. */
export function machineOfHost(index: WorkspaceView, app: App, host: string): string {
  return isLocalHost(host) ? machineOf(index, app) : host.toLowerCase();
}

/** A port published by a compose service, with the stack and machine it belongs to. */
export interface PublishedPort {
  file: ComposeFileInfo;
  service: ComposeService;
  port: ComposePort;
  /** Files Compose merges (compose.yaml + compose.override.yaml) share one stack key. */
  stack: string;
  machine: string;
  /** The app whose folder holds the compose file, if any. */
  app?: App;
}

/** Every host port published by a compose service in the workspace. */
export function publishedPorts(index: WorkspaceView): PublishedPort[] {
  const owner = new Map<string, App>();
  for (const app of index.apps) for (const c of app.compose) owner.set(c.file, app);
  const out: PublishedPort[] = [];
  for (const file of index.composeFiles) {
    const app = owner.get(file.file);
    const machine = app ? machineOf(index, app) : 'local';
    for (const service of file.services) {
      for (const port of service.ports) out.push({ file, service, port, stack: composeStackKey(file.file), machine, app });
    }
  }
  return out;
}

/** A server of an app: one per distinct port and machine (dev and start scripts often share a port). */
export interface AppBinding {
  app: App;
  listener: Listener;
  machine: string;
}

export function appBindings(index: WorkspaceView): AppBinding[] {
  const out: AppBinding[] = [];
  for (const app of index.apps) {
    const machine = machineOf(index, app);
    for (const listener of app.listeners) out.push({ app, listener, machine });
  }
  return out;
}

/** `label()` for many apps at once: a name that several apps share gets the app's folder. Counts names once. */
export function labeler(index: WorkspaceView): (app: App) => string {
  const count = new Map<string, number>();
  for (const a of index.apps) count.set(a.name, (count.get(a.name) ?? 0) + 1);
  return (app) => ((count.get(app.name) ?? 0) > 1 ? `${app.name} (${app.id})` : app.name);
}
