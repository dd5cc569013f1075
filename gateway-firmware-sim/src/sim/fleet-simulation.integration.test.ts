// The fleet simulator through the real MQTT path: the same seed gives byte-identical payload streams,
// faults happen (reboots, duplicates, corrupted frames the platform sets aside, GPS loss, clock faults,
// a meter replaced), and the summary reports traffic and the calibration figures per vessel.
// Platform side: the stand-in acknowledger (test/test-acknowledger.ts), until the real ingest lands.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createIsolation } from '@qt-led/test-harness';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type TestAcknowledger, startTestAcknowledger } from '../../test/test-acknowledger.js';
import { type TrafficRecorder, startTrafficRecorder } from '../../test/traffic-recorder.js';
import { parseFaultSpec } from './faults.js';
import { type FleetSummary, createFleetSimulation } from './fleet-simulation.js';
import { formatFleetSummary } from './report.js';

const VESSELS = ['QT-96759-TS', 'QT-98774-TS', 'QT-01009-TS'];
const START = Date.UTC(2024, 2, 7, 5, 0); // 12:00 local
const END = START + 14 * 3_600_000;
const FAULTS =
  'reboot:QT-96759-TS@1h,duplicate-sends:QT-98774-TS@20m~2h,corrupted-frame@30m,corrupted-frame:QT-98774-TS@40m,' +
  'gps-loss:QT-01009-TS@50m~30m,rtc-reset:QT-01009-TS@2h,clock-drift:QT-96759-TS@0m~10h,meter-replaced:QT-98774-TS@90m,' +
  'lamp-failure:QT-96759-TS@1h~1dx3';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface Run {
  summary: FleetSummary;
  digests: Map<string, string>;
  recorder: TrafficRecorder;
  acknowledger: TestAcknowledger;
}

async function run(seed: number): Promise<Run> {
  const isolation = createIsolation('gwfleet');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'qtled-gw-fleet-'));
  dirs.push(dataDir);
  const recorder = await startTrafficRecorder(inject('mqtt'), isolation.topicRoot);
  const acknowledger = await startTestAcknowledger({
    server: inject('mqtt'),
    topicRoot: isolation.topicRoot,
  });
  try {
    const simulation = createFleetSimulation({
      seed,
      startMs: START,
      endMs: END,
      vessels: VESSELS,
      broker: { url: inject('mqtt').url },
      topicRoot: isolation.topicRoot,
      dataDir,
      clientIdPrefix: `${isolation.id}-`,
      faults: parseFaultSpec(FAULTS),
      fuelMeters: 'all',
      drain: true,
    });
    await simulation.start();
    const summary = await simulation.finished;
    // Let the last messages reach the recorder.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return {
      summary,
      digests: recorder.digests(['telemetry', 'events', 'presence', 'heartbeat']),
      recorder,
      acknowledger,
    };
  } finally {
    await recorder.close();
    await acknowledger.close();
  }
}

describe('fleet simulation', () => {
  it('gives byte-identical payload streams for the same seed, and different ones for another', async () => {
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    // Every vessel published telemetry, events and presence; heartbeats come from boats in coverage.
    for (const vessel of VESSELS) {
      for (const channel of ['telemetry', 'events', 'presence']) {
        expect(a.recorder.messages(vessel, channel).length, `${vessel}/${channel}`).toBeGreaterThan(0);
      }
    }
    expect(VESSELS.some((v) => a.recorder.messages(v, 'heartbeat').length > 0)).toBe(true);
    expect([...b.digests.entries()]).toEqual([...a.digests.entries()]);
    const telemetryA = VESSELS.map((v) => a.digests.get(`${v}/telemetry`));
    const telemetryC = VESSELS.map((v) => c.digests.get(`${v}/telemetry`));
    for (let i = 0; i < VESSELS.length; i += 1) expect(telemetryC[i]).not.toBe(telemetryA[i]);

    // The faults happened and were handled.
    const { summary, acknowledger, recorder } = a;
    expect(summary.totals.boots).toBeGreaterThanOrEqual(VESSELS.length + 2);
    expect(summary.totals.duplicatesInjected).toBeGreaterThan(0);
    expect(acknowledger.stats.duplicates).toBeGreaterThanOrEqual(summary.totals.duplicatesInjected);
    // Four corrupted frames were asked for; a boat out of coverage sends its own only when back.
    expect(summary.totals.corruptedInjected).toBeGreaterThanOrEqual(3);
    const setAside = [...acknowledger.setAside.values()].reduce((n, k) => n + k, 0);
    expect(setAside).toBe(summary.totals.corruptedInjected);
    expect(acknowledger.stats.conflicts).toBe(0);
    expect(acknowledger.storedCount()).toBe(summary.totals.sampled);
    expect(summary.totals.pending).toBe(0);
    const events = (vessel: string): { type: string }[] =>
      recorder
        .messages(vessel, 'events')
        .map((m) => (JSON.parse(m.payload) as { event: { type: string } }).event);
    expect(events('QT-96759-TS').filter((e) => e.type === 'boot')).toHaveLength(2);
    expect(events('QT-98774-TS').some((e) => e.type === 'meter-replaced')).toBe(true);
    expect(events('QT-01009-TS').some((e) => e.type === 'clock-adjusted')).toBe(true);
    // After the RTC reset some readings carry a 1970 device time (no GPS time yet), stamped 'rtc'.
    const stored01009 = acknowledger.storedOf('QT-01009-TS').map((s) => s.reading);
    expect(stored01009.some((r) => r.deviceTimeMs < Date.UTC(2000, 0, 1) && r.timeSource === 'rtc')).toBe(
      true,
    );
    expect(stored01009.some((r) => r.position?.fix === 'none')).toBe(true);
    // Lamps failing: power well below lamps on × rated W while the lamps are reported on.
    const failing = acknowledger
      .storedOf('QT-96759-TS')
      .map((s) => s.reading.led)
      .filter((led) => led !== undefined && led.lampsOn === 55);
    expect(failing.length).toBeGreaterThan(0);
    // 52 of 55 lamps lit: the mean draw is below what 55 healthy 300 W lamps draw at the lowest (97 %).
    const meanPowerW = failing.reduce((n, led) => n + (led?.powerW ?? 0), 0) / failing.length;
    expect(meanPowerW).toBeLessThan(55 * 300 * 0.965);
    expect(meanPowerW).toBeGreaterThan(50 * 300 * 0.95);
    // The presence streams show births, last wills (boat leaving coverage) and the clean shutdown.
    const presenceOf = (vessel: string): { state: string; cause?: string }[] =>
      recorder
        .messages(vessel, 'presence')
        .map((m) => JSON.parse(m.payload) as { state: string; cause?: string });
    for (const vessel of VESSELS) {
      expect(presenceOf(vessel).some((p) => p.state === 'online')).toBe(true);
      expect(presenceOf(vessel).at(-1)).toMatchObject({ state: 'offline', cause: 'shutdown' });
    }
    expect(
      presenceOf('QT-98774-TS').some((p) => p.state === 'offline' && p.cause === 'connection-lost'),
    ).toBe(true);

    const text = formatFleetSummary(summary);
    for (const vessel of VESSELS) expect(text).toContain(vessel);
    expect(text).toContain('pending on disk');
  }, 110_000);
});
