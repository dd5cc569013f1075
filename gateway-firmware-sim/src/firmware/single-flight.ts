/**
 * Runs a piece of async work one at a time: a request while it runs makes it run once more afterwards
 * (never twice at once, never a request lost). The uploader's pump: a new reading, an ack and a timer
 * all just ask for a pass.
 */
export interface SingleFlight {
  request(): void;
  readonly running: boolean;
}

export interface SingleFlightDeps {
  /** Whether a request starts a pass at all (checked when it is made). */
  mayStart: () => boolean;
  /** Whether a pass asked for during the last one still runs (checked after it). */
  mayRepeat: () => boolean;
  /** Counts the work as running; the returned function ends it. */
  begin: () => () => void;
  /** A pass failed: the loop ends; the next request starts afresh. */
  onError: (error: unknown) => void;
}

export function createSingleFlight(deps: SingleFlightDeps, work: () => Promise<void>): SingleFlight {
  let running = false;
  let again = false;
  // Read through a function: a request made while a pass awaits sets it.
  const againRequested = (): boolean => again;
  return {
    get running() {
      return running;
    },
    request() {
      if (!deps.mayStart()) return;
      if (running) {
        again = true;
        return;
      }
      running = true;
      const done = deps.begin();
      void (async () => {
        try {
          do {
            again = false;
            await work();
          } while (againRequested() && deps.mayRepeat());
        } catch (error) {
          deps.onError(error);
        } finally {
          running = false;
          done();
        }
      })();
    },
  };
}
