import type { Logger } from '@qt-led/runtime';
import type { AlarmStore, NotificationEvent, StoredAlarm } from './alarm-store.js';
import type { FleetStatusConfig } from './config.js';
import type { Alarm, AlarmType } from './model.js';
import { type Notifier, takesAlarmType } from './notifiers/notifier.js';

/** Delivery counters, for metrics and the operator page. */
export interface NotificationCounts {
  sent: number;
  failedAttempts: number;
  givenUp: number;
}

export interface NotificationDispatcherDeps {
  alarms: AlarmStore;
  notifiers: readonly Notifier[];
  config: Pick<FleetStatusConfig, 'notifyRetries' | 'notifyBackoffMs'>;
  clock: { now(): number };
  logger: Logger;
  /** Told the alarm again once one of its deliveries has ended, so live views show the delivery record. */
  onDelivered(alarm: Alarm): void;
}

/**
 * Delivers alarm events through the notifiers: one attempt after another with exponential backoff, each
 * outcome written to the alarm's delivery record before the next, so a restart resumes what was pending.
 */
export interface NotificationDispatcher {
  /** The channels that carry alarms of this type: the delivery records an alarm of it gets. */
  channelsFor(type: AlarmType): string[];
  /** Starts delivering `event` on every channel of the alarm's record still pending for it. */
  announce(alarm: StoredAlarm, event: NotificationEvent): void;
  /** Resumes the deliveries an earlier process left pending (the first call only). */
  resumePending(): void;
  /** Resolves when the deliveries started so far have ended (not those they lead to). */
  settled(): Promise<void>;
  /** Resolves when no delivery is running any more. */
  whenNotified(): Promise<void>;
  counts(): NotificationCounts;
  /** Waits for running deliveries, then closes the notifiers. */
  close(): Promise<void>;
}

export function createNotificationDispatcher(deps: NotificationDispatcherDeps): NotificationDispatcher {
  const { alarms, config, clock, logger } = deps;
  const notifiers = new Map<string, Notifier>();
  for (const n of deps.notifiers) {
    if (notifiers.has(n.channel)) throw new RangeError(`two notifiers share the channel name ${n.channel}`);
    notifiers.set(n.channel, n);
  }
  const deliveries = new Set<Promise<void>>();
  const delivering = new Set<string>();
  const counts: NotificationCounts = { sent: 0, failedAttempts: 0, givenUp: 0 };
  let resumed = false;
  let closed = false;

  /** One attempt; true when sent. The outcome is recorded on the alarm either way. */
  async function attempt(
    notifier: Notifier,
    alarm: StoredAlarm,
    event: NotificationEvent,
    attempts: number,
  ): Promise<boolean> {
    const { channel } = notifier;
    const record = (state: 'sent' | 'pending' | 'failed', lastError: string | null): void => {
      alarms.recordDelivery(alarm.id, channel, event, { state, attempts, lastError, atMs: clock.now() });
    };
    try {
      await notifier.send({ event, alarm });
      counts.sent += 1;
      record('sent', null);
      logger.info({ alarmId: alarm.id, channel, event, attempts }, 'alarm notification sent');
      return true;
    } catch (err) {
      counts.failedAttempts += 1;
      const final = attempts >= 1 + config.notifyRetries;
      if (final) counts.givenUp += 1;
      record(final ? 'failed' : 'pending', err instanceof Error ? err.message : String(err));
      logger.warn(
        { alarmId: alarm.id, channel, event, attempts, err },
        final ? 'alarm notification failed, giving up' : 'alarm notification failed, will retry',
      );
      return false;
    }
  }

  function deliver(alarmId: string, channel: string, event: NotificationEvent, attemptsSoFar: number): void {
    const key = `${alarmId}|${channel}|${event}`;
    const notifier = notifiers.get(channel);
    if (notifier === undefined || delivering.has(key)) return;
    delivering.add(key);
    const run = (async () => {
      const maxAttempts = 1 + config.notifyRetries;
      for (let attempts = attemptsSoFar + 1; attempts <= maxAttempts && !closed; attempts += 1) {
        // Read again before each attempt: the notice carries the alarm as it is now (acknowledged, cleared).
        const alarm = alarms.get(alarmId);
        if (alarm === undefined || (await attempt(notifier, alarm, event, attempts))) return;
        if (attempts < maxAttempts) await sleep(config.notifyBackoffMs * 2 ** (attempts - 1));
      }
    })().finally(() => {
      delivering.delete(key);
      deliveries.delete(run);
      const alarm = alarms.get(alarmId);
      if (alarm !== undefined && !closed) deps.onDelivered(alarm);
    });
    deliveries.add(run);
  }

  return {
    channelsFor(type) {
      return [...notifiers.values()].filter((n) => takesAlarmType(n, type)).map((n) => n.channel);
    },
    announce(alarm, event) {
      for (const n of alarm.notifications) {
        if (n.event === event && n.state === 'pending') deliver(alarm.id, n.channel, event, n.attempts);
      }
    },
    resumePending() {
      if (resumed) return;
      resumed = true;
      for (const p of alarms.pendingDeliveries()) deliver(p.alarmId, p.channel, p.event, p.attempts);
    },
    async settled() {
      await Promise.all([...deliveries]);
    },
    async whenNotified() {
      while (deliveries.size > 0) await Promise.all([...deliveries]);
    },
    counts() {
      return { ...counts };
    },
    async close() {
      await Promise.all([...deliveries]);
      closed = true;
      for (const n of notifiers.values()) await n.close?.();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
