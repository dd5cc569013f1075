// Backfill benchmark: N days of history for the fleet through the real MQTT path, as fast as the platform
// acknowledges, against a local Mosquitto and the stand-in acknowledger (test/test-acknowledger.ts: a
// stand-in for the ingest service until it lands).
//
//   npx tsx --conditions=source gateway-firmware-sim/bench/backfill.ts [--days 30] [--vessels 40]
//       [--seed 1] [--queue-sync full|normal] [--faults none|realistic] [--broker mqtt://…] [--no-drain]
//       [--broker-nagle]   (start the local Mosquitto without set_tcp_nodelay, as deploy/ ships it today)
//
// Prints a progress bar, the summary (readings sent, acked, pending; per-vessel lamp-on hours, LED energy,
// generator fuel) and the wall-clock time.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type FleetSummary,
  createFleetSimulation,
  createProgressDisplay,
  formatFleetSummary,
  parseFaultSpec,
} from '../src/index.js';
import { startTestAcknowledger } from '../test/test-acknowledger.js';
import { startLocalMosquitto } from './local-mosquitto.js';

export interface BackfillBenchmarkOptions {
  days: number;
  vessels: number;
  seed: number;
  queueSync: 'full' | 'normal';
  faults: string;
  /** An existing broker; default: start a local Mosquitto. */
  broker?: string;
  drain: boolean;
  /** Start the local Mosquitto with `set_tcp_nodelay true` (see local-mosquitto.ts). */
  tcpNoDelay: boolean;
  /** Progress output; default none. */
  progress?: NodeJS.WriteStream;
}

export interface BackfillBenchmarkResult {
  readonly summary: FleetSummary;
  readonly wallSeconds: number;
  readonly stored: number;
  readonly duplicatesReceived: number;
  readonly conflicts: number;
  readonly setAside: number;
  readonly readingsPerSecond: number;
}

/** Simulated start: a fixed local midnight, so that runs with one seed are comparable. */
export const BENCH_START_MS = Date.UTC(2024, 2, 1) - 7 * 3_600_000;

export async function runBackfillBenchmark(
  options: BackfillBenchmarkOptions,
): Promise<BackfillBenchmarkResult> {
  const mosquitto =
    options.broker === undefined ? await startLocalMosquitto({ tcpNoDelay: options.tcpNoDelay }) : undefined;
  const url = options.broker ?? mosquitto?.url ?? '';
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'qtled-bench-queues-'));
  const topicRoot = `bench/b${process.pid}`;
  const acknowledger = await startTestAcknowledger({
    server: { url, source: 'env' },
    topicRoot,
    keepReadings: false,
  });
  try {
    const simulation = createFleetSimulation({
      seed: options.seed,
      startMs: BENCH_START_MS,
      endMs: BENCH_START_MS + options.days * 86_400_000,
      vessels: options.vessels,
      broker: { url },
      topicRoot,
      dataDir,
      clientIdPrefix: `bench${process.pid}-`,
      queueSynchronous: options.queueSync,
      faults: parseFaultSpec(options.faults),
      drain: options.drain,
    });
    const display = options.progress ? createProgressDisplay(options.progress, false) : undefined;
    const started = performance.now();
    await simulation.start();
    const timer = setInterval(() => display?.update(simulation.progress()), 250);
    let summary: FleetSummary;
    try {
      summary = await simulation.finished;
    } finally {
      clearInterval(timer);
      display?.update(simulation.progress());
      display?.stop();
    }
    const wallSeconds = (performance.now() - started) / 1000;
    return {
      summary,
      wallSeconds,
      stored: acknowledger.stats.stored,
      duplicatesReceived: acknowledger.stats.duplicates,
      conflicts: acknowledger.stats.conflicts,
      setAside: [...acknowledger.setAside.values()].reduce((a, b) => a + b, 0),
      readingsPerSecond: summary.totals.sampled / wallSeconds,
    };
  } finally {
    await acknowledger.close();
    await mosquitto?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      days: { type: 'string', default: '30' },
      vessels: { type: 'string', default: '40' },
      seed: { type: 'string', default: '1' },
      'queue-sync': { type: 'string', default: 'full' },
      faults: { type: 'string', default: 'realistic' },
      broker: { type: 'string' },
      'no-drain': { type: 'boolean', default: false },
      'broker-nagle': { type: 'boolean', default: false },
    },
  });
  const queueSync = values['queue-sync'] === 'normal' ? 'normal' : 'full';
  const result = await runBackfillBenchmark({
    days: Number(values.days),
    vessels: Number(values.vessels),
    seed: Number(values.seed),
    queueSync,
    faults: values.faults,
    ...(values.broker === undefined ? {} : { broker: values.broker }),
    drain: !values['no-drain'],
    tcpNoDelay: !values['broker-nagle'],
    progress: process.stderr,
  });
  process.stdout.write(`${formatFleetSummary(result.summary)}\n\n`);
  process.stdout.write(
    `Backfill of ${values.days} days for ${values.vessels} vessels (queue synchronous=${queueSync}): ` +
      `Mosquitto ${values.broker ?? (values['broker-nagle'] ? 'local, shipped settings' : 'local, shipped settings + set_tcp_nodelay')}: ` +
      `${result.wallSeconds.toFixed(1)} s wall clock, ${Math.round(result.readingsPerSecond)} readings/s; ` +
      `stand-in acknowledger stored ${result.stored} unique readings, received ${result.duplicatesReceived} duplicates ` +
      `(${result.conflicts} conflicting), set aside ${result.setAside} corrupted frames\n`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
