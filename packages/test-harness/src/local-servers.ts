import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { InfluxServer, MqttServer } from './context.js';
import { DELIVERY_CONF_DIR, harnessMosquittoConfig } from './mosquitto-config.js';
import {
  type ServerControl,
  type StartedServer,
  canConnect,
  cleanupOnExit,
  freePorts,
  pingInflux,
  spawnUntilReady,
  stopProcess,
} from './processes.js';

const MOSQUITTO_READY_MS = 15_000;
const INFLUXD_READY_MS = 30_000;

/** Starts `mosquitto` on a free loopback port in a fresh temp dir, with the repository's delivery settings. */
export function startLocalMosquitto(binary: string): Promise<StartedServer<MqttServer>> {
  return retryOnPortClash(() =>
    inTempDir('qtled-mosquitto-', async (dir, removeDir) => {
      const [port] = await freePorts(1);
      if (port === undefined) throw new Error('no free port');
      const logPath = path.join(dir, 'mosquitto.log');
      const configPath = path.join(dir, 'mosquitto.conf');
      await writeFile(
        configPath,
        harnessMosquittoConfig({
          listener: `${port} 127.0.0.1`,
          persistenceLocation: `${dir}/`,
          logDest: { file: logPath },
          includeDir: DELIVERY_CONF_DIR,
          keepRoot: process.getuid?.() === 0,
        }),
      );
      const spec = {
        name: 'mosquitto',
        command: binary,
        args: ['-c', configPath],
        logPath,
        isReady: () => canConnect(port),
        timeoutMs: MOSQUITTO_READY_MS,
      };
      let child = await spawnUntilReady(spec);
      const log = await readFile(logPath, 'utf8').catch(() => '');
      const version = /mosquitto version (\S+) (?:starting|running)/u.exec(log)?.[1] ?? '(version unknown)';
      const url = `mqtt://127.0.0.1:${port}`;
      return {
        info: { url, source: 'local' },
        description: `mosquitto ${version} started on ${url} (local binary ${binary}, delivery settings from deploy/mosquitto/conf.d)`,
        control: signalControl(spec, {
          get: () => child,
          set: (next) => (child = next),
        }),
        async stop() {
          try {
            await stopProcess(child);
            await warnAboutDrops(logPath);
          } finally {
            await removeDir();
          }
        },
      };
    }),
  );
}

/** Starts InfluxDB 1.x `influxd` on free loopback ports in a fresh temp dir, without auth. */
export function startLocalInflux(binary: string): Promise<StartedServer<InfluxServer>> {
  return retryOnPortClash(() =>
    inTempDir('qtled-influxd-', async (dir, removeDir) => {
      const [httpPort, rpcPort] = await freePorts(2);
      if (httpPort === undefined || rpcPort === undefined) throw new Error('no free port');
      const logPath = path.join(dir, 'influxd.log');
      const configPath = path.join(dir, 'influxdb.conf');
      await writeFile(configPath, influxdConfig({ dir, httpPort, rpcPort }));
      const url = `http://127.0.0.1:${httpPort}`;
      let version = '(version unknown)';
      const spec = {
        name: 'influxd',
        command: binary,
        args: ['-config', configPath],
        logPath,
        env: withoutInfluxdbOverrides(process.env),
        async isReady() {
          const ping = await pingInflux(url);
          if (ping?.status !== 204) return false;
          if (ping.version !== '') version = ping.version;
          return true;
        },
        timeoutMs: INFLUXD_READY_MS,
      };
      let child = await spawnUntilReady(spec);
      return {
        info: { url, flavour: 'v1', source: 'local' },
        description: `influxd ${version} started on ${url} (local binary ${binary})`,
        control: signalControl(spec, {
          get: () => child,
          set: (next) => (child = next),
        }),
        async stop() {
          try {
            await stopProcess(child);
          } finally {
            await removeDir();
          }
        },
      };
    }),
  );
}

/**
 * influxd 1.x configuration: loopback only, everything it would otherwise write or phone home switched off.
 * influxd 1.6 ignores unknown keys silently, so both spellings of the reporting switch are given: upstream
 * `reporting-disabled`, and Debian's patched `reporting-enabled` (Debian's 1.6.7 only knows the latter).
 */
function influxdConfig(options: { dir: string; httpPort: number; rpcPort: number }): string {
  const s = (value: string): string => JSON.stringify(value); // a JSON string is a valid TOML basic string
  const { dir, httpPort, rpcPort } = options;
  return `# Written by @qt-led/test-harness for one test run.
reporting-disabled = true
reporting-enabled = false
bind-address = ${s(`127.0.0.1:${rpcPort}`)}

[meta]
  dir = ${s(path.join(dir, 'meta'))}
  logging-enabled = false

[data]
  dir = ${s(path.join(dir, 'data'))}
  wal-dir = ${s(path.join(dir, 'wal'))}
  query-log-enabled = false

[http]
  enabled = true
  bind-address = ${s(`127.0.0.1:${httpPort}`)}
  auth-enabled = false
  log-enabled = false
  pprof-enabled = false

[monitor]
  store-enabled = false

[continuous_queries]
  enabled = false

[subscriber]
  enabled = false

[logging]
  level = "warn"
  suppress-logo = true

[[graphite]]
  enabled = false

[[collectd]]
  enabled = false

[[opentsdb]]
  enabled = false

[[udp]]
  enabled = false
`;
}

/** influxd 1.x lets INFLUXDB_* variables override its config file; none must leak in from the environment. */
function withoutInfluxdbOverrides(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('INFLUXDB_')));
}

/** Runs `start` in a fresh temp dir, removed if `start` fails, or by the `removeDir` it is given. */
async function inTempDir<T>(
  prefix: string,
  start: (dir: string, removeDir: () => Promise<void>) => Promise<T>,
): Promise<T> {
  await sweepStaleTempDirs(prefix);
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await writeFile(path.join(dir, OWNER_FILE), String(process.pid));
  const release = cleanupOnExit(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const removeDir = async (): Promise<void> => {
    release();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    return await start(dir, removeDir);
  } catch (err) {
    await removeDir();
    throw err;
  }
}

const OWNER_FILE = 'owner.pid';

/**
 * Removes temp dirs left by an earlier run that was killed before it could clean up (its servers died with
 * it, see processes.ts), leaving alone those whose owner process is still alive (a concurrent run).
 */
async function sweepStaleTempDirs(prefix: string): Promise<void> {
  const entries = await readdir(os.tmpdir()).catch(() => []);
  for (const entry of entries.filter((e) => e.startsWith(prefix))) {
    const dir = path.join(os.tmpdir(), entry);
    const owner = Number(await readFile(path.join(dir, OWNER_FILE), 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(owner) && !isAlive(owner)) await rm(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A port picked free can be taken by someone else before the server binds it: try again with new ports. */
async function retryOnPortClash<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= attempts || !/address already in use/iu.test(String(err))) throw err;
    }
  }
}

/** Mosquitto logs dropped QoS 1 messages only as a warning; make it visible in the test output. */
async function warnAboutDrops(logPath: string): Promise<void> {
  const log = await readFile(logPath, 'utf8').catch(() => '');
  const drops = log.split('\n').filter((line) => line.includes('Outgoing messages are being dropped'));
  if (drops.length > 0) {
    console.warn(
      `[harness] mosquitto dropped outgoing messages ${drops.length} time(s):\n${drops.join('\n')}`,
    );
  }
}

/** Fault injection for a server this module started: signals to hang it, a restart on the same data. */
function signalControl(
  spec: Parameters<typeof spawnUntilReady>[0],
  current: { get(): ChildProcess; set(next: ChildProcess): void },
): ServerControl {
  return {
    pause: () => current.get().kill('SIGSTOP'),
    resume: () => current.get().kill('SIGCONT'),
    async restart() {
      await stopProcess(current.get());
      current.set(await spawnUntilReady(spec));
    },
  };
}
