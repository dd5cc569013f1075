import { type Ack, type BootId, encodePayload, topicFor, type VesselId } from '@qt-led/contract';
import type { Logger } from '@qt-led/runtime';
import { AckTracker } from './ack-tracker.js';
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
   * vessel they belong to.
   */
  confirmDurable(acks: AckSeqs, eventAcks?: AckSeqs): void;
  /** Resolves when every ack published so far was sent or failed. */
  settled(): Promise<void>;
}

/**
 * The application-level ack: once a batch is durable, each of its vessels gets one retained QoS 1 ack on
 * its `ack` topic covering all of its boots this instance has written, so the gateway may delete them.
 */
export function createAckPublisher(deps: AckPublisherDeps): AckPublisher {
  const { mqtt, clock, metrics, topicRoot } = deps;
  const logger = deps.logger.child({ component: 'ack-publisher' });
  const tracker = new AckTracker();
  const inFlight = new Set<Promise<unknown>>();

  return {
    confirmDurable(acks, eventAcks = {}) {
      const at = clock.now();
      const touched = new Set<VesselId>();
      for (const [sequence, seqsOf] of [
        ['readings', acks],
        ['events', eventAcks],
      ] as const) {
        for (const vesselId in seqsOf) {
          const boots = seqsOf[vesselId] as Record<string, number[]>;
          for (const bootId in boots)
            tracker.confirm(vesselId as VesselId, bootId as BootId, boots[bootId] as number[], sequence);
          touched.add(vesselId as VesselId);
        }
      }
      const acked = new Map<string, Ack>();
      for (const vesselId of touched) acked.set(vesselId, tracker.ackFor(vesselId, at) as Ack);
      for (const [vesselId, ack] of acked) {
        const sent = mqtt
          .publishAsync(topicFor('ack', ack.vesselId, topicRoot), encodePayload('ack', ack), {
            qos: 1,
            retain: true,
          })
          .then(() => metrics.acksSent.inc())
          .catch((error: unknown) => {
            // The gateway resends after its ack timeout; the next ack of this vessel carries the state again.
            logger.warn({ err: error, vesselId }, 'could not publish ack');
          })
          .finally(() => inFlight.delete(sent));
        inFlight.add(sent);
      }
    },
    async settled() {
      await Promise.allSettled([...inFlight]);
    },
  };
}
