import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BootId, GatewayId, LocalDate, MeterId, VesselId } from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { BUILT_IN_METHODOLOGY_IDS, loadBuiltInMethodology, localDateStartMs } from '@qt-led/jcm';
import type { StoredReading } from '@qt-led/store';
import { createSqliteStore } from '@qt-led/store-sqlite';
import { describe, expect, it } from 'vitest';
import { gatherVesselInput, lampOnIntervals } from './gather.js';
import { createEmissionsService, fileIssuedReportStore } from './service.js';

const registry = loadFleetRegistry();
const vessel = registry.registry.vessels[5];
if (vessel === undefined) throw new Error('registry too small');
const vesselId = vessel.vesselId;
const methodologies = new Map(
  BUILT_IN_METHODOLOGY_IDS.map((id) => [id as string, loadBuiltInMethodology(id)]),
);
const from = '2024-03-01' as LocalDate;
const toExclusive = '2024-03-04' as LocalDate;
const startMs = localDateStartMs(from);
const endMs = localDateStartMs(toExclusive);
const boot = 'abcd0001' as BootId;
const meterId = vessel.versions.at(-1)?.meter.meterId ?? null;

/** One reading every 10 minutes from 12 h before the period to 12 h after; lamps lit 18:00–04:00 local. */
function readings(untilMs: number): StoredReading[] {
  const out: StoredReading[] = [];
  let energy = 10_000;
  for (let t = startMs - 12 * 3_600_000, seq = 0; t < untilMs; t += 600_000, seq++) {
    const localHour = new Date(t + 7 * 3_600_000).getUTCHours();
    const lit = localHour >= 18 || localHour < 4;
    out.push({
      vesselId,
      gatewayId: 'gw-0000aaaa' as GatewayId,
      bootId: boot,
      seq,
      deviceTimeMs: t,
      receivedAtMs: t,
      clockSkewMs: 0,
      timeSource: 'gps',
      ledPowerW: lit ? 12_000 : 0,
      ledEnergyKwh: energy,
      lampsOn: lit ? 40 : 0,
      ledMeterId: meterId,
      fuelRateLph: lit ? 6 : 1,
      fuelTotalL: 1_000 + seq,
      fix: '3d',
      lat: 17.2,
      lon: 107.4,
      speedKn: 0,
      headingDeg: 0,
    });
    if (lit) energy += 2; // 12 kW for 10 minutes
  }
  return out;
}

describe('emissions service', () => {
  it('gathers a period from the store, reuses results for identical inputs, recomputes on late data and lists the restatement', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qtled-emissions-'));
    const store = createSqliteStore({ path: join(dir, 'telemetry.sqlite') });
    const all = readings(endMs + 12 * 3_600_000);
    // Day 3 and after arrive late (a gateway out of coverage).
    await store.writeReadings(all.filter((r) => r.deviceTimeMs < startMs + 2 * 86_400_000));
    let now = Date.UTC(2024, 3, 1);
    const service = createEmissionsService({
      store,
      registry,
      methodologies,
      issued: fileIssuedReportStore(join(dir, 'issued')),
      clock: { now: () => now },
    });
    const request = {
      from,
      toExclusive,
      methodologyId: 'qtled-vn006-electricity-ratio',
      vesselIds: [vesselId],
    };

    const first = await service.issue(request);
    expect(first.restatement).toEqual([]);
    const early = first.report.result.vessels[0];
    if (early === undefined) throw new Error('no vessel result');
    expect((await service.report(request)).fromCache).toBe(true);

    await store.writeReadings(all);
    const late = await service.report(request);
    expect(late.fromCache).toBe(false);
    expect(late.result.provenance.inputSha256).not.toBe(first.report.result.provenance.inputSha256);
    const lateVessel = late.result.vessels[0];
    if (lateVessel === undefined) throw new Error('no vessel result');

    // The register proves the whole period's energy now: 3 nights × 10 h × 12 kW.
    const litReadingsInPeriod = all.filter(
      (r) => r.deviceTimeMs >= startMs && r.deviceTimeMs < endMs && r.lampsOn !== 0,
    ).length;
    expect(lateVessel.energyMwh).toBeCloseTo((litReadingsInPeriod * 2) / 1000, 9);
    expect(lateVessel.energyMwh).toBeGreaterThan(early.energyMwh);
    const version = vessel.versions.at(-1);
    if (version === undefined) throw new Error('no version');
    const pRefKw = (version.replacedLamps.count * version.replacedLamps.ratedW) / 1000;
    const pLedKw = (version.ledLamps.count * version.ledLamps.ratedW) / 1000;
    expect(lateVessel.emissionReductionsTco2).toBeCloseTo(
      lateVessel.energyMwh * (pRefKw / pLedKw - 1) * 0.533,
      9,
    );

    const pending = await service.restatements(request);
    expect(pending.issued?.result.provenance.inputSha256).toBe(first.report.result.provenance.inputSha256);
    expect(pending.changes.map((c) => c.path)).toEqual(
      expect.arrayContaining([`vessels[${vesselId}].energyMwh`, 'fleet.energyMwh']),
    );

    now += 86_400_000;
    const second = await service.issue(request);
    expect(second.restatement.find((c) => c.path === 'fleet.energyMwh')).toMatchObject({
      old: early.energyMwh,
      new: lateVessel.energyMwh,
    });
    expect((await service.restatements(request)).changes).toEqual([]);
    await store.close();
  });

  it('takes a meter replacement the gateway reported from the stored events, and loses no energy across it', async () => {
    const truth = readings(endMs + 12 * 3_600_000);
    // The LED meter is replaced on the second night at 20:05 local, between two readings 10 minutes apart.
    const replacedAtMs = startMs + 86_400_000 + 20 * 3_600_000 + 5 * 60_000;
    const k = truth.findLastIndex((r) => r.deviceTimeMs < replacedAtMs);
    const oldClosingKwh = (truth[k]?.ledEnergyKwh ?? 0) + 1; // 12 kW for the 5 minutes up to the swap
    const replaced = truth.map((r, i) =>
      i > k && r.ledEnergyKwh !== null ? { ...r, ledEnergyKwh: r.ledEnergyKwh - oldClosingKwh } : r,
    );
    const request = {
      from,
      toExclusive,
      methodologyId: 'qtled-vn006-electricity-ratio',
      vesselIds: [vesselId],
    };
    const energyMwh = async (withEvent: boolean): Promise<number> => {
      const dir = await mkdtemp(join(tmpdir(), 'qtled-emissions-'));
      const store = createSqliteStore({ path: join(dir, 'telemetry.sqlite') });
      await store.writeReadings(replaced);
      if (withEvent) {
        const gatewayId = 'gw-0000aaaa' as GatewayId;
        await store.writeDeviceMessages([
          {
            kind: 'event',
            vesselId,
            gatewayId,
            bootId: boot,
            atMs: replacedAtMs,
            receivedAtMs: replacedAtMs,
            payload: {
              schema: 'qtled.event/1',
              vesselId,
              gatewayId,
              bootId: boot,
              eventSeq: 1,
              atMs: replacedAtMs,
              event: {
                type: 'meter-replaced',
                sensor: 'led-meter',
                lastRegister: oldClosingKwh,
                firstRegister: 0,
              },
            },
          },
        ]);
      }
      const service = createEmissionsService({
        store,
        registry,
        methodologies,
        issued: fileIssuedReportStore(join(dir, 'issued')),
        clock: { now: () => endMs },
      });
      const vesselResult = (await service.report(request)).result.vessels[0];
      await store.close();
      if (vesselResult === undefined) throw new Error('no vessel result');
      return vesselResult.energyMwh;
    };

    const litReadingsInPeriod = truth.filter(
      (r) => r.deviceTimeMs >= startMs && r.deviceTimeMs < endMs && r.lampsOn !== 0,
    ).length;
    // With the event, both meters' registers are known at the swap: the energy is the whole truth.
    expect(await energyMwh(true)).toBeCloseTo((litReadingsInPeriod * 2) / 1000, 9);
    // Without it, the drop is a reset and the 10 minutes around it are unproven: 2 kWh less, never more.
    expect(await energyMwh(false)).toBeCloseTo((litReadingsInPeriod * 2 - 2) / 1000, 9);
  });

  it('breaks the register where the readings name a different meter, with no meter-replaced event', async () => {
    const truth = readings(endMs + 12 * 3_600_000);
    const oldMeter = meterId;
    if (oldMeter === null) throw new Error('the vessel has no meter in the registry');
    const usedMeter = 'EM24-0777' as MeterId;
    // A used meter is fitted on the second night at 20:05 local, between two readings 10 minutes apart. The
    // old meter read about 1,000 kWh, the used one starts at 5,000: the register rises, and the gateway
    // reports no event; only the serial on the readings tells the meters apart.
    const replacedAtMs = startMs + 86_400_000 + 20 * 3_600_000 + 5 * 60_000;
    const k = truth.findLastIndex((r) => r.deviceTimeMs < replacedAtMs);
    const atSwapKwh = (truth[k]?.ledEnergyKwh ?? 0) + 1; // 12 kW for the 5 minutes up to the swap
    const swapped = truth.map((r, i): StoredReading => {
      const kwh = r.ledEnergyKwh ?? 0;
      return i <= k
        ? { ...r, ledEnergyKwh: kwh - 9_000, ledMeterId: oldMeter }
        : { ...r, ledEnergyKwh: 5_000 + kwh - atSwapKwh, ledMeterId: usedMeter };
    });
    const store = createSqliteStore({ path: ':memory:' });
    await store.writeReadings(swapped);
    const service = createEmissionsService({
      store,
      registry,
      methodologies,
      issued: fileIssuedReportStore(await mkdtemp(join(tmpdir(), 'qtled-issued-'))),
      clock: { now: () => endMs },
    });
    const gathered = await gatherVesselInput(store, registry, vesselId, from, toExclusive);
    // Every energy reading the calculator gets names its meter, the boundary readings too.
    const meters = gathered.energyReadings.map((r) => r.meterId);
    expect(meters.lastIndexOf(oldMeter) + 1).toBe(meters.indexOf(usedMeter));
    expect(meters.every((m) => m === oldMeter || m === usedMeter)).toBe(true);
    expect(gathered.energyReadings[meters.indexOf(usedMeter)]?.atMs).toBe(swapped[k + 1]?.deviceTimeMs);
    const result = (
      await service.report({
        from,
        toExclusive,
        methodologyId: 'qtled-vn006-electricity-ratio',
        vesselIds: [vesselId],
      })
    ).result.vessels[0];
    await store.close();
    if (result === undefined) throw new Error('no vessel result');

    expect(result.energyRegister.breaks).toEqual([
      expect.objectContaining({
        reason: 'meter-id-changed',
        lastBeforeMs: swapped[k]?.deviceTimeMs,
        firstAfterMs: swapped[k + 1]?.deviceTimeMs,
      }),
    ]);
    expect(result.energyRegister.segments.map((s) => s.meterId)).toEqual([oldMeter, usedMeter]);
    // Broken, not bridged and capped as an implausible step.
    expect(result.energyRegister.implausibleSteps).toBe(0);
    const litReadingsInPeriod = truth.filter(
      (r) => r.deviceTimeMs >= startMs && r.deviceTimeMs < endMs && r.lampsOn !== 0,
    ).length;
    // The 10 minutes around the swap are unproven (2 kWh less), and the 4,000 kWh jump is not energy.
    expect(result.energyMwh).toBeCloseTo((litReadingsInPeriod * 2 - 2) / 1000, 9);
  });

  it('reports a period in which a clock stepped back across lost readings, the gap spanning both instants', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    const stepBackMs = 3 * 3_600_000;
    const stepAt = startMs + 86_400_000;
    // Seq 0…n without a hole, except that seq k…k+2 never arrived and the clock read 3 h early after them.
    const original = readings(endMs + 12 * 3_600_000);
    const k = original.findIndex((r) => r.deviceTimeMs >= stepAt);
    const all = original.map((r, i) => (i >= k ? { ...r, deviceTimeMs: r.deviceTimeMs - stepBackMs } : r));
    const kept = all.filter((_, i) => i < k - 3 || i >= k);
    await store.writeReadings(kept);
    const gathered = await gatherVesselInput(store, registry, vesselId, from, toExclusive);
    const before = kept[k - 4] as StoredReading;
    const after = kept[k - 3] as StoredReading;
    expect(after.deviceTimeMs).toBeLessThan(before.deviceTimeMs);
    expect(gathered.dataQuality?.gaps).toEqual([{ fromMs: after.deviceTimeMs, toMs: before.deviceTimeMs }]);
    const service = createEmissionsService({
      store,
      registry,
      methodologies,
      issued: fileIssuedReportStore(await mkdtemp(join(tmpdir(), 'qtled-issued-'))),
      clock: { now: () => Date.UTC(2024, 3, 1) },
    });
    const report = await service.report({
      from,
      toExclusive,
      methodologyId: 'qtled-vn006-electricity-ratio',
      vesselIds: [vesselId],
    });
    expect(report.result.vessels[0]?.vesselId).toBe(vesselId);
  });

  it('refuses unknown vessels and methodologies with the names it knows', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    const service = createEmissionsService({
      store,
      registry,
      methodologies,
      issued: fileIssuedReportStore(await mkdtemp(join(tmpdir(), 'qtled-issued-'))),
      clock: { now: () => 0 },
    });
    await expect(service.report({ from, toExclusive, methodologyId: 'nope' })).rejects.toThrow(
      /unknown methodology "nope"; known: qtled-vn006/,
    );
    await expect(
      service.report({
        from,
        toExclusive,
        methodologyId: 'qtled-vn006-electricity-ratio',
        vesselIds: ['QT-99999-TS' as VesselId],
      }),
    ).rejects.toThrow('not in the fleet registry: QT-99999-TS');
  });

  it('derives lamp-on intervals from consecutive readings, never across an unobserved stretch', () => {
    const base = readings(startMs + 86_400_000).filter((r) => r.deviceTimeMs >= startMs);
    const withHole = base.filter(
      (r) => r.deviceTimeMs < startMs + 13 * 3_600_000 || r.deviceTimeMs >= startMs + 15 * 3_600_000,
    );
    const intervals = lampOnIntervals(withHole, 15 * 60_000);
    // Lit 00:00–04:00 local is before this UTC window's slice; 18:00 local = 11:00 UTC = start + 11 h.
    expect(intervals.every((i) => i.meanLampsOn === 40)).toBe(true);
    const hours = intervals.reduce((sum, i) => sum + (i.toMs - i.fromMs), 0) / 3_600_000;
    expect(hours).toBeGreaterThan(0);
    expect(
      intervals.some((i) => i.fromMs < startMs + 13 * 3_600_000 && i.toMs > startMs + 13 * 3_600_000),
    ).toBe(false);
  });

  it('finds the boundary readings beyond the adjacent days: the first after the period with a register', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    const inside = readings(endMs).filter((r) => r.deviceTimeMs >= startMs);
    const day = 86_400_000;
    // Nothing on the days next to the period; before it one reading 3 days earlier, after it 150 readings
    // without a register (more than the first page asked) from 2 days after, then two with one.
    const [template] = inside as [StoredReading];
    const at = (deviceTimeMs: number, seq: number, register: boolean): StoredReading => ({
      ...template,
      seq,
      deviceTimeMs,
      receivedAtMs: deviceTimeMs,
      ledEnergyKwh: register ? 20_000 + seq : null,
      fuelTotalL: register ? 9_000 + seq : null,
      ledMeterId: register ? template.ledMeterId : null,
    });
    const before = at(startMs - 3 * day, 50_000, true);
    const blind = Array.from({ length: 150 }, (_, i) => at(endMs + 2 * day + i * 60_000, 60_000 + i, false));
    const after = [at(endMs + 3 * day, 70_000, true), at(endMs + 3 * day + 60_000, 70_001, true)];
    await store.writeReadings([before, ...inside, ...blind, ...after]);
    const gathered = await gatherVesselInput(store, registry, vesselId, from, toExclusive);
    expect(gathered.energyReadings[0]?.atMs).toBe(before.deviceTimeMs);
    expect(gathered.energyReadings.at(-1)?.atMs).toBe(after[0]?.deviceTimeMs);
    expect(gathered.energyReadings).toHaveLength(inside.length + 2);

    // Within the first page: the first with a register after ten without one.
    const early = endMs + 2 * day + 10 * 60_000 + 30_000;
    await store.writeReadings([at(early, 65_000, true)]);
    const again = await gatherVesselInput(store, registry, vesselId, from, toExclusive);
    expect(again.energyReadings.at(-1)?.atMs).toBe(early);
    await store.close();
  });
});
