import type { App, ComposeFileInfo, ComposePort, ComposeService, Listener, WorkspaceView } from '../model/types';
import type { ComposeVariant, ResolvedService } from '../index/compose-projects';
import { composeModel, type ComposeModel } from './compose-model';
import { isLocalHost, label, originOf } from './util';
import { changedApps } from './incremental';

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

interface MachineState {
  apps: readonly App[];
  out: Map<App, string>;
  /** Replica key -> its apps, in app order. */
  groups: Map<string, App[]>;
  /** Replaced whenever an app that was not re-derived changes machine (what rules keyed by machine must notice). */
  epoch: object;
}

const states = new WeakMap<WorkspaceView, MachineState>();

function machines(index: WorkspaceView): Map<App, string> {
  return machineState(index).out;
}

/**
 * An object that stays the same while no app kept across an edit changed machine: memoised
 * computations that read machineOf() for apps other than the edited ones may be kept while it is.
 */
export function machinesEpoch(index: WorkspaceView): object {
  return machineState(index).epoch;
}

function machineState(index: WorkspaceView): MachineState {
  const apps = index.apps;
  let s = states.get(index);
  if (s && s.apps === apps) return s;
  const changed = s ? changedApps(s.apps, apps) : undefined;
  if (s && changed && changed.every((i) => s!.apps[i].replicaKey === apps[i].replicaKey)) {
    // Only the replica groups of the re-derived apps can change (a replica's own URL names its machine).
    const touched = new Set<string>();
    for (const i of changed) {
      const old = s.apps[i];
      const group = s.groups.get(old.replicaKey)!;
      group[group.indexOf(old)] = apps[i];
      s.out.delete(old);
      touched.add(old.replicaKey);
    }
    const replaced = new Set(changed.map((i) => apps[i]));
    let moved = false;
    for (const key of touched) {
      const group = s.groups.get(key)!;
      const before = group.map((a) => s!.out.get(a));
      assign(group, s.out);
      group.forEach((a, j) => {
        if (!replaced.has(a) && s!.out.get(a) !== before[j]) moved = true;
      });
    }
    s.apps = apps;
    if (moved) s.epoch = {};
    return s;
  }
  const out = new Map<App, string>();
  const groups = new Map<string, App[]>();
  for (const app of apps) {
    let g = groups.get(app.replicaKey);
    if (!g) groups.set(app.replicaKey, (g = []));
    g.push(app);
  }
  for (const group of groups.values()) assign(group, out);
  s = { apps, out, groups, epoch: {} };
  states.set(index, s);
  return s;
}

/** The machines of one replica group's apps. */
function assign(group: App[], out: Map<App, string>): void {
  if (group.length === 1) {
    out.set(group[0], group[0].host);
    return;
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
  const model = composeModel(index);
  const epoch = machinesEpoch(index);
  const hit = pubMemo.get(index);
  if (hit && hit.model === model && hit.epoch === epoch) return hit.out;
  const out = computePublishedPorts(index, model);
  pubMemo.set(index, { model, epoch, out });
  return out;
}

const pubMemo = new WeakMap<WorkspaceView, { model: ComposeModel; epoch: object; out: PublishedPort[] }>();

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
        file, service: def, port: { host: port.host, container: port.container, hostIp: port.hostIp, protocol: port.protocol, range: port.range },
        stack: `${project.name}\0${project.dir}`, machine, app, resolved: service, variant,
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

/** An app's servers with its machine (memoised per app and machine). */
const bindingMemo = new WeakMap<App, { machine: string; bindings: AppBinding[] }>();
export function bindingsOf(index: WorkspaceView, app: App): AppBinding[] {
  const machine = machineOf(index, app);
  let m = bindingMemo.get(app);
  if (!m || m.machine !== machine) bindingMemo.set(app, (m = { machine, bindings: app.listeners.map((listener) => ({ app, listener, machine })) }));
  return m.bindings;
}
