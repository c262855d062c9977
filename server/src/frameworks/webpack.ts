import { serve, type FrameworkModule } from './types';
import { configFiles } from './rsbuild';

/**
 * webpack-dev-server: `webpack serve` (webpack-cli) and `webpack-dev-server`. The port is `--port`, else the config's
 * `devServer.port` (webpack.config.*, or `--config`/`-c`); without one it looks for a free port from 8080
 * (webpack-dev-server lib/Server.js getFreePort: a given port is used as is, else `getPort(basePort)` with basePort
 * WEBPACK_DEV_SERVER_BASE_PORT or 8080). It does not read PORT.
 */
export const webpack: FrameworkModule = {
  framework: 'webpack',
  label: 'webpack-dev-server',
  deps: ['webpack-dev-server'],
  match(bin, args) {
    const serveCmd = (bin === 'webpack' || bin === 'webpack-cli') && args[0] === 'serve';
    if (!serveCmd && bin !== 'webpack-dev-server') return undefined;
    const words = serveCmd ? 1 : 0;
    return {
      words,
      spec: serve({
        id: 'webpack-serve',
        framework: 'webpack',
        label: 'webpack-dev-server',
        role: 'dev',
        defaultPort: 8080,
        drift: 'when-implicit',
        configFiles: configFiles(args.slice(words), ['webpack.config']),
        fixFlag: ' --port {port}',
      }),
    };
  },
};
