/**
 * The CLI's young generation stays at its initial size (1 MB per semi-space): V8 doubles it, up to 16 MB, while many
 * objects survive, which a cold audit's facts do. Measured on whole `crosswire audit` runs (Node 20, 2 cores, median
 * of 3): peak RSS novu (5,264 files) 129 -> 101 MB, dub 137 -> 101 MB, the bench's 2,000 apps (19,000 files) 250 ->
 * 217 MB, with the same wall time. V8 reads the growth factor each time it would grow the space, so setting it here,
 * before anything else runs, works where --max-semi-space-size (read once, at start) cannot be set from inside.
 * Imported first by main.ts.
 */
import { setV8Flags } from '../parsers/typescript-loader';

setV8Flags('--semi-space-growth-factor=1');
