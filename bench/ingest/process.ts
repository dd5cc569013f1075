// Child processes of the ingest bench: every one runs under a parent-death signal (if the bench dies, the
// kernel ends it too), every wait has a time limit, and CPU and memory are read from /proc.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { underParentDeathSignal } from '@qt-led/test-harness';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a command to completion within `timeoutMs` (killed at the limit). */
export async function runBounded(
  command: string,
  args: string[],
  timeoutMs: number,
  options: { cwd?: string; logPath?: string } = {},
): Promise<void> {
  const [cmd, argv] = await underParentDeathSignal(command, args);
  const log = options.logPath === undefined ? 'ignore' : openSync(options.logPath, 'a');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(cmd, argv, {
        cwd: options.cwd ?? repoRoot,
        stdio: ['ignore', log, options.logPath === undefined ? 'inherit' : log],
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else
          reject(
            new Error(
              `${command} ${args.join(' ')} ${signal === 'SIGKILL' ? `killed at its ${timeoutMs / 1000} s limit` : `exited with ${code ?? signal}`}`,
            ),
          );
      });
    });
  } finally {
    if (typeof log === 'number') closeSync(log);
  }
}

export interface Child {
  process: ChildProcess;
  pid: number;
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns a long-running child under the parent-death signal, its output appended to `logPath`. */
export async function spawnChild(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; logPath: string; cwd?: string },
): Promise<Child> {
  const [cmd, argv] = await underParentDeathSignal(command, args);
  const log = openSync(options.logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(cmd, argv, { cwd: options.cwd ?? repoRoot, stdio: ['ignore', log, log], env: options.env });
  } finally {
    closeSync(log);
  }
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  child.once('error', () => (exited = true));
  const kill = (): void => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  return {
    process: child,
    pid: child.pid ?? 0,
    exited: () => exited,
    async stop(graceMs = 10_000) {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(kill, graceMs);
        await exit;
        clearTimeout(timer);
      }
      process.removeListener('exit', kill);
    },
  };
}

/** CPU seconds (user + system) and resident memory of one process, from /proc. */
export function processStats(pid: number): { cpuS: number; rssMb: number; peakRssMb: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(stat[11]) + Number(stat[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { cpuS: ticks / 100, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
  } catch {
    return { cpuS: Number.NaN, rssMb: Number.NaN, peakRssMb: Number.NaN };
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` until it holds; false at the limit (never throws for a timeout). */
export async function pollUntil(
  predicate: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 50,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return true;
    if (performance.now() > deadline) return false;
    await sleep(intervalMs);
  }
}
