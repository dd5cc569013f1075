import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import { createSqliteStore } from '@qt-led/store-sqlite';
import { fuzz } from '@qt-led/test-harness';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestMetrics, type IngestMetrics } from './metrics.js';
import type { MqttPort } from './mqtt-port.js';
import { createIngest, type Ingest } from './pipeline.js';
import { openSpool, type Spool } from './spool.js';
import { metricValue, registry } from './testing/builders.js';
import {
  expectCaseHandled,
  expectDeadLetters,
  type FuzzCase,
  fuzzCaseArbitrary,
} from './testing/fuzz-stream.js';

const ROOT = 'qtled-fuzz';
/**
 * Generated streams of this file (1–6 messages each, about 10,500 messages from the fixed seed); `FUZZ_CASES`
 * runs more when exploring. About 9 ms a stream here, most of it the store's reads of the checks.
 */
const CASES = Number(process.env['FUZZ_CASES'] ?? 3_000);

/** The broker as the pipeline sees it: every message PUBACKed or not, acks recorded. */
function directMqtt() {
  let pubacks = 0;
  const port = {
    connected: true,
    handleMessage(_packet, done) {
      done();
    },
    subscribeAsync: (filters: string[]) => Promise.resolve(filters.map(() => ({ qos: 1 }))),
    unsubscribeAsync: () => Promise.resolve(),
    publishAsync: () => Promise.resolve(),
    on: () => undefined,
    endAsync: () => Promise.resolve(),
  } satisfies MqttPort;
  return {
    port,
    pubacks: () => pubacks,
    deliver(topic: string, payload: string | Uint8Array) {
      port.handleMessage({ topic, payload }, () => {
        pubacks++;
      });
    },
  };
}

let dir: string;
let store: TelemetryStore;
let spool: Spool;
let metrics: IngestMetrics;
let ingest: Ingest;
let mqtt: ReturnType<typeof directMqtt>;
const errors: string[] = [];
const letters = new Map<string, number>();

beforeAll(async () => {
  // In memory-backed /dev/shm where there is one: the store's fsync per write is what it tests least here.
  dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'qtled-fuzz-'));
  store = createSqliteStore({ path: join(dir, 'telemetry.sqlite') });
  spool = openSpool(join(dir, 'spool.sqlite'));
  metrics = createIngestMetrics();
  mqtt = directMqtt();
  // Errors ingest logs are failures of the property too: "never crash" includes the caught ones.
  const logger = createLogger({
    name: 'ingest-fuzz',
    level: 'error',
    destination: { write: (line: string) => errors.push(line) },
  });
  ingest = createIngest({
    mqtt: mqtt.port,
    store,
    registry,
    spool,
    clock: { now: () => Date.now() },
    logger,
    metrics,
    options: {
      topicRoot: ROOT,
      shareGroup: undefined,
      batchMaxReadings: 1_000,
      batchMaxAgeMs: 0,
      maxWritesInFlight: 2,
      futureToleranceMs: 300_000,
      minDeviceTimeMs: Date.UTC(2017, 0, 1),
      clockSkewToleranceMs: 120_000,
      retryBaseMs: 10,
      retryMaxMs: 40,
      gapScanIntervalMs: 0,
    },
  });
  await ingest.start();
});
afterAll(async () => {
  await ingest.stop();
  spool.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('ingest pipeline under generated traffic (SQLite)', () => {
  it(`accounts for every message and stores every good reading once, intact, over ${CASES} generated streams`, async () => {
    let messages = 0;
    const run = await fuzz(
      'ingest pipeline → SQLite',
      fc.asyncProperty(
        fuzzCaseArbitrary({ topicRoot: ROOT, overBroker: false, maxMessages: 6 }),
        async (c: FuzzCase) => {
          const before = mqtt.pubacks();
          await expectCaseHandled(c, { store, metrics, errors, spool, letters }, async () => {
            for (const m of c.messages) mqtt.deliver(m.topic, m.payload);
            await ingest.idle();
          });
          expect(mqtt.pubacks() - before).toBe(c.messages.length);
          messages += c.messages.length;
        },
      ),
      { numRuns: CASES, timeLimitMs: 150_000 },
    );
    expect(run.ran).toBe(CASES);
    expect(await expectDeadLetters(store, letters)).toBeGreaterThan(CASES);
    expect(await metricValue(metrics, 'qtled_ingest_messages_total')).toBe(messages);
  }, 180_000);
});
