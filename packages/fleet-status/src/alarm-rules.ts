import type { VesselId } from '@qt-led/contract';
import { findGaps } from '@qt-led/store';
import type { FleetStatusConfig } from './config.js';
import type { FleetEvidence, VesselEvidence } from './evidence-gatherer.js';
import type { AlarmType, VesselStatus, VesselStatusCode } from './model.js';

/** What an evaluation pass wants of each alarm type and vessel: active or not, and why. */
export interface AlarmCondition {
  type: AlarmType;
  vesselId: VesselId | null;
  active: boolean;
  detail: string;
  evidence: Record<string, unknown>;
}

/** A fault found in the evidence: since when (null: unknown), and what the alarm says about it. */
export interface AlarmFinding {
  sinceMs: number | null;
  detail: string;
  evidence: Record<string, unknown>;
}

/**
 * One alarm type: how to find its fault in the evidence, and how long the fault must last before the alarm
 * is raised. The alarm clears on the first pass that no longer finds it.
 */
export interface AlarmRule<E> {
  readonly type: AlarmType;
  /**
   * How long a finding must have lasted (from its `sinceMs`) before the alarm is raised; null when the
   * finding is raised at once (its duration was already required where it is found).
   */
  holdMs(config: FleetStatusConfig): number | null;
  find(evidence: E, config: FleetStatusConfig): AlarmFinding | null;
}

const HOUR_MS = 3_600_000;

/** A rule that follows a condition of the vessel status: its explanation is the alarm's detail. */
function statusRule(
  type: AlarmType,
  code: VesselStatusCode,
  holdMs: (config: FleetStatusConfig) => number | null,
  evidence: (status: VesselStatus, sinceMs: number | null) => Record<string, unknown>,
): AlarmRule<VesselEvidence> {
  return {
    type,
    holdMs,
    find({ status }) {
      const d = status.details.find((x) => x.code === code);
      return d === undefined
        ? null
        : { sinceMs: d.sinceMs, detail: d.explanation, evidence: evidence(status, d.sinceMs) };
    },
  };
}

// Seqs missing between stored ones while the gateway says it holds nothing more: they will not arrive.
const dataGapRule: AlarmRule<VesselEvidence> = {
  type: 'data-gap',
  holdMs: () => null,
  find({ status, recent }, config) {
    const gaps = findGaps(recent);
    const missing = gaps.reduce((n, gap) => n + gap.toSeq - gap.fromSeq + 1, 0);
    if (status.evidence.heartbeat?.queueDepth !== 0 || missing < config.dataGapMinReadings) return null;
    const first = gaps[0];
    return {
      sinceMs: first?.afterMs ?? null,
      detail: `${missing} reading(s) of ${status.vesselId} missing in ${gaps.length} gap(s) of the last ${config.statusWindowMs / HOUR_MS} h of its data, first after ${first === undefined ? '-' : new Date(first.afterMs).toISOString()}, and the gateway reports an empty queue: they will not arrive`,
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
    };
  },
};

// Readings (or presence) from a gateway the registry does not put on this vessel that day.
const registryMismatchRule: AlarmRule<VesselEvidence> = {
  type: 'registry-mismatch',
  holdMs: () => null,
  find({ status, gateways }) {
    if (gateways === null) return null;
    const { date, assignedGatewayId: assigned } = gateways;
    const wrong = gateways.reporting.find((g) => g.gatewayId !== assigned);
    if (wrong === undefined) return null;
    const owner = wrong.assignedTo;
    return {
      sinceMs: null,
      detail: `${status.vesselId} reports through gateway ${wrong.gatewayId}, but the registry assigns ${assigned ?? 'no gateway'} to it on ${date}${owner === null ? '' : ` and ${wrong.gatewayId} to ${owner}`}: update the registry after a gateway swap, or check the installation`,
      evidence: { gatewayId: wrong.gatewayId, assignedGatewayId: assigned, gatewayAssignedTo: owner, date },
    };
  },
};

// The gateway's disk was full within the status window: it dropped its oldest readings to keep sampling.
const readingsDroppedRule: AlarmRule<VesselEvidence> = {
  type: 'readings-dropped',
  holdMs: () => null,
  find({ status, queuePressure }, config) {
    const latest = queuePressure[0];
    if (latest === undefined) return null;
    const oldest = queuePressure.at(-1) ?? latest;
    return {
      sinceMs: oldest.atMs,
      detail: `the gateway of ${status.vesselId} ran out of disk (${latest.diskFreeBytes} bytes free, ${latest.depth} readings queued, ${new Date(latest.atMs).toISOString()}) and dropped its oldest unsent readings to keep sampling: ${queuePressure.length} time(s) in the last ${config.statusWindowMs / HOUR_MS} h. Energy and fuel stay whole (cumulative registers); the power samples and positions of the dropped readings are lost and show as gaps. Free the gateway's disk or bring the boat into coverage`,
      evidence: {
        episodes: queuePressure.length,
        latestAtMs: latest.atMs,
        diskFreeBytes: latest.diskFreeBytes,
        queueDepth: latest.depth,
      },
    };
  },
};

/** The per-vessel alarm types, in the order their conditions are evaluated. */
export const VESSEL_ALARM_RULES: readonly AlarmRule<VesselEvidence>[] = [
  // The LED assessment already requires the fault to last `ledFaultAlarmAfterMs`.
  statusRule(
    'led-fault',
    'led-fault',
    () => null,
    (s, sinceMs) => ({
      expectedLedPowerW: s.evidence.expectedLedPowerW,
      ledNormalDrawRatio: s.evidence.ledNormalDrawRatio,
      ledPowerW: s.evidence.ledPowerW,
      lampsOn: s.evidence.lampsOn,
      sinceMs,
    }),
  ),
  statusRule(
    'gateway-silent',
    'silent-possible-fault',
    (c) => c.gatewaySilentAlarmAfterMs,
    (s, sinceMs) => ({
      lastReceivedAtMs: s.evidence.lastReceivedAtMs,
      presence: s.evidence.presence,
      position: s.evidence.position,
      distanceToPortNm: s.evidence.distanceToPortNm,
      silentSinceMs: sinceMs,
    }),
  ),
  statusRule(
    'clock-skew',
    'clock-fault',
    (c) => c.clockSkewAlarmAfterMs,
    (s, sinceMs) => ({ clockSkewMs: s.evidence.clockSkewMs, sinceMs }),
  ),
  statusRule(
    'backlog-growing',
    'backlog-growing',
    (c) => c.backlogAlarmAfterMs,
    (s, sinceMs) => ({ heartbeat: s.evidence.heartbeat, sinceMs }),
  ),
  dataGapRule,
  registryMismatchRule,
  readingsDroppedRule,
];

/** Messages from vessel ids the registry does not know, set aside by ingest recently. */
export const FLEET_ALARM_RULES: readonly AlarmRule<FleetEvidence>[] = [
  {
    type: 'registry-mismatch',
    holdMs: () => null,
    find({ unknownVesselIds }, config) {
      if (unknownVesselIds.length === 0) return null;
      return {
        sinceMs: null,
        detail: `messages from vessel id(s) not in the fleet registry were set aside in the last ${config.registryLookbackMs / HOUR_MS} h: ${unknownVesselIds.slice(0, 10).join(', ')}`,
        evidence: { unknownVesselIds: unknownVesselIds.slice(0, 50) },
      };
    },
  },
];

/** A rule applied to its evidence at `nowMs`: active once found and held long enough. */
export function applyAlarmRule<E>(
  rule: AlarmRule<E>,
  evidence: E,
  vesselId: VesselId | null,
  nowMs: number,
  config: FleetStatusConfig,
): AlarmCondition {
  const finding = rule.find(evidence, config);
  const holdMs = rule.holdMs(config);
  const active =
    finding !== null && (holdMs === null || (finding.sinceMs !== null && nowMs - finding.sinceMs >= holdMs));
  return {
    type: rule.type,
    vesselId,
    active,
    detail: active ? finding.detail : '',
    evidence: active ? finding.evidence : {},
  };
}

/** Every rule of the tables over the evidence of one pass: one condition per vessel and type, then the fleet's. */
export function alarmConditions(
  nowMs: number,
  vessels: readonly VesselEvidence[],
  fleet: FleetEvidence,
  config: FleetStatusConfig,
): AlarmCondition[] {
  const out: AlarmCondition[] = [];
  for (const v of vessels) {
    for (const rule of VESSEL_ALARM_RULES)
      out.push(applyAlarmRule(rule, v, v.status.vesselId, nowMs, config));
  }
  for (const rule of FLEET_ALARM_RULES) out.push(applyAlarmRule(rule, fleet, null, nowMs, config));
  return out;
}
