import fc from 'fast-check';

/** The seed of every fuzz run: fixed, so CI is repeatable; `FUZZ_SEED` explores others or replays one. */
export function fuzzSeed(): number {
  const fromEnv = process.env['FUZZ_SEED'];
  if (fromEnv === undefined || fromEnv === '') return 20_261_203;
  const seed = Number(fromEnv);
  if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not ${fromEnv}`);
  return seed;
}

export interface FuzzOptions {
  /** How many generated cases must run: fewer (the time guard struck) fails the test. */
  numRuns: number;
  /** Stops generating after this long, counting what ran, so that a stuck case cannot hang CI. */
  timeLimitMs: number;
  /** Where the run's figures go; default the console. */
  log?: (line: string) => void;
}

/** What a fuzz run did, for the test's log and its assertions. */
export interface FuzzRun {
  name: string;
  seed: number;
  ran: number;
  elapsedMs: number;
}

/**
 * Runs an async property for exactly `numRuns` cases from the fixed seed, under a time guard. Logs the seed,
 * the cases run and the time taken; throws fast-check's report (counterexample, seed and path to replay with
 * `FUZZ_SEED`) on a failure, and throws too when the guard cut the run short: a fuzz test never passes on
 * fewer cases than it states.
 */
export async function fuzz<T>(
  name: string,
  property: fc.IAsyncPropertyWithHooks<T> | fc.IPropertyWithHooks<T>,
  options: FuzzOptions,
): Promise<FuzzRun> {
  const seed = fuzzSeed();
  const log = options.log ?? ((line: string) => console.log(line));
  const started = performance.now();
  const details = await fc.check(property as fc.IAsyncProperty<T>, {
    seed,
    numRuns: options.numRuns,
    interruptAfterTimeLimit: options.timeLimitMs,
    markInterruptAsFailure: false,
  });
  const elapsedMs = Math.round(performance.now() - started);
  const run = { name, seed, ran: details.numRuns, elapsedMs };
  log(
    `fuzz ${name}: ${run.ran} of ${options.numRuns} cases in ${elapsedMs} ms, seed ${seed} (FUZZ_SEED to replay)`,
  );
  if (details.failed) {
    const cause = details.errorInstance;
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new Error(
      `${fc.defaultReportMessage(details) ?? `fuzz ${name} failed`}\n\nThe property failed with: ${why}`,
      { cause },
    );
  }
  if (details.numRuns < options.numRuns)
    throw new Error(
      `fuzz ${name}: only ${details.numRuns} of ${options.numRuns} cases ran before the ${options.timeLimitMs} ms guard (seed ${seed})`,
    );
  return run;
}
