/**
 * Paces simulated time against the real clock: `speed` simulated seconds per real second. With
 * `speed = Infinity` nothing waits: time runs as fast as the platform acknowledges (backfill).
 */
export interface Pacer {
  readonly speed: number;
  waitUntil(simulatedMs: number): Promise<void>;
}

export function createPacer(
  speed: number,
  simulatedStartMs: number,
  realNow: () => number = () => performance.now(),
): Pacer {
  if (!(speed > 0)) throw new Error(`speed must be positive, got ${speed}`);
  const realStart = realNow();
  return {
    speed,
    async waitUntil(simulatedMs) {
      if (!Number.isFinite(speed)) return;
      const due = realStart + (simulatedMs - simulatedStartMs) / speed;
      const wait = due - realNow();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    },
  };
}
