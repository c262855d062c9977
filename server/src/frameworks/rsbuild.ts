import { serve, type FrameworkModule } from './types';

/**
 * Rsbuild: `rsbuild dev` and `rsbuild preview` serve on `server.port`, default 3000 (rsbuild.rs config server.port,
 * also documented by Rspeedy's Server.port: "Rsbuild defaults this option to 3000"), set by `--port` or by
 * `server.port` in rsbuild.config.*; with `server.strictPort` false (the default) the server "automatically
 * increments the port number when the configured port is occupied". Rsbuild does not read PORT.
 */
export const rsbuild: FrameworkModule = {
  framework: 'rsbuild',
  label: 'Rsbuild',
  deps: ['@rsbuild/core'],
  match(bin, args) {
    if (bin !== 'rsbuild' || (args[0] !== 'dev' && args[0] !== 'preview')) return undefined;
    const dev = args[0] === 'dev';
    return {
      words: 1,
      spec: serve({
        id: `rsbuild-${args[0]}`,
        framework: 'rsbuild',
        label: 'Rsbuild',
        role: dev ? 'dev' : 'preview',
        defaultPort: 3000,
        drift: 'unless-strict',
        configFiles: configFiles(args, ['rsbuild.config']),
        fixFlag: ' --port {port}',
      }),
    };
  },
};

/** The config a command reads: `-c file` / `--config file`, else the tool's default names with the usual extensions. */
export function configFiles(args: readonly string[], bases: readonly string[]): string[] {
  for (let k = 0; k < args.length; k++) {
    const t = args[k];
    if ((t === '-c' || t === '--config') && args[k + 1]) return [args[k + 1]];
    if (t.startsWith('--config=')) return [t.slice('--config='.length)];
  }
  return bases.flatMap((b) => ['ts', 'js', 'mjs', 'mts', 'cjs', 'cts'].map((ext) => `${b}.${ext}`));
}
