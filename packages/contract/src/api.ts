import { z } from 'zod';
import { ROLES, SERIES_FIELDS } from './code-lists.js';
import { Alarm, FishingNight, Trip, VesselStatus } from './fleet-status.js';
import { VesselId } from './ids.js';
import { PartnerId } from './partner-package.js';
import { District, HomePort, LedLamps, Vessel } from './registry.js';

/**
 * The HTTP API's own response shapes, beside the fleet status (`fleet-status.ts`) and emissions
 * (`emissions-result.ts`) ones they carry. The API serializes each response through its schema, and the
 * dashboard takes its types from them, so the server and the browser cannot disagree about a field.
 */

export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const SessionUser = z.object({
  username: z.string(),
  role: Role,
  mustChangePassword: z
    .boolean()
    .describe('a one-time password (the first admin): only POST /api/v1/auth/password is open until changed'),
});
export type SessionUser = z.infer<typeof SessionUser>;

export const LoginResponse = z.object({
  token: z.string().describe('send as "Authorization: Bearer <token>"'),
  expiresAtMs: z.number(),
  user: SessionUser,
});
export type LoginResponse = z.infer<typeof LoginResponse>;

/** Who a token belongs to: a person's session or an API token, with its scopes (null: no limit). */
export const Me = z
  .object({
    username: z.string(),
    role: Role,
    kind: z.enum(['session', 'api-token']),
    partner: PartnerId.nullable().describe('the partner whose data packages this caller sees'),
    scopes: z.array(z.string()).nullable(),
    expiresAtMs: z.number().nullable(),
    mustChangePassword: z.boolean().describe('only POST /api/v1/auth/password is open until changed'),
  })
  .meta({ id: 'Me' });
export type Me = z.infer<typeof Me>;

/** The newest stored reading of a vessel, as the vessel list shows it. */
export const LatestReading = z
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
export type LatestReading = z.infer<typeof LatestReading>;

/**
 * A vessel of the list: who it is, its lamps today, its status and latest reading. `status` is null before
 * the status service has seen the vessel. (`Vessel` is the registry entry; this is the API's view of it.)
 */
export const VesselView = z
  .object({
    vesselId: VesselId,
    name: z.string(),
    homePort: HomePort,
    district: District,
    ledLamps: LedLamps.nullable().describe(
      'the LED lamps of the configuration in force today (null before the first version)',
    ),
    status: VesselStatus.nullable(),
    latest: LatestReading.nullable(),
  })
  .meta({ id: 'Vessel' });
export type VesselView = z.infer<typeof VesselView>;

export const VesselList = z.object({ vessels: z.array(VesselView) });
export type VesselList = z.infer<typeof VesselList>;

/** `GET /api/v1/vessels/:id`: the vessel plus its registry entry with every configuration version. */
export const VesselDetail = VesselView.extend({
  registry: Vessel.describe('the registry entry, every version'),
}).meta({ id: 'VesselDetail' });
export type VesselDetail = z.infer<typeof VesselDetail>;

export const SeriesField = z.enum(SERIES_FIELDS);
export type SeriesField = z.infer<typeof SeriesField>;

/** One downsampled bucket; only the fields asked for are in `values`. */
export const SeriesPoint = z.object({
  tMs: z.number(),
  values: z.partialRecord(SeriesField, z.number().nullable()),
});
export type SeriesPoint = z.infer<typeof SeriesPoint>;

export const SeriesResponse = z
  .object({
    vesselId: VesselId,
    fromMs: z.number(),
    toMs: z.number(),
    stepMs: z.number(),
    fields: z.array(SeriesField),
    points: z
      .array(SeriesPoint)
      .describe('one per bucket with readings; a bucket without readings is absent (a gap)'),
  })
  .meta({ id: 'Series' });
export type SeriesResponse = z.infer<typeof SeriesResponse>;

export const TripList = z.object({ trips: z.array(Trip) });
export type TripList = z.infer<typeof TripList>;

export const NightList = z.object({ nights: z.array(FishingNight) });
export type NightList = z.infer<typeof NightList>;

export const AlarmPage = z.object({
  alarms: z.array(Alarm),
  nextBefore: z.string().nullable().describe('pass as `before` for the next page; null on the last'),
});
export type AlarmPage = z.infer<typeof AlarmPage>;

/** What the audit log records: sign-ins, account and registry changes, alarm acknowledgements, exports, packages. */
export const AUDIT_ACTIONS = [
  'login',
  'login-failed',
  'logout',
  'password-changed',
  'user-created',
  'user-changed',
  'user-deleted',
  'token-created',
  'token-revoked',
  'registry-replaced',
  'alarm-acknowledged',
  'emissions-exported',
  'package-issued',
  'package-downloaded',
  'dead-letter-replayed',
] as const;
export const AuditAction = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditAction>;

export const AuditEntry = z
  .object({
    seq: z.int(),
    atMs: z.number(),
    actor: z.string().describe('the username, "token:<name>", or the name given at a failed login'),
    action: AuditAction,
    target: z.string().nullable().describe('what it was done to: a user, a token id, a package, an alarm'),
    detail: z.record(z.string(), z.unknown()).nullable(),
    ip: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntry>;
