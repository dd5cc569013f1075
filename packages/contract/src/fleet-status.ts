import type { LocalDate } from './registry.js';
import type { VesselId } from './ids.js';

/**
 * What the platform says about its vessels, as the API sends it and the dashboard shows it: vessel status
 * with its evidence, trips, fishing nights, completeness and alarms. The fleet status service
 * (`@qt-led/fleet-status`) computes them; these shapes live in the contract so that the browser and the
 * server share one definition. They only ever gain fields.
 */

/** Ordered by what matters most to an officer when several hold at once (see `STATUS_PRIORITY`). */
export const VESSEL_STATUS_CODES = [
  'in-port',
  'at-sea-reporting',
  'at-sea-out-of-coverage',
  'silent-possible-fault',
  'led-fault',
  'clock-fault',
  'backlog-growing',
  'no-data',
] as const;
export type VesselStatusCode = (typeof VESSEL_STATUS_CODES)[number];

export interface VesselStatusEvidence {
  lastReadingAtMs: number | null;
  lastReceivedAtMs: number | null;
  presence: {
    state: 'online' | 'offline';
    cause: 'connection-lost' | 'shutdown' | null;
    atMs: number;
  } | null;
  position: { lat: number; lon: number; atMs: number } | null;
  nearestPort: string | null;
  distanceToPortNm: number | null;
  tripState: 'in-port' | 'at-sea' | 'unknown';
  heartbeat: { atMs: number; queueDepth: number; oldestUnsentAgeS: number | null } | null;
  ledPowerW: number | null;
  expectedLedPowerW: number | null;
  /** This boat's normal LED draw against its rating (the fault threshold applies to expected × this). */
  ledNormalDrawRatio: number | null;
  lampsOn: number | null;
  clockSkewMs: number | null;
}

export interface VesselStatus {
  vesselId: VesselId;
  /** The one that matters most to an officer. */
  status: VesselStatusCode;
  /** Every condition that holds now, `status` first. */
  conditions: VesselStatusCode[];
  /** Since when `status` holds (null when unknown). */
  sinceMs: number | null;
  /** One English sentence with the evidence (the UI translates `status`). */
  explanation: string;
  evidence: VesselStatusEvidence;
  /** Each condition of `conditions` (same order) with its own since and explanation. */
  details: { code: VesselStatusCode; sinceMs: number | null; explanation: string }[];
}

export interface Trip {
  tripId: string;
  vesselId: VesselId;
  departurePort: string;
  arrivalPort: string | null;
  departedAtMs: number;
  arrivedAtMs: number | null;
  durationH: number;
  distanceNm: number;
  nightsFished: number;
  ledEnergyKwh: number | null;
  fuelL: number | null;
}

export interface FishingNight {
  vesselId: VesselId;
  /** The local date (Asia/Ho_Chi_Minh) the night began. */
  night: LocalDate;
  startMs: number;
  endMs: number;
  hours: number;
  ledEnergyKwh: number | null;
  fuelL: number | null;
  meanLampsOn: number;
}

export interface CompletenessCell {
  day: LocalDate;
  expected: number;
  received: number;
  ratio: number | null;
}

export interface CompletenessMatrix {
  days: LocalDate[];
  vessels: { vesselId: VesselId; cells: CompletenessCell[] }[];
}

export const ALARM_TYPES = [
  'led-fault',
  'gateway-silent',
  'clock-skew',
  'backlog-growing',
  'data-gap',
  'registry-mismatch',
] as const;
export type AlarmType = (typeof ALARM_TYPES)[number];

export const ALARM_STATES = ['raised', 'acknowledged', 'cleared'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

export interface AlarmNotification {
  channel: string;
  /** Which change of the alarm the delivery announces. */
  event: 'raised' | 'cleared';
  state: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
}

export interface Alarm {
  id: string;
  type: AlarmType;
  vesselId: VesselId | null;
  state: AlarmState;
  raisedAtMs: number;
  acknowledgedAtMs: number | null;
  acknowledgedBy: string | null;
  clearedAtMs: number | null;
  detail: string;
  evidence: Record<string, unknown>;
  notifications: AlarmNotification[];
}

export type FleetChange = { type: 'status'; status: VesselStatus } | { type: 'alarm'; alarm: Alarm };
