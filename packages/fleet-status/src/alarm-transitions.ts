import type { Logger } from '@qt-led/runtime';
import type { AlarmCondition } from './alarm-rules.js';
import type { AlarmStore } from './alarm-store.js';
import type { Alarm } from './model.js';
import type { NotificationDispatcher } from './notification-dispatcher.js';

export interface AlarmTransitionDeps {
  alarms: AlarmStore;
  dispatcher: NotificationDispatcher;
  logger: Logger;
  /** Told every alarm that was raised or cleared (live views). */
  onChange(alarm: Alarm): void;
}

/**
 * Moves the alarms to what the conditions of a pass say: raise what became active (at most one open alarm
 * per vessel and type), refresh the figures of what stays active, clear what no longer holds; each raise
 * and clearance is announced on the channels that carry its type.
 */
export function applyAlarmConditions(
  deps: AlarmTransitionDeps,
  nowMs: number,
  conditions: readonly AlarmCondition[],
): void {
  const { alarms, dispatcher, logger } = deps;
  for (const c of conditions) {
    const open = alarms.open(c.type, c.vesselId);
    if (c.active && open === undefined) {
      const alarm = alarms.raise({
        type: c.type,
        vesselId: c.vesselId,
        atMs: nowMs,
        detail: c.detail,
        evidence: c.evidence,
        channels: dispatcher.channelsFor(c.type),
      });
      logger.info({ alarmId: alarm.id, type: c.type, vesselId: c.vesselId }, `alarm raised: ${c.detail}`);
      deps.onChange(alarm);
      dispatcher.announce(alarm, 'raised');
    } else if (c.active && open !== undefined) {
      if (open.detail !== c.detail) alarms.update(open.id, c.detail, c.evidence);
    } else if (!c.active && open !== undefined) {
      const alarm = alarms.clear(open.id, nowMs, dispatcher.channelsFor(c.type));
      logger.info({ alarmId: alarm.id, type: c.type, vesselId: c.vesselId }, 'alarm cleared');
      deps.onChange(alarm);
      dispatcher.announce(alarm, 'cleared');
    }
  }
}
