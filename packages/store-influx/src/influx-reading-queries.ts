import type { BootId, VesselId } from '@qt-led/contract';
import {
  FIELD_AGGREGATE,
  type DailyCount,
  type RegisterReading,
  type SeriesPoint,
  type TelemetryStore,
  byDeviceTime,
} from '@qt-led/store';
import { type InfluxClient, ident, literal, numberOrNull, rowsOf } from './influx-client.js';
import { FIELD_COLUMNS, MEASUREMENT, meterIdOrNull, readingFromRow } from './influx-schema.js';

export type ReadingQueries = Pick<
  TelemetryStore,
  'latestByVessel' | 'readings' | 'registerReadings' | 'series' | 'dailyCounts' | 'countReadings'
>;

/** The read side of readings: raw, register-only, downsampled, newest per vessel, counts. */
export function readingQueries(client: InfluxClient): ReadingQueries {
  return {
    async latestByVessel(vesselId) {
      const where = vesselId === undefined ? '' : ` WHERE vessel = ${literal(vesselId)}`;
      const series = await client.query(
        `SELECT * FROM ${MEASUREMENT}${where} GROUP BY vessel ORDER BY time DESC LIMIT 1`,
      );
      return series.flatMap((s) => rowsOf(s).map((row) => readingFromRow(row, s.tags?.['vessel'])));
    },
    async readings(vesselId, fromMs, toMs, limit = 1_000_000) {
      const series = await client.query(
        `SELECT * FROM ${MEASUREMENT} WHERE vessel = ${literal(vesselId)} AND time >= ${fromMs}ms AND time < ${toMs}ms ORDER BY time ASC LIMIT ${limit}`,
      );
      return series.flatMap((s) => rowsOf(s).map((row) => readingFromRow(row, vesselId))).sort(byDeviceTime);
    },
    async registerReadings(vesselId, fromMs, toMs, limit = 1_000_000) {
      const series = await client.query(
        `SELECT boot, seq, led_energy_kwh, led_meter_id, fuel_total_l, lamps_on FROM ${MEASUREMENT} WHERE vessel = ${literal(vesselId)} AND time >= ${fromMs}ms AND time < ${toMs}ms ORDER BY time ASC LIMIT ${limit}`,
      );
      return series
        .flatMap((s) =>
          rowsOf(s).map((row): RegisterReading => ({
            vesselId,
            bootId: row['boot'] as BootId,
            seq: Number(row['seq']),
            deviceTimeMs: Number(row['time']),
            ledEnergyKwh: numberOrNull(row['led_energy_kwh']),
            ledMeterId: meterIdOrNull(row['led_meter_id']),
            fuelTotalL: numberOrNull(row['fuel_total_l']),
            lampsOn: numberOrNull(row['lamps_on']),
          })),
        )
        .sort(byDeviceTime);
    },
    async series(vesselId, fields, fromMs, toMs, stepMs): Promise<SeriesPoint[]> {
      if (fields.length === 0) return [];
      const selectors = fields.map(
        (f) => `${FIELD_AGGREGATE[f] === 'mean' ? 'mean' : 'last'}(${FIELD_COLUMNS[f]}) AS ${ident(f)}`,
      );
      const series = await client.query(
        `SELECT ${selectors.join(', ')} FROM ${MEASUREMENT} WHERE vessel = ${literal(vesselId)} AND time >= ${fromMs}ms AND time < ${toMs}ms GROUP BY time(${stepMs}ms) fill(none)`,
      );
      return rowsOf(series[0]).map((row) => ({
        tMs: Number(row['time']),
        values: Object.fromEntries(fields.map((f) => [f, numberOrNull(row[f])])),
      }));
    },
    async dailyCounts(fromMs, toMs, utcOffsetMinutes) {
      const offsetMinutes = ((-utcOffsetMinutes % 1440) + 1440) % 1440;
      const series = await client.query(
        `SELECT count(seq) FROM ${MEASUREMENT} WHERE time >= ${fromMs}ms AND time < ${toMs}ms GROUP BY time(1d, ${offsetMinutes}m), vessel fill(none)`,
      );
      return series
        .flatMap((s) =>
          rowsOf(s).map((row): DailyCount => ({
            vesselId: s.tags?.['vessel'] as VesselId,
            dayStartMs: Number(row['time']),
            readings: Number(row['count']),
          })),
        )
        .sort((a, b) =>
          a.vesselId < b.vesselId ? -1 : a.vesselId > b.vesselId ? 1 : a.dayStartMs - b.dayStartMs,
        );
    },
    async countReadings(vesselId, range) {
      const conditions = [
        ...(vesselId === undefined ? [] : [`vessel = ${literal(vesselId)}`]),
        ...(range === undefined ? [] : [`time >= ${range.fromMs}ms`, `time < ${range.toMs}ms`]),
      ];
      const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
      const series = await client.query(`SELECT count(seq) FROM ${MEASUREMENT}${where}`);
      return Number(rowsOf(series[0])[0]?.['count'] ?? 0);
    },
  };
}
