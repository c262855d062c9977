/**
 * The language server's heap and compiler settings (imported first by main.ts). V8 reads these flags each time it
 * would grow a space, collect or compile, so they work set from inside, and every editor's server gets them, not only
 * VS Code's; a V8 without one ignores it. Two sets:
 * - While indexing (the start, a change of folders, "Crosswire: Audit workspace"), as the CLI (cli/heap.ts): the
 *   young generation stays at 1 MB, the old generation grows by a quarter before its next full collection, and the
 *   optimising compiler does not inline. Indexing and the first rule pass are where the server's memory peaks.
 *   Measured over the protocol at N = 2,000 (three runs each, interleaved, 2026-12-06): peak RSS after indexing
 *   183.6-186.5 -> 168.4-168.9 MB; ready after 4.6-5.4 vs 4.9-5.2 s; p50 of the 100 edits after 30-35 vs 32 ms,
 *   p95 82-114 vs 79-82 ms.
 * - While editing, the young generation may grow again (to package.json crosswireServer.execArgv's 16 MB), the
 *   compiler inlines, and the old generation grows by half before a full collection (V8's default factor goes up to
 *   4 × when collections are fast): each edit of a 2,000-app workspace leaves ~6 MB behind it, and back-to-back edits
 *   drove the server's resident set from ~210 MB to ~590 MB before V8 collected. Measured over the protocol (the
 *   bench's 100 edits at N = 2,000, two runs), with the young generation at 8 MB: high-water mark over the edits
 *   541-562 -> 303-306 MB, p50 77-80 -> 71-72 ms, p95 110-112 -> 148-153 ms.
 */
import { setFlagsFromString } from 'node:v8';

const INDEXING = '--semi-space-growth-factor=1 --heap-growing-percent=25 --no-turbo-inlining';
const EDITING = '--semi-space-growth-factor=2 --heap-growing-percent=50 --turbo-inlining';

/** A full collection now, where the server is started with `--expose-gc` (package.json crosswireServer.execArgv); else nothing. */
export function collectNow(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** The settings for building an index and its first findings. */
export function indexingHeap(): void {
  setFlagsFromString(INDEXING);
}

/** The settings for answering edits, once the index is built. */
export function editingHeap(): void {
  setFlagsFromString(EDITING);
}

indexingHeap();
