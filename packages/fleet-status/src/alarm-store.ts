import { randomUUID } from 'node:crypto';
import type { VesselId } from '@qt-led/contract';
import Database from 'better-sqlite3';
import {
  type Alarm,
  type AlarmNotification,
  AlarmNotFoundError,
  type AlarmQuery,
  type AlarmState,
  AlarmStateError,
  type AlarmType,
} from './model.js';

export type NotificationEvent = 'raised' | 'cleared';

export interface AlarmDelivery extends AlarmNotification {
  event: NotificationEvent;
  updatedAtMs: number;
}

/** Alarms as the officer sees them, plus each delivery with the event it announced. */
export interface StoredAlarm extends Alarm {
  notifications: AlarmDelivery[];
}

/**
 * Alarms in SQLite (better-sqlite3): the lifecycle raised → acknowledged → cleared with who and when, one
 * open alarm per vessel and type (a partial unique index enforces it), and the delivery record of every
 * notification. Everything the service needs to survive a restart is here: an open alarm is found again
 * (not raised twice) and a delivery still pending is resumed.
 */
export interface AlarmStore {
  open(type: AlarmType, vesselId: VesselId | null): StoredAlarm | undefined;
  openAlarms(): StoredAlarm[];
  get(id: string): StoredAlarm | undefined;
  list(query: AlarmQuery): StoredAlarm[];
  raise(input: {
    type: AlarmType;
    vesselId: VesselId | null;
    atMs: number;
    detail: string;
    evidence: Record<string, unknown>;
    channels: readonly string[];
  }): StoredAlarm;
  /** Updates the detail and evidence of an open alarm (the fault goes on; its figures change). */
  update(id: string, detail: string, evidence: Record<string, unknown>): void;
  acknowledge(id: string, by: string, atMs: number): StoredAlarm;
  clear(id: string, atMs: number, channels: readonly string[]): StoredAlarm;
  recordDelivery(
    alarmId: string,
    channel: string,
    event: NotificationEvent,
    outcome: { state: AlarmNotification['state']; attempts: number; lastError: string | null; atMs: number },
  ): void;
  /** Deliveries not yet sent nor given up (resumed after a restart). */
  pendingDeliveries(): { alarmId: string; channel: string; event: NotificationEvent; attempts: number }[];
  close(): void;
}

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

interface DeliveryRow {
  alarm_id: string;
  channel: string;
  event: NotificationEvent;
  state: AlarmNotification['state'];
  attempts: number;
  last_error: string | null;
  updated_at_ms: number;
}

export function openAlarmStore(path: string): AlarmStore {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS alarms (
      id TEXT PRIMARY KEY,
      type TEXT NOT NULL,
      vessel_id TEXT,
      state TEXT NOT NULL CHECK (state IN ('raised', 'acknowledged', 'cleared')),
      raised_at_ms INTEGER NOT NULL,
      acknowledged_at_ms INTEGER,
      acknowledged_by TEXT,
      cleared_at_ms INTEGER,
      detail TEXT NOT NULL,
      evidence TEXT NOT NULL
    );
    CREATE UNIQUE INDEX IF NOT EXISTS alarms_one_open
      ON alarms (type, coalesce(vessel_id, '')) WHERE state != 'cleared';
    CREATE INDEX IF NOT EXISTS alarms_by_time ON alarms (raised_at_ms DESC);
    CREATE TABLE IF NOT EXISTS deliveries (
      alarm_id TEXT NOT NULL REFERENCES alarms (id),
      channel TEXT NOT NULL,
      event TEXT NOT NULL CHECK (event IN ('raised', 'cleared')),
      state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
      attempts INTEGER NOT NULL,
      last_error TEXT,
      updated_at_ms INTEGER NOT NULL,
      PRIMARY KEY (alarm_id, channel, event)
    );
  `);
  const selectDeliveries = db.prepare<[string], DeliveryRow>(
    'SELECT * FROM deliveries WHERE alarm_id = ? ORDER BY event DESC, channel',
  );
  const selectById = db.prepare<[string], AlarmRow>('SELECT * FROM alarms WHERE id = ?');
  const selectOpen = db.prepare<[string, string], AlarmRow>(
    "SELECT * FROM alarms WHERE type = ? AND coalesce(vessel_id, '') = ? AND state != 'cleared'",
  );
  const insertDelivery = db.prepare(
    `INSERT INTO deliveries (alarm_id, channel, event, state, attempts, last_error, updated_at_ms)
     VALUES (?, ?, ?, 'pending', 0, NULL, ?)
     ON CONFLICT (alarm_id, channel, event) DO NOTHING`,
  );

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
    notifications: selectDeliveries.all(row.id).map((d) => ({
      channel: d.channel,
      event: d.event,
      state: d.state,
      attempts: d.attempts,
      lastError: d.last_error,
      updatedAtMs: d.updated_at_ms,
    })),
  });
  const mustGet = (id: string): StoredAlarm => {
    const row = selectById.get(id);
    if (row === undefined) throw new AlarmNotFoundError(`no alarm with id ${id}`);
    return toAlarm(row);
  };

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
      const row = selectById.get(id);
      return row === undefined ? undefined : toAlarm(row);
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
    raise(input) {
      const id = randomUUID();
      db.transaction(() => {
        db.prepare(
          `INSERT INTO alarms (id, type, vessel_id, state, raised_at_ms, detail, evidence)
           VALUES (?, ?, ?, 'raised', ?, ?, ?)`,
        ).run(id, input.type, input.vesselId, input.atMs, input.detail, JSON.stringify(input.evidence));
        for (const channel of input.channels) insertDelivery.run(id, channel, 'raised', input.atMs);
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
        for (const channel of channels) insertDelivery.run(id, channel, 'cleared', atMs);
      })();
      return mustGet(id);
    },
    recordDelivery(alarmId, channel, event, outcome) {
      db.prepare(
        `UPDATE deliveries SET state = ?, attempts = ?, last_error = ?, updated_at_ms = ?
         WHERE alarm_id = ? AND channel = ? AND event = ?`,
      ).run(outcome.state, outcome.attempts, outcome.lastError, outcome.atMs, alarmId, channel, event);
    },
    pendingDeliveries() {
      return db
        .prepare<[], DeliveryRow>("SELECT * FROM deliveries WHERE state = 'pending' ORDER BY updated_at_ms")
        .all()
        .map((d) => ({ alarmId: d.alarm_id, channel: d.channel, event: d.event, attempts: d.attempts }));
    },
    close() {
      db.close();
    },
  };
}
