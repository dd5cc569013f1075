import { Ack, type DeviceEvent, type TelemetryBatch } from '@qt-led/contract';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BOOT,
  T0,
  VESSEL,
  appendReadings,
  bootOnTempQueue,
  cleanUpParts,
  newTimeline,
  recordingLogger,
  recordingSession,
  runTo,
  runningState,
  timelineClock,
} from '../../test/part-rig.js';
import { createActivity } from './activity.js';
import { createEventLog } from './event-log.js';
import { wallNowMs } from './gateway-state.js';
import type { GatewaySettings } from './settings.js';
import { createUploader } from './uploader.js';

afterEach(cleanUpParts);

const UPLOAD: GatewaySettings['upload'] = {
  batchMaxReadings: 5,
  batchMaxAgeS: 300,
  ackTimeoutS: 120,
  backfillMaxReadingsPerS: 1,
};

function rig(options: { maxInFlightReadings?: number } = {}) {
  const timeline = newTimeline();
  const clock = timelineClock(timeline);
  const boot = bootOnTempQueue();
  const state = runningState({ upload: UPLOAD });
  const log = recordingLogger();
  const activity = createActivity({ isStopped: () => state.stopped, log });
  const wallNow = (): number => wallNowMs(clock);
  const events = createEventLog({ boot, topic: 'unit/events', wallNowMs: wallNow });
  const uploader = createUploader({
    boot,
    topic: 'unit/telemetry',
    clock,
    wallNowMs: wallNow,
    maxInFlightReadings: options.maxInFlightReadings ?? 100,
    state,
    events,
    activity,
    log,
  });
  const mqtt = recordingSession();
  const telemetry = (): TelemetryBatch[] =>
    mqtt.published
      .filter((p) => p.topic === 'unit/telemetry')
      .map((p) => JSON.parse(p.payload) as TelemetryBatch);
  const seqs = (): number[] => telemetry().flatMap((b) => b.readings.map((r) => r.seq));
  const ack = (throughSeq: number, storedRanges?: [number, number][]): Ack =>
    Ack.parse({
      schema: 'qtled.ack/1',
      vesselId: VESSEL,
      atMs: T0,
      boots: [{ bootId: BOOT, throughSeq, ...(storedRanges ? { storedRanges } : {}) }],
    });
  return { timeline, clock, boot, state, log, events, uploader, mqtt, telemetry, seqs, ack };
}

describe('the uploader', () => {
  it('sends a full live batch at once and deletes from disk exactly what an ack confirms', async () => {
    const r = rig();
    r.uploader.connected(r.mqtt);
    appendReadings(r.boot, 5, T0);
    r.uploader.request();
    await runTo(r.timeline, T0);
    expect(r.seqs()).toEqual([0, 1, 2, 3, 4]);
    expect(r.mqtt.published[0]).toMatchObject({ qos: 1, retain: false });
    // Published is not stored: everything stays on disk until the ack.
    expect(r.boot.queue.depth()).toBe(5);
    expect(r.uploader.inFlightCount()).toBe(5);
    r.uploader.acknowledge(r.ack(1, [[3, 3]]));
    expect(r.boot.queue.depth()).toBe(2);
    expect(r.uploader.inFlightCount()).toBe(2);
    expect(r.uploader.counts()).toMatchObject({ acked: 3, published: 5, batches: 1, fromBacklog: 0 });
    expect(r.uploader.lastAck()).toEqual({ bootId: BOOT, throughSeq: 1 });
  });

  it('keeps what an ack names but it never published: a forged ack erases nothing unsent', async () => {
    const r = rig();
    r.uploader.connected(r.mqtt);
    appendReadings(r.boot, 5, T0);
    r.uploader.request();
    await runTo(r.timeline, T0);
    expect(r.seqs()).toEqual([0, 1, 2, 3, 4]);
    appendReadings(r.boot, 3, T0 + 60_000); // seq 5–7: taken, not yet due, so never sent
    // A retained forged ack through seq 1,000 (the attack seen): only the five published readings may go.
    r.uploader.acknowledge(r.ack(1_000, [[2_000, 3_000]]));
    expect(r.boot.queue.depth()).toBe(3);
    expect(r.uploader.counts()).toMatchObject({ acked: 5, ackedUnpublished: 3 });
    expect(r.log.lines.some((l) => l.level === 'warn' && l.message.includes('never published'))).toBe(true);
    // They still leave, and are deleted once a real ack confirms them.
    await runTo(r.timeline, T0 + 360_000);
    expect(r.seqs().slice(5)).toEqual([5, 6, 7]);
    r.uploader.acknowledge(r.ack(7));
    expect(r.boot.queue.depth()).toBe(0);
  });

  it('holds a live batch back until its oldest reading is batchMaxAgeS old', async () => {
    const r = rig();
    r.uploader.connected(r.mqtt);
    appendReadings(r.boot, 2, T0);
    r.uploader.request();
    await runTo(r.timeline, T0 + 299_000);
    expect(r.seqs()).toEqual([]);
    await runTo(r.timeline, T0 + 300_000);
    expect(r.seqs()).toEqual([0, 1]);
  });

  it('resends, byte for byte and as backlog, what was not acknowledged within ackTimeoutS', async () => {
    const r = rig();
    r.uploader.connected(r.mqtt);
    appendReadings(r.boot, 5, T0);
    r.uploader.request();
    await runTo(r.timeline, T0 + 119_000);
    expect(r.telemetry()).toHaveLength(1);
    await runTo(r.timeline, T0 + 121_000);
    const [first, again] = r.telemetry();
    expect(again?.readings).toEqual(first?.readings);
    expect(r.uploader.counts()).toMatchObject({ ackTimeouts: 5, published: 10, fromBacklog: 5 });
    // Still nothing deleted without an ack.
    expect(r.boot.queue.depth()).toBe(5);
    r.uploader.acknowledge(r.ack(4));
    expect(r.boot.queue.depth()).toBe(0);
    expect(r.uploader.inFlightCount()).toBe(0);
  });

  it('drains the backlog oldest first under the backfill rate, and never holds more in flight than allowed', async () => {
    const r = rig({ maxInFlightReadings: 10 });
    appendReadings(r.boot, 20, T0 - 20 * 60_000);
    r.uploader.connected(r.mqtt);
    r.uploader.request();
    await runTo(r.timeline, T0);
    // The bucket starts with one batch's worth; then 1 reading/s.
    expect(r.seqs()).toEqual([0, 1, 2, 3, 4]);
    await runTo(r.timeline, T0 + 4_000);
    expect(r.seqs()).toHaveLength(5);
    await runTo(r.timeline, T0 + 5_000);
    expect(r.seqs()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The window is full: nothing more until an ack, however long the wait for tokens.
    await runTo(r.timeline, T0 + 60_000);
    expect(r.seqs()).toHaveLength(10);
    expect(r.uploader.inFlightCount()).toBe(10);
    r.uploader.acknowledge(r.ack(9));
    await runTo(r.timeline, T0 + 61_000);
    expect(r.seqs().slice(10)).toEqual([10, 11, 12, 13, 14]);
    expect(r.uploader.counts().fromBacklog).toBe(15);
  });

  it('publishes stored events before telemetry, deleting each only when an ack names it', async () => {
    const r = rig();
    r.uploader.connected(r.mqtt);
    appendReadings(r.boot, 5, T0);
    r.events.record({ type: 'sensor-recovered', sensor: 'gps' });
    r.mqtt.failing = true;
    r.uploader.request();
    await runTo(r.timeline, T0);
    expect(r.boot.queue.pendingEvents(10)).toHaveLength(1);
    expect(r.log.lines).toContainEqual({ level: 'warn', message: 'upload interrupted' });
    r.mqtt.failing = false;
    r.uploader.request();
    await runTo(r.timeline, T0);
    expect(r.mqtt.published.map((p) => p.topic)).toEqual(['unit/events', 'unit/telemetry']);
    const event = JSON.parse(r.mqtt.published[0]?.payload ?? '{}') as DeviceEvent;
    expect(event).toMatchObject({ bootId: BOOT, eventSeq: 0, event: { type: 'sensor-recovered' } });
    // The broker took it; the platform has not said it stored it.
    expect(r.boot.queue.pendingEvents(10)).toHaveLength(1);
    // An ack of readings alone leaves the event; not acknowledged within the timeout, it goes again.
    r.uploader.acknowledge(r.ack(4));
    await runTo(r.timeline, T0 + UPLOAD.ackTimeoutS * 1000);
    expect(r.mqtt.published.filter((p) => p.topic === 'unit/events')).toHaveLength(2);
    r.uploader.acknowledge(
      Ack.parse({
        schema: 'qtled.ack/1',
        vesselId: VESSEL,
        atMs: T0,
        boots: [{ bootId: BOOT, throughSeq: 4, eventsThroughSeq: 0 }],
      }),
    );
    expect(r.boot.queue.pendingEvents(10)).toHaveLength(0);
    expect(r.uploader.counts().eventsAcked).toBe(1);
    await runTo(r.timeline, T0 + 3 * UPLOAD.ackTimeoutS * 1000);
    expect(r.mqtt.published.filter((p) => p.topic === 'unit/events')).toHaveLength(2);
  });

  it('forgets what was in flight when the connection drops, and sends nothing while offline', async () => {
    const r = rig();
    r.uploader.connected(r.mqtt);
    appendReadings(r.boot, 5, T0);
    r.uploader.request();
    await runTo(r.timeline, T0);
    r.state.online = false;
    r.uploader.disconnected();
    expect(r.uploader.inFlightCount()).toBe(0);
    appendReadings(r.boot, 5, T0);
    r.uploader.request();
    await runTo(r.timeline, T0 + 3_600_000);
    expect(r.telemetry()).toHaveLength(1);
    // Back online: everything unacknowledged is backlog now, sent oldest first.
    r.state.online = true;
    r.uploader.connected(r.mqtt);
    r.uploader.request();
    await runTo(r.timeline, T0 + 3_600_000);
    expect(r.seqs().slice(5)).toEqual([0, 1, 2, 3, 4]);
    expect(r.uploader.counts().fromBacklog).toBe(5);
  });
});
