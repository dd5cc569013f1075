import type { BootId, VesselId } from '@qt-led/contract';
import type Database from 'better-sqlite3';
import {
  type DailyCount,
  type RegisterReading,
  type SeriesField,
  type SeriesPoint,
  type TelemetryStore,
  byDeviceTime,
  downsample,
} from '@qt-led/store';
import { type ReadingRow, fromRow } from './sqlite-rows.js';

export type ReadingQueries = Pick<
  TelemetryStore,
  'latestByVessel' | 'readings' | 'registerReadings' | 'series' | 'dailyCounts' | 'countReadings'
>;

type RegisterRow = [string, string, number, number, number | null, number | null, number | null];

/**
 * The read side of readings: raw and register-only ranges of one vessel (the covering index), the newest
 * per vessel, downsampled series, and counts.
 */
export function readingQueries(db: Database.Database): ReadingQueries {
  const statements = prepareReadingQueries(db);
  return {
    latestByVessel() {
      const vessels = statements.selectVessels.all() as { vessel: string }[];
      return Promise.resolve(
        vessels.flatMap(({ vessel }) => {
          const row = statements.selectNewest.get(vessel) as ReadingRow | undefined;
          return row === undefined ? [] : [fromRow(row)];
        }),
      );
    },
    readings(vesselId, fromMs, toMs, limit = 1_000_000) {
      const rows = statements.selectRange.all(vesselId, fromMs, toMs, limit) as ReadingRow[];
      return Promise.resolve(rows.map(fromRow));
    },
    registerReadings(vesselId, fromMs, toMs, limit = 1_000_000) {
      const rows = statements.selectRegisters.all(vesselId, fromMs, toMs, limit) as RegisterRow[];
      return Promise.resolve(
        rows.map(([vessel, boot, seq, deviceTimeMs, ledEnergyKwh, fuelTotalL, lampsOn]): RegisterReading => ({
          vesselId: vessel as VesselId,
          bootId: boot as BootId,
          seq,
          deviceTimeMs,
          ledEnergyKwh,
          fuelTotalL,
          lampsOn,
        })),
      );
    },
    async series(vesselId, fields: readonly SeriesField[], fromMs, toMs, stepMs): Promise<SeriesPoint[]> {
      const rows = await this.readings(vesselId, fromMs, toMs);
      return downsample(rows.sort(byDeviceTime), fields, stepMs);
    },
    dailyCounts(fromMs, toMs, utcOffsetMinutes) {
      const rows = statements.selectDaily.all({ fromMs, toMs, offsetMs: utcOffsetMinutes * 60_000 }) as {
        vessel: string;
        day_start: number;
        n: number;
      }[];
      return Promise.resolve(
        rows.map((r): DailyCount => ({
          vesselId: r.vessel as VesselId,
          dayStartMs: r.day_start,
          readings: r.n,
        })),
      );
    },
    countReadings(vesselId) {
      const row = (
        vesselId === undefined ? statements.countAll.get() : statements.countVessel.get(vesselId)
      ) as { n: number };
      return Promise.resolve(row.n);
    },
  };
}

function prepareReadingQueries(db: Database.Database) {
  const selectRegisters = db.prepare(
    `SELECT vessel, boot, seq, device_ms, led_energy_kwh, fuel_total_l, lamps_on FROM readings
     WHERE vessel = ? AND device_ms >= ? AND device_ms < ? ORDER BY device_ms, boot, seq LIMIT ?`,
  );
  selectRegisters.raw(true);
  return {
    selectRegisters,
    selectRange: db.prepare(
      'SELECT * FROM readings WHERE vessel = ? AND device_ms >= ? AND device_ms < ? ORDER BY device_ms, boot, seq LIMIT ?',
    ),
    // Skip-scan over the primary key: one index seek per vessel instead of a scan of every reading.
    selectVessels: db.prepare(`
    WITH RECURSIVE v(vessel) AS (
      SELECT min(vessel) FROM readings
      UNION ALL SELECT (SELECT min(vessel) FROM readings WHERE vessel > v.vessel) FROM v WHERE v.vessel IS NOT NULL
    ) SELECT vessel FROM v WHERE vessel IS NOT NULL`),
    selectNewest: db.prepare(
      'SELECT * FROM readings WHERE vessel = ? ORDER BY device_ms DESC, seq DESC LIMIT 1',
    ),
    selectDaily: db.prepare(`
    SELECT vessel, ((device_ms + CAST(@offsetMs AS INTEGER)) / 86400000) * 86400000 - CAST(@offsetMs AS INTEGER) AS day_start,
      count(*) AS n
    FROM readings WHERE device_ms >= @fromMs AND device_ms < @toMs
    GROUP BY vessel, day_start ORDER BY vessel, day_start`),
    countAll: db.prepare('SELECT count(*) AS n FROM readings'),
    countVessel: db.prepare('SELECT count(*) AS n FROM readings WHERE vessel = ?'),
  };
}
