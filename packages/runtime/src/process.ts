import type { z } from 'zod';
import { ConfigError, type EnvSource, loadConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';

type Config<S extends z.ZodType<unknown, Record<string, unknown>>> = ReturnType<typeof loadConfig<S>>;

export interface ProcessSpec<S extends z.ZodType<unknown, Record<string, unknown>>> {
  /** The process's name in logs and configuration errors (`ingest`, `api`, `platform`). */
  name: string;
  /** Every variable the process reads; all problems are reported at once and the process exits 2. */
  envSchema: S;
  env?: EnvSource;
  /** Starts the process's modules; what it returns is stopped on SIGINT/SIGTERM. */
  run(config: Config<S>, logger: Logger): Promise<{ stop(): Promise<void> }>;
  /** Said on standard error when a stop begins (npm start explains what happens to data in flight). */
  stoppingMessage?: string;
}

/**
 * The entry of every process (`main.ts`): reads and validates the environment, creates the root logger,
 * runs the modules and stops them cleanly on the first SIGINT/SIGTERM. A second signal given on purpose
 * (more than 2 s later — npm forwards the terminal's Ctrl-C, which the child also gets from the terminal)
 * quits at once.
 */
export async function runProcess<S extends z.ZodType<unknown, Record<string, unknown>>>(
  spec: ProcessSpec<S>,
): Promise<void> {
  let config: Config<S>;
  try {
    config = loadConfig(spec.name, spec.envSchema, spec.env ?? process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const level = (config as { LOG_LEVEL?: string }).LOG_LEVEL ?? 'info';
  const logger = createLogger({ name: spec.name, level });
  let running: { stop(): Promise<void> } | undefined;
  let stoppingSince: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stoppingSince !== undefined) {
      if (performance.now() - stoppingSince < 2_000) return;
      process.stderr.write('quitting at once: what is in flight stays where it is and is sent again\n');
      process.exit(130);
    }
    stoppingSince = performance.now();
    if (spec.stoppingMessage !== undefined) process.stderr.write(`\n${signal}: ${spec.stoppingMessage}\n`);
    logger.info({ signal }, 'stopping');
    (running?.stop() ?? Promise.resolve()).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.fatal({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    running = await spec.run(config, logger);
  } catch (err) {
    logger.fatal({ err }, `${spec.name} failed to start`);
    process.stderr.write(`${spec.name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
    // Whatever the failed start left open (sockets, timers) must not keep the process alive.
    setTimeout(() => process.exit(1), 1_000).unref();
  }
}
