/**
 * The vessel simulation's pacing port: before it advances a vessel's timeline to its next event, the
 * simulation waits on the pacer. With `speed = Infinity` nothing waits: time runs as fast as the platform
 * acknowledges (backfill).
 */
export interface Pacer {
  /** Simulated seconds per real second. */
  readonly speed: number;
  /** Resolves when simulated time may advance to `simulatedMs`. */
  waitUntil(simulatedMs: number): Promise<void>;
}

/** The clock a pacer follows: where simulated time should stand now, moving at `speed`. */
export interface PacerClock {
  readonly speed: number;
  now(): number;
}

/** A pacer that can say what it waits for and be released (both as a runner shutting down needs). */
export interface ClockPacer extends Pacer {
  /**
   * The earliest simulated instant a wait under way is for, if any: every vessel waiting on this pacer
   * has simulated everything before it.
   */
  readonly waitingForMs: number | undefined;
  /** Ends the waits under way and makes every later one return at once (live, a wait may be minutes). */
  release(): void;
}

/**
 * Follows an external clock (the platform's): a wait lasts until the clock reaches the simulated instant,
 * so a vessel behind the clock runs as fast as it can, and one that caught up keeps the clock's pace.
 */
export function createClockPacer(clock: PacerClock): ClockPacer {
  const waits = new Set<{ readonly atMs: number; readonly end: () => void }>();
  let released = false;
  return {
    get speed() {
      return clock.speed;
    },
    get waitingForMs() {
      let earliest: number | undefined;
      for (const w of waits) earliest = earliest === undefined ? w.atMs : Math.min(earliest, w.atMs);
      return earliest;
    },
    async waitUntil(simulatedMs) {
      if (released || !Number.isFinite(clock.speed)) return;
      const waitMs = (simulatedMs - clock.now()) / clock.speed;
      // Not worth a timer: a wait this short is below the timers' resolution.
      if (!(waitMs > 1)) return;
      await new Promise<void>((resolve) => {
        const wait = {
          atMs: simulatedMs,
          end: () => {
            clearTimeout(timer);
            waits.delete(wait);
            resolve();
          },
        };
        const timer = setTimeout(wait.end, waitMs);
        waits.add(wait);
      });
    },
    release() {
      released = true;
      for (const w of [...waits]) w.end();
    },
  };
}

/** Fixed speed: simulated time runs at `speed` × real time from `simulatedStartMs` on (now). */
export function createFixedSpeedPacer(
  speed: number,
  simulatedStartMs: number,
  realNow: () => number = () => performance.now(),
): ClockPacer {
  if (!(speed > 0)) throw new Error(`speed must be positive, got ${speed}`);
  const realStart = realNow();
  return createClockPacer({
    speed,
    now: () => simulatedStartMs + (realNow() - realStart) * speed,
  });
}
