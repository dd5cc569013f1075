// P6 (docs/performance.md): the API answers under the ingest load.
//
// A real Mosquitto and InfluxDB of its own, our ingest (services/ingest/dist/main.js) and the API
// (services/api/dist/main.js, the compose process: store "reader", registry from FLEET_REGISTRY_PATH, and as
// compose starts it the live readings from the broker, MQTT_URL and API_MQTT_CLIENT_ID) on the same database
// and registry; P6_API_NODE_OPTIONS (e.g. `--max-old-space-size=2048 --prof`, split at spaces) are node
// options of the API process, given before its entry (so any option works, not only NODE_OPTIONS ones). First one boat's last 24 h (a reading a minute, `history` batches through MQTT
// and ingest, as a gateway back in coverage sends them); then the open-loop publisher offers `rate`
// one-reading messages a second round robin over the whole registry, and autocannon (its programmatic API,
// `connections` connections for `durationS` each, one route after the other) asks, as an analyst user:
//   - one boat's latest state      GET /api/v1/vessels/:id
//   - its 24 h series              GET /api/v1/vessels/:id/series?from=…&to=…
//   - the fleet overview           GET /api/v1/vessels (every boat of the registry)
//   - the fleet-month JCM report   GET /api/v1/emissions?from=<1st of last month>&to=<1st of this month>
// The report is also timed once on its own before autocannon (the first request computes it; later ones
// may come from the API's cache: both are shown). Each first request is shown with the InfluxDB `/query`
// requests it took (httpd `queryReq` of SHOW STATS before and after it). Ingest's written-vs-offered during the run says whether
// it kept up with `rate` while the API was asked.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePayload, localDateOf, type TelemetryBatch, topicFor } from '@qt-led/contract';
import {
  claimFirstAdmin,
  fetchPost,
  freePorts,
  influxAdmin,
  startDedicatedInflux,
  startDedicatedMosquitto,
} from '@qt-led/test-harness';
import autocannon from 'autocannon';
import mqtt from 'mqtt';
import { createChildren, processStats } from '../first-sight/children.js';
import { timedRequest, userWithRole } from '../first-sight/probes.js';
import {
  type BenchVessel,
  fmt,
  generateRegistry,
  type LoadRow,
  reading,
  registryVessels,
  startIngestChild,
  startOpenLoop,
  startServiceChild,
  until,
} from './common.js';

export interface ApiLoadOptions {
  /** Offered messages a second while the API is asked. */
  rate: number;
  registryPath?: string;
  vessels?: number;
  /** Seconds of each autocannon run (default 5). */
  durationS?: number;
  /** autocannon connections (default 2). */
  connections?: number;
  /** Seconds of load before the first request (default 5). */
  warmupS?: number;
  /** Bound of the whole step, start-up included (default 300 s). */
  limitS?: number;
  log?: (line: string) => void;
}

const ROOT = 'bench';
const DAY_MS = 86_400_000;
const HISTORY_BOOT = 'a15e0001';
const FIRST_TIMEOUT_MS = 30_000;

/** What the bench reads of an answer: the report's cache flag, or the API's error. */
interface FirstBody {
  fromCache?: boolean;
  error?: { code?: string; message?: string };
}

interface Target {
  key: 'latest' | 'series' | 'overview' | 'fleetMonth';
  figure: string;
  goal: string;
  p99GoalMs: number;
  path: string;
}

export async function runApiLoad(options: ApiLoadOptions): Promise<LoadRow[]> {
  const durationS = options.durationS ?? 5;
  const connections = options.connections ?? 2;
  const warmupS = options.warmupS ?? 5;
  const limitMs = (options.limitS ?? 300) * 1000;
  const log = options.log ?? ((line: string) => console.log(line));
  const rate = options.rate;
  const startedAt = performance.now();
  const left = (): number => limitMs - (performance.now() - startedAt);

  const children = createChildren();
  const tmp = mkdtempSync(join(tmpdir(), 'qtled-p6-'));
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    const registryPath = options.registryPath ?? join(tmp, 'fleet.json');
    if (options.registryPath === undefined) await generateRegistry(options.vessels ?? 30_000, registryPath);
    const vessels = registryVessels(registryPath);
    const boat = vessels[0] as BenchVessel;

    const broker = await startDedicatedMosquitto();
    cleanup.push(() => broker.stop());
    const influx = await startDedicatedInflux();
    cleanup.push(() => influx.stop());
    const influxAdminClient = influxAdmin(influx.info);
    await influxAdminClient.createDatabase('p6');
    // The `/query` requests InfluxDB has served (its own SHOW STATS is one of them).
    const queryRequests = async (): Promise<number> => {
      const series = await influxAdminClient.query('p6', `SHOW STATS FOR 'httpd'`).catch(() => []);
      const httpd = series[0];
      const at = httpd?.columns.indexOf('queryReq') ?? -1;
      return at < 0 ? Number.NaN : Number(httpd?.values[0]?.[at]);
    };
    const apiNodeOptions = process.env['P6_API_NODE_OPTIONS'];
    const ingest = await startIngestChild(children, {
      label: 'p6-ingest',
      mqttUrl: broker.info.url,
      topicRoot: ROOT,
      influxUrl: influx.info.url,
      database: 'p6',
      registryPath,
    });
    cleanup.push(() => ingest.stop());
    const apiPort = (await freePorts(1))[0] as number;
    const api = await startServiceChild(children, {
      label: 'p6-api',
      entry: 'services/api/dist/main.js',
      port: apiPort,
      readyPath: '/readyz',
      dataDir: join(tmp, 'api-data'),
      env: {
        LOG_LEVEL: 'error',
        INFLUX_URL: influx.info.url,
        INFLUX_DATABASE: 'p6',
        FLEET_REGISTRY_PATH: registryPath,
        API_HOST: '127.0.0.1',
        API_PORT: String(apiPort),
        // As compose starts it: the readings ingest stored, announced through the broker.
        MQTT_URL: broker.info.url,
        API_MQTT_CLIENT_ID: 'bench-p6-api',
        MQTT_TOPIC_ROOT: ROOT,
      },
      nodeArgs: (apiNodeOptions ?? '').split(/\s+/).filter((a) => a !== ''),
    });
    cleanup.push(() => api.stop());
    const admin = await claimFirstAdmin(fetchPost(api.url), join(api.dataDir, 'initial-admin.json'));
    const token = await userWithRole(api.url, admin.token, 'analyst');

    // One boat's last 24 h, a reading a minute, in batches of 60 as a gateway uploads its queue.
    const publisher = await mqtt.connectAsync(broker.info.url, {
      clientId: 'bench-p6-pub',
      reconnectPeriod: 0,
    });
    cleanup.push(() => publisher.endAsync(true));
    const nowMs = Date.now();
    const historyFrom = nowMs - DAY_MS;
    const history = 1440;
    for (let b = 0; b < history / 60; b++) {
      const batch: TelemetryBatch = {
        schema: 'qtled.telemetry/1',
        vesselId: boat.vesselId,
        gatewayId: boat.gatewayId as TelemetryBatch['gatewayId'],
        sentAtMs: Date.now(),
        readings: Array.from({ length: 60 }, (_, i) =>
          reading(boat, b * 60 + i, historyFrom + (b * 60 + i) * 60_000, HISTORY_BOOT),
        ),
      };
      await publisher.publishAsync(
        topicFor('telemetry', boat.vesselId, ROOT),
        encodePayload('telemetry', batch),
        {
          qos: 1,
        },
      );
    }
    const seeded = await until(
      async () => (await ingest.metric('qtled_ingest_points_written_total')) >= history,
      Math.min(60_000, left()),
    );
    if (!seeded) throw new Error(`the boat's 24 h history (${history} readings) was not written within 60 s`);

    const writtenBefore = await ingest.metric('qtled_ingest_points_written_total');
    const cpu0 = processStats(ingest.pid, 100);
    const load = startOpenLoop({
      clients: [publisher],
      clientOf: () => 0,
      vessels,
      rate,
      root: ROOT,
      seqBase: 10_000,
    });
    cleanup.push(() => load.stop());
    await until(() => false, warmupS * 1000, 500);

    const today = localDateOf(Date.now());
    const [y, m] = today.split('-').map(Number) as [number, number];
    const monthStart = (monthIndex: number): string =>
      new Date(Date.UTC(y, monthIndex, 1)).toISOString().slice(0, 10);
    const lastMonth = { from: monthStart(m - 2), to: monthStart(m - 1) };
    const seriesFrom = new Date(nowMs - DAY_MS).toISOString();
    const seriesTo = new Date(nowMs).toISOString();
    const targets: Target[] = [
      {
        key: 'latest',
        figure: "one boat's latest state (GET /api/v1/vessels/:id)",
        goal: 'p99 ≤ 50 ms',
        p99GoalMs: 50,
        path: `/api/v1/vessels/${boat.vesselId}`,
      },
      {
        key: 'series',
        figure: `24 h series of one boat (GET …/series, ${history} readings)`,
        goal: 'p99 ≤ 200 ms',
        p99GoalMs: 200,
        path: `/api/v1/vessels/${boat.vesselId}/series?from=${encodeURIComponent(seriesFrom)}&to=${encodeURIComponent(seriesTo)}`,
      },
      {
        key: 'fleetMonth',
        figure: `fleet-month JCM report ${lastMonth.from} … ${lastMonth.to} (GET /api/v1/emissions)`,
        goal: '≤ 1 s',
        p99GoalMs: 1000,
        path: `/api/v1/emissions?from=${lastMonth.from}&to=${lastMonth.to}`,
      },
      {
        key: 'overview',
        figure: `fleet overview of ${fmt(vessels.length)} boats (GET /api/v1/vessels)`,
        goal: 'p99 ≤ 1 s',
        p99GoalMs: 1000,
        path: '/api/v1/vessels',
      },
    ];

    const rows: LoadRow[] = [];
    const loadLabel = `while ${fmt(rate)} msg/s are offered`;
    for (const target of targets) {
      if (left() < (durationS + 15) * 1000) {
        rows.push({
          id: 'P6',
          figure: target.figure,
          goal: target.goal,
          measured: `not measured: the step's ${fmt(limitMs / 1000)} s limit came first`,
          notMeasured: `the step's ${fmt(limitMs / 1000)} s limit came first`,
          pass: null,
          raw: {},
        });
        continue;
      }
      // The first request on its own: for the report, the one that computes it. One that times out proves
      // the goal missed, and autocannon would only pile more of them onto the API: the target ends there.
      const queriesBefore = await queryRequests();
      const first: { ms: number; status: number; body: FirstBody } = await timedRequest<FirstBody>(
        `${api.url}${target.path}`,
        { token, timeoutMs: FIRST_TIMEOUT_MS },
      ).catch((error: unknown) => ({
        ms: Number.NaN,
        status: 0,
        body: { error: { message: String(error) } },
      }));
      const firstQueries = (await queryRequests()) - queriesBefore - 1;
      if (first.status === 0) {
        const why = first.body.error?.message ?? '';
        log(
          `  P6 ${target.key} ${loadLabel}: first request failed: ${why} (${fmt(firstQueries)} InfluxDB queries meanwhile)`,
        );
        rows.push({
          id: 'P6',
          figure: `${target.figure} ${loadLabel}`,
          goal: target.goal,
          measured: /timeout/i.test(why)
            ? `> ${FIRST_TIMEOUT_MS / 1000} s: the first request had no answer within ${FIRST_TIMEOUT_MS / 1000} s`
            : `the first request failed: ${why.slice(0, 160)}`,
          pass: false,
          raw: { path: target.path, first: { error: why, influxQueries: firstQueries } },
        });
        continue;
      }
      const result = await autocannon({
        url: `${api.url}${target.path}`,
        connections,
        duration: durationS,
        timeout: 10,
        headers: { authorization: `Bearer ${token}` },
      });
      const ok =
        result.non2xx === 0 && result.errors === 0 && result.timeouts === 0 && result.requests.total > 0;
      // No request finished within the run: each took longer than it (the p99 too).
      const p99 = result.requests.total === 0 ? Number.POSITIVE_INFINITY : result.latency.p99;
      const detail =
        (result.requests.total === 0
          ? `no request finished within the ${durationS} s run (p99 > ${durationS} s), `
          : `p50 ${result.latency.p50} ms, p99 ${p99} ms, ${result.requests.average.toFixed(1)} req/s `) +
        `(${result.requests.total} requests, ${connections} connections, ${durationS} s` +
        (ok ? '' : `; ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`) +
        `); first request ${first.ms.toFixed(0)} ms HTTP ${first.status}, ${fmt(firstQueries)} InfluxDB queries` +
        (target.key === 'fleetMonth' ? `, fromCache ${String(first.body.fromCache)}` : '');
      log(`  P6 ${target.key} ${loadLabel}: ${detail}`);
      const refused =
        first.status !== 200
          ? `HTTP ${first.status} ${first.body.error?.code ?? ''} ${first.body.error?.message ?? ''}`.trim()
          : undefined;
      const raw = {
        path: target.path,
        first: {
          ms: first.ms,
          status: first.status,
          fromCache: first.body.fromCache,
          influxQueries: firstQueries,
        },
        latency: result.latency,
        requests: result.requests,
        throughput: result.throughput,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        connections,
        durationS,
      };
      if (refused !== undefined) {
        rows.push({
          id: 'P6',
          figure: `${target.figure} ${loadLabel}`,
          goal: target.goal,
          measured: `not measured: the API answered ${refused.slice(0, 160)} (${detail})`,
          notMeasured: `the API answered ${refused.slice(0, 160)}`,
          pass: null,
          raw,
        });
        continue;
      }
      // The report's goal is for the report computed (the first request) and for every one under load.
      const measuredMs = target.key === 'fleetMonth' ? Math.max(first.ms, p99) : p99;
      rows.push({
        id: 'P6',
        figure: `${target.figure} ${loadLabel}`,
        goal: target.goal,
        measured: detail,
        pass: ok && measuredMs <= target.p99GoalMs,
        raw,
      });
    }

    const offered = load.offered();
    const elapsedS = load.elapsedS();
    await load.stop();
    const within = (await ingest.metric('qtled_ingest_points_written_total')) - writtenBefore;
    const cpu1 = processStats(ingest.pid, 100);
    rows.push({
      id: 'P6',
      figure: `the load during the requests: ingest written / offered (${fmt(vessels.length)} vessels)`,
      goal: '≥ 99 % of offered written (the rate is sustained)',
      measured: `${fmt(within)} / ${fmt(offered)} = ${((within / offered) * 100).toFixed(1)} % over ${elapsedS.toFixed(0)} s (${fmt(offered / elapsedS)} msg/s achieved by the publisher)`,
      pass: within >= 0.99 * offered,
      raw: {
        rate,
        offered,
        written: within,
        elapsedS,
        achievedRate: offered / elapsedS,
        ingestCpuUsPerMessage: ((cpu1.cpuS - cpu0.cpuS) / offered) * 1e6,
        ingestRssMb: cpu1.rssMb,
        apiRssMb: processStats(api.pid, 100).rssMb,
      },
    });
    return rows;
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    await children.stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}
