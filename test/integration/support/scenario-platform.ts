// The platform side of the scenario tests: a real Mosquitto (from the harness), the real ingest pipeline
// in process (the ingest module, as the platform runs it) writing into the embedded SQLite store, and the simulated fleet (real gateway
// firmware with disk queues) driving it. Ingest's clock follows the simulation, so receive times, presence
// and clock skew are on the simulated timeline the gateways live in.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayAssignmentsOf, type RegistryIndex } from '@qt-led/contract';
import {
  createFleetSimulation,
  type FleetSimulation,
  type FleetSummary,
  parseFaultSpec,
} from '@qt-led/gateway';
import { createIngestModule, type IngestTuning } from '@qt-led/ingest';
import { connectMqtt } from '@qt-led/infrastructure';
import { createLogger } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import { createSqliteStore } from '@qt-led/store-sqlite';
import { createIsolation, type MqttServer } from '@qt-led/test-harness';

/** Small, quick batches: a boat's simulated time moves on only once its last batch is acknowledged. */
const SCENARIO_TUNING: Omit<IngestTuning, 'clientId'> = {
  shareGroup: 'ingest',
  batchMaxReadings: 1_000,
  batchMaxAgeMs: 50,
  maxWritesInFlight: 2,
  futureToleranceS: 300,
  minDeviceTime: '2017-01-01T00:00:00Z',
  clockSkewToleranceS: 120,
  gapScanIntervalS: 0,
  staleReplicaAfterS: 300,
};

export interface ScenarioPlatform {
  store: TelemetryStore;
  /** The simulated "now" of the current run (the slowest vessel's clock). */
  nowMs(): number;
  /** Runs the fleet simulation from `startMs` to `endMs` through the broker and ingest; resolves when done. */
  simulate(options: {
    vessels: string[];
    startMs: number;
    endMs: number;
    faults?: string;
    seed?: number;
    coverage?: (vesselId: string, ms: number) => boolean;
    /** Called (in order, awaited) once simulated time passes `atMs`, while the simulation goes on. */
    hooks?: { atMs: number; run: () => Promise<void> }[];
  }): Promise<FleetSummary>;
  /** A simulation object for reading the world's plan (ground truth); never started. */
  peek(vessels: string[], startMs: number, endMs: number, seed?: number): FleetSimulation;
  close(): Promise<void>;
}

export async function startScenarioPlatform(
  mqtt: MqttServer,
  registry: RegistryIndex,
  label: string,
): Promise<ScenarioPlatform> {
  const isolation = createIsolation(label);
  const dir = mkdtempSync(join(tmpdir(), `qtled-${label}-`));
  const store = createSqliteStore({ path: join(dir, 'telemetry.sqlite') });
  let current: FleetSimulation | undefined;
  let lastNow = 0;
  /** The vessel whose message ingest is handling right now (set just before ingest sees the message). */
  let handling: string | undefined;
  const seen = new Map<string, { simMs: number; atReal: number }>();
  /**
   * The simulated time of one vessel, plus the real time elapsed since its timeline last moved (ingest
   * ages its write batches by its clock, and a boat's timeline holds still while it waits for acks). Each
   * boat lives on its own timeline and they drift apart by hours, so the receive time of a message is
   * its own boat's time; without a message in hand (ingest's timers age the batch it is building), the
   * time of the boat furthest ahead, so that an open batch ages in real time whoever filled it.
   */
  const vesselNow = (vesselId: string | undefined): number | undefined => {
    const v = current?.vessels.find((x) => x.vesselId === vesselId);
    if (v === undefined || !Number.isFinite(v.nowMs)) return undefined;
    const key = v.vesselId;
    const last = seen.get(key);
    if (last?.simMs !== v.nowMs) seen.set(key, { simMs: v.nowMs, atReal: performance.now() });
    return v.nowMs + Math.round(performance.now() - (seen.get(key)?.atReal ?? performance.now()));
  };
  const nowMs = (): number => {
    const own = vesselNow(handling);
    if (own !== undefined) return own;
    const times = current?.vessels.map((v) => vesselNow(v.vesselId) ?? Number.NEGATIVE_INFINITY) ?? [];
    lastNow = Math.max(lastNow, ...times);
    return lastNow;
  };
  const logger = createLogger({ name: 'ingest-scenario', level: process.env['LOG_LEVEL'] ?? 'silent' });
  const ingest = createIngestModule(
    {
      mqtt: { url: mqtt.url, username: mqtt.username, password: mqtt.password, embedded: false },
      topicRoot: isolation.topicRoot,
      tuning: { ...SCENARIO_TUNING, clientId: isolation.clientId('ingest') },
      shared: false,
      spoolPath: join(dir, 'spool.sqlite'),
      operatorHttp: null,
      publishStoredReadings: false,
      sessionExpiryS: 3_600,
    },
    {
      logger,
      clock: { now: nowMs },
      store,
      registry: gatewayAssignmentsOf(registry.registry),
      // Ingest accepts a message synchronously inside `handleMessage`, which it assigns when it starts:
      // wrap whatever it assigns, to say whose message it is.
      connectMqtt: async (config, session) => {
        const client = await connectMqtt(config, session);
        let accept = client.handleMessage.bind(client);
        const whose: typeof client.handleMessage = (packet, done) => {
          handling = /\/vessels\/([^/]+)\//.exec(packet.topic)?.[1];
          try {
            accept(packet, done);
          } finally {
            handling = undefined;
          }
        };
        Object.defineProperty(client, 'handleMessage', {
          configurable: true,
          get: () => whose,
          set: (next: typeof client.handleMessage) => {
            accept = next.bind(client);
          },
        });
        return client;
      },
    },
  );
  await ingest.start();
  let runs = 0;
  const simulation = (
    vessels: string[],
    startMs: number,
    endMs: number,
    seed: number,
    faults?: string,
    coverage?: (vesselId: string, ms: number) => boolean,
  ) =>
    createFleetSimulation({
      seed,
      startMs,
      endMs,
      vessels,
      registry,
      broker: { url: mqtt.url },
      topicRoot: isolation.topicRoot,
      dataDir: join(dir, `gateways-${runs}`),
      clientIdPrefix: `${isolation.id}-${runs}-`,
      ...(faults === undefined ? {} : { faults: parseFaultSpec(faults) }),
      ...(coverage === undefined ? {} : { coverage }),
      fuelMeters: 'all',
      queueSynchronous: 'normal',
      drain: false,
    });
  return {
    store,
    nowMs,
    async simulate({ vessels, startMs, endMs, faults, seed = 3, coverage, hooks = [] }) {
      runs += 1;
      current = simulation(vessels, startMs, endMs, seed, faults, coverage);
      await current.start();
      const run = { finished: false };
      const done = current.finished.finally(() => {
        run.finished = true;
      });
      for (const hook of [...hooks].sort((a, b) => a.atMs - b.atMs)) {
        while (!run.finished && nowMs() < hook.atMs) await new Promise((resolve) => setTimeout(resolve, 10));
        if (run.finished) throw new Error(`the simulation ended before ${new Date(hook.atMs).toISOString()}`);
        await hook.run();
      }
      const summary = await done;
      lastNow = Math.max(lastNow, endMs);
      current = undefined;
      await ingest.idle();
      return summary;
    },
    peek(vessels, startMs, endMs, seed = 3) {
      return simulation(vessels, startMs, endMs, seed);
    },
    async close() {
      await ingest.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
