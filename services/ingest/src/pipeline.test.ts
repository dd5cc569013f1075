import { type Ack, type BootId, encodePayload, examplePayload, topicFor } from '@qt-led/contract';
import { createLogger } from '@qt-led/runtime';
import {
  type DeadLetter,
  type StoredDeviceMessage,
  type StoredReading,
  StoreUnavailableError,
} from '@qt-led/store';
import { describe, expect, it, vi } from 'vitest';
import { createIngestMetrics } from './metrics.js';
import type { MqttPort } from './mqtt-port.js';
import { createIngest, type IngestDeps, type IngestStore } from './pipeline.js';
import { openSpool } from './spool.js';
import { batch, fleet, registry } from './testing/builders.js';

const ROOT = 'qtled-test';
const BOOT = 'c0ffee0001' as BootId;
const [{ vesselId, gatewayId }] = fleet as [(typeof fleet)[number]];
const telemetryTopic = topicFor('telemetry', vesselId, ROOT);
const SENT_AT_MS = Date.now();

/** An MQTT client as far as the pipeline sees it; `deliver` says whether the message was PUBACKed. */
function fakeMqtt() {
  const published: { topic: string; payload: string }[] = [];
  const onConnect: (() => void)[] = [];
  let grantedQos = 1;
  const port = {
    connected: true,
    handleMessage(_packet, done) {
      done();
    },
    subscribeAsync: vi.fn((filters: string[]) => Promise.resolve(filters.map(() => ({ qos: grantedQos })))),
    unsubscribeAsync: vi.fn(() => Promise.resolve()),
    publishAsync(topic, payload) {
      published.push({ topic, payload });
      return Promise.resolve();
    },
    on(_event, listener) {
      onConnect.push(listener);
    },
    endAsync: vi.fn(() => Promise.resolve()),
  } satisfies MqttPort;
  return {
    port,
    published,
    acks: () => published.map((p) => JSON.parse(p.payload) as Ack),
    reconnect: () => {
      for (const listener of onConnect) listener();
    },
    grant: (qos: number) => {
      grantedQos = qos;
    },
    deliver(topic: string, payload: string): boolean {
      let pubacked = false;
      port.handleMessage({ topic, payload }, () => {
        pubacked = true;
      });
      return pubacked;
    },
  };
}

/** The store as ingest uses it, in memory; it can be made to fail or to hold writes until released. */
function memoryStore() {
  const readings = new Map<string, StoredReading>();
  const letters: DeadLetter[] = [];
  const deviceMessages: StoredDeviceMessage[] = [];
  const control = { failing: false, gate: undefined as Promise<void> | undefined, release: () => {} };
  const store: IngestStore = {
    async writeReadings(batch) {
      await control.gate;
      if (control.failing) throw new StoreUnavailableError('the store is away');
      for (const r of batch) readings.set(`${r.vesselId}/${r.bootId}/${r.seq}`, r);
    },
    addDeadLetters(batch) {
      for (const l of batch) letters.push({ ...l, id: String(letters.length + 1), replayedAtMs: null });
      return Promise.resolve();
    },
    async writeDeviceMessages(batch) {
      await control.gate;
      if (control.failing) throw new StoreUnavailableError('the store is away');
      deviceMessages.push(...batch);
    },
    getDeadLetter: (id) => Promise.resolve(letters.find((l) => l.id === id)),
    markDeadLetterReplayed(id, atMs) {
      const letter = letters.find((l) => l.id === id);
      if (letter !== undefined) letter.replayedAtMs = atMs;
      return Promise.resolve();
    },
    readings: () => Promise.resolve([]),
  };
  return {
    store,
    control,
    readings,
    letters,
    deviceMessages,
    hold() {
      control.gate = new Promise((resolve) => {
        control.release = () => {
          control.gate = undefined;
          resolve();
        };
      });
    },
  };
}

function setup(overrides: Partial<IngestDeps> = {}) {
  const mqtt = fakeMqtt();
  const memory = memoryStore();
  // Real time, so that batches age; shifted by `offsetMs` where a test needs a later platform clock.
  const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
  const spool = openSpool(':memory:');
  const ingest = createIngest({
    mqtt: mqtt.port,
    store: memory.store,
    registry,
    spool,
    clock,
    logger: createLogger({ name: 'pipeline-test', level: 'silent' }),
    metrics: createIngestMetrics(),
    options: {
      topicRoot: ROOT,
      shareGroup: 'ingest',
      batchMaxReadings: 1_000,
      batchMaxAgeMs: 20,
      maxWritesInFlight: 2,
      futureToleranceMs: 300_000,
      minDeviceTimeMs: Date.UTC(2017, 0, 1),
      clockSkewToleranceMs: 120_000,
      retryBaseMs: 10,
      retryMaxMs: 40,
      gapScanIntervalMs: 0,
    },
    ...overrides,
  });
  return { ingest, mqtt, memory, clock, spool };
}

function telemetry(fromSeq: number, count: number): string {
  return encodePayload('telemetry', batch(vesselId, gatewayId, BOOT, fromSeq, count, SENT_AT_MS));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ingest pipeline', () => {
  it('subscribes at QoS 1 to what gateways publish, through the share group, and renews on reconnecting', async () => {
    const { ingest, mqtt } = setup();
    await ingest.start();
    const filters = mqtt.port.subscribeAsync.mock.calls[0]?.[0] ?? [];
    expect(filters).toHaveLength(4);
    expect(filters.every((f) => f.startsWith('$share/ingest/'))).toBe(true);
    expect(filters.map((f) => f.split('/').at(-1)).sort()).toEqual([
      'events',
      'heartbeat',
      'presence',
      'telemetry',
    ]);
    expect(ingest.ready()).toBe(true);
    mqtt.reconnect();
    await sleep(0);
    expect(mqtt.port.unsubscribeAsync).toHaveBeenCalledWith(filters);
    expect(mqtt.port.subscribeAsync).toHaveBeenCalledTimes(2);
    await ingest.stop();

    const refused = setup();
    refused.mqtt.grant(0);
    await expect(refused.ingest.start()).rejects.toThrow(/refused subscription/);
  });

  it('acknowledges only after the durable write, and hands the stored readings to onStored', async () => {
    const onStored = vi.fn();
    const { ingest, mqtt, memory } = setup({ onStored });
    await ingest.start();
    memory.hold();
    expect(mqtt.deliver(telemetryTopic, telemetry(0, 5))).toBe(true);
    await sleep(60); // past the batch age: the write has started and waits on the store
    expect(mqtt.published).toEqual([]);
    expect(onStored).not.toHaveBeenCalled();
    memory.control.release();
    await ingest.idle();
    expect(mqtt.published.map((p) => p.topic)).toEqual([topicFor('ack', vesselId, ROOT)]);
    expect(mqtt.acks()[0]?.boots).toEqual([{ bootId: BOOT, throughSeq: 4 }]);
    expect(onStored).toHaveBeenCalledTimes(1);
    expect((onStored.mock.calls[0]?.[0] as StoredReading[]).map((r) => r.seq)).toEqual([0, 1, 2, 3, 4]);
    await ingest.stop();
  });

  it('holds the connection’s writes for the turn before it accepts a message (one socket write for the PUBACKs)', async () => {
    const order: string[] = [];
    const { ingest, mqtt } = setup({ corkWrites: () => order.push('cork') });
    await ingest.start();
    const accepted = (ok: boolean) => order.push(ok ? 'puback' : 'held');
    accepted(mqtt.deliver(telemetryTopic, telemetry(0, 1)));
    accepted(mqtt.deliver(telemetryTopic, telemetry(1, 1)));
    expect(order).toEqual(['cork', 'puback', 'cork', 'puback']);
    await ingest.stop();
  });

  it('acknowledges a device event by its seq only after it is durably stored', async () => {
    const { ingest, mqtt, memory } = setup();
    await ingest.start();
    const event = {
      ...examplePayload('events'),
      vesselId,
      gatewayId,
      bootId: BOOT,
      eventSeq: 3,
      atMs: SENT_AT_MS,
    };
    memory.hold();
    expect(mqtt.deliver(topicFor('events', vesselId, ROOT), JSON.stringify(event))).toBe(true);
    await sleep(60);
    expect(mqtt.published).toEqual([]);
    memory.control.release();
    await ingest.idle();
    expect(memory.deviceMessages.map((m) => m.kind)).toEqual(['event']);
    expect(mqtt.acks()[0]?.boots).toEqual([
      { bootId: BOOT, throughSeq: -1, eventsThroughSeq: -1, storedEventRanges: [[3, 3]] },
    ]);
    await ingest.stop();
  });

  it('calls onStored for readings written back from the disk backlog too, and not for what holds none', async () => {
    const onStored = vi.fn();
    const { ingest, mqtt, memory, spool } = setup({ onStored });
    await ingest.start();
    memory.control.failing = true;
    mqtt.deliver(telemetryTopic, telemetry(0, 3));
    mqtt.deliver(telemetryTopic, '{"schema":'); // a dead letter only
    await sleep(60);
    expect(spool.depth().readings).toBe(3);
    expect(ingest.ready()).toBe(false);
    expect(mqtt.published).toEqual([]);
    memory.control.failing = false;
    await ingest.idle();
    expect(onStored).toHaveBeenCalledTimes(1);
    expect((onStored.mock.calls[0]?.[0] as StoredReading[]).map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(mqtt.acks().at(-1)?.boots).toEqual([{ bootId: BOOT, throughSeq: 2 }]);
    expect(memory.letters.map((l) => l.reason)).toEqual(['invalid-json']);
    expect(ingest.ready()).toBe(true);
    await ingest.stop();
  });

  it('an onStored that throws is logged: the readings stay stored once and acknowledged', async () => {
    const onStored = vi.fn(() => {
      throw new Error('live stream broke');
    });
    const { ingest, mqtt, memory, spool } = setup({ onStored });
    await ingest.start();
    mqtt.deliver(telemetryTopic, telemetry(0, 2));
    await ingest.idle();
    expect(onStored).toHaveBeenCalledTimes(1);
    expect(memory.readings.size).toBe(2);
    expect(spool.depth().batches).toBe(0);
    expect(mqtt.acks()[0]?.boots).toEqual([{ bootId: BOOT, throughSeq: 1 }]);
    expect(ingest.ready()).toBe(true);
    await ingest.stop();
  });

  it('withholds the PUBACK of what arrives while stopping, writes what it had, and force-closes', async () => {
    const { ingest, mqtt, memory } = setup();
    await ingest.start();
    mqtt.deliver(telemetryTopic, telemetry(0, 2));
    const stopping = ingest.stop();
    expect(mqtt.deliver(telemetryTopic, telemetry(2, 2))).toBe(false);
    await stopping;
    expect([...memory.readings.values()].map((r) => r.seq)).toEqual([0, 1]);
    expect(mqtt.acks()[0]?.boots).toEqual([{ bootId: BOOT, throughSeq: 1 }]);
    expect(mqtt.port.endAsync).toHaveBeenCalledWith(true);
    expect(ingest.ready()).toBe(false);
  });

  it('replays a dead letter as a whole once it passes, and marks it replayed', async () => {
    const { ingest, mqtt, memory, clock } = setup();
    await ingest.start();
    const sent = batch(vesselId, gatewayId, BOOT, 0, 2, SENT_AT_MS);
    (sent.readings[0] as { deviceTimeMs: number }).deviceTimeMs = clock.now() + 86_400_000;
    (sent.readings[1] as { deviceTimeMs: number }).deviceTimeMs = clock.now() + 2 * 86_400_000;
    mqtt.deliver(telemetryTopic, encodePayload('telemetry', sent));
    await ingest.idle();
    const id = memory.letters[0]?.id ?? '';
    clock.offsetMs += 1.5 * 86_400_000; // the first reading is no longer in the future, the second still is
    expect(await ingest.replayDeadLetter(id)).toMatchObject({
      replayed: false,
      reason: /^time-in-future: 1 reading/,
    });
    await ingest.idle();
    expect(memory.readings.size).toBe(0);
    expect(memory.letters).toHaveLength(1);
    clock.offsetMs += 86_400_000;
    expect(await ingest.replayDeadLetter(id)).toEqual({ replayed: true });
    expect([...memory.readings.values()].map((r) => r.seq)).toEqual([0, 1]);
    expect(memory.letters[0]?.replayedAtMs).toBeGreaterThan(Date.now() + 2 * 86_400_000);
    expect((await ingest.replayDeadLetter(id)).reason).toMatch(/^already replayed/);
    await ingest.stop();
  });
});
