/**
 * Which facts an edit changed: the index re-derives only the app that owns an edited file (every other App object
 * keeps its identity), so comparing the old and new App object of each re-derived app tells which of its facts
 * differ. Parsed files keep their identity while their text does not change; facts the index derives anew on each
 * derivation (listeners, schemas) are compared by content, positions included (a finding's location moves with them).
 */
import type { App, WorkspaceView } from '../model/types';
import type { FactName } from '../model/rule';
import type { Delta } from './runner';
import { sameItems } from '../model/same';

/** Positions in `next` whose app is not the one at the same position in `prev`; undefined when apps were added, removed or re-ordered. */
export function changedApps(prev: readonly App[], next: readonly App[]): number[] | undefined {
  if (prev.length !== next.length) return undefined;
  const out: number[] = [];
  for (let i = 0; i < next.length; i++) {
    if (prev[i] === next[i]) continue;
    if (prev[i].id !== next[i].id) return undefined;
    out.push(i);
  }
  return out;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The app facts that differ between two derivations of one app; undefined when its identity changed (name, replica key, host...). */
export function appDelta(before: App, after: App): Set<FactName> | undefined {
  if (
    before.name !== after.name ||
    before.dir !== after.dir ||
    before.replicaKey !== after.replicaKey ||
    before.host !== after.host ||
    before.framework !== after.framework
  )
    return undefined;
  const out = new Set<FactName>();
  if (!sameItems(before.envFiles, after.envFiles)) out.add('env');
  if (!sameItems(before.code, after.code)) out.add('code');
  if (!sameJson(before.schemas, after.schemas)) out.add('schemas');
  if (!sameJson(before.listeners, after.listeners) || !sameJson(before.unknownPorts, after.unknownPorts)) out.add('listeners');
  if (!sameItems(before.compose, after.compose)) out.add('compose');
  if (!sameItems(before.pm2, after.pm2)) out.add('pm2');
  if (
    before.packageJson !== after.packageJson ||
    before.prismaMajor !== after.prismaMajor ||
    before.hasPrismaConfig !== after.hasPrismaConfig ||
    before.nxLibrary !== after.nxLibrary ||
    before.foreign !== after.foreign
  )
    out.add('package');
  return out;
}

/** The workspace files a rule may read outside apps, as of one state of the index. */
export interface WorkspaceFiles {
  composeFiles: unknown;
  postgresConfs: unknown;
  monorepoRoots: unknown;
  config: unknown;
}

export function workspaceFiles(index: WorkspaceView): WorkspaceFiles {
  return { composeFiles: index.composeFiles, postgresConfs: index.postgresConfs, monorepoRoots: index.monorepoRoots, config: index.config };
}

/** What changed between two states of the index; undefined when every rule must run again. */
export function computeDelta(prev: readonly App[], apps: readonly App[], before: WorkspaceFiles, after: WorkspaceFiles): Delta | undefined {
  if (before.config !== after.config) return undefined;
  const positions = changedApps(prev, apps);
  if (!positions) return undefined;
  const delta: Delta = { apps: new Map(), workspace: new Set(), replaced: new Set() };
  for (const i of positions) {
    const d = appDelta(prev[i], apps[i]);
    if (!d) return undefined;
    delta.replaced.add(apps[i].id);
    if (d.size) delta.apps.set(apps[i].id, d);
  }
  if (!sameItems(before.composeFiles as unknown[], after.composeFiles as unknown[])) delta.workspace.add('composeFiles');
  if (!sameItems(before.postgresConfs as unknown[], after.postgresConfs as unknown[])) delta.workspace.add('postgresConfs');
  if (!sameItems(before.monorepoRoots as unknown[], after.monorepoRoots as unknown[])) delta.workspace.add('monorepoRoots');
  return delta;
}
