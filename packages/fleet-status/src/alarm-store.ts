import { openAlarmDatabase } from './alarm-database.js';
import { deliveryLedger } from './alarm-deliveries.js';
import { alarmQueries, alarmReader, alarmTransitions } from './alarm-lifecycle.js';
import type { AlarmStore } from './alarm-model.js';

export type { AlarmDelivery, AlarmStore, NotificationEvent, StoredAlarm } from './alarm-model.js';

/**
 * Composed of the database (`alarm-database`), the lifecycle — queries and transitions — of alarms
 * (`alarm-lifecycle`) and the record of their notifications (`alarm-deliveries`).
 */
export function openAlarmStore(path: string): AlarmStore {
  const db = openAlarmDatabase(path);
  const { schedule, notificationsOf, ...notifications } = deliveryLedger(db);
  const reader = alarmReader(db, { notificationsOf });
  return {
    ...alarmQueries(db, reader),
    ...alarmTransitions(db, reader, { schedule }),
    ...notifications,
    close() {
      db.close();
    },
  };
}
