import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EXAMPLE_PAYLOADS,
  type VesselId,
  storedReadingsTopic,
  subscriptionFor,
  topicFor,
} from '@qt-led/contract';
import { waitFor } from '@qt-led/test-harness';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePasswords } from './make-passwords.js';
import { type ProductionBroker, makeCerts, startProductionBroker } from './production-broker.js';

const ROOT = 'qtled';
// The broker checks topics, not payloads: the contract's examples, as they are.
const TELEMETRY = JSON.stringify(EXAMPLE_PAYLOADS.telemetry);
const ACK = JSON.stringify(EXAMPLE_PAYLOADS.ack);

/** The PUBACK reason code of a QoS 1 publish (MQTT 5): 0 accepted, 0x87 not authorized. */
async function publishReason(
  c: MqttClient,
  topic: string,
  payload: string,
  options: { retain?: boolean } = {},
): Promise<number> {
  try {
    const puback = (await c.publishAsync(topic, payload, { qos: 1, ...options })) as
      { reasonCode?: number } | undefined;
    return puback?.reasonCode ?? 0;
  } catch (error) {
    // mqtt.js rejects a publish whose PUBACK carries an error reason code, with that code.
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw error;
  }
}

describe('the production broker configuration on a real mosquitto', () => {
  let dir: string;
  let broker: ProductionBroker | undefined;
  let url: string;
  let secrets: ReturnType<typeof makePasswords>;
  let gatewayLogins: Record<string, { username: string; password: string }>;
  const clients: MqttClient[] = [];
  // Two vessels of the registry with their gateways.
  const A = 'QT-98774-TS' as VesselId;
  let B: VesselId;
  let gatewayA: string;
  let gatewayB: string;

  const client = async (options: mqtt.IClientOptions): Promise<MqttClient> => {
    const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
    clients.push(c);
    return c;
  };
  const asGateway = (gatewayId: string): Promise<MqttClient> =>
    client({ ...(gatewayLogins[gatewayId] as { username: string; password: string }), protocolVersion: 5 });
  const asIngest = (): Promise<MqttClient> =>
    client({ username: secrets.ingest.username, password: secrets.ingest.password, protocolVersion: 5 });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qtled-broker-acl-'));
    secrets = makePasswords({ outDir: join(dir, 'secrets'), topicRoot: ROOT });
    gatewayLogins = JSON.parse(
      await readFile(secrets.gatewayCredentialsFile, 'utf8'),
    ) as typeof gatewayLogins;
    const acl = await readFile(secrets.aclFile, 'utf8');
    gatewayA = /# QT-98774-TS\nuser (\S+)/.exec(acl)?.[1] ?? '';
    const other = /# (QT-\S+)\nuser (\S+)/.exec(acl.slice(acl.indexOf(`user ${gatewayA}`) + 1));
    B = (other?.[1] ?? '') as VesselId;
    gatewayB = other?.[2] ?? '';
    expect(gatewayA).not.toBe('');
    expect(gatewayB).not.toBe('');
    await makeCerts(join(dir, 'tls'));
    broker = await startProductionBroker({ dir, secrets: join(dir, 'secrets'), tls: join(dir, 'tls') });
    url = `mqtt://127.0.0.1:${broker.plainPort}`;
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the generated secrets private', async () => {
    expect((await stat(secrets.passwordFile)).mode & 0o777).toBe(0o600);
    expect((await stat(secrets.gatewayCredentialsFile)).mode & 0o777).toBe(0o600);
  });

  it('refuses anonymous clients and wrong passwords', async () => {
    await expect(client({ protocolVersion: 5 })).rejects.toThrow(/not authori[sz]ed|bad user/i);
    await expect(client({ username: gatewayA, password: 'wrong', protocolVersion: 5 })).rejects.toThrow(
      /not authori[sz]ed|bad user/i,
    );
  });

  it('lets a gateway publish its own vessel’s telemetry, and ingest receive and acknowledge it', async () => {
    const ingest = await asIngest();
    const filter = subscriptionFor('telemetry', { root: ROOT, shareGroup: 'ingest' });
    const granted = await ingest.subscribeAsync(filter, { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);
    for (const channel of ['presence', 'heartbeat', 'events'] as const) {
      const [g] = await ingest.subscribeAsync(subscriptionFor(channel, { root: ROOT }), { qos: 1 });
      expect(g?.qos).toBe(1);
    }
    const gateway = await asGateway(gatewayA);
    const [ackGrant] = await gateway.subscribeAsync(topicFor('ack', A, ROOT), { qos: 1 });
    expect(ackGrant?.qos).toBe(1);
    const received = new Promise<string>((resolve) => {
      ingest.once('message', (topic) => resolve(topic));
    });
    const puback = await publishReason(gateway, topicFor('telemetry', A, ROOT), TELEMETRY);
    expect(puback).toBe(0);
    expect(await received).toBe(topicFor('telemetry', A, ROOT));

    const acked = new Promise<string>((resolve) => {
      gateway.once('message', (topic) => resolve(topic));
    });
    const ackPuback = await publishReason(ingest, topicFor('ack', A, ROOT), ACK, { retain: true });
    expect(ackPuback).toBe(0);
    expect(await acked).toBe(topicFor('ack', A, ROOT));
  });

  it('refuses a gateway that publishes as another vessel, and delivers nothing of it', async () => {
    const ingest = await asIngest();
    await ingest.subscribeAsync(subscriptionFor('telemetry', { root: ROOT }), { qos: 1 });
    const seen: string[] = [];
    ingest.on('message', (topic) => seen.push(topic));
    const gateway = await asGateway(gatewayA);
    const denied = await publishReason(gateway, topicFor('telemetry', B, ROOT), TELEMETRY);
    // MQTT 5: "not authorized" in the PUBACK.
    expect(denied).toBe(0x87);
    // Its own message, sent after the refusal was answered, arrives; the broker handles one packet at a
    // time, so the refused one would have been delivered first. (On a new connection: a publish on the
    // refused one's connection was never answered here.)
    const own = topicFor('telemetry', A, ROOT);
    const arrived = new Promise<void>((resolve) => {
      ingest.on('message', (topic) => topic === own && resolve());
    });
    const again = await asGateway(gatewayA);
    expect(await publishReason(again, own, TELEMETRY)).toBe(0);
    await arrived;
    expect(seen).toEqual([own]);
  });

  it('does not deliver another vessel’s acks, configs or telemetry to a gateway, nor let it write acks', async () => {
    const ingest = await asIngest();
    // Retained, as ingest sends them: a subscriber allowed to read gets them at once.
    expect(await publishReason(ingest, topicFor('ack', A, ROOT), ACK, { retain: true })).toBe(0);
    expect(await publishReason(ingest, topicFor('ack', B, ROOT), ACK, { retain: true })).toBe(0);
    const gateway = await asGateway(gatewayB);
    const seen: string[] = [];
    gateway.on('message', (topic) => seen.push(topic));
    // Mosquitto 2.0 grants the subscriptions and enforces `read` on delivery.
    await gateway.subscribeAsync(
      [topicFor('ack', A, ROOT), topicFor('config', A, ROOT), subscriptionFor('telemetry', { root: ROOT })],
      { qos: 1 },
    );
    const other = await asGateway(gatewayA);
    expect(await publishReason(other, topicFor('telemetry', A, ROOT), TELEMETRY)).toBe(0);
    // Its own retained ack comes after everything above would have: the broker keeps order.
    const own = topicFor('ack', B, ROOT);
    const arrived = new Promise<void>((resolve) => {
      gateway.on('message', (topic) => topic === own && resolve());
    });
    await gateway.subscribeAsync(own, { qos: 1 });
    await arrived;
    expect(seen).toEqual([own]);
    expect(await publishReason(gateway, own, ACK)).toBe(0x87);
  });

  it('does not let ingest publish telemetry as a boat', async () => {
    const ingest = await asIngest();
    const forged = await publishReason(ingest, topicFor('telemetry', A, ROOT), TELEMETRY);
    expect(forged).toBe(0x87);
  });

  it('lets ingest tell the API what it stored, and keeps those notices from the gateways', async () => {
    const api = await client({
      username: secrets.api.username,
      password: secrets.api.password,
      protocolVersion: 5,
    });
    const gateway = await asGateway(gatewayA);
    const topic = storedReadingsTopic(ROOT);
    await api.subscribeAsync(topic, { qos: 0 });
    await gateway.subscribeAsync(topic, { qos: 0 });
    const byApi: string[] = [];
    const byGateway: string[] = [];
    api.on('message', (t) => byApi.push(t));
    gateway.on('message', (t) => byGateway.push(t));
    const ingest = await asIngest();
    const notice = JSON.stringify({ schema: 'qtled.stored-readings/1', readings: [] });
    await ingest.publishAsync(topic, notice, { qos: 1 });
    await waitFor(() => byApi.length === 1, { description: 'the notice at the API' });
    // A delivery the ACL refuses is dropped silently: give it the time the API's took, and more.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(byGateway).toEqual([]);
    expect(await publishReason(api, topic, notice)).toBe(0x87);
    expect(await publishReason(gateway, topic, notice)).toBe(0x87);
  });
});
