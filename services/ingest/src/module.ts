import type { Server } from 'node:http';
import { join } from 'node:path';
import { type GatewayAssignments, storedReadingsTopic } from '@qt-led/contract';
import { connectMqtt, type MqttConnectionConfig } from '@qt-led/infrastructure';
import type { Logger, ServiceModule } from '@qt-led/runtime';
import type { StoredReading, TelemetryStore } from '@qt-led/store';
import type { MqttClient } from 'mqtt';
import { type IngestConfig, type IngestTuning, ingestOptionsFrom, ingestTuningFrom } from './config.js';
import { createOperatorServer } from './http.js';
import { createIngestMetrics, type IngestMetrics } from './metrics.js';
import { type IngestOperations, ingestOperations } from './operations.js';
import { createIngest, type Ingest } from './pipeline.js';
import { createReplicaWatch, type ReplicaWatch, replicaLastWill } from './replica-watch.js';
import { openSpool, type Spool } from './spool.js';
import { storedReadingsNotices } from './stored-notices.js';

/** Ingest's slice of a process's configuration. */
export interface IngestModuleConfig {
  mqtt: MqttConnectionConfig;
  topicRoot: string;
  tuning: IngestTuning;
  /** Subscribe through the shared group (several replicas); the embedded broker cannot deliver it. */
  shared: boolean;
  /** The disk backlog for store outages (one file per client id). */
  spoolPath: string;
  /** Ingest's own operator HTTP endpoints (`/metrics`, `/dead-letters` …); null: not served apart. */
  operatorHttp: { host: string; port: number } | null;
  /**
   * Tell other processes what was stored, on the broker's `stored-readings` topic (compose: the API's live
   * stream is in another process). In one process the readings are handed over in memory instead.
   */
  publishStoredReadings: boolean;
  /** How long the broker keeps ingest's session while it is away (MQTT 5); default 14 days. */
  sessionExpiryS?: number;
}

export interface IngestModuleDeps {
  logger: Logger;
  clock: { now(): number };
  store: TelemetryStore;
  /**
   * The registry in force, as ingest needs it (a stable view: an admin's upload is seen without a restart):
   * a `GatewayAssignmentsSource`'s, or `gatewayAssignmentsFollowing` a registry source in a process that
   * holds the whole registry anyway.
   */
  registry: GatewayAssignments;
  /** Told of every durable write of readings (the in-process live stream). */
  onStored?: (readings: readonly StoredReading[]) => void;
  /** How ingest reaches the broker; default the platform's one way to connect. */
  connectMqtt?: typeof connectMqtt;
}

export interface IngestModule extends ServiceModule {
  /** Available once started. */
  readonly operations: IngestOperations;
  /** Resolves when nothing is buffered, in flight or waiting on disk (tests, benchmarks). */
  idle(): Promise<void>;
}

export function createIngestModule(config: IngestModuleConfig, deps: IngestModuleDeps): IngestModule {
  const logger = deps.logger.child({ component: 'ingest' });
  const metrics: IngestMetrics = createIngestMetrics();
  let spool: Spool | undefined;
  let client: MqttClient | undefined;
  let ingest: Ingest | undefined;
  let server: Server | undefined;
  let replicas: ReplicaWatch | undefined;
  const operations = ingestOperations({ ingest: () => ingest, store: deps.store, metrics });
  let corked = false;
  /** The socket's writes held until the end of this event-loop turn (one write for the turn's PUBACKs). */
  const corkWrites = (): void => {
    const stream = client?.stream;
    if (corked || stream === undefined) return;
    corked = true;
    stream.cork();
    setImmediate(() => {
      corked = false;
      stream.uncork();
    });
  };

  const notifyStored = (readings: readonly StoredReading[]): void => {
    deps.onStored?.(readings);
    if (config.publishStoredReadings && client !== undefined && readings.length > 0) {
      for (const notice of storedReadingsNotices(readings)) {
        client.publish(storedReadingsTopic(config.topicRoot), notice, { qos: 0 }, (err) => {
          if (err) logger.debug({ err }, 'could not tell the live stream about stored readings');
        });
      }
    }
  };

  return {
    name: 'ingest',
    operations,
    idle() {
      if (ingest === undefined) throw new Error('ingest has not started');
      return ingest.idle();
    },
    async start() {
      spool = openSpool(config.spoolPath);
      const { clientId, shareGroup } = config.tuning;
      client = await (deps.connectMqtt ?? connectMqtt)(config.mqtt, {
        clientId,
        persistent: true,
        ...(config.sessionExpiryS === undefined ? {} : { sessionExpiryS: config.sessionExpiryS }),
        ...(config.shared ? { will: replicaLastWill(config.topicRoot, clientId, shareGroup) } : {}),
      });
      ingest = createIngest({
        mqtt: client,
        store: deps.store,
        registry: deps.registry,
        spool,
        clock: deps.clock,
        logger,
        metrics,
        onStored: notifyStored,
        corkWrites,
        options: ingestOptionsFrom(config.tuning, { topicRoot: config.topicRoot, shared: config.shared }),
      });
      await ingest.start();
      if (config.shared) {
        // Only a share group has members whose stale sessions take a share of the messages.
        replicas = createReplicaWatch({
          mqtt: client,
          clock: deps.clock,
          logger,
          gauge: metrics.staleReplicas,
          options: {
            topicRoot: config.topicRoot,
            clientId,
            shareGroup,
            staleAfterMs: config.tuning.staleReplicaAfterS * 1_000,
            checkIntervalMs: Math.min(30_000, config.tuning.staleReplicaAfterS * 1_000),
          },
        });
        await replicas.start();
      }
      if (config.operatorHttp !== null) {
        const { host, port } = config.operatorHttp;
        server = createOperatorServer(operations);
        await new Promise<void>((resolve, reject) => {
          server?.once('error', reject);
          server?.listen(port, host, resolve);
        });
        logger.info({ host, port }, 'operator endpoints: /metrics /healthz /readyz /dead-letters');
      }
    },
    async stop() {
      if (server !== undefined) await new Promise<void>((resolve) => server?.close(() => resolve()));
      // Says this replica stopped, then flushes what is in flight (to the store or the disk backlog),
      // publishes the acks, disconnects.
      await replicas?.stop();
      await ingest?.stop();
      spool?.close();
      server = undefined;
      ingest = undefined;
      replicas = undefined;
      client = undefined;
      spool = undefined;
    },
  };
}

/** Ingest's slice from its validated variables (the ingest service and the one-command platform). */
export function ingestModuleConfigFrom(
  env: Pick<IngestConfig, Parameters<typeof ingestTuningFrom>[0] extends infer P ? keyof P : never> &
    Pick<IngestConfig, 'DATA_DIR' | 'MQTT_TOPIC_ROOT'>,
  placement: {
    mqtt: MqttConnectionConfig;
    shared: boolean;
    operatorHttp: { host: string; port: number } | null;
    publishStoredReadings: boolean;
  },
): IngestModuleConfig {
  const tuning = ingestTuningFrom(env);
  return {
    ...placement,
    topicRoot: env.MQTT_TOPIC_ROOT,
    tuning,
    spoolPath: join(env.DATA_DIR, `ingest-spool-${tuning.clientId}.sqlite`),
  };
}
