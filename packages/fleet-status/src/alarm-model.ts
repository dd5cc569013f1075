import type { VesselId } from '@qt-led/contract';
import type { Alarm, AlarmNotification, AlarmQuery, AlarmType } from './model.js';

// The shapes of the alarm store: implemented by `openAlarmStore` (alarm-store), composed of
// `alarm-lifecycle` and `alarm-deliveries`, which import them from here rather than from the store.

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
