/**
 * The code lists of the API as plain values, without a schema: the dashboard imports them as values, and
 * this module must never import zod, so that nothing of zod reaches the browser bundle. The schemas that
 * validate these codes (`fleet-status.ts`, `api.ts`) are built from these very arrays.
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

export const ALARM_TYPES = [
  'led-fault',
  'gateway-silent',
  'clock-skew',
  'backlog-growing',
  'data-gap',
  'registry-mismatch',
  'readings-dropped',
] as const;

export const ALARM_STATES = ['raised', 'acknowledged', 'cleared'] as const;

/** Who a user or an API token is to the API; the permission table says what each may call. */
export const ROLES = ['officer', 'analyst', 'partner', 'admin'] as const;

/** The partners who receive data packages: NEDO the emission figures, Stanley Electric the LED performance. */
export const PARTNER_IDS = ['nedo', 'stanley-electric'] as const;

/** What a data package holds. */
export const PACKAGE_SCOPES = ['emissions', 'led-performance'] as const;

/** What a package receipt records: its issue, a download, a delivery attempt. */
export const PACKAGE_RECEIPT_KINDS = ['issued', 'download', 'delivery'] as const;

/** The numeric fields a telemetry series can be asked for (the store keeps the same list). */
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

/** Where the platform stands with its simulated fleet (the `PlatformPhase` schema's `phase`). */
export const PLATFORM_PHASES = ['history', 'catching-up', 'live'] as const;

/** What a platform without a simulated fleet reports as its phase (a `PlatformPhase`). */
export const LIVE_WITHOUT_SIMULATION = {
  phase: 'live',
  fraction: 1,
  simulatedMs: null,
  sampled: 0,
  acked: 0,
  pending: 0,
} as const;
