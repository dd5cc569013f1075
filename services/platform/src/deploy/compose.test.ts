import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { apiEnvSchema } from '@qt-led/api';
import { ingestEnvSchema } from '@qt-led/ingest';
import { type EnvSource, loadConfig } from '@qt-led/runtime';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BROKER_DIR, DYNSEC_FILE } from './make-passwords.js';
import { INGEST_SHARE_GROUP, SERVICE_CLIENT_IDS, SERVICE_USERS } from './mosquitto-auth.js';

const REPO = new URL('../../../../', import.meta.url);

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  volumes?: string[];
  ports?: string[];
  profiles?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

/** The values an operator puts into .env for the variables compose requires (`${NAME:?…}`). */
const DOT_ENV: EnvSource = {
  MQTT_PASSWORD: 'ingest-secret',
  API_MQTT_PASSWORD: 'api-secret',
  INFLUX_TOKEN: 'influx-token',
  INFLUX_ADMIN_PASSWORD: 'admin-secret',
};

/** Compose's interpolation: `${NAME}`, `${NAME:-default}`, `${NAME:?error}`; `$$` is a literal `$`. */
function interpolate(value: string, env: EnvSource): string {
  return value
    .replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_all, name: string, kind?: string, arg?: string) => {
      const set = env[name];
      if (set !== undefined && set !== '') return set;
      if (kind === '-') return arg ?? '';
      if (kind === '?') throw new Error(`compose would refuse to start: ${name} unset (${arg ?? ''})`);
      return '';
    })
    .replaceAll('$$', '$');
}

async function compose(): Promise<ComposeFile> {
  return parse(await readFile(new URL('docker-compose.yml', REPO), 'utf8'), { merge: true }) as ComposeFile;
}

function environmentOf(service: ComposeService, env: EnvSource): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), env)]),
  );
}

describe('docker-compose.yml', () => {
  it('sets for ingest and the API only variables their configuration schemas accept', async () => {
    const { services } = await compose();
    for (const [name, schema] of [
      ['ingest', ingestEnvSchema],
      ['api', apiEnvSchema],
      ['scheduler', apiEnvSchema],
    ] as const) {
      const service = services[name];
      expect(service, `service ${name}`).toBeDefined();
      const env = environmentOf(service as ComposeService, DOT_ENV);
      const known = new Set(Object.keys(schema.shape));
      expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
      // Parses without a problem; the values arrive as set.
      const config = loadConfig(name, schema, env) as Record<string, unknown>;
      expect(config['INFLUX_URL']).toBe('http://influxdb:8086');
      expect(config['INFLUX_TOKEN']).toBe('influx-token');
      expect(config['DATA_DIR']).toBe('/data');
    }
    const ingest = loadConfig(
      'ingest',
      ingestEnvSchema,
      environmentOf(services['ingest'] as ComposeService, DOT_ENV),
    );
    expect(ingest.MQTT_URL).toBe('mqtts://mosquitto:8883');
    expect(ingest.MQTT_CA_PATH).toBeDefined();
    expect(ingest.MQTT_USERNAME).toBe('ingest');
    expect(ingest.MQTT_PASSWORD).toBe('ingest-secret');
    // Mosquitto delivers shared subscriptions; replicas split the load.
    expect(ingest.INGEST_SHARED_SUBSCRIPTION).toBe(true);
    // The client ids and share group the broker's logins are bound to (make-passwords).
    expect(ingest.INGEST_CLIENT_ID).toBe(SERVICE_CLIENT_IDS.ingest);
    expect(ingest.INGEST_SHARE_GROUP).toBe(INGEST_SHARE_GROUP);
    expect(ingest.MQTT_USERNAME).toBe(SERVICE_USERS.ingest);
    const api = loadConfig('api', apiEnvSchema, environmentOf(services['api'] as ComposeService, DOT_ENV));
    expect(api.API_MQTT_CLIENT_ID).toBe(SERVICE_CLIENT_IDS.api);
    expect(api.MQTT_USERNAME).toBe(SERVICE_USERS.api);
  });

  it('refuses to start without the secrets, and documents every variable it reads in .env.example', async () => {
    const { services } = await compose();
    expect(() => environmentOf(services['ingest'] as ComposeService, {})).toThrow(/MQTT_PASSWORD unset/);
    const text = await readFile(new URL('docker-compose.yml', REPO), 'utf8');
    const referenced = new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]));
    const example = await readFile(new URL('.env.example', REPO), 'utf8');
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect([...referenced].filter((name) => !documented.has(name))).toEqual([]);
  });

  it('mounts the broker configuration, the generated logins and ACL, and runs the simulator only in demo', async () => {
    const { services } = await compose();
    const mosquitto = services['mosquitto'] as ComposeService;
    const mounts = (mosquitto.volumes ?? []).map((v) => v.split(':').slice(0, 2));
    expect(mounts).toEqual(
      expect.arrayContaining([
        ['./deploy/mosquitto/mosquitto.conf', '/mosquitto/config/mosquitto.conf'],
        ['./deploy/mosquitto/conf.d', '/mosquitto/config/conf.d'],
      ]),
    );
    // The plugin's directory, writable (no `:ro`): it saves its file there.
    expect(mosquitto.volumes).toContain(`./deploy/mosquitto/secrets/${BROKER_DIR}:/mosquitto/dynsec`);
    const conf = await readFile(new URL('deploy/mosquitto/mosquitto.conf', REPO), 'utf8');
    expect(conf).toMatch(/^plugin \/usr\/lib\/mosquitto_dynamic_security\.so$/m);
    expect(conf).toMatch(new RegExp(`^plugin_opt_config_file /mosquitto/dynsec/${DYNSEC_FILE}$`, 'm'));
    expect(conf).toMatch(/^allow_anonymous false$/m);
    expect(conf).not.toMatch(/^(password_file|acl_file)/m);
    const delivery = await readFile(new URL('deploy/mosquitto/conf.d/10-delivery.conf', REPO), 'utf8');
    expect(delivery).toMatch(/^persistence true$/m);
    expect(delivery).toMatch(/^max_queued_messages 0$/m);

    const simulator = services['simulator'] as ComposeService;
    expect(simulator.profiles).toEqual(['demo']);
    const command = simulator.command ?? [];
    const credentials = command[command.indexOf('--credentials') + 1];
    expect((simulator.volumes ?? []).some((v) => v.split(':')[1] === credentials)).toBe(true);
    for (const name of ['ingest', 'api', 'simulator']) {
      const service = services[name] as ComposeService;
      expect(service.build?.dockerfile).toBe('deploy/Dockerfile');
      // The entry point each runs exists in the repository (built into dist/ from src/).
      const entry = (service.command ?? [])[1] ?? '';
      expect(existsSync(new URL(entry.replace('/dist/', '/src/').replace(/\.js$/, '.ts'), REPO))).toBe(true);
    }
  });
});

describe('TLS in docker-compose.yml', () => {
  /** Which host file a container path is mounted from. */
  const mountedFrom = (service: ComposeService, path: string): string | undefined =>
    (service.volumes ?? []).map((v) => v.split(':')).find(([, target]) => target === path)?.[0];

  it('publishes only MQTT over TLS and HTTPS to the network; the rest on loopback or not at all', async () => {
    const { services } = await compose();
    const published = Object.entries(services).flatMap(([name, s]) =>
      (s.ports ?? []).filter((p) => !p.startsWith('127.0.0.1:')).map((p) => `${name} ${p}`),
    );
    expect(published.sort()).toEqual(['api 8080:8080', 'mosquitto 8883:8883']);
  });

  it('connects every MQTT client over TLS with the CA, and serves the API over HTTPS, from mounted files', async () => {
    const { services } = await compose();
    for (const name of ['ingest', 'api'] as const) {
      const service = services[name] as ComposeService;
      const env = environmentOf(service, DOT_ENV);
      expect(env['MQTT_URL']).toBe('mqtts://mosquitto:8883');
      expect(mountedFrom(service, env['MQTT_CA_PATH'] ?? '')).toBe('./deploy/tls/secrets/ca.crt');
    }
    const api = services['api'] as ComposeService;
    const apiEnv = environmentOf(api, DOT_ENV);
    expect(mountedFrom(api, apiEnv['API_TLS_CERT_PATH'] ?? '')).toBe('./deploy/tls/secrets/api.crt');
    expect(mountedFrom(api, apiEnv['API_TLS_KEY_PATH'] ?? '')).toBe('./deploy/tls/secrets/api.key');
    // The health check speaks HTTPS and checks the certificate against the CA.
    const check = JSON.stringify((api as { healthcheck?: unknown }).healthcheck);
    expect(check).toContain("require('https')");
    expect(check).toContain(apiEnv['MQTT_CA_PATH'] ?? '(no CA)');

    const simulator = services['simulator'] as ComposeService;
    const command = simulator.command ?? [];
    expect(command[command.indexOf('--broker') + 1]).toBe('mqtts://mosquitto:8883');
    expect(mountedFrom(simulator, command[command.indexOf('--ca') + 1] ?? '')).toBe(
      './deploy/tls/secrets/ca.crt',
    );

    // The broker's listener reads the files compose mounts.
    const mosquitto = services['mosquitto'] as ComposeService;
    const conf = await readFile(new URL('deploy/mosquitto/mosquitto.conf', REPO), 'utf8');
    for (const [option, file] of [
      ['cafile', 'ca.crt'],
      ['certfile', 'broker.crt'],
      ['keyfile', 'broker.key'],
    ] as const) {
      const path = new RegExp(`^${option} (\\S+)$`, 'm').exec(conf)?.[1] ?? '';
      expect(mountedFrom(mosquitto, path), option).toBe(`./deploy/tls/secrets/${file}`);
    }
    expect(conf).toMatch(/^listener 8883$/m);
    expect(conf).toMatch(/^tls_version tlsv1\.2$/m);
  });
});

describe('deploy/Dockerfile', () => {
  it('installs with every workspace manifest in place and runs as a non-root user on a slim base', async () => {
    const dockerfile = await readFile(new URL('deploy/Dockerfile', REPO), 'utf8');
    const root = JSON.parse(await readFile(new URL('package.json', REPO), 'utf8')) as {
      workspaces: string[];
    };
    const workspaces = root.workspaces.flatMap((pattern) =>
      pattern.endsWith('/*')
        ? readdirSync(fileURLToPath(new URL(pattern.slice(0, -1), REPO)), { withFileTypes: true })
            .filter(
              (d) =>
                d.isDirectory() && existsSync(new URL(`${pattern.slice(0, -1)}${d.name}/package.json`, REPO)),
            )
            .map((d) => `${pattern.slice(0, -1)}${d.name}`)
        : [pattern],
    );
    for (const workspace of workspaces) {
      // npm ci refuses a lock file whose workspaces are missing, in both stages.
      expect(dockerfile).toContain(`COPY ${workspace}/package.json ${workspace}/`);
      expect(dockerfile).toContain(`COPY --from=build /app/${workspace}/package.json ${workspace}/`);
    }
    expect(dockerfile.match(/^FROM node:20-bookworm-slim/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    for (const [, source] of dockerfile.matchAll(/^COPY --from=build \/app\/(\S+) \S+$/gm)) {
      const path = (source as string).replace(/\/dist$/, '/src');
      if (!path.startsWith('dashboard')) expect(existsSync(new URL(path, REPO)), path).toBe(true);
    }
  });
});
