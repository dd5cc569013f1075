import { z } from 'zod';

const positiveMs = z.int().positive();
const DAY_MS = 86_400_000;

/**
 * Every threshold of the status derivation and the alarms, validated once with zod. The defaults are
 * chosen for the Quang Tri fleet; README.md gives the reason for each.
 */
export const FleetStatusConfig = z.strictObject({
  /** Expected gap between readings (the firmware's factory sampling interval is 60 s). */
  samplingIntervalMs: positiveMs.default(60_000),
  /** Heartbeat interval of the firmware (factory 300 s): silence is judged against it. */
  heartbeatIntervalMs: positiveMs.default(300_000),
  /** Offset of local time east of UTC, minutes (Viet Nam, UTC+7, no daylight saving). */
  utcOffsetMinutes: z.int().min(-720).max(840).default(420),
  /**
   * Local hour at which one fishing night ends and the next begins; 12 = noon-to-noon, so a night that
   * starts at 18:00 and ends at 05:00 is dated by the evening it began.
   */
  nightBoundaryLocalHour: z.int().min(0).max(23).default(12),
  /** A boat within this distance of a home port mooring is in port (river-mouth harbours). */
  portRadiusNm: z.number().positive().default(1.5),
  /**
   * Beyond this distance from the coast a silent boat is expected to be out of coverage. Coastal GSM/LTE
   * reaches ~13.5–16 nm (25–30 km) off this coast; a boat leaving coverage sends its last batch up to 5 min
   * (~0.75 nm at 9 kn) before the edge, so the line sits at the inner edge less that margin.
   */
  coverageRadiusNm: z.number().positive().default(12),
  /**
   * Longest plausible time out of coverage per gear: a boat silent longer than this is not explained by
   * coverage. Purse seiners make 8–10-day trips; lift-net and squid boats go out for one night.
   */
  maxTripDurationByGearMs: z
    .strictObject({
      'purse-seine': positiveMs,
      'lift-net': positiveMs,
      'squid-jigging': positiveMs,
    })
    .default({ 'purse-seine': 12 * DAY_MS, 'lift-net': 2 * DAY_MS, 'squid-jigging': 2 * DAY_MS }),
  /** A boat reporting at least this speed over ground is under way (moored and drifting boats stay below). */
  movingSpeedKn: z.number().positive().default(2),
  /** No reading nor heartbeat for this long while in coverage or in port: possible gateway fault. */
  silentAfterMs: positiveMs.default(30 * 60_000),
  /** How long the silence must last before the gateway-silent alarm is raised. */
  gatewaySilentAlarmAfterMs: positiveMs.default(2 * 3600_000),
  /**
   * Relative deviation of LED power from lampsOn × rated W × the boat's normal draw that counts as a fault.
   * The generator and drivers move the draw by ±2 %; 5 % is one dark lamp in 20, two in 40.
   */
  ledFaultTolerance: z.number().positive().max(1).default(0.05),
  /** Continuous LED fault while lamps are on before the alarm is raised. */
  ledFaultAlarmAfterMs: positiveMs.default(15 * 60_000),
  /** Device clock skew beyond this is a clock fault. */
  clockSkewToleranceMs: positiveMs.default(5 * 60_000),
  /** Device times before this instant are absurd (a clock reset to 1970); default 2017-01-01 UTC. */
  clockFloorMs: z
    .int()
    .min(0)
    .default(Date.UTC(2017, 0, 1)),
  /** Clock fault must hold this long before the alarm (one bad batch during a GPS fix is tolerated). */
  clockSkewAlarmAfterMs: z
    .int()
    .min(0)
    .default(10 * 60_000),
  /** Heartbeats compared for a growing backlog, and the growth that counts. */
  backlogHeartbeats: z.int().min(2).default(4),
  backlogMinGrowth: z.int().min(1).default(10),
  /** Backlog growth must persist this long before the alarm. */
  backlogAlarmAfterMs: z
    .int()
    .min(0)
    .default(30 * 60_000),
  /**
   * Readings missing from the gap ledger (seqs the store lacks between two it holds) that count as a data
   * gap once the gateway reports an empty queue: nothing left on board to fill them.
   */
  dataGapMinReadings: z.int().min(1).default(5),
  /** Readings from a gateway the registry does not assign to the vessel are searched this far back. */
  registryLookbackMs: positiveMs.default(24 * 3600_000),
  /** A lamp-on interval continues across a hole shorter than this (a lost reading is not a switch-off). */
  lampGapToleranceMs: positiveMs.default(10 * 60_000),
  /** Lamp-on intervals shorter than this are not a fishing night (a test of the lamps in port). */
  minNightMs: positiveMs.default(60 * 60_000),
  /** A departure needs this long outside the port geofence (a harbour manoeuvre is no trip). */
  minTripMs: positiveMs.default(60 * 60_000),
  /** Readings before the latest one looked at for the status (the last night, the trip state, gaps). */
  statusWindowMs: positiveMs.default(36 * 3600_000),
  /** History used for a boat's normal LED draw against its rating. */
  ledBaselineWindowMs: positiveMs.default(14 * DAY_MS),
  /** Readings fetched beyond a trips query on each side, so trips crossing its ends are whole. */
  tripSearchMarginMs: positiveMs.default(14 * DAY_MS),
  /** Period of the periodic evaluation. */
  evaluateEveryMs: positiveMs.default(60_000),
  /** Notification retries (after the first attempt) and the base of the exponential backoff. */
  notifyRetries: z.int().min(0).max(10).default(3),
  notifyBackoffMs: z.int().min(0).default(1_000),
});
export type FleetStatusConfig = z.infer<typeof FleetStatusConfig>;

/** The config with defaults filled in; throws a ZodError naming the bad field. */
export function parseFleetStatusConfig(input: Partial<FleetStatusConfig> = {}): FleetStatusConfig {
  return FleetStatusConfig.parse(input);
}

export const DEFAULT_FLEET_STATUS_CONFIG: FleetStatusConfig = parseFleetStatusConfig();
