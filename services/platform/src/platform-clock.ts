/**
 * The platform's clock. At speed 1 it is the wall clock. A speed-up (for tests and demonstrations of live
 * behaviour) makes the whole platform — the simulated boats, ingest's future-time check, the fleet status
 * and the API — run on one faster clock, so that nothing sees readings from its own future.
 */
export interface PlatformClock {
  readonly speed: number;
  now(): number;
}

export function createPlatformClock(options: {
  speed: number;
  /** Platform time at creation; default the wall clock. Never earlier than what a previous run reached. */
  startMs?: number;
}): PlatformClock {
  const { speed } = options;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`clock speed must be positive, got ${speed}`);
  const wallMs = Date.now();
  const startMs = Math.max(options.startMs ?? wallMs, wallMs);
  const perfStart = performance.now();
  if (speed === 1 && startMs === wallMs) return { speed, now: () => Date.now() };
  return { speed, now: () => Math.round(startMs + (performance.now() - perfStart) * speed) };
}
