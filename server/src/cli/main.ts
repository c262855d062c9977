// Entry point of the CLI bundle (server/dist/cli.js, run by server/bin/crosswire.js). See run.ts.
import './heap';
import { main } from './run';

void main(process.argv.slice(2));
