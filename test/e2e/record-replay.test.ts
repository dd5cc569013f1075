// Record and replay (issue "Partner data packages", item 8): a committed vessel-month of real gateway
// traffic — what the firmware published, message by message (test/e2e/support/record-vessel-month.ts) — is
// replayed through a real Mosquitto and the ingest service into the embedded SQLite store and into a real
// InfluxDB. The partners' packages built from the two stores must agree byte for byte in every figure file
// and in the calculator's input hash: whichever store a deployment runs on, NEDO and Stanley Electric get
// the same numbers.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import type { VesselId } from '@qt-led/contract';
import { createEmissionsService, fileIssuedReportStore } from '@qt-led/emissions';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { createFleetStatusService } from '@qt-led/fleet-status';
import { BUILT_IN_METHODOLOGY_IDS, loadBuiltInMethodology } from '@qt-led/jcm';
import {
  PackagesConfig,
  createPackageScheduler,
  createPackageSources,
  openOutbox,
  signerFromPrivateKey,
  verifyPackage,
} from '@qt-led/partner-packages';
import { createLogger } from '@qt-led/runtime';
import { type TelemetryStore } from '@qt-led/store';
import { createSqliteStore } from '@qt-led/store-sqlite';
import { connectMqtt, createIsolation, waitFor } from '@qt-led/test-harness';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freshInfluxStore } from './support/influx-store.js';
import { startIngestProcess } from './support/ingest-process.js';
import { RECORDING, RECORDING_PATH, type RecordedLine } from './support/recording.js';

const registry = loadFleetRegistry();
const methodologies = new Map(
  BUILT_IN_METHODOLOGY_IDS.map((id) => [id as string, loadBuiltInMethodology(id)]),
);
const logger = createLogger({ name: 'record-replay', level: 'warn' });
// The packages are built "on 3 December 2026" with one key: only the store differs between the two.
const NOW = { now: () => Date.parse('2026-12-03T02:00:00Z') };
const signer = signerFromPrivateKey(
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
);

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

async function recording(): Promise<RecordedLine[]> {
  const text = brotliDecompressSync(await readFile(RECORDING_PATH)).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as RecordedLine);
}

/** Replays the recording through Mosquitto and ingest into `store`; returns the packages built from it. */
async function replay(
  label: string,
  lines: readonly RecordedLine[],
  storeFor: (dir: string) => Promise<{
    store: TelemetryStore;
    influx?: Parameters<typeof startIngestProcess>[0]['influx'];
  }>,
) {
  const isolation = createIsolation(`e2e_replay_${label}`);
  const dir = await mkdtemp(join(tmpdir(), `qtled-replay-${label}-`));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const { store, influx } = await storeFor(dir);
  cleanup.push(() => store.close());
  const mqtt = inject('mqtt');
  const ingest = await startIngestProcess({
    mqtt,
    topicRoot: isolation.topicRoot,
    clientId: isolation.clientId('ingest'),
    dataDir: dir,
    ...(influx === undefined ? {} : { influx }),
  });
  cleanup.push(() => ingest.kill('SIGTERM'));
  const publisher = await connectMqtt(mqtt);
  cleanup.push(() => publisher.endAsync());
  for (const line of lines) {
    await publisher.publishAsync(
      `${isolation.topicRoot}/v1/vessels/${RECORDING.vesselId}/${line.channel}`,
      line.payload,
      {
        qos: 1,
        retain: line.retain,
      },
    );
  }
  await waitFor(
    async () =>
      (await ingest.metric('qtled_ingest_messages_total')) >= lines.length &&
      (await ingest.metric('qtled_ingest_backlog_readings')) === 0,
    { timeoutMs: 60_000, description: `ingest took every recorded message (${label})` },
  );
  const emissions = createEmissionsService({
    store,
    registry,
    methodologies,
    issued: fileIssuedReportStore(join(dir, 'issued')),
    clock: NOW,
  });
  const fleetStatus = createFleetStatusService({
    store,
    registry,
    alarmDbPath: ':memory:',
    clock: NOW,
    logger,
  });
  cleanup.push(() => fleetStatus.stop());
  const outbox = openOutbox(join(dir, 'outbox'));
  const scheduler = createPackageScheduler(
    PackagesConfig.parse({
      partners: [
        { partner: 'nedo', scope: 'emissions', firstMonth: '2026-11' },
        { partner: 'stanley-electric', scope: 'led-performance', firstMonth: '2026-11' },
      ],
    }),
    {
      sources: createPackageSources({
        emissions,
        methodologies,
        defaultMethodologyId: BUILT_IN_METHODOLOGY_IDS[0],
        fleetStatus,
      }),
      outbox,
      signer,
      clock: NOW,
      logger,
    },
  );
  const issued = await scheduler.runOnce();
  const packages = new Map<string, Map<string, Buffer>>();
  for (const outcome of issued)
    packages.set(outcome.packageId, (await outbox.read(outcome.packageId)) ?? new Map<string, Buffer>());
  const stored = await store.readings(RECORDING.vesselId as VesselId, 0, Number.MAX_SAFE_INTEGER);
  return { packages, stored };
}

describe('a recorded vessel-month replayed into both stores', () => {
  it(
    'gives the partners byte-identical figure files and the same input hash from SQLite and from InfluxDB',
    { timeout: 300_000 },
    async () => {
      const lines = await recording();
      expect(lines.length).toBeGreaterThan(10_000);
      const sqlite = await replay('sqlite', lines, (dir) =>
        Promise.resolve({ store: createSqliteStore({ path: join(dir, 'telemetry.sqlite') }) }),
      );
      const influxServer = inject('influx');
      const influx = await replay('influx', lines, () =>
        freshInfluxStore(influxServer, 'e2e_replay', cleanup),
      );

      // The same readings in both: a month at one a minute, across the reboot, the replaced meter, the resends.
      expect(sqlite.stored.length).toBe(influx.stored.length);
      expect(sqlite.stored.length).toBeGreaterThan(40_000);
      expect(new Set(sqlite.stored.map((r) => r.bootId)).size).toBe(2);

      expect([...sqlite.packages.keys()].sort()).toEqual(['nedo-2026-11-v1', 'stanley-electric-2026-11-v1']);
      expect([...influx.packages.keys()].sort()).toEqual([...sqlite.packages.keys()].sort());
      for (const [packageId, files] of sqlite.packages) {
        const other = influx.packages.get(packageId) ?? new Map<string, Buffer>();
        const a = verifyPackage(files, { publicKeyPem: signer.publicKeyPem });
        const b = verifyPackage(other, { publicKeyPem: signer.publicKeyPem });
        expect(a.problems).toEqual([]);
        expect(b.problems).toEqual([]);
        expect(b.manifest?.inputSha256).toBe(a.manifest?.inputSha256);
        expect(b.manifest?.figuresSha256).toBe(a.manifest?.figuresSha256);
        const figureFiles = [...files.keys()].filter(
          (name) => name.endsWith('.csv') || name === 'figures.json',
        );
        expect(figureFiles.length).toBeGreaterThanOrEqual(6);
        for (const name of figureFiles) {
          expect(other.get(name)?.equals(files.get(name) ?? Buffer.alloc(0)), `${packageId}/${name}`).toBe(
            true,
          );
        }
      }
      // And the figures are about something: the boat fished and its energy is in the package.
      const figures = JSON.parse(
        (sqlite.packages.get('nedo-2026-11-v1')?.get('figures.json') ?? Buffer.from('{}')).toString('utf8'),
      ) as {
        result: {
          vessels: {
            vesselId: string;
            energyKwh: number;
            energyRegister: { breaks: { reason: string }[] };
          }[];
        };
      };
      const vessel = figures.result.vessels.find((v) => v.vesselId === RECORDING.vesselId);
      expect(vessel?.energyKwh).toBeGreaterThan(100);
      expect(vessel?.energyRegister.breaks.map((b) => b.reason)).toContain('meter-replaced');
    },
  );
});
