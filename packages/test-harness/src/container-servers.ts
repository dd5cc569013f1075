import { randomBytes } from 'node:crypto';
import type { InfluxServer, MqttServer } from './context.js';
import { DELIVERY_CONF_DIR, harnessMosquittoConfig } from './mosquitto-config.js';
import type { StartedServer } from './processes.js';

/** Whether testcontainers finds a container runtime (it fails fast when none is there). */
export async function containerRuntimeAvailable(timeoutMs = 10_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error('container runtime check timed out'));
      }, timeoutMs);
    });
    await Promise.race([getContainerRuntimeClient(), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** eclipse-mosquitto:2 with the repository's delivery settings copied in. */
export async function startMosquittoContainer(): Promise<StartedServer<MqttServer>> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('eclipse-mosquitto:2')
    .withCopyContentToContainer([
      {
        content: harnessMosquittoConfig({
          listener: '1883',
          persistenceLocation: '/mosquitto/data/',
          logDest: 'stderr',
          includeDir: '/mosquitto/config/conf.d',
          keepRoot: false, // the image's entrypoint chowns /mosquitto to the mosquitto user
        }),
        target: '/mosquitto/config/mosquitto.conf',
      },
    ])
    .withCopyDirectoriesToContainer([{ source: DELIVERY_CONF_DIR, target: '/mosquitto/config/conf.d' }])
    .withExposedPorts(1883)
    .withWaitStrategy(Wait.forLogMessage(/mosquitto version \S+ running/u))
    .start();
  const url = `mqtt://${container.getHost()}:${container.getMappedPort(1883)}`;
  return {
    info: { url, source: 'container' },
    description: `mosquitto (eclipse-mosquitto:2) started on ${url} (container)`,
    async stop() {
      await container.stop();
    },
  };
}

/** influxdb:2.7 set up with an org, a bucket and an admin token; tests create their own buckets. */
export async function startInfluxContainer(): Promise<StartedServer<InfluxServer>> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const org = 'qtled-test';
  const token = randomBytes(24).toString('hex');
  const container = await new GenericContainer('influxdb:2.7')
    .withEnvironment({
      DOCKER_INFLUXDB_INIT_MODE: 'setup',
      DOCKER_INFLUXDB_INIT_USERNAME: 'harness',
      DOCKER_INFLUXDB_INIT_PASSWORD: randomBytes(12).toString('hex'),
      DOCKER_INFLUXDB_INIT_ORG: org,
      DOCKER_INFLUXDB_INIT_BUCKET: 'harness',
      DOCKER_INFLUXDB_INIT_ADMIN_TOKEN: token,
    })
    .withExposedPorts(8086)
    .withWaitStrategy(Wait.forHttp('/ping', 8086).forStatusCode(204))
    .withStartupTimeout(120_000)
    .start();
  const url = `http://${container.getHost()}:${container.getMappedPort(8086)}`;
  return {
    info: { url, flavour: 'v2', token, org, source: 'container' },
    description: `influxdb (influxdb:2.7) started on ${url} (container)`,
    async stop() {
      await container.stop();
    },
  };
}
