import { ALARM_TYPES, VESSEL_STATUS_CODES } from '@qt-led/fleet-status';
import { SERIES_FIELDS } from '@qt-led/store';
import { z } from 'zod';

/**
 * Response schemas: they document the API in the OpenAPI document and shape what is sent (fields not
 * listed are not sent). They mirror the fleet status service's types (interfaces.md §2); a field added
 * there is added here too.
 */
const nullableNumber = z.number().nullable();

export const VesselStatusView = z
  .object({
    vesselId: z.string(),
    status: z.enum(VESSEL_STATUS_CODES).describe('the condition that matters most to an officer'),
    conditions: z.array(z.enum(VESSEL_STATUS_CODES)).describe('every condition that holds now, status first'),
    sinceMs: nullableNumber,
    explanation: z.string().describe('one English sentence with the evidence'),
    evidence: z.object({
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
      lampsOn: nullableNumber,
      clockSkewMs: nullableNumber,
    }),
  })
  .meta({ id: 'VesselStatus' });

export const LatestReadingView = z
  .object({
    deviceTimeMs: z.number(),
    receivedAtMs: z.number(),
    ledPowerW: z.number().nullable(),
    ledEnergyKwh: z.number().nullable(),
    lampsOn: z.number().nullable(),
    fuelTotalL: z.number().nullable(),
    fuelRateLph: z.number().nullable(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    speedKn: z.number().nullable(),
  })
  .meta({ id: 'LatestReading' });

export const VesselView = z
  .object({
    vesselId: z.string(),
    name: z.string(),
    homePort: z.string(),
    district: z.string(),
    ledLamps: z
      .object({ count: z.number(), ratedW: z.number(), model: z.string() })
      .nullable()
      .describe('the LED lamps of the configuration in force today (null before the first version)'),
    status: VesselStatusView.nullable(),
    latest: LatestReadingView.nullable(),
  })
  .meta({ id: 'Vessel' });

export const SeriesView = z.object({
  vesselId: z.string(),
  fromMs: z.number(),
  toMs: z.number(),
  stepMs: z.number(),
  fields: z.array(z.enum(SERIES_FIELDS)),
  points: z
    .array(z.object({ tMs: z.number(), values: z.record(z.string(), z.number().nullable()) }))
    .describe('one per bucket with readings; a bucket without readings is absent (a gap)'),
});

export const TripView = z
  .object({
    tripId: z.string(),
    vesselId: z.string(),
    departurePort: z.string(),
    arrivalPort: z.string().nullable(),
    departedAtMs: z.number(),
    arrivedAtMs: z.number().nullable(),
    durationH: z.number(),
    distanceNm: z.number(),
    nightsFished: z.number(),
    ledEnergyKwh: z.number().nullable(),
    fuelL: z.number().nullable(),
  })
  .meta({ id: 'Trip' });

export const NightView = z
  .object({
    vesselId: z.string(),
    night: z.string(),
    startMs: z.number(),
    endMs: z.number(),
    hours: z.number(),
    ledEnergyKwh: z.number().nullable(),
    fuelL: z.number().nullable(),
    meanLampsOn: z.number(),
  })
  .meta({ id: 'FishingNight' });

export const AlarmView = z
  .object({
    id: z.string(),
    type: z.enum(ALARM_TYPES),
    vesselId: z.string().nullable(),
    state: z.enum(['raised', 'acknowledged', 'cleared']),
    raisedAtMs: z.number(),
    acknowledgedAtMs: z.number().nullable(),
    acknowledgedBy: z.string().nullable(),
    clearedAtMs: z.number().nullable(),
    detail: z.string(),
    evidence: z.record(z.string(), z.unknown()),
    notifications: z.array(
      z.object({
        channel: z.string(),
        state: z.enum(['pending', 'sent', 'failed']),
        attempts: z.number(),
        lastError: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'Alarm' });

export const CompletenessView = z
  .object({
    days: z.array(z.string()),
    vessels: z.array(
      z.object({
        vesselId: z.string(),
        cells: z.array(
          z.object({
            day: z.string(),
            expected: z.number(),
            received: z.number(),
            ratio: z.number().nullable(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'CompletenessMatrix' });
