/** Env facts read across apps. */
import type { App, EnvFile, WorkspaceView } from '../model/types';
import { derived } from './track';

/** Every env file of the workspace by path, with the app that holds it (an app may load another app's file: `dotenv -e ../../.env`). */
export function envFilesByPath(index: WorkspaceView): Map<string, { file: EnvFile; app: App }> {
  return derived('envFilesByPath', index, (ix) => {
    const map = new Map<string, { file: EnvFile; app: App }>();
    for (const app of ix.apps) for (const f of app.envFiles) map.set(f.file, { file: f, app });
    return map;
  });
}
