import { serve, type FrameworkModule } from './types';

/** Docusaurus: `docusaurus start` (dev) and `docusaurus serve` (a build) on 3000 (`--port`); start offers another port when 3000 is taken. */
export const docusaurus: FrameworkModule = {
  framework: 'docusaurus',
  label: 'Docusaurus',
  deps: ['@docusaurus/core'],
  match(bin, args) {
    if (bin !== 'docusaurus' || (args[0] !== 'start' && args[0] !== 'serve')) return undefined;
    const dev = args[0] === 'start';
    return {
      words: 1,
      spec: serve({
        id: `docusaurus-${args[0]}`,
        framework: 'docusaurus',
        label: 'Docusaurus',
        role: dev ? 'dev' : 'preview',
        defaultPort: 3000,
        portEnv: ['PORT'],
        drift: dev ? 'unless-strict' : 'never',
        fixFlag: ' --port {port}',
      }),
    };
  },
};
