import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { settlesWithin } from '@qt-led/runtime';

/** A server the global setup started or found, with what to log and how to let go of it. */
export interface StartedServer<T> {
  info: T;
  /** One line for the log: what, where, and from which source. */
  description: string;
  stop(): Promise<void>;
  /** Local binaries only: fault injection for tests that need a server to hang, or to go away and come back. */
  control?: ServerControl;
}

export interface ServerControl {
  /** SIGSTOP: the server hangs — connections stay open, nothing is answered (a frozen or overloaded host). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Stops the server and starts it again on the same port with the same data directory. */
  restart(): Promise<void>;
}

const EXTRA_BIN_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'];

/** An executable on PATH or in the usual system directories (Debian puts mosquitto in /usr/sbin). */
export async function findBinary(name: string): Promise<string | undefined> {
  const dirs = [
    ...(process.env['PATH'] ?? '').split(path.delimiter).filter((d) => d !== ''),
    ...EXTRA_BIN_DIRS,
  ];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Distinct free TCP ports on the loopback interface, picked by binding to port 0. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            resolve(server);
          });
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string')
      throw new Error('no TCP address for a port-0 listener');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Whether a TCP connection to 127.0.0.1:port succeeds. */
export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

/** GET /ping on an InfluxDB: 204 and the version header when it is up, undefined when it does not answer. */
export async function pingInflux(url: string): Promise<{ status: number; version: string } | undefined> {
  try {
    const response = await fetch(new URL('ping', url.endsWith('/') ? url : `${url}/`), {
      signal: AbortSignal.timeout(2_000),
    });
    await response.body?.cancel();
    return { status: response.status, version: response.headers.get('x-influxdb-version') ?? '' };
  } catch {
    return undefined;
  }
}

/** The last lines of a log file, for error messages. */
export async function tail(file: string, lines = 30): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    const last = text.trimEnd().split('\n').slice(-lines).join('\n');
    return last === '' ? '(empty)' : last;
  } catch (err) {
    return `(cannot read: ${String(err)})`;
  }
}

// Synchronous cleanups for when this process exits without tearing down (e.g. vitest exiting on Ctrl-C).
const exitCleanups = new Set<() => void>();
let exitHookInstalled = false;

/**
 * Runs `cleanup` synchronously if the process exits before the returned release function is called.
 * Cleanups run latest first (a server is killed before its directory is removed).
 */
export function cleanupOnExit(cleanup: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of [...exitCleanups].reverse()) {
        try {
          c();
        } catch {
          // best effort while exiting
        }
      }
    });
  }
  exitCleanups.add(cleanup);
  return () => {
    exitCleanups.delete(cleanup);
  };
}

// Servers still running, each with the release of its exit cleanup.
const running = new Map<ChildProcess, () => void>();

/**
 * On Linux, run the server under `setpriv --pdeathsig KILL` when available, so the kernel kills it if this
 * process dies without running any handler (SIGKILL, crash): no orphan server survives a test run.
 */
export async function underParentDeathSignal(
  command: string,
  args: readonly string[],
): Promise<[string, string[]]> {
  const setpriv = process.platform === 'linux' ? await findBinary('setpriv') : undefined;
  return setpriv === undefined
    ? [command, [...args]]
    : [setpriv, ['--pdeathsig', 'KILL', '--', command, ...args]];
}

export interface ServerProcessSpec {
  /** For messages: `mosquitto`, `influxd`. */
  name: string;
  command: string;
  args: readonly string[];
  /** stdout and stderr are appended to this file. */
  logPath: string;
  env?: NodeJS.ProcessEnv;
  isReady: () => Promise<boolean>;
  timeoutMs: number;
}

/**
 * Spawns a server and resolves once `isReady` says so. If it exits, cannot be spawned or is not ready in
 * time, it is stopped and the error carries the tail of its log.
 */
export async function spawnUntilReady(spec: ServerProcessSpec): Promise<ChildProcess> {
  const [command, args] = await underParentDeathSignal(spec.command, spec.args);
  const log = openSync(spec.logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { stdio: ['ignore', log, log], env: spec.env ?? process.env });
  } finally {
    closeSync(log);
  }
  const releaseExitCleanup = cleanupOnExit(() => child.kill('SIGKILL'));
  running.set(child, releaseExitCleanup);
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });
  const deadline = Date.now() + spec.timeoutMs;
  try {
    for (;;) {
      if (spawnError !== undefined) {
        throw new Error(`cannot start ${spec.name} (${spec.command}): ${spawnError.message}`);
      }
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `${spec.name} exited (${String(child.exitCode ?? child.signalCode)}) before it was ready`,
        );
      }
      if (await spec.isReady()) return child;
      if (Date.now() > deadline) throw new Error(`${spec.name} was not ready within ${spec.timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (err) {
    await stopProcess(child);
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`${reason}. Last lines of its log:\n${await tail(spec.logPath)}`, { cause: err });
  }
}

/** SIGTERM, then SIGKILL if the process has not exited after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  try {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        resolve();
      });
    });
    child.kill('SIGCONT'); // a paused server would not see SIGTERM
    child.kill('SIGTERM');
    if (await settlesWithin(exited, graceMs)) return;
    child.kill('SIGKILL');
    if (!(await settlesWithin(exited, graceMs))) throw new Error(`process ${child.pid} survived SIGKILL`);
  } finally {
    running.get(child)?.();
    running.delete(child);
  }
}
