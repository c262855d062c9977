/**
 * The language server's old generation grows by half before a full collection (V8's default factor goes up to 4 ×
 * when collections are fast): each edit of a 2,000-app workspace leaves ~6 MB behind it, and back-to-back edits drove
 * the server's resident set from ~210 MB to ~590 MB before V8 collected. Measured over the protocol (the bench's 100
 * edits at N = 2,000, two runs), with the young generation at 8 MB (package.json crosswireServer.execArgv): high-water
 * mark over the edits 541-562 -> 303-306 MB, p50 77-80 -> 71-72 ms, p95 110-112 -> 148-153 ms. Set from inside (V8
 * reads it at each collection) so that every editor's server gets it, not only VS Code's; a V8 without the flag
 * ignores it. Imported first by main.ts.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--heap-growing-percent=50');
