import { describe, expect, it } from 'vitest';
import { CLOCK_EVIDENCE_WINDOW_MS, type ClockObservation, assessClock } from './status.js';

const config = { clockFloorMs: Date.parse('2017-01-01T00:00:00Z'), clockSkewToleranceMs: 5 * 60_000 };
const T = Date.parse('2026-11-20T12:00:00Z');
const MIN = 60_000;

const beat = (receivedAtMs: number, skewMs: number): ClockObservation => ({
  source: 'heartbeat',
  deviceTimeMs: receivedAtMs + skewMs,
  receivedAtMs,
  skewMs,
});

describe('the device clock', () => {
  it('is not judged behind on a late delivery when a prompt one came with it', () => {
    // A heartbeat held up 40 min (a busy link), then the next ones on time.
    const seen = [beat(T, -40 * MIN), beat(T + 10_000, -2_000), beat(T + 5 * MIN, -1_000)];
    expect(assessClock(seen, config).fault).toBe(false);
    // The late one is the freshest: the prompt ones a moment earlier still bound the clock.
    const lateLast = [beat(T, -1_000), beat(T + 5 * MIN, -1_500), beat(T + 6 * MIN, -45 * MIN)];
    expect(assessClock(lateLast, config)).toMatchObject({ fault: false, skewMs: -1_000 });
  });

  it('is behind when every observation of the window is behind', () => {
    const seen = [beat(T, -12 * MIN), beat(T + 5 * MIN, -12 * MIN), beat(T + 10 * MIN, -11 * MIN)];
    const clock = assessClock(seen, config);
    expect(clock).toMatchObject({ fault: true, skewMs: -11 * MIN, sinceMs: T });
    expect(clock.why).toContain('behind');
  });

  it('is ahead on a single observation: no delivery delay makes a clock read ahead', () => {
    const clock = assessClock([beat(T, -1_000), beat(T + 5 * MIN, 9 * MIN)], config);
    expect(clock).toMatchObject({ fault: true, skewMs: 9 * MIN, sinceMs: T + 5 * MIN });
    expect(clock.why).toContain('ahead');
  });

  it('forgets observations older than the window', () => {
    const seen = [beat(T, -1_000), beat(T + CLOCK_EVIDENCE_WINDOW_MS + MIN, -20 * MIN)];
    expect(assessClock(seen, config).fault).toBe(true);
  });

  it('is reset when it reads before the floor, whatever came before', () => {
    const reset: ClockObservation = {
      source: 'event',
      deviceTimeMs: 3_600_000,
      receivedAtMs: T,
      skewMs: null,
    };
    const clock = assessClock([beat(T - MIN, 0), reset], config);
    expect(clock).toMatchObject({ fault: true, sinceMs: T });
    expect(clock.why).toContain('reset');
  });
});
