import { serve, type FrameworkModule } from './types';

/**
 * Mintlify's local preview: `mintlify dev` / `mint dev` on 3000, `--port` to change it (mintlify.com/docs/cli/preview:
 * "By default, the CLI uses port 3000 ... If the port is occupied, the CLI automatically tries the next available
 * port"). Older CLI docs said it failed with EADDRINUSE: either way, taken as a server that may move.
 */
export const mintlify: FrameworkModule = {
  framework: 'mintlify',
  label: 'Mintlify',
  deps: ['mintlify', 'mint'],
  match(bin, args) {
    if ((bin !== 'mintlify' && bin !== 'mint') || args[0] !== 'dev') return undefined;
    return {
      words: 1,
      spec: serve({
        id: 'mintlify-dev',
        framework: 'mintlify',
        label: 'Mintlify',
        role: 'dev',
        defaultPort: 3000,
        drift: 'unless-strict',
        fixFlag: ' --port {port}',
      }),
    };
  },
};
