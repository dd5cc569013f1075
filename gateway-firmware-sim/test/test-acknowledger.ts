// STAND-IN FOR THE INGEST SERVICE — test code only, never shipped.
//
// The real ingest (services/ingest, being written separately) validates telemetry, writes it to InfluxDB
// and only then publishes the application-level ack. Until it lands, the gateway's tests and the backfill
// benchmark use this small acknowledger: it subscribes to every vessel's telemetry, "stores" readings in
// memory (deduplicated by vesselId/bootId/seq), sets aside what the contract rejects, and publishes the
// contract's retained Ack with, per boot, the highest contiguous seq stored and the ranges stored beyond
// it; device events are acknowledged the same way by their event seq. The lead will run the same scenarios
// against the real ingest.
import {
  type Ack,
  type DecodeErrorCode,
  MAX_ACKED_BOOTS,
  type Reading,
  decodeMessage,
  encodePayload,
  subscriptionFor,
  topicFor,
} from '@qt-led/contract';
import { connectMqtt, type MqttServer } from '@qt-led/test-harness';
import type { MqttClient } from 'mqtt';

export interface TestAcknowledgerOptions {
  server: MqttServer;
  topicRoot: string;
  clientId?: string;
  /** Keep every stored reading (tests); the benchmark only keeps seq sets. Default true. */
  keepReadings?: boolean;
  /** Wait this long (real time) before "storing" and acknowledging each message: a slow database. */
  ackDelayMs?: number;
}

export interface StoredReading {
  readonly reading: Reading;
  /** The reading as it arrived, to check that a resend is byte-for-byte the original. */
  readonly json: string;
}

interface BootLedger {
  throughSeq: number;
  readonly beyond: Set<number>;
  lastSeen: number;
}

export interface TestAcknowledger {
  /** Messages the contract rejected, by code: set aside, never stored. */
  readonly setAside: ReadonlyMap<DecodeErrorCode, number>;
  readonly stats: {
    telemetryMessages: number;
    readingsReceived: number;
    duplicates: number;
    stored: number;
    /** Same identity, different content: must stay 0. */
    conflicts: number;
    acksPublished: number;
    /** Distinct device events "stored". */
    eventsStored: number;
  };
  /** Stored readings of a vessel in the order they were first received. */
  storedOf(vesselId: string): readonly StoredReading[];
  /** Every reading identity received for a vessel, duplicates and paused-time receipts included, in order. */
  arrivalsOf(vesselId: string): readonly { bootId: string; seq: number }[];
  storedCount(vesselId?: string): number;
  throughSeq(vesselId: string, bootId: string): number;
  /** "Ingest is down": telemetry is received and dropped, nothing stored, nothing acknowledged. */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startTestAcknowledger(options: TestAcknowledgerOptions): Promise<TestAcknowledger> {
  const { topicRoot: root } = options;
  const keep = options.keepReadings ?? true;
  const setAside = new Map<DecodeErrorCode, number>();
  const stats = {
    telemetryMessages: 0,
    readingsReceived: 0,
    duplicates: 0,
    stored: 0,
    conflicts: 0,
    acksPublished: 0,
    eventsStored: 0,
  };
  // vesselId → bootId → event seqs "stored".
  const eventLedgers = new Map<string, Map<string, Set<number>>>();
  const ledgers = new Map<string, Map<string, BootLedger>>();
  const stored = new Map<string, StoredReading[]>();
  const contents = new Map<string, string>();
  const arrivals = new Map<string, { bootId: string; seq: number }[]>();
  const storedPerVessel = new Map<string, number>();
  let paused = false;
  let order = 0;
  let client: MqttClient | undefined;

  const ledgerOf = (vesselId: string, bootId: string): BootLedger => {
    let boots = ledgers.get(vesselId);
    if (!boots) {
      boots = new Map();
      ledgers.set(vesselId, boots);
    }
    let ledger = boots.get(bootId);
    if (!ledger) {
      ledger = { throughSeq: -1, beyond: new Set(), lastSeen: 0 };
      boots.set(bootId, ledger);
    }
    ledger.lastSeen = ++order;
    return ledger;
  };

  const isStored = (ledger: BootLedger, seq: number): boolean =>
    seq <= ledger.throughSeq || ledger.beyond.has(seq);

  const ackOf = (vesselId: string): Ack => {
    const boots = [...(ledgers.get(vesselId) ?? new Map<string, BootLedger>()).entries()]
      .sort((a, b) => b[1].lastSeen - a[1].lastSeen)
      .slice(0, MAX_ACKED_BOOTS)
      .map(([bootId, ledger]) => {
        const seqs = [...ledger.beyond].sort((a, b) => a - b);
        const ranges: [number, number][] = [];
        for (const seq of seqs) {
          const last = ranges.at(-1);
          if (last && seq === last[1] + 1) last[1] = seq;
          else if (ranges.length < 64) ranges.push([seq, seq]);
          else break;
        }
        const events = eventLedgers.get(vesselId)?.get(bootId);
        let eventsThroughSeq = -1;
        while (events?.has(eventsThroughSeq + 1)) eventsThroughSeq += 1;
        const eventRanges = [...(events ?? [])]
          .filter((s) => s > eventsThroughSeq)
          .sort((a, b) => a - b)
          .slice(0, 64)
          .map((s) => [s, s]);
        return {
          bootId,
          throughSeq: ledger.throughSeq,
          ...(ranges.length > 0 ? { storedRanges: ranges } : {}),
          ...(events === undefined ? {} : { eventsThroughSeq }),
          ...(eventRanges.length > 0 ? { storedEventRanges: eventRanges } : {}),
        };
      });
    return { schema: 'qtled.ack/1', vesselId, atMs: Date.now(), boots } as unknown as Ack;
  };

  const onMessage = (topic: string, payload: Buffer): void => {
    if (options.ackDelayMs !== undefined && options.ackDelayMs > 0) {
      setTimeout(() => {
        handle(topic, payload);
      }, options.ackDelayMs);
    } else handle(topic, payload);
  };

  const handle = (topic: string, payload: Buffer): void => {
    if (!client) return;
    const decoded = decodeMessage(topic, payload, { root });
    if (!decoded.ok) {
      setAside.set(decoded.code, (setAside.get(decoded.code) ?? 0) + 1);
      return;
    }
    if (decoded.channel === 'events' && !paused) {
      const event = decoded.payload;
      let boots = eventLedgers.get(event.vesselId);
      if (!boots) eventLedgers.set(event.vesselId, (boots = new Map<string, Set<number>>()));
      const seqs = boots.get(event.bootId) ?? new Set<number>();
      boots.set(event.bootId, seqs);
      if (!seqs.has(event.eventSeq)) stats.eventsStored += 1;
      seqs.add(event.eventSeq);
      ledgerOf(event.vesselId, event.bootId);
      stats.acksPublished += 1;
      client.publish(topicFor('ack', event.vesselId, root), encodePayload('ack', ackOf(event.vesselId)), {
        qos: 1,
        retain: true,
      });
      return;
    }
    if (decoded.channel !== 'telemetry') return;
    stats.telemetryMessages += 1;
    const vesselId = decoded.vesselId;
    const list = arrivals.get(vesselId) ?? [];
    arrivals.set(vesselId, list);
    for (const reading of decoded.payload.readings) list.push({ bootId: reading.bootId, seq: reading.seq });
    if (paused) return;
    for (const reading of decoded.payload.readings) {
      stats.readingsReceived += 1;
      const ledger = ledgerOf(vesselId, reading.bootId);
      const key = `${vesselId}/${reading.bootId}/${reading.seq}`;
      const json = JSON.stringify(reading);
      if (isStored(ledger, reading.seq)) {
        stats.duplicates += 1;
        if (keep && contents.get(key) !== json) stats.conflicts += 1;
        continue;
      }
      if (reading.seq === ledger.throughSeq + 1) {
        ledger.throughSeq = reading.seq;
        while (ledger.beyond.delete(ledger.throughSeq + 1)) ledger.throughSeq += 1;
      } else {
        ledger.beyond.add(reading.seq);
      }
      stats.stored += 1;
      storedPerVessel.set(vesselId, (storedPerVessel.get(vesselId) ?? 0) + 1);
      if (keep) {
        contents.set(key, json);
        const mine = stored.get(vesselId) ?? [];
        stored.set(vesselId, mine);
        mine.push({ reading, json });
      }
    }
    // "Stored": acknowledge, retained, on the vessel's ack topic.
    const ack = encodePayload('ack', ackOf(vesselId));
    stats.acksPublished += 1;
    client.publish(topicFor('ack', vesselId, root), ack, { qos: 1, retain: true });
  };

  client = await connectMqtt(options.server, {
    ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
    onMessage,
  });
  await client.subscribeAsync([subscriptionFor('telemetry', { root }), subscriptionFor('events', { root })], {
    qos: 1,
  });

  return {
    setAside,
    stats,
    storedOf: (vesselId) => stored.get(vesselId) ?? [],
    arrivalsOf: (vesselId) => arrivals.get(vesselId) ?? [],
    storedCount: (vesselId) => (vesselId === undefined ? stats.stored : (storedPerVessel.get(vesselId) ?? 0)),
    throughSeq: (vesselId, bootId) => ledgers.get(vesselId)?.get(bootId)?.throughSeq ?? -1,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
    },
    async close() {
      const c = client;
      client = undefined;
      await c?.endAsync();
    },
  };
}
