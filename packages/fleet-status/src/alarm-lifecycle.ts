import { randomUUID } from 'node:crypto';
import type { VesselId } from '@qt-led/contract';
import type Database from 'better-sqlite3';
import type { DeliveryLedger } from './alarm-deliveries.js';
import type { AlarmStore, StoredAlarm } from './alarm-model.js';
import { AlarmNotFoundError, type AlarmState, AlarmStateError, type AlarmType } from './model.js';

interface AlarmRow {
  id: string;
  type: AlarmType;
  vessel_id: string | null;
  state: AlarmState;
  raised_at_ms: number;
  acknowledged_at_ms: number | null;
  acknowledged_by: string | null;
  cleared_at_ms: number | null;
  detail: string;
  evidence: string;
}

/** Alarm rows read back as the officer sees them, with their deliveries. */
export interface AlarmReader {
  toAlarm: (row: AlarmRow) => StoredAlarm;
  find: (id: string) => StoredAlarm | undefined;
  /** Like `find`, or an `AlarmNotFoundError`. */
  mustGet: (id: string) => StoredAlarm;
}

export function alarmReader(
  db: Database.Database,
  deliveries: Pick<DeliveryLedger, 'notificationsOf'>,
): AlarmReader {
  const selectById = db.prepare<[string], AlarmRow>('SELECT * FROM alarms WHERE id = ?');
  const toAlarm = (row: AlarmRow): StoredAlarm => ({
    id: row.id,
    type: row.type,
    vesselId: row.vessel_id as VesselId | null,
    state: row.state,
    raisedAtMs: row.raised_at_ms,
    acknowledgedAtMs: row.acknowledged_at_ms,
    acknowledgedBy: row.acknowledged_by,
    clearedAtMs: row.cleared_at_ms,
    detail: row.detail,
    evidence: JSON.parse(row.evidence) as Record<string, unknown>,
    notifications: deliveries.notificationsOf(row.id),
  });
  return {
    toAlarm,
    find(id) {
      const row = selectById.get(id);
      return row === undefined ? undefined : toAlarm(row);
    },
    mustGet(id) {
      const row = selectById.get(id);
      if (row === undefined) throw new AlarmNotFoundError(`no alarm with id ${id}`);
      return toAlarm(row);
    },
  };
}

/** The queries of the lifecycle: the open alarm of a type and vessel, every open alarm, one, a page. */
export function alarmQueries(
  db: Database.Database,
  reader: AlarmReader,
): Pick<AlarmStore, 'open' | 'openAlarms' | 'get' | 'list'> {
  const { toAlarm } = reader;
  const selectOpen = db.prepare<[string, string], AlarmRow>(
    "SELECT * FROM alarms WHERE type = ? AND coalesce(vessel_id, '') = ? AND state != 'cleared'",
  );
  return {
    open(type, vesselId) {
      const row = selectOpen.get(type, vesselId ?? '');
      return row === undefined ? undefined : toAlarm(row);
    },
    openAlarms() {
      return db
        .prepare<[], AlarmRow>("SELECT * FROM alarms WHERE state != 'cleared' ORDER BY raised_at_ms")
        .all()
        .map(toAlarm);
    },
    get(id) {
      return reader.find(id);
    },
    list(query) {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (query.state !== undefined) {
        where.push('state = ?');
        params.push(query.state);
      }
      if (query.vesselId !== undefined) {
        where.push('vessel_id = ?');
        params.push(query.vesselId);
      }
      if (query.beforeMs !== undefined) {
        where.push('raised_at_ms < ?');
        params.push(query.beforeMs);
      }
      params.push(Math.max(0, Math.floor(query.limit)));
      const sql = `SELECT * FROM alarms ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY raised_at_ms DESC, id LIMIT ?`;
      return db
        .prepare<(string | number)[], AlarmRow>(sql)
        .all(...params)
        .map(toAlarm);
    },
  };
}

/**
 * The transitions raised → acknowledged → cleared, with who and when. Raising and clearing schedule their
 * notifications in the same transaction.
 */
export function alarmTransitions(
  db: Database.Database,
  reader: AlarmReader,
  deliveries: Pick<DeliveryLedger, 'schedule'>,
): Pick<AlarmStore, 'raise' | 'update' | 'acknowledge' | 'clear'> {
  const { mustGet } = reader;
  const { schedule } = deliveries;
  return {
    raise(input) {
      const id = randomUUID();
      db.transaction(() => {
        db.prepare(
          `INSERT INTO alarms (id, type, vessel_id, state, raised_at_ms, detail, evidence)
           VALUES (?, ?, ?, 'raised', ?, ?, ?)`,
        ).run(id, input.type, input.vesselId, input.atMs, input.detail, JSON.stringify(input.evidence));
        for (const channel of input.channels) schedule(id, channel, 'raised', input.atMs);
      })();
      return mustGet(id);
    },
    update(id, detail, evidence) {
      db.prepare("UPDATE alarms SET detail = ?, evidence = ? WHERE id = ? AND state != 'cleared'").run(
        detail,
        JSON.stringify(evidence),
        id,
      );
    },
    acknowledge(id, by, atMs) {
      const alarm = mustGet(id);
      if (alarm.state !== 'raised') {
        throw new AlarmStateError(
          alarm.state === 'acknowledged'
            ? `alarm ${id} was already acknowledged by ${alarm.acknowledgedBy ?? '?'}`
            : `alarm ${id} is cleared: there is nothing left to acknowledge`,
        );
      }
      db.prepare(
        "UPDATE alarms SET state = 'acknowledged', acknowledged_at_ms = ?, acknowledged_by = ? WHERE id = ?",
      ).run(atMs, by, id);
      return mustGet(id);
    },
    clear(id, atMs, channels) {
      const alarm = mustGet(id);
      if (alarm.state === 'cleared') throw new AlarmStateError(`alarm ${id} is already cleared`);
      db.transaction(() => {
        db.prepare("UPDATE alarms SET state = 'cleared', cleared_at_ms = ? WHERE id = ?").run(atMs, id);
        for (const channel of channels) schedule(id, channel, 'cleared', atMs);
      })();
      return mustGet(id);
    },
  };
}
