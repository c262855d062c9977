import { serve, type FrameworkModule } from './types';

/** react-email: `email dev` previews templates on 3000 (`-p`/`--port`) and moves to the next free port when it is taken. */
export const reactEmail: FrameworkModule = {
  framework: 'react-email',
  label: 'React Email',
  deps: ['react-email'],
  match(bin, args) {
    if (bin !== 'email' || args[0] !== 'dev') return undefined;
    return {
      words: 1,
      spec: serve({
        id: 'email-dev',
        framework: 'react-email',
        label: 'React Email',
        role: 'preview',
        defaultPort: 3000,
        portFlags: ['--port', '-p'],
        drift: 'unless-strict',
      }),
    };
  },
};
