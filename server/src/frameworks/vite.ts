import { flagPort, serve, type FrameworkModule } from './types';

/** Options of Vite's CLI that take the next word as their value. */
const VALUED = new Set(['-c', '--config', '--base', '-m', '--mode', '-l', '--logLevel', '--port', '--outDir', '--assetsDir', '--filter', '-f']);

/** The index of the first positional word (Vite's command, or the root folder), skipping options and their values. */
function positionalAt(args: readonly string[]): number | undefined {
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (a === '--') return undefined;
    if (a.startsWith('-')) {
      if (VALUED.has(a)) k++;
      // `--host 0.0.0.0`: a value that looks like an address, not a command.
      else if (a === '--host' && args[k + 1] && /^[\d.:[\]]+$|^localhost$/.test(args[k + 1])) k++;
      continue;
    }
    return k;
  }
  return undefined;
}

/**
 * Vite (and what runs on it: SvelteKit's `vite dev`, React Router's `react-router dev`, Remix's `remix vite:dev`):
 * dev server 5173, `vite preview` 4173, `--port` or `server.port` / `preview.port` in vite.config. Vite ignores
 * PORT. Without `--strictPort` (or `strictPort: true`) it moves to the next free port when its port is taken.
 */
export const vite: FrameworkModule = {
  framework: 'vite',
  label: 'Vite',
  deps: ['vite'],
  browserEnvPrefix: 'VITE_',
  match(bin, args) {
    let words = 0;
    let preview = false;
    let configArg: number | undefined;
    if (bin === 'vite') {
      // Vite's CLI takes its options before the command too (`vite --config x.ts build`): the first positional is it.
      const at = positionalAt(args);
      const sub = at === undefined ? undefined : args[at];
      if (sub === 'build' || sub === 'optimize') return undefined;
      if (sub === 'preview') preview = true;
      // Only a command written first is the tool's own words (where a fix inserts its flag).
      if (at === 0 && (sub === 'preview' || sub === 'dev' || sub === 'serve')) words = 1;
      configArg = args.findIndex((a) => a === '-c' || a === '--config' || a.startsWith('--config='));
      if (configArg < 0) configArg = undefined;
    } else if (bin === 'react-router' || bin === 'remix') {
      // React Router 7's `react-router dev` and Remix 2's `remix vite:dev` run Vite's dev server.
      const sub = args[0];
      if (bin === 'react-router' && sub === 'dev') words = 1;
      else if (bin === 'remix' && sub === 'vite:dev') words = 1;
      else return undefined;
    } else return undefined;
    return {
      words,
      spec: serve({
        id: preview ? 'vite-preview' : 'vite-dev',
        framework: 'vite',
        label: 'Vite',
        role: preview ? 'preview' : 'dev',
        defaultPort: preview ? 4173 : 5173,
        drift: 'unless-strict',
        strictFlags: ['--strictPort', '--strict-port'],
        config: preview ? 'vite-preview' : 'vite-server',
        fixFlag: ' --port {port} --strictPort',
        // Another config file (`--config vite.e2e.config.ts`): without `--port`, the port is that file's, not known here.
        portArg: (rest) => {
          const flag = flagPort(rest, ['--port']);
          if (flag || configArg === undefined) return flag;
          const i = rest.findIndex((a) => a === '-c' || a === '--config' || a.startsWith('--config='));
          if (i < 0) return undefined;
          const value = rest[i].startsWith('--config=') ? rest[i].slice(9) : rest[i + 1];
          if (value && /^(\.\/)?vite\.config\.[cm]?[jt]s$/.test(value)) return undefined;
          return { port: undefined, first: i, last: rest[i].startsWith('--config=') ? i : i + 1 };
        },
      }),
    };
  },
};
