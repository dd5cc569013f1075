import type { BootId } from '@qt-led/contract';
import { describe, expect, it } from 'vitest';
import {
  alarmConditions,
  type AlarmRule,
  applyAlarmRule,
  FLEET_ALARM_RULES,
  VESSEL_ALARM_RULES,
} from './alarm-rules.js';
import { DEFAULT_FLEET_STATUS_CONFIG as config } from './config.js';
import type { VesselEvidence } from './evidence-gatherer.js';
import { ALARM_TYPES, type AlarmType, type VesselStatus } from './model.js';
import { GATEWAY, HOUR, local, MIN, reading, VESSEL } from './testing/readings.js';

const NOW = local(2024, 3, 10, 12);

/** A status with these conditions (each with its since) and evidence; the rest as a boat in port. */
function status(
  details: VesselStatus['details'],
  evidence: Partial<VesselStatus['evidence']> = {},
): VesselStatus {
  return {
    vesselId: VESSEL,
    status: details[0]?.code ?? 'in-port',
    conditions: details.map((d) => d.code),
    sinceMs: details[0]?.sinceMs ?? null,
    explanation: details[0]?.explanation ?? '',
    details,
    evidence: {
      lastReadingAtMs: NOW - MIN,
      lastReceivedAtMs: NOW - MIN,
      presence: null,
      position: null,
      nearestPort: 'Cửa Tùng',
      distanceToPortNm: 0.2,
      tripState: 'in-port',
      heartbeat: { atMs: NOW - MIN, queueDepth: 0, oldestUnsentAgeS: null },
      ledPowerW: 0,
      expectedLedPowerW: 0,
      ledNormalDrawRatio: 0.99,
      lampsOn: 0,
      clockSkewMs: 200,
      ...evidence,
    },
  };
}

function evidence(over: Partial<VesselEvidence> = {}): VesselEvidence {
  return {
    status: status([{ code: 'in-port', sinceMs: NOW - HOUR, explanation: 'in port' }]),
    recent: [],
    gateways: {
      date: '2024-03-10',
      assignedGatewayId: GATEWAY,
      reporting: [{ gatewayId: GATEWAY, assignedTo: VESSEL }],
    },
    queuePressure: [],
    ...over,
  };
}

function rule(type: AlarmType): AlarmRule<VesselEvidence> {
  const found = VESSEL_ALARM_RULES.find((r) => r.type === type);
  if (found === undefined) throw new Error(`no vessel rule for ${type}`);
  return found;
}

const at = (type: AlarmType, e: VesselEvidence, nowMs = NOW) =>
  applyAlarmRule(rule(type), e, VESSEL, nowMs, config);

describe('alarm rules', () => {
  it('has a rule for every alarm type, each once per scope', () => {
    const vessel = VESSEL_ALARM_RULES.map((r) => r.type);
    const fleet = FLEET_ALARM_RULES.map((r) => r.type);
    expect(new Set([...vessel, ...fleet])).toEqual(new Set(ALARM_TYPES));
    expect(new Set(vessel).size).toBe(vessel.length);
    expect(new Set(fleet).size).toBe(fleet.length);
  });

  it('raises gateway-silent only once the silence has lasted gatewaySilentAlarmAfterMs', () => {
    const silentSince = (sinceMs: number | null) =>
      evidence({
        status: status([{ code: 'silent-possible-fault', sinceMs, explanation: 'silent in port for 2 h' }]),
      });
    const hold = config.gatewaySilentAlarmAfterMs;
    expect(at('gateway-silent', silentSince(NOW - hold + 1)).active).toBe(false);
    // Held, but since when is unknown: never long enough.
    expect(at('gateway-silent', silentSince(null)).active).toBe(false);
    const held = at('gateway-silent', silentSince(NOW - hold));
    expect(held).toMatchObject({
      type: 'gateway-silent',
      vesselId: VESSEL,
      active: true,
      detail: 'silent in port for 2 h',
      evidence: { silentSinceMs: NOW - hold, distanceToPortNm: 0.2 },
    });
  });

  it('raises an LED fault at once: the LED assessment already required it to last', () => {
    const e = evidence({
      status: status(
        [{ code: 'led-fault', sinceMs: null, explanation: 'LED power 5000 W against 5702 W expected' }],
        {
          ledPowerW: 5000,
          expectedLedPowerW: 5702,
          lampsOn: 24,
        },
      ),
    });
    expect(at('led-fault', e)).toMatchObject({
      active: true,
      detail: 'LED power 5000 W against 5702 W expected',
      evidence: { ledPowerW: 5000, expectedLedPowerW: 5702, lampsOn: 24, sinceMs: null },
    });
    expect(at('led-fault', evidence())).toEqual({
      type: 'led-fault',
      vesselId: VESSEL,
      active: false,
      detail: '',
      evidence: {},
    });
  });

  it('holds clock and backlog faults for their own durations', () => {
    const e = evidence({
      status: status([
        { code: 'clock-fault', sinceMs: NOW - 20 * MIN, explanation: 'clock 1970' },
        { code: 'backlog-growing', sinceMs: NOW - 20 * MIN, explanation: 'queue grew' },
      ]),
    });
    const own = { ...config, clockSkewAlarmAfterMs: 10 * MIN, backlogAlarmAfterMs: 30 * MIN };
    const of = (type: AlarmType, nowMs: number) => applyAlarmRule(rule(type), e, VESSEL, nowMs, own);
    expect(of('clock-skew', NOW)).toMatchObject({ active: true, detail: 'clock 1970' });
    expect(of('clock-skew', NOW - 11 * MIN).active).toBe(false);
    expect(of('backlog-growing', NOW).active).toBe(false);
    expect(of('backlog-growing', NOW + 10 * MIN)).toMatchObject({
      active: true,
      detail: 'queue grew',
      evidence: { sinceMs: NOW - 20 * MIN, heartbeat: { queueDepth: 0 } },
    });
  });

  it('finds a data gap only when the gateway says its queue is empty', () => {
    const hour = Array.from({ length: 60 }, (_, seq) =>
      reading({ seq, bootId: 'b0b0b0b0' as BootId, deviceTimeMs: NOW - (60 - seq) * MIN }),
    );
    const missing = (fromSeq: number, toSeq: number, queueDepth: number) =>
      evidence({
        recent: hour.filter((r) => r.seq < fromSeq || r.seq > toSeq),
        status: status([{ code: 'in-port', sinceMs: NOW - HOUR, explanation: '' }], {
          heartbeat: { atMs: NOW, queueDepth, oldestUnsentAgeS: null },
        }),
      });
    // The gateway still holds readings: the missing ones may be on their way.
    expect(at('data-gap', missing(20, 29, 10)).active).toBe(false);
    const gap = at('data-gap', missing(20, 29, 0));
    expect(gap.active).toBe(true);
    expect(gap.evidence).toMatchObject({ missingReadings: 10, gaps: [{ fromSeq: 20, toSeq: 29 }] });
    expect(gap.detail).toMatch(/^10 reading\(s\) of QT-90145-TS missing in 1 gap\(s\) of the last 36 h/);
    // Fewer than dataGapMinReadings missing: a lost message or two is no alarm.
    expect(config.dataGapMinReadings).toBeGreaterThan(3);
    expect(at('data-gap', missing(20, 22, 0)).active).toBe(false);
  });

  it('raises readings-dropped while a full gateway disk is in the window, and says what is lost', () => {
    expect(at('readings-dropped', evidence()).active).toBe(false);
    const full = at(
      'readings-dropped',
      evidence({
        queuePressure: [
          { atMs: NOW - HOUR, receivedAtMs: NOW - MIN, depth: 48_000, diskFreeBytes: 4_096 },
          { atMs: NOW - 5 * HOUR, receivedAtMs: NOW - 4 * HOUR, depth: 47_000, diskFreeBytes: 2_048 },
        ],
      }),
    );
    expect(full.active).toBe(true);
    expect(full.detail).toContain('dropped its oldest unsent readings');
    expect(full.evidence).toMatchObject({ episodes: 2, diskFreeBytes: 4_096, queueDepth: 48_000 });
  });

  it('finds a registry mismatch from the gateways the vessel was heard through', () => {
    expect(at('registry-mismatch', evidence()).active).toBe(false);
    expect(at('registry-mismatch', evidence({ gateways: null })).active).toBe(false);
    const swapped = at(
      'registry-mismatch',
      evidence({
        gateways: {
          date: '2024-03-10',
          assignedGatewayId: GATEWAY,
          reporting: [
            { gatewayId: GATEWAY, assignedTo: VESSEL },
            { gatewayId: 'gw-0badc0de', assignedTo: 'QT-90001-TS' as VesselStatus['vesselId'] },
          ],
        },
      }),
    );
    expect(swapped).toMatchObject({
      active: true,
      evidence: {
        gatewayId: 'gw-0badc0de',
        assignedGatewayId: GATEWAY,
        gatewayAssignedTo: 'QT-90001-TS',
        date: '2024-03-10',
      },
    });
    expect(swapped.detail).toBe(
      `${VESSEL} reports through gateway gw-0badc0de, but the registry assigns ${GATEWAY} to it on 2024-03-10 and gw-0badc0de to QT-90001-TS: update the registry after a gateway swap, or check the installation`,
    );
  });

  it('evaluates every vessel rule per vessel, then the fleet-wide ones', () => {
    const conditions = alarmConditions(
      NOW,
      [evidence(), evidence()],
      { unknownVesselIds: ['QT-99999-TS'] },
      config,
    );
    expect(conditions).toHaveLength(2 * VESSEL_ALARM_RULES.length + FLEET_ALARM_RULES.length);
    expect(conditions.slice(0, VESSEL_ALARM_RULES.length).map((c) => c.type)).toEqual(
      VESSEL_ALARM_RULES.map((r) => r.type),
    );
    const fleet = conditions.at(-1);
    expect(fleet).toMatchObject({
      type: 'registry-mismatch',
      vesselId: null,
      active: true,
      evidence: { unknownVesselIds: ['QT-99999-TS'] },
    });
    expect(fleet?.detail).toMatch(/not in the fleet registry were set aside in the last 24 h: QT-99999-TS$/);
    const quiet = alarmConditions(NOW, [], { unknownVesselIds: [] }, config);
    expect(quiet).toEqual([
      { type: 'registry-mismatch', vesselId: null, active: false, detail: '', evidence: {} },
    ]);
  });
});
