import mqtt, { type MqttClient } from 'mqtt';
import type { MqttConnector, MqttSession } from './ports.js';

/**
 * Whether the radio link is up. A real gateway's link is always "up" as far as this adapter is concerned
 * (TCP tells it otherwise); the simulator passes its coverage model, so that a boat leaving coverage
 * drops its connection the way a dying cellular link does: no DISCONNECT, and the broker publishes the
 * last will.
 */
export interface LinkGate {
  isUp(): boolean;
  /** Called with the new state whenever it changes; returns an unsubscribe function. */
  onChange(listener: (up: boolean) => void): () => void;
}

/**
 * TLS material of a gateway, as PEM text, as it is provisioned into its flash: the CA the broker's
 * certificate must chain to (absent: the system's CAs), and its own certificate and key for a broker
 * that requires one.
 */
export interface GatewayTls {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}

export interface MqttJsConnectorOptions {
  /** `mqtt://host:1883`, `mqtts://…` */
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /** Used with `mqtts://` and `wss://` URLs. */
  tls?: GatewayTls | undefined;
  /** Pause before reconnecting after a lost connection (default 2,000 ms, doubling up to 60,000 ms). */
  reconnectDelayMs?: number;
  connectTimeoutMs?: number;
  link?: LinkGate;
}

/**
 * The gateway's MQTT port on mqtt.js. Each connection is a fresh clean-session client with mqtt.js's own
 * reconnect switched off: this adapter reconnects, and it rejects publishes in flight when a connection
 * drops, so the gateway (not a hidden in-memory queue in the client) decides what to send again.
 */
export function createMqttJsConnector(options: MqttJsConnectorOptions): MqttConnector {
  const baseDelayMs = options.reconnectDelayMs ?? 2_000;
  // The broker's certificate is always verified (chain and host name): a gateway never talks to a broker
  // whose certificate its CA did not sign.
  const tlsOptions = /^(mqtts|wss):/.test(options.url)
    ? {
        rejectUnauthorized: true,
        ...(options.tls?.ca === undefined ? {} : { ca: options.tls.ca }),
        ...(options.tls?.cert === undefined ? {} : { cert: options.tls.cert }),
        ...(options.tls?.key === undefined ? {} : { key: options.tls.key }),
      }
    : {};
  return (sessionOptions, handlers): MqttSession => {
    let client: MqttClient | undefined;
    let connected = false;
    let closed = false;
    let retryTimer: NodeJS.Timeout | undefined;
    let retryDelayMs = baseDelayMs;
    const pending = new Set<(error: Error) => void>();

    const failPending = (): void => {
      const rejects = [...pending];
      pending.clear();
      for (const reject of rejects) reject(new Error('MQTT connection closed'));
    };

    const scheduleRetry = (): void => {
      if (closed || retryTimer !== undefined || (options.link && !options.link.isUp())) return;
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        open();
      }, retryDelayMs);
      retryDelayMs = Math.min(60_000, retryDelayMs * 2);
    };

    const open = (): void => {
      if (closed || client !== undefined || (options.link && !options.link.isUp())) return;
      const c = mqtt.connect(options.url, {
        clientId: sessionOptions.clientId,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: options.connectTimeoutMs ?? 15_000,
        keepalive: sessionOptions.keepaliveS,
        protocolVersion: 4,
        // A heartbeat says how the gateway is now: never held back to be sent after a reconnect.
        queueQoSZero: false,
        will: {
          topic: sessionOptions.will.topic,
          payload: Buffer.from(sessionOptions.will.payload),
          qos: sessionOptions.will.qos,
          retain: sessionOptions.will.retain,
        },
        ...(options.username === undefined ? {} : { username: options.username }),
        ...(options.password === undefined ? {} : { password: options.password }),
        ...tlsOptions,
      });
      client = c;
      // Small request/response packets (PUBLISH → PUBACK → ack): Nagle's algorithm with delayed ACKs would
      // hold each one back ~40 ms.
      const stream = c.stream as { setNoDelay?: (noDelay: boolean) => void } | undefined;
      stream?.setNoDelay?.(true);
      c.on('connect', () => {
        if (client !== c) return;
        connected = true;
        retryDelayMs = baseDelayMs;
        handlers.onConnect();
      });
      c.on('message', (topic, payload) => {
        if (client === c) handlers.onMessage(topic, payload);
      });
      c.on('error', () => {
        // A 'close' follows every error that matters; it is handled there.
      });
      c.on('close', () => {
        if (client !== c) return;
        client = undefined;
        const wasConnected = connected;
        connected = false;
        failPending();
        c.end(true);
        if (wasConnected) handlers.onClose();
        scheduleRetry();
      });
    };

    const unsubscribeLink = options.link?.onChange((up) => {
      if (up) {
        if (retryTimer !== undefined) {
          clearTimeout(retryTimer);
          retryTimer = undefined;
        }
        retryDelayMs = baseDelayMs;
        open();
      } else if (client) {
        // The radio link is gone: drop the socket without DISCONNECT (the broker publishes the will).
        client.end(true);
      }
    });

    open();

    return {
      get connected() {
        return connected;
      },
      publish(topic, payload, publishOptions) {
        const c = client;
        if (!c || !connected) return Promise.reject(new Error('MQTT not connected'));
        return new Promise<void>((resolve, reject) => {
          let settled = false;
          const fail = (error: Error): void => {
            if (settled) return;
            settled = true;
            pending.delete(fail);
            reject(error);
          };
          pending.add(fail);
          c.publish(topic, payload, { qos: publishOptions.qos, retain: publishOptions.retain }, (error) => {
            if (settled) return;
            settled = true;
            pending.delete(fail);
            if (error) reject(error);
            else resolve();
          });
        });
      },
      async subscribe(filters, qos) {
        const c = client;
        if (!c || !connected) throw new Error('MQTT not connected');
        await c.subscribeAsync([...filters], { qos });
      },
      async close(graceful) {
        closed = true;
        unsubscribeLink?.();
        if (retryTimer !== undefined) clearTimeout(retryTimer);
        const c = client;
        client = undefined;
        connected = false;
        failPending();
        if (!c) return;
        await c.endAsync(!graceful);
      },
    };
  };
}
