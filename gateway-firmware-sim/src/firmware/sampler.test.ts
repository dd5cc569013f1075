import { type DeviceEventBody, Reading } from '@qt-led/contract';
import { afterEach, describe, expect, it } from 'vitest';
import {
  T0,
  bootOnTempQueue,
  cleanUpParts,
  newTimeline,
  recordingLogger,
  runTo,
  timelineClock,
} from '../../test/part-rig.js';
import { createActivity } from './activity.js';
import { DEFAULT_TUNING } from './firmware-build.js';
import { wallNowMs } from './gateway-state.js';
import type { GpsFix } from './ports.js';
import { type MeterRegisters, createSampler } from './sampler.js';

afterEach(cleanUpParts);

const MINUTE = 60_000;

function rig(options: { previousRegisters?: MeterRegisters; fuelMeter?: boolean } = {}) {
  const timeline = newTimeline();
  const clock = timelineClock(timeline);
  const boot = bootOnTempQueue();
  const world = {
    energyKwh: 100,
    meterId: 'EM17-7360' as string | undefined,
    totalL: 500,
    ledFails: false,
    gps: { fix: '3d', lat: 17.2, lon: 107.5, speedKn: 0, headingDeg: 0 } as GpsFix,
    gpsTime: true,
    freeBytes: 5e9,
  };
  const events: DeviceEventBody[] = [];
  let stored = 0;
  let stopped = false;
  const log = recordingLogger();
  const sampler = createSampler({
    boot,
    clock,
    ledMeter: {
      read: () =>
        world.ledFails
          ? Promise.reject(new Error('Modbus timeout'))
          : Promise.resolve({
              powerW: 6000,
              energyKwh: world.energyKwh,
              lampsOn: 24,
              ...(world.meterId === undefined ? {} : { meterId: world.meterId }),
            }),
    },
    fuelMeter:
      options.fuelMeter === false
        ? undefined
        : { read: () => Promise.resolve({ rateLph: 4, totalL: world.totalL }) },
    gps: {
      read: () =>
        Promise.resolve(
          world.gps.fix !== 'none' && world.gpsTime ? { ...world.gps, timeMs: timeline.nowMs } : world.gps,
        ),
    },
    disk: { freeBytes: () => world.freeBytes },
    tuning: DEFAULT_TUNING,
    previousRegisters: options.previousRegisters ?? {},
    isStopped: () => stopped,
    emitEvent: (event) => events.push(event),
    onStored: () => {
      stored += 1;
    },
    activity: createActivity({ isStopped: () => stopped, log }),
    wallNowMs: () => wallNowMs(clock),
    log,
  });
  const readings = (): Reading[] =>
    boot.queue
      .readingsBetween(0, Number.MAX_SAFE_INTEGER, 10_000)
      .map((q) => Reading.parse(JSON.parse(q.body)));
  return {
    timeline,
    clock,
    boot,
    world,
    events,
    sampler,
    readings,
    log,
    stored: () => stored,
    stop: () => {
      stopped = true;
    },
  };
}

describe('the sampler', () => {
  it('takes a reading every interval, the first at once, each stored valid and announced', async () => {
    const r = rig();
    r.sampler.schedule(MINUTE, 0);
    await runTo(r.timeline, T0 + 5 * MINUTE);
    const readings = r.readings();
    expect(readings.map((x) => x.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(readings.map((x) => x.deviceTimeMs)).toEqual([0, 1, 2, 3, 4, 5].map((i) => T0 + i * MINUTE));
    expect(readings[0]).toMatchObject({
      timeSource: 'gps',
      led: { energyKwh: 100 },
      fuel: { totalL: 500 },
      position: { fix: '3d', lat: 17.2 },
    });
    expect(r.stored()).toBe(6);
    expect(r.sampler.counts()).toEqual({ sampled: 6, evicted: 0 });
    expect(r.events).toEqual([]);
  });

  it('reschedules at a new interval and stops when cancelled', async () => {
    const r = rig();
    r.sampler.schedule(MINUTE, 0);
    await runTo(r.timeline, T0 + MINUTE);
    r.sampler.schedule(10 * MINUTE);
    await runTo(r.timeline, T0 + 21 * MINUTE);
    expect(r.readings().map((x) => x.deviceTimeMs - T0)).toEqual([0, MINUTE, 11 * MINUTE, 21 * MINUTE]);
    r.sampler.cancel();
    await runTo(r.timeline, T0 + 60 * MINUTE);
    expect(r.readings()).toHaveLength(4);
  });

  it('reports a meter that stops answering once, keeps sampling the others, and reports it back', async () => {
    const r = rig();
    r.world.ledFails = true;
    r.sampler.schedule(MINUTE, 0);
    await runTo(r.timeline, T0 + 2 * MINUTE);
    r.world.ledFails = false;
    await runTo(r.timeline, T0 + 3 * MINUTE);
    expect(r.events).toEqual([
      { type: 'sensor-fault', sensor: 'led-meter', detail: 'Modbus timeout' },
      { type: 'sensor-recovered', sensor: 'led-meter' },
    ]);
    const readings = r.readings();
    expect(readings.slice(0, 3).every((x) => x.led === undefined && x.fuel !== undefined)).toBe(true);
    expect(readings[3]?.led).toBeDefined();
  });

  it('notices a replaced meter, also against the registers the previous boot saved', async () => {
    const r = rig({ previousRegisters: { led: 20_000, fuel: 500 } });
    r.sampler.schedule(MINUTE, 0);
    await runTo(r.timeline, T0);
    r.world.totalL = 0.2;
    await runTo(r.timeline, T0 + MINUTE);
    expect(r.events).toEqual([
      { type: 'meter-replaced', sensor: 'led-meter', lastRegister: 20_000, firstRegister: 100 },
      { type: 'meter-replaced', sensor: 'fuel-meter', lastRegister: 500, firstRegister: 0.2 },
    ]);
  });

  it("names the LED meter on each reading, a used replacement's from its first, without a serial it cannot take", async () => {
    const r = rig();
    r.sampler.schedule(MINUTE, 0);
    await runTo(r.timeline, T0 + MINUTE);
    // A used meter with a higher register: no drop, no event; its serial says it is another meter.
    r.world.meterId = 'EM21-0456';
    r.world.energyKwh = 5_000;
    await runTo(r.timeline, T0 + 2 * MINUTE);
    r.world.meterId = 'meter #7';
    await runTo(r.timeline, T0 + 4 * MINUTE);
    r.world.meterId = undefined;
    await runTo(r.timeline, T0 + 5 * MINUTE);
    expect(r.readings().map((x) => [x.led?.energyKwh, x.led?.meterId])).toEqual([
      [100, 'EM17-7360'],
      [100, 'EM17-7360'],
      [5_000, 'EM21-0456'],
      [5_000, undefined],
      [5_000, undefined],
      [5_000, undefined],
    ]);
    expect(r.events).toEqual([]);
    expect(r.log.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  it('steps a wrong wall clock to GPS time, and stamps readings rtc while it has no GPS time', async () => {
    const r = rig({ fuelMeter: false });
    r.clock.offsetMs = -T0; // the RTC restarted at 1970
    r.world.gps = { fix: 'none' };
    r.sampler.schedule(MINUTE, 0);
    await runTo(r.timeline, T0 + 6 * MINUTE);
    r.world.gps = { fix: '3d', lat: 17.2, lon: 107.5, speedKn: 3, headingDeg: 90, satellites: 9 };
    await runTo(r.timeline, T0 + 7 * MINUTE);
    expect(r.clock.offsetMs).toBe(0);
    expect(r.events.map((e) => e.type)).toEqual(['sensor-fault', 'clock-adjusted', 'sensor-recovered']);
    expect(r.events[0]).toMatchObject({ sensor: 'gps', detail: 'no fix for 300 s' });
    const readings = r.readings();
    expect(readings[0]).toMatchObject({ timeSource: 'rtc', deviceTimeMs: 0, position: { fix: 'none' } });
    expect(readings.at(-1)).toMatchObject({
      timeSource: 'gps',
      deviceTimeMs: T0 + 7 * MINUTE,
      position: { fix: '3d', satellites: 9 },
    });
    expect(readings.every((x) => x.fuel === undefined)).toBe(true);
  });

  it('drops the oldest readings when the disk is nearly full, saying so once per episode', async () => {
    const r = rig();
    r.sampler.schedule(MINUTE, 0);
    await runTo(r.timeline, T0 + 199 * MINUTE);
    r.world.freeBytes = DEFAULT_TUNING.minFreeDiskBytes - 1;
    await runTo(r.timeline, T0 + 201 * MINUTE);
    // Two readings taken under pressure: 100 oldest dropped after each.
    expect(r.sampler.counts()).toEqual({ sampled: 202, evicted: 200 });
    expect(r.readings()[0]?.seq).toBe(200);
    expect(r.events).toEqual([{ type: 'queue-pressure', depth: 101, diskFreeBytes: 52_428_799 }]);
    expect(r.log.lines.filter((l) => l.level === 'warn')).toHaveLength(2);
  });

  it('takes nothing once the gateway stopped', async () => {
    const r = rig();
    r.sampler.schedule(MINUTE, 0);
    await runTo(r.timeline, T0);
    r.stop();
    await runTo(r.timeline, T0 + 10 * MINUTE);
    expect(r.readings()).toHaveLength(1);
  });
});
