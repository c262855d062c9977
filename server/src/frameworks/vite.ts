import { serve, type FrameworkModule } from './types';

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
    if (bin === 'vite') {
      const sub = args[0];
      if (sub === 'build' || sub === 'optimize') return undefined;
      if (sub === 'preview') [words, preview] = [1, true];
      else if (sub === 'dev' || sub === 'serve') words = 1;
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
      }),
    };
  },
};
