import type { App, ComposeFileInfo, ComposePort, ComposeService, Listener, WorkspaceView } from '../model/types';
import type { ComposeVariant, ResolvedService } from '../index/compose-projects';
import { composeModel, type ComposeModel } from './compose-model';
import { isLocalHost, label, originOf, replacedPositions } from './util';
import { checking, derived, derivedSignature } from './track';

/**
 * Which machine an app runs on. `app.host` when configured (`hosts`). Replicas of one app run on
 * separate machines: a replica whose own URL (NEXTAUTH_URL, AUTH_URL, APP_URL, ...) names another
 * host runs on that host; of the other replicas, the first (by folder) is this machine and each of
 * the rest is a machine of its own. Everything else runs on `local`.
 */
export function machineOf(index: WorkspaceView, app: App): string {
  return machines(index).get(app.id) ?? 'local';
}

const OWN_URL_KEYS = new Set([
  'NEXTAUTH_URL',
  'AUTH_URL',
  'APP_URL',
  'PUBLIC_URL',
  'BASE_URL',
  'SITE_URL',
  'NEXT_PUBLIC_APP_URL',
  'NEXT_PUBLIC_SITE_URL',
  'NEXT_PUBLIC_BASE_URL',
]);

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

// What rules read: each app's machine, by app id (the fingerprint's text of the same, without building one string).
derivedSignature<Map<string, string>>('machines', (m) => {
  const out: string[] = [];
  for (const [id, machine] of m) out.push(id, machine);
  return out;
});

/** App id -> the machine it runs on (every app of the workspace): the same object while no app's machine changes. */
export function machines(index: WorkspaceView): Map<string, string> {
  return derived('machines', index, (ix) => {
    const kept = keptMachines(ix.apps);
    if (kept) return kept;
    const out = new Map<string, string>();
    const groups = new Map<string, App[]>();
    for (const app of ix.apps) {
      let g = groups.get(app.replicaKey);
      if (!g) groups.set(app.replicaKey, (g = []));
      g.push(app);
    }
    for (const group of groups.values()) assign(group, out);
    if (!checking()) lastMachines = { apps: ix.apps, groupSize: new Map([...groups].map(([k, g]) => [k, g.length])), value: out };
    return out;
  });
}

/**
 * The last computation's map, when the apps re-derived since are each alone in their replica group, as they were,
 * and keep their machine (an edit re-derives one app): the same object, so that the rules reading it need not run
 * again, and nothing is rebuilt over every app.
 */
let lastMachines: { apps: readonly App[]; groupSize: Map<string, number>; value: Map<string, string> } | undefined;
function keptMachines(apps: readonly App[]): Map<string, string> | undefined {
  const last = lastMachines;
  if (!last || checking()) return undefined;
  const replaced = replacedPositions(last.apps, apps);
  if (!replaced) return undefined;
  for (const i of replaced) {
    const [old, neu] = [last.apps[i], apps[i]];
    if (old.replicaKey !== neu.replicaKey || last.groupSize.get(neu.replicaKey) !== 1 || last.value.get(neu.id) !== neu.host) return undefined;
  }
  last.apps = apps;
  return last.value;
}

/** The machines of one replica group's apps. */
function assign(group: App[], out: Map<string, string>): void {
  if (group.length === 1) {
    out.set(group[0].id, group[0].host);
    return;
  }
  let first = true;
  for (const app of [...group].sort((a, b) => a.id.localeCompare(b.id))) {
    if (app.host !== 'local') out.set(app.id, app.host);
    else {
      const own = ownHost(app);
      if (own) out.set(app.id, own);
      else if (first) {
        out.set(app.id, 'local');
        first = false;
      } else out.set(app.id, `replica:${app.id}`);
    }
  }
}

/** `localhost` on a machine, as a host name: `localhost` for this machine, the host for a named machine. */
export function localHostName(machine: string): string {
  return machine === 'local' || machine.startsWith('replica:') ? 'localhost' : machine;
}

/** The machine a host in a URL of `app` names: the app's own machine for a local host, else the host itself. */
export function machineOfHost(index: WorkspaceView, app: App, host: string): string {
  return isLocalHost(host) ? machineOf(index, app) : host.toLowerCase();
}

/** A port published by a compose service, with the project and machine it belongs to. */
export interface PublishedPort {
  file: ComposeFileInfo;
  /** The definition (in `file`) that publishes the port. */
  service: ComposeService;
  port: ComposePort;
  /** The project's key (name and folder): files of one project share it. */
  stack: string;
  machine: string;
  /** The app whose folder holds the compose file, if any. */
  app?: App;
  /** The service as its project runs it (interpolated ports, profiles, the app it runs). */
  resolved: ResolvedService;
  variant: ComposeVariant;
}

/**
 * Every host port published by a compose service in the workspace, interpolated with its project's `.env`
 * (ports whose value is unknown are left out). The same array while the compose model and the machines are.
 */
export function publishedPorts(index: WorkspaceView): PublishedPort[] {
  return derived('publishedPorts', index, (ix) => computePublishedPorts(ix, composeModel(ix)));
}

function computePublishedPorts(index: WorkspaceView, model: ComposeModel): PublishedPort[] {
  const owner = new Map<string, App>();
  for (const app of index.apps) for (const c of app.compose) owner.set(c.file, app);
  const files = new Map(index.composeFiles.map((f) => [f.file, f]));
  const out: PublishedPort[] = [];
  for (const { project, variant, service } of model.services) {
    for (const port of service.ports) {
      const file = files.get(port.file);
      const def = service.definitions.find((d) => d.file === port.file) ?? service.definitions[service.definitions.length - 1];
      if (!file) continue;
      const app = owner.get(file.file);
      const machine = app ? machineOf(index, app) : 'local';
      out.push({
        file,
        service: def,
        port: { host: port.host, container: port.container, hostIp: port.hostIp, protocol: port.protocol, range: port.range },
        stack: `${project.name}\0${project.dir}`,
        machine,
        app,
        resolved: service,
        variant,
      });
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

/** `label()` for many apps at once: a name that several apps share gets the app's folder. */
export function labeler(index: WorkspaceView): (app: App) => string {
  return (app) => label(index, app);
}

/** An app's servers with its machine. */
export function bindingsOf(index: WorkspaceView, app: App): AppBinding[] {
  const machine = machineOf(index, app);
  if (checking()) return app.listeners.map((listener) => ({ app, listener, machine }));
  // (memoised per app while its machine is the same: the list is rebuilt for every app on every edit of a listener)
  const hit = bindingMemo.get(app);
  if (hit && hit.machine === machine) return hit.list;
  const list = app.listeners.map((listener) => ({ app, listener, machine }));
  bindingMemo.set(app, { machine, list });
  return list;
}
const bindingMemo = new WeakMap<App, { machine: string; list: AppBinding[] }>();
