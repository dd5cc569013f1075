import { type DeviceEventBody, MeterId, type Reading, Reading as ReadingSchema } from '@qt-led/contract';
import type { Activity } from './activity.js';
import type { GatewayTuning } from './firmware-build.js';
import { type BootContext, errorMessage } from './gateway-state.js';
import type { Cancel, Clock, DiskInfo, FuelMeter, GatewayLogger, Gps, GpsFix, LedMeter } from './ports.js';

type SensorName = 'led-meter' | 'fuel-meter' | 'gps';

/** The cumulative meter registers last read, saved with every reading to be compared across a reboot. */
export interface MeterRegisters {
  led?: number;
  fuel?: number;
}

/**
 * Reads the sensor ports every sampling interval and appends the reading to the disk queue. On the way it
 * disciplines the wall clock from GPS time, reports sensors that fail and recover and meters replaced
 * (a register that drops), and, when the disk is nearly full, drops the oldest readings. Each LED reading
 * names the meter it was read from, as the meter reports its serial: a replacement meter is told from the
 * old one even when its register does not drop (a used meter), and no event is needed for that.
 */
export interface Sampler {
  /** (Re)starts sampling every `periodMs`, the first reading after `firstDelayMs` (default a period). */
  schedule(periodMs: number, firstDelayMs?: number): void;
  cancel(): void;
  counts(): { readonly sampled: number; readonly evicted: number };
}

export interface SamplerDeps {
  boot: BootContext;
  clock: Clock;
  ledMeter: LedMeter;
  /** Absent on boats without a fuel totaliser. */
  fuelMeter?: FuelMeter | undefined;
  gps: Gps;
  disk: DiskInfo;
  tuning: Pick<GatewayTuning, 'clockStepThresholdMs' | 'gpsFaultAfterS' | 'minFreeDiskBytes'>;
  /** The registers the previous boot saw last, to notice a meter replaced while powered off. */
  previousRegisters: MeterRegisters;
  isStopped: () => boolean;
  emitEvent: (event: DeviceEventBody) => void;
  /** A reading was stored: the uploader may send it. */
  onStored: () => void;
  activity: Pick<Activity, 'run'>;
  wallNowMs: () => number;
  log: GatewayLogger;
}

export function createSampler(deps: SamplerDeps): Sampler {
  const { boot, clock, tuning, emitEvent } = deps;
  const health = createSensorHealth(emitEvent);
  const diskWatch = createDiskWatch(deps);
  let registers: MeterRegisters = { ...deps.previousRegisters };
  let noFixSinceMono: number | undefined;
  let lastTimeCheckMono: number | undefined;
  let sampled = 0;
  let timer: Cancel | undefined;
  let refusedSerial: string | undefined;

  const disciplineClock = (fix: GpsFix, mono: number): void => {
    if (fix.fix === 'none' || fix.timeMs === undefined) return;
    const wall = clock.wallMs();
    if (Math.abs(fix.timeMs - wall) > tuning.clockStepThresholdMs) {
      clock.setWallMs(fix.timeMs);
      emitEvent({
        type: 'clock-adjusted',
        fromMs: Math.round(wall),
        toMs: Math.max(0, Math.round(fix.timeMs)),
        source: 'gps',
      });
    }
    lastTimeCheckMono = mono;
  };

  const positionFrom = (gps: PromiseSettledResult<GpsFix>, mono: number): Reading['position'] => {
    if (gps.status === 'rejected') {
      health.failed('gps', errorMessage(gps.reason));
      return undefined;
    }
    const fix = gps.value;
    disciplineClock(fix, mono);
    if (fix.fix !== 'none') {
      noFixSinceMono = undefined;
      health.works('gps');
      return positionOf(fix);
    }
    noFixSinceMono ??= mono;
    if (mono - noFixSinceMono >= tuning.gpsFaultAfterS * 1000) {
      health.failed('gps', `no fix for ${Math.round((mono - noFixSinceMono) / 1000)} s`);
    }
    return { fix: 'none' };
  };

  /** A meter's sample, or undefined when it failed; notices a register that went back (a new meter). */
  const meterSample = <T extends object>(
    sensor: 'led-meter' | 'fuel-meter',
    result: PromiseSettledResult<T | undefined>,
    register: (sample: T) => number,
  ): T | undefined => {
    if (result.status === 'rejected') {
      health.failed(sensor, errorMessage(result.reason));
      return undefined;
    }
    const value = result.value;
    // No totaliser fitted: nothing to read, which is no fault.
    if (value === undefined) return undefined;
    health.works(sensor);
    const last = sensor === 'led-meter' ? registers.led : registers.fuel;
    const now = register(value);
    if (last !== undefined && now < last - 0.5) {
      emitEvent({ type: 'meter-replaced', sensor, lastRegister: last, firstRegister: now });
    }
    return value;
  };

  /** The LED sample as the contract takes it: a serial it would refuse is left out, the register kept. */
  const ledWithSerial = (
    sample: Awaited<ReturnType<LedMeter['read']>> | undefined,
  ): Reading['led'] | undefined => {
    if (sample === undefined) return undefined;
    const { meterId, ...rest } = sample;
    if (meterId === undefined) return rest;
    const serial = MeterId.safeParse(meterId);
    if (serial.success) return { ...rest, meterId: serial.data };
    if (refusedSerial !== meterId) {
      refusedSerial = meterId;
      deps.log.warn({ meterId }, 'LED meter serial is not a meter id; readings are stored without it');
    }
    return rest;
  };

  const sample = async (): Promise<void> => {
    const mono = clock.monotonicMs();
    const [led, fuel, gps] = await Promise.allSettled([
      deps.ledMeter.read(),
      deps.fuelMeter ? deps.fuelMeter.read() : Promise.resolve(undefined),
      deps.gps.read(),
    ]);
    if (deps.isStopped()) return;
    const position = positionFrom(gps, mono);
    const ledSample = ledWithSerial(meterSample('led-meter', led, (s) => s.energyKwh));
    const fuelSample = meterSample('fuel-meter', fuel, (s) => s.totalL);
    if (!ledSample && !fuelSample && !position) return;
    store(
      mono,
      { ...(ledSample ? { led: ledSample } : {}), ...(fuelSample ? { fuel: fuelSample } : {}) },
      position,
    );
  };

  const store = (
    mono: number,
    meters: Pick<Reading, 'led' | 'fuel'>,
    position: Reading['position'],
  ): void => {
    const deviceTimeMs = deps.wallNowMs();
    const timeSource =
      lastTimeCheckMono !== undefined && mono - lastTimeCheckMono <= 3_600_000
        ? ('gps' as const)
        : ('rtc' as const);
    const led = meters.led?.energyKwh ?? registers.led;
    const fuel = meters.fuel?.totalL ?? registers.fuel;
    registers = { ...(led === undefined ? {} : { led }), ...(fuel === undefined ? {} : { fuel }) };
    boot.queue.appendReading(
      boot.ordinal,
      mono,
      (seq) => {
        const reading = {
          vesselId: boot.vesselId,
          bootId: boot.bootId,
          seq,
          deviceTimeMs,
          timeSource,
          ...meters,
          ...(position ? { position } : {}),
        };
        // Validated when taken, so that nothing on disk can ever fail the contract when it is sent.
        const checked = ReadingSchema.safeParse(reading);
        if (!checked.success) throw new Error(`invalid reading: ${checked.error.message}`);
        return { deviceTimeMs, body: JSON.stringify(reading) };
      },
      { registers },
    );
    sampled += 1;
    diskWatch.check();
    deps.onStored();
  };

  return {
    schedule(periodMs, firstDelayMs = periodMs) {
      timer?.();
      const tick = (): void => {
        if (deps.isStopped()) return;
        timer = clock.setTimer(periodMs, tick);
        deps.activity.run(sample);
      };
      timer = clock.setTimer(firstDelayMs, tick);
    },
    cancel() {
      timer?.();
    },
    counts: () => ({ sampled, evicted: diskWatch.evicted() }),
  };
}

function positionOf(fix: Exclude<GpsFix, { fix: 'none' }>): Reading['position'] {
  return {
    fix: fix.fix,
    lat: fix.lat,
    lon: fix.lon,
    speedKn: fix.speedKn,
    headingDeg: fix.headingDeg,
    ...(fix.satellites === undefined ? {} : { satellites: fix.satellites }),
    ...(fix.hdop === undefined ? {} : { hdop: fix.hdop }),
  };
}

/** One `sensor-fault` when a sensor stops answering, one `sensor-recovered` when it is back. */
function createSensorHealth(emitEvent: (event: DeviceEventBody) => void): {
  failed(sensor: SensorName, detail: string): void;
  works(sensor: SensorName): void;
} {
  const faulty = new Set<SensorName>();
  return {
    failed(sensor, detail) {
      if (faulty.has(sensor)) return;
      faulty.add(sensor);
      emitEvent({ type: 'sensor-fault', sensor, detail: detail.slice(0, 500) });
    },
    works(sensor) {
      if (!faulty.delete(sensor)) return;
      emitEvent({ type: 'sensor-recovered', sensor });
    },
  };
}

/**
 * Below the free-disk floor the oldest readings are dropped, and sampling goes on: the newest readings
 * matter most, and the registers carry the energy across the gap. One `queue-pressure` event per episode.
 */
function createDiskWatch(deps: Pick<SamplerDeps, 'boot' | 'disk' | 'tuning' | 'emitEvent' | 'log'>): {
  check(): void;
  evicted(): number;
} {
  const { queue } = deps.boot;
  const floor = deps.tuning.minFreeDiskBytes;
  let pressure = false;
  let evicted = 0;
  return {
    check() {
      const free = deps.disk.freeBytes();
      if (free >= floor) {
        if (free > 2 * floor) pressure = false;
        return;
      }
      const dropped = queue.evictOldest(Math.max(100, Math.ceil(queue.depth() / 100)));
      evicted += dropped;
      if (!pressure) {
        pressure = true;
        deps.emitEvent({ type: 'queue-pressure', depth: queue.depth(), diskFreeBytes: Math.floor(free) });
      }
      deps.log.warn({ evicted: dropped, free }, 'disk nearly full: oldest readings dropped');
    },
    evicted: () => evicted,
  };
}
