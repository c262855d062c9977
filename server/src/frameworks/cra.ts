import { serve, type FrameworkModule } from './types';

/** Create React App: `react-scripts start` reads PORT (from the environment or the app's .env files, which it loads), else 3000; offers the next port when it is taken. */
export const cra: FrameworkModule = {
  framework: 'cra',
  label: 'Create React App',
  deps: ['react-scripts'],
  browserEnvPrefix: 'REACT_APP_',
  match(bin, args) {
    if ((bin !== 'react-scripts' && bin !== 'craco' && bin !== 'react-app-rewired') || args[0] !== 'start') return undefined;
    return {
      words: 1,
      spec: serve({
        id: 'cra-start',
        framework: 'cra',
        label: 'Create React App',
        role: 'dev',
        defaultPort: 3000,
        portFlags: [],
        portEnv: ['PORT'],
        loadsDotenv: true,
        drift: 'unless-strict',
      }),
    };
  },
};
