/**
 * The CLI's heap and compiler settings, set before anything else runs (imported first by main.ts); V8 reads each of
 * them when it next uses it, so they work set from inside, where --max-semi-space-size (read once, at start) cannot.
 * - The young generation stays at its initial size (1 MB per semi-space): V8 doubles it, up to 16 MB, while many
 *   objects survive, which a cold audit's facts do. Whole `crosswire audit` runs (Node 20, 2 cores, median of 3):
 *   peak RSS novu (5,264 files) 129 -> 101 MB, dub 137 -> 101 MB, the bench's 2,000 apps (19,000 files) 250 -> 217 MB,
 *   with the same wall time.
 * - The old generation grows by a quarter before its next full collection (V8's default factor goes up to 4 x when
 *   collections are fast, and an audit's heap only grows): 3-4 runs each, interleaved, novu 100-102 -> 95-98 MB, dub
 *   104 -> 100-103, langfuse 115 -> 110-111, the bench's N = 500 127-129 -> 122-123, N = 2,000 196-197 -> 184-188,
 *   wall time within the runs' noise (N = 2,000 median 6.7 vs 6.9 s; N = 500 2.65 vs 2.58 s).
 * - The optimising compiler does not inline: what it compiles in the background (the parser's large functions
 *   with their callees inlined) took memory on each of V8's worker threads that a one-shot process keeps, and the
 *   compiling took time from the audit on a small machine. Three whole runs each, interleaved (2026-12-06, with the
 *   validators released as well): the bench's N = 500 (5,024 files) 103-104 -> 97-99 MB and 1.8-1.9 -> 1.6-2.2 s (noisy);
 *   dub 90-91 -> 87-88 MB, novu 85-86 -> 82-83 MB, langfuse 98-99 -> 95-96 MB, N = 2,000 167 -> 162-165 MB;
 *   outputs identical.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=1 --heap-growing-percent=25 --no-turbo-inlining');
