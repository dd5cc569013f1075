// P7 (docs/performance.md): the embedded default (aedes + SQLite) carries the 40-boat project many times over.
//
// `node services/platform/dist/main.js` as `npm start` runs it (bench/first-sight/children.ts), with
// FLEET_SIMULATION=false (no simulated boats), a fresh DATA_DIR and free loopback ports. The 40 registry
// boats' gateways connect from this process as gateways outside the platform would: each its own MQTT
// connection, client id its gateway id, with its login from DATA_DIR/embedded-broker-gateways.json (the
// embedded broker admits logged-in clients only, each gateway to its own topics). They offer rising open-loop
// rates (`rates`, messages a second over the fleet, one live reading each, as a gateway in live mode
// uploads) for `windowS` each; written = rows of the platform's SQLite file (read-only,
// better-sqlite3, as the store's own reader opens it) one second after the window. A step holds when ≥ 99 % of what it offered
// was written by then; the rest drains before the next step (at most `drainLimitS`). The run stops at the
// first step that does not hold.
//
// The project's real rate: in live mode each of the 40 boats samples and uploads every minute (the
// platform's README), 40 one-reading messages a minute = 0.67 msg/s.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PACKAGED_FLEET_REGISTRY_URL } from '@qt-led/fleet-registry';
import { BROKER_GATEWAY_LOGINS_FILE } from '@qt-led/platform';
import { freePorts } from '@qt-led/test-harness';
import mqtt, { type MqttClient } from 'mqtt';
import { createChildren, processStats, startPlatformProcess } from '../first-sight/children.js';
import { sleep } from '../first-sight/probes.js';
import { fmt, type LoadRow, REPO, registryVessels, startOpenLoop, until } from './common.js';

export interface EmbeddedOptions {
  /** Offered messages a second, rising (default 500, 1,000, 2,000, 3,000, 4,000, 6,000). */
  rates?: readonly number[];
  windowS?: number;
  drainLimitS?: number;
  log?: (line: string) => void;
}

/** 40 boats, one one-reading upload a minute each (live mode). */
export const PROJECT_REAL_RATE_MSG_PER_S = 40 / 60;

export async function runEmbedded(options: EmbeddedOptions = {}): Promise<LoadRow[]> {
  const rates = options.rates ?? [500, 1_000, 2_000, 3_000, 4_000, 6_000];
  const windowS = options.windowS ?? 10;
  const drainLimitS = options.drainLimitS ?? 30;
  const log = options.log ?? ((line: string) => console.log(line));

  const children = createChildren();
  const dataDir = mkdtempSync(join(tmpdir(), 'qtled-p7-'));
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir);
  const clients: MqttClient[] = [];
  let db: Database.Database | undefined;
  try {
    const [apiPort, brokerPort] = (await freePorts(2)) as [number, number];
    const platform = await startPlatformProcess(children, {
      repo: REPO,
      label: 'p7-platform',
      dataDir: join(dataDir, 'data'),
      logDir,
      apiPort,
      brokerPort,
      env: { FLEET_SIMULATION: 'false', LOG_LEVEL: 'warn' },
    });
    const loginsPath = join(platform.dataDir, BROKER_GATEWAY_LOGINS_FILE);
    const up = await until(
      async () =>
        platform.exited() ||
        (platform.brokerUrl() !== undefined &&
          existsSync(loginsPath) &&
          (await fetch(`${platform.url}/readyz`).then(
            (r) => r.status === 200,
            () => false,
          ))),
      120_000,
    );
    if (!up || platform.exited()) throw new Error(`the platform did not come up:\n${platform.stderrTail()}`);
    const logins = JSON.parse(readFileSync(loginsPath, 'utf8')) as Record<
      string,
      { username: string; password: string }
    >;
    const vessels = registryVessels(new URL(PACKAGED_FLEET_REGISTRY_URL).pathname).filter(
      (v) => logins[v.vesselId] !== undefined,
    );
    if (vessels.length === 0)
      throw new Error(`no gateway logins for the packaged registry's boats in ${loginsPath}`);
    for (const vessel of vessels) {
      const login = logins[vessel.vesselId] as { username: string; password: string };
      clients.push(
        await mqtt.connectAsync(platform.brokerUrl() as string, {
          clientId: vessel.gatewayId,
          reconnectPeriod: 0,
          connectTimeout: 10_000,
          ...login,
        }),
      );
    }
    const dbPath = join(platform.dataDir, 'telemetry.sqlite');
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const count = db.prepare('SELECT count(*) AS n FROM readings');
    const stored = (): number => (count.get() as { n: number }).n;
    const root = 'qtled';
    log(
      `  P7: platform up (pid ${platform.pid}), ${vessels.length} gateways connected to ${platform.brokerUrl()}`,
    );

    const steps: {
      rate: number;
      offered: number;
      achievedRate: number;
      within: number;
      ok: boolean;
      drainedS: number | null;
      cpuUsPerMessage: number;
      rssMb: number;
    }[] = [];
    let seqBase = 0;
    let offeredSoFar = 0;
    const base = stored();
    for (const rate of rates) {
      const before = stored();
      const cpu0 = processStats(platform.pid, 100);
      const load = startOpenLoop({
        clients,
        clientOf: (i) => i,
        vessels,
        rate,
        seconds: windowS,
        root,
        seqBase,
      });
      await load.finished;
      const elapsed = load.elapsedS();
      await sleep(1_000);
      const within = stored() - before;
      const offered = load.offered();
      const cpu1 = processStats(platform.pid, 100);
      offeredSoFar += offered;
      seqBase += Math.ceil(offered / vessels.length) + 1;
      const drainStart = performance.now();
      const drained = await until(() => stored() - base >= offeredSoFar, drainLimitS * 1000, 100);
      const step = {
        rate,
        offered,
        achievedRate: offered / elapsed,
        within,
        ok: within >= 0.99 * offered,
        drainedS: drained ? (performance.now() - drainStart) / 1000 : null,
        cpuUsPerMessage: ((cpu1.cpuS - cpu0.cpuS) / offered) * 1e6,
        rssMb: cpu1.rssMb,
      };
      steps.push(step);
      log(
        `  P7 at ${fmt(rate)} msg/s: ${fmt(within)}/${fmt(offered)} written within the window ${step.ok ? '✓' : '✗'}` +
          ` (publisher ${fmt(step.achievedRate)}/s), platform CPU ${step.cpuUsPerMessage.toFixed(0)} µs/msg, RSS ${step.rssMb.toFixed(0)} MB` +
          (drained ? '' : `; not drained within ${drainLimitS} s`),
      );
      if (!step.ok || !drained) break;
    }
    const sustained = Math.max(0, ...steps.filter((s) => s.ok).map((s) => s.rate));
    const firstFailed = steps.find((s) => !s.ok);
    const capped = firstFailed === undefined;
    const raw = {
      rates,
      windowS,
      vessels: vessels.length,
      steps,
      realRateMsgPerS: PROJECT_REAL_RATE_MSG_PER_S,
    };
    const limitNote = capped
      ? ` (every rate tried held: a lower bound)`
      : ` (${fmt(firstFailed.rate)} msg/s: ${fmt(firstFailed.within)}/${fmt(firstFailed.offered)} within the window)`;
    return [
      {
        id: 'P7',
        figure: `embedded default (aedes + SQLite) sustained, ${vessels.length} boats, one reading a message`,
        goal: '≥ 2,000 msg/s',
        measured: `${fmt(sustained)} msg/s${limitNote}`,
        pass: sustained >= 2_000,
        raw,
      },
      {
        id: 'P7',
        figure: `sustained / the 40-boat project's real rate (${PROJECT_REAL_RATE_MSG_PER_S.toFixed(2)} msg/s)`,
        goal: '≥ 100×',
        measured: `${fmt(sustained / PROJECT_REAL_RATE_MSG_PER_S)}×`,
        pass: sustained / PROJECT_REAL_RATE_MSG_PER_S >= 100,
        raw,
      },
    ];
  } finally {
    db?.close();
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await children.stopAll();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
