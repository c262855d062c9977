import { serve, type FrameworkModule } from './types';

/** Expo / React Native: `expo start` and `react-native start` run Metro on 8081 (`--port`); Expo offers another port when it is taken. */
export const expo: FrameworkModule = {
  framework: 'expo',
  label: 'Expo',
  deps: ['expo', 'react-native'],
  match(bin, args) {
    if (!((bin === 'expo' || bin === 'react-native') && args[0] === 'start')) return undefined;
    return {
      words: 1,
      spec: serve({
        id: `${bin}-start`,
        framework: 'expo',
        label: bin === 'expo' ? 'Expo' : 'React Native',
        role: 'dev',
        defaultPort: 8081,
        portEnv: ['RCT_METRO_PORT'],
        drift: bin === 'expo' ? 'unless-strict' : 'never',
      }),
    };
  },
};
