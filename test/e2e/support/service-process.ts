// Runs a service's `main.ts` as production does — its own process, configured by environment variables
// only — and waits until its readiness URL answers 200.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { underParentDeathSignal } from '@qt-led/test-harness';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServiceProcess {
  /** The service's own process id (its /proc entry: memory, open files), for soak and fault tests. */
  readonly pid: number;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** The test run's environment, less what a developer may have exported for the platform's own servers. */
export function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(INFLUX_|MQTT_|ALARM_|SMTP_|API_|INGEST_|FLEET_)/.test(key) && key !== 'DATA_DIR',
    ),
  );
}

export async function startServiceProcess(options: {
  name: string;
  /** The entry, relative to the repository: `services/ingest/src/main.ts`. */
  entry: string;
  env: NodeJS.ProcessEnv;
  readyUrl: string;
}): Promise<ServiceProcess> {
  // Under a parent-death signal: if the test run dies, the kernel ends this process too (no orphans).
  const [command, args] = await underParentDeathSignal(process.execPath, [
    '--import',
    'tsx',
    '--conditions=source',
    options.entry,
  ]);
  const child: ChildProcess = spawn(command, args, {
    cwd: repo,
    env: { ...inheritedEnv(), ...options.env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const state = { gone: false };
  void exited.then(() => (state.gone = true));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (state.gone) throw new Error(`${options.name} exited during start-up (see its log above)`);
    const ready = await fetch(options.readyUrl).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} not ready within 60 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    pid: child.pid as number,
    async kill(signal) {
      if (!state.gone) child.kill(signal);
      await exited;
    },
  };
}
