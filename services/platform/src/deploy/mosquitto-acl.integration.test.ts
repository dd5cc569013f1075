import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import {
  EXAMPLE_PAYLOADS,
  type VesselId,
  ingestReplicaTopic,
  storedReadingsTopic,
  subscriptionFor,
  topicFor,
} from '@qt-led/contract';
import { replicaLastWill } from '@qt-led/ingest';
import { waitFor } from '@qt-led/test-harness';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makePasswords } from './make-passwords.js';
import { type DynamicSecurityConfig, INGEST_SHARE_GROUP, SERVICE_CLIENT_IDS } from './mosquitto-auth.js';
import { type ProductionBroker, makeCerts, startProductionBroker } from './production-broker.js';

const REPO = new URL('../../../../', import.meta.url);
const ROOT = 'qtled';
// The broker checks topics, not payloads: the contract's examples, as they are.
const TELEMETRY = JSON.stringify(EXAMPLE_PAYLOADS.telemetry);
const ACK = JSON.stringify(EXAMPLE_PAYLOADS.ack);

/** The SUBACK reason code of one subscription (MQTT 5): the granted QoS, or 0x80/0x87 when refused. */
async function subscribeReason(c: MqttClient, filter: string): Promise<number> {
  try {
    const [granted] = await c.subscribeAsync(filter, { qos: 1 });
    return granted?.qos ?? -1;
  } catch (error) {
    // mqtt.js rejects a subscribe whose SUBACK carries an error reason code, with that SUBACK.
    const [code] = (error as { packet?: { granted?: unknown[] } }).packet?.granted ?? [];
    if (typeof code === 'number') return code;
    throw error;
  }
}

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
  let brokerPort: number;
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
  /** A gateway's login, with its own client id (its gateway id, as the firmware connects) unless given. */
  const asGateway = (gatewayId: string, clientId = gatewayId): Promise<MqttClient> =>
    client({
      ...(gatewayLogins[gatewayId] as { username: string; password: string }),
      clientId,
      protocolVersion: 5,
    });
  const asIngest = (options: mqtt.IClientOptions = {}): Promise<MqttClient> =>
    client({
      username: secrets.ingest.username,
      password: secrets.ingest.password,
      clientId: SERVICE_CLIENT_IDS.ingest,
      protocolVersion: 5,
      ...options,
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qtled-broker-acl-'));
    secrets = makePasswords({ outDir: join(dir, 'secrets'), topicRoot: ROOT });
    gatewayLogins = JSON.parse(
      await readFile(secrets.gatewayCredentialsFile, 'utf8'),
    ) as typeof gatewayLogins;
    const dynsec = JSON.parse(await readFile(secrets.dynamicSecurityFile, 'utf8')) as DynamicSecurityConfig;
    const gatewayOf = (vessel: string): string | undefined =>
      dynsec.clients.find((c) => c.roles.some((r) => r.rolename === `vessel-${vessel}`))?.username;
    gatewayA = gatewayOf(A) ?? '';
    B = (dynsec.roles
      .map((r) => r.rolename.replace(/^vessel-/, ''))
      .find((v) => v.startsWith('QT-') && v !== A) ?? '') as VesselId;
    gatewayB = gatewayOf(B) ?? '';
    expect(gatewayA).not.toBe('');
    expect(gatewayB).not.toBe('');
    await makeCerts(join(dir, 'tls'));
    broker = await startProductionBroker({
      dir,
      dynsecFile: secrets.dynamicSecurityFile,
      tls: join(dir, 'tls'),
    });
    brokerPort = broker.plainPort;
    url = `mqtt://127.0.0.1:${brokerPort}`;
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the generated secrets private', async () => {
    expect((await stat(secrets.dynamicSecurityFile)).mode & 0o777).toBe(0o600);
    expect((await stat(secrets.healthcheckPasswordFile)).mode & 0o777).toBe(0o600);
    expect((await stat(secrets.gatewayCredentialsFile)).mode & 0o777).toBe(0o600);
  });

  it('refuses anonymous clients and wrong passwords', async () => {
    await expect(client({ protocolVersion: 5 })).rejects.toThrow(/not authori[sz]ed|bad user/i);
    await expect(
      client({ username: gatewayA, password: 'wrong', clientId: gatewayA, protocolVersion: 5 }),
    ).rejects.toThrow(/not authori[sz]ed|bad user/i);
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

  it('delivers a gateway’s last will on its own presence topic, and none it sets on another vessel’s', async () => {
    const ingest = await asIngest();
    expect(await subscribeReason(ingest, subscriptionFor('presence', { root: ROOT }))).toBe(1);
    const seen: string[] = [];
    ingest.on('message', (topic) => seen.push(topic));
    const will = (vessel: VesselId): mqtt.IClientOptions['will'] => ({
      topic: topicFor('presence', vessel, ROOT),
      payload: Buffer.from(JSON.stringify(EXAMPLE_PAYLOADS.presence)),
      qos: 1,
      retain: false,
    });
    // As the firmware does it: a will on presence, then the link drops without DISCONNECT.
    for (const vessel of [B, A]) {
      const gateway = await client({
        ...(gatewayLogins[gatewayA] as { username: string; password: string }),
        clientId: gatewayA,
        protocolVersion: 5,
        will: will(vessel),
      });
      gateway.stream.destroy();
    }
    // The broker publishes wills in the order the connections drop: the refused one would come first.
    await waitFor(() => seen.length > 0, { timeoutMs: 10_000, description: 'the last will at ingest' });
    expect(seen).toEqual([topicFor('presence', A, ROOT)]);
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
    // Refused at SUBSCRIBE (MQTT 5: "not authorized"), and not delivered either.
    for (const filter of [
      topicFor('ack', A, ROOT),
      topicFor('config', A, ROOT),
      subscriptionFor('telemetry', { root: ROOT }),
      `${ROOT}/#`,
    ]) {
      expect(await subscribeReason(gateway, filter), filter).toBe(0x87);
    }
    const other = await asGateway(gatewayA);
    expect(await publishReason(other, topicFor('telemetry', A, ROOT), TELEMETRY)).toBe(0);
    // Its own retained ack comes after everything above would have: the broker keeps order.
    const own = topicFor('ack', B, ROOT);
    const arrived = new Promise<void>((resolve) => {
      gateway.on('message', (topic) => topic === own && resolve());
    });
    expect(await subscribeReason(gateway, own)).toBe(1);
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
      clientId: SERVICE_CLIENT_IDS.api,
      protocolVersion: 5,
    });
    const gateway = await asGateway(gatewayA);
    const topic = storedReadingsTopic(ROOT);
    await api.subscribeAsync(topic, { qos: 0 });
    expect(await subscribeReason(gateway, topic)).toBe(0x87);
    const byApi: string[] = [];
    const byGateway: string[] = [];
    api.on('message', (t) => byApi.push(t));
    gateway.on('message', (t) => byGateway.push(t));
    const ingest = await asIngest();
    const notice = JSON.stringify({ schema: 'qtled.stored-readings/1', readings: [] });
    await ingest.publishAsync(topic, notice, { qos: 1 });
    await waitFor(() => byApi.length === 1, { description: 'the notice at the API' });
    // Nothing arrives on the refused subscription: give it the time the API's took, and more.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(byGateway).toEqual([]);
    expect(await publishReason(api, topic, notice)).toBe(0x87);
    expect(await publishReason(gateway, topic, notice)).toBe(0x87);
  });
  it('lets ingest keep its replica presence (last will included), and keeps it from the gateways', async () => {
    const topic = ingestReplicaTopic(ROOT, SERVICE_CLIENT_IDS.ingest);
    const will = replicaLastWill(ROOT, SERVICE_CLIENT_IDS.ingest, 'ingest');
    const ingest = await asIngest({ will });
    expect(await subscribeReason(ingest, ingestReplicaTopic(ROOT, '+'))).toBe(1);
    const presence = JSON.stringify({ ...JSON.parse(will.payload), state: 'online', atMs: Date.now() });
    expect(await publishReason(ingest, topic, presence, { retain: true })).toBe(0);
    const gateway = await asGateway(gatewayA);
    expect(await subscribeReason(gateway, ingestReplicaTopic(ROOT, '+'))).toBe(0x87);
    expect(await publishReason(gateway, topic, presence, { retain: true })).toBe(0x87);
    // Cleared again, as retiring a replica does.
    expect(await publishReason(ingest, topic, '', { retain: true })).toBe(0);
  });

  it('refuses a gateway login that connects with ingest’s client id; ingest stays connected with its session', async () => {
    // A persistent session, as ingest keeps one: its subscription and its queued messages.
    const sessionOptions = { clean: false, properties: { sessionExpiryInterval: 3600 } };
    const ingest = await asIngest(sessionOptions);
    const filter = subscriptionFor('telemetry', { root: ROOT, shareGroup: INGEST_SHARE_GROUP });
    expect(await subscribeReason(ingest, filter)).toBe(1);
    let dropped = 0;
    ingest.on('close', () => dropped++);
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(asGateway(gatewayA, SERVICE_CLIENT_IDS.ingest)).rejects.toThrow(/not authori[sz]ed/i);
    }
    // The API's login is bound as well: a login cannot take another service's id either.
    await expect(
      client({
        username: secrets.api.username,
        password: secrets.api.password,
        clientId: SERVICE_CLIENT_IDS.ingest,
        protocolVersion: 5,
      }),
    ).rejects.toThrow(/not authori[sz]ed/i);
    // Still the same connection, still subscribed: a gateway's reading arrives.
    const own = topicFor('telemetry', A, ROOT);
    let arrived = false;
    ingest.on('message', (topic) => {
      if (topic === own) arrived = true;
    });
    const gateway = await asGateway(gatewayA);
    expect(await publishReason(gateway, own, TELEMETRY)).toBe(0);
    await waitFor(() => arrived, { timeoutMs: 10_000, description: 'the reading at the attacked ingest' });
    expect(dropped).toBe(0);
    expect(ingest.connected).toBe(true);
    // And its session was kept: reconnecting finds it (MQTT 5 "session present").
    await ingest.endAsync();
    const again = mqtt.connect(url, {
      username: secrets.ingest.username,
      password: secrets.ingest.password,
      clientId: SERVICE_CLIENT_IDS.ingest,
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      ...sessionOptions,
    });
    clients.push(again);
    const connack = await new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
      again.once('connect', resolve);
      again.once('error', reject);
    });
    expect(connack.sessionPresent).toBe(true);
    // Leave no persistent session behind for the tests after this one.
    await again.endAsync();
    await (await asIngest({ clean: true })).endAsync();
  });

  it('refuses a gateway login that connects with another gateway’s client id; that gateway stays connected', async () => {
    const victim = await asGateway(gatewayB);
    let dropped = 0;
    victim.on('close', () => dropped++);
    await expect(asGateway(gatewayA, gatewayB)).rejects.toThrow(/not authori[sz]ed/i);
    // A made-up client id is refused too: every login has exactly one.
    await expect(asGateway(gatewayA, `${gatewayA}-2`)).rejects.toThrow(/not authori[sz]ed/i);
    expect(await publishReason(victim, topicFor('telemetry', B, ROOT), TELEMETRY)).toBe(0);
    expect(dropped).toBe(0);
    expect(victim.connected).toBe(true);
  });

  it('refuses a gateway’s subscription to ingest’s share group, and ingest receives every reading', async () => {
    const ingest = await asIngest();
    const shared = subscriptionFor('telemetry', { root: ROOT, shareGroup: INGEST_SHARE_GROUP });
    expect(await subscribeReason(ingest, shared)).toBe(1);
    const received: string[] = [];
    ingest.on('message', (_topic, payload) => received.push(payload.toString()));
    const intruder = await asGateway(gatewayB);
    for (const filter of [
      shared,
      `$share/${INGEST_SHARE_GROUP}/${topicFor('telemetry', A, ROOT)}`,
      `$share/other/${topicFor('telemetry', B, ROOT)}`,
      `$share/${INGEST_SHARE_GROUP}/#`,
    ]) {
      expect([0x80, 0x87], filter).toContain(await subscribeReason(intruder, filter));
    }
    const gateway = await asGateway(gatewayA);
    const sent = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({ ...EXAMPLE_PAYLOADS.telemetry, n: i }),
    );
    for (const payload of sent) {
      expect(await publishReason(gateway, topicFor('telemetry', A, ROOT), payload)).toBe(0);
    }
    await waitFor(() => received.length >= 20, {
      timeoutMs: 15_000,
      description: () => `20 readings at ingest (got ${received.length})`,
    });
    expect(received).toEqual(sent);
  });

  it('answers the container health check (docker-compose.yml) with its own bound login', async () => {
    const compose = parse(await readFile(new URL('docker-compose.yml', REPO), 'utf8')) as {
      services: { mosquitto: { healthcheck: { test: string[] }; volumes: string[] } };
    };
    const [kind, command = ''] = compose.services.mosquitto.healthcheck.test;
    expect(kind).toBe('CMD-SHELL');
    // Its shell, as compose runs it (`$$` is compose's `$`), with the container's view of the generated
    // directory pointed at the local one, and a stand-in for mosquitto_sub (there is none here) that
    // records the arguments the shell gave it.
    const mount = compose.services.mosquitto.volumes
      .map((v) => v.split(':'))
      .find(([source]) => source === './deploy/mosquitto/secrets/dynsec');
    expect(mount).toBeDefined();
    const argsFile = join(dir, 'healthcheck-args');
    const script = command
      .replaceAll('$$', '$')
      .replaceAll(`${(mount as string[])[1] as string}/`, `${dirname(secrets.dynamicSecurityFile)}/`);
    await promisify(execFile)(
      'sh',
      ['-c', `mosquitto_sub() { printf '%s\\0' "$@" > "$ARGS_FILE"; }\n${script}`],
      { env: { ...process.env, ARGS_FILE: argsFile }, timeout: 10_000 },
    );
    const argv = (await readFile(argsFile, 'utf8')).split('\0').slice(0, -1);
    const arg = (flag: string): string => argv[argv.indexOf(flag) + 1] ?? '';
    expect(arg('-p')).toBe('1883');
    const [topic, clientId, username, password] = [arg('-t'), arg('-i'), arg('-u'), arg('-P')];
    // mosquitto_sub speaks MQTT 3.1.1 by default.
    const health = await client({ username, password, clientId, protocolVersion: 4 });
    const version = new Promise<string>((resolve) => {
      health.once('message', (t, payload) => resolve(`${t} ${payload.toString()}`));
    });
    await health.subscribeAsync(topic, { qos: 0 });
    expect(await version).toMatch(/^\$SYS\/broker\/version mosquitto version 2\./);
    // That login reads the broker version only, and only with its own client id.
    expect(await subscribeReason(health, subscriptionFor('telemetry', { root: ROOT }))).toBe(0x80);
    await expect(
      client({ username, password, clientId: SERVICE_CLIENT_IDS.ingest, protocolVersion: 5 }),
    ).rejects.toThrow(/not authori[sz]ed/i);
  });
});
