// Test code: one simulated gateway in a process of its own, so that a test can kill it with SIGKILL (a
// real kill -9) in the middle of a flush and start it again on the same queue directory.
//
//   node --import tsx --conditions=source gateway-child.ts '<json ChildScenario>'
//
// Prints one JSON line per simulated hour ({"t":…,"depth":…,"sampled":…}) and {"done":true} at the end.
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { createFixedSpeedPacer, createVesselSimulation, createWeather } from '../src/index.js';

export interface ChildScenario {
  url: string;
  topicRoot: string;
  dataDir: string;
  vesselId: string;
  seed: number;
  worldStartMs: number;
  startMs: number;
  endMs: number;
  /** Out of coverage before this instant. */
  offlineUntilMs: number;
  clientIdPrefix: string;
  drain: boolean;
}

async function main(): Promise<void> {
  const scenario = JSON.parse(process.argv[2] ?? '{}') as ChildScenario;
  const simulation = createVesselSimulation({
    seed: scenario.seed,
    vesselId: scenario.vesselId,
    registry: loadFleetRegistry(),
    weather: createWeather(scenario.seed),
    worldStartMs: scenario.worldStartMs,
    startMs: scenario.startMs,
    endMs: scenario.endMs,
    topicRoot: scenario.topicRoot,
    dataDir: scenario.dataDir,
    broker: { url: scenario.url },
    clientIdPrefix: scenario.clientIdPrefix,
    // The firmware's own setting: every commit fsynced.
    queueSynchronous: 'full',
    faults: [],
    pacer: createFixedSpeedPacer(Number.POSITIVE_INFINITY, scenario.startMs),
    coverage: (ms) => ms >= scenario.offlineUntilMs,
  });
  let lastHour = -1;
  const timer = setInterval(() => {
    const hour = Math.floor((simulation.nowMs - scenario.startMs) / 3_600_000);
    if (hour === lastHour) return;
    lastHour = hour;
    const status = simulation.gateway?.status();
    process.stdout.write(
      `${JSON.stringify({ t: simulation.nowMs, depth: status?.queueDepth ?? null, sampled: status?.sampled ?? null })}\n`,
    );
  }, 20);
  await simulation.run({ drain: scenario.drain, drainTimeoutMs: 3_600_000 });
  clearInterval(timer);
  process.stdout.write(`${JSON.stringify({ done: true, totals: simulation.totals() })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
