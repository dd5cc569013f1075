#!/usr/bin/env node
// The one-command platform (`npm start`): reads the environment, starts everything in this process, shows
// the history loading, prints where to go, and stops cleanly on SIGINT/SIGTERM.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProgressDisplay } from '@qt-led/gateway';
import { ingestTuningFrom } from '@qt-led/ingest';
import { ConfigError, createLogger, loadConfig } from '@qt-led/runtime';
import { z } from 'zod';
import { platformEnvSchema } from './config.js';
import { type Platform, startPlatform } from './platform.js';

const config = (() => {
  try {
    return loadConfig('platform', platformEnvSchema, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
})();
const logger = createLogger({ name: 'platform', level: config.LOG_LEVEL });
const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const GatewayCredentials = z.record(
  z.string(),
  z.object({ username: z.string().min(1), password: z.string().min(1) }),
);

function readCredentials(path: string): z.infer<typeof GatewayCredentials> {
  const parsed = GatewayCredentials.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(`FLEET_SIM_CREDENTIALS_PATH ${path}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** API_DASHBOARD_DIR, else the repository's built dashboard (`npm run build` makes it). */
function dashboardDir(): string | undefined {
  if (config.API_DASHBOARD_DIR !== undefined) return resolve(config.API_DASHBOARD_DIR);
  const built = fileURLToPath(new URL('../../../dashboard/dist', import.meta.url));
  if (existsSync(join(built, 'index.html'))) return built;
  logger.warn({ looked: built }, 'the dashboard is not built (npm run build): serving the API only');
  return undefined;
}

async function main(): Promise<void> {
  const dataDir = resolve(config.DATA_DIR);
  const started = performance.now();
  const platform: Platform = await startPlatform({
    dataDir,
    http: { host: config.API_HOST, port: config.API_PORT },
    dashboardDir: dashboardDir(),
    api: {
      sessionTtlMs: config.API_SESSION_TTL_H * 3_600_000,
      loginRateLimitPerMin: config.API_LOGIN_RATE_LIMIT_PER_MIN,
      trustProxy: config.API_TRUST_PROXY,
      ...(config.API_AUTH_DB_PATH === undefined ? {} : { authDbPath: resolve(config.API_AUTH_DB_PATH) }),
    },
    alarmDbPath: config.ALARM_DB_PATH,
    broker:
      config.MQTT_URL === undefined
        ? undefined
        : { url: config.MQTT_URL, username: config.MQTT_USERNAME, password: config.MQTT_PASSWORD },
    embeddedBroker: {
      host: config.PLATFORM_BROKER_HOST,
      port: config.PLATFORM_BROKER_PORT,
      fallbackToFreePort: true,
    },
    influx:
      config.INFLUX_URL === undefined
        ? undefined
        : {
            url: config.INFLUX_URL,
            database: config.INFLUX_DATABASE,
            token: config.INFLUX_TOKEN,
            username: config.INFLUX_USERNAME,
            password: config.INFLUX_PASSWORD,
            minRetentionDays: config.INGEST_MAX_BACKLOG_DAYS,
            allowShortRetention: config.INGEST_ALLOW_SHORT_RETENTION,
          },
    topicRoot: config.MQTT_TOPIC_ROOT,
    registryPath: config.FLEET_REGISTRY_PATH,
    fleet: config.FLEET_SIMULATION
      ? {
          vessels: config.FLEET_SIM_VESSELS,
          historyDays: config.FLEET_SIM_HISTORY_DAYS,
          seed: config.FLEET_SIM_SEED,
          faults: config.FLEET_SIM_FAULTS,
          ...(config.FLEET_SIM_CREDENTIALS_PATH === undefined
            ? {}
            : { credentials: readCredentials(config.FLEET_SIM_CREDENTIALS_PATH) }),
        }
      : false,
    speed: config.PLATFORM_SPEED,
    ingest: ingestTuningFrom(config),
    logger,
  });

  say('');
  say(`  Platform: ${platform.url}`);
  say(
    existsSync(platform.adminCredentialsPath)
      ? `  First admin login: ${platform.adminCredentialsPath} (one-time: log in, then delete the file)`
      : `  Logins: the users an admin created (the first admin's one-time file was deleted)`,
  );
  say(`  MQTT broker: ${platform.brokerUrl}`);
  say('');

  let stoppingSince: number | undefined;
  const stop = (signal: string): void => {
    if (stoppingSince !== undefined) {
      // npm forwards the terminal's Ctrl-C to the child, which gets it from the terminal too: only a
      // second Ctrl-C given on purpose, a moment later, quits without the clean stop.
      if (performance.now() - stoppingSince < 2_000) return;
      say('quitting at once: what is in flight stays with the gateways, which resend it next time');
      process.exit(130);
    }
    stoppingSince = performance.now();
    say(`\n${signal}: stopping — gateways keep what is not yet stored, ingest writes what is in flight`);
    platform.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.fatal({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const initial = platform.progress();
  if (initial.phase !== 'live') {
    say(
      platform.loadingHistory
        ? `Loading the fleet's history through the pipeline (simulator → MQTT → ingest → store) …`
        : `Catching up the time the platform was stopped …`,
    );
    const display = createProgressDisplay(process.stderr, false);
    const timer = setInterval(() => display.update(platform.progress()), 250);
    try {
      await platform.caughtUp;
    } finally {
      clearInterval(timer);
      display.update(platform.progress());
      display.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const p = platform.progress();
    say(
      `\n${platform.loadingHistory ? 'History loaded' : 'Caught up'} in ${seconds.toFixed(0)} s: ${p.acked} readings stored and acknowledged, ${p.pending} still on boats out of coverage. Live now.`,
    );
    logger.info({ seconds, ...p }, 'caught up; live');
  }
  say(`Open ${platform.url}  (Ctrl-C stops the platform; the next start continues from here)`);
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'platform failed to start');
  say(`platform: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
