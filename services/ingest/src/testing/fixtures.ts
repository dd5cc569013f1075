// Test support for the ingest service's integration tests: running an ingest against given servers and
// reading back what gateways were acknowledged; the server-free builders are in builders.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Ack, type BootId, decodeMessage, subscriptionFor, type VesselId } from '@qt-led/contract';
import { createLogger, type Logger } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import { connectMqtt, type MqttServer } from '@qt-led/test-harness';
import type { MqttClient } from 'mqtt';
import { createIngestMetrics, type IngestMetrics } from '../metrics.js';
import { type Clock, createIngest, type Ingest, type IngestOptions } from '../pipeline.js';
import { openSpool, type Spool } from '../spool.js';
import { registry } from './builders.js';

export { batch, fleet, metricValue, registry, T0 } from './builders.js';

export interface RunningIngest {
  ingest: Ingest;
  metrics: IngestMetrics;
  spool: Spool;
  client: MqttClient;
}

/** Starts an ingest pipeline against a broker and a store, as main.ts wires it, with a test clock. */
export async function startIngest(options: {
  mqtt: MqttServer;
  store: TelemetryStore;
  topicRoot: string;
  clientId: string;
  shareGroup?: string;
  clock?: Clock;
  overrides?: Partial<IngestOptions>;
  /** Default: silent, or `LOG_LEVEL`. */
  logger?: Logger;
}): Promise<RunningIngest> {
  const spool = openSpool(join(mkdtempSync(join(tmpdir(), 'qtled-spool-')), 'spool.sqlite'));
  const metrics = createIngestMetrics();
  const client = await connectMqtt(options.mqtt, {
    clientId: options.clientId,
    clean: false,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 3_600 },
    reconnectPeriod: 500,
  });
  const ingest = createIngest({
    mqtt: client,
    store: options.store,
    registry,
    spool,
    clock: options.clock ?? { now: () => Date.now() },
    logger:
      options.logger ?? createLogger({ name: 'ingest-test', level: process.env['LOG_LEVEL'] ?? 'silent' }),
    metrics,
    options: {
      topicRoot: options.topicRoot,
      shareGroup: options.shareGroup,
      batchMaxReadings: 1_000,
      batchMaxAgeMs: 50,
      maxWritesInFlight: 2,
      futureToleranceMs: 300_000,
      minDeviceTimeMs: Date.UTC(2017, 0, 1),
      clockSkewToleranceMs: 120_000,
      retryBaseMs: 100,
      retryMaxMs: 1_000,
      gapScanIntervalMs: 0,
      ...options.overrides,
    },
  });
  await ingest.start();
  return { ingest, metrics, spool, client };
}

/** Listens on every vessel's ack topic and keeps, per vessel and boot, the set of seqs acknowledged so far. */
export async function watchAcks(
  mqtt: MqttServer,
  topicRoot: string,
): Promise<{
  acknowledged(vesselId: VesselId, bootId: BootId): Set<number>;
  /** The device events' seqs acknowledged. */
  eventsAcknowledged(vesselId: VesselId, bootId: BootId): Set<number>;
  close(): Promise<void>;
}> {
  const seen = new Map<string, Set<number>>();
  const seenEvents = new Map<string, Set<number>>();
  const client = await connectMqtt(mqtt, {
    onMessage(topic, payload) {
      const decoded = decodeMessage(topic, payload, { root: topicRoot });
      if (!decoded.ok || decoded.channel !== 'ack') return;
      const ack: Ack = decoded.payload;
      for (const boot of ack.boots) {
        const key = `${ack.vesselId}/${boot.bootId}`;
        const set = seen.get(key) ?? new Set<number>();
        for (let s = 0; s <= boot.throughSeq; s++) set.add(s);
        for (const [from, to] of boot.storedRanges ?? []) for (let s = from; s <= to; s++) set.add(s);
        seen.set(key, set);
        const events = seenEvents.get(key) ?? new Set<number>();
        for (let s = 0; s <= (boot.eventsThroughSeq ?? -1); s++) events.add(s);
        for (const [from, to] of boot.storedEventRanges ?? []) for (let s = from; s <= to; s++) events.add(s);
        seenEvents.set(key, events);
      }
    },
  });
  await client.subscribeAsync(subscriptionFor('ack', { root: topicRoot }), { qos: 1 });
  return {
    acknowledged: (vesselId, bootId) => seen.get(`${vesselId}/${bootId}`) ?? new Set(),
    eventsAcknowledged: (vesselId, bootId) => seenEvents.get(`${vesselId}/${bootId}`) ?? new Set(),
    close: () => client.endAsync(),
  };
}
