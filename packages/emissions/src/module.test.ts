import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BootId, LocalDate, VesselId } from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import {
  BUILT_IN_METHODOLOGY_IDS,
  canonicalJson,
  JcmError,
  loadBuiltInMethodology,
  localDateStartMs,
} from '@qt-led/jcm';
import type { StoredReading, TelemetryStore } from '@qt-led/store';
import { createSqliteStore } from '@qt-led/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmissionsModule, type EmissionsModule } from './module.js';
import { fiveMinuteReadings } from './readings.fixture.js';
import { createEmissionsService } from './service.js';

const registry = loadFleetRegistry();
const vessels = registry.registry.vessels.slice(0, 3).map((v) => v.vesselId);
const from = '2024-03-01' as LocalDate;
const toExclusive = '2024-03-08' as LocalDate;
const startMs = localDateStartMs(from);
const endMs = localDateStartMs(toExclusive);
const methodologyId = 'qtled-vn006-electricity-ratio';

/** One reading every 5 minutes from a day before the period to `untilMs`; lamps lit 18:00–04:00. */
const readings = (vesselId: VesselId, index: number, untilMs: number): StoredReading[] =>
  fiveMinuteReadings(registry, vesselId, index, startMs - 86_400_000, untilMs);

describe('the emissions module: reports computed in worker threads', () => {
  let dir: string;
  let store: TelemetryStore;
  let module: EmissionsModule;
  const later = (vesselId: VesselId, i: number) =>
    readings(vesselId, i, endMs + 86_400_000).filter((r) => r.deviceTimeMs >= startMs + 5 * 86_400_000);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qtled-emissions-module-'));
    const path = join(dir, 'telemetry.sqlite');
    store = createSqliteStore({ path });
    // The last days of the period arrive late (a boat out of coverage).
    for (const [i, vesselId] of vessels.entries()) {
      await store.writeReadings(
        readings(vesselId, i, endMs + 86_400_000).filter((r) => r.deviceTimeMs < startMs + 5 * 86_400_000),
      );
    }
    module = createEmissionsModule(
      { issuedReportsDir: join(dir, 'issued'), store: { kind: 'sqlite', path } },
      { store, registry, clock: { now: () => endMs } },
    );
    await module.start();
  });
  afterAll(async () => {
    await module.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the bytes the calculation in this thread gives, caches them, and recomputes on late data', async () => {
    const request = { from, toExclusive, methodologyId, vesselIds: vessels };
    const inThread = createEmissionsService({
      store,
      registry,
      methodologies: new Map(
        BUILT_IN_METHODOLOGY_IDS.map((id) => [id as string, loadBuiltInMethodology(id)]),
      ),
      issued: { get: () => Promise.resolve(undefined), put: () => Promise.resolve() },
      clock: { now: () => endMs },
    });

    const first = await module.service.report(request);
    expect(first.fromCache).toBe(false);
    expect(canonicalJson(first.result)).toBe(canonicalJson((await inThread.report(request)).result));
    const again = await module.service.report(request);
    expect(again.fromCache).toBe(true);
    expect(again.result).toBe(first.result);

    for (const [i, vesselId] of vessels.entries()) await store.writeReadings(later(vesselId, i));
    const late = await module.service.report(request);
    expect(late.fromCache).toBe(false);
    expect(late.result.provenance.inputSha256).not.toBe(first.result.provenance.inputSha256);
    expect(late.result.fleet.energyMwh).toBeGreaterThan(first.result.fleet.energyMwh);
    expect(canonicalJson(late.result)).toBe(canonicalJson((await inThread.report(request)).result));
  });

  it('issues and lists restatements through the workers', async () => {
    const request = { from, toExclusive, methodologyId: 'qtled-vn006-rated-power-hours', vesselIds: vessels };
    const issued = await module.service.issue(request);
    expect(issued.restatement).toEqual([]);
    expect((await module.service.restatements(request)).changes).toEqual([]);
  });

  it('hands the calculator’s refusal back as a JcmError, and refuses unknown vessels before any work', async () => {
    // A register below zero cannot be calculated: the calculator says where, the API answers 422.
    const [bad] = readings(vessels[0] as VesselId, 0, startMs - 86_400_000 + 600_000).map((r) => ({
      ...r,
      bootId: 'bad00001' as BootId,
      deviceTimeMs: localDateStartMs('2024-05-02'),
      ledEnergyKwh: -5,
    }));
    await store.writeReadings([bad as StoredReading]);
    const refused = module.service.report({
      from: '2024-05-01',
      toExclusive: '2024-05-04',
      methodologyId,
      vesselIds: [vessels[0] as VesselId],
    });
    await expect(refused).rejects.toBeInstanceOf(JcmError);
    await expect(refused).rejects.toMatchObject({
      code: 'JCM_INPUT_INVALID',
      problems: [expect.objectContaining({ message: expect.stringMatching(/register -5/) as unknown })],
    });
    await expect(
      module.service.report({ from, toExclusive, methodologyId, vesselIds: ['QT-99999-TS' as VesselId] }),
    ).rejects.toThrow('not in the fleet registry: QT-99999-TS');
  });
});
