import type { InfluxServer, MqttServer } from './context.js';
import { connectMqtt, redactUrl } from './mqtt-client.js';
import { type StartedServer, pingInflux } from './processes.js';

type Env = Readonly<Record<string, string | undefined>>;

function nonEmpty(env: Env, key: string): string | undefined {
  const value = env[key];
  return value === undefined || value === '' ? undefined : value;
}

/** The broker named by MQTT_URL (and MQTT_USERNAME/MQTT_PASSWORD), after checking that it accepts a connection. */
export async function mqttFromEnv(env: Env): Promise<StartedServer<MqttServer> | undefined> {
  const url = nonEmpty(env, 'MQTT_URL');
  if (url === undefined) return undefined;
  const username = nonEmpty(env, 'MQTT_USERNAME');
  const password = nonEmpty(env, 'MQTT_PASSWORD');
  const info: MqttServer = {
    url,
    source: 'env',
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
  const client = await connectMqtt(info, { timeoutMs: 5_000 }).catch((err: unknown) => {
    throw new Error(`MQTT_URL is set, but ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  });
  await client.endAsync();
  return {
    info,
    description: `MQTT broker at ${redactUrl(url)} (from MQTT_URL; it must apply deploy/mosquitto/conf.d)`,
    stop: () => Promise.resolve(),
  };
}

/**
 * The InfluxDB named by INFLUX_URL, after checking that it answers /ping. The flavour follows the version
 * the server reports (1.x: v1; otherwise v2), or INFLUX_TOKEN's presence when it reports none.
 */
export async function influxFromEnv(env: Env): Promise<StartedServer<InfluxServer> | undefined> {
  const url = nonEmpty(env, 'INFLUX_URL');
  if (url === undefined) return undefined;
  const token = nonEmpty(env, 'INFLUX_TOKEN');
  const username = nonEmpty(env, 'INFLUX_USERNAME');
  const password = nonEmpty(env, 'INFLUX_PASSWORD');
  const org = nonEmpty(env, 'INFLUX_ORG');
  const ping = await pingInflux(url);
  if (ping === undefined || ping.status < 200 || ping.status > 299) {
    throw new Error(
      `INFLUX_URL is set, but ${redactUrl(url)}/ping ${ping === undefined ? 'does not answer' : `answered ${ping.status}`}`,
    );
  }
  const flavour =
    ping.version === '' ? (token === undefined ? 'v1' : 'v2') : /^v?1\./u.test(ping.version) ? 'v1' : 'v2';
  const info: InfluxServer = {
    url,
    flavour,
    source: 'env',
    ...(token === undefined ? {} : { token }),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    ...(org === undefined ? {} : { org }),
  };
  return {
    info,
    description: `InfluxDB ${ping.version || '(version unknown)'} (${flavour}) at ${redactUrl(url)} (from INFLUX_URL)`,
    stop: () => Promise.resolve(),
  };
}
