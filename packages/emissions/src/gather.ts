import { createHash } from 'node:crypto';
import type { LocalDate, RegistryIndex, VesselId } from '@qt-led/contract';
import {
  canonicalJson,
  type EnergyRegisterReading,
  type FleetPeriodInput,
  type FuelRegisterReading,
  type LampOnInterval,
  localDateStartMs,
  type MeterReplacement,
  type VesselPeriodInput,
} from '@qt-led/jcm';
import { mapConcurrent } from '@qt-led/runtime';
import type { RegisterReading, StoredReading, TelemetryStore } from '@qt-led/store';
import { createVesselDayCache, DAY_MS, type VesselDay, type VesselDayCache } from './vessel-days.js';

export interface GatherOptions {
  /** The gateways' sampling interval: a day holds 86,400 / interval readings when nothing is lost. */
  samplingIntervalS: number;
  /**
   * Consecutive readings further apart than this do not make a lamp-on interval between them: what the
   * lamps did in an unobserved stretch is not known (the register still bounds its energy).
   */
  maxLampOnStepMs: number;
  /** How far before and after the period to look for the bounding register readings. */
  boundarySearchMs: readonly number[];
}

export const DEFAULT_GATHER_OPTIONS: GatherOptions = {
  samplingIntervalS: 60,
  maxLampOnStepMs: 15 * 60_000,
  boundarySearchMs: [86_400_000, 7 * 86_400_000, 45 * 86_400_000],
};

/**
 * Vessels gathered at once. InfluxDB: the reads of a turn go out batched in a few requests, so a hundred
 * vessels cost about what one does; SQLite answers synchronously, so a few suffice.
 */
export const GATHER_CONCURRENCY = { influxdb: 100, sqlite: 4 } as const;

/** A reading as the gathering uses it: the register fields of a stored reading. */
type Point = Pick<
  RegisterReading,
  'deviceTimeMs' | 'ledEnergyKwh' | 'ledMeterId' | 'fuelTotalL' | 'lampsOn' | 'bootId' | 'seq'
>;

/**
 * Fills the calculator's input for one vessel and period from the storage port and the registry: the
 * period's readings plus the last reading before and the first after it (so that energy at the boundaries
 * comes from the register), each energy reading with the LED meter's serial when the gateway sent one and
 * the `meter-replaced` events the gateway reported in that window (so a new meter is never bridged to the
 * old one, with or without an event), lamp-on intervals from `lampsOn`, daily completeness and the gap
 * ledger.
 */
export async function gatherVesselInput(
  store: TelemetryStore,
  registry: RegistryIndex,
  vesselId: VesselId,
  from: LocalDate,
  toExclusive: LocalDate,
  options: GatherOptions = DEFAULT_GATHER_OPTIONS,
): Promise<VesselPeriodInput> {
  const days = createVesselDayCache(store, 0);
  return (await gatherVessel(store, days, registry, vesselId, from, toExclusive, options)).input();
}

/**
 * The fleet's input for a period (vessels without a registry version in it have nothing to report and are
 * left out) and its **input key**: SHA-256 over the period, the options and, per vessel, its registry
 * versions, boundary readings, meter events and the digests of its vessel-days. The key identifies the
 * gathered data exactly (the result cache is keyed by it), costs a few hashes of 32 bytes once the days
 * are read, and is not the result's `inputSha256`, which the calculator takes over the normalised input.
 */
export async function gatherFleetInput(
  store: TelemetryStore,
  days: VesselDayCache,
  registry: RegistryIndex,
  vesselIds: readonly VesselId[],
  from: LocalDate,
  toExclusive: LocalDate,
  options: GatherOptions = DEFAULT_GATHER_OPTIONS,
): Promise<{ inputKey: string; input: () => FleetPeriodInput }> {
  const key = createHash('sha256').update(
    `qtled.emissions-input-key/1\n${canonicalJson({ from, toExclusive, options })}\n`,
  );
  // Not yet equipped in the period: nothing to read.
  const equipped = vesselIds.filter(
    (vesselId) => registry.versionsBetween(vesselId, from, toExclusive).length > 0,
  );
  // Vessels at once (bounded), keyed in the order given.
  const gathered = await mapConcurrent(equipped, GATHER_CONCURRENCY[store.kind], (vesselId) =>
    gatherVessel(store, days, registry, vesselId, from, toExclusive, options),
  );
  const vessels: (() => VesselPeriodInput)[] = [];
  for (const g of gathered) {
    vessels.push(g.input);
    key.update(g.digest);
  }
  return {
    inputKey: key.digest('hex'),
    // Built only when the result is not cached: a month's million reading objects are the costly part.
    input: () => ({ period: { from, toExclusive }, vessels: vessels.map((input) => input()) }),
  };
}

async function gatherVessel(
  store: TelemetryStore,
  cache: VesselDayCache,
  registry: RegistryIndex,
  vesselId: VesselId,
  from: LocalDate,
  toExclusive: LocalDate,
  options: GatherOptions,
): Promise<{ digest: Buffer; input: () => VesselPeriodInput }> {
  const startMs = localDateStartMs(from);
  const endMs = localDateStartMs(toExclusive);
  const periodDays = Math.round((endMs - startMs) / DAY_MS);
  const margins = options.boundarySearchMs;
  // The usual first search for a boundary reading is the day next to the period: read as a vessel-day too.
  const dayMargin = margins[0] === DAY_MS;
  const read = await cache.days(
    vesselId,
    dayMargin ? startMs - DAY_MS : startMs,
    periodDays + (dayMargin ? 2 : 0),
  );
  const inside = dayMargin ? read.slice(1, -1) : read;
  // The two boundaries are independent: searched at the same time.
  const [before, after] = await Promise.all([
    boundaryReading(
      dayMargin ? lastWithRegister(read[0] as VesselDay) : undefined,
      dayMargin ? margins.slice(1) : margins,
      (margin) => store.registerReadings(vesselId, startMs - margin, startMs),
      'last',
    ),
    boundaryReading(
      dayMargin ? firstWithRegister(read.at(-1) as VesselDay) : undefined,
      dayMargin ? margins.slice(1) : margins,
      (margin, limit) => store.registerReadings(vesselId, endMs, endMs + margin, limit),
      'first',
    ),
  ]);

  const windowFromMs = before?.deviceTimeMs ?? startMs;
  const windowToMs = (after?.deviceTimeMs ?? endMs) + 1;
  const meterReplacements = (
    await store.deviceMessages({ vesselId, kinds: ['event'], fromMs: windowFromMs, toMs: windowToMs })
  ).flatMap((m): MeterReplacement[] =>
    m.kind === 'event' && m.payload.event.type === 'meter-replaced'
      ? [
          {
            atMs: m.atMs,
            sensor: m.payload.event.sensor,
            lastRegister: m.payload.event.lastRegister,
            firstRegister: m.payload.event.firstRegister,
          },
        ]
      : [],
  );
  const versions = registry.versionsBetween(vesselId, from, toExclusive);
  const digest = createHash('sha256').update(
    `${canonicalJson({ vesselId, versions, before: before ?? null, after: after ?? null, meterReplacements })}\n`,
  );
  for (const day of inside) digest.update(day.digest);

  const input = (): VesselPeriodInput => {
    const all = flatten(before, inside, after);
    const energyReadings: EnergyRegisterReading[] = [];
    const fuelReadings: FuelRegisterReading[] = [];
    for (let i = 0; i < all.length; i++) {
      const atMs = all.deviceTimeMs[i] as number;
      const bootId = all.bootIds[i] as string;
      const kwh = all.ledEnergyKwh[i] as number;
      const litres = all.fuelTotalL[i] as number;
      const meterId = all.meterIds[i] ?? null;
      if (!Number.isNaN(kwh)) {
        energyReadings.push(
          meterId === null ? { atMs, registerKwh: kwh, bootId } : { atMs, registerKwh: kwh, bootId, meterId },
        );
      }
      if (!Number.isNaN(litres)) fuelReadings.push({ atMs, registerL: litres, bootId });
    }
    const perDay = Math.round(86_400 / options.samplingIntervalS);
    const days = inside.map((day, i) => ({
      date: addDays(from, i),
      expectedReadings: perDay,
      receivedReadings: Math.min(perDay, day.length),
    }));
    return {
      vesselId,
      versions,
      energyReadings,
      fuelReadings,
      meterReplacements,
      lampOnIntervals: lampOnIntervalsOf(all.deviceTimeMs, all.lampsOn, all.length, options.maxLampOnStepMs),
      dataQuality: { days, gaps: seqGaps(inside) },
    };
  };
  return { digest: digest.digest(), input };
}

const pointAt = (day: VesselDay, i: number): Point => ({
  deviceTimeMs: day.deviceTimeMs[i] as number,
  ledEnergyKwh: nullable(day.ledEnergyKwh[i] as number),
  ledMeterId: meterOf(day, i),
  fuelTotalL: nullable(day.fuelTotalL[i] as number),
  lampsOn: nullable(day.lampsOn[i] as number),
  bootId: day.boots[day.boot[i] as number] as Point['bootId'],
  seq: day.seq[i] as number,
});
const nullable = (x: number): number | null => (Number.isNaN(x) ? null : x);
const meterOf = (day: VesselDay, i: number): Point['ledMeterId'] => {
  const index = day.meter[i] as number;
  return index < 0 ? null : (day.meters[index] as Point['ledMeterId']);
};
const hasRegister = (day: VesselDay, i: number): boolean =>
  !Number.isNaN(day.ledEnergyKwh[i]) || !Number.isNaN(day.fuelTotalL[i]);

function lastWithRegister(day: VesselDay): Point | undefined {
  for (let i = day.length - 1; i >= 0; i--) if (hasRegister(day, i)) return pointAt(day, i);
  return undefined;
}

function firstWithRegister(day: VesselDay): Point | undefined {
  for (let i = 0; i < day.length; i++) if (hasRegister(day, i)) return pointAt(day, i);
  return undefined;
}

/** Readings asked at first when searching for the first reading after the period. */
const FIRST_PAGE = 100;

/** The bounding reading: from the adjacent day when it has one, else searched in ever wider margins. */
async function boundaryReading(
  adjacent: Point | undefined,
  margins: readonly number[],
  fetch: (marginMs: number, limit?: number) => Promise<RegisterReading[]>,
  which: 'first' | 'last',
): Promise<Point | undefined> {
  if (adjacent !== undefined) return adjacent;
  const withRegister = (r: RegisterReading): boolean => r.ledEnergyKwh !== null || r.fuelTotalL !== null;
  for (const margin of margins) {
    let page: RegisterReading[] | undefined;
    if (which === 'first') {
      // The readings come oldest first: the first page holds the first reading with a register, unless
      // none of it has one (then the whole margin is read, as for the last).
      page = await fetch(margin, FIRST_PAGE);
      if (page.length === FIRST_PAGE && !page.some(withRegister)) page = undefined;
    }
    const found = (page ?? (await fetch(margin))).filter(withRegister);
    const reading = which === 'first' ? found[0] : found.at(-1);
    if (reading !== undefined) {
      const { deviceTimeMs, ledEnergyKwh, ledMeterId, fuelTotalL, lampsOn, bootId, seq } = reading;
      return { deviceTimeMs, ledEnergyKwh, ledMeterId, fuelTotalL, lampsOn, bootId, seq };
    }
  }
  return undefined;
}

/** The boundary reading before, the period's days, the one after: one sequence of columns. */
function flatten(before: Point | undefined, inside: readonly VesselDay[], after: Point | undefined) {
  const length = inside.reduce((n, day) => n + day.length, 0) + (before ? 1 : 0) + (after ? 1 : 0);
  const deviceTimeMs = new Float64Array(length);
  const ledEnergyKwh = new Float64Array(length);
  const fuelTotalL = new Float64Array(length);
  const lampsOn = new Float64Array(length);
  const bootIds = new Array<string>(length);
  const meterIds = new Array<string | null>(length);
  let at = 0;
  const put = (p: Point): void => {
    deviceTimeMs[at] = p.deviceTimeMs;
    ledEnergyKwh[at] = p.ledEnergyKwh ?? Number.NaN;
    fuelTotalL[at] = p.fuelTotalL ?? Number.NaN;
    lampsOn[at] = p.lampsOn ?? Number.NaN;
    bootIds[at] = p.bootId;
    meterIds[at] = p.ledMeterId;
    at += 1;
  };
  if (before) put(before);
  for (const day of inside) {
    deviceTimeMs.set(day.deviceTimeMs, at);
    ledEnergyKwh.set(day.ledEnergyKwh, at);
    fuelTotalL.set(day.fuelTotalL, at);
    lampsOn.set(day.lampsOn, at);
    for (let i = 0; i < day.length; i++) {
      bootIds[at + i] = day.boots[day.boot[i] as number] as string;
      meterIds[at + i] = meterOf(day, i);
    }
    at += day.length;
  }
  if (after) put(after);
  return { length, deviceTimeMs, ledEnergyKwh, fuelTotalL, lampsOn, bootIds, meterIds };
}

/**
 * The gap ledger of the period's readings: per boot, in seq order, each run of seqs never received, with
 * the device times of the readings around it; ordered by the time before the gap, then by seq. (The same
 * as `findGaps` of `@qt-led/store`, over columns instead of a million reading objects.)
 */
function seqGaps(inside: readonly VesselDay[]): { fromMs: number; toMs: number }[] {
  const byBoot = new Map<string, { t: number[]; seq: number[] }>();
  for (const day of inside) {
    const lists = day.boots.map((bootId) => {
      let list = byBoot.get(bootId);
      if (list === undefined) byBoot.set(bootId, (list = { t: [], seq: [] }));
      return list;
    });
    for (let i = 0; i < day.length; i++) {
      const list = lists[day.boot[i] as number] as { t: number[]; seq: number[] };
      list.t.push(day.deviceTimeMs[i] as number);
      list.seq.push(day.seq[i] as number);
    }
  }
  const gaps: { afterMs: number; beforeMs: number; fromSeq: number }[] = [];
  for (const list of byBoot.values()) {
    let order: number[] | undefined;
    for (let i = 1; i < list.seq.length; i++) {
      if ((list.seq[i] as number) < (list.seq[i - 1] as number)) {
        // Stored out of seq order (a clock step back): sort, stably, as findGaps does.
        order = list.seq.map((_, k) => k).sort((a, b) => (list.seq[a] as number) - (list.seq[b] as number));
        break;
      }
    }
    const index = (k: number): number => (order === undefined ? k : (order[k] as number));
    for (let k = 1; k < list.seq.length; k++) {
      const previousSeq = list.seq[index(k - 1)] as number;
      const currentSeq = list.seq[index(k)] as number;
      if (currentSeq > previousSeq + 1) {
        gaps.push({
          afterMs: list.t[index(k - 1)] as number,
          beforeMs: list.t[index(k)] as number,
          fromSeq: previousSeq + 1,
        });
      }
    }
  }
  // The interval the missing readings fall in. A clock stepped back inside the gap puts the reading after
  // it earlier than the one before, so the interval runs from the earlier instant to the later one.
  return gaps
    .sort((a, b) => a.afterMs - b.afterMs || a.fromSeq - b.fromSeq)
    .map((g) => ({ fromMs: Math.min(g.afterMs, g.beforeMs), toMs: Math.max(g.afterMs, g.beforeMs) }));
}

/** Lamp-on intervals from consecutive readings: lit from one reading to the next while `lampsOn > 0`. */
export function lampOnIntervals(
  readings: readonly Pick<StoredReading, 'deviceTimeMs' | 'lampsOn'>[],
  maxStepMs: number,
): LampOnInterval[] {
  return lampOnIntervalsOf(
    readings.map((r) => r.deviceTimeMs),
    readings.map((r) => r.lampsOn ?? Number.NaN),
    readings.length,
    maxStepMs,
  );
}

function lampOnIntervalsOf(
  times: ArrayLike<number>,
  lamps: ArrayLike<number>,
  length: number,
  maxStepMs: number,
): LampOnInterval[] {
  const intervals: LampOnInterval[] = [];
  for (let i = 0; i + 1 < length; i++) {
    const t = times[i] as number;
    const next = times[i + 1] as number;
    const lampsOn = lamps[i] as number;
    const step = next - t;
    // NaN (no lamp count) is not > 0.
    if (!(lampsOn > 0) || step <= 0 || step > maxStepMs) continue;
    const last = intervals.at(-1);
    if (last !== undefined && last.toMs === t) {
      const lastHours = last.toMs - last.fromMs;
      intervals[intervals.length - 1] = {
        fromMs: last.fromMs,
        toMs: next,
        meanLampsOn: (last.meanLampsOn * lastHours + lampsOn * step) / (lastHours + step),
      };
    } else {
      intervals.push({ fromMs: t, toMs: next, meanLampsOn: lampsOn });
    }
  }
  return intervals;
}

function addDays(date: LocalDate, days: number): LocalDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
