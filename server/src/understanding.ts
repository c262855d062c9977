/**
 * What Crosswire understood of a workspace, for `crosswire apps`: each app with its folder, framework, the server
 * processes its scripts start and the port each binds (or why the port is unknown), whether anything starts them,
 * its env files, database servers and compose files; the run groups (processes one script starts together) and the
 * systems (apps linked by their configuration, assumed to run together). A user who doubts a finding sees why.
 * Values are never shown: only keys, ports, hosts and file paths.
 */
import * as path from 'node:path';
import type { App, Runs, WorkspaceView } from './model/types';
import { processKey } from './index/runs';
import { appDatabaseUses } from './facts/databases';
import { linkText, systems } from './facts/systems';
import { identity } from './facts/util';
import { frameworkModule } from './frameworks';
import { composeModel } from './facts/compose-model';
import { composeEnvironmentFor, type ResolvedService } from './index/compose-projects';

export interface ProcessView {
  script: string;
  command: string;
  role: string;
  /** The port it binds, or null when unknown. */
  port: number | null;
  /** How the port was decided (`flag`, `loaded-env`, `default`, ...), or `unknown: <reason>`. */
  how: string;
  reason: string;
  drifts: boolean;
  /** Something starts it: an entry script of the app, a monorepo root's script, another script. */
  runs: boolean;
  /** Run groups (by index into `runGroups`) that start it together with other apps' processes. */
  startedWith: number[];
}

export interface AppView {
  id: string;
  name: string;
  folder: string;
  framework: string;
  /** A project of a language Crosswire does not model in the app's folder (`Go`): its servers and their ports are unknown. */
  foreign: string | null;
  host: string;
  processes: ProcessView[];
  envFiles: { file: string; kind: string; mode: string }[];
  databaseServers: string[];
  composeFiles: string[];
  /** Compose services that run this app (they build its folder or run the image its scripts build). */
  composeServices: {
    project: string;
    service: string;
    file: string;
    ports: string[];
    why: string;
    /** Ports the app binds in that container, set by the service's `environment:` / `env_file` (`9091 (FLASK_SERVER_PORT)`). */
    binds: string[];
  }[];
  /** Index into `systems`, when the app is linked to others. */
  system: number | null;
}

export interface Understanding {
  apps: AppView[];
  runGroups: { label: string; file: string; line: number; processes: string[] }[];
  systems: { apps: string[]; links: string[] }[];
}

/** The compose services each app runs as (by app id), once per project, service and file. */
function composeServicesByApp(index: WorkspaceView, rel: (file: string) => string): Map<string, AppView['composeServices']> {
  const servicesOf = new Map<string, AppView['composeServices']>();
  for (const { project, service } of composeModel(index).services) {
    if (!service.app) continue;
    const list = servicesOf.get(service.app.id) ?? [];
    const file = rel(service.definitions[0]?.file ?? project.dir);
    if (!list.some((x) => x.project === project.name && x.service === service.name && x.file === file)) {
      list.push({
        project: project.name,
        service: service.name,
        file,
        ports: service.ports.map((p) => `${p.host}:${p.container ?? '?'}`),
        why: service.appReason ?? '',
        binds: containerBinds(index, index.appById(service.app.id), service),
      });
    }
    servicesOf.set(service.app.id, list);
  }
  return servicesOf;
}

/**
 * The ports an app binds inside a compose service's container, when the service's environment sets the variable its
 * server reads (`environment:` over `env_file`, later files over earlier ones: Compose's precedence): the app reads
 * that value, not its own env files' (process environment wins over dotenv).
 */
function containerBinds(index: WorkspaceView, app: App | undefined, service: ResolvedService): string[] {
  if (!app) return [];
  const env = composeEnvironmentFor(composeModel(index).projects, app.dir).find((x) => x.service === service)?.env;
  if (!env) return [];
  const out = new Set<string>();
  for (const l of app.listeners) {
    if (!l.portEnvVar || !env.has(l.portEnvVar)) continue;
    const v = env.get(l.portEnvVar)?.value?.trim();
    out.add(v && /^\d{1,5}$/.test(v) ? `${Number(v)} (${l.portEnvVar} in the service's environment)` : `unknown (${l.portEnvVar} is set by the service)`);
  }
  return [...out];
}

/** An app's server processes, listeners then unknown ports, with whether they run and with which run groups. */
function processesOf(a: App, runs: Runs): ProcessView[] {
  const processes: ProcessView[] = [];
  for (const l of a.listeners) {
    const k = processKey(a.id, l.script);
    processes.push({
      script: l.script,
      command: l.command,
      role: l.role,
      port: l.port,
      how: l.how,
      reason: l.reason,
      drifts: l.drifts,
      runs: runs.running.has(k),
      startedWith: runs.setsOf.get(k) ?? [],
    });
  }
  for (const u of a.unknownPorts) {
    const k = processKey(a.id, u.script);
    processes.push({
      script: u.script,
      command: u.command,
      role: u.role,
      port: null,
      how: `unknown: ${u.reason}`,
      reason: u.reason,
      drifts: false,
      runs: runs.running.has(k),
      startedWith: runs.setsOf.get(k) ?? [],
    });
  }
  return processes;
}

export function understand(index: WorkspaceView, rel: (file: string) => string): Understanding {
  const runs = index.runs();
  const sys = systems(index);
  const byComp = new Map<string, App[]>();
  for (const a of index.apps) {
    const c = sys.component.get(identity(a))!;
    const list = byComp.get(c) ?? [];
    list.push(a);
    byComp.set(c, list);
  }
  const linked = [...byComp.values()].filter((list) => new Set(list.map(identity)).size > 1);
  const systemOf = new Map<App, number>();
  linked.forEach((list, i) => list.forEach((a) => systemOf.set(a, i)));
  const servicesOf = composeServicesByApp(index, rel);
  const apps: AppView[] = index.apps.map((a) => {
    const processes = processesOf(a, runs);
    return {
      id: a.id,
      name: a.name,
      folder: rel(a.dir) || '.',
      framework: frameworkModule(a.framework)?.label ?? a.framework,
      foreign: a.foreign ?? null,
      host: a.host,
      processes,
      envFiles: a.envFiles.map((f) => ({ file: rel(f.file), kind: f.kind, mode: f.mode })),
      databaseServers: [...new Set(appDatabaseUses(index, a).map((u) => u.target.serverLabel))],
      composeFiles: a.compose.map((c) => rel(c.file)),
      composeServices: servicesOf.get(a.id) ?? [],
      system: systemOf.get(a) ?? null,
    };
  });
  const runGroups = runs.sets.map((s) => ({
    label: s.label,
    file: rel(s.location.file),
    line: s.location.range.start.line + 1,
    processes: s.processes.map((p) => p.replace('\0', ':')),
  }));
  const systemsOut = linked.map((list) => {
    const ids = new Set(list.map(identity));
    const links = new Set<string>();
    for (const id of ids) {
      const sig = sys.linkSignature.get(id) ?? [];
      for (let i = 0; i < sig.length; i += 2) if (ids.has(sig[i])) links.add(linkText(index, sig[i + 1]));
    }
    return { apps: list.map((a) => a.id), links: [...links].slice(0, 50) };
  });
  return { apps, runGroups, systems: systemsOut };
}

/** The text form: one block per app, then run groups and systems. */
export function understandingText(u: Understanding): string {
  const out: string[] = [];
  for (const a of u.apps) {
    out.push(`${a.name}  ${a.folder}  (${a.framework}${a.host !== 'local' ? `, on ${a.host}` : ''})`);
    if (a.foreign) out.push(`  a ${a.foreign} project: its servers are not modelled (their ports are unknown)`);
    else if (!a.processes.length) out.push('  no server processes');
    for (const p of a.processes) {
      const port = p.port === null ? p.how : `port ${p.port}${p.drifts ? ' (moves when taken)' : ''}: ${p.reason}`;
      const runs = !p.runs
        ? ' [nothing starts it]'
        : p.startedWith.length
          ? ` [started with others: run group ${p.startedWith.map((i) => i + 1).join(', ')}]`
          : '';
      out.push(`  ${p.role.padEnd(9)} "${p.script}": ${port}${runs}`);
    }
    if (a.envFiles.length)
      out.push(`  env files: ${a.envFiles.map((f) => `${path.basename(f.file)}${f.kind === 'template' ? ' (template)' : ''}`).join(', ')}`);
    if (a.databaseServers.length) out.push(`  database servers: ${a.databaseServers.join(', ')}`);
    if (a.composeFiles.length) out.push(`  compose files: ${a.composeFiles.join(', ')}`);
    for (const c of a.composeServices.slice(0, 10))
      out.push(
        `  runs as compose service ${c.project}/${c.service} (${c.file}${c.ports.length ? `, publishes ${c.ports.join(', ')}` : ''})${c.why ? `: ${c.why}` : ''}${
          c.binds.length ? `; there it binds ${c.binds.join(', ')}` : ''
        }`,
      );
    if (a.system !== null) out.push(`  system ${a.system + 1}`);
    out.push('');
  }
  if (u.runGroups.length) {
    out.push('Run groups (started together):');
    u.runGroups.forEach((g, i) => out.push(`  ${i + 1}. ${g.label} at ${g.file}:${g.line}: ${g.processes.join(', ')}`));
    out.push('');
  }
  if (u.systems.length) {
    out.push('Systems (apps linked by their configuration; assumed to run together):');
    u.systems.forEach((s, i) => {
      out.push(`  ${i + 1}. ${s.apps.join(', ')}`);
      for (const l of s.links.slice(0, 10)) out.push(`       - ${l}`);
    });
    out.push('');
  }
  out.push(`${u.apps.length} app(s), ${u.runGroups.length} run group(s), ${u.systems.length} system(s).`);
  return out.join('\n') + '\n';
}
