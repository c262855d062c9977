import { serve, type FrameworkModule } from './types';

/** Cloudflare Workers: `wrangler dev` on 8787 (`--port`, or `[dev] port` in wrangler.toml). */
export const wrangler: FrameworkModule = {
  framework: 'wrangler',
  label: 'Wrangler',
  deps: ['wrangler'],
  match(bin, args) {
    if (bin !== 'wrangler' || (args[0] !== 'dev' && args[0] !== 'pages')) return undefined;
    if (args[0] === 'pages' && args[1] !== 'dev') return undefined;
    const pages = args[0] === 'pages';
    return {
      words: pages ? 2 : 1,
      spec: serve({
        id: pages ? 'wrangler-pages-dev' : 'wrangler-dev',
        framework: 'wrangler',
        label: 'Wrangler',
        role: 'dev',
        defaultPort: pages ? 8788 : 8787,
        fixFlag: ' --port {port}',
      }),
    };
  },
};
