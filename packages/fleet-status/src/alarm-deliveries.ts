import type Database from 'better-sqlite3';
import type { AlarmDelivery, AlarmStore, NotificationEvent } from './alarm-model.js';
import type { AlarmNotification } from './model.js';

interface DeliveryRow {
  alarm_id: string;
  channel: string;
  event: NotificationEvent;
  state: AlarmNotification['state'];
  attempts: number;
  last_error: string | null;
  updated_at_ms: number;
}

/** The notifications side of the alarm store, plus what the lifecycle needs of it. */
export interface DeliveryLedger extends Pick<AlarmStore, 'recordDelivery' | 'pendingDeliveries'> {
  /** A pending delivery of the event on the channel; one already recorded is left as it is. */
  schedule: (alarmId: string, channel: string, event: NotificationEvent, atMs: number) => void;
  /** Every delivery of an alarm: the clearing ones first, then by channel. */
  notificationsOf: (alarmId: string) => AlarmDelivery[];
}

/** The delivery record of every notification: scheduled as pending, then sent or given up, with attempts. */
export function deliveryLedger(db: Database.Database): DeliveryLedger {
  const selectDeliveries = db.prepare<[string], DeliveryRow>(
    'SELECT * FROM deliveries WHERE alarm_id = ? ORDER BY event DESC, channel',
  );
  const insertDelivery = db.prepare(
    `INSERT INTO deliveries (alarm_id, channel, event, state, attempts, last_error, updated_at_ms)
     VALUES (?, ?, ?, 'pending', 0, NULL, ?)
     ON CONFLICT (alarm_id, channel, event) DO NOTHING`,
  );

  return {
    schedule(alarmId, channel, event, atMs) {
      insertDelivery.run(alarmId, channel, event, atMs);
    },
    notificationsOf(alarmId) {
      return selectDeliveries.all(alarmId).map((d) => ({
        channel: d.channel,
        event: d.event,
        state: d.state,
        attempts: d.attempts,
        lastError: d.last_error,
        updatedAtMs: d.updated_at_ms,
      }));
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
  };
}
