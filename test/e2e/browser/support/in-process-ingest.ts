import type { IngestOperations as ApiIngestOperations } from '@qt-led/api';
import { DEFAULT_TOPIC_ROOT, type GatewayAssignments } from '@qt-led/contract';
import {
  type Ingest,
  type MqttPort,
  createIngest,
  createIngestMetrics,
  ingestOperations,
  openSpool,
} from '@qt-led/ingest';
import type { Logger } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';

/**
 * Ingest in the API's process, as `npm start` runs it, so the admin pages have an operator view to show:
 * the real pipeline (classification, dead letters, replay, metrics) behind a stand-in MQTT client that
 * this test hands messages to, as the broker would. The API needs the operations before its store exists,
 * so they answer "not running" until `attach` gives the pipeline the store.
 */
export interface InProcessIngest {
  readonly operations: ApiIngestOperations;
  attach(deps: { store: TelemetryStore; registry: GatewayAssignments; logger: Logger }): Promise<void>;
  /** A message as the broker delivers it; resolves once what it became (readings, dead letters) is durable. */
  deliver(topic: string, payload: string): Promise<void>;
  stop(): Promise<void>;
}

export function createInProcessIngest(): InProcessIngest {
  let ingest: Ingest | undefined;
  let operations: ReturnType<typeof ingestOperations> | undefined;
  const metrics = createIngestMetrics();
  const spool = openSpool(':memory:');
  const mqtt: MqttPort = {
    connected: true,
    handleMessage: (_packet, done) => done(),
    subscribeAsync: (filters) => Promise.resolve(filters.map(() => ({ qos: 1 }))),
    unsubscribeAsync: () => Promise.resolve(),
    // Acks go nowhere: no gateway listens in this test.
    publishAsync: () => Promise.resolve(),
    on: () => undefined,
    endAsync: () => Promise.resolve(),
  };
  const running = (): NonNullable<typeof operations> => {
    if (operations === undefined) throw new Error('ingest is not running yet');
    return operations;
  };

  return {
    operations: {
      ready: () => operations?.ready() ?? false,
      metricsText: () => running().metricsText(),
      get metricsContentType() {
        return metrics.registry.contentType;
      },
      listDeadLetters: (query) => running().listDeadLetters(query),
      getDeadLetter: (id) => running().getDeadLetter(id),
      replayDeadLetter: (id) => running().replayDeadLetter(id),
    },
    async attach({ store, registry, logger }) {
      ingest = createIngest({
        mqtt,
        store,
        registry,
        spool,
        clock: { now: () => Date.now() },
        logger,
        metrics,
        options: {
          topicRoot: DEFAULT_TOPIC_ROOT,
          shareGroup: undefined,
          batchMaxReadings: 1_000,
          batchMaxAgeMs: 20,
          maxWritesInFlight: 2,
          futureToleranceMs: 300_000,
          minDeviceTimeMs: Date.UTC(2017, 0, 1),
          clockSkewToleranceMs: 120_000,
          retryBaseMs: 10,
          retryMaxMs: 200,
          gapScanIntervalMs: 0,
        },
      });
      const pipeline = ingest;
      operations = ingestOperations({ ingest: () => pipeline, store, metrics });
      await pipeline.start();
    },
    async deliver(topic, payload) {
      if (ingest === undefined) throw new Error('ingest is not running yet');
      mqtt.handleMessage({ topic, payload }, () => undefined);
      await ingest.idle();
    },
    async stop() {
      await ingest?.stop();
      spool.close();
    },
  };
}
