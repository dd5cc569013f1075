#!/usr/bin/env node
// The one-command platform (`npm start`): every module in this process, the history loading shown, where to
// go printed, a clean stop on SIGINT/SIGTERM.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProgressDisplay } from '@qt-led/gateway';
import { type Logger, runProcess } from '@qt-led/runtime';
import { type PlatformConfig, platformEnvSchema } from './config.js';
import { BROKER_GATEWAY_LOGINS_FILE, BROKER_PLATFORM_LOGIN_FILE } from './broker-logins.js';
import { platformOptionsFrom } from './options.js';
import { type Platform, startPlatform } from './platform.js';

const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** API_DASHBOARD_DIR, else the repository's built dashboard (`npm run build` makes it). */
function dashboardDir(config: Pick<PlatformConfig, 'API_DASHBOARD_DIR'>, logger: Logger): string | undefined {
  if (config.API_DASHBOARD_DIR !== undefined) return resolve(config.API_DASHBOARD_DIR);
  const built = fileURLToPath(new URL('../../../dashboard/dist', import.meta.url));
  if (existsSync(join(built, 'index.html'))) return built;
  logger.warn({ looked: built }, 'the dashboard is not built (npm run build): serving the API only');
  return undefined;
}

async function showProgress(platform: Platform, startedMs: number, logger: Logger): Promise<void> {
  const initial = platform.progress();
  if (initial.phase === 'live') return;
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
  const seconds = (performance.now() - startedMs) / 1000;
  const p = platform.progress();
  say(
    `\n${platform.loadingHistory ? 'History loaded' : 'Caught up'} in ${seconds.toFixed(0)} s: ${p.acked} readings stored and acknowledged, ${p.pending} still on boats out of coverage. Live now.`,
  );
  logger.info({ seconds, ...p }, 'caught up; live');
}

await runProcess({
  name: 'platform',
  envSchema: platformEnvSchema,
  stoppingMessage: 'stopping — gateways keep what is not yet stored, ingest writes what is in flight',
  async run(config, logger) {
    const started = performance.now();
    const platform = await startPlatform(
      platformOptionsFrom(config, { logger, dashboardDir: dashboardDir(config, logger) }),
    );
    say('');
    say(`  Platform: ${platform.url}`);
    say(
      existsSync(platform.adminCredentialsPath)
        ? `  First admin login: ${platform.adminCredentialsPath} (one-time: log in, choose your own password)`
        : `  Logins: the users an admin created (the first admin's one-time file was deleted)`,
    );
    say(`  MQTT broker: ${platform.brokerUrl}`);
    if (config.MQTT_URL === undefined) {
      say(
        `  Broker logins (every client logs in): ${resolve(config.DATA_DIR, BROKER_GATEWAY_LOGINS_FILE)} (gateways, --credentials), ${resolve(config.DATA_DIR, BROKER_PLATFORM_LOGIN_FILE)} (the platform's)`,
      );
    }
    say('');
    void showProgress(platform, started, logger)
      .then(() =>
        say(`Open ${platform.url}  (Ctrl-C stops the platform; the next start continues from here)`),
      )
      .catch((err: unknown) => logger.error({ err }, 'the simulated fleet failed'));
    return platform;
  },
});
