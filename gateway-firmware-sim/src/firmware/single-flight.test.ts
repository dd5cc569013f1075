import { describe, expect, it } from 'vitest';
import { createSingleFlight } from './single-flight.js';

describe('single flight', () => {
  it('runs one pass at a time, once more for requests made meanwhile, and counts itself busy', async () => {
    const releases: (() => void)[] = [];
    let passes = 0;
    let busy = 0;
    const flight = createSingleFlight(
      {
        mayStart: () => true,
        mayRepeat: () => true,
        begin: () => {
          busy += 1;
          return () => {
            busy -= 1;
          };
        },
        onError: () => undefined,
      },
      async () => {
        passes += 1;
        await new Promise<void>((resolve) => releases.push(resolve));
      },
    );
    flight.request();
    flight.request();
    flight.request();
    expect(passes).toBe(1);
    expect(flight.running).toBe(true);
    expect(busy).toBe(1);
    releases.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(passes).toBe(2);
    releases.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(passes).toBe(2);
    expect(flight.running).toBe(false);
    expect(busy).toBe(0);
  });

  it('starts nothing when it may not, and reports a failed pass', async () => {
    let allowed = false;
    const errors: unknown[] = [];
    const flight = createSingleFlight(
      {
        mayStart: () => allowed,
        mayRepeat: () => true,
        begin: () => () => undefined,
        onError: (error) => errors.push(error),
      },
      () => Promise.reject(new Error('broker gone')),
    );
    flight.request();
    expect(flight.running).toBe(false);
    allowed = true;
    flight.request();
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([new Error('broker gone')]);
    expect(flight.running).toBe(false);
  });
});
