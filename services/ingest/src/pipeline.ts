import {
  type BootId,
  type DecodeErrorCode,
  decodeMessage,
  encodePayload,
  type Reading,
  subscriptionFor,
  type TelemetryBatch,
  topicFor,
  type VesselId,
} from '@qt-led/contract';
import type { RegistryIndex } from '@qt-led/contract';
import type { Logger } from '@qt-led/runtime';
import {
  type DeadLetterReason,
  findGaps,
  type NewDeadLetter,
  type StoredDeviceMessage,
  type StoredReading,
  type TelemetryStore,
} from '@qt-led/store';
import type { IPublishPacket, MqttClient } from 'mqtt';
import { AckTracker } from './ack-tracker.js';
import type { IngestMetrics } from './metrics.js';
import type { Spool, WriteBatch } from './spool.js';

export interface IngestOptions {
  topicRoot: string;
  /** Shared-subscription group; undefined on brokers without shared subscriptions (aedes). */
  shareGroup: string | undefined;
  batchMaxReadings: number;
  batchMaxAgeMs: number;
  maxWritesInFlight: number;
  /** Readings stamped further ahead of receive time than this are set aside as `time-in-future`. */
  futureToleranceMs: number;
  /** Readings stamped before this instant (an RTC reset to 1970) are set aside. */
  minDeviceTimeMs: number;
  /** A batch whose send time differs from receive time by more than this is flagged as clock skew. */
  clockSkewToleranceMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** How often the gap ledger over the last day is recounted for the `gaps_open` metric; 0 = never. */
  gapScanIntervalMs: number;
}

export interface Clock {
  now(): number;
}

export interface IngestDeps {
  mqtt: MqttClient;
  store: TelemetryStore;
  registry: RegistryIndex;
  spool: Spool;
  clock: Clock;
  logger: Logger;
  metrics: IngestMetrics;
  options: IngestOptions;
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
 * The ingest pipeline: MQTT telemetry → contract validation → batches (bounded by size and age, a few
 * writes in flight) → store → application-level ack. A write that fails goes to the disk backlog, which
 * a single drainer writes back with exponential backoff, so memory stays flat during an outage. Messages
 * are PUBACKed on receipt (design.md §1); the guarantee is the application-level ack, published only
 * after the readings — or their dead letters — are durable.
 */
export function createIngest(deps: IngestDeps): Ingest {
  const { mqtt, store, registry, spool, clock, metrics, options } = deps;
  const logger = deps.logger.child({ component: 'pipeline' });
  const tracker = new AckTracker();
  let current = emptyBatch();
  let currentSince = 0;
  let inFlight = 0;
  /** Batches waiting for a write slot: at most `maxWritesInFlight`; beyond that they go to disk. */
  const waiting: WriteBatch[] = [];
  const writes = new Set<Promise<void>>();
  let draining: Promise<void> | undefined;
  let storeDown = false;
  let stopping = false;
  let started = false;
  let ageTimer: NodeJS.Timeout | undefined;
  let gapTimer: NodeJS.Timeout | undefined;
  const heldPubacks: (() => void)[] = [];
  const acksInFlight = new Set<Promise<unknown>>();

  function emptyBatch(): WriteBatch {
    return { readings: [], deadLetters: [], deviceMessages: [], acks: {} };
  }

  /** What a batch holds to write: readings, dead letters and device messages. */
  function sizeOf(batch: WriteBatch): number {
    return batch.readings.length + batch.deadLetters.length + (batch.deviceMessages?.length ?? 0);
  }

  function updateBacklogGauges(): void {
    const depth = spool.depth();
    metrics.backlogBatches.set(depth.batches);
    metrics.backlogReadings.set(depth.readings);
  }

  function noteAck(batch: WriteBatch, vesselId: string, bootId: string, seq: number): void {
    const boots = (batch.acks[vesselId] ??= {});
    (boots[bootId] ??= []).push(seq);
  }

  function setAside(
    topic: string,
    payload: Uint8Array | string,
    reason: DeadLetterReason,
    message: string,
    at: number,
  ): void {
    const bytes =
      typeof payload === 'string'
        ? Buffer.from(payload)
        : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const utf8 = bytes.toString('utf8');
    const lossless = Buffer.from(utf8, 'utf8').equals(bytes);
    const letter: NewDeadLetter = {
      receivedAtMs: at,
      topic,
      reason,
      message,
      payload: lossless ? utf8 : bytes.toString('base64'),
      payloadEncoding: lossless ? 'utf8' : 'base64',
      payloadBytes: bytes.byteLength,
    };
    current.deadLetters.push(letter);
    logger.warn({ topic, reason, bytes: bytes.byteLength }, `set aside: ${message.split('\n')[0] ?? ''}`);
  }

  function accept(topic: string, payload: Uint8Array | string): void {
    const now = clock.now();
    if (sizeOf(current) === 0) currentSince = now;
    const decoded = decodeMessage(topic, payload, { root: options.topicRoot });
    if (!decoded.ok) {
      metrics.messages.inc({ outcome: decoded.code });
      setAside(topic, payload, decoded.code, decoded.message, now);
      maybeFlush();
      return;
    }
    if (decoded.channel === 'presence' || decoded.channel === 'heartbeat' || decoded.channel === 'events') {
      acceptDeviceMessage(topic, payload, toDeviceMessage(decoded, now), now);
      return;
    }
    if (decoded.channel !== 'telemetry') {
      // ack and config are the platform's own downlinks; a gateway publishing them is refused by the ACL.
      metrics.messages.inc({ outcome: 'not-telemetry' });
      return;
    }
    const batch = decoded.payload;
    if (registry.vessel(batch.vesselId) === undefined) {
      metrics.messages.inc({ outcome: 'unknown-vessel' });
      metrics.readings.inc({ outcome: 'unknown-vessel' }, batch.readings.length);
      setAside(
        topic,
        payload,
        'unknown-vessel',
        `vessel ${batch.vesselId} is not in the fleet registry`,
        now,
      );
      // Durably set aside counts as received: the gateway may free its queue (replay after a registry fix).
      for (const r of batch.readings) noteAck(current, r.vesselId, r.bootId, r.seq);
      maybeFlush();
      return;
    }
    metrics.messages.inc({ outcome: 'valid' });
    const skewMs = batch.sentAtMs - now;
    if (Math.abs(skewMs) > options.clockSkewToleranceMs) metrics.clockSkewFlagged.inc(batch.readings.length);
    const rejected = new Map<DeadLetterReason, Reading[]>();
    for (const reading of batch.readings) {
      const reason: DeadLetterReason | undefined =
        reading.deviceTimeMs < options.minDeviceTimeMs
          ? 'time-before-epoch-floor'
          : reading.deviceTimeMs > now + options.futureToleranceMs
            ? 'time-in-future'
            : undefined;
      noteAck(current, reading.vesselId, reading.bootId, reading.seq);
      if (reason !== undefined) {
        const list = rejected.get(reason) ?? [];
        list.push(reading);
        rejected.set(reason, list);
        metrics.readings.inc({ outcome: reason });
        continue;
      }
      current.readings.push(toStored(batch, reading, now, skewMs));
    }
    for (const [reason, readings] of rejected) {
      // Kept as a valid telemetry batch of just those readings, so that it can be replayed as it is.
      const kept: TelemetryBatch = { ...batch, readings };
      const first = readings[0] as Reading;
      setAside(
        topic,
        encodePayload('telemetry', kept),
        reason,
        `${readings.length} reading(s) of ${batch.vesselId} boot ${first.bootId} stamped ${new Date(first.deviceTimeMs).toISOString()}: ${
          reason === 'time-in-future' ? 'ahead of receive time' : 'before the earliest plausible device time'
        }`,
        now,
      );
    }
    maybeFlush();
  }

  /**
   * Presence, heartbeats and events are stored beside the readings (the status service reads them), in the
   * same batches. They carry no seq to acknowledge: presence and heartbeats are replaced by the next one,
   * and a gateway resends an event until the broker has it.
   */
  function acceptDeviceMessage(
    topic: string,
    payload: Uint8Array | string,
    message: StoredDeviceMessage,
    now: number,
  ): void {
    if (registry.vessel(message.vesselId) === undefined) {
      metrics.messages.inc({ outcome: 'unknown-vessel' });
      setAside(
        topic,
        payload,
        'unknown-vessel',
        `vessel ${message.vesselId} is not in the fleet registry`,
        now,
      );
    } else {
      metrics.messages.inc({ outcome: 'valid' });
      current.deviceMessages?.push(message);
    }
    maybeFlush();
  }

  function maybeFlush(): void {
    if (sizeOf(current) >= options.batchMaxReadings) flush();
  }

  function flush(): void {
    if (sizeOf(current) === 0 && Object.keys(current.acks).length === 0) return;
    const batch = current;
    current = emptyBatch();
    if (storeDown || spool.depth().batches > 0 || waiting.length >= options.maxWritesInFlight) {
      // Backlog on disk, not heap; the drainer writes it back in order.
      spool.push(batch);
      updateBacklogGauges();
      startDrainer();
      return;
    }
    waiting.push(batch);
    pump();
  }

  /** Starts waiting batches while fewer than `maxWritesInFlight` writes run. */
  function pump(): void {
    while (inFlight < options.maxWritesInFlight && waiting.length > 0) {
      const batch = waiting.shift() as WriteBatch;
      inFlight++;
      const write = writeBatch(batch)
        .catch((error: unknown) => {
          metrics.writeFailures.inc();
          storeDown = true;
          logger.warn(
            { err: error, readings: batch.readings.length },
            'store write failed; batch kept on disk for retry',
          );
          spool.push(batch);
          for (const queued of waiting.splice(0)) spool.push(queued);
          updateBacklogGauges();
          startDrainer();
        })
        .finally(() => {
          inFlight--;
          writes.delete(write);
          pump();
        });
      writes.add(write);
    }
  }

  async function writeBatch(batch: WriteBatch): Promise<void> {
    const end = metrics.writeSeconds.startTimer();
    if (batch.readings.length > 0) await store.writeReadings(batch.readings);
    if (batch.deadLetters.length > 0) await store.addDeadLetters(batch.deadLetters);
    if (batch.deviceMessages !== undefined && batch.deviceMessages.length > 0)
      await store.writeDeviceMessages(batch.deviceMessages);
    end();
    metrics.pointsWritten.inc(batch.readings.length);
    metrics.readings.inc({ outcome: 'stored' }, batch.readings.length);
    metrics.batchSize.observe(batch.readings.length);
    publishAcks(batch);
  }

  function publishAcks(batch: WriteBatch): void {
    const at = clock.now();
    for (const [vesselId, boots] of Object.entries(batch.acks)) {
      let ack;
      for (const [bootId, seqs] of Object.entries(boots)) {
        ack = tracker.confirm(vesselId as VesselId, bootId as BootId, seqs, at);
      }
      if (ack === undefined) continue;
      const sent = mqtt
        .publishAsync(topicFor('ack', ack.vesselId, options.topicRoot), encodePayload('ack', ack), {
          qos: 1,
          retain: true,
        })
        .then(() => metrics.acksSent.inc())
        .catch((error: unknown) => {
          // The gateway resends after its ack timeout; the next ack of this vessel carries the state again.
          logger.warn({ err: error, vesselId }, 'could not publish ack');
        })
        .finally(() => acksInFlight.delete(sent));
      acksInFlight.add(sent);
    }
  }

  function startDrainer(): void {
    if (draining !== undefined || stopping) return;
    draining = drain().finally(() => {
      draining = undefined;
    });
  }

  async function drain(): Promise<void> {
    let delayMs = 0;
    for (;;) {
      if (delayMs > 0) await sleep(delayMs);
      if (stopping) return;
      const next = spool.peek();
      if (next === undefined) {
        storeDown = false;
        logger.info('disk backlog drained');
        return;
      }
      try {
        await writeBatch(next.batch);
        spool.remove(next.id);
        updateBacklogGauges();
        delayMs = 0;
      } catch (error) {
        metrics.writeFailures.inc();
        delayMs = Math.min(options.retryMaxMs, Math.max(options.retryBaseMs, delayMs * 2));
        logger.warn({ err: error, retryInMs: delayMs, backlog: spool.depth() }, 'store still unavailable');
      }
    }
  }

  async function scanGaps(): Promise<void> {
    const to = clock.now();
    let open = 0;
    for (const vessel of registry.registry.vessels) {
      open += findGaps(await store.readings(vessel.vesselId, to - 86_400_000, to)).length;
    }
    metrics.gapsOpen.set(open);
  }

  return {
    async start() {
      if (started) throw new Error('ingest already started');
      started = true;
      mqtt.handleMessage = (packet: IPublishPacket, done: (error?: Error) => void) => {
        if (stopping) {
          // No PUBACK: the broker keeps the message for this persistent session's next connection.
          heldPubacks.push(() => {
            done();
          });
          return;
        }
        try {
          accept(packet.topic, packet.payload);
        } catch (error) {
          // Never crash on a message; never lose it silently either.
          logger.error({ err: error, topic: packet.topic }, 'unexpected error while accepting a message');
          metrics.messages.inc({ outcome: 'internal-error' });
        }
        done();
      };
      ageTimer = setInterval(
        () => {
          if (sizeOf(current) > 0 && clock.now() - currentSince >= options.batchMaxAgeMs) flush();
        },
        Math.max(5, Math.floor(options.batchMaxAgeMs / 2)),
      );
      if (options.gapScanIntervalMs > 0) {
        gapTimer = setInterval(() => {
          scanGaps().catch((error: unknown) => logger.warn({ err: error }, 'gap scan failed'));
        }, options.gapScanIntervalMs);
      }
      updateBacklogGauges();
      if (spool.depth().batches > 0) {
        logger.info({ backlog: spool.depth() }, 'resuming disk backlog from a previous run');
        startDrainer();
      }
      const filters = INGESTED_CHANNELS.map((channel) =>
        subscriptionFor(channel, {
          root: options.topicRoot,
          ...(options.shareGroup === undefined ? {} : { shareGroup: options.shareGroup }),
        }),
      );
      const granted = await mqtt.subscribeAsync(filters, { qos: 1 });
      if (granted.some((g) => g.qos !== 1))
        throw new Error(`broker refused subscription ${filters.join(', ')}: ${JSON.stringify(granted)}`);
      logger.info({ filters }, 'subscribed');
      // Renew the subscription on every reconnection, even when the broker reports the session present:
      // Mosquitto 2.0.11 restored from its persistence file keeps a shared subscription in the session
      // but delivers nothing to it (seen here after a broker restart; subscribing again did not help,
      // unsubscribing first does). Whatever is published in between, the gateways resend: they delete
      // readings only on the application-level ack.
      mqtt.on('connect', () => {
        if (stopping) return;
        mqtt
          .unsubscribeAsync(filters)
          .then(() => mqtt.subscribeAsync(filters, { qos: 1 }))
          .then(
            () => logger.info({ filters }, 'subscriptions renewed after reconnecting'),
            (error: unknown) =>
              logger.error({ err: error, filters }, 'could not renew the subscriptions after reconnecting'),
          );
      });
    },
    async stop() {
      stopping = true;
      clearInterval(ageTimer);
      clearInterval(gapTimer);
      flush();
      await Promise.allSettled([...writes]);
      await draining;
      await Promise.allSettled([...acksInFlight]);
      // Force-close: messages held without PUBACK stay with the broker for the next session.
      await mqtt.endAsync(true);
      heldPubacks.length = 0;
      logger.info({ backlog: spool.depth() }, 'ingest stopped');
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
      const before = current.deadLetters.length;
      accept(letter.topic, payload);
      const rejected = current.deadLetters.length > before;
      if (rejected) {
        const again = current.deadLetters.splice(before);
        return { replayed: false, reason: again.map((l) => `${l.reason}: ${l.message}`).join('; ') };
      }
      flush();
      await Promise.allSettled([...writes]);
      await store.markDeadLetterReplayed(id, clock.now());
      return { replayed: true };
    },
    async idle() {
      for (;;) {
        flush();
        await Promise.allSettled([...writes]);
        await draining;
        await Promise.allSettled([...acksInFlight]);
        if (
          writes.size === 0 &&
          waiting.length === 0 &&
          draining === undefined &&
          spool.depth().batches === 0 &&
          sizeOf(current) === 0
        )
          return;
        await sleep(20);
      }
    },
    ready() {
      return started && !stopping && mqtt.connected && !storeDown;
    },
  };
}

/** The channels ingest subscribes to: everything a gateway publishes. */
const INGESTED_CHANNELS = ['telemetry', 'presence', 'heartbeat', 'events'] as const;

type DeviceDecoded = Extract<
  ReturnType<typeof decodeMessage>,
  { ok: true; channel: 'presence' | 'heartbeat' | 'events' }
>;

function toDeviceMessage(decoded: DeviceDecoded, receivedAtMs: number): StoredDeviceMessage {
  const identity = { receivedAtMs };
  switch (decoded.channel) {
    case 'presence': {
      const p = decoded.payload;
      return {
        ...identity,
        kind: 'presence',
        vesselId: p.vesselId,
        gatewayId: p.gatewayId,
        bootId: p.bootId,
        atMs: receivedAtMs,
        payload: p,
      };
    }
    case 'heartbeat': {
      const h = decoded.payload;
      return {
        ...identity,
        kind: 'heartbeat',
        vesselId: h.vesselId,
        gatewayId: h.gatewayId,
        bootId: h.bootId,
        atMs: h.atMs,
        payload: h,
      };
    }
    case 'events': {
      const e = decoded.payload;
      return {
        ...identity,
        kind: 'event',
        vesselId: e.vesselId,
        gatewayId: e.gatewayId,
        bootId: e.bootId,
        atMs: e.atMs,
        payload: e,
      };
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function toStored(batch: TelemetryBatch, r: Reading, receivedAtMs: number, skewMs: number): StoredReading {
  const position = r.position;
  const fixed = position !== undefined && position.fix !== 'none' ? position : undefined;
  return {
    vesselId: r.vesselId,
    gatewayId: batch.gatewayId,
    bootId: r.bootId,
    seq: r.seq,
    deviceTimeMs: r.deviceTimeMs,
    receivedAtMs,
    clockSkewMs: skewMs,
    timeSource: r.timeSource ?? null,
    ledPowerW: r.led?.powerW ?? null,
    ledEnergyKwh: r.led?.energyKwh ?? null,
    lampsOn: r.led?.lampsOn ?? null,
    fuelRateLph: r.fuel?.rateLph ?? null,
    fuelTotalL: r.fuel?.totalL ?? null,
    fix: position?.fix ?? null,
    lat: fixed?.lat ?? null,
    lon: fixed?.lon ?? null,
    speedKn: fixed?.speedKn ?? null,
    headingDeg: fixed?.headingDeg ?? null,
  };
}

export type { DecodeErrorCode };
