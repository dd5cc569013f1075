import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BootId, GatewayId, LocalDate, VesselId } from '@qt-led/contract';
import { createEmissionsService, fileIssuedReportStore } from '@qt-led/emissions';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { createVesselWorld, createWeather, registrySetup, type VesselWorld } from '@qt-led/gateway';
import {
  BUILT_IN_METHODOLOGY_IDS,
  type FleetResult,
  loadBuiltInMethodology,
  localDateStartMs,
  roundTco2,
} from '@qt-led/jcm';
import type { StoredReading, TelemetryStore } from '@qt-led/store';
import { createSqliteStore } from '@qt-led/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A month of simulated fleet data through the emissions service (issue "JCM emission calculator", done-when
 * 3). The simulator's world model — the same one the gateways read their meters from — is sampled once a
 * minute for every boat of the registry through March 2024, as the firmware would, and stored; the service
 * then reports the month with each methodology. Two things are checked:
 * - the figures are what the simulated world really did: the LED energy the calculator reads off the
 *   registers equals the world's true energy over the month (it knows it to the watt-hour);
 * - every figure re-derives from the intermediates listed beside it, as an analyst would by hand
 *   (docs/jcm.md works one vessel's month this way): sub-period → vessel → fleet, rounded once at the end.
 *
 * The readings bypass MQTT here on purpose: the way from gateway to store is tested end to end elsewhere
 * (fleet-through-ingest, gateway-kill); a month through the live pipeline takes minutes, a month of the
 * world model takes seconds.
 */
const registry = loadFleetRegistry();
const from = '2024-03-01' as LocalDate;
const toExclusive = '2024-04-01' as LocalDate;
const startMs = localDateStartMs(from);
const endMs = localDateStartMs(toExclusive);
const SAMPLE_MS = 60_000;
/** The world starts with every boat in port a month earlier, so March has trips under way at its start. */
const WORLD_START_MS = localDateStartMs('2024-02-01');
const SEED = 20_240_301;

interface SimulatedVessel {
  vesselId: VesselId;
  world: VesselWorld;
  ledKw: number;
  hasFuelMeter: boolean;
}

function sampleReadings(
  v: SimulatedVessel,
  gatewayId: GatewayId,
  fromMs: number,
  toMs: number,
): StoredReading[] {
  const bootId = 'feed0301' as BootId;
  const out: StoredReading[] = [];
  for (let t = fromMs, seq = 0; t < toMs; t += SAMPLE_MS, seq++) {
    const led = v.world.ledMeter(t);
    const fuel = v.hasFuelMeter ? v.world.fuelMeter(t) : undefined;
    const gps = v.world.gps(t);
    const fixed = gps.fix === 'none' ? undefined : gps;
    out.push({
      vesselId: v.vesselId,
      gatewayId,
      bootId,
      seq,
      deviceTimeMs: t,
      receivedAtMs: t + 1_000,
      clockSkewMs: 0,
      timeSource: 'gps',
      ledPowerW: led.powerW,
      ledEnergyKwh: led.energyKwh,
      lampsOn: led.lampsOn,
      ledMeterId: led.meterId,
      fuelRateLph: fuel?.rateLph ?? null,
      fuelTotalL: fuel?.totalL ?? null,
      fix: gps.fix,
      lat: fixed?.lat ?? null,
      lon: fixed?.lon ?? null,
      speedKn: fixed?.speedKn ?? null,
      headingDeg: fixed?.headingDeg ?? null,
    });
  }
  return out;
}

describe('a simulated month of the fleet through the emissions service (March 2024)', () => {
  let dir: string;
  let store: TelemetryStore;
  const vessels: SimulatedVessel[] = [];
  const results = new Map<string, FleetResult>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qtled-month-'));
    store = createSqliteStore({ path: join(dir, 'telemetry.sqlite') });
    const weather = createWeather(SEED);
    for (const vessel of registry.registry.vessels) {
      const version = registry.configOn(vessel.vesselId, from)?.version;
      if (version === undefined) continue;
      const world = createVesselWorld({
        seed: SEED,
        vessel,
        setupAt: registrySetup(registry, vessel.vesselId),
        weather,
        fromMs: WORLD_START_MS,
      });
      const simulated: SimulatedVessel = {
        vesselId: vessel.vesselId,
        world,
        ledKw: (version.ledLamps.count * version.ledLamps.ratedW) / 1000,
        hasFuelMeter: version.fuelMeter !== null,
      };
      vessels.push(simulated);
      // A day either side, so the registers bound the month at its first and last instant.
      await store.writeReadings(
        sampleReadings(simulated, version.gatewayId, startMs - 86_400_000, endMs + 86_400_000),
      );
    }
    const service = createEmissionsService({
      store,
      registry,
      methodologies: new Map(
        BUILT_IN_METHODOLOGY_IDS.map((id) => [id as string, loadBuiltInMethodology(id)]),
      ),
      issued: fileIssuedReportStore(join(dir, 'issued')),
      clock: { now: () => endMs + 86_400_000 },
    });
    for (const methodologyId of BUILT_IN_METHODOLOGY_IDS) {
      results.set(methodologyId, (await service.report({ from, toExclusive, methodologyId })).result);
    }
  }, 600_000);

  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  function result(methodologyId: string): FleetResult {
    const found = results.get(methodologyId);
    if (found === undefined) throw new Error(`no result for ${methodologyId}`);
    return found;
  }

  it('reports every vessel of the registry, each with a complete month of data', () => {
    const electricity = result('qtled-vn006-electricity-ratio');
    expect(electricity.vessels.map((v) => v.vesselId).sort()).toEqual(vessels.map((v) => v.vesselId).sort());
    expect(vessels.length).toBeGreaterThanOrEqual(40);
    for (const v of electricity.vessels) {
      expect(v.status, v.vesselId).toBe('calculated');
      expect(v.completeness.readingsRatio, v.vesselId).toBe(1);
      expect(v.energyRegister.breaks, v.vesselId).toEqual([]);
      expect(v.substitutedEnergyKwh, v.vesselId).toBe(0);
    }
    // The simulated fleet fished: most boats lit their lamps on many nights of the month.
    const fishing = electricity.vessels.filter((v) => v.lampOnHours > 50);
    expect(fishing.length).toBeGreaterThan(vessels.length / 2);
  });

  it('reads off the registers the LED energy the simulated world really used, never more than it', () => {
    const electricity = result('qtled-vn006-electricity-ratio');
    for (const v of electricity.vessels) {
      const sim = vessels.find((s) => s.vesselId === v.vesselId) as SimulatedVessel;
      const trueKwh = sim.world.ledEnergyKwhAt(endMs) - sim.world.ledEnergyKwhAt(startMs);
      // Register readings are once a minute and rounded to 0.01 kWh: at each end of the month the
      // calculator can be off by at most one minute at full load plus the rounding.
      const toleranceKwh = 2 * (sim.ledKw / 60 + 0.01);
      const label = `${v.vesselId}: ${v.energyKwh} kWh read, ${trueKwh} kWh true`;
      expect(v.energyKwh, label).toBeLessThanOrEqual(trueKwh + toleranceKwh);
      // What the calculator leaves out is what its plausibility cap set aside (P_led × LF_max per step):
      // on boats with small LED loads a one-minute step of a register that shows 0.01 kWh can exceed the
      // cap by its last digit. Conservative, and small: under 0.5 % of the month.
      const excluded = v.energyRegister.implausibleExcluded;
      expect(trueKwh - v.energyKwh, label).toBeLessThanOrEqual(toleranceKwh + excluded);
      expect(excluded, label).toBeLessThanOrEqual(0.005 * trueKwh);
    }
    const fleetTrueMwh =
      vessels.reduce((sum, s) => sum + s.world.ledEnergyKwhAt(endMs) - s.world.ledEnergyKwhAt(startMs), 0) /
      1000;
    expect(electricity.fleet.energyMwh).toBeLessThanOrEqual(fleetTrueMwh);
    expect(electricity.fleet.energyMwh).toBeGreaterThan(0.995 * fleetTrueMwh);
  });

  it('re-derives every electricity-route figure by hand from the listed intermediates', () => {
    const electricity = result('qtled-vn006-electricity-ratio');
    let fleetReductions = 0;
    for (const v of electricity.vessels) {
      let vesselReductions = 0;
      let vesselEnergyMwh = 0;
      for (const sub of v.subPeriods) {
        if (sub.route.variant !== 'electricity-rated-power-ratio') throw new Error('wrong route');
        const ef = sub.route.efGenTco2PerMwh;
        expect(sub.pLedKw).toBeCloseTo((sub.ledLampCount * sub.ledLampRatedW) / 1000, 12);
        expect(sub.pRefKw).toBeCloseTo((sub.replacedLampCount * sub.replacedLampRatedW) / 1000, 12);
        expect(sub.powerRatio).toBeCloseTo(sub.pRefKw / sub.pLedKw, 12);
        expect(sub.energyMwh).toBeCloseTo(sub.energyKwh / 1000, 12);
        expect(sub.route.referenceEnergyMwh).toBeCloseTo(sub.energyMwh * sub.powerRatio, 9);
        expect(sub.referenceEmissionsTco2).toBeCloseTo(sub.route.referenceEnergyMwh * ef, 9);
        expect(sub.projectEmissionsTco2).toBeCloseTo(sub.energyMwh * ef, 9);
        expect(sub.emissionReductionsTco2).toBeCloseTo(
          sub.referenceEmissionsTco2 - sub.projectEmissionsTco2,
          9,
        );
        vesselReductions += sub.emissionReductionsTco2;
        vesselEnergyMwh += sub.energyMwh;
      }
      expect(v.emissionReductionsTco2).toBeCloseTo(vesselReductions, 9);
      expect(v.energyMwh).toBeCloseTo(vesselEnergyMwh, 9);
      // LEDs draw less than the lamps they replaced: reductions are never negative.
      expect(v.emissionReductionsTco2).toBeGreaterThanOrEqual(0);
      fleetReductions += v.emissionReductionsTco2;
    }
    expect(electricity.fleet.emissionReductionsTco2).toBeCloseTo(fleetReductions, 9);
    // Rounded once, after the fleet sum (down to whole tonnes by default), never per vessel.
    expect(electricity.fleet.emissionReductionsReportedTco2).toBe(
      roundTco2(electricity.fleet.emissionReductionsTco2, electricity.fleet.rounding),
    );
    expect(electricity.fleet.emissionReductionsReportedTco2).toBe(Math.floor(fleetReductions));
  });

  it('sums every variant the same way and carries the provenance of each', () => {
    for (const methodologyId of BUILT_IN_METHODOLOGY_IDS) {
      const r = result(methodologyId);
      const sum = (pick: (v: FleetResult['vessels'][number]) => number): number =>
        r.vessels.reduce((total, v) => total + pick(v), 0);
      expect(r.fleet.referenceEmissionsTco2, methodologyId).toBeCloseTo(
        sum((v) => v.referenceEmissionsTco2),
        9,
      );
      expect(r.fleet.projectEmissionsTco2, methodologyId).toBeCloseTo(
        sum((v) => v.projectEmissionsTco2),
        9,
      );
      expect(r.fleet.emissionReductionsTco2, methodologyId).toBeCloseTo(
        sum((v) => v.emissionReductionsTco2),
        9,
      );
      expect(r.fleet.energyMwh, methodologyId).toBeCloseTo(
        sum((v) => v.energyMwh),
        9,
      );
      expect(r.fleet.emissionReductionsTco2, methodologyId).toBeGreaterThan(0);
      expect(r.provenance.methodologyId).toBe(methodologyId);
      expect(r.provenance.inputSha256).toMatch(/^[0-9a-f]{64}$/);
    }
    // The three routes read the same registers: the same energy, different reference assumptions.
    const energies = BUILT_IN_METHODOLOGY_IDS.map((id) => result(id).fleet.energyMwh);
    expect(new Set(energies.map((e) => e.toFixed(9))).size).toBe(1);
  });

  it('reads the generator fuel of metered boats off the totaliser as the world burned it', () => {
    const fuelRoute = result('qtled-vn006-fuel-cross-check');
    const metered = vessels.filter((s) => s.hasFuelMeter);
    expect(metered.length).toBeGreaterThan(0);
    for (const sim of metered) {
      const v = fuelRoute.vessels.find((x) => x.vesselId === sim.vesselId);
      const trueL = sim.world.generatorFuelLAt(endMs) - sim.world.generatorFuelLAt(startMs);
      // Idle generator burn and the lamp load: at most a few litres an hour, so a minute at each end.
      expect(Math.abs((v?.fuelL ?? NaN) - trueL), sim.vesselId).toBeLessThanOrEqual(0.5);
    }
  });
});
