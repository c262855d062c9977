/**
 * What Crosswire knows about one framework's servers: how its commands are recognised, which port they
 * bind and how they choose it, whether they move to another port when theirs is taken, and how a fix
 * writes a port. One module per framework (frameworks/<name>.ts), registered in frameworks/index.ts.
 * Knowledge only: nothing here reads files or runs anything.
 */
import type { Framework } from '../model/types';

/** What a server command is for: a dev server, a production server, a preview of a build, a component explorer. */
export type ServeRole = 'dev' | 'start' | 'preview' | 'storybook';

/** A port written in a command's arguments (`-p 3000`, `--port=3000`, `--bind 0.0.0.0:8000`, `runserver 8000`). */
export interface PortArg {
  /** undefined: the port is written but not as a number (`--port $(get-port)`, `-p $PORT`): unknown until the script runs. */
  port: number | undefined;
  /** Index of the first and last argument word that hold it. */
  first: number;
  last: number;
}

export interface ServeSpec {
  /** Stable id of the command, e.g. `next-dev`, `vite-preview`. */
  id: string;
  framework: Framework;
  /** The framework's name for messages, e.g. `Next.js`. */
  label: string;
  role: ServeRole;
  /** The command's words as documented, e.g. `next dev` (the words as written are in the analysis). */
  defaultPort: number;
  /** Flags that set the port (`--port`, `-p`); `--port=N` and `-pN` forms are understood for each. */
  portFlags: string[];
  /** A positional or custom port argument (Django's `runserver [addr:]port`, gunicorn's `--bind host:port`). */
  portArg?: (args: readonly string[]) => PortArg | undefined;
  /** Environment variables the server takes its port from, in the order it reads them (empty: it ignores the environment). */
  portEnv: string[];
  /** The tool itself loads the app's .env files before it picks the port (Create React App, Nuxt). */
  loadsDotenv?: boolean;
  /**
   * Whether it moves to another free port when its port is taken: `never` (fails with EADDRINUSE),
   * `when-implicit` (only when no port was given: `next dev`), `unless-strict` (unless a strict flag
   * or config says so: Vite).
   */
  drift: 'never' | 'when-implicit' | 'unless-strict';
  strictFlags?: string[];
  /** The port may be set in the framework's config file (Vite's `server.port` / `preview.port`). */
  config?: 'vite-server' | 'vite-preview';
  /**
   * Config files (relative to the app, the first found is the one read) that may set the port, in a form Crosswire does not
   * evaluate (rsbuild.config.ts's `server.port`, webpack.config.js's `devServer.port`): when the one found mentions a port,
   * the port is unknown rather than the default.
   */
  configFiles?: string[];
  /** The port is decided by the code of the app's entry (NestJS's `main.ts`). */
  entry?: 'nest';
  /** The flag a port fix writes after the command's words, `{port}` standing for the port (` -p {port}`); undefined when a fix cannot write one. */
  fixFlag?: string;
}

export interface FrameworkModule {
  framework: Framework;
  label: string;
  /** Dependencies (package.json) that mark an app as using this framework. */
  deps: string[];
  /** Prefix of the variables the framework exposes to browser code, if any (`NEXT_PUBLIC_`, `VITE_`). */
  browserEnvPrefix?: string;
  /**
   * Recognises one of the framework's server commands: `bin` is the executable's name, `args` the words after
   * it. Returns the command's spec and how many of `args` are the command's own words (its subcommand).
   */
  match(bin: string, args: readonly string[]): { spec: ServeSpec; words: number } | undefined;
}

/** `--port 3000`, `--port=3000`, `-p 3000`, `-p3000` for the given flags. */
export function flagPort(args: readonly string[], flags: readonly string[]): PortArg | undefined {
  let found: PortArg | undefined;
  for (let k = 0; k < args.length; k++) {
    const t = args[k];
    for (const f of flags) {
      if (t === f && args[k + 1] !== undefined && !args[k + 1].startsWith('-')) {
        found = { port: portNumber(args[k + 1]), first: k, last: k + 1 };
      } else if (t.startsWith(`${f}=`)) {
        found = { port: portNumber(t.slice(f.length + 1)), first: k, last: k };
      } else if (/^-[a-zA-Z]$/.test(f) && t.startsWith(f) && /^\d+$/.test(t.slice(2))) {
        const p = portNumber(t.slice(2));
        if (p) found = { port: p, first: k, last: k };
      }
    }
  }
  return found;
}

/** A port number written as text, or undefined (not a number, out of range). */
export function portNumber(v: string | undefined): number | undefined {
  if (!v || !/^\d{1,5}$/.test(v)) return undefined;
  const p = Number(v);
  return p > 0 && p < 65536 ? p : undefined;
}

/** `host:port`, `[::]:port` or `port`: the port. */
export function hostPort(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const m = /^(?:\[[^\]]*\]:|[^:]*:)?(\d{1,5})$/.exec(v);
  return m ? portNumber(m[1]) : undefined;
}

/** A spec builder with the usual defaults. */
export function serve(s: Omit<ServeSpec, 'portFlags' | 'portEnv' | 'drift'> & Partial<Pick<ServeSpec, 'portFlags' | 'portEnv' | 'drift'>>): ServeSpec {
  return { portFlags: ['--port'], portEnv: [], drift: 'never', ...s };
}
