// Trips and nights of a simulated month against the simulator's own plan (its ground truth: when each
// boat left and reached its moorings, when it switched its lamps on and off). The readings are the ones
// the simulated instruments give every 60 s — LED meter, fuel totaliser, GPS — written straight to the
// SQLite store: a month through MQTT would take minutes here (the scenario test covers that path for days).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BootId, GatewayId, VesselId } from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { createFleetSimulation } from '@qt-led/gateway';
import type { StoredReading } from '@qt-led/store';
import { createSqliteStore } from '@qt-led/store-sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { createFleetStatusService } from './service.js';

const registry = loadFleetRegistry();
const MIN = 60_000;
const DAY = 86_400_000;
const START = Date.UTC(2024, 2, 1, 5, 0); // 12:00 local, 1 March 2024
const END = START + 30 * DAY;
const VESSELS = ['QT-96759-TS', 'QT-90145-TS'] as VesselId[]; // a purse seiner and a lift-net boat
const dir = mkdtempSync(join(tmpdir(), 'qtled-fs-month-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a simulated month', () => {
  it(
    'gives the trips and nights the simulator planned, within one sampling interval',
    { timeout: 120_000 },
    async () => {
      const sim = createFleetSimulation({
        seed: 1,
        startMs: START,
        endMs: END,
        vessels: VESSELS,
        registry,
        broker: { url: 'mqtt://127.0.0.1:1' },
        dataDir: dir,
      });
      const store = createSqliteStore({ path: join(dir, 'telemetry.sqlite') });
      for (const v of sim.vessels) {
        const gatewayId = registry.configAt(v.vesselId as VesselId, START)?.version.gatewayId as GatewayId;
        const readings: StoredReading[] = [];
        for (let t = START, seq = 0; t < END; t += MIN, seq += 1) {
          const led = v.world.ledMeter(t);
          const fuel = v.world.fuelMeter(t);
          const gps = v.world.gps(t);
          readings.push({
            vesselId: v.vesselId as VesselId,
            gatewayId,
            bootId: '0a0b0c0d' as BootId,
            seq,
            deviceTimeMs: t,
            receivedAtMs: t + MIN,
            clockSkewMs: 0,
            timeSource: 'gps',
            ledPowerW: led.powerW,
            ledEnergyKwh: led.energyKwh,
            lampsOn: led.lampsOn,
            ledMeterId: led.meterId,
            fuelRateLph: fuel.rateLph,
            fuelTotalL: fuel.totalL,
            fix: gps.fix === 'none' ? 'none' : gps.fix,
            lat: gps.fix === 'none' ? null : gps.lat,
            lon: gps.fix === 'none' ? null : gps.lon,
            speedKn: gps.fix === 'none' ? null : gps.speedKn,
            headingDeg: gps.fix === 'none' ? null : gps.headingDeg,
          });
        }
        await store.writeReadings(readings);
      }
      const service = createFleetStatusService({ store, registry, alarmDbPath: ':memory:' });
      for (const v of sim.vessels) {
        const vesselId = v.vesselId as VesselId;
        const plan = v.world.plan;
        const trips = await service.trips({ vesselId, fromMs: START, toMs: END });
        const nights = await service.nights({ vesselId, fromMs: START, toMs: END });
        const plannedTrips = plan.trips.filter((t) => t.departMs >= START + MIN && t.arriveMs < END - MIN);
        const plannedNights = plan.sessions.filter((s) => s.onMs >= START && s.offMs < END);
        expect(plannedTrips.length, vesselId).toBeGreaterThanOrEqual(1);
        expect(plannedNights.length, vesselId).toBeGreaterThanOrEqual(7);
        // Every trip found is a planned one and every planned one is found: departure, arrival, nights.
        expect(trips.filter((t) => t.arrivedAtMs !== null && t.departedAtMs >= START + MIN)).toHaveLength(
          plannedTrips.length,
        );
        plannedTrips.forEach((planned) => {
          const trip = trips.find((t) => Math.abs(t.departedAtMs - planned.departMs) <= MIN);
          expect(trip, `${vesselId} trip leaving ${new Date(planned.departMs).toISOString()}`).toBeDefined();
          expect(Math.abs((trip?.arrivedAtMs ?? 0) - planned.arriveMs)).toBeLessThanOrEqual(MIN);
          expect(trip?.nightsFished).toBe(planned.sessions.length);
          expect(trip?.ledEnergyKwh).toBeCloseTo(
            v.world.ledEnergyKwhAt(planned.arriveMs) - v.world.ledEnergyKwhAt(planned.departMs),
            0,
          );
        });
        expect(nights).toHaveLength(plannedNights.length);
        plannedNights.forEach((session, i) => {
          const night = nights[i];
          expect(
            Math.abs((night?.startMs ?? 0) - session.onMs),
            `${vesselId} night ${night?.night}`,
          ).toBeLessThanOrEqual(MIN);
          expect(Math.abs((night?.endMs ?? 0) - session.offMs)).toBeLessThanOrEqual(MIN);
          expect(night?.ledEnergyKwh).toBeCloseTo(
            v.world.ledEnergyKwhAt(session.offMs) - v.world.ledEnergyKwhAt(session.onMs),
            0,
          );
        });
      }
      await service.stop();
      await store.close();
    },
  );
});
