/**
 * What the HTTP API sends: every shape is the contract's, inferred from the very schemas the API
 * serializes its responses through, so the page and the server cannot disagree about a field. Type imports
 * only: nothing of the server (nor zod) reaches the browser bundle.
 */
import type {
  Alarm,
  LatestReading,
  VesselDetail as VesselDetailResponse,
  VesselId,
  VesselStatus,
  VesselView,
} from '@qt-led/contract';

// The code lists as values: from the contract's own module, which holds no schema (nothing of zod reaches
// the bundle).
export {
  ALARM_STATES,
  ALARM_TYPES,
  ROLES,
  SERIES_FIELDS,
  VESSEL_STATUS_CODES,
} from '@qt-led/contract/code-lists';

export type {
  Alarm,
  AlarmState,
  AlarmType,
  CompletenessCell,
  CompletenessMatrix,
  District,
  FishingNight,
  HomePort,
  LatestReading,
  LocalDate,
  LoginResponse,
  MethodologyVariant,
  Role,
  SeriesField,
  SeriesPoint,
  SeriesResponse,
  SessionUser,
  Trip,
  Vessel,
  VesselId,
  VesselStatus,
  VesselStatusCode,
  VesselView,
  VesselDetail as VesselDetailResponse,
  EmissionsReport,
  FleetResult as EmissionsResult,
  VesselResult as EmissionsVessel,
  SubPeriodResult as EmissionsSubPeriod,
} from '@qt-led/contract';

/** A vessel as pages use it: the client puts a `no-data` status in place of a missing one. */
export type VesselSummary = Omit<VesselView, 'status'> & { status: VesselStatus };

/** `GET /api/v1/vessels/:id`: the vessel plus its registry entry with every configuration version. */
export type VesselDetail = Omit<VesselDetailResponse, 'status'> & { status: VesselStatus };

/** Live changes pushed over `GET /api/v1/stream` (SSE event name → data). */
export interface StreamEvents {
  status: VesselStatus;
  alarm: Alarm;
  /** The stored reading as the store keeps it; typed here only as far as the dashboard shows it. */
  reading: { vesselId: VesselId } & Partial<LatestReading>;
}

export interface ApiErrorBody {
  error: { code: string; message: string; issues?: unknown[] };
}
