import { createLogger, type Logger } from '@qt-led/runtime';
import { alarmConditions } from './alarm-rules.js';
import { type AlarmStore, openAlarmStore } from './alarm-store.js';
import { applyAlarmConditions } from './alarm-transitions.js';
import { createChangeFeed } from './change-feed.js';
import { type FleetStatusConfig, parseFleetStatusConfig } from './config.js';
import { createVesselStateTracker } from './vessel-state.js';
import type { VesselId } from '@qt-led/contract';
import type { FleetStatusDeps, FleetStatusService, VesselOverview } from './model.js';
import { createNotificationDispatcher, type NotificationCounts } from './notification-dispatcher.js';
import { createPeriodQueries } from './period-queries.js';

export type { AlarmCondition } from './alarm-rules.js';
export type { NotificationCounts } from './notification-dispatcher.js';

export interface FleetStatusServiceImpl extends FleetStatusService {
  /** Resolves when every notification started so far has been sent or given up. */
  whenNotified(): Promise<void>;
  notificationCounts(): NotificationCounts;
}

/**
 * The fleet status service: the evidence gatherer reads the store, the alarm rules turn the evidence into
 * conditions, the transitions move the alarms, and the dispatcher delivers what was raised or cleared.
 */
export function createFleetStatusService(deps: FleetStatusDeps): FleetStatusServiceImpl {
  const config: FleetStatusConfig = parseFleetStatusConfig(deps.config);
  const { store, registry } = deps;
  const clock = deps.clock ?? { now: () => Date.now() };
  const logger: Logger = (deps.logger ?? createLogger({ name: 'fleet-status', level: 'silent' })).child({
    component: 'fleet-status',
  });
  const feed = createChangeFeed(logger);
  const alarms: AlarmStore = openAlarmStore(deps.alarmDbPath);
  const dispatcher = createNotificationDispatcher({
    alarms,
    notifiers: deps.notifiers ?? [],
    config,
    clock,
    logger,
    onDelivered: (alarm) => feed.emit({ type: 'alarm', alarm }),
  });
  // The evidence kept up to date as readings arrive, not recomputed from history on every request.
  const gatherer = createVesselStateTracker({ store, registry, config });
  const periods = createPeriodQueries({ store, registry, config, clock });
  // Status changes are announced once, not on every pass: the last signature seen per vessel.
  const lastStatus = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  async function vesselOverview(vesselId: VesselId, nowMs: number): Promise<VesselOverview | undefined> {
    if (registry.vessel(vesselId) === undefined) return undefined;
    return (await gatherer.overview(nowMs, vesselId))[0];
  }

  async function evaluateOnce(nowMs: number): Promise<void> {
    dispatcher.resumePending();
    const vessels = await gatherer.vessels(nowMs);
    for (const { status } of vessels) {
      const signature = `${status.status}|${status.conditions.join(',')}|${status.sinceMs ?? ''}`;
      if (lastStatus.get(status.vesselId) !== signature) {
        lastStatus.set(status.vesselId, signature);
        feed.emit({ type: 'status', status });
      }
    }
    const conditions = alarmConditions(nowMs, vessels, await gatherer.fleet(nowMs), config);
    applyAlarmConditions(
      { alarms, dispatcher, logger, onChange: (alarm) => feed.emit({ type: 'alarm', alarm }) },
      nowMs,
      conditions,
    );
    await dispatcher.settled();
  }

  return {
    ...periods,
    async statuses(nowMs = clock.now()) {
      return (await gatherer.overview(nowMs)).map((v) => v.status);
    },
    async status(vesselId, nowMs = clock.now()) {
      return (await vesselOverview(vesselId, nowMs))?.status;
    },
    overview(nowMs = clock.now()) {
      return gatherer.overview(nowMs);
    },
    vesselOverview: (vesselId, nowMs = clock.now()) => vesselOverview(vesselId, nowMs),
    noteStoredReadings(readings) {
      gatherer.noteStored(readings);
    },
    listAlarms(q) {
      return Promise.resolve(alarms.list(q));
    },
    getAlarm(id) {
      return Promise.resolve(alarms.get(id));
    },
    acknowledgeAlarm(id, by, atMs = clock.now()) {
      try {
        const alarm = alarms.acknowledge(id, by, atMs);
        logger.info({ alarmId: id, by }, 'alarm acknowledged');
        feed.emit({ type: 'alarm', alarm });
        return Promise.resolve(alarm);
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    },
    async evaluate(nowMs = clock.now()) {
      if (closed) throw new Error('the fleet status service is stopped');
      while (running !== undefined) await running.catch(() => undefined);
      running = evaluateOnce(nowMs);
      try {
        await running;
      } finally {
        running = undefined;
      }
    },
    onChange(listener) {
      return feed.subscribe(listener);
    },
    start() {
      if (timer !== undefined || closed) return;
      const tick = (): void => {
        if (running !== undefined) return; // the previous pass is still running: skip, do not pile up
        this.evaluate().catch((err: unknown) => {
          logger.error({ err }, 'fleet status evaluation failed; next pass on schedule');
        });
      };
      timer = setInterval(tick, config.evaluateEveryMs);
      tick();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
      await dispatcher.close();
      closed = true;
      alarms.close();
    },
    whenNotified() {
      return dispatcher.whenNotified();
    },
    notificationCounts() {
      return dispatcher.counts();
    },
  };
}
