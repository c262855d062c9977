/** Env facts read across apps. */
import type { App, EnvFile, WorkspaceView } from '../model/types';
import { checking, derived, derivedSignature } from './track';
import { replacedPositions } from './util';
import { flat } from './fingerprint';

// What rules read of another app's env file: its app, name, and which keys it defines with or without a value.
// (the text of a file is kept per app and EnvFile object: the index keeps the file's object while its text does not
// change, and re-derives an app, expanding its files' values anew, as a new App object)
const fileTexts = new WeakMap<App, WeakMap<EnvFile, string>>();
function fileText(app: App, file: EnvFile): string {
  let texts = fileTexts.get(app);
  if (!texts) fileTexts.set(app, (texts = new WeakMap()));
  let t = texts.get(file);
  if (t === undefined)
    texts.set(
      file,
      (t = flat(
        `${file.file}\t${app.id}\t${file.name}\t${file.kind}\t${file.mode}\t${file.entries.map((e) => `${e.key}${(e.expanded ?? e.value).trim() ? '+' : '-'}`).join(',')}`,
      )),
    );
  return t;
}
type EnvFilesByPath = Map<string, { file: EnvFile; app: App }>;

function partOf(p: string, { file, app }: { file: EnvFile; app: App }): string {
  return p === file.file ? fileText(app, file) : `${p}\t${app.id}\t${fileText(app, file)}`;
}

/** Per value of envFilesByPath: its signature's parts, one per path in the map's order, and each path's place. */
const signatures = new WeakMap<EnvFilesByPath, { parts: string[]; place: Map<string, number> }>();
derivedSignature<EnvFilesByPath>('envFilesByPath', (m) => {
  let sig = signatures.get(m);
  if (!sig) {
    sig = { parts: [], place: new Map() };
    for (const [p, v] of m) {
      sig.place.set(p, sig.parts.length);
      sig.parts.push(partOf(p, v));
    }
    signatures.set(m, sig);
  }
  return sig.parts;
});

/** Every env file of the workspace by path, with the app that holds it (an app may load another app's file: `dotenv -e ../../.env`). */
export function envFilesByPath(index: WorkspaceView): EnvFilesByPath {
  return derived('envFilesByPath', index, (ix) => {
    const updated = updatedEnvFiles(ix.apps);
    if (updated) return updated;
    const map: EnvFilesByPath = new Map();
    for (const app of ix.apps) for (const f of app.envFiles) map.set(f.file, { file: f, app });
    if (!checking()) lastEnvFiles = { apps: ix.apps, value: map };
    return map;
  });
}

/** The last computation's apps and value (with fact checking off). */
let lastEnvFiles: { apps: readonly App[]; value: EnvFilesByPath } | undefined;

/**
 * The last computation's map with the entries of the apps re-derived since, when each holds the same paths in the same
 * order as before (an edit of a file's text): the keys and their order stay, and a path goes to the last app holding
 * it, as a map made over every app in order would give it. Its signature is the last one's with those paths' parts.
 */
function updatedEnvFiles(apps: readonly App[]): EnvFilesByPath | undefined {
  const last = lastEnvFiles;
  if (!last || checking()) return undefined;
  const replaced = replacedPositions(last.apps, apps);
  if (!replaced) return undefined;
  for (const i of replaced) {
    const [before, now] = [last.apps[i].envFiles, apps[i].envFiles];
    if (before.length !== now.length || before.some((f, k) => f.file !== now[k].file)) return undefined;
  }
  const map: EnvFilesByPath = new Map(last.value);
  const changed: string[] = [];
  for (const i of replaced) {
    for (const f of apps[i].envFiles) {
      // (another app later in order that holds the same path keeps it)
      if (map.get(f.file)!.app !== last.apps[i]) continue;
      map.set(f.file, { file: f, app: apps[i] });
      changed.push(f.file);
    }
  }
  const sig = signatures.get(last.value);
  if (sig) {
    const parts = sig.parts.slice();
    for (const p of changed) parts[sig.place.get(p)!] = partOf(p, map.get(p)!);
    signatures.set(map, { parts, place: sig.place });
  }
  lastEnvFiles = { apps, value: map };
  return map;
}
