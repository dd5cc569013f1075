/**
 * What the HTTP API sends (interfaces.md §2 and §3). Identities, status, trips, nights, completeness and
 * alarms are the contract package's types (type imports only: nothing of the server reaches the browser
 * bundle).
 */
import type {
  Alarm,
  District,
  HomePort,
  LocalDate,
  MethodologyVariant,
  Vessel,
  VesselId,
  VesselStatus,
} from '@qt-led/contract';

// The code lists as values: from the contract's own module, which holds no schema (nothing of zod reaches
// the bundle).
export { ALARM_STATES, ALARM_TYPES, VESSEL_STATUS_CODES } from '@qt-led/contract/fleet-status';

export type {
  Alarm,
  AlarmState,
  AlarmType,
  CompletenessCell,
  CompletenessMatrix,
  District,
  FishingNight,
  HomePort,
  LocalDate,
  MethodologyVariant,
  Trip,
  Vessel,
  VesselId,
  VesselStatus,
  VesselStatusCode,
} from '@qt-led/contract';

export const ROLES = ['officer', 'analyst', 'partner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface SessionUser {
  username: string;
  role: Role;
}

export interface LoginResponse {
  token: string;
  expiresAtMs: number;
  user: SessionUser;
}

export interface LatestReading {
  deviceTimeMs: number;
  ledPowerW: number | null;
  ledEnergyKwh: number | null;
  lampsOn: number | null;
  fuelTotalL: number | null;
  lat: number | null;
  lon: number | null;
}

/** A vessel as the API sends it: `status` is null before the status service has seen the vessel. */
export interface VesselView {
  vesselId: VesselId;
  name: string;
  homePort: HomePort;
  district: District;
  /** The LED lamps in force today; null before the vessel's first configuration. */
  ledLamps: { count: number; ratedW: number; model: string } | null;
  status: VesselStatus | null;
  latest: LatestReading | null;
}

/** A vessel as pages use it: the client puts a `no-data` status in place of a missing one. */
export interface VesselSummary extends Omit<VesselView, 'status'> {
  status: VesselStatus;
}

/** `GET /api/v1/vessels/:id`: the vessel plus its registry entry with every configuration version. */
export interface VesselDetail extends VesselSummary {
  registry?: Vessel | undefined;
}

export const SERIES_FIELDS = [
  'ledPowerW',
  'ledEnergyKwh',
  'lampsOn',
  'fuelRateLph',
  'fuelTotalL',
  'speedKn',
  'lat',
  'lon',
] as const;
export type SeriesField = (typeof SERIES_FIELDS)[number];

export interface SeriesPoint {
  tMs: number;
  values: Partial<Record<SeriesField, number | null>>;
}

export interface SeriesResponse {
  vesselId: VesselId;
  fromMs: number;
  toMs: number;
  stepMs: number;
  fields: SeriesField[];
  points: SeriesPoint[];
}

/**
 * The emissions report, as the calculator (`@qt-led/jcm` FleetResult) produces it. Only the fields the
 * page reads are typed; the drill-down shows every numeric intermediate it finds, so a field added by
 * the calculator appears without a dashboard change.
 */
export interface EmissionsSubPeriod {
  fromDate: LocalDate;
  toDateExclusive: LocalDate;
  registryChange: string;
  meterId: string;
  route?: Record<string, unknown>;
  [intermediate: string]: unknown;
}

export interface EmissionsVessel {
  vesselId: VesselId;
  status: 'calculated' | 'no-configuration';
  energyKwh: number;
  observedEnergyKwh: number;
  substitutedEnergyKwh: number;
  lampOnHours: number;
  fuelL: number | null;
  referenceEmissionsTco2: number;
  projectEmissionsTco2: number;
  emissionReductionsTco2: number;
  subPeriods: EmissionsSubPeriod[];
  unobservedWindows?: {
    fromMs: number;
    toMs: number;
    hours: number;
    reason: string;
    treatment: string;
    substitutedEnergyKwh: number;
  }[];
  completeness: { energyObservedRatio: number | null; readingsRatio: number | null; [k: string]: unknown };
  flags: string[];
}

export interface EmissionsResult {
  schema: string;
  provenance: {
    methodologyId: string;
    methodologyVersion: string;
    variant: MethodologyVariant;
    calculatorVersion: string;
    parameterSetSha256: string;
    inputSha256: string;
  };
  period: { from: LocalDate; toExclusive: LocalDate; timeZone: string; hours: number };
  fleet: {
    energyMwh: number;
    lampOnHours: number;
    fuelL: number | null;
    referenceEmissionsTco2: number;
    projectEmissionsTco2: number;
    emissionReductionsTco2: number;
    emissionReductionsReportedTco2: number;
    completeness: { energyObservedRatio: number | null; readingsRatio: number | null; [k: string]: unknown };
  };
  vessels: EmissionsVessel[];
}

/** Live changes pushed over `GET /api/v1/stream` (SSE event name → data). */
export interface StreamEvents {
  status: VesselStatus;
  alarm: Alarm;
  /** The stored reading (`@qt-led/store` StoredReading); only the fields the dashboard shows are typed. */
  reading: { vesselId: VesselId } & Partial<LatestReading> & { fuelRateLph?: number | null };
}

export interface ApiErrorBody {
  error: { code: string; message: string; issues?: unknown[] };
}
