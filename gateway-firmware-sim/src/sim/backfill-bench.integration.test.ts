// The backfill benchmark (bench/backfill.ts) in miniature (one day, three boats) against the harness's Mosquitto: it finishes,
// delivers every reading once and reports the per-vessel calibration figures. The 30-day, 40-boat figure
// is in the README.
import { describe, expect, inject, it } from 'vitest';
import { runBackfillBenchmark } from '../../bench/backfill.js';
import { formatFleetSummary } from './report.js';

describe('backfill benchmark', () => {
  it('runs a day of three boats through MQTT and accounts for every reading', async () => {
    const result = await runBackfillBenchmark({
      days: 1,
      vessels: 3,
      seed: 2,
      queueSync: 'normal',
      faults: 'realistic',
      broker: inject('mqtt').url,
      drain: true,
      tcpNoDelay: true,
    });
    const { totals } = result.summary;
    expect(totals.sampled).toBeGreaterThan(3 * 1440 * 0.9);
    expect(result.stored).toBe(totals.sampled);
    expect(totals.pending).toBe(0);
    expect(result.conflicts).toBe(0);
    const text = formatFleetSummary(result.summary);
    expect(text).toMatch(/QT-98774-TS +lift-net/);
    expect(text).toContain('Calibration checks');
  }, 60_000);
});
