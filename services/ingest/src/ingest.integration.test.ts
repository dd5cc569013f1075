import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BootId, encodePayload, examplePayload, topicFor, type VesselId } from '@qt-led/contract';
import { findGaps, type TelemetryStore } from '@qt-led/store';
import { createInfluxStore } from '@qt-led/store-influx';
import { createSqliteStore } from '@qt-led/store-sqlite';
import {
  connectMqtt,
  createIsolation,
  type DedicatedServer,
  type InfluxServer,
  influxAdmin,
  startDedicatedInflux,
  waitFor,
} from '@qt-led/test-harness';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createOperatorServer } from './http.js';
import { ingestOperations } from './operations.js';
import { batch, fleet, metricValue, startIngest, T0, watchAcks } from './testing/fixtures.js';

const mqttServer = inject('mqtt');
const influxServer = inject('influx');
const BOOT = 'c0ffee0001' as BootId;

function influxAuth(server: InfluxServer) {
  return {
    ...(server.token === undefined ? {} : { token: server.token }),
    ...(server.username === undefined ? {} : { username: server.username }),
    ...(server.password === undefined ? {} : { password: server.password }),
  };
}

async function publishAll(
  publisher: MqttClient,
  root: string,
  batches: ReturnType<typeof batch>[],
): Promise<void> {
  await Promise.all(
    batches.map((b) =>
      publisher.publishAsync(topicFor('telemetry', b.vesselId, root), encodePayload('telemetry', b), {
        qos: 1,
      }),
    ),
  );
}

/** 4 vessels × `perVessel` readings in batches of `size`. */
function fleetBatches(perVessel: number, size: number): ReturnType<typeof batch>[] {
  return fleet.flatMap(({ vesselId, gatewayId }) =>
    Array.from({ length: perVessel / size }, (_, i) =>
      batch(vesselId, gatewayId, BOOT, i * size, size, Date.now()),
    ),
  );
}

async function expectStoredOnceAndAcknowledged(
  store: TelemetryStore,
  acks: Awaited<ReturnType<typeof watchAcks>>,
  perVessel: number,
): Promise<void> {
  for (const { vesselId, meterId } of fleet) {
    expect(await store.countReadings(vesselId)).toBe(perVessel);
    const stored = await store.readings(vesselId, T0, T0 + perVessel * 60_000);
    expect(findGaps(stored)).toEqual([]);
    // Each reading keeps the LED meter's serial the gateway sent.
    expect(new Set(stored.map((r) => r.ledMeterId))).toEqual(new Set([meterId]));
    await waitFor(() => acks.acknowledged(vesselId, BOOT).size === perVessel, {
      timeoutMs: 5_000,
      description: () =>
        `${vesselId}: ${acks.acknowledged(vesselId, BOOT).size} of ${perVessel} acknowledged`,
    });
  }
}

describe.each([
  ['InfluxDB', 'influx'],
  ['embedded SQLite', 'sqlite'],
] as const)('ingest into %s', (_label, kind) => {
  const isolation = createIsolation(`ingest_${kind}`);
  let store: TelemetryStore;
  beforeAll(async () => {
    if (kind === 'influx') {
      await influxAdmin(influxServer).createDatabase(isolation.database);
      store = await createInfluxStore({
        url: influxServer.url,
        database: isolation.database,
        minRetentionDays: 60,
        ...influxAuth(influxServer),
      });
    } else {
      store = createSqliteStore({
        path: join(await mkdtemp(join(tmpdir(), 'qtled-ingest-')), 'telemetry.sqlite'),
      });
    }
  });
  afterAll(async () => {
    await store.close();
    if (kind === 'influx') await influxAdmin(influxServer).dropDatabase(isolation.database);
  });

  it('stores every reading exactly once, re-deliveries included, and acknowledges only what it stored', async () => {
    const root = isolation.topicRoot;
    const acks = await watchAcks(mqttServer, root);
    const running = await startIngest({
      mqtt: mqttServer,
      store,
      topicRoot: root,
      clientId: isolation.clientId('ingest'),
      shareGroup: 'ingest',
    });
    const publisher = await connectMqtt(mqttServer);
    const batches = fleetBatches(2_000, 100);
    await publishAll(publisher, root, batches);
    await publishAll(
      publisher,
      root,
      batches.filter((_, i) => i % 3 === 0),
    ); // resends after a lost ack
    await waitFor(async () => (await store.countReadings()) >= 8_000, {
      timeoutMs: 15_000,
      description: '8,000 readings stored',
    });
    await running.ingest.idle();
    await expectStoredOnceAndAcknowledged(store, acks, 2_000);
    expect(await store.countReadings()).toBe(8_000);
    expect(
      await metricValue(running.metrics, 'qtled_ingest_readings_total', { outcome: 'stored' }),
    ).toBeGreaterThanOrEqual(8_000);
    await Promise.all([running.ingest.stop(), publisher.endAsync(), acks.close()]);
  });

  it('stores presence, heartbeats and device events once each, and acknowledges the events by their seq', async () => {
    const root = isolation.topicRoot;
    const acks = await watchAcks(mqttServer, root);
    const running = await startIngest({
      mqtt: mqttServer,
      store,
      topicRoot: root,
      clientId: isolation.clientId('ingest_device'),
      // Its own group: the stopped ingest of the test above keeps a persistent session in group `ingest`,
      // and Mosquitto would hand it every other message of the group.
      shareGroup: 'ingest_device',
    });
    const publisher = await connectMqtt(mqttServer);
    const { vesselId, gatewayId } = fleet[1] as (typeof fleet)[number];
    const sentAtMs = Date.now();
    const online = { ...examplePayload('presence'), vesselId, gatewayId, bootId: BOOT };
    const heartbeats = [0, 1, 2].map((i) => ({
      ...examplePayload('heartbeat'),
      vesselId,
      gatewayId,
      bootId: BOOT,
      atMs: sentAtMs - (3 - i) * 300_000,
      queue: { depth: i * 40, oldestUnsentAgeS: i === 0 ? null : i * 600, bytesOnDisk: i * 9_000 },
    }));
    const meterReplaced = {
      schema: 'qtled.event/1' as const,
      vesselId,
      gatewayId,
      bootId: BOOT,
      eventSeq: 7,
      atMs: sentAtMs - 60_000,
      event: {
        type: 'meter-replaced' as const,
        sensor: 'led-meter' as const,
        lastRegister: 812.4,
        firstRegister: 0,
      },
    };
    const lastWill = {
      schema: 'qtled.presence/1' as const,
      state: 'offline' as const,
      vesselId,
      gatewayId,
      bootId: BOOT,
      cause: 'connection-lost' as const,
    };
    const publish = (channel: 'presence' | 'heartbeat' | 'events', payload: object, on = vesselId) =>
      publisher.publishAsync(topicFor(channel, on, root), JSON.stringify(payload), { qos: 1 });
    await publish('presence', online);
    for (const h of heartbeats) await publish('heartbeat', h);
    await publish('events', meterReplaced);
    await publish('events', meterReplaced); // resent: the gateway did not see the PUBACK
    await publish('presence', lastWill);
    // A heartbeat of a vessel the registry does not know is set aside like its readings would be.
    const stranger = 'QT-99999-TS' as VesselId;
    await publish('heartbeat', { ...heartbeats[0], vesselId: stranger }, stranger);

    const range = { vesselId, fromMs: sentAtMs - 3_600_000, toMs: Date.now() + 60_000 };
    let found: string[] = [];
    await waitFor(
      async () => {
        found = (await store.deviceMessages(range)).map((m) => m.kind);
        return found.length >= 6;
      },
      {
        timeoutMs: 10_000,
        description: () => `presence, heartbeats and the event stored; found ${found.join(', ')}`,
      },
    );
    await running.ingest.idle();
    const stored = await store.deviceMessages(range);
    expect(stored.map((m) => m.kind).sort()).toEqual([
      'event',
      'heartbeat',
      'heartbeat',
      'heartbeat',
      'presence',
      'presence',
    ]);
    expect(stored.find((m) => m.kind === 'event')?.payload).toEqual(meterReplaced);
    const latest = (await store.latestDeviceMessages('heartbeat')).find((m) => m.vesselId === vesselId);
    expect(latest?.kind === 'heartbeat' && latest.payload.queue.depth).toBe(80);
    const presences = stored.filter((m) => m.kind === 'presence').map((m) => m.payload.state);
    expect(presences).toEqual(['online', 'offline']);
    expect(
      (await store.listDeadLetters({ reason: 'unknown-vessel', limit: 10 })).map((l) => l.topic),
    ).toContain(topicFor('heartbeat', 'QT-99999-TS' as VesselId, root));
    // Stored, then acknowledged: the gateway may now delete the event (and only it) from its outbox.
    await waitFor(() => acks.eventsAcknowledged(vesselId, BOOT).has(7), {
      timeoutMs: 10_000,
      description: 'the event acknowledged',
    });
    expect([...acks.eventsAcknowledged(vesselId, BOOT)]).toEqual([7]);
    await Promise.all([running.ingest.stop(), publisher.endAsync(), acks.close()]);
  });
});

describe('bad input', () => {
  const isolation = createIsolation('ingest_bad');
  const root = isolation.topicRoot;
  let store: TelemetryStore;
  let now = Date.now();
  let running: Awaited<ReturnType<typeof startIngest>>;
  let publisher: MqttClient;
  let operatorUrl: string;
  const server = { close: (): void => undefined };

  beforeAll(async () => {
    store = createSqliteStore({
      path: join(await mkdtemp(join(tmpdir(), 'qtled-bad-')), 'telemetry.sqlite'),
    });
    running = await startIngest({
      mqtt: mqttServer,
      store,
      topicRoot: root,
      clientId: isolation.clientId('ingest'),
      clock: { now: () => now },
    });
    publisher = await connectMqtt(mqttServer);
    const http = createOperatorServer(
      ingestOperations({ ingest: () => running.ingest, store, metrics: running.metrics }),
    );
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    operatorUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    server.close = () => http.close();
  });
  afterAll(async () => {
    server.close();
    await Promise.all([running.ingest.stop(), publisher.endAsync()]);
    await store.close();
  });

  it('sets aside every class of bad input by reason, keeps it inspectable, stores the good readings beside it', async () => {
    const [a, b] = fleet as [(typeof fleet)[0], (typeof fleet)[0]];
    const acks = await watchAcks(mqttServer, root);
    const good = batch(a.vesselId, a.gatewayId, BOOT, 0, 10, now);
    // One batch mixing good readings with one from the future and one from an RTC reset to 1970.
    const mixed = batch(a.vesselId, a.gatewayId, BOOT, 10, 5, now);
    (mixed.readings[1] as { deviceTimeMs: number }).deviceTimeMs = now + 3 * 86_400_000;
    (mixed.readings[3] as { deviceTimeMs: number }).deviceTimeMs = 1_000;
    const topicA = topicFor('telemetry', a.vesselId, root);
    const unknown = 'QT-99999-TS' as VesselId;
    const sends: [string, string | Buffer][] = [
      [topicA, encodePayload('telemetry', good)],
      [topicA, encodePayload('telemetry', mixed)],
      [topicA, '{"schema":"qtled.telemetry/1",'],
      [topicA, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
      [topicA, JSON.stringify({ ...good, readings: [{ ...good.readings[0], seq: -4 }] })],
      [topicFor('telemetry', b.vesselId, root), encodePayload('telemetry', good)],
      [topicFor('telemetry', unknown, root), JSON.stringify(batch(unknown, a.gatewayId, BOOT, 0, 3, now))],
      [topicA, JSON.stringify({ ...good, padding: 'x'.repeat(300 * 1024) })],
    ];
    for (const [topic, payload] of sends) await publisher.publishAsync(topic, payload, { qos: 1 });
    await waitFor(
      async () => (await metricValue(running.metrics, 'qtled_ingest_messages_total')) === sends.length,
      {
        timeoutMs: 5_000,
        description: 'every message counted',
      },
    );
    await running.ingest.idle();

    const outcomes = Object.fromEntries(
      [
        'valid',
        'invalid-json',
        'invalid-utf8',
        'schema-violation',
        'vessel-mismatch',
        'unknown-vessel',
        'payload-too-large',
      ].map((o) => [o, 0]),
    );
    for (const outcome of Object.keys(outcomes)) {
      outcomes[outcome] = await metricValue(running.metrics, 'qtled_ingest_messages_total', { outcome });
    }
    expect(outcomes).toEqual({
      valid: 2,
      'invalid-json': 1,
      'invalid-utf8': 1,
      'schema-violation': 1,
      'vessel-mismatch': 1,
      'unknown-vessel': 1,
      'payload-too-large': 1,
    });
    expect(
      await metricValue(running.metrics, 'qtled_ingest_readings_total', { outcome: 'time-in-future' }),
    ).toBe(1);
    expect(
      await metricValue(running.metrics, 'qtled_ingest_readings_total', {
        outcome: 'time-before-epoch-floor',
      }),
    ).toBe(1);

    // The good readings of the mixed batch are stored; the two bad ones are not.
    expect((await store.readings(a.vesselId, 0, now + 10 * 86_400_000)).map((r) => r.seq)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14,
    ]);
    // Set aside durably counts as received: the gateway may free all 15 seqs, and the unknown vessel's 3.
    await waitFor(
      () => acks.acknowledged(a.vesselId, BOOT).size === 15 && acks.acknowledged(unknown, BOOT).size === 3,
      {
        description: 'acks for stored and set-aside readings',
      },
    );

    const list = (await (await fetch(`${operatorUrl}/dead-letters?limit=100`)).json()) as {
      deadLetters: { id: string; reason: string; message: string }[];
    };
    expect(list.deadLetters.map((l) => l.reason).sort()).toEqual(
      [
        'invalid-json',
        'invalid-utf8',
        'payload-too-large',
        'schema-violation',
        'time-before-epoch-floor',
        'time-in-future',
        'unknown-vessel',
        'vessel-mismatch',
      ].sort(),
    );
    const future = list.deadLetters.find((l) => l.reason === 'time-in-future');
    expect(future?.message).toMatch(
      /^1 reading\(s\) of QT-\d+-TS boot c0ffee0001 stamped .* ahead of receive time$/,
    );
    const whole = (await (await fetch(`${operatorUrl}/dead-letters/${future?.id ?? ''}`)).json()) as {
      payload: string;
    };
    expect(JSON.parse(whole.payload)).toMatchObject({ vesselId: a.vesselId, readings: [{ seq: 11 }] });
    const utf8 = list.deadLetters.find((l) => l.reason === 'invalid-utf8');
    expect(await store.getDeadLetter(utf8?.id ?? '')).toMatchObject({
      payloadEncoding: 'base64',
      payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'),
    });
    expect((await fetch(`${operatorUrl}/dead-letters?reason=nonsense`)).status).toBe(400);

    // Replay: still in the future → refused, and the letter stays; once the platform clock has caught up → stored.
    expect(
      (await fetch(`${operatorUrl}/dead-letters/${future?.id ?? ''}/replay`, { method: 'POST' })).status,
    ).toBe(409);
    now += 4 * 86_400_000;
    const replay = await fetch(`${operatorUrl}/dead-letters/${future?.id ?? ''}/replay`, { method: 'POST' });
    expect(await replay.json()).toEqual({ replayed: true });
    expect((await store.readings(a.vesselId, 0, now + 10 * 86_400_000)).map((r) => r.seq)).toContain(11);
    expect((await store.listDeadLetters({ limit: 100 })).map((l) => l.reason)).not.toContain(
      'time-in-future',
    );

    // Still up and healthy.
    expect((await fetch(`${operatorUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${operatorUrl}/readyz`)).status).toBe(200);
    const metricsText = await (await fetch(`${operatorUrl}/metrics`)).text();
    expect(metricsText).toContain('qtled_ingest_messages_total{outcome="invalid-json"} 1');
    await acks.close();
  });
});

describe('database outage', () => {
  const isolation = createIsolation('ingest_outage');
  let influx: DedicatedServer<InfluxServer>;
  beforeAll(async () => {
    influx = await startDedicatedInflux();
  });
  afterAll(async () => {
    await influx.stop();
  });

  it(
    'holds the backlog on disk while InfluxDB hangs, drains it when it returns, and loses nothing',
    { timeout: 60_000 },
    async () => {
      const root = isolation.topicRoot;
      await influxAdmin(influx.info).createDatabase('qtled');
      const store = await createInfluxStore({
        url: influx.info.url,
        database: 'qtled',
        minRetentionDays: 60,
        requestTimeoutMs: 1_000,
      });
      const acks = await watchAcks(mqttServer, root);
      const running = await startIngest({
        mqtt: mqttServer,
        store,
        topicRoot: root,
        clientId: isolation.clientId('ingest'),
      });
      const publisher = await connectMqtt(mqttServer);
      const batches = fleetBatches(3_000, 100);
      await publishAll(publisher, root, batches.slice(0, 40));
      await waitFor(async () => (await store.countReadings()) > 0, { description: 'first readings stored' });

      influx.pause();
      await publishAll(publisher, root, batches.slice(40));
      await waitFor(async () => (await metricValue(running.metrics, 'qtled_ingest_backlog_readings')) > 0, {
        timeoutMs: 10_000,
        description: 'backlog on disk while the database hangs',
      });
      const backlog = running.spool.depth();
      expect(backlog.readings).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      influx.resume();

      await running.ingest.idle();
      await expectStoredOnceAndAcknowledged(store, acks, 3_000);
      expect(running.spool.depth()).toEqual({ batches: 0, readings: 0 });
      expect(await metricValue(running.metrics, 'qtled_ingest_write_failures_total')).toBeGreaterThan(0);
      await Promise.all([running.ingest.stop(), publisher.endAsync(), acks.close()]);
    },
  );
});

describe('scale-out', () => {
  it('two replicas on one shared subscription split the load and together store every reading once', async () => {
    const isolation = createIsolation('ingest_shared');
    const root = isolation.topicRoot;
    const store = createSqliteStore({
      path: join(await mkdtemp(join(tmpdir(), 'qtled-shared-')), 'telemetry.sqlite'),
    });
    const acks = await watchAcks(mqttServer, root);
    const replicas = await Promise.all(
      ['a', 'b'].map((r) =>
        startIngest({
          mqtt: mqttServer,
          store,
          topicRoot: root,
          clientId: isolation.clientId(`replica_${r}`),
          shareGroup: 'ingest',
        }),
      ),
    );
    const publisher = await connectMqtt(mqttServer);
    await publishAll(publisher, root, fleetBatches(2_500, 50));
    await waitFor(async () => (await store.countReadings()) === 10_000, {
      timeoutMs: 15_000,
      description: '10,000 readings stored',
    });
    await Promise.all(replicas.map((r) => r.ingest.idle()));
    const shares = await Promise.all(
      replicas.map((r) => metricValue(r.metrics, 'qtled_ingest_messages_total', { outcome: 'valid' })),
    );
    expect(shares[0]).toBeGreaterThan(0);
    expect(shares[1]).toBeGreaterThan(0);
    expect((shares[0] ?? 0) + (shares[1] ?? 0)).toBe(200);
    await expectStoredOnceAndAcknowledged(store, acks, 2_500);
    await Promise.all([...replicas.map((r) => r.ingest.stop()), publisher.endAsync(), acks.close()]);
    await store.close();
  });
});
