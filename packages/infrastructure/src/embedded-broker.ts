import { once } from 'node:events';
import { type AddressInfo, type Server, createServer } from 'node:net';
import type { Logger, ServiceModule } from '@qt-led/runtime';
import { Aedes, type Client } from 'aedes';
import type { BrokerAccessPolicy, BrokerLogin } from './broker-access.js';

export interface EmbeddedBrokerOptions {
  host: string;
  /** Preferred TCP port; 0 picks a free one. */
  port: number;
  /** When the preferred port is taken, listen on a free one instead of failing (with a clear message). */
  fallbackToFreePort: boolean;
  logger: Logger;
  /**
   * Who may connect and what each may do; every client must log in (anonymous is refused). A client id
   * belongs to the first login that connected with it, for the broker's life (as long as the sessions it
   * keeps in memory): another login using it is refused, rather than taking over the connection and session.
   */
  access: BrokerAccessPolicy;
}

/** Largest PUBLISH payload the embedded broker takes, as the shipped Mosquitto's `max_packet_size`. */
export const EMBEDDED_MAX_PAYLOAD_BYTES = 1 << 20;

export interface EmbeddedBroker {
  /** `mqtt://host:port` for the in-process clients (ingest, the simulated fleet). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The in-process MQTT broker of the embedded default (aedes, in-memory persistence). It speaks MQTT 3.1.1
 * only and does not deliver `$share/…` subscriptions, so ingest subscribes without the
 * share prefix here. Retained acks and configs live in memory: after a restart the gateways resend what
 * they still hold, and the idempotent store keeps each reading once.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const logger = options.logger.child({ component: 'broker' });
  const logins = new WeakMap<Client, BrokerLogin>();
  // Client id → the login it belongs to. Checked before aedes replaces a connected client with the same id.
  const owners = new Map<string, string>();
  const aedes = await Aedes.createBroker({
    id: 'qtled-embedded',
    authenticate(client, username, password, done) {
      const login = options.access.login(username, password);
      if (login === undefined) {
        logger.warn({ clientId: client.id, username }, 'MQTT login refused');
        done(Object.assign(new Error('bad username or password'), { returnCode: 4 as const }), false);
        return;
      }
      const owner = owners.get(client.id);
      if ((owner !== undefined && owner !== login.name) || !login.mayUseClientId(client.id)) {
        logger.warn(
          { clientId: client.id, login: login.name, owner },
          'MQTT login refused: the client id belongs to another login',
        );
        done(Object.assign(new Error('client id of another login'), { returnCode: 5 as const }), false);
        return;
      }
      owners.set(client.id, login.name);
      logins.set(client, login);
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      // The broker itself publishes last wills with the client that set them; no client: internal.
      const login = client === null ? undefined : logins.get(client);
      if (client !== null && (login === undefined || !login.mayPublish(packet.topic))) {
        logger.warn({ clientId: client.id, login: login?.name, topic: packet.topic }, 'MQTT publish refused');
        done(new Error(`not allowed to publish to ${packet.topic}`));
        return;
      }
      if (packet.payload.length > EMBEDDED_MAX_PAYLOAD_BYTES) {
        done(new Error(`a payload of ${String(packet.payload.length)} bytes is over the limit`));
        return;
      }
      done(null);
    },
    authorizeSubscribe(client, subscription, done) {
      const login = logins.get(client);
      if (login === undefined || !login.maySubscribe(subscription.topic)) {
        logger.warn(
          { clientId: client.id, login: login?.name, filter: subscription.topic },
          'MQTT subscription refused',
        );
        done(null, null);
        return;
      }
      done(null, subscription);
    },
  });
  aedes.on('clientError', (client, error) => {
    logger.debug({ clientId: client.id, err: error }, 'client error');
  });
  // No Nagle: each PUBLISH → ack round trip would otherwise wait for a delayed TCP ACK (40 ms+ on loopback).
  const server = createServer({ noDelay: true }, (socket) => {
    aedes.handle(socket);
  });
  const port = await listen(server, options).catch(async (error: unknown) => {
    await closeAedes(aedes);
    throw error;
  });
  const url = `mqtt://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  logger.info({ url }, 'embedded MQTT broker listening');
  return {
    url,
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await closeAedes(aedes);
      await closed;
      logger.info('embedded MQTT broker stopped');
    },
  };
}

async function listen(server: Server, options: EmbeddedBrokerOptions): Promise<number> {
  try {
    server.listen(options.port, options.host);
    await once(server, 'listening');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' || !options.fallbackToFreePort || options.port === 0) {
      throw new Error(
        code === 'EADDRINUSE'
          ? `MQTT port ${options.port} on ${options.host} is taken: stop the other broker, or set PLATFORM_BROKER_PORT to a free port (0: any)`
          : `the embedded MQTT broker cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    options.logger.warn(
      `MQTT port ${options.port} on ${options.host} is taken (another broker?); the embedded broker uses a free port instead — gateways outside this process must be pointed at the port printed below`,
    );
    server.listen(0, options.host);
    await once(server, 'listening');
  }
  return (server.address() as AddressInfo).port;
}

function closeAedes(aedes: Aedes): Promise<void> {
  return new Promise((resolve) => {
    aedes.close(() => {
      resolve();
    });
  });
}

/** The embedded broker as a module: `url` is where the process's own clients connect once it started. */
export interface EmbeddedBrokerModule extends ServiceModule {
  readonly url: string;
}

export function createEmbeddedBrokerModule(options: EmbeddedBrokerOptions): EmbeddedBrokerModule {
  let broker: EmbeddedBroker | undefined;
  return {
    name: 'embedded broker',
    get url() {
      if (broker === undefined) throw new Error('the embedded broker has not started');
      return broker.url;
    },
    async start() {
      broker = await startEmbeddedBroker(options);
    },
    async stop() {
      await broker?.close();
      broker = undefined;
    },
  };
}
