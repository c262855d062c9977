import { serve, type FrameworkModule } from './types';

/** Gatsby: `gatsby develop` on 8000 and `gatsby serve` on 9000 (`-p`/`--port`). */
export const gatsby: FrameworkModule = {
  framework: 'gatsby',
  label: 'Gatsby',
  deps: ['gatsby'],
  match(bin, args) {
    if (bin !== 'gatsby' || (args[0] !== 'develop' && args[0] !== 'serve')) return undefined;
    const dev = args[0] === 'develop';
    return {
      words: 1,
      spec: serve({
        id: `gatsby-${args[0]}`,
        framework: 'gatsby',
        label: 'Gatsby',
        role: dev ? 'dev' : 'preview',
        defaultPort: dev ? 8000 : 9000,
        portFlags: ['--port', '-p'],
        drift: dev ? 'unless-strict' : 'never',
        fixFlag: ' -p {port}',
      }),
    };
  },
};
