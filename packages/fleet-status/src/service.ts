import { localDateOf, TelemetryBatch, type VesselId, parseTopic } from '@qt-led/contract';
import { createLogger, type Logger } from '@qt-led/runtime';
import { findGaps, type StoredDeviceMessage, type StoredReading } from '@qt-led/store';
import { type AlarmStore, type NotificationEvent, openAlarmStore } from './alarm-store.js';
import { type FleetStatusConfig, parseFleetStatusConfig } from './config.js';
import { completenessMatrix } from './completeness.js';
import { assessLed, ledBaseline } from './led.js';
import type {
  Alarm,
  AlarmType,
  FishingNight,
  FleetChange,
  FleetStatusDeps,
  FleetStatusService,
  Trip,
  VesselStatus,
} from './model.js';
import { deriveNights } from './nights.js';
import type { Notifier } from './notifiers/notifier.js';
import { type ClockObservation, deriveVesselStatus, type HeartbeatObservation } from './status.js';
import { deriveTrips } from './trips.js';

/** What an evaluation pass wants of each alarm type and vessel: active or not, and why. */
export interface AlarmCondition {
  type: AlarmType;
  vesselId: VesselId | null;
  active: boolean;
  detail: string;
  evidence: Record<string, unknown>;
}

/** Delivery counters, for metrics and the operator page. */
export interface NotificationCounts {
  sent: number;
  failedAttempts: number;
  givenUp: number;
}

export interface FleetStatusServiceImpl extends FleetStatusService {
  /** Resolves when every notification started so far has been sent or given up. */
  whenNotified(): Promise<void>;
  notificationCounts(): NotificationCounts;
}

const HOUR_MS = 3_600_000;

export function createFleetStatusService(deps: FleetStatusDeps): FleetStatusServiceImpl {
  const config: FleetStatusConfig = parseFleetStatusConfig(deps.config);
  const { store, registry } = deps;
  const clock = deps.clock ?? { now: () => Date.now() };
  const logger: Logger = (deps.logger ?? createLogger({ name: 'fleet-status', level: 'silent' })).child({
    component: 'fleet-status',
  });
  const notifiers = new Map<string, Notifier>();
  for (const n of deps.notifiers ?? []) {
    if (notifiers.has(n.channel)) throw new RangeError(`two notifiers share the channel name ${n.channel}`);
    notifiers.set(n.channel, n);
  }
  const alarms: AlarmStore = openAlarmStore(deps.alarmDbPath);
  const listeners = new Set<(change: FleetChange) => void>();
  const lastStatus = new Map<string, string>();
  const deliveries = new Set<Promise<void>>();
  const delivering = new Set<string>();
  const counts: NotificationCounts = { sent: 0, failedAttempts: 0, givenUp: 0 };
  const periodCache = new Map<string, { count: number; trips: Trip[]; nights: FishingNight[] }>();
  const baselineCache = new Map<string, number | null>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let resumed = false;
  let closed = false;

  const emit = (change: FleetChange): void => {
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (err) {
        logger.warn({ err }, 'an onChange listener threw; the others still get the change');
      }
    }
  };
  const publicAlarm = (id: string): Alarm | undefined => alarms.get(id);
  const vesselIds = (): VesselId[] => registry.registry.vessels.map((v) => v.vesselId);
  const ratedWAt = (vesselId: VesselId) => {
    const byDay = new Map<string, number | null>();
    return (ms: number): number | null => {
      const day = Math.floor((ms + config.utcOffsetMinutes * 60_000) / 86_400_000);
      let rated = byDay.get(String(day));
      if (rated === undefined) {
        rated = ms > 0 ? (registry.configAt(vesselId, ms)?.version.ledLamps.ratedW ?? null) : null;
        byDay.set(String(day), rated);
      }
      return rated;
    };
  };

  async function baselineOf(vesselId: VesselId, nowMs: number): Promise<number | null> {
    const key = `${vesselId}|${localDateOf(nowMs)}`;
    if (baselineCache.has(key)) return baselineCache.get(key) ?? null;
    const rated = ratedWAt(vesselId);
    const points = await store.series(
      vesselId,
      ['ledPowerW', 'lampsOn'],
      nowMs - config.ledBaselineWindowMs,
      nowMs,
      HOUR_MS,
    );
    const baseline = ledBaseline(
      points.map((p) => ({
        ledPowerW: p.values.ledPowerW ?? null,
        lampsOn: p.values.lampsOn ?? null,
        ratedW: rated(p.tMs),
      })),
    );
    if (baselineCache.size > 10_000) baselineCache.clear();
    baselineCache.set(key, baseline);
    return baseline;
  }

  interface Gathered {
    status: VesselStatus;
    recent: StoredReading[];
    latest: StoredReading | null;
    heartbeats: HeartbeatObservation[];
    presenceGatewayId: string | null;
  }

  async function gather(nowMs: number, only?: VesselId): Promise<Gathered[]> {
    const ids = only === undefined ? vesselIds() : [only];
    const latestAll = await store.latestByVessel();
    const presenceAll = await store.latestDeviceMessages('presence');
    const newestHeartbeats = await store.latestDeviceMessages('heartbeat');
    const recentHeartbeats = await store.deviceMessages({
      kinds: ['heartbeat'],
      ...(only === undefined ? {} : { vesselId: only }),
      fromMs: nowMs - 2 * HOUR_MS,
      toMs: nowMs + config.clockSkewToleranceMs + 1,
    });
    // Messages stamped by a clock reset to 1970 are never the newest by device time: ask for them apart.
    const absurd = (
      await store.deviceMessages({
        kinds: ['heartbeat', 'event'],
        ...(only === undefined ? {} : { vesselId: only }),
        fromMs: 0,
        toMs: config.clockFloorMs,
        limit: 10_000,
      })
    ).filter((m) => m.receivedAtMs >= nowMs - config.statusWindowMs);
    const setAside = await store.listDeadLetters({ limit: 1_000, beforeMs: nowMs + 1 });
    const clockLetters = setAside.filter(
      (l) =>
        (l.reason === 'time-before-epoch-floor' || l.reason === 'time-in-future') &&
        l.receivedAtMs >= nowMs - config.statusWindowMs,
    );

    const out: Gathered[] = [];
    for (const vesselId of ids) {
      const vessel = registry.vessel(vesselId);
      const latest = latestAll.find((r) => r.vesselId === vesselId) ?? null;
      const recent =
        latest === null
          ? []
          : await store.readings(
              vesselId,
              latest.deviceTimeMs - config.statusWindowMs,
              latest.deviceTimeMs + 1,
            );
      const presenceMessage = presenceAll.find((m) => m.vesselId === vesselId);
      const heartbeats: HeartbeatObservation[] = [];
      const clockObs: ClockObservation[] = [];
      const addHeartbeat = (m: StoredDeviceMessage): void => {
        if (m.kind !== 'heartbeat' || m.vesselId !== vesselId) return;
        if (!heartbeats.some((h) => h.atMs === m.atMs && h.payload.bootId === m.payload.bootId))
          heartbeats.push({ atMs: m.atMs, receivedAtMs: m.receivedAtMs, payload: m.payload });
      };
      for (const m of recentHeartbeats) addHeartbeat(m);
      for (const m of newestHeartbeats) addHeartbeat(m);
      for (const h of heartbeats)
        clockObs.push({
          source: 'heartbeat',
          deviceTimeMs: h.atMs,
          receivedAtMs: h.receivedAtMs,
          skewMs: h.atMs - h.receivedAtMs,
        });
      for (const m of absurd) {
        if (m.vesselId !== vesselId) continue;
        clockObs.push({
          source: m.kind === 'heartbeat' ? 'heartbeat' : 'event',
          deviceTimeMs: m.atMs,
          receivedAtMs: m.receivedAtMs,
          skewMs: null,
        });
      }
      if (latest !== null && latest.clockSkewMs !== null) {
        clockObs.push({
          source: 'reading',
          deviceTimeMs: latest.deviceTimeMs,
          receivedAtMs: latest.receivedAtMs,
          skewMs: latest.clockSkewMs,
        });
      }
      for (const letter of clockLetters) {
        const parsed = parseTopic(letter.topic);
        if (!parsed.ok || parsed.vesselId !== vesselId) continue;
        const batch = TelemetryBatch.safeParse(JSON.parse(letter.payload));
        if (!batch.success) continue;
        clockObs.push({
          source: 'set-aside-readings',
          deviceTimeMs: batch.data.sentAtMs,
          receivedAtMs: letter.receivedAtMs,
          skewMs: batch.data.sentAtMs - letter.receivedAtMs,
        });
      }
      const baseline = latest === null ? null : await baselineOf(vesselId, latest.deviceTimeMs);
      const led = assessLed(recent, ratedWAt(vesselId), baseline, config);
      const status = deriveVesselStatus(
        {
          vesselId,
          gear: vessel?.gear ?? null,
          nowMs,
          latest,
          recent,
          presence:
            presenceMessage?.kind === 'presence'
              ? { payload: presenceMessage.payload, receivedAtMs: presenceMessage.receivedAtMs }
              : null,
          heartbeats,
          clock: clockObs,
          led,
        },
        config,
      );
      out.push({
        status,
        recent,
        latest,
        heartbeats,
        presenceGatewayId: presenceMessage?.gatewayId ?? null,
      });
    }
    return out;
  }

  function alarmConditions(
    nowMs: number,
    gathered: readonly Gathered[],
    unknownVessels: string[],
  ): AlarmCondition[] {
    const out: AlarmCondition[] = [];
    for (const g of gathered) {
      const { status } = g;
      const vesselId = status.vesselId;
      const detailOf = (code: VesselStatus['status']) => status.details.find((d) => d.code === code);
      const held = (code: VesselStatus['status'], holdMs: number) => {
        const d = detailOf(code);
        return d !== undefined && d.sinceMs !== null && nowMs - d.sinceMs >= holdMs ? d : undefined;
      };
      const led = detailOf('led-fault');
      out.push({
        type: 'led-fault',
        vesselId,
        active: led !== undefined,
        detail: led?.explanation ?? '',
        evidence: {
          expectedLedPowerW: status.evidence.expectedLedPowerW,
          ledNormalDrawRatio: status.evidence.ledNormalDrawRatio,
          ledPowerW: status.evidence.ledPowerW,
          lampsOn: status.evidence.lampsOn,
          sinceMs: led?.sinceMs ?? null,
        },
      });
      const silent = held('silent-possible-fault', config.gatewaySilentAlarmAfterMs);
      out.push({
        type: 'gateway-silent',
        vesselId,
        active: silent !== undefined,
        detail: silent?.explanation ?? '',
        evidence: {
          lastReceivedAtMs: status.evidence.lastReceivedAtMs,
          presence: status.evidence.presence,
          position: status.evidence.position,
          distanceToPortNm: status.evidence.distanceToPortNm,
          silentSinceMs: silent?.sinceMs ?? null,
        },
      });
      const clockFault = held('clock-fault', config.clockSkewAlarmAfterMs);
      out.push({
        type: 'clock-skew',
        vesselId,
        active: clockFault !== undefined,
        detail: clockFault?.explanation ?? '',
        evidence: { clockSkewMs: status.evidence.clockSkewMs, sinceMs: clockFault?.sinceMs ?? null },
      });
      const backlog = held('backlog-growing', config.backlogAlarmAfterMs);
      out.push({
        type: 'backlog-growing',
        vesselId,
        active: backlog !== undefined,
        detail: backlog?.explanation ?? '',
        evidence: { heartbeat: status.evidence.heartbeat, sinceMs: backlog?.sinceMs ?? null },
      });

      // Data gap: seqs missing between stored ones while the gateway says it holds nothing more.
      const gaps = findGaps(g.recent);
      const missing = gaps.reduce((n, gap) => n + gap.toSeq - gap.fromSeq + 1, 0);
      const queueEmpty = status.evidence.heartbeat?.queueDepth === 0;
      out.push({
        type: 'data-gap',
        vesselId,
        active: queueEmpty && missing >= config.dataGapMinReadings,
        detail: `${missing} reading(s) of ${vesselId} missing in ${gaps.length} gap(s) of the last ${config.statusWindowMs / HOUR_MS} h of its data, first after ${gaps[0] === undefined ? '-' : new Date(gaps[0].afterMs).toISOString()}, and the gateway reports an empty queue: they will not arrive`,
        evidence: {
          missingReadings: missing,
          gaps: gaps.slice(0, 20).map((gap) => ({
            bootId: gap.bootId,
            fromSeq: gap.fromSeq,
            toSeq: gap.toSeq,
            afterMs: gap.afterMs,
            beforeMs: gap.beforeMs,
          })),
        },
      });

      // Registry mismatch: readings (or presence) from a gateway the registry does not put on this vessel.
      const mismatch = registryMismatch(vesselId, g.latest, g.presenceGatewayId);
      out.push({
        type: 'registry-mismatch',
        vesselId,
        active: mismatch !== null,
        detail: mismatch?.detail ?? '',
        evidence: mismatch?.evidence ?? {},
      });
    }
    out.push({
      type: 'registry-mismatch',
      vesselId: null,
      active: unknownVessels.length > 0,
      detail: `messages from vessel id(s) not in the fleet registry were set aside in the last ${config.registryLookbackMs / HOUR_MS} h: ${unknownVessels.slice(0, 10).join(', ')}`,
      evidence: { unknownVesselIds: unknownVessels.slice(0, 50) },
    });
    return out;
  }

  function registryMismatch(
    vesselId: VesselId,
    latest: StoredReading | null,
    presenceGatewayId: string | null,
  ): { detail: string; evidence: Record<string, unknown> } | null {
    if (latest === null) return null;
    const assigned = registry.configAt(vesselId, latest.deviceTimeMs)?.version.gatewayId ?? null;
    const seen = [latest.gatewayId as string, ...(presenceGatewayId === null ? [] : [presenceGatewayId])];
    const wrong = seen.find((g) => g !== assigned);
    if (wrong === undefined) return null;
    const date = localDateOf(latest.deviceTimeMs);
    const owner = registry.vesselForGateway(wrong as StoredReading['gatewayId'], date);
    return {
      detail: `${vesselId} reports through gateway ${wrong}, but the registry assigns ${assigned ?? 'no gateway'} to it on ${date}${owner === undefined ? '' : ` and ${wrong} to ${owner.vessel.vesselId}`}: update the registry after a gateway swap, or check the installation`,
      evidence: {
        gatewayId: wrong,
        assignedGatewayId: assigned,
        gatewayAssignedTo: owner?.vessel.vesselId ?? null,
        date,
      },
    };
  }

  function deliver(alarmId: string, channel: string, event: NotificationEvent, attemptsSoFar: number): void {
    const key = `${alarmId}|${channel}|${event}`;
    const notifier = notifiers.get(channel);
    if (notifier === undefined || delivering.has(key)) return;
    delivering.add(key);
    const run = (async () => {
      let attempts = attemptsSoFar;
      const maxAttempts = 1 + config.notifyRetries;
      while (attempts < maxAttempts && !closed) {
        const alarm = alarms.get(alarmId);
        if (alarm === undefined) return;
        attempts += 1;
        try {
          await notifier.send({ event, alarm });
          counts.sent += 1;
          alarms.recordDelivery(alarmId, channel, event, {
            state: 'sent',
            attempts,
            lastError: null,
            atMs: clock.now(),
          });
          logger.info({ alarmId, channel, event, attempts }, 'alarm notification sent');
          return;
        } catch (err) {
          counts.failedAttempts += 1;
          const message = err instanceof Error ? err.message : String(err);
          const final = attempts >= maxAttempts;
          if (final) counts.givenUp += 1;
          alarms.recordDelivery(alarmId, channel, event, {
            state: final ? 'failed' : 'pending',
            attempts,
            lastError: message,
            atMs: clock.now(),
          });
          logger.warn(
            { alarmId, channel, event, attempts, err },
            final ? 'alarm notification failed, giving up' : 'alarm notification failed, will retry',
          );
          if (!final) await sleep(config.notifyBackoffMs * 2 ** (attempts - 1));
        }
      }
    })().finally(() => {
      delivering.delete(key);
      deliveries.delete(run);
      const alarm = publicAlarm(alarmId);
      if (alarm !== undefined && !closed) emit({ type: 'alarm', alarm });
    });
    deliveries.add(run);
  }

  function applyConditions(nowMs: number, conditions: readonly AlarmCondition[]): void {
    const channels = [...notifiers.keys()];
    for (const c of conditions) {
      const open = alarms.open(c.type, c.vesselId);
      if (c.active && open === undefined) {
        const alarm = alarms.raise({
          type: c.type,
          vesselId: c.vesselId,
          atMs: nowMs,
          detail: c.detail,
          evidence: c.evidence,
          channels,
        });
        logger.info({ alarmId: alarm.id, type: c.type, vesselId: c.vesselId }, `alarm raised: ${c.detail}`);
        emit({ type: 'alarm', alarm });
        for (const channel of channels) deliver(alarm.id, channel, 'raised', 0);
      } else if (c.active && open !== undefined) {
        if (open.detail !== c.detail) alarms.update(open.id, c.detail, c.evidence);
      } else if (!c.active && open !== undefined) {
        const alarm = alarms.clear(open.id, nowMs, channels);
        logger.info({ alarmId: alarm.id, type: c.type, vesselId: c.vesselId }, 'alarm cleared');
        emit({ type: 'alarm', alarm });
        for (const channel of channels) deliver(alarm.id, channel, 'cleared', 0);
      }
    }
  }

  async function evaluateOnce(nowMs: number): Promise<void> {
    if (!resumed) {
      resumed = true;
      for (const p of alarms.pendingDeliveries()) deliver(p.alarmId, p.channel, p.event, p.attempts);
    }
    const gathered = await gather(nowMs);
    for (const g of gathered) {
      const signature = `${g.status.status}|${g.status.conditions.join(',')}|${g.status.sinceMs ?? ''}`;
      if (lastStatus.get(g.status.vesselId) !== signature) {
        lastStatus.set(g.status.vesselId, signature);
        emit({ type: 'status', status: g.status });
      }
    }
    const letters = await store.listDeadLetters({
      reason: 'unknown-vessel',
      limit: 1_000,
      beforeMs: nowMs + 1,
    });
    const unknown = new Set<string>();
    for (const l of letters) {
      if (l.receivedAtMs < nowMs - config.registryLookbackMs) continue;
      const parsed = parseTopic(l.topic);
      unknown.add(parsed.ok ? parsed.vesselId : l.topic);
    }
    applyConditions(nowMs, alarmConditions(nowMs, gathered, [...unknown].sort()));
    await Promise.all([...deliveries]);
  }

  async function periodData(
    vesselId: VesselId,
    fromMs: number,
    toMs: number,
  ): Promise<{ trips: Trip[]; nights: FishingNight[] }> {
    const key = `${vesselId}|${fromMs}|${toMs}`;
    const count = await store.countReadings(vesselId);
    const cached = periodCache.get(key);
    if (cached !== undefined && cached.count === count) return cached;
    const readings = await store.readings(
      vesselId,
      fromMs - config.tripSearchMarginMs,
      toMs + config.tripSearchMarginMs,
    );
    const nights = deriveNights(vesselId, readings, config);
    const trips = deriveTrips(vesselId, readings, nights, config);
    const entry = { count, trips, nights };
    if (periodCache.size > 2_000) periodCache.clear();
    periodCache.set(key, entry);
    return entry;
  }

  const assertPeriod = (fromMs: number, toMs: number): void => {
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs < fromMs) {
      throw new RangeError(`the period must be two instants with from ≤ to, got ${fromMs}..${toMs}`);
    }
  };

  return {
    async statuses(nowMs = clock.now()) {
      return (await gather(nowMs)).map((g) => g.status);
    },
    async status(vesselId, nowMs = clock.now()) {
      if (registry.vessel(vesselId) === undefined) return undefined;
      return (await gather(nowMs, vesselId))[0]?.status;
    },
    async trips(q) {
      assertPeriod(q.fromMs, q.toMs);
      const ids = q.vesselId === undefined ? vesselIds() : [q.vesselId];
      const out: Trip[] = [];
      for (const id of ids) {
        const { trips } = await periodData(id, q.fromMs, q.toMs);
        out.push(
          ...trips.filter(
            (t) => t.departedAtMs < q.toMs && (t.arrivedAtMs ?? Number.POSITIVE_INFINITY) >= q.fromMs,
          ),
        );
      }
      return out.sort((a, b) => a.departedAtMs - b.departedAtMs || (a.vesselId < b.vesselId ? -1 : 1));
    },
    async nights(q) {
      assertPeriod(q.fromMs, q.toMs);
      const ids = q.vesselId === undefined ? vesselIds() : [q.vesselId];
      const out: FishingNight[] = [];
      for (const id of ids) {
        const { nights } = await periodData(id, q.fromMs, q.toMs);
        out.push(...nights.filter((n) => n.startMs >= q.fromMs && n.startMs < q.toMs));
      }
      return out.sort((a, b) => a.startMs - b.startMs || (a.vesselId < b.vesselId ? -1 : 1));
    },
    async completeness(q) {
      assertPeriod(q.fromMs, q.toMs);
      const ids = q.vesselIds === undefined ? vesselIds() : [...q.vesselIds];
      const counts = await store.dailyCounts(q.fromMs, q.toMs, config.utcOffsetMinutes);
      return completenessMatrix({
        fromMs: q.fromMs,
        toMs: q.toMs,
        nowMs: clock.now(),
        vessels: ids.map((vesselId) => ({
          vesselId,
          firstDate: registry.vessel(vesselId)?.versions[0]?.validFrom ?? null,
        })),
        counts: counts.filter((c) => ids.includes(c.vesselId)),
        samplingIntervalMs: config.samplingIntervalMs,
        utcOffsetMinutes: config.utcOffsetMinutes,
      });
    },
    listAlarms(q) {
      return Promise.resolve(alarms.list(q));
    },
    getAlarm(id) {
      return Promise.resolve(publicAlarm(id));
    },
    acknowledgeAlarm(id, by, atMs = clock.now()) {
      try {
        const alarm = alarms.acknowledge(id, by, atMs);
        logger.info({ alarmId: id, by }, 'alarm acknowledged');
        emit({ type: 'alarm', alarm });
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
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
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
      await Promise.all([...deliveries]);
      closed = true;
      for (const n of notifiers.values()) await n.close?.();
      alarms.close();
    },
    async whenNotified() {
      while (deliveries.size > 0) await Promise.all([...deliveries]);
    },
    notificationCounts() {
      return { ...counts };
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
