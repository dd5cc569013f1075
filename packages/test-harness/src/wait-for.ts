export interface WaitForOptions {
  /** Give up after this long (default 5,000 ms). */
  timeoutMs?: number;
  /** Pause between two checks (default 50 ms). */
  intervalMs?: number;
  /** What is awaited, for the timeout error; a function is evaluated at timeout, to report the state reached. */
  description?: string | (() => string);
}

/**
 * Polls `predicate` until it returns true, or throws once `timeoutMs` has passed. An exception from the
 * predicate counts as "not yet" and is reported (as `cause`) if the wait times out.
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  options: WaitForOptions = {},
): Promise<void> {
  const { timeoutMs = 5_000, intervalMs = 50, description = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await predicate()) return;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const what = typeof description === 'function' ? description() : description;
      const message = `waitFor timed out after ${timeoutMs} ms: ${what}`;
      throw lastError === undefined
        ? new Error(message)
        : new Error(
            `${message} (last check threw: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})`,
            { cause: lastError },
          );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
