import { type DeviceEventBody, encodePayload } from '@qt-led/contract';
import type { QueuedEvent } from './disk-queue.js';
import type { BootContext } from './gateway-state.js';
import type { MqttSession } from './ports.js';

/** Most events read from disk per look at the outbox; the rest follow in the next look. */
const EVENTS_PER_LOOK = 50;

/**
 * The device events of this boot (boot, sensor faults, clock steps, configs, queue pressure): stored in the
 * queue's outbox the moment they happen, so a power cut loses none, and deleted only when the platform's
 * ack names them (by boot and event seq) — the broker's PUBACK says only that the broker has them, and an
 * ingest crash right after would lose them. An event not acknowledged within the ack timeout, or still
 * there when the connection comes back, is sent again; ingest stores them idempotently. The uploader decides
 * when they go out (before any telemetry).
 */
export interface EventLog {
  /** Stores an event, stamped with the wall clock and the boot's next event seq. */
  record(event: DeviceEventBody): void;
  /** Events to send now: never sent on this connection, or sent more than `ackTimeoutMs` ago. */
  due(nowMono: number, ackTimeoutMs: number): QueuedEvent[];
  /** Publishes a stored event (marked published first, so that an ack may delete it); resolves on PUBACK. */
  publish(mqtt: MqttSession, event: QueuedEvent, nowMono: number): Promise<void>;
  /** When the earliest event sent and not yet acknowledged is due again, if any. */
  nextResendMono(ackTimeoutMs: number): number | undefined;
  /** A new connection: everything not acknowledged goes out again. */
  connected(): void;
  /** Deletes what an ack confirms for one boot; returns how many it removed and named unpublished. */
  acknowledge(
    bootId: string,
    throughSeq: number,
    ranges: readonly (readonly [number, number])[],
  ): { removed: number; unpublished: number };
  /** Events not yet acknowledged. */
  pending(): number;
  /** Events sent on this connection and not yet acknowledged. */
  inFlight(): number;
}

export interface EventLogDeps {
  boot: BootContext;
  topic: string;
  wallNowMs: () => number;
}

export function createEventLog(deps: EventLogDeps): EventLog {
  const { boot, topic } = deps;
  const { queue } = boot;
  // Event id → monotonic time it was last sent on this connection (memory only: a reboot resends).
  const sentAt = new Map<number, number>();
  return {
    record(event) {
      queue.appendEvent(boot.ordinal, (eventSeq) =>
        encodePayload('events', {
          schema: 'qtled.event/1',
          vesselId: boot.vesselId,
          gatewayId: boot.gatewayId,
          bootId: boot.bootId,
          eventSeq,
          atMs: deps.wallNowMs(),
          event,
        }),
      );
    },
    due(nowMono, ackTimeoutMs) {
      if (queue.eventCount() === 0) return [];
      // The outbox holds few events (a handful a day); those in flight are skipped, not paged past.
      const pending = queue.pendingEvents(sentAt.size + EVENTS_PER_LOOK);
      return pending
        .filter((e) => {
          const sent = sentAt.get(e.id);
          return sent === undefined || sent + ackTimeoutMs <= nowMono;
        })
        .slice(0, EVENTS_PER_LOOK);
    },
    // Not async: the caller's await then costs what awaiting the broker does, no more.
    publish(mqtt, event, nowMono) {
      if (queue.markEventPublished(event.id)) sentAt.set(event.id, nowMono);
      return mqtt.publish(topic, event.body, { qos: 1, retain: false }).catch((error: unknown) => {
        // Not sent: due again at once, not after the ack timeout.
        sentAt.delete(event.id);
        throw error;
      });
    },
    nextResendMono(ackTimeoutMs) {
      let earliest: number | undefined;
      for (const sent of sentAt.values()) if (earliest === undefined || sent < earliest) earliest = sent;
      return earliest === undefined ? undefined : earliest + ackTimeoutMs;
    },
    connected() {
      sentAt.clear();
    },
    acknowledge(bootId, throughSeq, ranges) {
      const { removedIds, unpublished } = queue.acknowledgeEvents(bootId, throughSeq, ranges);
      for (const id of removedIds) sentAt.delete(id);
      return { removed: removedIds.length, unpublished };
    },
    pending: () => queue.eventCount(),
    inFlight: () => sentAt.size,
  };
}
