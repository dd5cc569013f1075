import type {
  Alarm,
  AlarmState,
  CompletenessMatrix,
  FishingNight,
  FleetChange,
  RegistryIndex,
  Trip,
  VesselId,
  VesselStatus,
} from '@qt-led/contract';
import type { Logger } from '@qt-led/runtime';
import type { StoredReading, TelemetryStore } from '@qt-led/store';
import type { FleetStatusConfig } from './config.js';
import type { Notifier } from './notifiers/notifier.js';

/**
 * The public shapes of the fleet status service. The API, the dashboard and the platform compile against
 * these names; they only ever gain fields.
 */

export {
  VESSEL_STATUS_CODES,
  type VesselStatusCode,
  type VesselStatusEvidence,
  type VesselStatus,
  type Trip,
  type FishingNight,
  type CompletenessCell,
  type CompletenessMatrix,
  ALARM_TYPES,
  type AlarmType,
  ALARM_STATES,
  type AlarmState,
  type AlarmNotification,
  type Alarm,
  type FleetChange,
} from '@qt-led/contract';

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

/** A vessel's status with the latest reading it was derived from (the fleet overview's row). */
export interface VesselOverview {
  status: VesselStatus;
  /** Null when nothing was ever stored for the vessel. */
  latest: StoredReading | null;
}

export interface FleetStatusService {
  statuses(nowMs?: number): Promise<VesselStatus[]>;
  status(vesselId: VesselId, nowMs?: number): Promise<VesselStatus | undefined>;
  /** Every registered vessel's status and latest reading, from state kept up to date (no history read). */
  overview(nowMs?: number): Promise<VesselOverview[]>;
  /** One vessel's status and latest reading; undefined when the registry does not list it. */
  vesselOverview(vesselId: VesselId, nowMs?: number): Promise<VesselOverview | undefined>;
  /**
   * Readings just durably stored (ingest's hand-over in this process, or the broker's stored-readings
   * notices): folded into the kept state. Optional for correctness — the state also checks the store — but
   * it spares re-reading a window when late readings land in it.
   */
  noteStoredReadings(readings: readonly StoredReading[]): void;
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
