// One measured step of the ingest bench and the bisection search for "sustained" (docs/performance.md's
// protocol): an open-loop publisher at a constant rate (warm-up, then the window), probe readings published
// amid the load and polled until InfluxDB returns them, the contender's CPU and memory from /proc, and the
// readings of the window counted in the database once the window (plus the contender's grace) is over.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  type InfluxAdmin,
  influxAdmin,
  startDedicatedInflux,
  startDedicatedMosquitto,
} from '@qt-led/test-harness';
import mqtt, { type MqttClient } from 'mqtt';
import type { ContenderSpec } from './contenders.js';
import { DeviceClock, type Fleet, gatewayMessage, PROBE_BOOT_ID } from './fleet.js';
import { seedSeries } from './points.js';
import { processStats, sleep } from './process.js';

export interface Session {
  brokerUrl: string;
  influxUrl: string;
  admin: InfluxAdmin;
  dir: string;
  steps: number;
  /** The session's one database, created and seeded with the fleet's series at the first step. */
  database: string;
  seeded: boolean;
  stop(): Promise<void>;
}

/** A fresh Mosquitto (the repository's delivery settings) and a fresh InfluxDB, for one contender. */
export async function startSession(dir: string): Promise<Session> {
  mkdirSync(dir, { recursive: true });
  const broker = await startDedicatedMosquitto();
  const influx = await startDedicatedInflux().catch(async (error: unknown) => {
    await broker.stop();
    throw error;
  });
  return {
    brokerUrl: broker.info.url,
    influxUrl: influx.info.url,
    admin: influxAdmin(influx.info),
    dir,
    steps: 0,
    database: 'bench',
    seeded: false,
    stop: async () => {
      await Promise.allSettled([broker.stop(), influx.stop()]);
    },
  };
}

export interface StepResult {
  rate: number;
  offered: number;
  written: number;
  ok: boolean;
  /** Probe latencies publish → queryable, ms; a probe not found within the limit is Infinity. */
  latenciesMs: number[];
  cpuUsPerMessage: number;
  rssMb: number;
  peakRssMb: number;
  error?: string;
}

export interface StepOptions {
  warmupS: number;
  windowS: number;
  probeEveryMs: number;
  probeTimeoutMs: number;
}

export function connect(url: string, clientId: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId, reconnectPeriod: 0, connectTimeout: 10_000 });
}

async function query(influxUrl: string, database: string, q: string): Promise<unknown[][]> {
  const response = await fetch(`${influxUrl}/query?db=${database}&q=${encodeURIComponent(q)}`, {
    signal: AbortSignal.timeout(30_000),
  });
  const answer = (await response.json()) as { results?: { series?: { values: unknown[][] }[] }[] };
  return answer.results?.[0]?.series?.[0]?.values ?? [];
}

/** Readings with device times in [fromMs, toMs) the database holds. */
export async function countWritten(
  influxUrl: string,
  database: string,
  fromMs: number,
  toMs: number,
): Promise<number> {
  const rows = await query(
    influxUrl,
    database,
    `SELECT count(seq) FROM telemetry WHERE time >= ${fromMs}ms AND time < ${toMs}ms`,
  );
  return Number(rows[0]?.[1] ?? 0);
}

const clock = new DeviceClock();
let probeSeq = 0;
let loadIndex = 0;

/**
 * One step: the contender started anew on a fresh topic root of `session` (its database reused: the window
 * is counted by device time, and every step's times are its own), `rate` msg/s offered
 * for warm-up + window, probes during the window, counted after the window + the contender's grace.
 */
export async function runStep(
  spec: ContenderSpec,
  session: Session,
  fleet: Fleet,
  rate: number,
  options: StepOptions,
): Promise<StepResult> {
  const n = ++session.steps;
  const database = session.database;
  const root = `bench${n}`;
  const dir = join(session.dir, `step${n}-${rate}`);
  mkdirSync(dir, { recursive: true });
  if (!session.seeded) {
    await session.admin.createDatabase(database);
    await seedSeries(session.influxUrl, database, fleet);
    session.seeded = true;
  }
  const child = await spec.start({
    brokerUrl: session.brokerUrl,
    influxUrl: session.influxUrl,
    database,
    root,
    fleet,
    dir,
  });
  const pub = await connect(session.brokerUrl, `bench-pub-${n}`);
  const probe = await connect(session.brokerUrl, `bench-probe-${n}`);
  try {
    const started = Date.now();
    const windowStartMs = started + options.warmupS * 1000;
    const windowEndMs = windowStartMs + options.windowS * 1000;
    let offered = 0;
    let cpuAtStart = Number.NaN;
    let cpuAtEnd = Number.NaN;
    let rssAtEnd = Number.NaN;
    const latencies: Promise<number>[] = [];

    const publishing = (async () => {
      const t0 = performance.now();
      const total = Math.round(rate * (options.warmupS + options.windowS));
      let sent = 0;
      while (sent < total) {
        const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
        const now = Date.now();
        while (sent < due) {
          const index = loadIndex++;
          const vessel = fleet.vessels[index % fleet.vessels.length] as Fleet['vessels'][number];
          const t = clock.next(vessel.vesselId, now);
          const { topic, payload } = gatewayMessage(fleet, root, index, t, { vessel });
          pub.publish(topic, payload, { qos: 1 });
          if (t >= windowStartMs && t < windowEndMs) offered++;
          sent++;
        }
        await sleep(2);
      }
    })();

    const probing = (async () => {
      await sleep(Math.max(0, windowStartMs - Date.now()));
      cpuAtStart = processStats(child.pid).cpuS;
      let p = 0;
      while (Date.now() < windowEndMs - options.probeEveryMs / 2) {
        const vessel = fleet.vessels[(p * 7919) % fleet.vessels.length] as Fleet['vessels'][number];
        const t = clock.next(vessel.vesselId, Date.now());
        const seq = probeSeq++;
        const { topic, payload } = gatewayMessage(fleet, root, p, t, { vessel, seq, bootId: PROBE_BOOT_ID });
        const sentAt = performance.now();
        probe.publish(topic, payload, { qos: 1 });
        if (t >= windowStartMs && t < windowEndMs) offered++;
        latencies.push(pollProbe(session.influxUrl, database, vessel.vesselId, t, seq, sentAt, options));
        p++;
        await sleep(options.probeEveryMs);
      }
      await sleep(Math.max(0, windowEndMs - Date.now()));
      const end = processStats(child.pid);
      cpuAtEnd = end.cpuS;
      rssAtEnd = end.rssMb;
    })();

    await Promise.all([publishing, probing]);
    await sleep(spec.graceMs);
    const latenciesMs = await Promise.all(latencies);
    const written = await countWritten(session.influxUrl, database, windowStartMs, windowEndMs);
    const stats = processStats(child.pid);
    return {
      rate,
      offered,
      written,
      ok: written >= 0.99 * offered,
      latenciesMs,
      cpuUsPerMessage: ((cpuAtEnd - cpuAtStart) / offered) * 1e6,
      rssMb: rssAtEnd,
      peakRssMb: stats.peakRssMb,
    };
  } finally {
    await Promise.allSettled([pub.endAsync(true), probe.endAsync(true)]);
    await child.stop();
  }
}

async function pollProbe(
  influxUrl: string,
  database: string,
  vesselId: string,
  t: number,
  seq: number,
  sentAt: number,
  options: StepOptions,
): Promise<number> {
  const q = `SELECT seq FROM telemetry WHERE vessel='${vesselId}' AND time >= ${t}ms AND time < ${t + 1}ms`;
  for (;;) {
    const rows = await query(influxUrl, database, q).catch(() => []);
    if (rows.some((row) => Number(row[1]) === seq)) return performance.now() - sentAt;
    const waited = performance.now() - sentAt;
    if (waited > options.probeTimeoutMs) return Number.POSITIVE_INFINITY;
    // Fine-grained while a fast contender would answer, coarser for a 10 s flush.
    await sleep(waited < 1_500 ? 20 : 100);
  }
}

export interface SearchOptions {
  first: number;
  low: number;
  high: number;
  steps: number;
  /** Explicit rates instead of the bisection. */
  rates?: number[] | undefined;
  /** Stop before a step when this predicate says there is no time left. */
  outOfTime: () => boolean;
  onStep: (step: StepResult) => void;
}

function roundRate(rate: number): number {
  const unit = rate < 1_000 ? 25 : rate < 10_000 ? 100 : 250;
  return Math.max(unit, Math.round(rate / unit) * unit);
}

/**
 * "Sustained": the highest offered rate with ≥ 99 % of the window's readings written by the end of the
 * window plus the contender's grace (so the backlog left is < 1 % of the window: it did not grow). A
 * bisection in log space between `low` and `high`, starting at `first`, at most `steps` steps.
 */
export async function searchSustained(
  run: (rate: number) => Promise<StepResult>,
  options: SearchOptions,
): Promise<{ sustained: number; steps: StepResult[]; bracket: [number, number]; cutShort: boolean }> {
  const steps: StepResult[] = [];
  let good = 0;
  let bad = Number.POSITIVE_INFINITY;
  let rate: number | undefined = options.rates?.[0] ?? options.first;
  let cutShort = false;
  for (let i = 0; rate !== undefined && i < (options.rates?.length ?? options.steps); i++) {
    if (options.outOfTime()) {
      cutShort = true;
      break;
    }
    const step = await run(rate).catch((error: unknown): StepResult => ({
      rate: rate ?? 0,
      offered: 0,
      written: 0,
      ok: false,
      latenciesMs: [],
      cpuUsPerMessage: Number.NaN,
      rssMb: Number.NaN,
      peakRssMb: Number.NaN,
      error: error instanceof Error ? error.message : String(error),
    }));
    steps.push(step);
    options.onStep(step);
    if (step.error !== undefined) break;
    if (step.ok) good = Math.max(good, rate);
    else bad = Math.min(bad, rate);
    if (options.rates !== undefined) {
      rate = options.rates[i + 1];
      continue;
    }
    let next: number;
    if (bad === Number.POSITIVE_INFINITY) {
      if (good >= options.high) break;
      next = Math.min(options.high, good * 2);
    } else if (good === 0) {
      if (bad <= options.low) break;
      next = Math.max(options.low, bad / 2);
    } else {
      if (bad / good < 1.08) break;
      next = Math.sqrt(good * bad);
    }
    next = roundRate(next);
    if (steps.some((s) => s.rate === next)) break;
    rate = next;
  }
  return { sustained: good, steps, bracket: [good, bad], cutShort };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
