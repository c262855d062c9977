import { serve, type FrameworkModule } from './types';

/** NestJS: `nest start` runs the entry file (nest-cli.json `sourceRoot`/`entryFile`, by default src/main.ts), whose `listen()` decides the port. */
export const nest: FrameworkModule = {
  framework: 'nest',
  label: 'NestJS',
  deps: ['@nestjs/core'],
  match(bin, args) {
    if (bin !== 'nest' || args[0] !== 'start') return undefined;
    const watch = args.includes('--watch') || args.includes('-w') || args.includes('--debug');
    return {
      words: 1,
      spec: serve({ id: 'nest-start', framework: 'nest', label: 'NestJS', role: watch ? 'dev' : 'start', defaultPort: 3000, portFlags: [], entry: 'nest' }),
    };
  },
};
