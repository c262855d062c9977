import fc from 'fast-check';
/**
 * The `--runs` knob of the property tests: CROSSWIRE_FUZZ_RUNS=N (or `--runs N` / `--runs=N` when a
 * test file is run directly with node) sets the number of runs; CROSSWIRE_FUZZ_SEED replays a failure
 * (fast-check prints the seed and path of every counterexample).
 */
export interface FuzzParams {
  numRuns: number;
  seed?: number;
  path?: string;
  endOnFailure?: boolean;
}

export function fuzzRuns(defaultRuns: number): number {
  const argv = process.argv;
  let fromArgs: string | undefined;
  const i = argv.indexOf('--runs');
  if (i !== -1) fromArgs = argv[i + 1];
  const eq = argv.find((a) => a.startsWith('--runs='));
  if (eq) fromArgs = eq.slice('--runs='.length);
  const raw = fromArgs ?? process.env.CROSSWIRE_FUZZ_RUNS;
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) && n > 0 ? n : defaultRuns;
}

/** fast-check parameters; `scale` runs this many times fewer (for expensive properties), at least 1. */
export function fuzzParams(defaultRuns: number, scale = 1): FuzzParams {
  const numRuns = Math.max(1, Math.round(fuzzRuns(defaultRuns) / scale));
  const seed = process.env.CROSSWIRE_FUZZ_SEED !== undefined ? Number(process.env.CROSSWIRE_FUZZ_SEED) : undefined;
  const path = process.env.CROSSWIRE_FUZZ_PATH;
  return { numRuns, ...(seed !== undefined && Number.isFinite(seed) ? { seed } : {}), ...(path ? { path } : {}) };
}

/** fast-check's failure message names the counterexample; this adds what the property said (the assertion). */
export function withCause(e: unknown): never {
  const err = e as Error & { cause?: unknown };
  const cause = err.cause instanceof Error ? err.cause.message : err.cause !== undefined ? String(err.cause) : '';
  if (cause && !err.message.includes(cause)) err.message += `\n--- the property said ---\n${cause}`;
  throw err;
}

export function runProperty<Ts>(prop: fc.IProperty<Ts>, params: FuzzParams): void {
  try {
    fc.assert(prop, params);
  } catch (e) {
    withCause(e);
  }
}

export async function runPropertyAsync<Ts>(prop: fc.IAsyncProperty<Ts>, params: FuzzParams): Promise<void> {
  try {
    await fc.assert(prop, params);
  } catch (e) {
    withCause(e);
  }
}
