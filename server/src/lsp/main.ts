/**
 * Entry point of the Crosswire language server (bundled to server/dist/server.js).
 * Transport from the command line as usual (`--stdio`, `--node-ipc`, `--socket=<port>`);
 * with none given it speaks over stdio, so `crosswire-language-server` works in any editor.
 */
import './heap';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { CrosswireServer } from './server';

const transports = ['--stdio', '--node-ipc', '--socket', '--pipe'];
if (!process.argv.some((a) => transports.some((t) => a === t || a.startsWith(t + '=')))) process.argv.push('--stdio');

const connection = createConnection(ProposedFeatures.all);
const server = new CrosswireServer(connection);

const text = (e: unknown) => (e instanceof Error ? (e.stack ?? e.message) : String(e));
process.on('uncaughtException', (e) => server.logger.error(`crosswire: uncaught: ${text(e)}`));
process.on('unhandledRejection', (e) => server.logger.error(`crosswire: unhandled: ${text(e)}`));

server.listen();
