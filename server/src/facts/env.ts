/** Env facts read across apps. */
import type { App, EnvFile, WorkspaceView } from '../model/types';
import { derived, derivedSignature } from './track';
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
derivedSignature<Map<string, { file: EnvFile; app: App }>>('envFilesByPath', (m) => {
  const out: string[] = [];
  for (const [p, { file, app }] of m) out.push(p === file.file ? fileText(app, file) : `${p}\t${app.id}\t${fileText(app, file)}`);
  return out;
});

/** Every env file of the workspace by path, with the app that holds it (an app may load another app's file: `dotenv -e ../../.env`). */
export function envFilesByPath(index: WorkspaceView): Map<string, { file: EnvFile; app: App }> {
  return derived('envFilesByPath', index, (ix) => {
    const map = new Map<string, { file: EnvFile; app: App }>();
    for (const app of ix.apps) for (const f of app.envFiles) map.set(f.file, { file: f, app });
    return map;
  });
}
