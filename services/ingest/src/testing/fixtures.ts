// Test support for the ingest service's integration tests: building contract batches as a gateway would,
// running an ingest against given servers, and reading back what gateways were acknowledged.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Ack,
  type BootId,
  decodeMessage,
  type GatewayId,
  type Reading,
  subscriptionFor,
  type TelemetryBatch,
  type VesselId,
} from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { createLogger } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import { connectMqtt, type MqttServer } from '@qt-led/test-harness';
import type { MqttClient } from 'mqtt';
import { createIngestMetrics, type IngestMetrics } from '../metrics.js';
import { type Clock, createIngest, type Ingest, type IngestOptions } from '../pipeline.js';
import { openSpool, type Spool } from '../spool.js';

export const registry = loadFleetRegistry();
export const fleet = registry.registry.vessels.slice(0, 4).map((v) => {
  const version = v.versions.at(-1);
  if (version === undefined) throw new Error(`vessel ${v.vesselId} has no version`);
  return { vesselId: v.vesselId, gatewayId: version.gatewayId };
});

export const T0 = Date.UTC(2024, 5, 1, 12, 0, 0);

/** A telemetry batch as a gateway would send it: `count` readings from `fromSeq`, one a minute. */
export function batch(
  vesselId: VesselId,
  gatewayId: GatewayId,
  bootId: BootId,
  fromSeq: number,
  count: number,
  sentAtMs: number,
): TelemetryBatch {
  const readings: Reading[] = Array.from({ length: count }, (_, i) => {
    const seq = fromSeq + i;
    return {
      vesselId,
      bootId,
      seq,
      deviceTimeMs: T0 + seq * 60_000,
      timeSource: 'gps',
      led: { powerW: 12_000 + (seq % 13), energyKwh: 500 + seq * 0.2, lampsOn: 40 },
      fuel: { rateLph: 7.5, totalL: 9_000 + seq * 0.125 },
      position: { fix: '3d', lat: 17.16, lon: 107.34, speedKn: 0.3, headingDeg: 45 },
    };
  });
  return { schema: 'qtled.telemetry/1', vesselId, gatewayId, sentAtMs, readings };
}

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
    logger: createLogger({ name: 'ingest-test', level: process.env['LOG_LEVEL'] ?? 'silent' }),
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
  close(): Promise<void>;
}> {
  const seen = new Map<string, Set<number>>();
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
      }
    },
  });
  await client.subscribeAsync(subscriptionFor('ack', { root: topicRoot }), { qos: 1 });
  return {
    acknowledged: (vesselId, bootId) => seen.get(`${vesselId}/${bootId}`) ?? new Set(),
    close: () => client.endAsync(),
  };
}

/** The value of a counter or gauge for the given labels, read from prom-client. */
export async function metricValue(
  metrics: IngestMetrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) =>
      Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want),
    )
    .reduce((sum, v) => sum + v.value, 0);
}
