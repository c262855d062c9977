/**
 * What `require('typescript')` is in the bundles (scripts/build.mjs redirects it here): the compiler copied beside
 * them (server/dist/node_modules/typescript), loaded through a V8 code cache (typescript-loader.ts). The compiled
 * tests (server/out) load the compiler as usual and never this file.
 */
import * as path from 'node:path';
import { loadWithCodeCache } from './typescript-loader';

export = loadWithCodeCache(path.join(__dirname, 'node_modules', 'typescript', 'lib', 'typescript.js')).exports;
