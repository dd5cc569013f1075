// The fleet overview benchmark (no assertions, not a test; `npm run bench:fleet-overview`): `GET /api/v1/vessels` over an SQLite store holding
// 30 days × 40 boats at the firmware's 60 s sampling (1.7 M readings) plus a thousand dead letters, through
// the API process as the tests assemble it. Prints the time of each store call of one status pass, then
// p50/p99 of sequential requests of the overview and of one vessel.
//
//   npx tsx --conditions=source bench/fleet-overview.ts
//   BENCH_DIR=/tmp/x BENCH_DAYS=30 BENCH_REQUESTS=200 npx tsx --conditions=source bench/fleet-overview.ts
//
// The store is generated once into BENCH_DIR (about a minute) and reused by later runs.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startApiTestServer } from '@qt-led/api/testing';
import { topicFor, type VesselId } from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { createFleetStatusService } from '@qt-led/fleet-status';
import { createLogger } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import { createSqliteStore } from '@qt-led/store-sqlite';
import { claimFirstAdmin, fetchPost } from '@qt-led/test-harness';
import { ensureFleetHistory, FLEET_STORE_NOW_MS } from './fleet-store.js';

const DIR = process.env['BENCH_DIR'] ?? '/tmp/qtled-overview-bench';
const DAYS = Number(process.env['BENCH_DAYS'] ?? 30);
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 200);
const NOW_MS = FLEET_STORE_NOW_MS;
const registry = loadFleetRegistry();
const vesselIds = registry.registry.vessels.map((v) => v.vesselId);

async function seed(store: TelemetryStore): Promise<void> {
  if (!(await ensureFleetHistory(store, registry, DAYS))) return;
  // Set-aside batches of a drifting clock, as the simulated fleet's faults leave them.
  const letters = Array.from({ length: 1_000 }, (_, k) => {
    const vesselId = vesselIds[k % vesselIds.length] as VesselId;
    const receivedAtMs = NOW_MS - (1_000 - k) * 60_000;
    return {
      receivedAtMs,
      topic: topicFor('telemetry', vesselId),
      reason: 'time-in-future' as const,
      message: 'device time ahead of the platform clock',
      payload: JSON.stringify({
        schema: 'qtled.telemetry/1',
        vesselId,
        gatewayId: 'gw-x',
        sentAtMs: receivedAtMs + 3_600_000,
        readings: [
          {
            vesselId,
            bootId: 'b1',
            seq: k,
            deviceTimeMs: receivedAtMs + 3_600_000,
            led: { powerW: 0, energyKwh: 1, lampsOn: 0 },
          },
        ],
      }),
      payloadEncoding: 'utf8' as const,
      payloadBytes: 300,
    };
  });
  await store.addDeadLetters(letters);
}

/** The store with every call timed, summed by method. */
function timed(store: TelemetryStore): { store: TelemetryStore; report(): string; reset(): void } {
  const totals = new Map<string, { calls: number; ms: number }>();
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || key === 'close') return value;
      return async (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          const call = value as (...a: unknown[]) => Promise<unknown>;
          return await call.apply(target, args);
        } finally {
          const entry = totals.get(String(key)) ?? { calls: 0, ms: 0 };
          entry.calls += 1;
          entry.ms += performance.now() - t0;
          totals.set(String(key), entry);
        }
      };
    },
  });
  return {
    store: proxy,
    reset: () => totals.clear(),
    report: () =>
      [...totals.entries()]
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(
          ([k, v]) =>
            `  ${k.padEnd(22)} ${String(v.calls).padStart(4)} calls ${v.ms.toFixed(1).padStart(9)} ms`,
        )
        .join('\n'),
  };
}

function percentiles(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
  return `p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, max ${at(1).toFixed(1)} ms (n=${sorted.length})`;
}

mkdirSync(DIR, { recursive: true });
const seedStore = createSqliteStore({ path: join(DIR, 'telemetry.sqlite') });
await seed(seedStore);
await seedStore.close();

// 1. The profile: one service over the timed store, three status passes (cold, warm, warm).
{
  const raw = createSqliteStore({ path: join(DIR, 'telemetry.sqlite') });
  const t = timed(raw);
  const alarmDir = join(DIR, 'profile');
  rmSync(alarmDir, { recursive: true, force: true });
  mkdirSync(alarmDir, { recursive: true });
  const service = createFleetStatusService({
    store: t.store,
    registry,
    alarmDbPath: join(alarmDir, 'alarms.sqlite'),
    clock: { now: () => NOW_MS },
  });
  for (const pass of ['evaluate (cold)', 'statuses', 'statuses', 'status(one)', 'latestByVessel']) {
    t.reset();
    const t0 = performance.now();
    if (pass.startsWith('evaluate')) await service.evaluate(NOW_MS);
    else if (pass === 'statuses') await service.statuses(NOW_MS);
    else if (pass === 'status(one)') await service.status(vesselIds[3] as VesselId, NOW_MS);
    else await t.store.latestByVessel();
    console.log(`${pass}: ${(performance.now() - t0).toFixed(1)} ms\n${t.report()}`);
  }
  await service.stop();
  await raw.close();
}

// 2. The API: sequential requests over HTTP, as the dashboard makes them.
{
  const dataDir = join(DIR, 'api');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  // The API test server opens `<dataDir>/telemetry.sqlite`: point it at the seeded file.
  const { symlinkSync } = await import('node:fs');
  symlinkSync(join(DIR, 'telemetry.sqlite'), join(dataDir, 'telemetry.sqlite'));
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(join(DIR, `telemetry.sqlite${suffix}`)))
      symlinkSync(join(DIR, `telemetry.sqlite${suffix}`), join(dataDir, `telemetry.sqlite${suffix}`));
  }
  const logger = createLogger({ name: 'bench', level: 'silent' });
  const server = await startApiTestServer({ dataDir, logger, clock: { now: () => NOW_MS } });
  const { token } = await claimFirstAdmin(fetchPost(server.url), join(dataDir, 'initial-admin.json'));
  const headers = { authorization: `Bearer ${token}` };
  const t0 = performance.now();
  await server.fleetStatus.evaluate(NOW_MS);
  console.log(`\nAPI: first evaluation pass ${(performance.now() - t0).toFixed(0)} ms`);
  for (const path of ['/api/v1/vessels', `/api/v1/vessels/${vesselIds[3] as string}`]) {
    const samples: number[] = [];
    for (let i = 0; i < REQUESTS; i += 1) {
      const s = performance.now();
      const response = await fetch(`${server.url}${path}`, { headers });
      const body = await response.text();
      samples.push(performance.now() - s);
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${body}`);
    }
    console.log(`GET ${path}: ${percentiles(samples)}`);
  }
  await server.stop();
}
