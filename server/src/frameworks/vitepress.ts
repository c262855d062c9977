import { serve, type FrameworkModule } from './types';

/**
 * VitePress (vitepress.dev/reference/cli): `vitepress dev [root]` (also plain `vitepress [root]`) runs Vite's dev server:
 * `--port`, `--strictPort` ("Exit if specified port is already in use"), else Vite's 5173, moving when taken; the config
 * (`<root>/.vitepress/config.*`, its `vite.server.port`) may set the port. `vitepress preview [root]` (alias `serve`)
 * listens on `--port`, else 4173 (vitepress src/node/serve/serve.ts: `options.port ?? 4173`), and fails when it is taken.
 */
export const vitepress: FrameworkModule = {
  framework: 'vitepress',
  label: 'VitePress',
  deps: ['vitepress'],
  browserEnvPrefix: 'VITE_',
  match(bin, args) {
    if (bin !== 'vitepress') return undefined;
    const sub = args[0];
    if (sub === 'build' || sub === 'init' || sub === 'help' || sub === '--help' || sub === '-h' || sub === '--version' || sub === '-v') return undefined;
    const preview = sub === 'preview' || sub === 'serve';
    const words = preview || sub === 'dev' ? 1 : 0;
    const rest = args.slice(words);
    // The root is the first word that is not an option or an option's value.
    let root = '.';
    for (let k = 0; k < rest.length; k++) {
      if (rest[k] === '--port' || rest[k] === '--base' || rest[k] === '--open') {
        k++;
        continue;
      }
      if (!rest[k].startsWith('-')) {
        root = rest[k];
        break;
      }
    }
    return {
      words,
      spec: serve({
        id: preview ? 'vitepress-preview' : 'vitepress-dev',
        framework: 'vitepress',
        label: 'VitePress',
        role: preview ? 'preview' : 'dev',
        defaultPort: preview ? 4173 : 5173,
        drift: preview ? 'never' : 'unless-strict',
        strictFlags: preview ? undefined : ['--strictPort'],
        configFiles: preview ? undefined : ['ts', 'js', 'mts', 'mjs'].map((ext) => `${root.replace(/\/$/, '')}/.vitepress/config.${ext}`),
        fixFlag: preview ? ' --port {port}' : ' --port {port} --strictPort',
      }),
    };
  },
};
