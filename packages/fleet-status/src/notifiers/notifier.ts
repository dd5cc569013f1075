import type { Alarm } from '../model.js';

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
  send(notice: AlarmNotice): Promise<void>;
  close?(): Promise<void>;
}
