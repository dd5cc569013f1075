import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/** How a service reaches the broker. */
export interface MqttConnectionConfig {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /**
   * The embedded broker (aedes) speaks MQTT 3.1.1 only; a real broker gets MQTT 5, whose session expiry lets
   * a persistent session outlive a restart of the service.
   */
  embedded: boolean;
}

export interface MqttSessionOptions {
  clientId: string;
  /** A persistent session: the broker queues QoS 1 messages while this client is away. */
  persistent: boolean;
  /** How long the broker keeps a persistent session of an MQTT 5 client that went away. */
  sessionExpiryS?: number;
  /** What the broker publishes for this client when its connection is lost (its last will). */
  will?: { topic: string; payload: string; qos: 0 | 1; retain: boolean };
}

/** One way for every service to connect: credentials, protocol, session, reconnects, no Nagle. */
export async function connectMqtt(
  config: MqttConnectionConfig,
  session: MqttSessionOptions,
): Promise<MqttClient> {
  const options: IClientOptions = {
    clientId: session.clientId,
    clean: !session.persistent,
    reconnectPeriod: 2_000,
    ...(config.embedded
      ? { protocolVersion: 4 }
      : {
          protocolVersion: 5,
          ...(session.persistent
            ? { properties: { sessionExpiryInterval: session.sessionExpiryS ?? 14 * 86_400 } }
            : {}),
        }),
    ...(session.will === undefined ? {} : { will: session.will }),
    ...(config.username === undefined ? {} : { username: config.username }),
    ...(config.password === undefined ? {} : { password: config.password }),
  };
  const client = await mqtt.connectAsync(config.url, options);
  // Acks and live notices leave at once instead of after a delayed TCP ACK (40 ms+ on loopback).
  const noDelay = (): void => {
    (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
  };
  noDelay();
  client.on('connect', noDelay);
  return client;
}
