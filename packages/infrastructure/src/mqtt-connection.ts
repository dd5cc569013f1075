import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/**
 * TLS material for an `mqtts://` or `wss://` broker, as PEM text: the CA the broker's certificate must chain
 * to (absent: the system's CAs) and a client certificate with its key for brokers that require one.
 */
export interface MqttTls {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}

/** How a service reaches the broker. */
export interface MqttConnectionConfig {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  tls?: MqttTls | undefined;
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
    ...tlsOptions(config),
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

/**
 * The TLS options mqtt.js hands to `tls.connect`. The broker's certificate is always verified, chain and
 * host name: a certificate from another CA fails the connection instead of being accepted.
 */
function tlsOptions(config: Pick<MqttConnectionConfig, 'url' | 'tls'>): IClientOptions {
  if (!/^(mqtts|wss):/.test(config.url)) return {};
  const tls = config.tls ?? {};
  return {
    rejectUnauthorized: true,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
  };
}

/** The broker variables of a service (`mqttEnv`), validated by its schema with `checkMqttTls`. */
export interface MqttEnv {
  MQTT_URL: string;
  MQTT_USERNAME?: string | undefined;
  MQTT_PASSWORD?: string | undefined;
  MQTT_CA_PATH?: string | undefined;
  MQTT_CERT_PATH?: string | undefined;
  MQTT_KEY_PATH?: string | undefined;
}

/**
 * A real broker's connection from the variables, with the TLS files read now, at start, so that a
 * missing or unreadable file stops the process with the variable that names it.
 */
export function mqttConnectionFrom(env: MqttEnv): MqttConnectionConfig {
  const read = (variable: 'MQTT_CA_PATH' | 'MQTT_CERT_PATH' | 'MQTT_KEY_PATH'): string | undefined => {
    const path = env[variable];
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`${variable} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
        cause: error,
      });
    }
  };
  const tls: MqttTls = { ca: read('MQTT_CA_PATH'), cert: read('MQTT_CERT_PATH'), key: read('MQTT_KEY_PATH') };
  return {
    url: env.MQTT_URL,
    username: env.MQTT_USERNAME,
    password: env.MQTT_PASSWORD,
    ...(Object.values(tls).some((v) => v !== undefined) ? { tls } : {}),
    embedded: false,
  };
}
