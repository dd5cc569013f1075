import {
  type Ack,
  type Reading,
  type TelemetryBatch,
  MAX_READINGS_PER_BATCH,
  encodePayload,
} from '@qt-led/contract';
import type { Activity } from './activity.js';
import type { QueuedEvent, QueuedReading } from './disk-queue.js';
import type { EventLog } from './event-log.js';
import type { BootContext, GatewayState } from './gateway-state.js';
import type { Cancel, Clock, GatewayLogger, MqttSession } from './ports.js';
import { createSingleFlight } from './single-flight.js';
import { createUploadWindow } from './upload-window.js';

export interface UploadCounts {
  /** Readings published this boot, resends included. */
  readonly published: number;
  /** Readings published from the backlog: taken offline, or sent before and not acknowledged. */
  readonly fromBacklog: number;
  /** Readings whose acknowledgement timed out. */
  readonly ackTimeouts: number;
  readonly batches: number;
  /** Readings removed from disk because an ack confirmed them. */
  readonly acked: number;
  /** Stored readings that failed the contract when sent, dropped. */
  readonly dropped: number;
  /** Readings an ack named that this gateway never published: kept (a forged or misdirected ack). */
  readonly ackedUnpublished: number;
  /** Device events removed from disk because an ack confirmed them. */
  readonly eventsAcked: number;
}

/** The counts of a boot that has uploaded nothing yet. */
export const NOTHING_UPLOADED: UploadCounts = {
  published: 0,
  fromBacklog: 0,
  ackTimeouts: 0,
  batches: 0,
  acked: 0,
  dropped: 0,
  ackedUnpublished: 0,
  eventsAcked: 0,
};

export interface LastAck {
  readonly bootId: string;
  readonly throughSeq: number;
}

/**
 * Sends the queue to the platform: device events first (kept until acknowledged, like readings), then the live readings (taken since this
 * connection came up) in batches, then the backlog oldest first under the backfill rate limit; at most
 * `maxInFlightReadings` unacknowledged. A reading leaves the disk only when an ack confirms it; a batch
 * not acknowledged within `ackTimeoutS` goes back to the backlog and is sent again.
 */
export interface Uploader {
  /** The connection is up and announced: everything unacknowledged is sent again, as backlog. */
  connected(mqtt: MqttSession): void;
  /** The connection is gone: nothing is in flight any more. */
  disconnected(): void;
  /** Sends what is due now and schedules a wake-up for what is due later; cheap to call often. */
  request(): void;
  /** Deletes what an ack confirms, for every boot it lists. */
  acknowledge(ack: Ack): void;
  inFlightCount(): number;
  isPumping(): boolean;
  /** Cancels the pending wake-up (the gateway is stopping). */
  cancelWake(): void;
  counts(): UploadCounts;
  lastAck(): LastAck | null;
}

export interface UploaderDeps {
  boot: BootContext;
  /** The vessel's telemetry topic. */
  topic: string;
  clock: Clock;
  wallNowMs: () => number;
  maxInFlightReadings: number;
  state: Readonly<GatewayState>;
  events: Pick<EventLog, 'due' | 'publish' | 'nextResendMono' | 'connected' | 'acknowledge'>;
  activity: Pick<Activity, 'begin' | 'notify'>;
  log: GatewayLogger;
}

export function createUploader(deps: UploaderDeps): Uploader {
  const { boot, clock, state, events, log } = deps;
  const { queue } = boot;
  const window = createUploadWindow({
    queue,
    maxInFlightReadings: deps.maxInFlightReadings,
    wakeAt: (atMono) => {
      wake.at(atMono);
    },
  });
  const counts = { ...NOTHING_UPLOADED };
  let mqtt: MqttSession | undefined;
  let lastAck: LastAck | null = null;

  // Read through functions: these change while an upload awaits the broker.
  const isStopped = (): boolean => state.stopped;
  const isOnline = (): boolean => state.online;
  const wake = createWakeTimer(clock, isStopped, () => {
    pump.request();
  });

  const expire = (nowMono: number): void => {
    for (const batch of window.expire(nowMono, state.settings.upload.ackTimeoutS * 1000)) {
      counts.ackTimeouts += batch.remaining;
      log.info(batch, 'ack timed out: will resend');
    }
  };

  const sendBatch = async (
    s: MqttSession,
    rows: readonly QueuedReading[],
    backlog: boolean,
  ): Promise<void> => {
    const first = rows[0];
    const last = rows.at(-1);
    if (!first || !last) return;
    let payload: string;
    try {
      payload = encodeTelemetry(boot, deps.wallNowMs(), rows);
    } catch (error) {
      // Cannot happen for readings validated when taken; never let one poison the queue for ever.
      log.error(
        { err: error, fromId: first.id, toId: last.id },
        'stored readings fail the contract: dropped',
      );
      counts.dropped += queue.dropBetween(first.id, last.id);
      return;
    }
    // Marked before it leaves, so that an ack can never come back for readings not yet marked; only marked
    // readings can be deleted by an ack.
    queue.markPublished(first.id, last.id);
    const batch = window.add(first.id, last.id, rows.length, clock.monotonicMs());
    try {
      await s.publish(deps.topic, payload, { qos: 1, retain: false });
    } catch (error) {
      window.remove(batch);
      throw error;
    }
    counts.batches += 1;
    counts.published += rows.length;
    if (backlog) counts.fromBacklog += rows.length;
  };

  // Only the broker is awaited here: what a batch holds must not depend on extra turns of the event loop.
  const pumpOnce = async (): Promise<void> => {
    const s = mqtt;
    if (!state.online || !s || state.stopped) return;
    expire(clock.monotonicMs());
    // Events first: few, small, and what an officer looks at. Kept until an ack names them.
    const ackTimeoutMs = state.settings.upload.ackTimeoutS * 1000;
    const dueEvents = (): QueuedEvent[] => events.due(clock.monotonicMs(), ackTimeoutMs);
    for (let due = dueEvents(); due.length > 0; due = dueEvents()) {
      for (const event of due) {
        await events.publish(s, event, clock.monotonicMs());
        if (isStopped() || !isOnline()) return;
      }
    }
    const { batchMaxReadings, batchMaxAgeS, backfillMaxReadingsPerS } = state.settings.upload;
    const batchMax = Math.min(batchMaxReadings, MAX_READINGS_PER_BATCH);
    // Live readings: never held back by the backlog.
    const live = (): QueuedReading[] | undefined =>
      window.nextLive(clock.monotonicMs(), batchMax, batchMaxAgeS);
    for (let rows = live(); rows; rows = live()) {
      await sendBatch(s, rows, false);
      if (isStopped() || !isOnline()) return;
    }
    const backlog = (): QueuedReading[] | undefined =>
      window.nextBacklog(clock.monotonicMs(), batchMax, backfillMaxReadingsPerS);
    for (let rows = backlog(); rows; rows = backlog()) {
      await sendBatch(s, rows, true);
      if (isStopped() || !isOnline()) return;
    }
    for (const sentMono of window.sentTimesMono()) wake.at(sentMono + ackTimeoutMs);
    const eventResend = events.nextResendMono(ackTimeoutMs);
    if (eventResend !== undefined) wake.at(eventResend);
  };

  const pump = createSingleFlight(
    {
      mayStart: () => !state.stopped && !state.stopping && state.online,
      mayRepeat: () => isOnline() && !isStopped(),
      begin: () => deps.activity.begin(),
      onError: (error) => {
        if (!isStopped() && isOnline()) log.warn({ err: error }, 'upload interrupted');
      },
    },
    pumpOnce,
  );

  return {
    connected(session) {
      mqtt = session;
      events.connected();
      const tokens = Math.min(state.settings.upload.batchMaxReadings, MAX_READINGS_PER_BATCH);
      window.restart(queue.nextReadingId(), tokens, clock.monotonicMs());
    },
    disconnected() {
      window.clear();
      wake.cancel();
    },
    request: () => {
      pump.request();
    },
    acknowledge(ack) {
      if (state.stopped) return;
      let removed = 0;
      let unpublished = 0;
      let eventsRemoved = 0;
      let eventsUnpublished = 0;
      for (const b of ack.boots) {
        const result = queue.acknowledge(b.bootId, b.throughSeq, b.storedRanges ?? []);
        removed += result.removed;
        unpublished += result.unpublished;
        if (b.eventsThroughSeq === undefined && b.storedEventRanges === undefined) continue;
        const ofEvents = events.acknowledge(b.bootId, b.eventsThroughSeq ?? -1, b.storedEventRanges ?? []);
        eventsRemoved += ofEvents.removed;
        eventsUnpublished += ofEvents.unpublished;
      }
      if (unpublished > 0) {
        counts.ackedUnpublished += unpublished;
        log.warn({ unpublished, boots: ack.boots.length }, 'ack names readings never published: kept');
      }
      if (eventsUnpublished > 0)
        log.warn({ unpublished: eventsUnpublished }, 'ack names device events never published: kept');
      counts.eventsAcked += eventsRemoved;
      const mine = ack.boots.find((b) => b.bootId === boot.bootId) ?? ack.boots[0];
      if (mine) lastAck = { bootId: mine.bootId, throughSeq: mine.throughSeq };
      counts.acked += removed;
      if (removed > 0) {
        window.recount();
        pump.request();
      }
      deps.activity.notify();
    },
    inFlightCount: () => window.inFlight(),
    isPumping: () => pump.running,
    cancelWake: () => {
      wake.cancel();
    },
    counts: () => ({ ...counts }),
    lastAck: () => lastAck,
  };
}

/** The batch as it goes on the wire; throws if the stored readings fail the contract. */
function encodeTelemetry(boot: BootContext, sentAtMs: number, rows: readonly QueuedReading[]): string {
  const batch = {
    schema: 'qtled.telemetry/1',
    vesselId: boot.vesselId,
    gatewayId: boot.gatewayId,
    sentAtMs,
    readings: rows.map((r) => JSON.parse(r.body) as Reading),
  } satisfies TelemetryBatch;
  return encodePayload('telemetry', batch);
}

/** One wake-up timer, kept at the earliest instant asked for. */
function createWakeTimer(
  clock: Clock,
  isStopped: () => boolean,
  onWake: () => void,
): { at(atMono: number): void; cancel(): void } {
  let wake: { at: number; cancel: Cancel } | undefined;
  return {
    at(atMono) {
      if (isStopped()) return;
      if (wake && wake.at <= atMono) return;
      wake?.cancel();
      const delay = Math.max(0, atMono - clock.monotonicMs());
      const cancel = clock.setTimer(delay, () => {
        if (wake?.cancel === cancel) wake = undefined;
        onWake();
      });
      wake = { at: atMono, cancel };
    },
    cancel() {
      wake?.cancel();
      wake = undefined;
    },
  };
}
