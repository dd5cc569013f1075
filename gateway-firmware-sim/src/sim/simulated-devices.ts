import type { Cancel, Clock, DiskInfo, FuelMeter, Gps, LedMeter } from '../firmware/ports.js';
import type { RtcDrift, VesselWorld } from '../world/vessel-world.js';
import type { Timeline } from './timeline.js';

/**
 * The gateway's real-time clock, battery-backed: it keeps running through reboots, drifts (a few ppm
 * normally, far more when its crystal fails), is stepped by the firmware to GPS time, and restarts at
 * 1970-01-01 when its battery is flat and the power goes.
 */
export interface Rtc {
  read(trueMs: number): number;
  set(trueMs: number, deviceMs: number): void;
  /** Battery flat and power lost: the clock starts again from the epoch. */
  reset(trueMs: number): void;
}

export function createRtc(options: {
  startTrueMs: number;
  initialOffsetMs: number;
  baselinePpm: number;
  drifts: readonly RtcDrift[];
}): Rtc {
  let anchorTrue = options.startTrueMs;
  let anchorDevice = options.startTrueMs + options.initialOffsetMs;
  const driftMs = (a: number, b: number): number => {
    let ppmMs = options.baselinePpm * (b - a);
    for (const d of options.drifts) {
      const overlap = Math.min(b, d.toMs) - Math.max(a, d.fromMs);
      if (overlap > 0) ppmMs += d.ppm * overlap;
    }
    return ppmMs / 1e6;
  };
  return {
    read: (t) => anchorDevice + (t - anchorTrue) + driftMs(anchorTrue, t),
    set(t, device) {
      anchorTrue = t;
      anchorDevice = device;
    },
    reset(t) {
      anchorTrue = t;
      anchorDevice = 0;
    },
  };
}

/**
 * The Clock port of one boot of a simulated gateway: the wall clock is the RTC, the monotonic clock and
 * the timers are the vessel's timeline. `cancelAll` is the power switch: a halted boot's timers never fire.
 */
export function simulatedClock(timeline: Timeline, rtc: Rtc): Clock & { cancelAll(): void } {
  const cancels = new Set<Cancel>();
  return {
    wallMs: () => rtc.read(timeline.nowMs),
    setWallMs: (ms) => {
      rtc.set(timeline.nowMs, ms);
    },
    monotonicMs: () => timeline.nowMs,
    setTimer(delayMs, fn) {
      const cancel = timeline.schedule(timeline.nowMs + delayMs, () => {
        cancels.delete(cancel);
        fn();
      });
      cancels.add(cancel);
      return () => {
        cancels.delete(cancel);
        cancel();
      };
    },
    cancelAll() {
      for (const cancel of cancels) cancel();
      cancels.clear();
    },
  };
}

/** The world's instruments behind the gateway's sensor ports, read at the timeline's current instant. */
export function simulatedSensors(
  world: VesselWorld,
  timeline: Timeline,
): { ledMeter: LedMeter; fuelMeter: FuelMeter; gps: Gps } {
  return {
    ledMeter: { read: () => Promise.resolve(world.ledMeter(timeline.nowMs)) },
    fuelMeter: { read: () => Promise.resolve(world.fuelMeter(timeline.nowMs)) },
    gps: { read: () => Promise.resolve(world.gps(timeline.nowMs)) },
  };
}

/**
 * A simulated 8 GB SD card: free space is what the system image leaves, minus the queue. Deterministic,
 * unlike the free space of the machine that runs the simulation.
 */
export function simulatedDisk(queueBytes: () => number): DiskInfo {
  const CARD_BYTES = 8_000_000_000;
  const SYSTEM_BYTES = 1_900_000_000;
  return { freeBytes: () => CARD_BYTES - SYSTEM_BYTES - queueBytes() };
}
