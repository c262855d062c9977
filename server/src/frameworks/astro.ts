import { serve, type FrameworkModule } from './types';

/** Astro: `astro dev` / `astro preview` on 4321 (`--port`); the dev server tries the next port when 4321 is taken. */
export const astro: FrameworkModule = {
  framework: 'astro',
  label: 'Astro',
  deps: ['astro'],
  browserEnvPrefix: 'PUBLIC_',
  match(bin, args) {
    if (bin !== 'astro') return undefined;
    const sub = args[0];
    if (sub !== 'dev' && sub !== 'preview' && sub !== 'start') return undefined;
    const dev = sub !== 'preview';
    return {
      words: 1,
      spec: serve({
        id: `astro-${dev ? 'dev' : 'preview'}`,
        framework: 'astro',
        label: 'Astro',
        role: dev ? 'dev' : 'preview',
        defaultPort: 4321,
        drift: dev ? 'unless-strict' : 'never',
        fixFlag: ' --port {port}',
      }),
    };
  },
};
