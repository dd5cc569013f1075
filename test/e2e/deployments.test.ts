// Every shipped deployment gets every feature that applies to it. The same check runs against `npm start`'s
// module list (one process, embedded broker and store, configured from variables as `npm start` is) and
// against the compose services — ingest and the API as their own processes from their `main.ts`, on a real
// Mosquitto and a real InfluxDB, sharing the registry file through what compose mounts as a volume.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VesselId } from '@qt-led/contract';
import { type Platform, platformEnvSchema, platformOptionsFrom, startPlatform } from '@qt-led/platform';
import { createLogger, loadConfig } from '@qt-led/runtime';
import {
  createIsolation,
  freePorts,
  influxAdmin,
  startHttpReceiver,
  startSmtpSink,
  type HttpReceiver,
  type SmtpSink,
} from '@qt-led/test-harness';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { checkDeployment } from './support/deployment-check.js';
import { startIngestProcess } from './support/ingest-process.js';
import { type ServiceProcess, startServiceProcess } from './support/service-process.js';

let webhook: HttpReceiver;
let smtp: SmtpSink;
const dirs: string[] = [];

beforeAll(async () => {
  webhook = await startHttpReceiver();
  smtp = await startSmtpSink();
});
afterAll(async () => {
  await webhook.close();
  await smtp.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The alarm channels as an operator configures them, pointed at the local receivers. */
const notificationEnv = (): Record<string, string> => ({
  ALARM_EVALUATE_EVERY_S: '1',
  ALARM_WEBHOOK_URL: webhook.url,
  SMTP_HOST: '127.0.0.1',
  SMTP_PORT: String(smtp.port),
  SMTP_REQUIRE_TLS: 'false',
  ALARM_EMAIL_FROM: 'QT-LED alarms <alarms@qtled.test>',
  ALARM_EMAIL_TO: 'ops@qtled.test',
});

async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `qtled-${label}-`));
  dirs.push(dir);
  return dir;
}

describe('npm start (one process, embedded broker and store)', () => {
  let platform: Platform;
  afterAll(async () => platform.stop());

  it('notifies alarms by webhook and e-mail, takes a registry upload into ingest, streams live readings', async () => {
    const dataDir = await tempDir('deploy-platform');
    const env = loadConfig('platform', platformEnvSchema, {
      DATA_DIR: dataDir,
      API_PORT: '0',
      PLATFORM_BROKER_PORT: '0',
      // The whole module list, the simulated fleet too (two boats, live from now).
      FLEET_SIM_VESSELS: '2',
      FLEET_SIM_HISTORY_DAYS: '0',
      FLEET_SIM_FAULTS: 'none',
      ...notificationEnv(),
    });
    const logger = createLogger({ name: 'deploy-platform', level: 'warn' });
    platform = await startPlatform(platformOptionsFrom(env, { logger, dashboardDir: undefined }));
    await checkDeployment(
      {
        apiUrl: platform.url,
        adminCredentialsPath: platform.adminCredentialsPath,
        broker: {
          url: platform.brokerUrl,
          source: 'env',
          ...(platform.brokerLogin.username === undefined ? {} : { username: platform.brokerLogin.username }),
          ...(platform.brokerLogin.password === undefined ? {} : { password: platform.brokerLogin.password }),
        },
        topicRoot: env.MQTT_TOPIC_ROOT,
        webhook,
        smtp,
        async deadLetters(token) {
          const response = await fetch(`${platform.url}/api/v1/ingest/dead-letters?limit=100`, {
            headers: { authorization: `Bearer ${token}` },
          });
          return ((await response.json()) as { deadLetters: { reason: string; topic: string }[] })
            .deadLetters;
        },
      },
      'QT-77001-TS' as VesselId,
    );
  });
});

describe('compose (ingest and API as their own processes, Mosquitto, InfluxDB)', () => {
  const mqtt = inject('mqtt');
  const influx = inject('influx');
  const isolation = createIsolation('deploy_compose');
  const processes: ServiceProcess[] = [];
  afterAll(async () => {
    for (const p of processes.reverse()) await p.kill('SIGTERM');
    await influxAdmin(influx).dropDatabase(isolation.database);
  });

  it('notifies alarms by webhook and e-mail, takes a registry upload into ingest, streams live readings', async () => {
    const shared = await tempDir('deploy-registry');
    const registryEnv = { FLEET_REGISTRY_LIVE_PATH: join(shared, 'fleet-registry.json') };
    const influxEnv: Record<string, string> = {
      INFLUX_URL: influx.url,
      INFLUX_DATABASE: isolation.database,
      ...(influx.token === undefined ? {} : { INFLUX_TOKEN: influx.token }),
      ...(influx.username === undefined ? {} : { INFLUX_USERNAME: influx.username }),
      ...(influx.password === undefined ? {} : { INFLUX_PASSWORD: influx.password }),
    };
    const ingest = await startIngestProcess({
      mqtt,
      topicRoot: isolation.topicRoot,
      clientId: isolation.clientId('ingest'),
      dataDir: await tempDir('deploy-ingest'),
      influx: { ...influx, database: isolation.database },
      env: { ...registryEnv, INGEST_MAX_BACKLOG_DAYS: '1', INGEST_ALLOW_SHORT_RETENTION: 'true' },
    });
    processes.push(ingest);
    const apiDir = await tempDir('deploy-api');
    const [apiPort] = await freePorts(1);
    const apiUrl = `http://127.0.0.1:${String(apiPort)}`;
    processes.push(
      await startServiceProcess({
        name: 'api',
        entry: 'services/api/src/main.ts',
        readyUrl: `${apiUrl}/healthz`,
        env: {
          LOG_LEVEL: process.env['API_LOG_LEVEL'] ?? 'warn',
          DATA_DIR: apiDir,
          API_HOST: '127.0.0.1',
          API_PORT: String(apiPort),
          MQTT_URL: mqtt.url,
          MQTT_TOPIC_ROOT: isolation.topicRoot,
          API_MQTT_CLIENT_ID: isolation.clientId('api'),
          ...(mqtt.username === undefined ? {} : { MQTT_USERNAME: mqtt.username }),
          ...(mqtt.password === undefined ? {} : { MQTT_PASSWORD: mqtt.password }),
          ...influxEnv,
          ...registryEnv,
          ...notificationEnv(),
        },
      }),
    );
    await checkDeployment(
      {
        apiUrl,
        adminCredentialsPath: join(apiDir, 'initial-admin.json'),
        broker: mqtt,
        topicRoot: isolation.topicRoot,
        webhook,
        smtp,
        async deadLetters() {
          const response = await fetch(`${ingest.url}/dead-letters?limit=100`);
          return ((await response.json()) as { deadLetters: { reason: string; topic: string }[] })
            .deadLetters;
        },
      },
      'QT-77002-TS' as VesselId,
    );
  });
});
