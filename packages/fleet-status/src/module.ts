import type { RegistryIndex } from '@qt-led/contract';
import type { Logger, ServiceModule } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import type { FleetStatusConfig } from './config.js';
import { notifiersFromConfig } from './notifiers/config.js';
import type { Notifier } from './notifiers/notifier.js';
import { createFleetStatusService, type FleetStatusServiceImpl } from './service.js';

/** The fleet status slice of a process's configuration. */
export interface FleetStatusModuleConfig {
  /** SQLite file of the alarms. */
  alarmDbPath: string;
  /** Where alarms are notified (webhook, e-mail per alarm type), from the ALARM_* and SMTP_* variables. */
  notifications: Parameters<typeof notifiersFromConfig>[0];
  /** Thresholds and intervals; the defaults suit the project's boats. */
  thresholds?: Partial<FleetStatusConfig>;
}

export interface FleetStatusModule extends ServiceModule {
  readonly service: FleetStatusServiceImpl;
  /** The channels alarms are notified through (for the start-up log). */
  readonly channels: readonly string[];
}

/**
 * Vessel status, trips, nights and alarms over the process's store, with the alarm evaluation running and
 * its notifiers wired: every process that evaluates alarms notifies them.
 */
export function createFleetStatusModule(
  config: FleetStatusModuleConfig,
  deps: {
    store: TelemetryStore;
    registry: RegistryIndex;
    clock: { now(): number };
    logger: Logger;
    /**
     * The periodic evaluation starts when this resolves (default at once). The embedded default passes
     * the moment its simulated fleet is live: the history's statuses are the simulated past's, and
     * alarms are raised for what is wrong now, once, not for every state the fast-forward passes through.
     */
    evaluateFrom?: Promise<void>;
  },
): FleetStatusModule {
  const notifiers: Notifier[] = notifiersFromConfig(config.notifications);
  const service = createFleetStatusService({
    store: deps.store,
    registry: deps.registry,
    alarmDbPath: config.alarmDbPath,
    notifiers,
    clock: deps.clock,
    logger: deps.logger,
    ...(config.thresholds === undefined ? {} : { config: config.thresholds }),
  });
  let stopEvaluation = (): void => undefined;
  return {
    name: 'fleet status',
    service,
    channels: notifiers.map((n) => n.channel),
    start() {
      let stopped = false;
      stopEvaluation = () => {
        stopped = true;
      };
      if (deps.evaluateFrom === undefined) service.start();
      else
        void deps.evaluateFrom.then(() => {
          if (!stopped) service.start();
        });
      if (notifiers.length === 0) {
        deps.logger.warn(
          'no alarm notification configured (ALARM_WEBHOOK_URL, SMTP_HOST): alarms show on the dashboard only',
        );
      }
      return Promise.resolve();
    },
    // Stops the evaluation, waits for deliveries under way, closes the alarm database and the notifiers.
    stop: () => {
      stopEvaluation();
      return service.stop();
    },
  };
}
