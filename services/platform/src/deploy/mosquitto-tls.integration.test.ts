import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestEnvSchema } from '@qt-led/ingest';
import { connectMqtt, mqttConnectionFrom } from '@qt-led/infrastructure';
import { createLogger, loadConfig } from '@qt-led/runtime';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformEnvSchema } from '../config.js';
import { platformOptionsFrom } from '../options.js';
import { startPlatform } from '../platform.js';
import { makePasswords } from './make-passwords.js';
import { SERVICE_CLIENT_IDS } from './mosquitto-auth.js';
import { type ProductionBroker, makeCerts, startProductionBroker } from './production-broker.js';

/** What Node says when a certificate does not chain to the trusted CA. */
const UNTRUSTED = /self[- ]signed certificate|unable to (get local issuer|verify)/i;

/**
 * The TLS listener of the shipped mosquitto.conf, with certificates from deploy/tls/make-certs.sh, on the
 * real local mosquitto: the platform's own client, configured as ingest is (its variables, its schema),
 * reaches it only with the right CA.
 */
describe('the production broker over TLS', () => {
  let dir: string;
  let secrets: ReturnType<typeof makePasswords>;
  let broker: ProductionBroker | undefined;
  let strict: ProductionBroker | undefined;
  const clients: MqttClient[] = [];

  /** Ingest's broker connection from these variables, as its main.ts builds it. */
  const asIngest = async (env: Record<string, string>, port: number): Promise<MqttClient> => {
    const config = loadConfig('ingest', ingestEnvSchema, {
      MQTT_URL: `mqtts://127.0.0.1:${port}`,
      MQTT_USERNAME: secrets.ingest.username,
      MQTT_PASSWORD: secrets.ingest.password,
      ...env,
    });
    const url = config.MQTT_URL ?? '';
    // The broker binds the ingest login to its client id: one connection of it at a time.
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    const client = await connectMqtt(mqttConnectionFrom({ ...config, MQTT_URL: url }), {
      clientId: SERVICE_CLIENT_IDS.ingest,
      persistent: false,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qtled-broker-tls-'));
    secrets = makePasswords({ outDir: join(dir, 'secrets'), topicRoot: 'qtled' });
    await makeCerts(join(dir, 'tls'), ['ingest']);
    // Another CA, as an attacker's broker (or a stale CA file) would present.
    await makeCerts(join(dir, 'other'));
    broker = await startProductionBroker({
      dir,
      dynsecFile: secrets.dynamicSecurityFile,
      tls: join(dir, 'tls'),
    });
    strict = await startProductionBroker({
      dir,
      dynsecFile: secrets.dynamicSecurityFile,
      tls: join(dir, 'tls'),
      requireCertificate: true,
    });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await broker?.stop();
    await strict?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('makes keys only their owner can read', async () => {
    for (const key of ['ca.key', 'broker.key', 'api.key', 'clients/ingest.key']) {
      expect((await stat(join(dir, 'tls', key))).mode & 0o777, key).toBe(0o600);
    }
  });

  it('lets ingest in with the CA that signed the broker certificate, and carries its traffic', async () => {
    const port = broker?.tlsPort ?? 0;
    const ingest = await asIngest({ MQTT_CA_PATH: join(dir, 'tls', 'ca.crt') }, port);
    expect(ingest.connected).toBe(true);
    const topic = 'qtled/v1/vessels/QT-98774-TS/ack';
    const puback = (await ingest.publishAsync(topic, '{}', { qos: 1 })) as
      { reasonCode?: number } | undefined;
    expect(puback?.reasonCode ?? 0).toBe(0);
  });

  it('refuses a broker whose certificate another CA signed', async () => {
    const port = broker?.tlsPort ?? 0;
    await expect(asIngest({ MQTT_CA_PATH: join(dir, 'other', 'ca.crt') }, port)).rejects.toThrow(UNTRUSTED);
    // Nor does the system's CA store know the private CA.
    await expect(asIngest({}, port)).rejects.toThrow(UNTRUSTED);
  });

  it('does not speak plain MQTT on the TLS port', async () => {
    const plain = mqtt.connectAsync(
      `mqtt://127.0.0.1:${broker?.tlsPort ?? 0}`,
      {
        username: secrets.ingest.username,
        password: secrets.ingest.password,
        reconnectPeriod: 0,
        connectTimeout: 10_000,
      },
      false,
    );
    // The broker reads the CONNECT packet as a broken TLS record and drops the connection.
    await expect(plain).rejects.toThrow(/ECONNRESET|EPIPE|Couldn't connect/);
  });

  it('takes npm start onto the TLS broker with the CA, and stops it with another CA', async () => {
    const start = async (ca: string, dataDir: string): Promise<() => Promise<void>> => {
      const env = loadConfig('platform', platformEnvSchema, {
        DATA_DIR: join(dir, dataDir),
        API_PORT: '0',
        MQTT_URL: `mqtts://127.0.0.1:${broker?.tlsPort ?? 0}`,
        MQTT_CA_PATH: ca,
        MQTT_USERNAME: secrets.ingest.username,
        MQTT_PASSWORD: secrets.ingest.password,
        INGEST_CLIENT_ID: SERVICE_CLIENT_IDS.ingest,
        FLEET_SIMULATION: 'false',
      });
      const logger = createLogger({ name: 'tls-platform', level: 'silent' });
      const platform = await startPlatform(platformOptionsFrom(env, { logger, dashboardDir: undefined }));
      return () => platform.stop();
    };
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    const stop = await start(join(dir, 'tls', 'ca.crt'), 'platform-right-ca');
    await stop();
    await expect(start(join(dir, 'other', 'ca.crt'), 'platform-other-ca')).rejects.toThrow(UNTRUSTED);
  });

  it('with require_certificate, lets in only clients with a certificate of the CA', async () => {
    const port = strict?.tlsPort ?? 0;
    const ca = join(dir, 'tls', 'ca.crt');
    await expect(asIngest({ MQTT_CA_PATH: ca }, port)).rejects.toThrow(
      /certificate required|handshake failure/i,
    );
    const withCertificate = await asIngest(
      {
        MQTT_CA_PATH: ca,
        MQTT_CERT_PATH: join(dir, 'tls', 'clients', 'ingest.crt'),
        MQTT_KEY_PATH: join(dir, 'tls', 'clients', 'ingest.key'),
      },
      port,
    );
    expect(withCertificate.connected).toBe(true);
  });
});
