import type { LocalDate, RegistryIndex, VesselId } from '@qt-led/contract';
import type { Logger } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import type { FleetStatusConfig } from './config.js';
import type { Notifier } from './notifiers/notifier.js';

/**
 * The public shapes of the fleet status service (interfaces.md §2). The API, the dashboard and the
 * platform compile against these names; they only ever gain fields.
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

export interface AlarmQuery {
  state?: AlarmState;
  vesselId?: VesselId;
  /** Only alarms raised before this instant (paging backwards through time). */
  beforeMs?: number;
  limit: number;
}

export interface PeriodQuery {
  vesselId?: VesselId;
  fromMs: number;
  toMs: number;
}

export interface FleetStatusService {
  statuses(nowMs?: number): Promise<VesselStatus[]>;
  status(vesselId: VesselId, nowMs?: number): Promise<VesselStatus | undefined>;
  trips(q: PeriodQuery): Promise<Trip[]>;
  nights(q: PeriodQuery): Promise<FishingNight[]>;
  completeness(q: {
    fromMs: number;
    toMs: number;
    vesselIds?: readonly VesselId[];
  }): Promise<CompletenessMatrix>;
  listAlarms(q: AlarmQuery): Promise<Alarm[]>;
  getAlarm(id: string): Promise<Alarm | undefined>;
  /** Throws {@link AlarmNotFoundError} or {@link AlarmStateError} (both carry a `code`). */
  acknowledgeAlarm(id: string, by: string, atMs?: number): Promise<Alarm>;
  /** One evaluation pass: statuses → alarm transitions → notifications. */
  evaluate(nowMs?: number): Promise<void>;
  /** Live updates for the dashboard (SSE); returns the unsubscribe function. */
  onChange(listener: (change: FleetChange) => void): () => void;
  /** Periodic evaluation every `config.evaluateEveryMs`. */
  start(): void;
  /** Stops the periodic evaluation, waits for a running pass and closes the alarm database. */
  stop(): Promise<void>;
}

export interface FleetStatusDeps {
  store: TelemetryStore;
  registry: RegistryIndex;
  /** SQLite file of the alarms; `':memory:'` allowed (alarms then die with the process). */
  alarmDbPath: string;
  notifiers?: Notifier[];
  config?: Partial<FleetStatusConfig>;
  clock?: { now(): number };
  logger?: Logger;
}

/** No alarm with that id. */
export class AlarmNotFoundError extends Error {
  override readonly name = 'AlarmNotFoundError';
  readonly code = 'ALARM_NOT_FOUND';
}

/** The alarm is not in a state that allows the transition (e.g. acknowledging a cleared alarm). */
export class AlarmStateError extends Error {
  override readonly name = 'AlarmStateError';
  readonly code = 'ALARM_STATE';
}
