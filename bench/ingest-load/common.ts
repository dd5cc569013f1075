// Shared parts of the load benches P5–P7 (docs/performance.md): the result row, the open-loop publisher of
// realistic one-reading gateway messages, the fleet registry, our ingest and API as child processes, and the
// store counts. Every child runs under a parent-death signal and is tracked by a `Children` set
// (bench/first-sight/children.ts) that the caller stops in `finally`.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePayload, type TelemetryBatch, topicFor, type VesselId } from '@qt-led/contract';
import { freePorts, underParentDeathSignal } from '@qt-led/test-harness';
import type { MqttClient } from 'mqtt';
import { inheritedEnv } from '../../test/e2e/support/service-process.js';
import type { Children } from '../first-sight/children.js';
import { sleep } from '../first-sight/probes.js';
import { pollUntil } from '../ingest/process.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** One figure of the P5–P7 table. `pass` is null when there is no pass mark (context, or not measured). */
export interface LoadRow {
  id: 'P5' | 'P6' | 'P7';
  figure: string;
  measured: string;
  goal: string;
  pass: boolean | null;
  /** Why the figure could not be measured (then `measured` says "not measured: …" too). */
  notMeasured?: string;
  raw: Record<string, unknown>;
}

export function notMeasuredRow(id: LoadRow['id'], figure: string, goal: string, why: string): LoadRow {
  return { id, figure, measured: `not measured: ${why}`, goal, pass: null, notMeasured: why, raw: {} };
}

export interface BenchVessel {
  vesselId: VesselId;
  gatewayId: string;
}

/** A registry of `vessels` boats by the repository's generator (the 40 project boats first, then synthetic). */
export async function generateRegistry(vessels: number, outPath: string): Promise<void> {
  const [command, args] = await underParentDeathSignal(process.execPath, [
    '--import',
    'tsx',
    '--conditions=source',
    'packages/fleet-registry/scripts/generate-fleet.ts',
    '--vessels',
    String(vessels),
    '--out',
    outPath,
  ]);
  await new Promise<void>((resolve, reject) => {
    execFile(command, args, { cwd: REPO, timeout: 120_000 }, (error) => {
      if (error === null) resolve();
      else reject(new Error(`generate-fleet: ${error.message}`, { cause: error }));
    });
  });
}

/** The vessels of a registry file with the gateway of their newest version. */
export function registryVessels(path: string): BenchVessel[] {
  const registry = JSON.parse(readFileSync(path, 'utf8')) as {
    vessels: { vesselId: VesselId; versions: { gatewayId: string }[] }[];
  };
  return registry.vessels.map((v) => ({
    vesselId: v.vesselId,
    gatewayId: v.versions.at(-1)?.gatewayId ?? '',
  }));
}

/**
 * A live gateway message of one reading (what a VMS gateway sends every 10 s per stream): LED power and
 * energy register, fuel, a GPS fix. The reading's identity is (vessel, boot, seq); the caller keeps seq unique.
 */
export function telemetryMessage(
  vessel: BenchVessel,
  seq: number,
  atMs: number,
  root: string,
  bootId = 'be0c4a11',
): { topic: string; payload: string } {
  const batch: TelemetryBatch = {
    schema: 'qtled.telemetry/1',
    vesselId: vessel.vesselId,
    gatewayId: vessel.gatewayId as TelemetryBatch['gatewayId'],
    sentAtMs: atMs,
    readings: [reading(vessel, seq, atMs, bootId)],
  };
  return { topic: topicFor('telemetry', vessel.vesselId, root), payload: encodePayload('telemetry', batch) };
}

export function reading(
  vessel: BenchVessel,
  seq: number,
  atMs: number,
  bootId: string,
): TelemetryBatch['readings'][number] {
  return {
    vesselId: vessel.vesselId,
    bootId: bootId as TelemetryBatch['readings'][number]['bootId'],
    seq,
    deviceTimeMs: atMs,
    timeSource: 'gps',
    led: { powerW: 12_000 + (seq % 97), energyKwh: 1_000 + seq * 0.03, lampsOn: 40 },
    fuel: { rateLph: 7.4, totalL: 9_000 + seq * 0.02 },
    position: { fix: '3d', lat: 17.1 + (seq % 100) / 1000, lon: 107.4, speedKn: 0.4, headingDeg: 90 },
  };
}

export interface OpenLoop {
  /** Messages published so far (the readings offered). */
  offered(): number;
  /** Sum of the seq of every reading offered (checked against the store's sum: wrong or missing rows show). */
  seqSum(): number;
  /** Messages that were due by the schedule so far (offered < due: the publisher itself fell behind). */
  due(): number;
  /** Seconds since the start. */
  elapsedS(): number;
  /** Stops publishing (at once, or when `seconds` are over) and ends the clients' sessions cleanly. */
  stop(): Promise<void>;
  /** Resolves when the schedule is over (`seconds` given) or after stop(). */
  readonly finished: Promise<void>;
}

/**
 * Open loop: `rate` messages a second, QoS 1, round robin over `vessels`, never waiting for the consumer.
 * Message i goes to vessel i mod n with seq `seqBase + ⌊i / n⌋`, published by `clients[clientOf(i mod n)]`
 * (one client for all, or one per boat as gateways do).
 */
export function startOpenLoop(options: {
  clients: readonly MqttClient[];
  clientOf: (vesselIndex: number) => number;
  vessels: readonly BenchVessel[];
  rate: number;
  /** Stop by itself after this many seconds (default: until stop()). */
  seconds?: number;
  root: string;
  seqBase: number;
}): OpenLoop {
  const n = options.vessels.length;
  const total = options.seconds === undefined ? Number.POSITIVE_INFINITY : options.rate * options.seconds;
  const started = performance.now();
  const state = { sent: 0, seqSum: 0, due: 0, running: true };
  const finished = (async () => {
    while (state.running && state.sent < total) {
      state.due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * options.rate));
      const now = Date.now();
      // At most 50 ms of messages per turn, so the event loop (acks, polls) keeps turning when behind.
      const limit = Math.min(state.due, state.sent + Math.ceil(options.rate / 20));
      while (state.sent < limit) {
        const i = state.sent;
        const vesselIndex = i % n;
        const seq = options.seqBase + Math.floor(i / n);
        const { topic, payload } = telemetryMessage(
          options.vessels[vesselIndex] as BenchVessel,
          seq,
          now,
          options.root,
        );
        (options.clients[options.clientOf(vesselIndex)] as MqttClient).publish(topic, payload, { qos: 1 });
        state.sent++;
        state.seqSum += seq;
      }
      await sleep(5);
    }
  })();
  return {
    offered: () => state.sent,
    seqSum: () => state.seqSum,
    due: () => state.due,
    elapsedS: () => (performance.now() - started) / 1000,
    async stop() {
      state.running = false;
      await finished;
    },
    finished,
  };
}

/** Messages the clients have handed to the socket but the broker has not acknowledged yet (QoS 1). */
export function unackedPublishes(clients: readonly MqttClient[]): number {
  let total = 0;
  for (const c of clients) total += Object.keys((c as unknown as { outgoing: object }).outgoing).length;
  return total;
}

export interface ServiceChild {
  readonly pid: number;
  readonly url: string;
  readonly dataDir: string;
  exited(): boolean;
  stop(): Promise<void>;
}

/**
 * A service's built entry (`services/<name>/dist/main.js`) as production runs it: its own process,
 * configured by environment only (the calling shell's service variables dropped), ready once `readyPath`
 * answers 200. stdout is dropped, stderr goes to `<dataDir>/stderr.log`.
 */
export async function startServiceChild(
  children: Children,
  options: {
    label: string;
    entry: string;
    port: number;
    readyPath: string;
    env: NodeJS.ProcessEnv;
    dataDir: string;
    readyTimeoutMs?: number;
    /** Options of the node process, before the entry (any, `--prof` too, unlike NODE_OPTIONS). */
    nodeArgs?: readonly string[];
  },
): Promise<ServiceChild> {
  mkdirSync(options.dataDir, { recursive: true });
  const args = [...(options.nodeArgs ?? []), options.entry];
  const child = await children.spawn(options.label, process.execPath, args, {
    cwd: REPO,
    env: { ...inheritedEnv(), ...options.env, DATA_DIR: options.dataDir },
    stdio: 'pipe',
    graceMs: 15_000,
  });
  const tail: string[] = [];
  child.stdout?.resume();
  child.stderr?.on('data', (chunk: Buffer) => {
    tail.push(chunk.toString());
    if (tail.length > 20) tail.shift();
  });
  const url = `http://127.0.0.1:${options.port}`;
  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const deadline = performance.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (exited()) throw new Error(`${options.label} exited during start-up:\n${tail.join('')}`);
    const ready = await fetch(`${url}${options.readyPath}`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (performance.now() > deadline) {
      await children.stop(child);
      throw new Error(
        `${options.label} not ready within ${options.readyTimeoutMs ?? 120_000} ms:\n${tail.join('')}`,
      );
    }
    await sleep(200);
  }
  return {
    pid: child.pid ?? 0,
    url,
    dataDir: options.dataDir,
    exited,
    stop: () => children.stop(child),
  };
}

/** Our ingest (services/ingest/dist/main.js) on a broker and an InfluxDB database, with `registryPath`. */
export async function startIngestChild(
  children: Children,
  options: {
    label: string;
    mqttUrl: string;
    topicRoot: string;
    influxUrl: string;
    database: string;
    registryPath: string;
    env?: NodeJS.ProcessEnv;
  },
): Promise<ServiceChild & { metric(name: string): Promise<number> }> {
  const port = (await freePorts(1))[0] as number;
  const dataDir = mkdtempSync(join(tmpdir(), `qtled-load-${options.label}-`));
  const service = await startServiceChild(children, {
    label: options.label,
    entry: 'services/ingest/dist/main.js',
    port,
    readyPath: '/readyz',
    dataDir,
    env: {
      LOG_LEVEL: 'error',
      MQTT_URL: options.mqttUrl,
      MQTT_TOPIC_ROOT: options.topicRoot,
      INFLUX_URL: options.influxUrl,
      INFLUX_DATABASE: options.database,
      INGEST_CLIENT_ID: `bench-${options.label}`,
      INGEST_HTTP_PORT: String(port),
      INGEST_HTTP_HOST: '127.0.0.1',
      INGEST_GAP_SCAN_INTERVAL_S: '0',
      FLEET_REGISTRY_PATH: options.registryPath,
      ...options.env,
    },
  });
  return {
    ...service,
    async stop() {
      await service.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    metric: (name) => metric(`${service.url}/metrics`, name),
  };
}

/** A Prometheus counter or gauge, summed over its labels. */
export async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).text();
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] === name) total += Number(match[2]);
  }
  return total;
}

/** `count(seq)` and `sum(seq)` of the telemetry measurement: points stored (one per reading identity). */
export async function influxCounts(
  influxUrl: string,
  database: string,
): Promise<{ count: number; seqSum: number }> {
  const q = encodeURIComponent('SELECT count(seq), sum(seq) FROM telemetry');
  const answer = (await (
    await fetch(`${influxUrl}/query?db=${database}&q=${q}`, { signal: AbortSignal.timeout(120_000) })
  ).json()) as { results: { series?: { values: [string, number, number][] }[]; error?: string }[] };
  const error = answer.results[0]?.error;
  if (error !== undefined) throw new Error(`InfluxDB: ${error}`);
  const row = answer.results[0]?.series?.[0]?.values[0];
  return { count: row?.[1] ?? 0, seqSum: row?.[2] ?? 0 };
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Resolves when `predicate` holds, false after `timeoutMs` (the ingest bench's poll, every 250 ms here). */
export const until = (
  predicate: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 250,
): Promise<boolean> => pollUntil(predicate, timeoutMs, intervalMs);
