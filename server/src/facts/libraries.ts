import type { App } from '../model/types';
import { analyzeCommand } from '../parsers/scripts';
import { isLibraryPackage } from './secret-sharing';
import { perApp } from './util';

/** Entry files of tools run by a package's scripts that do not make it a running app: seeds, migrations, build scripts. */
const TOOLING_ENTRY = /(^|[\\/])(scripts?|tools?|prisma|seeds?|migrations?)[\\/]|seed|migrat/i;

/**
 * A library: code other apps use, which never runs as a process of its own and so connects to no database at run
 * time. Its schema and env files describe the database of the app(s) that use it (a Prisma schema and migrations
 * package whose `.env` is there for the Prisma CLI). Either an Nx project of `"projectType": "library"` that serves
 * nothing, or a package with no server and no script that starts one (no dev/start/serve script that serves, no
 * script that runs a program of its own other than seeds, migrations and tooling, no PM2 file).
 */
export const isLibrary = perApp((app: App): boolean => {
  if (app.listeners.length || app.unknownPorts.length || app.pm2.length) return false;
  if (app.nxLibrary) return true;
  if (!app.packageJson || !isLibraryPackage(app)) return false;
  for (const s of app.packageJson.scripts) {
    let runs = false;
    try {
      runs = analyzeCommand(s.command).some((a) => a.entry !== undefined && !TOOLING_ENTRY.test(a.entry));
    } catch {
      runs = true;
    }
    if (runs) return false;
  }
  return true;
});

/**
 * A published library: a package that declares a library entry (`main`) and runs no server (no listener, no server
 * whose port is unknown, no PM2 file). Its auth or cookie code runs inside the apps that install it, with their options.
 */
export const isPublishedLibrary = perApp(
  (app: App): boolean => !!app.packageJson?.main && !app.listeners.length && !app.unknownPorts.length && !app.pm2.length,
);
