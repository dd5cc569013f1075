import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { createInfluxStore } from '@qt-led/store-influx';
import {
  claimFirstAdmin,
  createIsolation,
  fetchPost,
  freePorts,
  influxAdmin,
  waitFor,
} from '@qt-led/test-harness';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HSTS } from './plugins/security-headers.js';
import { generateFleetTelemetry } from './testing/fleet-telemetry.js';

const influx = inject('influx');
const isolation = createIsolation('api_main');
const serviceDir = fileURLToPath(new URL('..', import.meta.url));
const makeCerts = fileURLToPath(new URL('../../../deploy/tls/make-certs.sh', import.meta.url));
let dataDir: string;
let child: ChildProcess | undefined;
let output = '';

const influxEnv = {
  INFLUX_URL: influx.url,
  INFLUX_DATABASE: isolation.database,
  ...(influx.token === undefined ? {} : { INFLUX_TOKEN: influx.token }),
  ...(influx.username === undefined ? {} : { INFLUX_USERNAME: influx.username }),
  ...(influx.password === undefined ? {} : { INFLUX_PASSWORD: influx.password }),
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'qtled-api-main-'));
  await influxAdmin(influx).createDatabase(isolation.database);
});
afterAll(async () => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  await influxAdmin(influx).dropDatabase(isolation.database);
  await rm(dataDir, { recursive: true, force: true });
});

describe('the API process', () => {
  it('runs on its own against InfluxDB: first admin, vessels with their latest reading, clean stop', async () => {
    const registry = loadFleetRegistry();
    const vesselId = registry.registry.vessels[0]?.vesselId;
    if (vesselId === undefined) throw new Error('empty registry');
    const nowMs = Date.now();
    const telemetry = generateFleetTelemetry({
      registry,
      vesselIds: [vesselId],
      fromMs: nowMs - 86_400_000,
      days: 2,
      untilMs: nowMs,
      stepMs: 10 * 60_000,
    });
    const store = await createInfluxStore({
      url: influx.url,
      database: isolation.database,
      minRetentionDays: 1,
      allowShortRetention: true,
      ...(influx.token === undefined ? {} : { token: influx.token }),
      ...(influx.username === undefined ? {} : { username: influx.username }),
      ...(influx.password === undefined ? {} : { password: influx.password }),
    });
    await store.writeReadings(telemetry.readings);
    await store.close();

    const [port] = await freePorts(1);
    const base = `http://127.0.0.1:${String(port)}`;
    child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'src/main.ts'], {
      cwd: serviceDir,
      env: {
        ...process.env,
        ...influxEnv,
        DATA_DIR: dataDir,
        API_HOST: '127.0.0.1',
        API_PORT: String(port),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok === true, {
      timeoutMs: 30_000,
      description: () => `the API to answer /readyz; output so far:\n${output}`,
    });
    const ready = (await (await fetch(`${base}/readyz`)).json()) as { checks: { store: { detail: string } } };
    expect(ready.checks.store.detail).toBe('influxdb');

    const credentials = JSON.parse(await readFile(join(dataDir, 'initial-admin.json'), 'utf8')) as {
      username: string;
      password: string;
    };
    expect(output).toContain(join(dataDir, 'initial-admin.json'));
    expect(output).not.toContain(credentials.password);
    const { token } = await claimFirstAdmin(fetchPost(base), join(dataDir, 'initial-admin.json'));
    const vessel = (await (
      await fetch(`${base}/api/v1/vessels/${vesselId}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { latest: { deviceTimeMs: number } | null; status: { status: string } };
    expect(vessel.latest?.deviceTimeMs).toBe(telemetry.readings.at(-1)?.deviceTimeMs);
    expect(vessel.status.status).toBeTypeOf('string');

    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

/** A GET over HTTPS that trusts only `ca` (and checks the host name), as the compose health check does. */
function getTrusting(url: string, ca: string): Promise<{ status: number; hsts: string | undefined }> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca }, (response) => {
      response.resume();
      resolve({
        status: response.statusCode ?? 0,
        hsts: response.headers['strict-transport-security'],
      });
    }).on('error', reject);
  });
}

describe('the API process over TLS', () => {
  let tlsChild: ChildProcess | undefined;
  let tlsDir: string;
  afterAll(async () => {
    if (tlsChild?.exitCode === null) tlsChild.kill('SIGKILL');
    await rm(tlsDir, { recursive: true, force: true });
  });

  it('serves HTTPS with the certificate of make-certs.sh, with HSTS, and fails a client trusting another CA', async () => {
    tlsDir = await mkdtemp(join(tmpdir(), 'qtled-api-tls-'));
    const run = promisify(execFile);
    await run(makeCerts, [], { env: { ...process.env, TLS_OUT_DIR: join(tlsDir, 'tls') } });
    await run(makeCerts, [], { env: { ...process.env, TLS_OUT_DIR: join(tlsDir, 'other') } });
    const ca = await readFile(join(tlsDir, 'tls', 'ca.crt'), 'utf8');
    const otherCa = await readFile(join(tlsDir, 'other', 'ca.crt'), 'utf8');
    const [port] = await freePorts(1);
    const base = `https://127.0.0.1:${String(port)}`;
    let log = '';
    tlsChild = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'src/main.ts'], {
      cwd: serviceDir,
      env: {
        ...process.env,
        ...influxEnv,
        DATA_DIR: tlsDir,
        API_HOST: '127.0.0.1',
        API_PORT: String(port),
        API_TLS_CERT_PATH: join(tlsDir, 'tls', 'api.crt'),
        API_TLS_KEY_PATH: join(tlsDir, 'tls', 'api.key'),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    tlsChild.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    tlsChild.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await waitFor(
      async () => (await getTrusting(`${base}/healthz`, ca).catch(() => undefined))?.status === 200,
      {
        timeoutMs: 30_000,
        description: () => `the API to answer /healthz over HTTPS; output so far:\n${log}`,
      },
    );
    expect(await getTrusting(`${base}/healthz`, ca)).toEqual({ status: 200, hsts: HSTS });
    expect(log).toContain(`API listening on ${base}`);
    await expect(getTrusting(`${base}/healthz`, otherCa)).rejects.toThrow(
      /self[- ]signed certificate|unable to (get local issuer|verify)/i,
    );
    // Plain HTTP on the HTTPS port gets no answer from the API.
    await expect(fetch(`http://127.0.0.1:${String(port)}/healthz`)).rejects.toThrow();

    const exited = new Promise<number | null>((resolve) => tlsChild?.on('exit', (code) => resolve(code)));
    tlsChild.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);
});
