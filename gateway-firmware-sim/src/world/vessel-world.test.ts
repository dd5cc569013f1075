import type { MeterId, VesselId } from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { describe, expect, it } from 'vitest';
import { calibrationChecks } from './calibration.js';
import { isOnLand } from './geo.js';
import { registrySetup } from './registry-setup.js';
import {
  DAY_MS,
  HOUR_MS,
  LOCAL_OFFSET_MS,
  createWeather,
  isBrightNight,
  localDayStartMs,
} from './sky-and-weather.js';
import { type VesselWorld, createVesselWorld, emptyWorldFaults } from './vessel-world.js';

const registry = loadFleetRegistry();
const SEED = 7;
const FROM = Date.UTC(2024, 2, 1) - LOCAL_OFFSET_MS;
const TO = FROM + 30 * DAY_MS;
const weather = createWeather(SEED);

function worldOf(vesselId: string, faults = emptyWorldFaults()): VesselWorld {
  const vessel = registry.registry.vessels.find((v) => v.vesselId === vesselId);
  if (!vessel) throw new Error(vesselId);
  return createVesselWorld({
    seed: SEED,
    vessel,
    setupAt: registrySetup(registry, vessel.vesselId),
    weather,
    fromMs: FROM - 20 * DAY_MS,
    faults,
  });
}

const worlds = registry.registry.vessels.map((v) => worldOf(v.vesselId));

describe('a simulated month of the 40 boats', () => {
  it('keeps every vessel within the published ranges (lamp hours, LED energy, fuel saving)', () => {
    const lines: string[] = [];
    for (const world of worlds) {
      const stats = world.statsBetween(FROM, TO);
      const checks = calibrationChecks(stats);
      lines.push(
        `${stats.vesselId} ${stats.gear} nights ${stats.nights} ${checks.map((c) => c.detail).join('; ')}`,
      );
      expect(
        checks.filter((c) => !c.ok),
        lines.at(-1),
      ).toEqual([]);
      expect(stats.nights).toBeGreaterThanOrEqual(12);
      expect(stats.nights).toBeLessThanOrEqual(26);
    }
  });

  it('lights the lamps after dusk, across local midnight, never on bright nights', () => {
    for (const world of worlds) {
      world.statsBetween(FROM, TO);
      for (const session of world.plan.sessions.filter((s) => s.onMs >= FROM && s.onMs < TO)) {
        const evening = localDayStartMs(session.onMs);
        const localOnHour = (session.onMs - evening) / HOUR_MS;
        expect(localOnHour).toBeGreaterThanOrEqual(18.5);
        expect(localOnHour).toBeLessThanOrEqual(20);
        expect(session.offMs).toBeGreaterThan(evening + DAY_MS); // after local midnight
        expect(isBrightNight(evening)).toBe(false);
        expect(weather.isRough(evening)).toBe(false);
      }
    }
  });

  it('makes multi-day trips for purse seiners and nightly trips for lift-net and squid boats', () => {
    for (const world of worlds) {
      const trips = world.plan.trips.filter(
        (t) => t.departMs >= FROM && t.departMs < TO && t.sessions.length > 0,
      );
      const longest = Math.max(...trips.map((t) => t.arriveMs - t.departMs));
      if (world.vessel.gear === 'purse-seine') expect(longest).toBeGreaterThan(5 * DAY_MS);
      else expect(longest).toBeLessThan(DAY_MS);
    }
  });

  it('never puts a boat on land, and has coverage only near the coast', () => {
    let fixes = 0;
    let covered = 0;
    for (const world of worlds) {
      for (let t = FROM; t < TO; t += 5 * 60_000) {
        const fix = world.gps(t);
        if (fix.fix === 'none') continue;
        fixes += 1;
        expect(isOnLand(fix), `${world.vessel.vesselId} at ${new Date(t).toISOString()}`).toBe(false);
        if (world.inCoverage(t)) covered += 1;
      }
    }
    expect(fixes).toBe(40 * 30 * 288);
    // Boats spend most of their time in port or out of reach at sea.
    expect(covered / fixes).toBeGreaterThan(0.2);
    expect(covered / fixes).toBeLessThan(0.8);
  });

  it('counts energy and fuel on registers that only grow, and a replaced meter starts near zero', () => {
    const replacedAt = FROM + 10 * DAY_MS;
    const faults = emptyWorldFaults();
    faults.meterReplacements.push({
      atMs: replacedAt,
      meter: 'led-meter',
      firstRegister: 0.1,
      meterId: 'EM24-0051' as MeterId,
    });
    const world = worldOf('QT-90375-TS', faults);
    let lastLed = -1;
    let lastFuel = -1;
    for (let t = FROM; t < replacedAt; t += 60_000) {
      const led = world.ledMeter(t);
      const fuel = world.fuelMeter(t);
      expect(led.energyKwh).toBeGreaterThanOrEqual(lastLed);
      expect(fuel.totalL).toBeGreaterThanOrEqual(lastFuel);
      lastLed = led.energyKwh;
      lastFuel = fuel.totalL;
    }
    expect(world.ledMeter(replacedAt).energyKwh).toBeLessThan(1);
    // The registry's meter until the swap, the new one's serial from it on.
    expect(world.ledMeter(replacedAt - 60_000).meterId).toBe(
      registry.configAt('QT-90375-TS' as VesselId, replacedAt)?.version.meter.meterId,
    );
    expect(world.ledMeter(replacedAt).meterId).toBe('EM24-0051');
    const energyTrue = world.ledEnergyKwhAt(FROM + 20 * DAY_MS) - world.ledEnergyKwhAt(replacedAt);
    expect(world.ledMeter(FROM + 20 * DAY_MS).energyKwh).toBeCloseTo(0.1 + energyTrue, 1);
  });

  it('draws less power with lamps failed while the same number is reported on', () => {
    const faults = emptyWorldFaults();
    faults.lampFailures.push({ fromMs: FROM, toMs: TO, lamps: 5 });
    const healthy = worldOf('QT-93295-TS');
    const failing = worldOf('QT-93295-TS', faults);
    healthy.statsBetween(FROM, TO);
    const night = healthy.plan.sessions.find((s) => s.onMs > FROM);
    if (!night) throw new Error('no night');
    const t = night.onMs + 2 * HOUR_MS;
    expect(failing.ledMeter(t).lampsOn).toBe(healthy.ledMeter(t).lampsOn);
    expect(failing.ledMeter(t).powerW).toBeLessThan(healthy.ledMeter(t).powerW * (42.5 / 47));
  });

  it('is the same world for the same seed', () => {
    const a = worldOf('QT-01009-TS');
    const b = worldOf('QT-01009-TS');
    for (let t = FROM; t < FROM + 3 * DAY_MS; t += 17 * 60_000) {
      expect(JSON.stringify([a.ledMeter(t), a.fuelMeter(t), a.gps(t)])).toBe(
        JSON.stringify([b.ledMeter(t), b.fuelMeter(t), b.gps(t)]),
      );
    }
  });
});
