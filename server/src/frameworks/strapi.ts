import { serve, type FrameworkModule } from './types';

/**
 * Strapi: `strapi develop` (`strapi dev`) and `strapi start` serve the app on the `port` of config/server.(js|ts), which
 * Strapi's project template writes as `env.int('PORT', 1337)`; Strapi loads the app's `.env` itself (ENV_PATH, default
 * `./.env`) and fails when its port is taken (docs.strapi.io/cms/configurations/server: port, default 1337). The config
 * file is not evaluated: when it exists and names a port, the port is unknown; without it, PORT, else 1337.
 */
export const strapi: FrameworkModule = {
  framework: 'strapi',
  label: 'Strapi',
  deps: ['@strapi/strapi'],
  match(bin, args) {
    if (bin !== 'strapi' || !['develop', 'dev', 'start'].includes(args[0] ?? '')) return undefined;
    const dev = args[0] !== 'start';
    return {
      words: 1,
      spec: serve({
        id: dev ? 'strapi-develop' : 'strapi-start',
        framework: 'strapi',
        label: 'Strapi',
        role: dev ? 'dev' : 'start',
        defaultPort: 1337,
        portFlags: [],
        portEnv: ['PORT'],
        loadsDotenv: true,
        drift: 'never',
        configFiles: ['config/server.ts', 'config/server.js'],
      }),
    };
  },
};
