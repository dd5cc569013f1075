// The emissions calculation runs off the event loop (docs/architecture.md §5). In `npm start` one process
// carries the embedded broker, the API, ingest and emissions on one event loop; a report used to gather and
// calculate on that loop, so for the seconds it took /healthz did not answer and the broker delivered
// nothing. Here the real pieces — the API as the platform assembles it over an SQLite store, and the
// embedded aedes broker in the same process — serve a partner's long emissions report while a liveness
// probe and an MQTT round trip (publish on one client, receive on another) are made. What is asserted is
// the order in which they complete, not how fast: both probes finish while the report is still pending.
// On a loop the report blocks, neither probe can even start before the report is answered.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { INITIAL_ADMIN_FILE } from '@qt-led/api';
import { type ApiTestServer, startApiTestServer } from '@qt-led/api/testing';
import type { LocalDate } from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { HOME_PORTS } from '@qt-led/fleet-status';
import { type EmbeddedBroker, embeddedBrokerAccess, startEmbeddedBroker } from '@qt-led/infrastructure';
import { createLogger } from '@qt-led/runtime';
import { claimFirstAdmin, fetchPost, generateFleetTelemetry } from '@qt-led/test-harness';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const registry = loadFleetRegistry();
const vesselIds = registry.registry.vessels.map((v) => v.vesselId);
const FROM = '2024-03-01';
const TO = '2024-03-11';
const FROM_MS = Date.parse(`${FROM}T00:00:00+07:00`);
const DAYS = 10;
const NOW_MS = FROM_MS + (DAYS + 1) * 86_400_000;
const logger = createLogger({ name: 'emissions-off-loop', level: process.env['LOG_LEVEL'] ?? 'silent' });

let dir: string;
let api: ApiTestServer;
let broker: EmbeddedBroker;
const brokerAccess = embeddedBrokerAccess({ topicRoot: 'qtled', secret: randomBytes(32) });
let publisher: MqttClient;
let subscriber: MqttClient;
let partnerToken: string;

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function login(username: string, password: string): Promise<string> {
  const response = await fetch(`${api.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return (await json<{ token: string }>(response)).token;
}

async function connect(url: string, clientId: string): Promise<MqttClient> {
  const client = mqtt.connect(url, { clientId, reconnectPeriod: 0, ...brokerAccess.platform });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qtled-emissions-off-loop-'));
  api = await startApiTestServer({
    dataDir: dir,
    logger,
    clock: { now: () => NOW_MS },
    // The whole fleet, ten days of one-minute readings: about 576,000 readings, seconds of calculation.
    seed: async (store) => {
      const telemetry = generateFleetTelemetry({
        registry,
        vesselIds,
        homePorts: HOME_PORTS,
        fromMs: FROM_MS,
        days: DAYS,
        stepMs: 60_000,
      });
      await store.writeReadings(telemetry.readings);
      await store.writeDeviceMessages(telemetry.deviceMessages);
    },
  });
  broker = await startEmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    fallbackToFreePort: false,
    logger,
    access: brokerAccess,
  });
  [publisher, subscriber] = await Promise.all([
    connect(broker.url, 'off-loop-publisher'),
    connect(broker.url, 'off-loop-subscriber'),
  ]);
  await subscriber.subscribeAsync('qtled/test/off-loop/ping', { qos: 1 });

  const { token: adminToken } = await claimFirstAdmin(fetchPost(api.url), join(dir, INITIAL_ADMIN_FILE));
  await json(
    await fetch(`${api.url}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ username: 'partner1', role: 'partner', password: 'partner-password-for-tests' }),
    }),
  );
  partnerToken = await login('partner1', 'partner-password-for-tests');
}, 180_000);

afterAll(async () => {
  await Promise.all([publisher.endAsync(), subscriber.endAsync()]);
  await broker.close();
  await api.stop();
  await rm(dir, { recursive: true, force: true });
});

/** One MQTT round trip through the embedded broker: published by one client, received by the other. */
function mqttRoundTrip(): Promise<void> {
  const payload = `ping ${String(Math.random())}`;
  return new Promise<void>((resolve, reject) => {
    const onMessage = (_topic: string, message: Buffer): void => {
      if (message.toString() !== payload) return;
      subscriber.off('message', onMessage);
      resolve();
    };
    subscriber.on('message', onMessage);
    publisher.publish('qtled/test/off-loop/ping', payload, { qos: 1 }, (error) => {
      if (error) reject(error);
    });
  });
}

describe('a long emissions report in the one-process platform', () => {
  it(
    'leaves /healthz answering and the embedded broker delivering while it computes',
    { timeout: 180_000 },
    async () => {
      const completed: string[] = [];
      // The server has the report request (its headers parsed): from then on the handler may compute.
      const received = new Promise<void>((resolve) => {
        const onRequest = (request: IncomingMessage): void => {
          if (!request.url?.startsWith('/api/v1/emissions')) return;
          api.app.server.off('request', onRequest);
          resolve();
        };
        api.app.server.on('request', onRequest);
      });
      const report = fetch(`${api.url}/api/v1/emissions?from=${FROM}&to=${TO}`, {
        headers: { authorization: `Bearer ${partnerToken}` },
      }).then(async (response) => {
        const body = await json<{ fromCache: boolean; result: { vessels: unknown[] } }>(response);
        completed.push('emissions');
        return body;
      });
      await received;
      // Long enough for any handler to have started its work; a loop that computes cannot even run this
      // timer before the report is done, so the probes below would only start after it.
      await new Promise((resolve) => setTimeout(resolve, 250));
      const probes = Promise.all([
        fetch(`${api.url}/healthz`)
          .then((response) => json<{ status: string }>(response))
          .then((body) => {
            expect(body).toEqual({ status: 'ok' });
            completed.push('healthz');
          }),
        mqttRoundTrip().then(() => completed.push('mqtt round trip')),
      ]);

      await probes;
      const stillPending = !completed.includes('emissions');
      const body = await report;
      expect(body.fromCache).toBe(false);
      const equipped = vesselIds.filter(
        (id) => registry.versionsBetween(id, FROM as LocalDate, TO as LocalDate).length > 0,
      );
      expect(body.result.vessels).toHaveLength(equipped.length);
      expect(stillPending).toBe(true);
      expect(completed.at(-1)).toBe('emissions');
      expect([...completed].sort()).toEqual(['emissions', 'healthz', 'mqtt round trip']);
    },
  );
});
