/**
 * The knobs of the fuzz suite, read from the environment so that a failure found with one seed can
 * be replayed and a longer hunt run without editing code:
 *
 * - `FLOTILLA_FUZZ_SEED`: the fast-check seed of every property (default {@link DEFAULT_SEED}).
 * - `FLOTILLA_FUZZ_RUNS`: a multiplier of every property's number of runs (default 1; 10 hunts longer).
 * - `FLOTILLA_FUZZ_VERBOSE=1`: prints how the calls of each RPC ended (status counts).
 */
import type { Parameters } from 'fast-check';

/** The seed used when `FLOTILLA_FUZZ_SEED` is not set, so that `npm test` is reproducible. */
export const DEFAULT_SEED = 20_260_707;

/** The seed of this run. */
export const FUZZ_SEED = integerFromEnv('FLOTILLA_FUZZ_SEED', DEFAULT_SEED);

const RUNS_FACTOR = integerFromEnv('FLOTILLA_FUZZ_RUNS', 1);

/** Whether to print the status counts of each fuzzed RPC. */
export const FUZZ_VERBOSE = process.env.FLOTILLA_FUZZ_VERBOSE === '1';

/** How long a unary call may take before its deadline ends it; a unary handler never waits for long. */
export const UNARY_DEADLINE_MS = 5000;
/**
 * The deadline of the second try of a unary call that ran past {@link UNARY_DEADLINE_MS}: a loaded
 * machine answers within it, a handler that never answers does not. Not a speed test.
 */
export const PATIENT_DEADLINE_MS = 30_000;
/** Call options with the patient deadline, for the tests' own calls around the fuzzing. */
export function patiently(): { signal: AbortSignal } {
  return { signal: AbortSignal.timeout(PATIENT_DEADLINE_MS) };
}

/** How long a streaming call runs before its deadline ends it (a following stream never ends by itself). */
export const STREAM_DEADLINE_MS = 400;
/** How much later than its deadline a call may report its status before it counts as hung. */
export const HANG_GRACE_MS = 3000;

/**
 * fast-check parameters for a property of `runs` runs (times `FLOTILLA_FUZZ_RUNS`), with this
 * run's seed. A failure is reported as found, without shrinking: after a server hung or crashed,
 * every smaller request fails too and shrinking would only wait out deadlines.
 */
export function fuzzParameters<T>(runs: number): Parameters<T> {
  return { seed: FUZZ_SEED, numRuns: Math.max(1, runs * RUNS_FACTOR), endOnFailure: true };
}

/** The line a failure report ends with: how to replay it. */
export function replayHint(): string {
  return `replay with FLOTILLA_FUZZ_SEED=${FUZZ_SEED} npx vitest run test/fuzz (after npm run build)`;
}

function integerFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(text)}`);
  return value;
}
