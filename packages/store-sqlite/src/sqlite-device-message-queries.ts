import type Database from 'better-sqlite3';
import type { TelemetryStore } from '@qt-led/store';
import { type DeviceRow, deviceFromRow } from './sqlite-rows.js';

/** The read side of device messages: a time range (of a vessel, of kinds), and the newest per vessel. */
export function deviceMessageQueries(
  db: Database.Database,
): Pick<TelemetryStore, 'deviceMessages' | 'latestDeviceMessages'> {
  // Skip-scan over the primary key for the vessels, then one seek per vessel on (vessel, kind, at_ms): a
  // GROUP BY over the kind's messages read every heartbeat of the month (60–200 ms for a fleet-month).
  const selectVessels = db.prepare(`
    WITH RECURSIVE v(vessel) AS (
      SELECT min(vessel) FROM device_messages
      UNION ALL SELECT (SELECT min(vessel) FROM device_messages WHERE vessel > v.vessel) FROM v WHERE v.vessel IS NOT NULL
    ) SELECT vessel FROM v WHERE vessel IS NOT NULL`);
  const selectLatestDevice = db.prepare(
    'SELECT * FROM device_messages WHERE vessel = ? AND kind = ? ORDER BY at_ms DESC, key DESC LIMIT 1',
  );
  return {
    deviceMessages(query) {
      const where = ['at_ms >= ?', 'at_ms < ?'];
      const params: (string | number)[] = [query.fromMs, query.toMs];
      if (query.vesselId !== undefined) {
        where.push('vessel = ?');
        params.push(query.vesselId);
      }
      if (query.kinds !== undefined) {
        where.push(`kind IN (${query.kinds.map(() => '?').join(', ') || 'NULL'})`);
        params.push(...query.kinds);
      }
      const sql = `SELECT * FROM device_messages WHERE ${where.join(' AND ')} ORDER BY at_ms, vessel, kind, key LIMIT ?`;
      const rows = db.prepare(sql).all(...params, query.limit ?? 1_000_000) as DeviceRow[];
      return Promise.resolve(rows.map(deviceFromRow));
    },
    latestDeviceMessages(kind, vesselId) {
      const vessels =
        vesselId === undefined
          ? (selectVessels.all() as { vessel: string }[])
          : [{ vessel: vesselId as string }];
      return Promise.resolve(
        vessels.flatMap(({ vessel }) => {
          const row = selectLatestDevice.get(vessel, kind) as DeviceRow | undefined;
          return row === undefined ? [] : [deviceFromRow(row)];
        }),
      );
    },
  };
}
