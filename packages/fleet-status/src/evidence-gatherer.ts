import {
  type GatewayId,
  localDateOf,
  parseTopic,
  TOPIC_SCHEME_VERSION,
  type RegistryIndex,
  TelemetryBatch,
  type VesselId,
} from '@qt-led/contract';
import type { DeadLetter, StoredDeviceMessage, StoredReading, TelemetryStore } from '@qt-led/store';
import type { FleetStatusConfig } from './config.js';
import { assessLed, type LedAssessment } from './led.js';
import { createLedReference } from './led-reference.js';
import type { VesselStatus } from './model.js';
import { type ClockObservation, deriveVesselStatus, type HeartbeatObservation } from './status.js';

/** The registry's view of the gateways a vessel was heard through, on the date of its latest reading. */
export interface GatewayAssignment {
  date: string;
  /** The gateway the registry puts on the vessel that day (null: none). */
  assignedGatewayId: string | null;
  /** The gateway of the latest reading, then the one of the retained presence; each with its registry owner. */
  reporting: { gatewayId: string; assignedTo: VesselId | null }[];
}

/** Everything the alarm rules look at for one vessel; gathered from the store in one pass. */
export interface VesselEvidence {
  status: VesselStatus;
  /** Readings of the status window before and including the latest one. */
  recent: StoredReading[];
  /** Null when nothing was ever received from the vessel. */
  gateways: GatewayAssignment | null;
  /** The gateway's `queue-pressure` events of the status window, newest first: its disk was full. */
  queuePressure: QueuePressure[];
}

/** A gateway's disk full: it dropped its oldest readings to keep sampling (one event per episode). */
export interface QueuePressure {
  atMs: number;
  receivedAtMs: number;
  depth: number;
  diskFreeBytes: number;
}

/** What the fleet-wide rules look at. */
export interface FleetEvidence {
  /** Vessel ids (or topics, when unparseable) of messages set aside as unknown vessels, sorted. */
  unknownVesselIds: string[];
}

export interface EvidenceGatherer {
  /** Evidence of every registered vessel, or of `only`. */
  vessels(nowMs: number, only?: VesselId): Promise<VesselEvidence[]>;
  fleet(nowMs: number): Promise<FleetEvidence>;
}

export interface EvidenceGathererDeps {
  store: TelemetryStore;
  registry: RegistryIndex;
  config: FleetStatusConfig;
}

const HOUR_MS = 3_600_000;
/** Readings set aside for their clock: each is a hint about the device clock. */
const CLOCK_REASONS = ['time-before-epoch-floor', 'time-in-future'] as const;

/** A readings batch set aside for its clock, as the clock rule sees it (null: not a telemetry batch). */
export interface ClockLetter {
  vesselId: VesselId;
  observation: ClockObservation;
}

/**
 * What the status needs besides the readings, per vessel, from store-wide reads (one query each, not one
 * per vessel): the retained presence, recent and newest heartbeats, messages stamped by a clock reset to
 * 1970, and readings set aside for their clock. Each read is bounded by the vessels or by the window.
 */
export interface DeviceSnapshot {
  presence: ReadonlyMap<string, StoredDeviceMessage>;
  heartbeats: ReadonlyMap<string, HeartbeatObservation[]>;
  absurd: ReadonlyMap<string, StoredDeviceMessage[]>;
  clockLetters: ReadonlyMap<string, ClockObservation[]>;
  queuePressure: ReadonlyMap<string, QueuePressure[]>;
}

/** The device side of one pass. `parseLetter` may memoise (a letter never changes once stored). */
export async function readDeviceSnapshot(
  store: TelemetryStore,
  config: FleetStatusConfig,
  nowMs: number,
  only?: VesselId,
  parseLetter: (letter: DeadLetter) => ClockLetter | null = clockLetterOf,
): Promise<DeviceSnapshot> {
  const vesselFilter = only === undefined ? {} : { vesselId: only };
  const [presence, newestHeartbeats, recentHeartbeats, absurd, recentEvents, ...letters] = await Promise.all([
    store.latestDeviceMessages('presence', only),
    store.latestDeviceMessages('heartbeat', only),
    store.deviceMessages({
      kinds: ['heartbeat'],
      ...vesselFilter,
      fromMs: nowMs - 2 * HOUR_MS,
      toMs: nowMs + config.clockSkewToleranceMs + 1,
    }),
    // Messages stamped by a clock reset to 1970 are never the newest by device time: ask for them apart.
    store.deviceMessages({
      kinds: ['heartbeat', 'event'],
      ...vesselFilter,
      fromMs: 0,
      toMs: config.clockFloorMs,
      limit: 10_000,
    }),
    // The window's device events (a few a day per boat), for the gateways' full disks.
    store.deviceMessages({
      kinds: ['event'],
      ...vesselFilter,
      fromMs: nowMs - config.statusWindowMs,
      toMs: nowMs + config.clockSkewToleranceMs + 1,
      limit: 10_000,
    }),
    // By reason (an index), so a flood of other dead letters cannot push the clock hints out of the page.
    ...CLOCK_REASONS.map((reason) => store.listDeadLetters({ reason, limit: 1_000, beforeMs: nowMs + 1 })),
  ]);

  const presenceOf = new Map<string, StoredDeviceMessage>();
  for (const m of presence) if (!presenceOf.has(m.vesselId)) presenceOf.set(m.vesselId, m);

  // The recent window and the newest per vessel overlap: each heartbeat once, in the order read.
  const heartbeatsOf = new Map<string, HeartbeatObservation[]>();
  for (const m of [...recentHeartbeats, ...newestHeartbeats]) {
    if (m.kind !== 'heartbeat') continue;
    let list = heartbeatsOf.get(m.vesselId);
    if (list === undefined) heartbeatsOf.set(m.vesselId, (list = []));
    if (!list.some((h) => h.atMs === m.atMs && h.payload.bootId === m.payload.bootId))
      list.push({ atMs: m.atMs, receivedAtMs: m.receivedAtMs, payload: m.payload });
  }

  const absurdOf = new Map<string, StoredDeviceMessage[]>();
  for (const m of absurd) {
    if (m.receivedAtMs < nowMs - config.statusWindowMs) continue;
    let list = absurdOf.get(m.vesselId);
    if (list === undefined) absurdOf.set(m.vesselId, (list = []));
    list.push(m);
  }

  const clockLettersOf = new Map<string, ClockObservation[]>();
  const recentLetters = letters
    .flat()
    .filter((l) => l.receivedAtMs >= nowMs - config.statusWindowMs)
    .sort((a, b) => b.receivedAtMs - a.receivedAtMs);
  for (const letter of recentLetters) {
    const parsed = parseLetter(letter);
    if (parsed === null || (only !== undefined && parsed.vesselId !== only)) continue;
    let list = clockLettersOf.get(parsed.vesselId);
    if (list === undefined) clockLettersOf.set(parsed.vesselId, (list = []));
    list.push(parsed.observation);
  }
  const queuePressureOf = new Map<string, QueuePressure[]>();
  for (const m of recentEvents) {
    if (m.kind !== 'event' || m.payload.event.type !== 'queue-pressure') continue;
    let list = queuePressureOf.get(m.vesselId);
    if (list === undefined) queuePressureOf.set(m.vesselId, (list = []));
    const { depth, diskFreeBytes } = m.payload.event;
    list.push({ atMs: m.atMs, receivedAtMs: m.receivedAtMs, depth, diskFreeBytes });
  }
  for (const list of queuePressureOf.values()) list.sort((a, b) => b.atMs - a.atMs);
  return {
    presence: presenceOf,
    heartbeats: heartbeatsOf,
    absurd: absurdOf,
    clockLetters: clockLettersOf,
    queuePressure: queuePressureOf,
  };
}

/** The evidence of one vessel from its readings, its LED assessment and the device snapshot. Pure. */
export function vesselEvidenceFrom(
  input: {
    vesselId: VesselId;
    nowMs: number;
    latest: StoredReading | null;
    /** The status window, sorted by device time (`byDeviceTime`). */
    recent: StoredReading[];
    led: LedAssessment;
    device: DeviceSnapshot;
  },
  registry: RegistryIndex,
  config: FleetStatusConfig,
): VesselEvidence {
  const { vesselId, latest, device } = input;
  const presenceMessage = device.presence.get(vesselId);
  const heartbeats = device.heartbeats.get(vesselId) ?? [];
  const status = deriveVesselStatus(
    {
      vesselId,
      gear: registry.vessel(vesselId)?.gear ?? null,
      nowMs: input.nowMs,
      latest,
      recent: input.recent,
      presence:
        presenceMessage?.kind === 'presence'
          ? { payload: presenceMessage.payload, receivedAtMs: presenceMessage.receivedAtMs }
          : null,
      heartbeats,
      clock: clockObservations({
        heartbeats,
        latest,
        absurd: device.absurd.get(vesselId) ?? [],
        clockLetters: device.clockLetters.get(vesselId) ?? [],
      }),
      led: input.led,
    },
    config,
  );
  return {
    status,
    recent: input.recent,
    gateways: gatewaysOf(registry, vesselId, latest, presenceMessage?.gatewayId ?? null),
    queuePressure: device.queuePressure.get(vesselId) ?? [],
  };
}

/** Vessel ids of messages set aside as unknown vessels within the registry look-back. */
export async function fleetEvidence(
  store: TelemetryStore,
  config: FleetStatusConfig,
  nowMs: number,
): Promise<FleetEvidence> {
  const letters = await store.listDeadLetters({
    reason: 'unknown-vessel',
    limit: 1_000,
    beforeMs: nowMs + 1,
  });
  const unknown = new Set<string>();
  for (const l of letters) {
    if (l.receivedAtMs < nowMs - config.registryLookbackMs) continue;
    const parsed = parseTopic(l.topic, topicRootOf(l.topic));
    unknown.add(parsed.ok ? parsed.vesselId : l.topic);
  }
  return { unknownVesselIds: [...unknown].sort() };
}

/**
 * The evidence recomputed from history on every call: the latest readings, each vessel's status window
 * and its LED baseline read from the store. The fleet status service keeps the same evidence up to date
 * instead (`vessel-state.ts`); this is the reference it is tested against.
 */
export function createEvidenceGatherer(deps: EvidenceGathererDeps): EvidenceGatherer {
  const { store, registry, config } = deps;
  const led = createLedReference(deps);
  return {
    async vessels(nowMs, only) {
      const ids = only === undefined ? registry.registry.vessels.map((v) => v.vesselId) : [only];
      const [latestAll, device] = await Promise.all([
        store.latestByVessel(only),
        readDeviceSnapshot(store, config, nowMs, only),
      ]);
      const out: VesselEvidence[] = [];
      for (const vesselId of ids) {
        const latest = latestAll.find((r) => r.vesselId === vesselId) ?? null;
        const recent =
          latest === null
            ? []
            : await store.readings(
                vesselId,
                latest.deviceTimeMs - config.statusWindowMs,
                latest.deviceTimeMs + 1,
              );
        const baseline = latest === null ? null : await led.baselineOf(vesselId, latest.deviceTimeMs);
        const assessment = assessLed(recent, led.ratedWAt(vesselId), baseline, config);
        out.push(
          vesselEvidenceFrom({ vesselId, nowMs, latest, recent, led: assessment, device }, registry, config),
        );
      }
      return out;
    },
    fleet: (nowMs) => fleetEvidence(store, config, nowMs),
  };
}

/** The topic root is the deployment's (MQTT_TOPIC_ROOT): read it off the topic itself. */
function topicRootOf(topic: string): string {
  return topic.split(`/${TOPIC_SCHEME_VERSION}/vessels/`)[0] ?? '';
}

/** The registry's owner of each gateway the vessel was heard through, on the date of its latest reading. */
function gatewaysOf(
  registry: RegistryIndex,
  vesselId: VesselId,
  latest: StoredReading | null,
  presenceGatewayId: GatewayId | null,
): GatewayAssignment | null {
  if (latest === null) return null;
  const date = localDateOf(latest.deviceTimeMs);
  const seen = [latest.gatewayId, ...(presenceGatewayId === null ? [] : [presenceGatewayId])];
  return {
    date,
    assignedGatewayId: registry.configAt(vesselId, latest.deviceTimeMs)?.version.gatewayId ?? null,
    reporting: seen.map((gatewayId) => ({
      gatewayId,
      assignedTo: registry.vesselForGateway(gatewayId, date)?.vessel.vesselId ?? null,
    })),
  };
}

/** Every hint about the device clock: heartbeats, absurd stamps, the latest reading, readings set aside. */
function clockObservations(seen: {
  heartbeats: readonly HeartbeatObservation[];
  latest: StoredReading | null;
  absurd: readonly StoredDeviceMessage[];
  clockLetters: readonly ClockObservation[];
}): ClockObservation[] {
  const out: ClockObservation[] = seen.heartbeats.map((h) => ({
    source: 'heartbeat',
    deviceTimeMs: h.atMs,
    receivedAtMs: h.receivedAtMs,
    skewMs: h.atMs - h.receivedAtMs,
  }));
  for (const m of seen.absurd) {
    out.push({
      source: m.kind === 'heartbeat' ? 'heartbeat' : 'event',
      deviceTimeMs: m.atMs,
      receivedAtMs: m.receivedAtMs,
      skewMs: null,
    });
  }
  const { latest } = seen;
  if (latest !== null && latest.clockSkewMs !== null) {
    out.push({
      source: 'reading',
      deviceTimeMs: latest.deviceTimeMs,
      receivedAtMs: latest.receivedAtMs,
      skewMs: latest.clockSkewMs,
    });
  }
  out.push(...seen.clockLetters);
  return out;
}

/** The clock hint of a readings batch set aside for its clock; null when it is not a telemetry batch. */
export function clockLetterOf(letter: DeadLetter): ClockLetter | null {
  const parsed = parseTopic(letter.topic, topicRootOf(letter.topic));
  if (!parsed.ok) return null;
  const batch = TelemetryBatch.safeParse(jsonOrNull(letter.payload));
  if (!batch.success) return null;
  return {
    vesselId: parsed.vesselId,
    observation: {
      source: 'set-aside-readings',
      deviceTimeMs: batch.data.sentAtMs,
      receivedAtMs: letter.receivedAtMs,
      skewMs: batch.data.sentAtMs - letter.receivedAtMs,
    },
  };
}

// A letter set aside for its clock was valid JSON when ingest read it; a damaged one must not stop the pass.
function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
