import {
  type DecodeErrorCode,
  decodeMessage,
  encodePayload,
  type GatewayAssignments,
  localDateOf,
  type Reading,
  type TelemetryBatch,
} from '@qt-led/contract';
import type { DeadLetterReason, NewDeadLetter, StoredDeviceMessage, StoredReading } from '@qt-led/store';
import type { InboundPublish } from './mqtt-port.js';
import type { AckSeqs, WriteBatch } from './spool.js';
import { toDeadLetter, toDeviceMessage, toStoredReading } from './stored-records.js';

export interface ClassifierOptions {
  topicRoot: string;
  /** Readings stamped further ahead of receive time than this are set aside as `time-in-future`. */
  futureToleranceMs: number;
  /** Readings stamped before this instant (an RTC reset to 1970) are set aside. */
  minDeviceTimeMs: number;
  /** A batch whose send time differs from receive time by more than this is flagged as clock skew. */
  clockSkewToleranceMs: number;
}

/** What the `messages` counter says of one message: valid, or why it was set aside or ignored. */
export type MessageOutcome = 'valid' | DecodeErrorCode | 'unknown-vessel' | 'not-telemetry';

/** What one message becomes: the items to write, the seqs to acknowledge once they are durable, and counts. */
export interface Classification extends WriteBatch {
  outcome: MessageOutcome;
  readings: StoredReading[];
  deadLetters: NewDeadLetter[];
  deviceMessages: StoredDeviceMessage[];
  acks: AckSeqs;
  /** The device events' seqs to acknowledge once they are durable. */
  eventAcks: AckSeqs;
  /** Readings set aside, by reason; stored ones are counted when they are written. */
  readingsSetAside: Partial<Record<DeadLetterReason, number>>;
  /** Readings of a batch sent at a time off receive time by more than the tolerance. */
  clockSkewFlagged: number;
}

export interface ClassifyContext {
  /** The registry in force, as ingest needs it. */
  registry: GatewayAssignments;
  receivedAtMs: number;
  options: ClassifierOptions;
}

/**
 * Turns one received message into what ingest does with it; no I/O, so every rule is testable alone.
 * Set aside is as good as received for the gateway: the seqs of readings kept as dead letters are
 * acknowledged with the stored ones, so the boat frees its queue and an operator replays after a fix.
 */
export function classifyMessage(message: InboundPublish, context: ClassifyContext): Classification {
  const { topic, payload } = message;
  const { registry, receivedAtMs, options } = context;
  const result = emptyClassification('valid');
  const decoded = decodeMessage(topic, payload, { root: options.topicRoot });
  if (!decoded.ok) {
    result.outcome = decoded.code;
    result.deadLetters.push(toDeadLetter(topic, payload, decoded.code, decoded.message, receivedAtMs));
    return result;
  }
  if (decoded.channel === 'ack' || decoded.channel === 'config') {
    // The platform's own downlinks; a gateway publishing them is refused by the broker's ACL.
    result.outcome = 'not-telemetry';
    return result;
  }
  if (!registry.has(decoded.vesselId)) {
    result.outcome = 'unknown-vessel';
    const text = `vessel ${decoded.vesselId} is not in the fleet registry`;
    result.deadLetters.push(toDeadLetter(topic, payload, 'unknown-vessel', text, receivedAtMs));
    if (decoded.channel === 'telemetry') {
      const readings = decoded.payload.readings;
      result.readingsSetAside['unknown-vessel'] = readings.length;
      for (const r of readings) noteAck(result.acks, r);
    } else if (decoded.channel === 'events') {
      noteAck(result.eventAcks, { ...decoded.payload, seq: decoded.payload.eventSeq });
    }
    return result;
  }
  if (decoded.channel === 'telemetry') {
    classifyTelemetry(topic, decoded.payload, context, result);
  } else {
    // Presence and heartbeats carry no seq to acknowledge: the next one replaces them. A device event is
    // acknowledged by its seq once stored (or set aside), and the gateway keeps it until then. A heartbeat's
    // or event's own time stamped far ahead is set aside like a reading's: a store keyed by time (InfluxDB
    // ends in 2262) would refuse it for ever, and hold every write behind it on the disk backlog. One stamped
    // by a clock reset to 1970 is stored: it is the status service's evidence of the reset.
    const stamped = decoded.channel === 'presence' ? undefined : decoded.payload.atMs;
    const ahead = stamped !== undefined && stamped > receivedAtMs + options.futureToleranceMs;
    if (!ahead) result.deviceMessages.push(toDeviceMessage(decoded, receivedAtMs));
    else {
      const text = `${decoded.channel} of ${decoded.vesselId} stamped ${instantText(stamped)}: ahead of receive time`;
      result.deadLetters.push(toDeadLetter(topic, payload, 'time-in-future', text, receivedAtMs));
    }
    if (decoded.channel === 'events')
      noteAck(result.eventAcks, { ...decoded.payload, seq: decoded.payload.eventSeq });
  }
  return result;
}

/** The readings of a known vessel's batch: stored, or set aside by a time rule, every seq acknowledged. */
function classifyTelemetry(
  topic: string,
  batch: TelemetryBatch,
  { registry, receivedAtMs, options }: ClassifyContext,
  result: Classification,
): void {
  // The clock's rules first: a reading stamped 1970 is an RTC reset, whoever sent it; and only readings
  // that pass them reach the registry's date look-up (a stamp past year 275760 has no date at all).
  const broken = batch.readings.map((reading) => timeRuleBroken(reading, receivedAtMs, options));
  const fromItsGateway = gatewayCheck(
    batch,
    batch.readings.filter((_, i) => broken[i] === undefined),
    registry,
  );
  const skewMs = batch.sentAtMs - receivedAtMs;
  if (Math.abs(skewMs) > options.clockSkewToleranceMs) result.clockSkewFlagged = batch.readings.length;
  const rejected = new Map<DeadLetterReason, Reading[]>();
  for (const [i, reading] of batch.readings.entries()) {
    noteAck(result.acks, reading);
    const reason = broken[i] ?? (fromItsGateway(reading) ? undefined : 'gateway-mismatch');
    if (reason === undefined) {
      result.readings.push(toStoredReading(batch, reading, receivedAtMs, skewMs));
      continue;
    }
    const list = rejected.get(reason) ?? [];
    list.push(reading);
    rejected.set(reason, list);
    result.readingsSetAside[reason] = (result.readingsSetAside[reason] ?? 0) + 1;
  }
  for (const [reason, readings] of rejected) {
    // Kept as a valid telemetry batch of just those readings, so that it can be replayed as it is.
    const kept: TelemetryBatch = { ...batch, readings };
    const first = readings[0] as Reading;
    const why =
      reason === 'gateway-mismatch'
        ? `sent by gateway ${batch.gatewayId}, which the registry does not put on ${batch.vesselId} on that date`
        : reason === 'time-in-future'
          ? 'ahead of receive time'
          : 'before the earliest plausible device time';
    const text = `${readings.length} reading(s) of ${batch.vesselId} boot ${first.bootId} stamped ${instantText(first.deviceTimeMs)}: ${why}`;
    result.deadLetters.push(
      toDeadLetter(topic, encodePayload('telemetry', kept), reason, text, receivedAtMs),
    );
  }
}

/**
 * Whether a reading comes from the gateway the registry puts on the batch's vessel on the reading's local
 * date: a login allowed to publish for a vessel (or a gateway moved to another boat) cannot add readings
 * under a gateway the vessel did not carry, and a backlog delivered after a swap still counts for the
 * dates the old gateway was aboard. Checked per batch when the first and last of `timely` (the readings
 * that passed the time rules) agree (the usual case: two date look-ups), per reading otherwise.
 */
function gatewayCheck(
  batch: TelemetryBatch,
  timely: readonly Reading[],
  registry: GatewayAssignments,
): (reading: Reading) => boolean {
  const onDate = (ms: number): boolean =>
    registry.gatewayOn(batch.vesselId, localDateOf(ms)) === batch.gatewayId;
  const first = timely[0];
  const last = timely.at(-1);
  if (first === undefined || last === undefined) return () => true;
  const sameDay = localDateOf(first.deviceTimeMs) === localDateOf(last.deviceTimeMs);
  if (sameDay) {
    const ok = onDate(first.deviceTimeMs);
    return () => ok;
  }
  const memo = new Map<string, boolean>();
  return (reading) => {
    const date = localDateOf(reading.deviceTimeMs);
    let ok = memo.get(date);
    if (ok === undefined) memo.set(date, (ok = onDate(reading.deviceTimeMs)));
    return ok;
  };
}

/** An instant for a message: ISO 8601, or the bare number where it lies beyond what a Date can hold. */
function instantText(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `${ms} ms` : date.toISOString();
}

function timeRuleBroken(
  reading: Pick<Reading, 'deviceTimeMs'>,
  receivedAtMs: number,
  options: ClassifierOptions,
): 'time-before-epoch-floor' | 'time-in-future' | undefined {
  if (reading.deviceTimeMs < options.minDeviceTimeMs) return 'time-before-epoch-floor';
  if (reading.deviceTimeMs > receivedAtMs + options.futureToleranceMs) return 'time-in-future';
  return undefined;
}

function noteAck(acks: AckSeqs, reading: Pick<Reading, 'vesselId' | 'bootId' | 'seq'>): void {
  const boots = (acks[reading.vesselId] ??= {});
  (boots[reading.bootId] ??= []).push(reading.seq);
}

function emptyClassification(outcome: MessageOutcome): Classification {
  return {
    outcome,
    readings: [],
    deadLetters: [],
    deviceMessages: [],
    acks: {},
    eventAcks: {},
    readingsSetAside: {},
    clockSkewFlagged: 0,
  };
}
