import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BootId } from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import type { TelemetryStore } from '@qt-led/store';
import { createSqliteStore } from '@qt-led/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlarmNotFoundError, AlarmStateError, type FleetChange } from './model.js';
import { createEmailNotifier } from './notifiers/email.js';
import { createWebhookNotifier } from './notifiers/webhook.js';
import { createFleetStatusService, type FleetStatusServiceImpl } from './service.js';
import { type HttpReceiver, type SmtpSink, startHttpReceiver, startSmtpSink } from '@qt-led/test-harness';
import { heartbeat, liftNetNight, local, MIN, presence, reading, VESSEL } from './testing/readings.js';

const registry = loadFleetRegistry();
const dir = mkdtempSync(join(tmpdir(), 'qtled-fleet-status-'));
const alarmDbPath = join(dir, 'alarms.sqlite');
let store: TelemetryStore;
let good: HttpReceiver;
let down: HttpReceiver;
let smtp: SmtpSink;

/** Two of the 24 lamps dark from 21:00 on the night of 5 March; healthy again on the night of the 6th. */
const faultyNight = liftNetNight(2024, 3, 5).map((r) =>
  r.deviceTimeMs >= local(2024, 3, 5, 21) && (r.lampsOn ?? 0) > 0
    ? reading({ ...r, ledPowerW: ((r.lampsOn ?? 0) - 2) * 240 * 0.99 })
    : r,
);
// After a reboot of the gateway (new boot id, seq from 0); the meter register goes on.
const healthyNight = liftNetNight(2024, 3, 6).map((r) => ({
  ...r,
  bootId: 'b1b2c3d4' as BootId,
  ledEnergyKwh: (r.ledEnergyKwh ?? 0) + 60,
}));

function service(): FleetStatusServiceImpl {
  return createFleetStatusService({
    store,
    registry,
    alarmDbPath,
    notifiers: [
      createWebhookNotifier({ url: good.url, channel: 'webhook:ops' }),
      createWebhookNotifier({ url: down.url, channel: 'webhook:partner', timeoutMs: 2_000 }),
      createEmailNotifier({
        host: '127.0.0.1',
        port: smtp.port,
        from: 'alarms@qtled.example',
        to: ['officer@qtled.example'],
      }),
    ],
    config: { notifyRetries: 2, notifyBackoffMs: 10 },
  });
}

beforeAll(async () => {
  store = createSqliteStore({ path: join(dir, 'telemetry.sqlite') });
  good = await startHttpReceiver(200);
  down = await startHttpReceiver(503);
  smtp = await startSmtpSink();
});
afterAll(async () => {
  await store.close();
  await good.close();
  await down.close();
  await smtp.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('fleet status service on the SQLite store, with real receivers', () => {
  it('raises an LED fault once, notifies every channel with retries, survives a restart, and clears', async () => {
    await store.writeReadings(faultyNight);
    const now = local(2024, 3, 6, 12);
    await store.writeDeviceMessages([
      presence('online', local(2024, 3, 6, 7, 40)),
      heartbeat(now - 2 * MIN, 0),
    ]);

    const first = service();
    const changes: FleetChange[] = [];
    first.onChange((c) => changes.push(c));
    const status = await first.status(VESSEL, now);
    expect(status?.status).toBe('led-fault');
    expect(status?.conditions).toEqual(['led-fault', 'in-port']);

    await first.evaluate(now);
    const open = await first.listAlarms({ state: 'raised', limit: 10 });
    expect(open.map((a) => [a.type, a.vesselId])).toEqual([['led-fault', VESSEL]]);
    const alarm = open[0];
    if (alarm === undefined) throw new Error('no alarm');
    expect(alarm.evidence['expectedLedPowerW']).toBeGreaterThan(alarm.evidence['ledPowerW'] as number);
    expect(alarm.detail).toMatch(/LED power \d+ W against \d+ W expected/);
    // Delivery per channel: the working receivers got it once, the failing one was tried 3 times and the failure is visible.
    const byChannel = Object.fromEntries(alarm.notifications.map((n) => [n.channel, n]));
    expect(byChannel['webhook:ops']).toMatchObject({
      event: 'raised',
      state: 'sent',
      attempts: 1,
      lastError: null,
    });
    expect(byChannel['email']).toMatchObject({ state: 'sent', attempts: 1 });
    expect(byChannel['webhook:partner']).toMatchObject({ state: 'failed', attempts: 3 });
    expect(byChannel['webhook:partner']?.lastError).toMatch(/HTTP 503/);
    expect(down.requests).toBe(3);
    expect(good.bodies).toHaveLength(1);
    expect(good.bodies[0]).toMatchObject({ event: 'raised', alarm: { id: alarm.id, type: 'led-fault' } });
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]?.to).toEqual(['officer@qtled.example']);
    expect(smtp.messages[0]?.data).toMatch(/Subject: \[QT-LED\] LED fault raised: QT-90145-TS/);
    expect(first.notificationCounts()).toEqual({ sent: 2, failedAttempts: 3, givenUp: 1 });
    expect(changes.some((c) => c.type === 'status' && c.status.vesselId === VESSEL)).toBe(true);
    expect(changes.some((c) => c.type === 'alarm' && c.alarm.id === alarm.id)).toBe(true);

    // A second pass: the fault goes on, the alarm is not raised again.
    await first.evaluate(now + 5 * MIN);
    expect(await first.listAlarms({ limit: 10 })).toHaveLength(1);
    expect(good.requests).toBe(1);

    const acked = await first.acknowledgeAlarm(alarm.id, 'officer.hoa', now + 10 * MIN);
    expect(acked).toMatchObject({
      state: 'acknowledged',
      acknowledgedBy: 'officer.hoa',
      acknowledgedAtMs: now + 10 * MIN,
    });
    await expect(first.acknowledgeAlarm(alarm.id, 'someone')).rejects.toBeInstanceOf(AlarmStateError);
    await expect(first.acknowledgeAlarm('no-such-alarm', 'someone')).rejects.toMatchObject({
      code: 'ALARM_NOT_FOUND',
    });
    await expect(first.acknowledgeAlarm('no-such-alarm', 'someone')).rejects.toBeInstanceOf(
      AlarmNotFoundError,
    );
    await first.stop();

    // Restarted on the same alarm database: the open alarm is found again, nothing raised or sent twice.
    const second = service();
    await second.evaluate(now + 20 * MIN);
    const after = await second.listAlarms({ limit: 10 });
    expect(after).toHaveLength(1);
    expect(after[0]?.state).toBe('acknowledged');
    expect(good.requests).toBe(1);
    expect(smtp.messages).toHaveLength(1);

    // The next night is healthy: the alarm clears and the clearance is announced.
    await store.writeReadings(healthyNight);
    const later = local(2024, 3, 7, 12);
    await store.writeDeviceMessages([heartbeat(later - MIN, 0)]);
    await second.evaluate(later);
    const cleared = await second.getAlarm(alarm.id);
    expect(cleared).toMatchObject({ state: 'cleared', clearedAtMs: later, acknowledgedBy: 'officer.hoa' });
    expect(good.bodies.at(-1)).toMatchObject({ event: 'cleared', alarm: { id: alarm.id } });
    expect(await second.listAlarms({ limit: 10 })).toHaveLength(1);
    expect(smtp.messages.at(-1)?.data).toMatch(/LED fault cleared/);
    await expect(second.acknowledgeAlarm(alarm.id, 'late')).rejects.toMatchObject({ code: 'ALARM_STATE' });

    // Trips, nights and completeness from the same data.
    const nights = await second.nights({
      vesselId: VESSEL,
      fromMs: local(2024, 3, 5),
      toMs: local(2024, 3, 8),
    });
    expect(nights.map((n) => n.night)).toEqual(['2024-03-05', '2024-03-06']);
    const trips = await second.trips({
      vesselId: VESSEL,
      fromMs: local(2024, 3, 5),
      toMs: local(2024, 3, 8),
    });
    expect(trips.map((t) => t.nightsFished)).toEqual([1, 1]);
    const matrix = await second.completeness({
      fromMs: local(2024, 3, 5),
      toMs: local(2024, 3, 8),
      vesselIds: [VESSEL],
    });
    expect(matrix.days).toEqual(['2024-03-05', '2024-03-06', '2024-03-07']);
    // 12:00 on the 5th to 12:00 on the 7th, a reading a minute.
    expect(matrix.vessels[0]?.cells.map((c) => c.received)).toEqual([720, 1440, 720]);
    expect(matrix.vessels[0]?.cells[1]?.ratio).toBe(1);
    await second.stop();
  });
});
