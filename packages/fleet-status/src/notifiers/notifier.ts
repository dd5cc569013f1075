import type { Alarm, AlarmType } from '@qt-led/contract';

/** What a notifier is told: the alarm and what just happened to it. */
export interface AlarmNotice {
  event: 'raised' | 'cleared';
  alarm: Alarm;
}

/**
 * A channel alarms are sent through (webhook, e-mail, …). `send` makes ONE attempt and rejects with the
 * reason when it fails; the service owns retries, backoff and the delivery record per alarm.
 */
export interface Notifier {
  /** Stable name shown in `Alarm.notifications[].channel`, e.g. `webhook:ops` or `email`. */
  readonly channel: string;
  /**
   * The alarm types this channel carries; absent: every type. An alarm of another type is never handed to
   * it and gets no delivery record for it (nobody to tell is not a failed delivery).
   */
  readonly alarmTypes?: readonly AlarmType[];
  send(notice: AlarmNotice): Promise<void>;
  close?(): Promise<void>;
}

/** Whether the notifier carries alarms of this type. */
export function takesAlarmType(notifier: Notifier, type: AlarmType): boolean {
  return notifier.alarmTypes === undefined || notifier.alarmTypes.includes(type);
}
