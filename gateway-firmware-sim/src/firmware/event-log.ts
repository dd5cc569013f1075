import { type DeviceEventBody, encodePayload } from '@qt-led/contract';
import type { QueuedEvent } from './disk-queue.js';
import type { BootContext } from './gateway-state.js';
import type { MqttSession } from './ports.js';

/**
 * The device events of this boot (boot, sensor faults, clock steps, configs, queue pressure): stored in the
 * queue's outbox the moment they happen, so a power cut loses none, and deleted once the broker has
 * acknowledged their publish (QoS 1). The uploader decides when they go out (before any telemetry).
 */
export interface EventLog {
  /** Stores an event, stamped with the wall clock and the boot's next event seq. */
  record(event: DeviceEventBody): void;
  /** The oldest stored event, if any. */
  oldest(): QueuedEvent | undefined;
  /** Publishes a stored event; resolves on the broker's PUBACK. */
  publish(mqtt: MqttSession, event: QueuedEvent): Promise<void>;
  /** The broker has the event: it leaves the outbox. */
  delivered(event: QueuedEvent): void;
}

export interface EventLogDeps {
  boot: BootContext;
  topic: string;
  wallNowMs: () => number;
}

export function createEventLog(deps: EventLogDeps): EventLog {
  const { boot, topic } = deps;
  return {
    record(event) {
      boot.queue.appendEvent(boot.ordinal, (eventSeq) =>
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
    oldest: () => boot.queue.pendingEvents(1)[0],
    // Not async: the caller's await then costs what awaiting the broker does, no more.
    publish: (mqtt, event) => mqtt.publish(topic, event.body, { qos: 1, retain: false }),
    delivered(event) {
      boot.queue.deleteEvent(event.id);
    },
  };
}
