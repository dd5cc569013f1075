import { z } from 'zod';
import { GatewayId, MeterId, VesselId } from './ids.js';

export { MeterId } from './ids.js';

/**
 * The effective-dated fleet registry: who each vessel is, and what it carried from which day on (LED and
 * replaced lamps, generator, meters, gateway). Calculations for a period use the configuration valid in
 * that period, so a lamp change in March never rewrites February's figures.
 *
 * Dates in the registry are local calendar dates in Viet Nam, because that is how officers record a
 * hand-over or a repair; instants are turned into local dates with {@link localDateOf}.
 */
export const REGISTRY_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** A real calendar day, `YYYY-MM-DD`, local to Viet Nam (2023-02-30 is rejected). */
export const LocalDate = z.iso.date({
  error: (issue) =>
    typeof issue.input === 'string'
      ? `${issue.input} is not a real calendar date written YYYY-MM-DD`
      : 'expected a calendar date written YYYY-MM-DD',
});
export type LocalDate = z.infer<typeof LocalDate>;

/**
 * Home ports of the project fleet and the districts they belonged to while the project ran (2017–2024;
 * Viet Nam abolished the district level in 2025, but the project records use it).
 */
export const DISTRICT_OF_HOME_PORT = {
  'Cửa Tùng': 'Vĩnh Linh',
  'Trung Giang': 'Gio Linh',
  'Gio Hải': 'Gio Linh',
  'Gio Việt': 'Gio Linh',
  'Cửa Việt': 'Gio Linh',
  'Triệu An': 'Triệu Phong',
} as const;

export const HomePort = z.enum(['Cửa Tùng', 'Trung Giang', 'Gio Hải', 'Gio Việt', 'Cửa Việt', 'Triệu An'], {
  error: 'the home port is one of Cửa Tùng, Trung Giang, Gio Hải, Gio Việt, Cửa Việt, Triệu An (Unicode NFC)',
});
export type HomePort = z.infer<typeof HomePort>;

export const District = z.enum(['Vĩnh Linh', 'Gio Linh', 'Triệu Phong'], {
  error: 'the district is one of Vĩnh Linh, Gio Linh, Triệu Phong (Unicode NFC)',
});
export type District = z.infer<typeof District>;

export const FishingGear = z.enum(['purse-seine', 'lift-net', 'squid-jigging']);
export type FishingGear = z.infer<typeof FishingGear>;

export const ReplacedLampType = z.enum(['metal-halide', 'high-pressure-sodium', 'halogen']);
export type ReplacedLampType = z.infer<typeof ReplacedLampType>;

export const LedLamps = z.strictObject({
  count: z.int().positive(),
  ratedW: z.number().positive(),
  model: z.string().trim().min(1),
});
export type LedLamps = z.infer<typeof LedLamps>;

/** The lamps the LEDs replaced: their rated power is the JCM reference (P_ref). */
export const ReplacedLamps = z.strictObject({
  count: z.int().positive(),
  ratedW: z.number().positive(),
  type: ReplacedLampType,
});
export type ReplacedLamps = z.infer<typeof ReplacedLamps>;

/** The diesel generator that powers the lamps (its fuel is what the LEDs save). */
export const OnboardGenerator = z.strictObject({
  ratedKw: z.number().positive(),
  fuel: z.literal('diesel'),
});
export type OnboardGenerator = z.infer<typeof OnboardGenerator>;

/** The cumulative kWh meter on the LED circuit: the source of the metered energy EC. */
export const EnergyMeter = z.strictObject({
  meterId: MeterId,
  calibratedOn: LocalDate,
  registerUnit: z.literal('kWh'),
});
export type EnergyMeter = z.infer<typeof EnergyMeter>;

export const FuelMeter = z.strictObject({
  meterId: MeterId,
  calibratedOn: LocalDate,
});
export type FuelMeter = z.infer<typeof FuelMeter>;

const wattsToKw = (watts: number): number => watts / 1000;

/**
 * One configuration of a vessel, valid from `validFrom` (inclusive, local date) until the next
 * version's `validFrom` (exclusive), or onwards if it is the last.
 */
export const VesselVersion = z
  .strictObject({
    validFrom: LocalDate,
    /** What changed and why: 'LED installation handed over', 'gateway swapped', … */
    change: z.string().trim().min(1, 'say what changed and why'),
    ledLamps: LedLamps,
    replacedLamps: ReplacedLamps,
    generator: OnboardGenerator,
    meter: EnergyMeter,
    fuelMeter: FuelMeter.nullable(),
    gatewayId: GatewayId,
  })
  .superRefine((version, ctx) => {
    const { ledLamps: led, replacedLamps: ref } = version;
    // Compared in watts (whole numbers in practice); kW only for the message.
    const ledW = led.count * led.ratedW;
    const refW = ref.count * ref.ratedW;
    const ledKw = wattsToKw(ledW);
    const refKw = wattsToKw(refW);
    if (ledW >= refW) {
      ctx.addIssue({
        code: 'custom',
        path: ['ledLamps'],
        message:
          `the LED load (${led.count} × ${led.ratedW} W = ${ledKw} kW) must be below the load of the lamps ` +
          `it replaced (${ref.count} × ${ref.ratedW} W = ${refKw} kW)`,
      });
    }
    if (version.generator.ratedKw * 1000 < ledW) {
      ctx.addIssue({
        code: 'custom',
        path: ['generator', 'ratedKw'],
        message: `a ${version.generator.ratedKw} kW generator cannot carry the LED load of ${ledKw} kW (${led.count} × ${led.ratedW} W)`,
      });
    }
    // A version can only rely on a calibration that had already happened when it took effect.
    for (const key of ['meter', 'fuelMeter'] as const) {
      const meter = version[key];
      if (meter && meter.calibratedOn > version.validFrom) {
        ctx.addIssue({
          code: 'custom',
          path: [key, 'calibratedOn'],
          message: `calibrated on ${meter.calibratedOn}, after this version took effect on ${version.validFrom}`,
        });
      }
    }
  });
export type VesselVersion = z.infer<typeof VesselVersion>;

const vesselIdentityShape = {
  vesselId: VesselId,
  /** The name painted on the boat; illustrative in the packaged data. */
  name: z.string().trim().min(1),
  owner: z.string().trim().min(1),
  homePort: HomePort,
  district: District,
  gear: FishingGear,
  enginePowerCv: z.number().min(200, 'project vessels are offshore boats with engines of at least 200 CV'),
  lengthM: z.number().positive(),
};

export const Vessel = z
  .strictObject({
    ...vesselIdentityShape,
    versions: z.array(VesselVersion).min(1, 'a vessel needs at least one configuration version'),
  })
  .superRefine((vessel, ctx) => {
    const expected = DISTRICT_OF_HOME_PORT[vessel.homePort];
    if (expected !== vessel.district) {
      ctx.addIssue({
        code: 'custom',
        path: ['district'],
        message: `${vessel.homePort} is in ${expected} district, not ${vessel.district}`,
      });
    }
    vessel.versions.forEach((version, i) => {
      const previous = vessel.versions[i - 1];
      if (previous && version.validFrom <= previous.validFrom) {
        ctx.addIssue({
          code: 'custom',
          path: ['versions', i, 'validFrom'],
          message:
            `versions must be in strictly increasing validFrom order: ${version.validFrom} does not come ` +
            `after ${previous.validFrom} (versions[${i - 1}])`,
        });
      }
    });
  });
export type Vessel = z.infer<typeof Vessel>;
/** A vessel without its version history: what stays the same for the life of the registration. */
export type VesselIdentity = Omit<Vessel, 'versions'>;

/** The file format: `fleet.json`. */
export const FleetRegistry = z
  .strictObject({
    schema: z.literal('qtled.fleet-registry/1'),
    /** True when the details are made up (modelled on public facts), never to be reported as real. */
    illustrative: z.boolean(),
    notice: z.string(),
    vessels: z.array(Vessel),
  })
  .superRefine((registry, ctx) => {
    const firstIndexOf = new Map<string, number>();
    registry.vessels.forEach((vessel, i) => {
      const first = firstIndexOf.get(vessel.vesselId);
      if (first === undefined) {
        firstIndexOf.set(vessel.vesselId, i);
      } else {
        ctx.addIssue({
          code: 'custom',
          path: ['vessels', i, 'vesselId'],
          message: `${vessel.vesselId} is listed twice (also at vessels[${first}]): vessel ids must be unique`,
        });
      }
    });
    checkExclusiveAssignment(registry.vessels, ctx, 'gateway', ['gatewayId'], (v) => v.gatewayId);
    checkExclusiveAssignment(registry.vessels, ctx, 'meter', ['meter', 'meterId'], (v) => v.meter.meterId);
  });
export type FleetRegistry = z.infer<typeof FleetRegistry>;

/** Exclusive end of validity for the last version: later than any `YYYY-MM-DD`. */
const OPEN_END = '9999-12-32';

interface Assignment {
  readonly vesselIndex: number;
  readonly versionIndex: number;
  readonly from: string;
  readonly to: string;
}

/**
 * A gateway (or meter) is on one vessel at a time: its assignments, merged over consecutive versions,
 * must not overlap across vessels. Sorting by start and comparing with the assignment that reaches
 * furthest so far finds every overlapping pair's later member in O(n log n), because one vessel's own
 * assignments never overlap each other (vessels with unsorted versions are left out: that is reported).
 */
function checkExclusiveAssignment(
  vessels: readonly Vessel[],
  ctx: z.RefinementCtx,
  what: string,
  pathInVersion: readonly string[],
  keyOf: (version: VesselVersion) => string,
): void {
  const byKey = new Map<string, Assignment[]>();
  vessels.forEach((vessel, vesselIndex) => {
    const { versions } = vessel;
    if (versions.some((v, i) => i > 0 && v.validFrom <= (versions[i - 1]?.validFrom ?? ''))) return;
    versions.forEach((version, versionIndex) => {
      const key = keyOf(version);
      if (versionIndex > 0 && keyOf(versions[versionIndex - 1] as VesselVersion) === key) return;
      let end = versionIndex + 1;
      while (end < versions.length && keyOf(versions[end] as VesselVersion) === key) end += 1;
      const assignment = {
        vesselIndex,
        versionIndex,
        from: version.validFrom,
        to: versions[end]?.validFrom ?? OPEN_END,
      };
      const list = byKey.get(key);
      if (list) list.push(assignment);
      else byKey.set(key, [assignment]);
    });
  });
  const describe = (a: Assignment): string =>
    `${vessels[a.vesselIndex]?.vesselId ?? '?'} (${a.from} until ${a.to === OPEN_END ? 'now' : a.to})`;
  for (const [key, assignments] of byKey) {
    if (assignments.length < 2) continue;
    assignments.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
    let furthest: Assignment | undefined;
    for (const current of assignments) {
      if (furthest && current.from < furthest.to && current.vesselIndex !== furthest.vesselIndex) {
        ctx.addIssue({
          code: 'custom',
          path: ['vessels', current.vesselIndex, 'versions', current.versionIndex, ...pathInVersion],
          message:
            `${what} ${key} is assigned to ${describe(current)} while it is still on ` +
            `${describe(furthest)}: a ${what} can be on one vessel at a time`,
        });
      }
      if (!furthest || current.to > furthest.to) furthest = current;
    }
  }
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * Every UTC offset in use is a whole number of quarter hours, so a local date can only change on a
 * quarter-hour boundary of UTC: one format per quarter hour answers every instant in it.
 */
const DATE_SPAN_MS = 900_000;
/** Per zone, the last quarter hour looked up and its local date (readings come in time order). */
const lastDates = new Map<string, { span: number; date: LocalDate }>();

/**
 * The local calendar date of an instant in a time zone (default: Viet Nam, the registry's zone), as
 * `YYYY-MM-DD`. Uses the platform's time-zone database rather than offset arithmetic, so it stays right
 * for any zone. Formatters are cached per zone because building one costs far more than using it, and
 * the date of the last quarter hour asked for is kept (ingest asks for every message): it is used only
 * when the quarter hour starts and ends on that date, so a zone whose date changes inside one (a
 * historical offset in seconds) is still formatted instant by instant.
 */
export function localDateOf(instant: Date | number, timeZone: string = REGISTRY_TIME_ZONE): LocalDate {
  const epochMs = typeof instant === 'number' ? instant : instant.getTime();
  if (!Number.isFinite(epochMs)) throw new RangeError(`localDateOf: not a valid instant: ${String(instant)}`);
  const span = Math.floor(epochMs / DATE_SPAN_MS);
  const last = lastDates.get(timeZone);
  if (last !== undefined && last.span === span) return last.date;
  const date = formatDate(epochMs, timeZone);
  const start = span * DATE_SPAN_MS;
  const end = start + DATE_SPAN_MS - 1;
  if (
    Math.abs(end) <= MAX_DATE_MS &&
    Math.abs(start) <= MAX_DATE_MS &&
    formatDate(start, timeZone) === date &&
    formatDate(end, timeZone) === date
  )
    lastDates.set(timeZone, { span, date });
  return date;
}

/** The largest instant a Date holds (±8.64e15 ms). */
const MAX_DATE_MS = 8.64e15;

function formatDate(epochMs: number, timeZone: string): LocalDate {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      calendar: 'iso8601',
      numberingSystem: 'latn',
    });
    dateFormats.set(timeZone, format);
  }
  let year = '';
  let month = '';
  let day = '';
  for (const part of format.formatToParts(epochMs)) {
    if (part.type === 'year') year = part.value.padStart(4, '0');
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
  }
  return `${year}-${month}-${day}`;
}

/** A vessel's configuration on one date: the version and the identity it belongs to. */
export interface VesselConfig {
  readonly vessel: VesselIdentity;
  readonly version: VesselVersion;
  /** The version applies from `version.validFrom` up to this date, exclusive; `null` while it is current. */
  readonly validTo: LocalDate | null;
}

/** A version clipped to a period: it applies on the local dates `from` ≤ d < `to`. */
export interface VersionSpan {
  readonly from: LocalDate;
  readonly to: LocalDate;
  readonly version: VesselVersion;
}

/**
 * Lookups on a validated registry. Built once by {@link indexRegistry}: maps from vessel and gateway ids
 * and binary search over dates keep every lookup O(log versions), whether the fleet has 40 boats or
 * 30,000. All dates are local dates in Viet Nam (`YYYY-MM-DD`); a malformed date throws a RangeError
 * rather than compare wrongly as a string. Unknown vessels and gateways give `undefined` or `[]`.
 */
export interface RegistryIndex {
  /** The registry the index was built from, for listing vessels. */
  readonly registry: FleetRegistry;
  /** The vessel with its full version history. */
  vessel(vesselId: VesselId): Vessel | undefined;
  /** The configuration valid on a local date; `undefined` before the vessel's first version. */
  configOn(vesselId: VesselId, date: LocalDate): VesselConfig | undefined;
  /** The configuration valid at an instant, i.e. on its local date in Viet Nam. */
  configAt(vesselId: VesselId, instant: Date | number): VesselConfig | undefined;
  /**
   * The versions that apply in the period `fromDate` ≤ d < `toDateExclusive`, in order, each clipped to
   * the period — what a calculation needs when lamps change mid-period. Days before the first version are
   * not covered by any span.
   */
  versionsBetween(vesselId: VesselId, fromDate: LocalDate, toDateExclusive: LocalDate): VersionSpan[];
  /** The vessel a gateway was installed on at a local date, with that configuration; `undefined` if none. */
  vesselForGateway(gatewayId: GatewayId, date: LocalDate): VesselConfig | undefined;
}

interface IndexedVessel {
  readonly vessel: Vessel;
  readonly identity: VesselIdentity;
}

interface GatewayAssignment {
  readonly from: LocalDate;
  readonly to: LocalDate;
  readonly entry: IndexedVessel;
  readonly versionIndex: number;
}

function checkDate(date: string, name: string): void {
  if (!LocalDate.safeParse(date).success) {
    throw new RangeError(
      `${name} must be a real calendar date written YYYY-MM-DD, got ${JSON.stringify(date)}`,
    );
  }
}

/** Index of the last element whose date is ≤ `date` in an ascending list, or -1. */
function lastAtOrBefore<T>(items: readonly T[], date: string, dateOf: (item: T) => string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dateOf(items[mid] as T) <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

const validFromOf = (version: VesselVersion): string => version.validFrom;

/** Builds the lookup index over a registry already validated with {@link FleetRegistry}. */
export function indexRegistry(registry: FleetRegistry): RegistryIndex {
  const vessels = new Map<string, IndexedVessel>();
  const gateways = new Map<string, GatewayAssignment[]>();
  for (const vessel of registry.vessels) {
    const { versions: _versions, ...identity } = vessel;
    const entry: IndexedVessel = { vessel, identity };
    vessels.set(vessel.vesselId, entry);
    vessel.versions.forEach((version, versionIndex) => {
      const assignment = {
        from: version.validFrom,
        to: vessel.versions[versionIndex + 1]?.validFrom ?? OPEN_END,
        entry,
        versionIndex,
      };
      const list = gateways.get(version.gatewayId);
      if (list) list.push(assignment);
      else gateways.set(version.gatewayId, [assignment]);
    });
  }
  for (const list of gateways.values()) list.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));

  const configOfVersion = (entry: IndexedVessel, versionIndex: number): VesselConfig | undefined => {
    const version = entry.vessel.versions[versionIndex];
    if (!version) return undefined;
    return {
      vessel: entry.identity,
      version,
      validTo: entry.vessel.versions[versionIndex + 1]?.validFrom ?? null,
    };
  };

  const configOn = (vesselId: VesselId, date: LocalDate): VesselConfig | undefined => {
    checkDate(date, 'configOn: date');
    const entry = vessels.get(vesselId);
    if (!entry) return undefined;
    return configOfVersion(entry, lastAtOrBefore(entry.vessel.versions, date, validFromOf));
  };

  return {
    registry,
    vessel: (vesselId) => vessels.get(vesselId)?.vessel,
    configOn,
    configAt: (vesselId, instant) => configOn(vesselId, localDateOf(instant, REGISTRY_TIME_ZONE)),
    versionsBetween(vesselId, fromDate, toDateExclusive) {
      checkDate(fromDate, 'versionsBetween: fromDate');
      checkDate(toDateExclusive, 'versionsBetween: toDateExclusive');
      if (toDateExclusive < fromDate) {
        throw new RangeError(
          `versionsBetween: the period ends (${toDateExclusive}) before it starts (${fromDate})`,
        );
      }
      const versions = vessels.get(vesselId)?.vessel.versions ?? [];
      const spans: VersionSpan[] = [];
      for (
        let i = Math.max(0, lastAtOrBefore(versions, fromDate, validFromOf));
        i < versions.length;
        i += 1
      ) {
        const version = versions[i] as VesselVersion;
        if (version.validFrom >= toDateExclusive) break;
        const from = version.validFrom > fromDate ? version.validFrom : fromDate;
        const next = versions[i + 1]?.validFrom;
        const to = next !== undefined && next < toDateExclusive ? next : toDateExclusive;
        if (from < to) spans.push({ from, to, version });
      }
      return spans;
    },
    vesselForGateway(gatewayId, date) {
      checkDate(date, 'vesselForGateway: date');
      const assignments = gateways.get(gatewayId) ?? [];
      const found = assignments[lastAtOrBefore(assignments, date, (a) => a.from)];
      if (!found || date >= found.to) return undefined;
      return configOfVersion(found.entry, found.versionIndex);
    },
  };
}

/**
 * What ingest checks of the registry, and no more: which vessels exist, and which gateway each carried on
 * which local dates (Viet Nam, `YYYY-MM-DD`). Built by {@link gatewayAssignmentsOf}; a few strings per
 * vessel where a {@link RegistryIndex} holds its whole history (30,000 vessels: a few MB, not 165).
 * Because the registry puts a gateway on at most one vessel at a time, "the gateway the registry puts on
 * the vessel on that date" and "the vessel the registry puts that gateway on" agree.
 */
export interface GatewayAssignments {
  /** Whether the vessel is in the registry. */
  has(vesselId: VesselId): boolean;
  /** The gateway on the vessel on a local date; `undefined` before its first version, or for an unknown vessel. */
  gatewayOn(vesselId: VesselId, date: LocalDate): GatewayId | undefined;
  /** Every vessel's id, in the registry's order. */
  vesselIds(): Iterable<VesselId>;
}

/** Builds the {@link GatewayAssignments} of a registry already validated with {@link FleetRegistry}. */
export function gatewayAssignmentsOf(registry: FleetRegistry): GatewayAssignments {
  /** Per vessel, its periods flat: `[validFrom, gatewayId, validFrom, gatewayId, …]`, ascending. */
  const periods = new Map<VesselId, readonly string[]>();
  for (const vessel of registry.vessels) {
    const flat: string[] = [];
    for (const version of vessel.versions) flat.push(version.validFrom, version.gatewayId);
    periods.set(vessel.vesselId, flat);
  }
  return {
    has: (vesselId) => periods.has(vesselId),
    gatewayOn(vesselId, date) {
      const flat = periods.get(vesselId);
      if (flat === undefined) return undefined;
      // The last period starting on or before the date (versions are few: a scan from the end).
      for (let i = flat.length - 2; i >= 0; i -= 2) {
        if ((flat[i] as string) <= date) return flat[i + 1] as GatewayId;
      }
      return undefined;
    },
    vesselIds: () => periods.keys(),
  };
}
