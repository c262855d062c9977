/**
 * The CLI's heap settings, set before anything else runs (imported first by main.ts); V8 reads both each time it
 * would grow a space, so they work set from inside, where --max-semi-space-size (read once, at start) cannot.
 * - The young generation stays at its initial size (1 MB per semi-space): V8 doubles it, up to 16 MB, while many
 *   objects survive, which a cold audit's facts do. Whole `crosswire audit` runs (Node 20, 2 cores, median of 3):
 *   peak RSS novu (5,264 files) 129 -> 101 MB, dub 137 -> 101 MB, the bench's 2,000 apps (19,000 files) 250 -> 217 MB,
 *   with the same wall time.
 * - The old generation grows by a quarter before its next full collection (V8's default factor goes up to 4 x when
 *   collections are fast, and an audit's heap only grows): 3-4 runs each, interleaved, novu 100-102 -> 95-98 MB, dub
 *   104 -> 100-103, langfuse 115 -> 110-111, the bench's N = 500 127-129 -> 122-123, N = 2,000 196-197 -> 184-188,
 *   wall time within the runs' noise (N = 2,000 median 6.7 vs 6.9 s; N = 500 2.65 vs 2.58 s).
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=1 --heap-growing-percent=25');
