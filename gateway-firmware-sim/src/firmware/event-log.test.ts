import path from 'node:path';
import type { DeviceEvent } from '@qt-led/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { BOOT, T0, VESSEL, bootOnTempQueue, cleanUpParts, recordingSession } from '../../test/part-rig.js';
import { openDiskQueue } from './disk-queue.js';
import { createEventLog } from './event-log.js';

afterEach(cleanUpParts);

describe('the event log', () => {
  it('stores events with the boot and a growing eventSeq, until their publish was acknowledged', async () => {
    const boot = bootOnTempQueue();
    let now = T0;
    const log = createEventLog({ boot, topic: 'unit/events', wallNowMs: () => now });
    log.record({ type: 'sensor-fault', sensor: 'gps', detail: 'no fix for 300 s' });
    now += 1_000;
    log.record({ type: 'sensor-recovered', sensor: 'gps' });
    const mqtt = recordingSession();
    const first = log.oldest();
    if (!first) throw new Error('nothing stored');
    await log.publish(mqtt, first);
    // Published, not yet confirmed: still the oldest.
    expect(log.oldest()?.id).toBe(first.id);
    log.delivered(first);
    const second = log.oldest();
    expect(second?.id).not.toBe(first.id);
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
    expect(JSON.parse(second?.body ?? '{}')).toMatchObject({ eventSeq: 1, atMs: T0 + 1_000 });
  });

  it('keeps undelivered events on disk across a restart', () => {
    const boot = bootOnTempQueue();
    createEventLog({ boot, topic: 'unit/events', wallNowMs: () => T0 }).record({
      type: 'config-applied',
      configVersion: 2,
    });
    boot.queue.close();
    const reopened = openDiskQueue({ path: path.join(boot.dir, 'queue.sqlite') });
    try {
      const log = createEventLog({
        boot: { ...boot, queue: reopened },
        topic: 'unit/events',
        wallNowMs: () => T0,
      });
      expect(JSON.parse(log.oldest()?.body ?? '{}')).toMatchObject({ event: { type: 'config-applied' } });
    } finally {
      reopened.close();
    }
  });
});
