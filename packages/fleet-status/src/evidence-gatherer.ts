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
import { assessLed } from './led.js';
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

/** Store-wide reads of one pass, shared by every vessel (one query each, not one per vessel). */
interface Snapshot {
  latest: StoredReading[];
  presence: StoredDeviceMessage[];
  heartbeats: StoredDeviceMessage[];
  absurd: StoredDeviceMessage[];
  clockLetters: DeadLetter[];
}

/** Reads the store (latest readings, presence, heartbeats, recent series) into per-vessel evidence. */
export function createEvidenceGatherer(deps: EvidenceGathererDeps): EvidenceGatherer {
  const { store, registry, config } = deps;
  const led = createLedReference(deps);

  async function snapshot(nowMs: number, only: VesselId | undefined): Promise<Snapshot> {
    const vesselFilter = only === undefined ? {} : { vesselId: only };
    const latest = await store.latestByVessel();
    const presence = await store.latestDeviceMessages('presence');
    const newestHeartbeats = await store.latestDeviceMessages('heartbeat');
    const recentHeartbeats = await store.deviceMessages({
      kinds: ['heartbeat'],
      ...vesselFilter,
      fromMs: nowMs - 2 * HOUR_MS,
      toMs: nowMs + config.clockSkewToleranceMs + 1,
    });
    // Messages stamped by a clock reset to 1970 are never the newest by device time: ask for them apart.
    const absurd = (
      await store.deviceMessages({
        kinds: ['heartbeat', 'event'],
        ...vesselFilter,
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
    return { latest, presence, heartbeats: [...recentHeartbeats, ...newestHeartbeats], absurd, clockLetters };
  }

  async function vesselEvidence(vesselId: VesselId, nowMs: number, snap: Snapshot): Promise<VesselEvidence> {
    const latest = snap.latest.find((r) => r.vesselId === vesselId) ?? null;
    const recent =
      latest === null
        ? []
        : await store.readings(
            vesselId,
            latest.deviceTimeMs - config.statusWindowMs,
            latest.deviceTimeMs + 1,
          );
    const presenceMessage = snap.presence.find((m) => m.vesselId === vesselId);
    const heartbeats = heartbeatsOf(vesselId, snap.heartbeats);
    const baseline = latest === null ? null : await led.baselineOf(vesselId, latest.deviceTimeMs);
    const status = deriveVesselStatus(
      {
        vesselId,
        gear: registry.vessel(vesselId)?.gear ?? null,
        nowMs,
        latest,
        recent,
        presence:
          presenceMessage?.kind === 'presence'
            ? { payload: presenceMessage.payload, receivedAtMs: presenceMessage.receivedAtMs }
            : null,
        heartbeats,
        clock: clockObservations(vesselId, {
          heartbeats,
          latest,
          absurd: snap.absurd,
          clockLetters: snap.clockLetters,
        }),
        led: assessLed(recent, led.ratedWAt(vesselId), baseline, config),
      },
      config,
    );
    return {
      status,
      recent,
      gateways: gatewaysOf(registry, vesselId, latest, presenceMessage?.gatewayId ?? null),
    };
  }

  return {
    async vessels(nowMs, only) {
      const ids = only === undefined ? registry.registry.vessels.map((v) => v.vesselId) : [only];
      const snap = await snapshot(nowMs, only);
      const out: VesselEvidence[] = [];
      for (const vesselId of ids) out.push(await vesselEvidence(vesselId, nowMs, snap));
      return out;
    },
    async fleet(nowMs) {
      const letters = await store.listDeadLetters({
        reason: 'unknown-vessel',
        limit: 1_000,
        beforeMs: nowMs + 1,
      });
      const unknown = new Set<string>();
      for (const l of letters) {
        if (l.receivedAtMs < nowMs - config.registryLookbackMs) continue;
        // The topic root is the deployment's (MQTT_TOPIC_ROOT): read it off the topic itself.
        const root = l.topic.split(`/${TOPIC_SCHEME_VERSION}/vessels/`)[0] ?? '';
        const parsed = parseTopic(l.topic, root);
        unknown.add(parsed.ok ? parsed.vesselId : l.topic);
      }
      return { unknownVesselIds: [...unknown].sort() };
    },
  };
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

/** The vessel's heartbeats, each once (the recent window and the newest per vessel overlap). */
function heartbeatsOf(vesselId: VesselId, messages: readonly StoredDeviceMessage[]): HeartbeatObservation[] {
  const out: HeartbeatObservation[] = [];
  for (const m of messages) {
    if (m.kind !== 'heartbeat' || m.vesselId !== vesselId) continue;
    if (!out.some((h) => h.atMs === m.atMs && h.payload.bootId === m.payload.bootId))
      out.push({ atMs: m.atMs, receivedAtMs: m.receivedAtMs, payload: m.payload });
  }
  return out;
}

/** Every hint about the device clock: heartbeats, absurd stamps, the latest reading, readings set aside. */
function clockObservations(
  vesselId: VesselId,
  seen: {
    heartbeats: readonly HeartbeatObservation[];
    latest: StoredReading | null;
    absurd: readonly StoredDeviceMessage[];
    clockLetters: readonly DeadLetter[];
  },
): ClockObservation[] {
  const out: ClockObservation[] = seen.heartbeats.map((h) => ({
    source: 'heartbeat',
    deviceTimeMs: h.atMs,
    receivedAtMs: h.receivedAtMs,
    skewMs: h.atMs - h.receivedAtMs,
  }));
  for (const m of seen.absurd) {
    if (m.vesselId !== vesselId) continue;
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
  for (const letter of seen.clockLetters) {
    const parsed = parseTopic(letter.topic);
    if (!parsed.ok || parsed.vesselId !== vesselId) continue;
    const batch = TelemetryBatch.safeParse(jsonOrNull(letter.payload));
    if (!batch.success) continue;
    out.push({
      source: 'set-aside-readings',
      deviceTimeMs: batch.data.sentAtMs,
      receivedAtMs: letter.receivedAtMs,
      skewMs: batch.data.sentAtMs - letter.receivedAtMs,
    });
  }
  return out;
}

// A letter set aside for its clock was valid JSON when ingest read it; a damaged one must not stop the pass.
function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
