import { serve, type FrameworkModule } from './types';

/**
 * Nuxt: `nuxt dev` / `nuxi dev` listen on `-p`/`--port`, else NUXT_PORT, NITRO_PORT, PORT (the CLI loads the
 * app's .env first), else 3000, and pick another port when it is taken. `nuxt preview` runs the built Nitro
 * server, which reads NITRO_PORT / PORT.
 */
export const nuxt: FrameworkModule = {
  framework: 'nuxt',
  label: 'Nuxt',
  deps: ['nuxt', 'nuxi'],
  browserEnvPrefix: 'NUXT_PUBLIC_',
  match(bin, args) {
    if (bin !== 'nuxt' && bin !== 'nuxi') return undefined;
    const sub = args[0];
    if (sub === 'dev' || sub === undefined || sub.startsWith('-')) {
      return {
        words: sub === 'dev' ? 1 : 0,
        spec: serve({
          id: 'nuxt-dev',
          framework: 'nuxt',
          label: 'Nuxt',
          role: 'dev',
          defaultPort: 3000,
          portFlags: ['--port', '-p'],
          portEnv: ['NUXT_PORT', 'NITRO_PORT', 'PORT'],
          loadsDotenv: true,
          drift: 'unless-strict',
          fixFlag: ' --port {port}',
        }),
      };
    }
    if (sub === 'preview' || sub === 'start') {
      return {
        words: 1,
        spec: serve({
          id: 'nuxt-preview',
          framework: 'nuxt',
          label: 'Nuxt',
          role: sub === 'start' ? 'start' : 'preview',
          defaultPort: 3000,
          portFlags: ['--port', '-p'],
          portEnv: ['NITRO_PORT', 'PORT'],
          loadsDotenv: true,
        }),
      };
    }
    return undefined;
  },
};
