import { type Ack, type BootId, encodePayload, topicFor, type VesselId } from '@qt-led/contract';
import type { Logger } from '@qt-led/runtime';
import { type AckedSequence, AckTracker } from './ack-tracker.js';
import type { Clock } from './clock.js';
import type { IngestMetrics } from './metrics.js';
import type { MqttPort } from './mqtt-port.js';
import type { AckSeqs } from './spool.js';

export interface AckPublisherDeps {
  mqtt: Pick<MqttPort, 'publishAsync'>;
  clock: Clock;
  logger: Logger;
  metrics: Pick<IngestMetrics, 'acksSent'>;
  topicRoot: string;
}

export interface AckPublisher {
  /**
   * Confirms seqs that are now durable — of readings, and of device events — and publishes the ack of every
   * vessel they belong to: at once, or, while an ack of that vessel is still in flight, once it settles
   * (one ack then, with the latest state).
   */
  confirmDurable(acks: AckSeqs, eventAcks?: AckSeqs): void;
  /** Resolves when every ack published or due so far, follow-ups included, was sent or failed. */
  settled(): Promise<void>;
}

/**
 * The application-level ack: once a batch is durable, each of its vessels gets one retained QoS 1 ack on
 * its `ack` topic covering all of its boots this instance has written, so the gateway may delete them.
 * At most one ack per vessel is in flight: confirmations that come meanwhile are folded into the next one,
 * published when the one in flight settles (no timer: a slow broker gets fewer, fuller acks).
 */
export function createAckPublisher(deps: AckPublisherDeps): AckPublisher {
  const { mqtt, clock, metrics, topicRoot } = deps;
  const logger = deps.logger.child({ component: 'ack-publisher' });
  const tracker = new AckTracker();
  /** Vessels with an ack in flight → whether confirmations came since it was built (a follow-up is due). */
  const inFlight = new Map<VesselId, boolean>();
  let whenSettled: { promise: Promise<void>; resolve: () => void } | undefined;

  function send(vesselId: VesselId): void {
    inFlight.set(vesselId, false);
    const ack = tracker.ackFor(vesselId, clock.now()) as Ack;
    let sent: Promise<unknown>;
    try {
      sent = mqtt.publishAsync(topicFor('ack', vesselId, topicRoot), encodePayload('ack', ack), {
        qos: 1,
        retain: true,
      });
    } catch (error) {
      sent = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    sent.then(
      () => {
        metrics.acksSent.inc();
        settle(vesselId);
      },
      (error: unknown) => {
        // The gateway resends after its ack timeout; the next ack of this vessel carries the state again.
        logger.warn({ err: error, vesselId }, 'could not publish ack');
        settle(vesselId);
      },
    );
  }

  function settle(vesselId: VesselId): void {
    if (inFlight.get(vesselId) === true) {
      send(vesselId);
      return;
    }
    inFlight.delete(vesselId);
    if (inFlight.size === 0 && whenSettled !== undefined) {
      whenSettled.resolve();
      whenSettled = undefined;
    }
  }

  function confirm(seqsOf: AckSeqs, sequence: AckedSequence, touched: Set<VesselId>): void {
    for (const vesselId in seqsOf) {
      const boots = seqsOf[vesselId] as Record<string, number[]>;
      for (const bootId in boots)
        tracker.confirm(vesselId as VesselId, bootId as BootId, boots[bootId] as number[], sequence);
      touched.add(vesselId as VesselId);
    }
  }

  return {
    confirmDurable(acks, eventAcks) {
      const touched = new Set<VesselId>();
      confirm(acks, 'readings', touched);
      if (eventAcks !== undefined) confirm(eventAcks, 'events', touched);
      for (const vesselId of touched) {
        if (inFlight.has(vesselId)) inFlight.set(vesselId, true);
        else send(vesselId);
      }
    },
    settled() {
      if (inFlight.size === 0) return Promise.resolve();
      if (whenSettled === undefined) {
        let resolve = (): void => undefined;
        const promise = new Promise<void>((r) => {
          resolve = r;
        });
        whenSettled = { promise, resolve };
      }
      return whenSettled.promise;
    },
  };
}
