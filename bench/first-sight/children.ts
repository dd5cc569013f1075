// Every process the first-sight bench starts: the platform under test and the busy loops that load the
// cores. All of them run under a parent-death signal (the kernel ends them if the bench is killed), and
// every way out of the bench (done, failure, Ctrl-C, the overall limit) stops them here.
import { type ChildProcess, spawn } from 'node:child_process';
import { type WriteStream, createWriteStream, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { underParentDeathSignal } from '@qt-led/test-harness';

interface Tracked {
  label: string;
  /** SIGTERM first and this long to stop cleanly; 0: SIGKILL at once. */
  graceMs: number;
}

export interface Children {
  /** Spawns `command args` under a parent-death signal and tracks it until it exits. */
  spawn(
    label: string,
    command: string,
    args: readonly string[],
    options: { cwd: string; env?: NodeJS.ProcessEnv; stdio: 'ignore' | 'pipe'; graceMs: number },
  ): Promise<ChildProcess>;
  /** Stops one child: SIGTERM, then SIGKILL after its grace. */
  stop(child: ChildProcess): Promise<void>;
  /** Stops every child still running. */
  stopAll(): Promise<void>;
  /** SIGKILL to every child still running, synchronously (the last resort, from `process.on('exit')`). */
  killAllNow(): void;
  /** Labels of the children still running. */
  running(): string[];
}

export function createChildren(): Children {
  const alive = new Map<ChildProcess, Tracked>();
  const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;
  const waitExit = (child: ChildProcess, ms: number): Promise<boolean> =>
    exited(child)
      ? Promise.resolve(true)
      : new Promise((resolve) => {
          const timer = setTimeout(() => {
            resolve(false);
          }, ms);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });

  const children: Children = {
    async spawn(label, command, args, options) {
      const [cmd, argv] = await underParentDeathSignal(command, args);
      const child = spawn(cmd, argv, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: options.stdio === 'ignore' ? 'ignore' : ['ignore', 'pipe', 'pipe'],
      });
      alive.set(child, { label, graceMs: options.graceMs });
      child.once('exit', () => alive.delete(child));
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      return child;
    },
    async stop(child) {
      const tracked = alive.get(child);
      if (exited(child)) return;
      const graceMs = tracked?.graceMs ?? 0;
      if (graceMs > 0) {
        child.kill('SIGTERM');
        if (await waitExit(child, graceMs)) return;
        process.stderr.write(`  ${tracked?.label ?? 'child'} did not stop within ${graceMs} ms: SIGKILL\n`);
      }
      child.kill('SIGKILL');
      await waitExit(child, 5_000);
    },
    async stopAll() {
      await Promise.all([...alive.keys()].map((child) => children.stop(child)));
    },
    killAllNow() {
      for (const child of alive.keys()) child.kill('SIGKILL');
    },
    running() {
      return [...alive.values()].map((t) => t.label);
    },
  };
  return children;
}

/** One `node -e 'for(;;){}'` per core: the "loaded machine" of docs/performance.md's P9. */
export async function startBusyLoops(
  children: Children,
  count: number,
  cwd: string,
): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      children.spawn(`busy loop ${i + 1}`, process.execPath, ['-e', 'for(;;){}'], {
        cwd,
        stdio: 'ignore',
        graceMs: 0,
      }),
    ),
  );
}

/** The end of the partner packages' first pass: when (ms from spawn), and the figures of its log line. */
export interface PassDone {
  ms: number;
  seconds?: number | undefined;
  months?: number | undefined;
  issued?: number | undefined;
}

export interface PlatformProcess {
  readonly pid: number;
  readonly url: string;
  readonly dataDir: string;
  /** From the platform's own banner on stderr; undefined until printed. */
  brokerUrl(): string | undefined;
  credentialsPath(): string | undefined;
  /** Milliseconds from spawn to the "… Live now." line; rejects if the platform exits first. */
  readonly live: Promise<number>;
  /** The platform's own figure from its 'caught up; live' log line (seconds from its start). */
  platformSeconds(): number | undefined;
  /**
   * Milliseconds from spawn to the end of the partner packages' first pass (its 'partner package pass done'
   * log line), with that line's figures; never settles where the schedule does not run in this process.
   */
  readonly packagesPassDone: Promise<PassDone>;
  /** The newest progress line the platform printed while loading the history. */
  lastProgress(): string;
  /** The last lines of stderr, for error messages. */
  stderrTail(): string;
  /** True once the process has exited. */
  exited(): boolean;
  stop(): Promise<void>;
}

// A shell's settings for a real broker, database, or another fleet must not leak into the run under test.
const FOREIGN_ENV =
  /^(MQTT|INFLUX|FLEET_SIM|FLEET_REGISTRY|PLATFORM|API|INGEST|ALARM|SMTP|STATUS|EMISSIONS)_|^(DATA_DIR|FLEET_SIMULATION|LOG_LEVEL)$/;

/**
 * `node services/platform/dist/main.js` as `npm start` runs it after its build, on a fresh DATA_DIR and
 * free loopback ports; stdout (pino JSON) and stderr go to `logDir`.
 */
export async function startPlatformProcess(
  children: Children,
  options: {
    repo: string;
    label: string;
    dataDir: string;
    logDir: string;
    apiPort: number;
    brokerPort: number;
    env: Record<string, string>;
  },
): Promise<PlatformProcess> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!FOREIGN_ENV.test(key)) env[key] = value;
  Object.assign(env, {
    DATA_DIR: options.dataDir,
    API_HOST: '127.0.0.1',
    API_PORT: String(options.apiPort),
    PLATFORM_BROKER_HOST: '127.0.0.1',
    PLATFORM_BROKER_PORT: String(options.brokerPort),
    LOG_LEVEL: 'info',
    ...options.env,
  });
  const spawnedAt = performance.now();
  const child = await children.spawn(options.label, process.execPath, ['services/platform/dist/main.js'], {
    cwd: options.repo,
    env,
    stdio: 'pipe',
    graceMs: 30_000,
  });
  const stdoutLog: WriteStream = createWriteStream(join(options.logDir, `${options.label}.stdout.log`));
  const stderrLog: WriteStream = createWriteStream(join(options.logDir, `${options.label}.stderr.log`));
  const tail: string[] = [];
  let brokerUrl: string | undefined;
  let credentialsPath: string | undefined;
  let progress = '';
  let platformSeconds: number | undefined;
  let passDone = (_: PassDone): void => undefined;
  const packagesPassDone = new Promise<PassDone>((resolve) => (passDone = resolve));

  const live = new Promise<number>((resolve, reject) => {
    if (child.stderr === null || child.stdout === null) throw new Error('platform spawned without pipes');
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderrLog.write(`${line}\n`);
      tail.push(line);
      if (tail.length > 30) tail.shift();
      brokerUrl ??= /MQTT broker: (mqtt:\/\/\S+)/.exec(line)?.[1];
      credentialsPath ??= /First admin login: (\S+)/.exec(line)?.[1];
      if (/^\d+(\.\d+)? % simulated/.test(line)) progress = line;
      if (/Live now\./.test(line)) resolve(performance.now() - spawnedAt);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      stdoutLog.write(`${line}\n`);
      if (line.includes('partner package pass done')) {
        const at = performance.now() - spawnedAt;
        try {
          const { seconds, months, issued } = JSON.parse(line) as Record<string, number | undefined>;
          passDone({ ms: at, ...(seconds === undefined ? {} : { seconds, months, issued }) });
        } catch {
          passDone({ ms: at });
        }
      }
      if (platformSeconds === undefined && line.includes('caught up; live')) {
        try {
          const seconds = (JSON.parse(line) as { seconds?: unknown }).seconds;
          if (typeof seconds === 'number') platformSeconds = seconds;
        } catch {
          // not JSON: the figure from the bench's own clock stands
        }
      }
    });
    child.once('exit', (code, signal) => {
      reject(
        new Error(
          `the platform exited (${String(code ?? signal)}) before "Live now". Last lines:\n${tail.join('\n')}`,
        ),
      );
    });
  });
  live.catch(() => undefined);

  return {
    pid: child.pid ?? 0,
    url: `http://127.0.0.1:${options.apiPort}`,
    dataDir: options.dataDir,
    brokerUrl: () => brokerUrl,
    credentialsPath: () => credentialsPath,
    live,
    platformSeconds: () => platformSeconds,
    packagesPassDone,
    lastProgress: () => progress,
    stderrTail: () => tail.join('\n'),
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async stop() {
      await children.stop(child);
      stdoutLog.end();
      stderrLog.end();
    },
  };
}

/**
 * CPU seconds (user + system) and RSS of a process, and the CPU seconds of its children that ended and were
 * waited for, from /proc.
 */
export function processStats(
  pid: number,
  clockTicksPerS: number,
): { cpuS: number; rssMb: number; endedChildrenCpuS: number } {
  // Fields after the command name, which is in parentheses and may contain spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(stat[11]) + Number(stat[12]);
  const childTicks = Number(stat[13]) + Number(stat[14]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return {
    cpuS: ticks / clockTicksPerS,
    rssMb: rssKb / 1024,
    endedChildrenCpuS: childTicks / clockTicksPerS,
  };
}

/**
 * CPU seconds and RSS of a process and every process below it (worker threads are inside the process; a
 * child process it spawned, a broker for example, counts too), from /proc.
 */
export function processTreeStats(
  pid: number,
  clockTicksPerS: number,
): { cpuS: number; rssMb: number; processes: number } {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // ended while being listed
    }
  }
  const inTree = (candidate: number): boolean => {
    for (let p: number | undefined = candidate, hops = 0; p !== undefined && p > 1 && hops < 64; hops++) {
      if (p === pid) return true;
      p = parentOf.get(p);
    }
    return false;
  };
  let cpuS = 0;
  let rssMb = 0;
  let processes = 0;
  for (const candidate of parentOf.keys()) {
    if (!inTree(candidate)) continue;
    try {
      const stats = processStats(candidate, clockTicksPerS);
      cpuS += stats.cpuS + stats.endedChildrenCpuS;
      rssMb += stats.rssMb;
      processes++;
    } catch {
      // ended while being read
    }
  }
  return { cpuS, rssMb, processes };
}
