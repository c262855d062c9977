import { serve, type FrameworkModule } from './types';

/** Storybook: `storybook dev` (and the older `start-storybook`) on `-p`/`--port`, else 6006; offers another port when it is taken. */
export const storybook: FrameworkModule = {
  framework: 'storybook',
  label: 'Storybook',
  deps: ['storybook', '@storybook/react', '@storybook/cli'],
  match(bin, args) {
    const old = bin === 'start-storybook';
    if (!old && !(bin === 'storybook' && args[0] === 'dev')) return undefined;
    return {
      words: old ? 0 : 1,
      spec: serve({
        id: 'storybook-dev',
        framework: 'storybook',
        label: 'Storybook',
        role: 'storybook',
        defaultPort: 6006,
        portFlags: ['--port', '-p'],
        drift: 'unless-strict',
        strictFlags: ['--exact-port'],
        fixFlag: ' -p {port}',
      }),
    };
  },
};
