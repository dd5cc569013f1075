import type { TestProject } from 'vitest/node';
import {
  containerRuntimeAvailable,
  startInfluxContainer,
  startMosquittoContainer,
} from './container-servers.js';
import type { InfluxServer, MqttServer } from './context.js';
import { influxFromEnv, mqttFromEnv } from './env-servers.js';
import { startLocalInflux, startLocalMosquitto } from './local-servers.js';
import { type StartedServer, findBinary } from './processes.js';

/**
 * Provides a real Mosquitto and a real InfluxDB to the integration and e2e tests (`inject('mqtt')`,
 * `inject('influx')`). For each server, in this order: the environment (MQTT_URL, INFLUX_URL), a container
 * (testcontainers, when a container runtime answers), the local binary on free loopback ports. With none
 * of these, setup fails with instructions: tests are never skipped.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const startedAt = performance.now();
  let runtime: Promise<boolean> | undefined;
  const hasContainerRuntime = (): Promise<boolean> => (runtime ??= containerRuntimeAvailable());

  const [mqtt, influx] = await Promise.allSettled([
    provide(
      'mosquitto',
      () => mqttFromEnv(process.env),
      hasContainerRuntime,
      startMosquittoContainer,
      startLocalMosquitto,
    ),
    provide(
      'influxd',
      () => influxFromEnv(process.env),
      hasContainerRuntime,
      startInfluxContainer,
      startLocalInflux,
    ),
  ]);
  if (mqtt.status === 'rejected' || influx.status === 'rejected') {
    // No orphans: stop whichever server did start before failing.
    await stopAll([mqtt, influx].flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
    throw setupError([mqtt, influx].flatMap((r): unknown[] => (r.status === 'rejected' ? [r.reason] : [])));
  }

  for (const server of [mqtt.value, influx.value]) console.info(`[harness] ${server.description}`);
  console.info(`[harness] servers ready in ${Math.round(performance.now() - startedAt)} ms`);
  project.provide('mqtt', mqtt.value.info);
  project.provide('influx', influx.value.info);
  return () => stopAll([mqtt.value, influx.value]);
}

type Server = StartedServer<MqttServer> | StartedServer<InfluxServer>;

async function provide<T>(
  binaryName: 'mosquitto' | 'influxd',
  fromEnv: () => Promise<StartedServer<T> | undefined>,
  hasContainerRuntime: () => Promise<boolean>,
  inContainer: () => Promise<StartedServer<T>>,
  fromBinary: (binary: string) => Promise<StartedServer<T>>,
): Promise<StartedServer<T>> {
  const fromEnvironment = await fromEnv();
  if (fromEnvironment !== undefined) return fromEnvironment;
  if (await hasContainerRuntime()) return inContainer();
  const binary = await findBinary(binaryName);
  if (binary !== undefined) return fromBinary(binary);
  throw new NoServerAvailable(binaryName);
}

class NoServerAvailable extends Error {
  readonly server: string;
  constructor(server: string) {
    super(`no ${server}: neither configured in the environment, nor a container runtime, nor a local binary`);
    this.name = 'NoServerAvailable';
    this.server = server;
  }
}

function setupError(failures: unknown[]): Error {
  const missing = failures.filter((f) => f instanceof NoServerAvailable).map((f) => f.server);
  const other = failures.filter((f) => !(f instanceof NoServerAvailable));
  const lines = ['[harness] cannot provide the real servers the integration tests need.'];
  for (const failure of other) lines.push(failure instanceof Error ? failure.message : String(failure));
  if (missing.length > 0) {
    lines.push(
      `Not found: ${missing.join(', ')} (no MQTT_URL/INFLUX_URL, no container runtime answered, no binary on PATH,`,
      '/usr/sbin, /usr/bin, /usr/local/sbin or /usr/local/bin). Do one of:',
      '  - install the servers (Debian/Ubuntu): apt-get install -y mosquitto influxdb',
      '    (the harness starts its own instances on free ports; the system services are not needed);',
      '  - point the tests at running servers: MQTT_URL=mqtt://host:1883 [MQTT_USERNAME, MQTT_PASSWORD] and',
      '    INFLUX_URL=http://host:8086 [INFLUX_TOKEN, INFLUX_ORG for 2.x/3.x; INFLUX_USERNAME, INFLUX_PASSWORD for 1.x];',
      '  - run a Docker engine: testcontainers then starts eclipse-mosquitto:2 and influxdb:2.7.',
    );
  }
  return new Error(lines.join('\n'), { cause: new AggregateError(failures) });
}

async function stopAll(servers: readonly Server[]): Promise<void> {
  const results = await Promise.allSettled(servers.map((server) => server.stop()));
  const errors = results.flatMap((r): unknown[] => (r.status === 'rejected' ? [r.reason] : []));
  if (errors.length > 0) throw new AggregateError(errors, '[harness] stopping the test servers failed');
}
