import { randomBytes } from 'node:crypto';
import { createLogger } from '@qt-led/runtime';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedBrokerAccess } from './broker-access.js';
import { EMBEDDED_MAX_PAYLOAD_BYTES, type EmbeddedBroker, startEmbeddedBroker } from './embedded-broker.js';

const INGEST_CLIENT_ID = 'qtled-ingest-1';
const access = embeddedBrokerAccess({
  topicRoot: 'qtled',
  secret: randomBytes(32),
  platformClientIds: [INGEST_CLIENT_ID],
});
const logger = createLogger({ name: 'embedded-broker-test', level: 'silent' });
let broker: EmbeddedBroker;
const clients: MqttClient[] = [];

beforeAll(async () => {
  broker = await startEmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    fallbackToFreePort: false,
    logger,
    access,
  });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await broker.close();
});

async function connect(
  login?: { username: string; password: string },
  clientId?: string,
): Promise<MqttClient> {
  const client = await mqtt.connectAsync(broker.url, {
    reconnectPeriod: 0,
    connectTimeout: 5_000,
    ...login,
    ...(clientId === undefined ? {} : { clientId }),
  });
  clients.push(client);
  return client;
}

const topic = (vessel: string, channel: string): string => `qtled/v1/vessels/${vessel}/${channel}`;

/** Messages `client` receives on `filter` within a short while after `act`. */
async function received(client: MqttClient, filter: string, act: () => Promise<unknown>): Promise<string[]> {
  const got: string[] = [];
  client.on('message', (t, payload) => {
    if (t.startsWith(filter.replace(/[#+].*$/, ''))) got.push(`${t} ${payload.toString()}`);
  });
  // A refused QoS 1 publish is never acknowledged (the broker closes the connection): do not wait for it.
  await Promise.race([act().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 300))]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  return got;
}

describe('the embedded broker', () => {
  it('refuses anonymous clients and wrong passwords', async () => {
    await expect(connect()).rejects.toThrow(/Bad username or password|Not authorized/i);
    await expect(connect({ username: 'QT-90145-TS', password: 'guess' })).rejects.toThrow(
      /Bad username or password|Not authorized/i,
    );
    await expect(
      connect({ username: 'platform', password: access.gateway('QT-90145-TS').password }),
    ).rejects.toThrow();
  });

  it("lets a gateway publish only its own vessel's uplinks and subscribe only to its own ack and config", async () => {
    const platform = await connect(access.platform);
    await platform.subscribeAsync('qtled/#', { qos: 1 });
    const gateway = await connect(access.gateway('QT-90145-TS'));
    const own = await received(platform, 'qtled/', () =>
      gateway.publishAsync(topic('QT-90145-TS', 'telemetry'), 'own', { qos: 1 }),
    );
    expect(own).toEqual([`${topic('QT-90145-TS', 'telemetry')} own`]);

    // Another boat's readings, or the platform's ack: not delivered, and the forger is disconnected.
    const forger = await connect(access.gateway('QT-98774-TS'));
    const forged = await received(platform, 'qtled/', () =>
      forger.publishAsync(topic('QT-90145-TS', 'telemetry'), 'forged', { qos: 1 }),
    );
    expect(forged).toEqual([]);
    const acker = await connect(access.gateway('QT-98774-TS'));
    const ack = await received(platform, 'qtled/', () =>
      acker.publishAsync(topic('QT-98774-TS', 'ack'), 'forged ack', { qos: 1 }),
    );
    expect(ack).toEqual([]);

    // Subscribing to everything, or to another boat's acks: refused (granted 128).
    const spy = await connect(access.gateway('QT-98774-TS'));
    await expect(spy.subscribeAsync('qtled/#', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    await expect(spy.subscribeAsync(topic('QT-90145-TS', 'ack'), { qos: 1 })).rejects.toThrow(
      /Subscribe error/,
    );
    // Nor ingest's share group, which would take a share of every boat's readings.
    for (const filter of [
      '$share/ingest/qtled/v1/vessels/+/telemetry',
      `$share/ingest/${topic('QT-98774-TS', 'ack')}`,
    ]) {
      await expect(spy.subscribeAsync(filter, { qos: 1 })).rejects.toThrow(/Subscribe error/);
    }
    const granted = await spy.subscribeAsync(topic('QT-98774-TS', 'ack'), { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);
  });

  it('refuses a login that connects with a client id of another login; the connected client stays', async () => {
    // Ingest's id is the platform's before ingest ever connects.
    await expect(connect(access.gateway('QT-98774-TS'), INGEST_CLIENT_ID)).rejects.toThrow(/Not authorized/i);
    const ingest = await connect(access.platform, INGEST_CLIENT_ID);
    await ingest.subscribeAsync('qtled/v1/vessels/+/telemetry', { qos: 1 });
    const victim = await connect(access.gateway('QT-90145-TS'), 'GW-victim');
    let dropped = 0;
    ingest.on('close', () => dropped++);
    victim.on('close', () => dropped++);
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(connect(access.gateway('QT-98774-TS'), INGEST_CLIENT_ID)).rejects.toThrow(
        /Not authorized/i,
      );
      await expect(connect(access.gateway('QT-98774-TS'), 'GW-victim')).rejects.toThrow(/Not authorized/i);
    }
    // Both still connected: the victim's reading reaches ingest.
    const got = await received(ingest, 'qtled/', () =>
      victim.publishAsync(topic('QT-90145-TS', 'telemetry'), 'still here', { qos: 1 }),
    );
    expect(got).toEqual([`${topic('QT-90145-TS', 'telemetry')} still here`]);
    expect(dropped).toBe(0);
    // Its own login may reconnect with it (a gateway coming back after a dropout).
    const back = await connect(access.gateway('QT-90145-TS'), 'GW-victim');
    expect(back.connected).toBe(true);
  });

  it('refuses a payload over the limit', async () => {
    const platform = await connect(access.platform);
    await platform.subscribeAsync('qtled/big', { qos: 1 });
    const got = await received(platform, 'qtled/big', async () => {
      const sender = await connect(access.platform);
      await sender.publishAsync('qtled/big', Buffer.alloc(EMBEDDED_MAX_PAYLOAD_BYTES + 1), { qos: 1 });
    });
    expect(got).toEqual([]);
  });
});
