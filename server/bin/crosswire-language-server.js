#!/usr/bin/env node
'use strict';
// The Crosswire language server for any LSP client (VS Code starts server/dist/server.js itself).
// --help and --version are answered here, before the server bundle takes over stdin and stdout.
const path = require('node:path');
const fs = require('node:fs');

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`Usage: crosswire-language-server [--stdio | --node-ipc | --socket=<port> | --pipe=<name>]

Starts the Crosswire language server (Language Server Protocol). It speaks over standard
input and output when no transport is given. Point your editor's LSP client at it, e.g.
  cmd = { "crosswire-language-server", "--stdio" }
It reports the same findings as \`crosswire audit\`, as diagnostics of the open workspace folders.

Options:
  --stdio             Talk over standard input and output (the default)
  --node-ipc          Talk over Node's IPC channel (when started with fork())
  --socket=<port>     Connect to a TCP socket on localhost
  --pipe=<name>       Connect to a named pipe or Unix socket
  -h, --help          Show this help
  -v, --version       Print the version
`);
  process.exit(0);
}
if (args.includes('--version') || args.includes('-v')) {
  let version = '0.0.0';
  try {
    version = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
  } catch {
    /* keep 0.0.0 */
  }
  process.stdout.write(`${version}\n`);
  process.exit(0);
}
require('../dist/server.js');
