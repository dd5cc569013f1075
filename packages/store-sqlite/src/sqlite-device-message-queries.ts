import type Database from 'better-sqlite3';
import type { TelemetryStore } from '@qt-led/store';
import { type DeviceRow, deviceFromRow } from './sqlite-rows.js';

/** The read side of device messages: a time range (of a vessel, of kinds), and the newest per vessel. */
export function deviceMessageQueries(
  db: Database.Database,
): Pick<TelemetryStore, 'deviceMessages' | 'latestDeviceMessages'> {
  // SQLite returns the other columns of the row that holds max(at_ms) (its documented bare-column rule).
  const selectLatestDevice = db.prepare(
    'SELECT *, max(at_ms) AS newest FROM device_messages WHERE kind = ? GROUP BY vessel ORDER BY vessel',
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
    latestDeviceMessages(kind) {
      return Promise.resolve((selectLatestDevice.all(kind) as DeviceRow[]).map(deviceFromRow));
    },
  };
}
