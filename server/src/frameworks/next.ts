import { serve, type FrameworkModule } from './types';

/**
 * Next.js: `next dev` / `next start` bind 3000 unless `-p`/`--port` or PORT in the process environment says
 * otherwise. The CLI reads PORT before it loads .env files, so PORT in .env has no effect. `next dev` moves to
 * the next free port only when no port was given; `next start` fails with EADDRINUSE.
 */
export const nextjs: FrameworkModule = {
  framework: 'next',
  label: 'Next.js',
  deps: ['next'],
  browserEnvPrefix: 'NEXT_PUBLIC_',
  match(bin, args) {
    if (bin !== 'next') return undefined;
    const sub = args[0];
    if (sub !== 'dev' && sub !== 'start') return undefined;
    const dev = sub === 'dev';
    return {
      words: 1,
      spec: serve({
        id: dev ? 'next-dev' : 'next-start',
        framework: 'next',
        label: 'Next.js',
        role: dev ? 'dev' : 'start',
        defaultPort: 3000,
        portFlags: ['--port', '-p'],
        portEnv: ['PORT'],
        drift: dev ? 'when-implicit' : 'never',
        fixFlag: ' -p {port}',
      }),
    };
  },
};
