import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { type InfluxAdmin, connectMqtt, createIsolation, influxAdmin, waitFor } from './index.js';

// The harness proves itself against the real servers it provides: a test here that passes against a
// broken or misconfigured server is a defect.

const mqttServer = inject('mqtt');
const influxServer = inject('influx');
const VESSEL = 'QT-90145-TS';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function telemetryTopic(topicRoot: string, vesselId = VESSEL): string {
  return `${topicRoot}/v1/vessels/${vesselId}/telemetry`;
}

/** Connects and closes the client when the test finishes. */
async function client(options: Parameters<typeof connectMqtt>[1] = {}): Promise<MqttClient> {
  const connected = await connectMqtt(mqttServer, options);
  onTestFinished(async () => {
    await connected.endAsync(true);
  });
  return connected;
}

/** Publishes `{ seq }` for every seq at QoS 1 and resolves once the broker has acknowledged them all. */
async function publishSeqs(publisher: MqttClient, topic: string, count: number): Promise<void> {
  await Promise.all(
    range(count).map((seq) => publisher.publishAsync(topic, JSON.stringify({ seq }), { qos: 1 })),
  );
}

function seqOf(payload: Buffer): number {
  const { seq } = JSON.parse(payload.toString('utf8')) as { seq: unknown };
  if (typeof seq !== 'number') throw new Error(`payload without numeric seq: ${payload.toString('utf8')}`);
  return seq;
}

/** Waits until `expected` messages arrived, or until none arrived for `quietMs` (so a loss fails fast). */
async function waitForDelivery(received: () => number, expected: number, quietMs = 3_000): Promise<void> {
  let last = -1;
  let lastChangeAt = Date.now();
  await waitFor(
    () => {
      const now = received();
      if (now !== last) [last, lastChangeAt] = [now, Date.now()];
      return now >= expected || (now > 0 && Date.now() - lastChangeAt > quietMs);
    },
    { timeoutMs: 25_000, description: () => `received ${received()} of ${expected} messages` },
  );
}

describe('MQTT broker', () => {
  it('delivers 1,000 QoS 1 messages from a publisher to a subscriber, all of them, in order', async () => {
    const { topicRoot } = createIsolation();
    const topic = telemetryTopic(topicRoot);
    const received: number[] = [];
    const qos = new Set<number>();
    const subscriber = await client({
      onMessage: (_topic, payload, packet) => {
        received.push(seqOf(payload));
        qos.add(packet.qos);
      },
    });
    const [grant] = await subscriber.subscribeAsync(topic, { qos: 1 });
    expect(grant?.qos).toBe(1);

    await publishSeqs(await client(), topic, 1_000);
    await waitForDelivery(() => received.length, 1_000);

    expect(received).toEqual(range(1_000));
    expect([...qos]).toEqual([1]);
  });

  // What the ingest relies on: a persistent session keeps every QoS 1 message while its
  // subscriber is away. With Mosquitto's default max_queued_messages (1000) only ~1,000 of the 5,000 would
  // be kept; deploy/mosquitto/conf.d/10-delivery.conf sets 0 (no limit).
  it('keeps all 5,000 QoS 1 messages for a persistent session while its subscriber is disconnected', async () => {
    const isolation = createIsolation();
    const topic = telemetryTopic(isolation.topicRoot);
    const clientId = isolation.clientId('ingest');

    const first = await connectMqtt(mqttServer, { clientId, clean: false });
    await first.subscribeAsync(topic, { qos: 1 });
    await first.endAsync();

    await publishSeqs(await client(), topic, 5_000);

    const received: number[] = [];
    let sessionPresent: boolean | undefined;
    await client({
      clientId,
      clean: false,
      onConnect: (connack) => {
        sessionPresent = connack.sessionPresent;
      },
      onMessage: (_topic, payload) => {
        received.push(seqOf(payload));
      },
    });
    // Remove the session afterwards: a clean connection with the same client id discards it.
    onTestFinished(async () => {
      const cleaner = await connectMqtt(mqttServer, { clientId, clean: true });
      await cleaner.endAsync();
    });

    expect(sessionPresent).toBe(true);
    await waitForDelivery(() => received.length, 5_000);
    expect(received.length).toBe(5_000);
    expect(received).toEqual(range(5_000));
  });
});

// InfluxDB identifies a point by measurement + tag set + timestamp. Writing the same key again replaces
// the fields the new write carries (and keeps the others): a re-delivered reading lands on the same key
// and overwrites itself, so re-delivery is harmless. But two different readings that share a key silently
// overwrite each other; that is why points are later keyed by (vessel, bootId, seq), never by something
// two readings can share, such as a receive time or a coarse device clock.
describe('InfluxDB', () => {
  const isolation = createIsolation();
  const db = isolation.database;
  let admin: InfluxAdmin;
  const base = Date.UTC(2024, 2, 1); // a fixed past date, well inside any retention
  const line = (seq: number, powerW: number, vessel = VESSEL): string =>
    `telemetry,vessel=${vessel} seq=${seq}i,powerW=${powerW} ${base + seq * 1_000}`;

  async function countSeq(where = ''): Promise<number> {
    const series = await admin.query(db, `SELECT count(seq) FROM telemetry${where}`);
    const value = series[0]?.values[0]?.[1];
    if (value === undefined) return 0; // no matching point: no series at all
    if (typeof value !== 'number') throw new Error(`count is not a number: ${JSON.stringify(series)}`);
    return value;
  }

  beforeAll(async () => {
    admin = influxAdmin(influxServer);
    await admin.createDatabase(db);
  });
  afterAll(async () => {
    await admin.dropDatabase(db);
  });

  it('stores 10,000 points written in batches of 1,000 and counts all of them back', async () => {
    for (let batch = 0; batch < 10; batch++) {
      await admin.writeLines(
        db,
        range(1_000).map((i) => line(batch * 1_000 + i, 100 + i)),
      );
    }
    expect(await countSeq()).toBe(10_000);

    const [series] = await admin.query(
      db,
      `SELECT seq, powerW FROM telemetry WHERE time = ${base + 4_321_000}ms`,
    );
    expect(series?.columns).toEqual(['time', 'seq', 'powerW']);
    expect(series?.values).toEqual([[base + 4_321_000, 4_321, 421]]);
  });

  it('overwrites a point written again with the same series and timestamp, instead of adding one', async () => {
    await admin.writeLines(
      db,
      range(1_000).map((seq) => line(seq, -1)),
    );
    expect(await countSeq()).toBe(10_000);
    expect(await countSeq(' WHERE powerW = -1')).toBe(1_000);

    // A write carrying other fields merges into the existing point rather than replacing it.
    await admin.writeLines(db, [`telemetry,vessel=${VESSEL} ledOn=true ${base}`]);
    const [merged] = await admin.query(db, `SELECT seq, powerW, ledOn FROM telemetry WHERE time = ${base}ms`);
    expect(merged?.values).toEqual([[base, 0, -1, true]]);

    // Another tag set is another series: same timestamp, separate point.
    await admin.writeLines(db, [line(0, 5, 'QT-90146-TS')]);
    expect(await countSeq()).toBe(10_001);
  });
});

describe('isolation', () => {
  it('gives two isolations their own database and topic root, and keeps their data apart', async () => {
    const a = createIsolation();
    const b = createIsolation();
    expect(a.id).toMatch(/^t_[0-9a-f]{8}$/u);
    expect(b.id).not.toBe(a.id);
    expect(b.database).not.toBe(a.database);
    expect(b.topicRoot).not.toBe(a.topicRoot);
    expect(a.clientId('ingest')).not.toBe(b.clientId('ingest'));

    // InfluxDB: a point written in a's database is not in b's.
    const admin = influxAdmin(influxServer);
    await admin.createDatabase(a.database);
    onTestFinished(() => admin.dropDatabase(a.database));
    await admin.createDatabase(b.database);
    onTestFinished(() => admin.dropDatabase(b.database));
    await admin.writeLines(a.database, [`telemetry,vessel=${VESSEL} seq=1i ${Date.UTC(2024, 2, 1)}`]);
    expect(await admin.query(a.database, 'SELECT count(seq) FROM telemetry')).toMatchObject([
      { values: [[0, 1]] },
    ]);
    expect(await admin.query(b.database, 'SELECT count(seq) FROM telemetry')).toEqual([]);

    // MQTT: each subscriber to its own root's wildcard sees only its own root's messages. A sentinel sent
    // after the data to each root shows when everything earlier must have arrived.
    const seen = { a: [] as string[], b: [] as string[] };
    for (const [name, isolation] of [
      ['a', a],
      ['b', b],
    ] as const) {
      const subscriber = await client({ onMessage: (topic) => seen[name].push(topic) });
      await subscriber.subscribeAsync(`${isolation.topicRoot}/#`, { qos: 1 });
    }
    const publisher = await client();
    const topics = {
      a: [telemetryTopic(a.topicRoot), `${a.topicRoot}/v1/vessels/${VESSEL}/events`],
      b: [telemetryTopic(b.topicRoot), `${b.topicRoot}/v1/vessels/${VESSEL}/events`],
    } as const;
    for (const topic of [topics.a[0], topics.b[0], topics.a[1], topics.b[1]]) {
      await publisher.publishAsync(topic, 'x', { qos: 1 });
    }
    await waitFor(() => seen.a.length >= 2 && seen.b.length >= 2, {
      description: () => `a saw ${JSON.stringify(seen.a)}, b saw ${JSON.stringify(seen.b)}`,
    });
    expect(seen).toEqual(topics);
  });
});
