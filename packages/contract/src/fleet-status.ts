import { z } from 'zod';
import { ALARM_STATES, ALARM_TYPES, VESSEL_STATUS_CODES } from './code-lists.js';
import { VesselId } from './ids.js';
import { LocalDate } from './registry.js';

/**
 * What the platform says about its vessels, as the API sends it and the dashboard shows it: vessel status
 * with its evidence, trips, fishing nights, completeness and alarms. The fleet status service
 * (`@qt-led/fleet-status`) computes them; these schemas are the one definition of them: the service's
 * types are inferred from them and the API's responses are serialized through them (a field missing here
 * is silently dropped from the JSON). They only ever gain fields.
 */

const nullableNumber = z.number().nullable();

export const VesselStatusCode = z.enum(VESSEL_STATUS_CODES);
export type VesselStatusCode = z.infer<typeof VesselStatusCode>;

export const VesselStatusEvidence = z.object({
  lastReadingAtMs: nullableNumber,
  lastReceivedAtMs: nullableNumber,
  presence: z
    .object({
      state: z.enum(['online', 'offline']),
      cause: z.enum(['connection-lost', 'shutdown']).nullable(),
      atMs: z.number(),
    })
    .nullable(),
  position: z.object({ lat: z.number(), lon: z.number(), atMs: z.number() }).nullable(),
  nearestPort: z.string().nullable(),
  distanceToPortNm: nullableNumber,
  tripState: z.enum(['in-port', 'at-sea', 'unknown']),
  heartbeat: z
    .object({ atMs: z.number(), queueDepth: z.number(), oldestUnsentAgeS: nullableNumber })
    .nullable(),
  ledPowerW: nullableNumber,
  expectedLedPowerW: nullableNumber,
  ledNormalDrawRatio: nullableNumber.describe(
    "this boat's normal LED draw against its rating (the fault threshold applies to expected × this)",
  ),
  lampsOn: nullableNumber,
  clockSkewMs: nullableNumber,
});
export type VesselStatusEvidence = z.infer<typeof VesselStatusEvidence>;

export const VesselStatusDetail = z.object({
  code: VesselStatusCode,
  sinceMs: nullableNumber,
  explanation: z.string(),
});
export type VesselStatusDetail = z.infer<typeof VesselStatusDetail>;

export const VesselStatus = z
  .object({
    vesselId: VesselId,
    status: VesselStatusCode.describe('the condition that matters most to an officer'),
    conditions: z.array(VesselStatusCode).describe('every condition that holds now, status first'),
    sinceMs: nullableNumber.describe('since when status holds (null when unknown)'),
    explanation: z.string().describe('one English sentence with the evidence (the UI translates status)'),
    evidence: VesselStatusEvidence,
    details: z
      .array(VesselStatusDetail)
      .describe('each condition of conditions (same order) with its own since and explanation'),
  })
  .meta({ id: 'VesselStatus' });
export type VesselStatus = z.infer<typeof VesselStatus>;

export const Trip = z
  .object({
    tripId: z.string(),
    vesselId: VesselId,
    departurePort: z.string(),
    arrivalPort: z.string().nullable(),
    departedAtMs: z.number(),
    arrivedAtMs: nullableNumber,
    durationH: z.number(),
    distanceNm: z.number(),
    nightsFished: z.number(),
    ledEnergyKwh: nullableNumber,
    fuelL: nullableNumber,
  })
  .meta({ id: 'Trip' });
export type Trip = z.infer<typeof Trip>;

export const FishingNight = z
  .object({
    vesselId: VesselId,
    night: LocalDate.describe('the local date (Asia/Ho_Chi_Minh) the night began'),
    startMs: z.number(),
    endMs: z.number(),
    hours: z.number(),
    ledEnergyKwh: nullableNumber,
    fuelL: nullableNumber,
    meanLampsOn: z.number(),
  })
  .meta({ id: 'FishingNight' });
export type FishingNight = z.infer<typeof FishingNight>;

export const CompletenessCell = z.object({
  day: LocalDate,
  expected: z.number(),
  received: z.number(),
  ratio: nullableNumber,
});
export type CompletenessCell = z.infer<typeof CompletenessCell>;

export const CompletenessMatrix = z
  .object({
    days: z.array(LocalDate),
    vessels: z.array(z.object({ vesselId: VesselId, cells: z.array(CompletenessCell) })),
  })
  .meta({ id: 'CompletenessMatrix' });
export type CompletenessMatrix = z.infer<typeof CompletenessMatrix>;

export const AlarmType = z.enum(ALARM_TYPES);
export type AlarmType = z.infer<typeof AlarmType>;

export const AlarmState = z.enum(ALARM_STATES);
export type AlarmState = z.infer<typeof AlarmState>;

export const AlarmNotification = z.object({
  channel: z.string(),
  event: z.enum(['raised', 'cleared']).describe('which change of the alarm the delivery announces'),
  state: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number(),
  lastError: z.string().nullable(),
  updatedAtMs: z.number().describe('when the delivery last changed state (queued, sent, failed)'),
});
export type AlarmNotification = z.infer<typeof AlarmNotification>;

export const Alarm = z
  .object({
    id: z.string(),
    type: AlarmType,
    vesselId: VesselId.nullable(),
    state: AlarmState,
    raisedAtMs: z.number(),
    acknowledgedAtMs: nullableNumber,
    acknowledgedBy: z.string().nullable(),
    clearedAtMs: nullableNumber,
    detail: z.string(),
    evidence: z.record(z.string(), z.unknown()),
    notifications: z.array(AlarmNotification),
  })
  .meta({ id: 'Alarm' });
export type Alarm = z.infer<typeof Alarm>;

export const FleetChange = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), status: VesselStatus }),
  z.object({ type: z.literal('alarm'), alarm: Alarm }),
]);
export type FleetChange = z.infer<typeof FleetChange>;
