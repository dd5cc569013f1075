import type { DecodeErrorCode, GatewayAssignments } from '@qt-led/contract';
import type { Logger } from '@qt-led/runtime';
import type { StoredReading, TelemetryStore } from '@qt-led/store';
import { createAckPublisher } from './ack-publisher.js';
import { type BatchWriterOptions, createBatchWriter } from './batch-writer.js';
import { type Classification, type ClassifierOptions, classifyMessage } from './classify.js';
import type { Clock } from './clock.js';
import { startGapScan } from './gap-scan.js';
import type { IngestMetrics } from './metrics.js';
import { type InboundPublish, ingestFilters, type MqttPort, subscribeWithRenewal } from './mqtt-port.js';
import type { Spool, WriteBatch } from './spool.js';

export type { Clock } from './clock.js';

export interface IngestOptions extends ClassifierOptions, BatchWriterOptions {
  /** Shared-subscription group; undefined on brokers without shared subscriptions (aedes). */
  shareGroup: string | undefined;
  /** How often the gap ledger over the last day is recounted for the `gaps_open` metric; 0 = never. */
  gapScanIntervalMs: number;
}

/** What ingest asks of the store: writes, the dead letters it replays, and the gap ledger's readings. */
export type IngestStore = Pick<
  TelemetryStore,
  | 'writeReadings'
  | 'addDeadLetters'
  | 'writeDeviceMessages'
  | 'getDeadLetter'
  | 'markDeadLetterReplayed'
  | 'readings'
>;

export interface IngestDeps {
  /** mqtt.js's `MqttClient` fits as it is. */
  mqtt: MqttPort;
  /** Any `TelemetryStore` fits. */
  store: IngestStore;
  /** The registry in force, as ingest needs it (a stable view: an admin's upload is seen without a restart). */
  registry: GatewayAssignments;
  spool: Spool;
  clock: Clock;
  logger: Logger;
  metrics: IngestMetrics;
  options: IngestOptions;
  /**
   * Called with the readings of every durable write, live batches and backlog drains alike (a reading
   * written twice, after a resend or a crash, comes twice). What it throws is logged, never retried.
   */
  onStored?: (readings: readonly StoredReading[]) => void;
  /**
   * Holds the connection's writes until the end of this event-loop turn, so that the PUBACKs of the
   * messages read in one turn leave in one socket write (mqtt.js handles each packet in its own tick, and
   * writes each PUBACK alone otherwise). Optional: a fake connection has nothing to hold.
   */
  corkWrites?: () => void;
}

export interface Ingest {
  start(): Promise<void>;
  /** Flushes everything in flight (to the store, or to the disk backlog), publishes acks, disconnects. */
  stop(): Promise<void>;
  /** Runs a dead letter through validation again (after a fix in the registry or the contract). */
  replayDeadLetter(id: string): Promise<{ replayed: boolean; reason?: string }>;
  /** Resolves when nothing is buffered, in flight or waiting on disk. */
  idle(): Promise<void>;
  ready(): boolean;
}

/**
 * The ingest pipeline: MQTT message → classification (contract validation, registry, time rules) → batch
 * writer (store, or disk backlog while the store is away) → application-level ack. Messages are PUBACKed
 * on receipt; the guarantee is the ack, published only after the readings and device events — or their dead
 * letters — are durable.
 */
export function createIngest(deps: IngestDeps): Ingest {
  const { mqtt, store, registry, clock, metrics, options } = deps;
  const logger = deps.logger.child({ component: 'pipeline' });
  const acks = createAckPublisher({ mqtt, clock, logger, metrics, topicRoot: options.topicRoot });
  const writer = createBatchWriter({
    store,
    spool: deps.spool,
    logger,
    metrics,
    options,
    onWritten: (batch) => {
      acks.confirmDurable(batch.acks, batch.eventAcks);
      notifyStored(batch);
    },
  });
  let stopping = false;
  let started = false;
  const platformPrefix = `${options.topicRoot}/v1/platform/`;
  let stopGapScan = (): void => undefined;
  const heldPubacks: (() => void)[] = [];

  function notifyStored(batch: WriteBatch): void {
    if (deps.onStored === undefined || batch.readings.length === 0) return;
    try {
      deps.onStored(batch.readings);
    } catch (error) {
      logger.error({ err: error, readings: batch.readings.length }, 'onStored hook failed');
    }
  }

  function classify(message: InboundPublish): Classification {
    const result = classifyMessage(message, { registry, receivedAtMs: clock.now(), options });
    metrics.messages.inc({ outcome: result.outcome });
    for (const [reason, count] of Object.entries(result.readingsSetAside))
      metrics.readings.inc({ outcome: reason }, count);
    if (result.clockSkewFlagged > 0) metrics.clockSkewFlagged.inc(result.clockSkewFlagged);
    for (const letter of result.deadLetters) {
      logger.warn(
        { topic: letter.topic, reason: letter.reason, bytes: letter.payloadBytes },
        `set aside: ${letter.message.split('\n')[0] ?? ''}`,
      );
    }
    return result;
  }

  function handleMessage(packet: InboundPublish, done: (error?: Error) => void): void {
    deps.corkWrites?.();
    // The platform's own channels on this connection (the replicas' presence) are not the boats' messages.
    if (packet.topic.startsWith(platformPrefix)) {
      done();
      return;
    }
    if (stopping) {
      // No PUBACK: the broker keeps the message for this persistent session's next connection.
      heldPubacks.push(() => {
        done();
      });
      return;
    }
    try {
      writer.write(classify(packet));
    } catch (error) {
      // Never crash on a message; never lose it silently either.
      logger.error({ err: error, topic: packet.topic }, 'unexpected error while accepting a message');
      metrics.messages.inc({ outcome: 'internal-error' });
    }
    done();
  }

  return {
    async start() {
      if (started) throw new Error('ingest already started');
      started = true;
      mqtt.handleMessage = handleMessage;
      if (options.gapScanIntervalMs > 0) {
        stopGapScan = startGapScan({
          store,
          registry,
          clock,
          logger,
          metrics,
          intervalMs: options.gapScanIntervalMs,
        });
      }
      writer.resumeBacklog();
      const filters = ingestFilters(options.topicRoot, options.shareGroup);
      await subscribeWithRenewal(mqtt, filters, { logger, stopping: () => stopping });
    },
    async stop() {
      stopping = true;
      stopGapScan();
      await writer.close();
      await acks.settled();
      // Force-close: messages held without PUBACK stay with the broker for the next session.
      await mqtt.endAsync(true);
      heldPubacks.length = 0;
      logger.info({ backlog: deps.spool.depth() }, 'ingest stopped');
    },
    async replayDeadLetter(id) {
      const letter = await store.getDeadLetter(id);
      if (letter === undefined) return { replayed: false, reason: `no dead letter ${id}` };
      if (letter.replayedAtMs !== null)
        return {
          replayed: false,
          reason: `already replayed at ${new Date(letter.replayedAtMs).toISOString()}`,
        };
      const payload =
        letter.payloadEncoding === 'base64' ? Buffer.from(letter.payload, 'base64') : letter.payload;
      const result = classify({ topic: letter.topic, payload });
      // Refused as a whole: the letter stays, to be replayed once everything in it passes.
      if (result.deadLetters.length > 0)
        return {
          replayed: false,
          reason: result.deadLetters.map((l) => `${l.reason}: ${l.message}`).join('; '),
        };
      writer.write(result);
      // Durable (stored, or in the disk backlog) before the letter is marked replayed.
      await writer.flush();
      await store.markDeadLetterReplayed(id, clock.now());
      return { replayed: true };
    },
    async idle() {
      await writer.idle();
      await acks.settled();
    },
    ready() {
      return started && !stopping && mqtt.connected && !writer.storeDown();
    },
  };
}

export type { DecodeErrorCode };
