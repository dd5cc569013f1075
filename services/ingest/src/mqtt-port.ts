import { subscriptionFor } from '@qt-led/contract';
import type { Logger } from '@qt-led/runtime';

/** An inbound PUBLISH as the pipeline reads it. */
export interface InboundPublish {
  topic: string;
  payload: Uint8Array | string;
}

/**
 * What the pipeline needs of an MQTT client, and no more: mqtt.js's `MqttClient` satisfies it as it is, and
 * a test can pass a fake.
 */
export interface MqttPort {
  readonly connected: boolean;
  /**
   * Assigned by the pipeline, not listened to: mqtt.js sends a QoS 1 message's PUBACK when `done` is
   * called, which lets ingest withhold it while stopping so that the broker keeps the message.
   */
  handleMessage(packet: InboundPublish, done: (error?: Error) => void): void;
  subscribeAsync(filters: string[], options: { qos: 1 }): Promise<readonly { qos: number }[]>;
  unsubscribeAsync(filters: string[]): Promise<unknown>;
  publishAsync(topic: string, payload: string, options: { qos: 1; retain: boolean }): Promise<unknown>;
  on(event: 'connect', listener: () => void): unknown;
  /** `force`: close without waiting for in-flight packets (messages not PUBACKed stay with the broker). */
  endAsync(force: boolean): Promise<void>;
}

/** The channels ingest subscribes to: everything a gateway publishes. */
export const INGESTED_CHANNELS = ['telemetry', 'presence', 'heartbeat', 'events'] as const;

/** The subscription filters of the ingested channels, shared (`$share/group/…`) when a group is given. */
export function ingestFilters(topicRoot: string, shareGroup: string | undefined): string[] {
  return INGESTED_CHANNELS.map((channel) =>
    subscriptionFor(channel, {
      root: topicRoot,
      ...(shareGroup === undefined ? {} : { shareGroup }),
    }),
  );
}

/**
 * Subscribes at QoS 1 (refusing a downgrade: QoS 0 would drop messages while ingest is away) and renews the
 * subscription on every reconnection, until `stopping()` says otherwise.
 */
export async function subscribeWithRenewal(
  mqtt: Pick<MqttPort, 'subscribeAsync' | 'unsubscribeAsync' | 'on'>,
  filters: string[],
  deps: { logger: Logger; stopping: () => boolean },
): Promise<void> {
  const { logger } = deps;
  const granted = await mqtt.subscribeAsync(filters, { qos: 1 });
  if (granted.some((g) => g.qos !== 1))
    throw new Error(`broker refused subscription ${filters.join(', ')}: ${JSON.stringify(granted)}`);
  logger.info({ filters }, 'subscribed');
  // Renewed even when the broker reports the session present: Mosquitto 2.0.11 restored from its
  // persistence file keeps a shared subscription in the session but delivers nothing to it (seen here after
  // a broker restart; subscribing again did not help, unsubscribing first does). Whatever is published in
  // between, the gateways resend: they delete readings only on the application-level ack.
  mqtt.on('connect', () => {
    if (deps.stopping()) return;
    mqtt
      .unsubscribeAsync(filters)
      .then(() => mqtt.subscribeAsync(filters, { qos: 1 }))
      .then(
        () => logger.info({ filters }, 'subscriptions renewed after reconnecting'),
        (error: unknown) =>
          logger.error({ err: error, filters }, 'could not renew the subscriptions after reconnecting'),
      );
  });
}
