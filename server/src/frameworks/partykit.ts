import { serve, type FrameworkModule } from './types';

/**
 * PartyKit: `partykit dev [script]` on `-p, --port <number>` (partykit's bin.tsx), else partykit.json's `port`, else
 * 1999 (docs.partykit.io/quickstart: "defaulting to 1999"). Whether it moves when its port is taken is not documented:
 * taken as a server that may move (a finding only where something names its port).
 */
export const partykit: FrameworkModule = {
  framework: 'partykit',
  label: 'PartyKit',
  deps: ['partykit'],
  match(bin, args) {
    if (bin !== 'partykit' || args[0] !== 'dev') return undefined;
    return {
      words: 1,
      spec: serve({
        id: 'partykit-dev',
        framework: 'partykit',
        label: 'PartyKit',
        role: 'dev',
        defaultPort: 1999,
        portFlags: ['--port', '-p'],
        drift: 'unless-strict',
        configFiles: [
          args.includes('-c') ? args[args.indexOf('-c') + 1] : args.includes('--config') ? args[args.indexOf('--config') + 1] : 'partykit.json',
        ].filter((x): x is string => !!x),
        fixFlag: ' --port {port}',
      }),
    };
  },
};
