import type { TelemetryStore } from '@qt-led/store';
import { type InfluxClient, literal, rowsOf } from './influx-client.js';
import { DEVICE, deviceFromRow } from './influx-schema.js';

/** The read side of device messages: a time range (of a vessel, of kinds), and the newest per vessel. */
export function deviceMessageQueries(
  client: InfluxClient,
): Pick<TelemetryStore, 'deviceMessages' | 'latestDeviceMessages'> {
  return {
    async deviceMessages(q) {
      const conditions = [`time >= ${q.fromMs}ms`, `time < ${q.toMs}ms`];
      if (q.vesselId !== undefined) conditions.push(`vessel = ${literal(q.vesselId)}`);
      if (q.kinds !== undefined) {
        if (q.kinds.length === 0) return [];
        conditions.push(`(${q.kinds.map((k) => `kind = ${literal(k)}`).join(' OR ')})`);
      }
      const series = await client.query(
        `SELECT * FROM ${DEVICE} WHERE ${conditions.join(' AND ')} ORDER BY time ASC LIMIT ${q.limit ?? 1_000_000}`,
      );
      return series.flatMap((s) => rowsOf(s).map((row) => deviceFromRow(row, s.tags)));
    },
    async latestDeviceMessages(kind, vesselId) {
      const vessel = vesselId === undefined ? '' : ` AND vessel = ${literal(vesselId)}`;
      const series = await client.query(
        `SELECT * FROM ${DEVICE} WHERE kind = ${literal(kind)}${vessel} GROUP BY vessel ORDER BY time DESC LIMIT 1`,
      );
      return series
        .flatMap((s) => rowsOf(s).map((row) => deviceFromRow(row, { ...s.tags, kind })))
        .sort((a, b) => (a.vesselId < b.vesselId ? -1 : a.vesselId > b.vesselId ? 1 : 0));
    },
  };
}
