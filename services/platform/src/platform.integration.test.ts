import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayConfig, type VesselId } from '@qt-led/contract';
import { configKeyFromPem, openDiskQueue, signedWith } from '@qt-led/gateway';
import { lastDueMonth, openOutbox, verifyPackage } from '@qt-led/partner-packages';
import mqtt from 'mqtt';
import { createLogger, loadConfig } from '@qt-led/runtime';
import { findGaps } from '@qt-led/store';
import { createSqliteStore } from '@qt-led/store-sqlite';
import { claimFirstAdmin, fetchPost } from '@qt-led/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKER_GATEWAY_LOGINS_FILE, BROKER_SECRET_FILE } from './broker-logins.js';
import { platformEnvSchema } from './config.js';
import { platformOptionsFrom } from './options.js';
import { type Platform, type PlatformOptions, startPlatform } from './platform.js';

const logger = createLogger({ name: 'platform-test', level: 'warn' });
const VESSELS = 3;

function options(dataDir: string): PlatformOptions {
  // As `npm start` configures itself, from variables; no faults: every sampled reading must then be
  // stored (or still be held by its gateway).
  const env = loadConfig('platform', platformEnvSchema, {
    DATA_DIR: dataDir,
    API_PORT: '0',
    PLATFORM_BROKER_PORT: '0',
    FLEET_SIM_VESSELS: String(VESSELS),
    FLEET_SIM_HISTORY_DAYS: '1',
    FLEET_SIM_SEED: '7',
    FLEET_SIM_FAULTS: 'none',
  });
  return platformOptionsFrom(env, { logger, dashboardDir: undefined });
}

/** Every reading identity a vessel's gateway still holds on disk, read back from its queue files. */
async function pendingOnGateways(dataDir: string, vesselId: string): Promise<Set<string>> {
  const held = new Set<string>();
  const folder = join(dataDir, 'gateways', vesselId);
  for (const file of (await readdir(folder)).filter((f) => f.endsWith('.sqlite'))) {
    const queue = openDiskQueue({ path: join(folder, file) });
    try {
      for (const q of queue.readingsBetween(0, Number.MAX_SAFE_INTEGER, 1_000_000)) {
        const reading = JSON.parse(q.body) as { bootId: string; seq: number };
        held.add(`${reading.bootId}/${reading.seq}`);
      }
    } finally {
      queue.close();
    }
  }
  return held;
}

describe('startPlatform on the embedded default', () => {
  let dataDir: string;
  let first: Platform;
  let firstTotals: { vesselId: string; sampled: number; acked: number; pending: number }[];
  let firstStoredByVessel: Map<string, { count: number; lastMs: number }>;

  const simulatedVessels = (): string[] =>
    first.registry.registry.vessels
      .slice(0, VESSELS)
      .map((v) => v.vesselId)
      .sort();
  /** The boats whose gateway had an upload acknowledged: they came within reach of a network. */
  const heardFrom = (): string[] =>
    first
      .fleetTotals()
      .filter((t) => t.acked > 0)
      .map((t) => t.vesselId)
      .sort();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'qtled-platform-'));
    first = await startPlatform(options(dataDir));
    await first.caughtUp;
  }, 120_000);

  afterAll(async () => {
    await first.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('loads the history of every boat through broker and ingest into the store', async () => {
    expect(first.loadingHistory).toBe(true);
    const progress = first.progress();
    expect(progress.phase).toBe('live');
    expect(progress.sampled).toBeGreaterThan(VESSELS * 1_300); // ≥ 1,440 a day each, minus boats out of range
    // A boat far offshore all day (world truth, seed 7: one of the three) reaches no network: it holds
    // every reading it sampled. Every boat that reached one has its latest reading stored.
    const totals = first.fleetTotals();
    expect(totals.map((t) => t.vesselId).sort()).toEqual(simulatedVessels());
    for (const t of totals.filter((t) => t.acked === 0)) expect(t.pending).toBe(t.sampled);
    expect(heardFrom().length).toBeGreaterThanOrEqual(2);
    const latest = await first.store.latestByVessel();
    expect(latest.map((r) => r.vesselId).sort()).toEqual(heardFrom());
    const oldest = Math.min(
      ...(await Promise.all(
        latest.map(
          async (r) => (await first.store.readings(r.vesselId, 0, Date.now(), 1))[0]?.deviceTimeMs ?? 0,
        ),
      )),
    );
    // The history starts a day before the platform clock (one sampling interval of slack).
    expect(first.clock.now() - oldest).toBeGreaterThan(86_400_000 - 60_000);
  });

  it('serves the API: health, and every boat with its latest reading to a logged-in officer', async () => {
    const health = await fetch(`${first.url}/healthz`);
    expect(health.status).toBe(200);
    // The first admin's one-time credentials: a file only its owner can read, spent by the password change.
    expect((await stat(first.adminCredentialsPath)).mode & 0o777).toBe(0o600);
    const { token } = await claimFirstAdmin(fetchPost(first.url), first.adminCredentialsPath);
    await expect(stat(first.adminCredentialsPath)).rejects.toThrow(/ENOENT/);
    const response = await fetch(`${first.url}/api/v1/vessels`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const { vessels } = (await response.json()) as {
      vessels: { vesselId: string; latest: { deviceTimeMs: number } | null }[];
    };
    const withData = vessels.filter((v) => v.latest !== null).map((v) => v.vesselId);
    expect(withData.sort()).toEqual(heardFrom());
    const unauthenticated = await fetch(`${first.url}/api/v1/vessels`);
    expect(unauthenticated.status).toBe(401);
  });

  it("issues each partner's package for the last complete month once live, signed with a key only it can read", async () => {
    const outbox = openOutbox(join(dataDir, 'outbox'));
    const month = lastDueMonth(first.clock.now(), 0);
    const expected = [`nedo-${month.slice(0, 7)}-v1`, `stanley-electric-${month.slice(0, 7)}-v1`];
    // The schedule's first pass starts at "Live now", beside the API.
    const deadline = Date.now() + 25_000;
    let ids: string[] = [];
    while (Date.now() < deadline) {
      ids = (await outbox.list()).map((p) => p.packageId).sort();
      if (expected.every((id) => ids.includes(id))) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(ids).toEqual(expected);
    const key = await stat(join(dataDir, 'package-signing-key.pem'));
    expect(key.mode & 0o777).toBe(0o600);
    const publicKeyPem = await readFile(join(dataDir, 'package-signing-key.pub.pem'), 'utf8');
    for (const id of expected) {
      const files = await outbox.read(id);
      if (files === undefined) throw new Error(`${id} vanished`);
      const report = verifyPackage(files, { publicKeyPem });
      expect(report.problems).toEqual([]);
      expect(report.manifest?.completeness.vessels).toHaveLength(first.registry.registry.vessels.length);
    }
  });

  it('lets only logged-in clients into its embedded broker, a gateway only under its own vessel', async () => {
    await expect(
      mqtt.connectAsync(first.brokerUrl, { reconnectPeriod: 0, connectTimeout: 5_000 }),
    ).rejects.toThrow(/Bad username or password|Not authorized/i);
    const logins = JSON.parse(await readFile(join(dataDir, BROKER_GATEWAY_LOGINS_FILE), 'utf8')) as Record<
      string,
      { username: string; password: string }
    >;
    expect((await stat(join(dataDir, BROKER_GATEWAY_LOGINS_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, BROKER_SECRET_FILE))).mode & 0o777).toBe(0o600);
    const [vesselId] = heardFrom();
    const gateway = await mqtt.connectAsync(first.brokerUrl, {
      reconnectPeriod: 0,
      ...logins[vesselId ?? ''],
    });
    try {
      await expect(gateway.subscribeAsync('qtled/#', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    } finally {
      await gateway.endAsync(true);
    }
  });

  it('stores every sampled reading once: nothing lost, nothing doubled, after a clean stop', async () => {
    await first.stop();
    firstTotals = first.fleetTotals();
    const store = createSqliteStore({ path: join(dataDir, 'telemetry.sqlite') });
    firstStoredByVessel = new Map();
    try {
      for (const totals of firstTotals) {
        const vesselId = totals.vesselId as VesselId;
        const stored = await store.readings(vesselId, 0, Number.MAX_SAFE_INTEGER, 1_000_000);
        firstStoredByVessel.set(vesselId, {
          count: stored.length,
          lastMs: Math.max(...stored.map((r) => r.deviceTimeMs)),
        });
        const storedIds = new Set(stored.map((r) => `${r.bootId}/${r.seq}`));
        expect(storedIds.size).toBe(stored.length);
        const held = await pendingOnGateways(dataDir, vesselId);
        // What is not stored is still on the gateway's disk; together they are exactly what was sampled.
        const union = new Set([...storedIds, ...held]);
        expect(union.size).toBe(totals.sampled);
        // Per boot, the stored seqs have no hole: only a tail a boat out of coverage still holds is missing.
        expect(findGaps(stored)).toEqual([]);
      }
    } finally {
      await store.close();
    }
  });

  it('continues from the stored state on a second start instead of loading the history again', async () => {
    const second = await startPlatform(options(dataDir));
    try {
      expect(second.loadingHistory).toBe(false);
      await second.caughtUp;
      await second.stop();
    } finally {
      await second.stop();
    }
    const store = createSqliteStore({ path: join(dataDir, 'telemetry.sqlite') });
    try {
      for (const [vesselId, { count, lastMs }] of firstStoredByVessel) {
        // Nothing up to the first run's last reading was sampled again: that range holds what it held plus
        // at most the readings the gateway still had, and the second run's readings are newer.
        const old = await store.readings(vesselId as VesselId, 0, lastMs + 1, 1_000_000);
        const held = firstTotals.find((t) => t.vesselId === vesselId)?.pending ?? 0;
        expect(old.length).toBeGreaterThanOrEqual(count);
        expect(old.length).toBeLessThanOrEqual(count + held);
        expect(findGaps(old)).toEqual([]);
      }
    } finally {
      await store.close();
    }
  });

  it('configures the boats with configs signed by its key, which every gateway pinned and applied', async () => {
    const key = await stat(join(dataDir, 'gateway-config-key.pem'));
    expect(key.mode & 0o777).toBe(0o600);
    const publicKey = configKeyFromPem(await readFile(join(dataDir, 'gateway-config-key.pub.pem'), 'utf8'));
    for (const { vesselId } of firstTotals) {
      const folder = join(dataDir, 'gateways', vesselId);
      const files = (await readdir(folder)).filter((f) => f.endsWith('.sqlite'));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const queue = openDiskQueue({ path: join(folder, file) });
        try {
          const config = GatewayConfig.parse(queue.getState('config'));
          expect(config.configVersion).toBeGreaterThanOrEqual(1);
          expect(signedWith(config, publicKey)).toBe(true);
        } finally {
          queue.close();
        }
      }
    }
  });
});
