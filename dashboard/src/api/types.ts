/**
 * What the HTTP API sends: every shape is the contract's, inferred from the very schemas the API
 * serializes its responses through, so the page and the server cannot disagree about a field. Type imports
 * only: nothing of the server (nor zod) reaches the browser bundle.
 */
import type {
  Alarm,
  PackageReceipt,
  LatestReading,
  Role,
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
  PACKAGE_RECEIPT_KINDS as RECEIPT_KINDS,
  PACKAGE_SCOPES,
  PARTNER_IDS,
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
  Me,
  MethodologyVariant,
  PackageIssueOutcome,
  PackageLanguage,
  PackageReceipt,
  PackageScheduleEntry,
  PackageScope,
  PackageSigningKey,
  PackageSummary,
  PartnerId,
  PlatformPhase,
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

/**
 * The admin routes' shapes (services/api/src/routes/users.ts, tokens.ts, ingest.ts, health.ts). They are
 * declared in those routes rather than in the contract, so they are written out here; the names follow the
 * routes' schema ids (`User`, `ApiToken`, `DeadLetter`).
 */
export interface UserAccount {
  username: string;
  role: Role;
  createdAtMs: number;
}

/** What a token may be limited to (services/api/src/auth/permissions.ts `SCOPES`). */
export const TOKEN_SCOPES = ['fleet', 'alarms', 'emissions', 'registry', 'live', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface ApiTokenRecord {
  id: string;
  name: string;
  role: Role;
  /** null: everything the role allows. */
  scopes: TokenScope[] | null;
  createdAtMs: number;
  createdBy: string;
  expiresAtMs: number | null;
  revokedAtMs: number | null;
  lastUsedAtMs: number | null;
}

/** `POST /api/v1/tokens`: the token itself is in this answer only. */
export interface CreatedApiToken {
  token: string;
  record: ApiTokenRecord;
}

export interface DeadLetter {
  id: string;
  receivedAtMs: number;
  topic: string;
  /** A decode code of the contract, `unknown-vessel`, `time-before-epoch-floor` or `time-in-future`. */
  reason: string;
  message: string;
  /** Whole from `GET /dead-letters/:id`; its first 500 characters in the list. */
  payload: string;
  payloadEncoding: 'utf8' | 'base64';
  payloadBytes: number;
  replayedAtMs: number | null;
}

/** `GET /readyz` (200 ready, 503 not ready, the same body). */
export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** A package receipt's kind (issued, download, delivery). */
export type ReceiptKind = PackageReceipt['kind'];
