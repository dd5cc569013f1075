import { describe, expect, it } from 'vitest';
import { DEFAULT_FLEET_STATUS_CONFIG as config } from './config.js';
import { assessLed, ledBaseline } from './led.js';
import { liftNetNight, local, reading } from './testing/readings.js';

const rated = (): number => 240;

describe('LED fault', () => {
  it('is ok for a healthy night and unknown without lamps on', () => {
    expect(assessLed(liftNetNight(2024, 3, 5), rated, null, config).state).toBe('ok');
    expect(
      assessLed(
        liftNetNight(2024, 3, 5).filter((r) => r.lampsOn === 0),
        rated,
        null,
        config,
      ).state,
    ).toBe('unknown');
  });

  it('finds two dark lamps of 24 lasting the night, with expected and actual power', () => {
    const from = local(2024, 3, 5, 21);
    const night = liftNetNight(2024, 3, 5).map((r) =>
      r.deviceTimeMs >= from && (r.lampsOn ?? 0) > 0
        ? reading({ ...r, ledPowerW: ((r.lampsOn ?? 0) - 2) * 240 * 0.99 })
        : r,
    );
    const led = assessLed(night, rated, 0.99, config);
    expect(led.state).toBe('fault');
    expect(led.runStartMs).toBe(from);
    expect(led.expectedW).toBeGreaterThan(led.actualW ?? Infinity);
    // 24 lamps on for most of the run: 5,760 W expected, about 22 × 237.6 W measured.
    expect(led.expectedW).toBeCloseTo(((24 * 6.5 + 12 * 0.5) / 7) * 240, -1);
    expect(led.deviation).toBeLessThan(-0.05);
  });

  it('needs the fault to last: 10 minutes off is no fault', () => {
    const night = liftNetNight(2024, 3, 5).map((r) =>
      r.deviceTimeMs >= local(2024, 3, 5, 21) && r.deviceTimeMs < local(2024, 3, 5, 21, 10)
        ? reading({ ...r, ledPowerW: 1000 })
        : r,
    );
    expect(assessLed(night, rated, 0.99, config).state).toBe('ok');
  });

  it('learns the normal draw of a boat so that a low-drawing healthy boat is no fault', () => {
    // Drivers draw 94 % of rating: 6 % off nominal, beyond the 5 % tolerance without a baseline.
    const low = liftNetNight(2024, 3, 5).map((r) =>
      reading({ ...r, ledPowerW: (r.lampsOn ?? 0) * 240 * 0.94 }),
    );
    expect(assessLed(low, rated, null, config).state).toBe('fault');
    const hourly = Array.from({ length: 20 }, (_, i) => ({
      ledPowerW: 24 * 240 * (0.935 + (i % 3) * 0.005),
      lampsOn: 24,
      ratedW: 240,
    }));
    const baseline = ledBaseline(hourly);
    expect(baseline).toBeCloseTo(0.945, 3);
    expect(assessLed(low, rated, baseline, config).state).toBe('ok');
    expect(ledBaseline(hourly.slice(0, 5))).toBeNull();
  });
});
