import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { generateFleetTelemetry } from './testing/fleet-telemetry.js';

const influx = inject('influx');
const isolation = createIsolation('api_main');
const serviceDir = fileURLToPath(new URL('..', import.meta.url));
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
