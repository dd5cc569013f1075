import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BootId, LocalDate, VesselId } from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import {
  BUILT_IN_METHODOLOGY_IDS,
  CALCULATOR_VERSION,
  canonicalJson,
  type FleetResult,
  loadBuiltInMethodology,
  localDateStartMs,
} from '@qt-led/jcm';
import { createLogger } from '@qt-led/runtime';
import type { StoredReading, TelemetryStore } from '@qt-led/store';
import { createSqliteStore } from '@qt-led/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openVesselDayArchive, storeIdentity } from './day-archive.js';
import { createEmissionsModule, type EmissionsModuleConfig } from './module.js';
import { createEmissionsService, fileResultArchive } from './service.js';
import { fiveMinuteReadings } from './readings.fixture.js';
import { createVesselDayCache, DAY_MS, readVesselDay, type VesselDay } from './vessel-days.js';

const registry = loadFleetRegistry();
const vessels = registry.registry.vessels.slice(0, 3).map((v) => v.vesselId);
const from = '2024-03-01' as LocalDate;
const toExclusive = '2024-03-06' as LocalDate;
const startMs = localDateStartMs(from);
const endMs = localDateStartMs(toExclusive);
const methodologyId = 'qtled-vn006-electricity-ratio';
const methodologies = new Map(
  BUILT_IN_METHODOLOGY_IDS.map((id) => [id as string, loadBuiltInMethodology(id)]),
);

/**
 * A reading every 5 minutes from a day before the period to a day after, lamps lit 18:00–04:00 local, with
 * what a day's columns must carry through the archive: a reboot on the third day, no lamp count while the
 * lamps are off (NaN), no meter named before the period (−1), a fuel register on every other reading.
 */
function readings(vesselId: VesselId, index: number): StoredReading[] {
  return fiveMinuteReadings(registry, vesselId, index, startMs - DAY_MS, endMs + DAY_MS).map((r) => ({
    ...r,
    bootId: (r.deviceTimeMs < startMs + 2 * DAY_MS ? r.bootId : `bcde000${index}`) as BootId,
    lampsOn: r.lampsOn === 0 ? null : r.lampsOn,
    ledMeterId: r.deviceTimeMs < startMs ? null : r.ledMeterId,
    fuelTotalL: r.seq % 2 === 0 ? 1_000 + r.seq : null,
  }));
}

describe('emissions kept on disk across restarts', () => {
  let dir: string;
  let path: string;
  let store: TelemetryStore;
  const all = vessels.map((vesselId, i) => readings(vesselId, i));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qtled-emissions-archives-'));
    path = join(dir, 'telemetry.sqlite');
    store = createSqliteStore({ path });
    // The last day of the period is still out at sea: it arrives later.
    for (const list of all) await store.writeReadings(list.filter((r) => r.deviceTimeMs < endMs - DAY_MS));
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const config = (): EmissionsModuleConfig => ({
    issuedReportsDir: join(dir, 'issued'),
    store: { kind: 'sqlite', path },
    vesselDayArchivePath: join(dir, 'emissions', 'vessel-days.sqlite'),
    resultArchiveDir: join(dir, 'emissions', 'results'),
  });
  const inThread = () =>
    createEmissionsService({
      store,
      registry,
      methodologies,
      issued: { get: () => Promise.resolve(undefined), put: () => Promise.resolve() },
      clock: { now: () => endMs },
    });
  /** One report from a module started for it and stopped after: a process's life. */
  async function reportInANewProcess() {
    const module = createEmissionsModule(config(), { store, registry, clock: { now: () => endMs } });
    await module.start();
    try {
      return await module.service.report({ from, toExclusive, methodologyId, vesselIds: vessels });
    } finally {
      await module.stop();
    }
  }

  it('a restarted process answers from the result archive, recalculates from archived days, and late data still counts', async () => {
    const first = await reportInANewProcess();
    expect(first.fromCache).toBe(false);
    const expected = canonicalJson(
      (await inThread().report({ from, toExclusive, methodologyId, vesselIds: vessels })).result,
    );
    expect(canonicalJson(first.result)).toBe(expected);

    const restarted = await reportInANewProcess();
    expect(restarted.fromCache).toBe(true);
    expect(canonicalJson(restarted.result)).toBe(expected);

    // Without the result, the days come from the archive: the same bytes.
    await rm(join(dir, 'emissions', 'results'), { recursive: true, force: true });
    const recalculated = await reportInANewProcess();
    expect(recalculated.fromCache).toBe(false);
    expect(canonicalJson(recalculated.result)).toBe(expected);

    // The last day arrives: the archived day no longer matches the store's count and is read again.
    for (const list of all) await store.writeReadings(list.filter((r) => r.deviceTimeMs >= endMs - DAY_MS));
    const late = await reportInANewProcess();
    expect(late.fromCache).toBe(false);
    expect(late.result.provenance.inputSha256).not.toBe(first.result.provenance.inputSha256);
    expect(late.result.fleet.energyMwh).toBeGreaterThan(first.result.fleet.energyMwh);
    expect(canonicalJson(late.result)).toBe(
      canonicalJson(
        (await inThread().report({ from, toExclusive, methodologyId, vesselIds: vessels })).result,
      ),
    );
  });

  it('archived vessel-days are the days read from the store, and a new cache reads none of them again', async () => {
    const archivePath = join(dir, 'days-only.sqlite');
    const identity = storeIdentity({ kind: 'sqlite', path });
    const vesselId = vessels[0] as VesselId;
    const archive = openVesselDayArchive({ path: archivePath, storeIdentity: identity });
    const cold = createVesselDayCache(store, 64 << 20, archive);
    const days = await cold.days(vesselId, startMs - DAY_MS, 7);
    expect(cold.stats).toMatchObject({ reads: 7, archived: 0 });
    archive.close();

    const reopened = openVesselDayArchive({ path: archivePath, storeIdentity: identity });
    const warm = createVesselDayCache(store, 64 << 20, reopened);
    const again = await warm.days(vesselId, startMs - DAY_MS, 7);
    expect(warm.stats).toMatchObject({ reads: 0, archived: 7, hits: 7 });
    for (const [i, day] of again.entries()) {
      const read = await readVesselDay(store, vesselId, startMs + (i - 1) * DAY_MS);
      expect(day.digest.equals(read.digest)).toBe(true);
      expect(day.digest.equals((days[i] as typeof day).digest)).toBe(true);
      expect([...day.ledEnergyKwh]).toEqual([...read.ledEnergyKwh]); // NaN where none
      expect([...day.lampsOn]).toEqual([...read.lampsOn]);
      expect([...day.meter]).toEqual([...read.meter]);
      expect(day.boots).toEqual(read.boots);
      expect(day.meters).toEqual(read.meters);
    }
    reopened.close();

    // Another store under the same archive: nothing of the first store's is lent to it.
    const other = openVesselDayArchive({ path: archivePath, storeIdentity: `${identity} (another)` });
    expect(other.get(vesselId, [startMs]).size).toBe(0);
    expect(other.stats.bytes).toBe(0);
    other.close();
  });

  it('keeps the archive within its size, dropping the least recently used days first', async () => {
    const vesselId = vessels[1] as VesselId;
    const day = await readVesselDay(store, vesselId, startMs);
    const dayBytes = day.bytes - 200;
    let now = 1_000_000_000;
    const archive = openVesselDayArchive({
      path: join(dir, 'small.sqlite'),
      storeIdentity: 'test',
      maxBytes: 2.5 * dayBytes,
      clock: { now: () => now },
    });
    const [a, b, c] = (await Promise.all(
      [0, 1, 2].map((k) => readVesselDay(store, vesselId, startMs + k * DAY_MS)),
    )) as [VesselDay, VesselDay, VesselDay];
    archive.record([a, b], []);
    now += 2 * 3_600_000;
    archive.record([], [a]); // a used later than b
    now += 2 * 3_600_000;
    archive.record([c], []);
    const kept = archive.get(vesselId, [startMs, startMs + DAY_MS, startMs + 2 * DAY_MS]);
    expect([...kept.keys()].sort()).toEqual([startMs, startMs + 2 * DAY_MS]);
    expect(archive.stats.dropped).toBe(1);
    expect(archive.stats.bytes).toBeLessThanOrEqual(2.5 * dayBytes);
    archive.close();
  });

  it('never serves a result of another calculator version, and keeps at most its number of results', async () => {
    const resultsDir = join(dir, 'results-only');
    const results = fileResultArchive(resultsDir, { maxEntries: 2 });
    const { result } = await inThread().report({ from, toExclusive, methodologyId, vesselIds: vessels });
    await results.put('k1', result);
    expect(canonicalJson((await results.get('k1')) as FleetResult)).toBe(canonicalJson(result));

    // A file whose result another version calculated (an upgrade that kept the data directory).
    const [file] = await readdir(resultsDir);
    const older = JSON.parse(await readFile(join(resultsDir, file as string), 'utf8')) as FleetResult;
    const stale = {
      ...older,
      provenance: { ...older.provenance, calculatorVersion: `${CALCULATOR_VERSION}-old` },
    };
    await writeFile(join(resultsDir, file as string), JSON.stringify(stale));
    expect(await results.get('k1')).toBeUndefined();
    expect(await readdir(resultsDir)).toEqual([]);
    await writeFile(join(resultsDir, file as string), '{ not json');
    expect(await results.get('k1')).toBeUndefined();

    for (const key of ['k2', 'k3', 'k4']) {
      await results.put(key, result);
      await new Promise((resolve) => setTimeout(resolve, 15)); // distinct modification times
    }
    expect((await readdir(resultsDir)).filter((name) => name.endsWith('.json'))).toHaveLength(2);
    expect(await results.get('k2')).toBeUndefined();
    expect(await results.get('k4')).toBeDefined();

    // And within its bytes: room for one and a half results keeps the newest only.
    const size = JSON.stringify(result).length;
    const small = fileResultArchive(join(dir, 'results-small'), { maxBytes: 1.5 * size });
    await small.put('k5', result);
    await new Promise((resolve) => setTimeout(resolve, 15));
    await small.put('k6', result);
    expect(await small.get('k5')).toBeUndefined();
    expect(await small.get('k6')).toBeDefined();
  });

  it('sets an unreadable archive aside and starts a new one; without any archive, reports read the store', async () => {
    const archivePath = join(dir, 'garbage.sqlite');
    await writeFile(archivePath, 'not a database, but a stray file of the same name'.repeat(100));
    const replaced: string[] = [];
    const archive = openVesselDayArchive({
      path: archivePath,
      storeIdentity: 'test',
      onReplaced: (aside) => replaced.push(aside),
    });
    const day = await readVesselDay(store, vessels[2] as VesselId, startMs);
    archive.record([day], []);
    expect(
      archive
        .get(vessels[2] as VesselId, [startMs])
        .get(startMs)
        ?.digest.equals(day.digest),
    ).toBe(true);
    archive.close();
    expect(replaced).toHaveLength(1);
    expect(await readdir(dir)).toContain(replaced[0]?.slice(dir.length + 1));

    // An archive path that cannot be a file (a directory stands there): the worker runs without one.
    const blocked = join(dir, 'blocked');
    await mkdir(join(blocked, 'vessel-days.sqlite'), { recursive: true });
    const module = createEmissionsModule(
      { ...config(), vesselDayArchivePath: join(blocked, 'vessel-days.sqlite'), resultArchiveDir: undefined },
      // The worker's warning is expected here: not printed.
      {
        store,
        registry,
        clock: { now: () => endMs },
        logger: createLogger({ name: 'test', level: 'silent' }),
      },
    );
    await module.start();
    try {
      const report = await module.service.report({ from, toExclusive, methodologyId, vesselIds: vessels });
      expect(report.fromCache).toBe(false);
      expect(canonicalJson(report.result)).toBe(
        canonicalJson(
          (await inThread().report({ from, toExclusive, methodologyId, vesselIds: vessels })).result,
        ),
      );
    } finally {
      await module.stop();
    }
  });
});
