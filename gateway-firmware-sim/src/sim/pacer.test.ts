import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClockPacer, createFixedSpeedPacer } from './pacer.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Whether the promise has settled after the pending microtasks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('the clock pacer', () => {
  it('waits until the clock reaches the instant, at the clock speed, and tells what it waits for', async () => {
    const clock = { speed: 60, nowMs: 1_000_000, now: () => clock.nowMs };
    const pacer = createClockPacer(clock);
    expect(pacer.speed).toBe(60);
    // Behind the clock: no wait.
    expect(await settled(pacer.waitUntil(999_000))).toBe(true);
    const wait = pacer.waitUntil(1_060_000); // 60 s simulated at 60× = 1 s of real time
    expect(pacer.waitingForMs).toBe(1_060_000);
    await vi.advanceTimersByTimeAsync(990);
    expect(await settled(wait)).toBe(false);
    await vi.advanceTimersByTimeAsync(10);
    expect(await settled(wait)).toBe(true);
    expect(pacer.waitingForMs).toBeUndefined();
  });

  it('on release ends the waits under way and waits no more', async () => {
    const pacer = createClockPacer({ speed: 1, now: () => 0 });
    const a = pacer.waitUntil(60_000);
    const b = pacer.waitUntil(30_000);
    expect(pacer.waitingForMs).toBe(30_000);
    pacer.release();
    expect(await settled(Promise.all([a, b]))).toBe(true);
    expect(await settled(pacer.waitUntil(3_600_000))).toBe(true);
    expect(pacer.waitingForMs).toBeUndefined();
  });
});

describe('the fixed-speed pacer', () => {
  it('runs simulated time at speed × real time from its start', async () => {
    let realMs = 500;
    const pacer = createFixedSpeedPacer(10, 1_000_000, () => realMs);
    const wait = pacer.waitUntil(1_010_000); // 10 s simulated: 1 s real
    await vi.advanceTimersByTimeAsync(999);
    expect(await settled(wait)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(wait)).toBe(true);
    // Half a real second later, 5 simulated seconds have passed: the instant 1 005 000 is due.
    realMs += 500;
    expect(await settled(pacer.waitUntil(1_005_000))).toBe(true);
  });

  it('never waits at infinite speed, and refuses a speed that is not positive', async () => {
    expect(await settled(createFixedSpeedPacer(Number.POSITIVE_INFINITY, 0).waitUntil(1e12))).toBe(true);
    expect(() => createFixedSpeedPacer(0, 0)).toThrow(/positive/);
  });
});
