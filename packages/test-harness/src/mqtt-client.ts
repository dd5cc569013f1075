import { randomBytes } from 'node:crypto';
import mqtt, {
  type IClientOptions,
  type IConnackPacket,
  type MqttClient,
  type OnMessageCallback,
} from 'mqtt';
import type { MqttServer } from './context.js';

export interface ConnectMqttOptions extends IClientOptions {
  /**
   * Attached before the connection is opened. A persistent session receives its queued messages right
   * after CONNACK, before the caller of an `await`ed connect could attach a handler of its own.
   */
  onMessage?: OnMessageCallback;
  /** Called with every CONNACK (e.g. to check `sessionPresent`), attached before the connection is opened. */
  onConnect?: (connack: IConnackPacket) => void;
  /** Give up connecting after this long (default 10,000 ms). */
  timeoutMs?: number;
}

/**
 * Connects an mqtt.js client to the broker with the server's credentials and a unique client id (unless
 * `clientId` is given), and resolves once the broker has accepted the connection.
 *
 * Unlike `mqtt.connectAsync`, it attaches `onMessage`/`onConnect` before connecting, rejects when the
 * connection closes before CONNACK (connectAsync waits for ever then, as mqtt.js retries silently), and
 * does not reconnect by default (`reconnectPeriod: 0`), so that a test sees a lost connection as such.
 */
export async function connectMqtt(server: MqttServer, options: ConnectMqttOptions = {}): Promise<MqttClient> {
  const { onMessage, onConnect, timeoutMs = 10_000, ...clientOptions } = options;
  const client = mqtt.connect(server.url, {
    clientId: `harness_${randomBytes(6).toString('hex')}`,
    reconnectPeriod: 0,
    connectTimeout: timeoutMs,
    ...(server.username === undefined ? {} : { username: server.username }),
    ...(server.password === undefined ? {} : { password: server.password }),
    ...clientOptions,
  });
  if (onMessage) client.on('message', onMessage);
  if (onConnect) client.on('connect', onConnect);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        fail(new Error(`no CONNACK within ${timeoutMs} ms`));
      }, timeoutMs);
      const onConnected = (): void => {
        cleanup();
        resolve();
      };
      const fail = (err: Error): void => {
        cleanup();
        reject(err);
      };
      const onClose = (): void => {
        fail(new Error('connection closed before CONNACK'));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        client.off('connect', onConnected);
        client.off('error', fail);
        client.off('close', onClose);
      };
      client.on('connect', onConnected);
      client.on('error', fail);
      client.on('close', onClose);
    });
  } catch (err) {
    client.end(true);
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot connect to MQTT broker ${redactUrl(server.url)}: ${reason}`, { cause: err });
  }
  return client;
}

/** The URL without user info, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}
