import path from 'node:path';
import type { DeviceEvent } from '@qt-led/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { BOOT, T0, VESSEL, bootOnTempQueue, cleanUpParts, recordingSession } from '../../test/part-rig.js';
import { openDiskQueue } from './disk-queue.js';
import { createEventLog } from './event-log.js';

afterEach(cleanUpParts);

const TIMEOUT_MS = 120_000;

describe('the event log', () => {
  it('stores events with the boot and a growing eventSeq, until an ack names them', async () => {
    const boot = bootOnTempQueue();
    let now = T0;
    const log = createEventLog({ boot, topic: 'unit/events', wallNowMs: () => now });
    log.record({ type: 'sensor-fault', sensor: 'gps', detail: 'no fix for 300 s' });
    now += 1_000;
    log.record({ type: 'sensor-recovered', sensor: 'gps' });
    const mqtt = recordingSession();
    const [first, second] = log.due(0, TIMEOUT_MS);
    if (!first || !second) throw new Error('nothing stored');
    await log.publish(mqtt, first, 0);
    // The broker has it; the platform has not confirmed it: kept, but not due again before the timeout.
    expect(log.pending()).toBe(2);
    expect(log.due(1, TIMEOUT_MS).map((e) => e.id)).toEqual([second.id]);
    expect(log.acknowledge(BOOT, 0, [])).toEqual({ removed: 1, unpublished: 0 });
    expect(log.pending()).toBe(1);
    expect(mqtt.published).toEqual([{ topic: 'unit/events', payload: first.body, qos: 1, retain: false }]);
    expect(JSON.parse(first.body) as DeviceEvent).toEqual({
      schema: 'qtled.event/1',
      vesselId: VESSEL,
      gatewayId: boot.gatewayId,
      bootId: BOOT,
      eventSeq: 0,
      atMs: T0,
      event: { type: 'sensor-fault', sensor: 'gps', detail: 'no fix for 300 s' },
    });
    expect(JSON.parse(second.body)).toMatchObject({ eventSeq: 1, atMs: T0 + 1_000 });
  });

  it('keeps an event a forged or early ack names before it was published', async () => {
    const boot = bootOnTempQueue();
    const log = createEventLog({ boot, topic: 'unit/events', wallNowMs: () => T0 });
    log.record({ type: 'meter-replaced', sensor: 'led-meter', lastRegister: 1_234.5, firstRegister: 0 });
    log.record({ type: 'sensor-recovered', sensor: 'gps' });
    expect(log.acknowledge(BOOT, 5, [[7, 9]])).toEqual({ removed: 0, unpublished: 2 });
    expect(log.acknowledge('ffffffff', 5, [])).toEqual({ removed: 0, unpublished: 0 });
    expect(log.pending()).toBe(2);
    const [first] = log.due(0, TIMEOUT_MS);
    if (!first) throw new Error('nothing due');
    await log.publish(recordingSession(), first, 0);
    // Only what was published goes; the other stays for its own ack.
    expect(log.acknowledge(BOOT, 5, [])).toEqual({ removed: 1, unpublished: 1 });
    expect(log.pending()).toBe(1);
  });

  it('sends an unacknowledged event again after the ack timeout and on a new connection', async () => {
    const boot = bootOnTempQueue();
    const log = createEventLog({ boot, topic: 'unit/events', wallNowMs: () => T0 });
    log.record({ type: 'sensor-recovered', sensor: 'gps' });
    const mqtt = recordingSession();
    const [event] = log.due(0, TIMEOUT_MS);
    if (!event) throw new Error('nothing due');
    await log.publish(mqtt, event, 1_000);
    expect(log.due(1_000 + TIMEOUT_MS - 1, TIMEOUT_MS)).toEqual([]);
    expect(log.nextResendMono(TIMEOUT_MS)).toBe(1_000 + TIMEOUT_MS);
    expect(log.due(1_000 + TIMEOUT_MS, TIMEOUT_MS).map((e) => e.id)).toEqual([event.id]);
    log.connected();
    expect(log.due(1_001, TIMEOUT_MS).map((e) => e.id)).toEqual([event.id]);
    // A publish that failed is due again at once.
    mqtt.failing = true;
    await expect(log.publish(mqtt, event, 2_000)).rejects.toThrow();
    expect(log.due(2_001, TIMEOUT_MS).map((e) => e.id)).toEqual([event.id]);
  });

  it('keeps unacknowledged events on disk across a restart, and their ack still finds them', async () => {
    const boot = bootOnTempQueue();
    const log = createEventLog({ boot, topic: 'unit/events', wallNowMs: () => T0 });
    log.record({ type: 'config-applied', configVersion: 2 });
    const [event] = log.due(0, TIMEOUT_MS);
    if (!event) throw new Error('nothing due');
    await log.publish(recordingSession(), event, 0);
    boot.queue.close();
    const reopened = openDiskQueue({ path: path.join(boot.dir, 'queue.sqlite') });
    try {
      // The next boot on the same queue: the old boot stays while its event waits for an ack.
      reopened.startBoot('bbbbbbbb', T0 + 1);
      reopened.startBoot('cccccccc', T0 + 2);
      const again = createEventLog({
        boot: { ...boot, queue: reopened },
        topic: 'unit/events',
        wallNowMs: () => T0,
      });
      const [kept] = again.due(0, TIMEOUT_MS);
      expect(JSON.parse(kept?.body ?? '{}')).toMatchObject({ event: { type: 'config-applied' } });
      expect(again.acknowledge(BOOT, 0, [])).toEqual({ removed: 1, unpublished: 0 });
      expect(again.pending()).toBe(0);
    } finally {
      reopened.close();
    }
  });
});
