import type { BootId, MeterId, VesselId } from '@qt-led/contract';
import type Database from 'better-sqlite3';
import {
  type DailyCount,
  type RegisterReading,
  type SeriesField,
  type SeriesPoint,
  type TelemetryStore,
  FIELD_AGGREGATE,
} from '@qt-led/store';
import { type ReadingRow, fromRow } from './sqlite-rows.js';

export type ReadingQueries = Pick<
  TelemetryStore,
  'latestByVessel' | 'readings' | 'registerReadings' | 'series' | 'dailyCounts' | 'countReadings'
>;

/** The column of each series field. */
const SERIES_COLUMNS: Record<SeriesField, string> = {
  ledPowerW: 'led_power_w',
  ledEnergyKwh: 'led_energy_kwh',
  lampsOn: 'lamps_on',
  fuelRateLph: 'fuel_rate_lph',
  fuelTotalL: 'fuel_total_l',
  speedKn: 'speed_kn',
  lat: 'lat',
  lon: 'lon',
};

type RegisterRow = [
  string,
  string,
  number,
  number,
  number | null,
  string | null,
  number | null,
  number | null,
];

/**
 * The read side of readings: raw and register-only ranges of one vessel (the covering index), the newest
 * per vessel, downsampled series, and counts.
 */
export function readingQueries(db: Database.Database): ReadingQueries {
  const statements = prepareReadingQueries(db);
  return {
    latestByVessel(vesselId) {
      const vessels =
        vesselId === undefined
          ? (statements.selectVessels.all() as { vessel: string }[])
          : [{ vessel: vesselId as string }];
      return Promise.resolve(
        vessels.flatMap(({ vessel }) => {
          const row = statements.selectNewest.get({ vessel }) as ReadingRow | undefined;
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
        rows.map(
          ([
            vessel,
            boot,
            seq,
            deviceTimeMs,
            ledEnergyKwh,
            ledMeterId,
            fuelTotalL,
            lampsOn,
          ]): RegisterReading => ({
            vesselId: vessel as VesselId,
            bootId: boot as BootId,
            seq,
            deviceTimeMs,
            ledEnergyKwh,
            ledMeterId: ledMeterId as MeterId | null,
            fuelTotalL,
            lampsOn,
          }),
        ),
      );
    },
    series(vesselId, fields: readonly SeriesField[], fromMs, toMs, stepMs): Promise<SeriesPoint[]> {
      const rows = statements.seriesColumns(fields).all(vesselId, fromMs, toMs) as (number | null)[][];
      return Promise.resolve(bucketRows(rows, fields, stepMs));
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
    countReadings(vesselId, range) {
      let row: unknown;
      if (range === undefined) {
        row = vesselId === undefined ? statements.countAll.get() : statements.countVessel.get(vesselId);
      } else {
        row =
          vesselId === undefined
            ? statements.countAllRange.get(range.fromMs, range.toMs)
            : statements.countVesselRange.get(vesselId, range.fromMs, range.toMs);
      }
      return Promise.resolve((row as { n: number }).n);
    },
  };
}

/**
 * `downsample` over rows of `[device_ms, ...fields]` already in device-time order, without building
 * readings: the same buckets and the same arithmetic (values summed in order from 0), a tenth of the time.
 */
function bucketRows(
  rows: readonly (number | null)[][],
  fields: readonly SeriesField[],
  stepMs: number,
): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  const sums = new Array<number>(fields.length);
  const counts = new Array<number>(fields.length);
  const lasts = new Array<number | null>(fields.length);
  let bucket: number | undefined;
  const close = (): void => {
    if (bucket === undefined) return;
    const values: SeriesPoint['values'] = {};
    fields.forEach((field, i) => {
      const n = counts[i] as number;
      values[field] =
        n === 0 ? null : FIELD_AGGREGATE[field] === 'last' ? (lasts[i] as number) : (sums[i] as number) / n;
    });
    out.push({ tMs: bucket, values });
  };
  for (const row of rows) {
    const start = Math.floor((row[0] as number) / stepMs) * stepMs;
    if (start !== bucket) {
      close();
      bucket = start;
      sums.fill(0);
      counts.fill(0);
      lasts.fill(null);
    }
    for (let i = 0; i < fields.length; i += 1) {
      const v = row[i + 1];
      if (v === null || v === undefined) continue;
      sums[i] = (sums[i] as number) + v;
      counts[i] = (counts[i] as number) + 1;
      lasts[i] = v;
    }
  }
  close();
  return out;
}

function prepareReadingQueries(db: Database.Database) {
  const seriesStatements = new Map<string, Database.Statement>();
  const selectRegisters = db.prepare(
    `SELECT vessel, boot, seq, device_ms, led_energy_kwh, led_meter_id, fuel_total_l, lamps_on FROM readings
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
    // The newest device time from the covering index, then its row(s): two seeks. (Ordering the vessel's
    // rows by device time then seq cannot use the index, whose order is device time, boot, seq: it sorted
    // every reading of the vessel, 2–4 s for a fleet-month.)
    selectNewest: db.prepare(`
    SELECT * FROM readings INDEXED BY readings_registers
    WHERE vessel = @vessel AND device_ms = (SELECT max(device_ms) FROM readings WHERE vessel = @vessel)
    ORDER BY seq DESC LIMIT 1`),
    seriesColumns: (fields: readonly SeriesField[]) => {
      const key = fields.join(',');
      let statement = seriesStatements.get(key);
      if (statement === undefined) {
        const columns = ['device_ms', ...fields.map((f) => SERIES_COLUMNS[f])].join(', ');
        statement = db.prepare(
          `SELECT ${columns} FROM readings WHERE vessel = ? AND device_ms >= ? AND device_ms < ? ORDER BY device_ms, boot, seq`,
        );
        statement.raw(true);
        seriesStatements.set(key, statement);
      }
      return statement;
    },
    selectDaily: db.prepare(`
    SELECT vessel, ((device_ms + CAST(@offsetMs AS INTEGER)) / 86400000) * 86400000 - CAST(@offsetMs AS INTEGER) AS day_start,
      count(*) AS n
    FROM readings WHERE device_ms >= @fromMs AND device_ms < @toMs
    GROUP BY vessel, day_start ORDER BY vessel, day_start`),
    countAll: db.prepare('SELECT count(*) AS n FROM readings'),
    countVessel: db.prepare('SELECT count(*) AS n FROM readings WHERE vessel = ?'),
    countAllRange: db.prepare('SELECT count(*) AS n FROM readings WHERE device_ms >= ? AND device_ms < ?'),
    countVesselRange: db.prepare(
      'SELECT count(*) AS n FROM readings WHERE vessel = ? AND device_ms >= ? AND device_ms < ?',
    ),
  };
}
