/**
 * The workspace's compose projects (index/compose-projects.ts) as rules see them (the derived fact `composeModel`):
 * recomputed when the compose files, the apps or the text of a file the projects read (a `.env`, an `env_file`) change.
 */
import * as path from 'node:path';
import type { App, WorkspaceView } from '../model/types';
import { composeProjects, type ComposeInputScript, type ComposeProject, type ComposeVariant, type ResolvedService } from '../index/compose-projects';
import { originOf, perApp } from './util';
import { asDerived, derived, derivedSignature, lazyDerived } from './track';

lazyDerived('composeUsers');
derivedSignature<Map<string, Map<number, string>>>('envPorts', (m) => [...m].map(([id, ports]) => `${id}=${[...ports].join(';')}`).join('\n'));

export interface ComposeModel {
  projects: ComposeProject[];
  /** Every service of every variant. */
  services: { project: ComposeProject; variant: ComposeVariant; service: ResolvedService }[];
}

const readTexts = new WeakMap<ComposeModel, Map<string, string | undefined>>();

export function composeModel(index: WorkspaceView): ComposeModel {
  return derived('composeModel', index, computeComposeModel, (model) => [...readTexts.get(model)!].every(([f, t]) => index.textOf(f) === t));
}

function computeComposeModel(index: WorkspaceView): ComposeModel {
  const read = new Map<string, string | undefined>();
  const scripts: ComposeInputScript[] = [];
  for (const a of index.apps)
    for (const sc of a.packageJson?.scripts ?? [])
      scripts.push({ dir: a.dir, name: sc.name, command: sc.command, location: { file: a.packageJson!.file, range: sc.innerRange } });
  for (const r of index.monorepoRoots)
    for (const sc of r.pkg.scripts) scripts.push({ dir: r.dir, name: sc.name, command: sc.command, location: { file: r.pkg.file, range: sc.innerRange } });
  const projects =
    index.composeFiles.length === 0
      ? []
      : composeProjects({
          files: index.composeFiles,
          textOf: (f) => {
            const t = index.textOf(f);
            read.set(f, t);
            return t;
          },
          apps: index.apps.filter(isProgram).map((a) => ({ id: a.id, name: a.name, dir: a.dir })),
          scripts,
          rootNames: [
            ...index.monorepoRoots.map((r) => r.pkg.name),
            ...index.apps.filter((a) => index.roots.includes(a.dir)).map((a) => a.packageJson?.name),
          ].filter((n): n is string => !!n),
        });
  const services: ComposeModel['services'] = [];
  for (const project of projects) for (const variant of project.variants) for (const service of variant.services) services.push({ project, variant, service });
  const model = { projects, services };
  readTexts.set(model, read);
  return model;
}

/** The app of a service, as an App of the index. */
export function serviceApp(index: WorkspaceView, s: ResolvedService): App | undefined {
  return s.app ? index.appById(s.app.id) : undefined;
}

/** Whether an app is a real program (a package or a Python project), not a folder that only holds an env file. */
function isProgram(app: App): boolean {
  return !!app.packageJson || app.framework === 'python' || app.listeners.length > 0;
}

/** Every app's env ports (the derived fact `envPorts`, small and stable: most env edits leave it as it was). */
export function allEnvPorts(index: WorkspaceView): Map<string, Map<number, string>> {
  return derived('envPorts', index, (ix) => new Map(ix.apps.map((a) => [a.id, envPorts(a)])));
}

/** The local ports an app's env files name (a local URL, or `*_PORT=n`), with the first place naming each (memoised per app). */
export const envPorts = perApp((app: App): Map<number, string> => {
  const out = new Map<number, string>();
  for (const f of app.envFiles) {
    for (const e of f.entries) {
      const v = e.expanded ?? e.value;
      const o = v.includes('://') ? originOf(v) : undefined;
      const port = o && o.local ? o.port : /PORT$/.test(e.key) && /^\d+$/.test(v.trim()) ? Number(v) : undefined;
      if (port !== undefined && !out.has(port)) out.set(port, `${e.key} in ${path.relative(app.dir, f.file) || f.name} names port ${port}`);
    }
  }
  return out;
});

/** How apps relate to a compose project. */
export interface ProjectUsers {
  /** Apps the project belongs to: the project's folder holds them (or is in theirs), or their script runs it. */
  home: Map<App, string>;
  /** `home`, and apps whose env files name a port the project publishes on localhost (`REDIS_PORT=6379`). */
  users: Map<App, string>;
  /** The project runs no workspace code (only images): infrastructure for apps that run on the host. */
  infraOnly: boolean;
}

/**
 * Apps that use a compose project while they run on the host, with the evidence (for messages). Only real
 * programs count (a folder holding nothing but an env file is not one).
 */
export function projectUsers(index: WorkspaceView, project: ComposeProject): ProjectUsers {
  // One lazily filled cache per state of the workspace: only the projects a rule asks about are computed.
  const state = derived('composeUsers', index, () => ({
    cache: new Map<ComposeProject, ProjectUsers>(),
    programs: undefined as App[] | undefined,
    byPort: undefined as Map<number, App[]> | undefined,
  }));
  let u = state.cache.get(project);
  if (!u) {
    u = asDerived('composeUsers', () => {
      state.programs ??= index.apps.filter(isProgram);
      const ports = allEnvPorts(index);
      return computeProjectUsers(index, project, state.programs, ports, () => (state.byPort ??= portIndex(state.programs!, ports)));
    });
    state.cache.set(project, u);
  }
  return u;
}

/** Local port -> the programs whose env files name it, in app order. */
function portIndex(programs: App[], ports: Map<string, Map<number, string>>): Map<number, App[]> {
  const out = new Map<number, App[]>();
  for (const app of programs) {
    for (const port of ports.get(app.id)?.keys() ?? []) {
      const l = out.get(port);
      if (l) l.push(app);
      else out.set(port, [app]);
    }
  }
  return out;
}

function computeProjectUsers(
  index: WorkspaceView,
  project: ComposeProject,
  programs: App[],
  envPortsOf: Map<string, Map<number, string>>,
  byPort: () => Map<number, App[]>,
): ProjectUsers {
  const home = new Map<App, string>();
  const users = new Map<App, string>();
  const ports = new Set<number>();
  let infraOnly = true;
  for (const v of project.variants)
    for (const s of v.services) {
      if (s.app || s.buildsWorkspace) infraOnly = false;
      else for (const p of s.ports) ports.add(p.host);
    }
  const within = (dir: string, p: string) => p === dir || p.startsWith(dir + path.sep);
  const startedBy = new Map<string, { script: { name: string } }>();
  for (const v of project.variants) for (const inv of v.startedBy) if (!startedBy.has(inv.script.dir)) startedBy.set(inv.script.dir, inv);
  for (const app of programs) {
    if (within(project.dir, app.dir) || within(app.dir, project.dir)) {
      home.set(app, within(app.dir, project.dir) ? `the compose file is in its folder` : `it is in the project's folder`);
      continue;
    }
    const started = startedBy.get(app.dir);
    if (started) home.set(app, `its script "${started.script.name}" runs it`);
  }
  for (const [a, w] of home) users.set(a, w);
  // A monorepo root's script that runs the project (`"dx": "docker compose -f docker/dev/compose.yml up -d"`) runs it for every app of the monorepo.
  const rootRun = project.variants.flatMap((v) => v.startedBy).find((inv) => index.monorepoRoots.some((r) => r.dir === inv.script.dir));
  if (rootRun) {
    for (const app of programs)
      if (!users.has(app) && within(rootRun.script.dir, app.dir)) users.set(app, `script "${rootRun.script.name}" of the monorepo root runs it`);
  }
  if (ports.size > 0) {
    // Apps whose env names a published port, in app order, each with the first place naming one.
    const named = new Set<App>();
    for (const port of ports) for (const app of byPort().get(port) ?? []) if (!users.has(app)) named.add(app);
    for (const app of programs) {
      if (!named.has(app)) continue;
      for (const [port, why] of envPortsOf.get(app.id) ?? []) {
        if (ports.has(port)) {
          users.set(app, why);
          break;
        }
      }
    }
  }
  return { home, users, infraOnly };
}
