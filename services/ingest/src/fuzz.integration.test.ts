import { createLogger } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import { createInfluxStore } from '@qt-led/store-influx';
import { connectMqtt, createIsolation, fuzz, influxAdmin, waitFor } from '@qt-led/test-harness';
import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { metricValue, type RunningIngest, startIngest } from './testing/fixtures.js';
import {
  expectCaseHandled,
  expectDeadLetters,
  type FuzzCase,
  fuzzCaseArbitrary,
} from './testing/fuzz-stream.js';

/**
 * The pipeline fuzz test's streams end to end: published to the real Mosquitto, taken by ingest as its
 * process runs it, written to the real InfluxDB. Fewer cases than the SQLite run (each waits on two servers).
 */
const CASES = Number(process.env['FUZZ_CASES'] ?? 200);
const mqttServer = inject('mqtt');
const influxServer = inject('influx');
const isolation = createIsolation('ingest_fuzz');

let store: TelemetryStore;
let running: RunningIngest;
let publisher: MqttClient;
const errors: string[] = [];
const letters = new Map<string, number>();

beforeAll(async () => {
  await influxAdmin(influxServer).createDatabase(isolation.database);
  store = await createInfluxStore({
    url: influxServer.url,
    database: isolation.database,
    minRetentionDays: 60,
    ...(influxServer.token === undefined ? {} : { token: influxServer.token }),
    ...(influxServer.username === undefined ? {} : { username: influxServer.username }),
    ...(influxServer.password === undefined ? {} : { password: influxServer.password }),
  });
  running = await startIngest({
    mqtt: mqttServer,
    store,
    topicRoot: isolation.topicRoot,
    clientId: isolation.clientId('ingest_fuzz'),
    shareGroup: 'ingest_fuzz',
    logger: createLogger({
      name: 'ingest-fuzz',
      level: 'error',
      destination: { write: (line: string) => errors.push(line) },
    }),
  });
  publisher = await connectMqtt(mqttServer);
});
afterAll(async () => {
  await Promise.all([running.ingest.stop(), publisher.endAsync()]);
  await store.close();
  await influxAdmin(influxServer).dropDatabase(isolation.database);
});

describe('ingest under generated traffic, Mosquitto → ingest → InfluxDB', () => {
  it(`accounts for every message and stores every good reading once, intact, over ${CASES} streams`, async () => {
    let sent = 0;
    const run = await fuzz(
      'Mosquitto → ingest → InfluxDB',
      fc.asyncProperty(
        fuzzCaseArbitrary({ topicRoot: isolation.topicRoot, overBroker: true, maxMessages: 6 }),
        async (c: FuzzCase) => {
          await expectCaseHandled(
            c,
            { store, metrics: running.metrics, errors, spool: running.spool, letters },
            async () => {
              for (const m of c.messages)
                await publisher.publishAsync(m.topic, Buffer.from(m.payload), { qos: 1 });
              sent += c.messages.length;
              await waitFor(
                async () => (await metricValue(running.metrics, 'qtled_ingest_messages_total')) >= sent,
                {
                  timeoutMs: 15_000,
                  description: `ingest counted ${sent} messages`,
                },
              );
              await running.ingest.idle();
            },
          );
        },
      ),
      { numRuns: CASES, timeLimitMs: Number(process.env['FUZZ_TIME_LIMIT_MS'] ?? 120_000) },
    );
    expect(run.ran).toBe(CASES);
    expect(await metricValue(running.metrics, 'qtled_ingest_messages_total')).toBe(sent);
    expect(await expectDeadLetters(store, letters)).toBeGreaterThan(CASES / 2);
  }, 180_000);
});
