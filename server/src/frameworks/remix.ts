import { serve, type FrameworkModule } from './types';

/** Remix's and React Router's app servers (`remix-serve build/index.js`, `react-router-serve build/server/index.js`): PORT from the environment, else 3000. */
export const remix: FrameworkModule = {
  framework: 'remix',
  label: 'Remix',
  deps: ['@remix-run/serve', '@react-router/serve', '@remix-run/dev'],
  match(bin) {
    if (bin !== 'remix-serve' && bin !== 'react-router-serve') return undefined;
    return {
      words: 0,
      spec: serve({
        id: bin,
        framework: 'remix',
        label: bin === 'remix-serve' ? 'Remix' : 'React Router',
        role: 'start',
        defaultPort: 3000,
        portFlags: [],
        portEnv: ['PORT'],
      }),
    };
  },
};
