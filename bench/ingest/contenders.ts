// The contenders of the ingest bench, each a child process started anew for every measured step on a fresh
// topic root (see bench/README.md), and the way to tell it is ready.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '@qt-led/test-harness';
import type { Fleet } from './fleet.js';
import { writeNodeRedFlow } from './node-red.js';
import { type Child, pollUntil, repoRoot, spawnChild } from './process.js';

export interface Target {
  brokerUrl: string;
  influxUrl: string;
  database: string;
  root: string;
  fleet: Fleet;
  /** A fresh directory of this step's own (data, logs). */
  dir: string;
}

export interface ContenderSpec {
  id: 'ours' | 'naive' | 'telegraf' | 'nodered';
  label: string;
  /** Extra time after the window before counting (a contender that flushes every 10 s needs it). */
  graceMs: number;
  start(target: Target): Promise<Child>;
}

const tsxChild = (script: string, target: Target, name: string): Promise<Child> =>
  spawnChild(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', join(repoRoot, 'bench/ingest', script)],
    {
      logPath: join(target.dir, `${name}.log`),
      env: {
        ...process.env,
        MQTT_URL: target.brokerUrl,
        MQTT_TOPIC_ROOT: target.root,
        INFLUX_URL: target.influxUrl,
        INFLUX_DATABASE: target.database,
      },
    },
  );

async function readyByLog(child: Child, logPath: string, pattern: RegExp, what: string): Promise<Child> {
  const ready = await pollUntil(
    () => {
      if (child.exited()) return true;
      try {
        return pattern.test(readFileSync(logPath, 'utf8'));
      } catch {
        return false;
      }
    },
    60_000,
    100,
  );
  if (child.exited() || !ready) {
    await child.stop(1_000);
    throw new Error(`${what} did not become ready within 60 s (log: ${logPath})`);
  }
  return child;
}

export const ours: ContenderSpec = {
  id: 'ours',
  label: 'ours (services/ingest)',
  graceMs: 2_000,
  async start(target) {
    const port = (await freePorts(1))[0] as number;
    const child = await spawnChild(process.execPath, [join(repoRoot, 'services/ingest/dist/main.js')], {
      logPath: join(target.dir, 'ingest.log'),
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        MQTT_URL: target.brokerUrl,
        MQTT_TOPIC_ROOT: target.root,
        INFLUX_URL: target.influxUrl,
        INFLUX_DATABASE: target.database,
        DATA_DIR: join(target.dir, 'data'),
        INGEST_CLIENT_ID: `bench-${target.root}`,
        INGEST_HTTP_PORT: String(port),
        INGEST_HTTP_HOST: '127.0.0.1',
        INGEST_GAP_SCAN_INTERVAL_S: '0',
        FLEET_REGISTRY_PATH: target.fleet.registryPath,
      },
    });
    const ready = await pollUntil(
      async () =>
        child.exited() ||
        (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200,
      60_000,
      100,
    );
    if (child.exited() || !ready) {
      await child.stop(1_000);
      throw new Error(`ingest did not become ready within 60 s (log: ${join(target.dir, 'ingest.log')})`);
    }
    return child;
  },
};

export const naive: ContenderSpec = {
  id: 'naive',
  label: 'naive one-write-per-message',
  graceMs: 2_000,
  async start(target) {
    const child = await tsxChild('naive-contender.ts', target, 'naive');
    return readyByLog(child, join(target.dir, 'naive.log'), /^ready$/m, 'the naive contender');
  },
};

export const telegraf: ContenderSpec = {
  id: 'telegraf',
  label: 'Telegraf-defaults stand-in (10 s flush)',
  graceMs: 12_000,
  async start(target) {
    const child = await tsxChild('telegraf-standin.ts', target, 'telegraf');
    return readyByLog(child, join(target.dir, 'telegraf.log'), /^ready$/m, 'the Telegraf stand-in');
  },
};

export function nodeRed(redJs: string, versions: string): ContenderSpec {
  return {
    id: 'nodered',
    label: `Node-RED (${versions})`,
    graceMs: 2_000,
    async start(target) {
      const port = (await freePorts(1))[0] as number;
      const userDir = join(target.dir, 'node-red');
      const settings = writeNodeRedFlow({
        userDir,
        port,
        brokerPort: Number(new URL(target.brokerUrl).port),
        influxPort: Number(new URL(target.influxUrl).port),
        database: target.database,
        root: target.root,
      });
      const logPath = join(target.dir, 'node-red.log');
      const child = await spawnChild(
        process.execPath,
        [redJs, '--settings', settings, '--userDir', userDir, '--port', String(port)],
        { logPath, env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false' } },
      );
      return readyByLog(child, logPath, /Connected to broker/, 'Node-RED');
    },
  };
}
