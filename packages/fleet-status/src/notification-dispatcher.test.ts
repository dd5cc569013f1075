import { createLogger } from '@qt-led/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmCondition } from './alarm-rules.js';
import { type AlarmStore, openAlarmStore } from './alarm-store.js';
import { applyAlarmConditions } from './alarm-transitions.js';
import type { Alarm, AlarmType } from './model.js';
import { createNotificationDispatcher, type NotificationDispatcher } from './notification-dispatcher.js';
import type { AlarmNotice, Notifier } from './notifiers/notifier.js';
import { VESSEL } from './testing/readings.js';

const logger = createLogger({ name: 'dispatcher-test', level: 'silent' });
const NOW = Date.UTC(2024, 2, 10, 5);

/** A channel that records what it is handed and fails its first `failures` attempts. */
function recordingNotifier(channel: string, failures = 0, alarmTypes?: readonly AlarmType[]) {
  const notices: AlarmNotice[] = [];
  let left = failures;
  const notifier: Notifier = {
    channel,
    ...(alarmTypes === undefined ? {} : { alarmTypes }),
    send(notice) {
      notices.push(notice);
      if (left > 0) {
        left -= 1;
        return Promise.reject(new Error(`${channel} is down`));
      }
      return Promise.resolve();
    },
  };
  return { notifier, notices };
}

const opened: { alarms: AlarmStore; dispatcher: NotificationDispatcher }[] = [];
afterEach(async () => {
  for (const { alarms, dispatcher } of opened.splice(0)) {
    await dispatcher.close();
    alarms.close();
  }
});

function setUp(notifiers: Notifier[], alarms = openAlarmStore(':memory:')) {
  const delivered: Alarm[] = [];
  const dispatcher = createNotificationDispatcher({
    alarms,
    notifiers,
    config: { notifyRetries: 2, notifyBackoffMs: 5 },
    clock: { now: () => NOW },
    logger,
    onDelivered: (alarm) => delivered.push(alarm),
  });
  opened.push({ alarms, dispatcher });
  const apply = (nowMs: number, conditions: AlarmCondition[]) =>
    applyAlarmConditions({ alarms, dispatcher, logger, onChange: () => undefined }, nowMs, conditions);
  return { alarms, dispatcher, delivered, apply };
}

const condition = (type: AlarmType, active: boolean): AlarmCondition => ({
  type,
  vesselId: VESSEL,
  active,
  detail: active ? `${type} on ${VESSEL}` : '',
  evidence: {},
});

describe('notification dispatcher', () => {
  it('delivers only on the channels that take the alarm type, and records only those', async () => {
    const all = recordingNotifier('webhook');
    const tech = recordingNotifier('email', 0, ['led-fault']);
    const { alarms, dispatcher, apply } = setUp([all.notifier, tech.notifier]);
    expect(dispatcher.channelsFor('led-fault')).toEqual(['webhook', 'email']);
    expect(dispatcher.channelsFor('data-gap')).toEqual(['webhook']);

    apply(NOW, [condition('led-fault', true), condition('data-gap', true)]);
    await dispatcher.whenNotified();
    const [gap, led] = alarms.list({ limit: 10 }).sort((a, b) => (a.type < b.type ? -1 : 1));
    expect(led?.notifications.map((n) => [n.channel, n.event, n.state])).toEqual([
      ['email', 'raised', 'sent'],
      ['webhook', 'raised', 'sent'],
    ]);
    expect(gap?.notifications.map((n) => [n.channel, n.state])).toEqual([['webhook', 'sent']]);
    expect(tech.notices.map((n) => n.alarm.type)).toEqual(['led-fault']);
    expect(all.notices.map((n) => n.alarm.type).sort()).toEqual(['data-gap', 'led-fault']);

    apply(NOW + 60_000, [condition('led-fault', false), condition('data-gap', false)]);
    await dispatcher.whenNotified();
    expect(tech.notices.map((n) => [n.event, n.alarm.state])).toEqual([
      ['raised', 'raised'],
      ['cleared', 'cleared'],
    ]);
    expect(alarms.get(gap?.id ?? '')?.notifications.map((n) => [n.channel, n.event, n.state])).toEqual([
      ['webhook', 'raised', 'sent'],
      ['webhook', 'cleared', 'sent'],
    ]);
    expect(dispatcher.counts()).toEqual({ sent: 6, failedAttempts: 0, givenUp: 0 });
  });

  it('retries with backoff, records each outcome, and gives up after notifyRetries', async () => {
    const flaky = recordingNotifier('webhook:flaky', 1);
    const down = recordingNotifier('webhook:down', 99);
    const { alarms, dispatcher, delivered, apply } = setUp([flaky.notifier, down.notifier]);
    apply(NOW, [condition('gateway-silent', true)]);
    await dispatcher.settled();
    const [alarm] = alarms.list({ limit: 1 });
    const byChannel = Object.fromEntries((alarm?.notifications ?? []).map((n) => [n.channel, n]));
    expect(byChannel['webhook:flaky']).toMatchObject({ state: 'sent', attempts: 2, lastError: null });
    expect(byChannel['webhook:down']).toMatchObject({
      state: 'failed',
      attempts: 3,
      lastError: 'webhook:down is down',
    });
    expect(down.notices).toHaveLength(3);
    expect(dispatcher.counts()).toEqual({ sent: 1, failedAttempts: 4, givenUp: 1 });
    // Each ended delivery shows again, with its record.
    expect(delivered).toHaveLength(2);
    expect(delivered.at(-1)?.notifications.every((n) => n.state !== 'pending')).toBe(true);
  });

  it('resumes, once, the deliveries an earlier process left pending', async () => {
    const alarms = openAlarmStore(':memory:');
    // Raised with a delivery record by a process that stopped before sending.
    const raised = alarms.raise({
      type: 'clock-skew',
      vesselId: VESSEL,
      atMs: NOW,
      detail: 'clock 1970',
      evidence: {},
      channels: ['webhook'],
    });
    alarms.recordDelivery(raised.id, 'webhook', 'raised', {
      state: 'pending',
      attempts: 1,
      lastError: 'refused',
      atMs: NOW,
    });
    const hook = recordingNotifier('webhook');
    const { dispatcher } = setUp([hook.notifier], alarms);
    dispatcher.resumePending();
    dispatcher.resumePending();
    await dispatcher.whenNotified();
    expect(hook.notices.map((n) => [n.event, n.alarm.id])).toEqual([['raised', raised.id]]);
    expect(alarms.get(raised.id)?.notifications[0]).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('refuses two notifiers with the same channel name', () => {
    const a = recordingNotifier('email');
    const alarms = openAlarmStore(':memory:');
    expect(() =>
      createNotificationDispatcher({
        alarms,
        notifiers: [a.notifier, a.notifier],
        config: { notifyRetries: 0, notifyBackoffMs: 0 },
        clock: { now: () => NOW },
        logger,
        onDelivered: () => undefined,
      }),
    ).toThrow('two notifiers share the channel name email');
    alarms.close();
  });
});
