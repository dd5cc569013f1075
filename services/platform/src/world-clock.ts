import type { ClockPacer } from '@qt-led/gateway';
import type { PlatformClock } from './platform-clock.js';

/**
 * The clock of the world the platform observes: while the simulated fleet lives through the history (or the
 * time the platform was stopped) it is the fleet's simulated time, and then the platform clock.
 *
 * Why: a boat's gateway stamps what it sends with its own clock. If the fleet ran through the history as fast
 * as each boat could while ingest stamped receive times with the wall clock, every heartbeat would look days
 * early (a clock fault), a boat that left coverage in the simulated past would look heard from a moment ago,
 * and what a boat had sent by "Live now" would depend on how busy the machine was. So the boats move in lock
 * step, a quantum of simulated time at a time, and the platform lives through the same simulated time:
 *
 * - every boat simulates up to the horizon, sends what its gateway sends and waits until the platform has
 *   acknowledged it (the vessel simulation's settle), then waits at the barrier;
 * - when every boat waits, the horizon moves one quantum on (or to the earliest instant a boat waits for,
 *   when all are idle longer), after one turn of the event loop, so that messages on their way land first;
 * - ingest stamps receive times, fleet status judges and the API answers at the horizon. A boat is never
 *   ahead of the platform, and a message arrives within a quantum or two of the time it was sent;
 * - once the horizon reaches the platform clock the world clock is the platform clock, and the boats wait
 *   for it as live boats do.
 *
 * The stored readings, their receive times (to the quantum), what each boat still holds and the statuses at
 * "Live now" are then the same whether the machine is quiet or busy; only the wall time it takes differs.
 */
export interface WorldClock extends PlatformClock {
  /** The platform clock the world clock joins. */
  readonly platform: PlatformClock;
  /** True while the fleet lives through simulated time faster than the platform clock. */
  readonly fastForwarding: boolean;
  /** Resolves once the world clock is the platform clock. */
  readonly live: Promise<void>;
  /** A pacer for one boat; every pacer made takes part in the barrier until `leave()`. */
  participant(): WorldPacer;
  /** Ends every wait and makes later ones return at once (the fleet is stopping). */
  release(): void;
}

export interface WorldPacer extends ClockPacer {
  /** This boat no longer runs: the barrier stops waiting for it. */
  leave(): void;
}

export interface WorldClockOptions {
  /** The platform clock (wall time, or a faster one for demonstrations). */
  platform: PlatformClock;
  /** Where the simulated time starts; undefined or not behind the platform clock: live at once. */
  fromMs?: number | undefined;
  /** Simulated time the boats may run ahead of each other (default one minute, the sampling interval). */
  quantumMs?: number;
}

interface Wait {
  readonly atMs: number;
  readonly resolve: () => void;
  /** The boat's live waits, where this wait continues when the clock goes live under it. */
  readonly own: Set<{ readonly atMs: number; readonly end: () => void }>;
}

const DEFAULT_QUANTUM_MS = 60_000;

export function createWorldClock(options: WorldClockOptions): WorldClock {
  const { platform } = options;
  const quantumMs = options.quantumMs ?? DEFAULT_QUANTUM_MS;
  if (!(quantumMs > 0)) throw new Error(`quantum must be positive, got ${quantumMs}`);
  let horizon = options.fromMs ?? platform.now();
  let fastForwarding = horizon + quantumMs < platform.now();
  let released = false;
  let participants = 0;
  let advanceScheduled = false;
  /** Boats waiting at the barrier, one entry each. */
  const waiting = new Set<Wait>();
  /** Live waits on the platform clock. */
  const timed = new Set<{ readonly atMs: number; readonly end: () => void }>();
  let goLive: () => void = () => undefined;
  const live = new Promise<void>((resolve) => {
    goLive = resolve;
  });
  if (!fastForwarding) goLive();

  type Timed = { readonly atMs: number; readonly end: () => void };
  /** A wait on the platform clock, listed in `own` (the boat's) and in `timed` (every boat's) meanwhile. */
  const waitLive = (atMs: number, own: Set<Timed>): Promise<void> => {
    const waitMs = (atMs - platform.now()) / platform.speed;
    if (released || !(waitMs > 1)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wait: Timed = {
        atMs,
        end: () => {
          clearTimeout(timer);
          timed.delete(wait);
          own.delete(wait);
          resolve();
        },
      };
      const timer = setTimeout(wait.end, waitMs);
      timed.add(wait);
      own.add(wait);
    });
  };

  const advance = (): void => {
    advanceScheduled = false;
    if (!fastForwarding || released || waiting.size < participants) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const w of waiting) earliest = Math.min(earliest, w.atMs);
    const target = platform.now();
    const next = Math.max(horizon + quantumMs, earliest);
    const due = [...waiting];
    if (next + quantumMs >= target) {
      // Caught up: from here on the world clock is the platform clock.
      horizon = target;
      fastForwarding = false;
      waiting.clear();
      goLive();
      for (const w of due) void waitLive(w.atMs, w.own).then(w.resolve);
      return;
    }
    horizon = next;
    for (const w of due) {
      if (w.atMs > horizon) continue;
      waiting.delete(w);
      w.resolve();
    }
  };

  const scheduleAdvance = (): void => {
    if (advanceScheduled || waiting.size < participants) return;
    advanceScheduled = true;
    // One turn of the event loop first: messages written to sockets at this instant are read at it.
    setImmediate(advance);
  };

  return {
    platform,
    speed: platform.speed,
    now: () => (fastForwarding ? horizon : platform.now()),
    get fastForwarding() {
      return fastForwarding;
    },
    live,
    participant() {
      participants += 1;
      let left = false;
      const mine = new Set<Wait>();
      const mineTimed = new Set<{ readonly atMs: number; readonly end: () => void }>();
      return {
        get speed() {
          return platform.speed;
        },
        get waitingForMs() {
          let earliest: number | undefined;
          for (const w of mine) earliest = earliest === undefined ? w.atMs : Math.min(earliest, w.atMs);
          for (const w of mineTimed) earliest = earliest === undefined ? w.atMs : Math.min(earliest, w.atMs);
          return earliest;
        },
        waitUntil(simulatedMs) {
          if (released || left) return Promise.resolve();
          if (!fastForwarding) return waitLive(simulatedMs, mineTimed);
          if (simulatedMs <= horizon) return Promise.resolve();
          return new Promise<void>((resolve) => {
            const wait: Wait = {
              atMs: simulatedMs,
              own: mineTimed,
              resolve: () => {
                mine.delete(wait);
                resolve();
              },
            };
            mine.add(wait);
            waiting.add(wait);
            scheduleAdvance();
          });
        },
        release() {
          left = true;
          for (const w of [...mine]) {
            waiting.delete(w);
            w.resolve();
          }
          for (const w of [...mineTimed]) w.end();
        },
        leave() {
          if (left) return;
          left = true;
          participants -= 1;
          for (const w of [...mine]) {
            waiting.delete(w);
            w.resolve();
          }
          scheduleAdvance();
        },
      };
    },
    release() {
      released = true;
      for (const w of [...waiting]) w.resolve();
      waiting.clear();
      for (const w of [...timed]) w.end();
    },
  };
}
