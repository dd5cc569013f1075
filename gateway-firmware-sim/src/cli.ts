#!/usr/bin/env node
// The simulator's process entry: reads the command line and the environment, wires the fleet simulation,
// handles signals and prints the progress and the summary. Everything else takes its inputs explicitly.
import { readFileSync } from 'node:fs';
import { createLogger } from '@qt-led/runtime';
import { USAGE, credentialsFor, parseCliOptions, parseCredentials } from './cli-options.js';
import { configKeyFromPem } from './firmware/config-key.js';
import { createFleetSimulation } from './sim/fleet-simulation.js';
import { createProgressDisplay, formatFleetSummary } from './sim/report.js';

async function main(): Promise<number> {
  const parsed = parseCliOptions(process.argv.slice(2), process.env, Date.now());
  if (!parsed.ok) {
    process.stderr.write(`qtled-sim: ${parsed.problems.join('\n  ')}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const o = parsed.options;
  const logger = createLogger({ name: 'gateway-sim', level: o.logLevel });
  let table: Record<string, { username: string; password: string }> = {};
  if (o.credentialsFile !== undefined) {
    table = parseCredentials(JSON.parse(readFileSync(o.credentialsFile, 'utf8')) as unknown);
  }
  const shared =
    o.username !== undefined && o.password !== undefined
      ? { username: o.username, password: o.password }
      : undefined;
  const simulation = createFleetSimulation({
    seed: o.seed,
    startMs: o.startMs,
    ...(o.endMs === undefined ? {} : { endMs: o.endMs }),
    speed: o.speed,
    ...(o.vessels === undefined ? {} : { vessels: o.vessels }),
    broker: {
      url: o.brokerUrl,
      tls: {
        ca: o.caFile === undefined ? undefined : readFileSync(o.caFile, 'utf8'),
        cert: o.certFile === undefined ? undefined : readFileSync(o.certFile, 'utf8'),
        key: o.keyFile === undefined ? undefined : readFileSync(o.keyFile, 'utf8'),
      },
      credentials: (vesselId, gatewayId) => credentialsFor(table, vesselId, gatewayId) ?? shared,
    },
    topicRoot: o.topicRoot,
    dataDir: o.dataDir,
    faults: o.faults,
    clientIdPrefix: o.clientIdPrefix,
    queueSynchronous: o.queueSynchronous,
    ...(o.configKeyFile === undefined
      ? {}
      : { configKey: configKeyFromPem(readFileSync(o.configKeyFile, 'utf8')) }),
    fuelMeters: o.fuelMeters,
    drain: o.backfill && o.drain,
    logger: (vesselId) => logger.child({ component: 'gateway', vesselId }),
  });
  logger.info(
    { vessels: simulation.vessels.length, seed: o.seed, speed: o.speed, broker: o.brokerUrl },
    'starting',
  );
  const display = createProgressDisplay(process.stderr, o.endMs === undefined);
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(
      '\nstopping: gateways finish their work and say goodbye (Ctrl-C again to quit at once)\n',
    );
    void simulation.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await simulation.start();
  const timer = setInterval(() => {
    display.update(simulation.progress());
  }, 250);
  try {
    const summary = await simulation.finished;
    display.update(simulation.progress());
    display.stop();
    process.stdout.write(`\n${formatFleetSummary(summary)}\n`);
    return 0;
  } finally {
    clearInterval(timer);
    display.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `qtled-sim: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
