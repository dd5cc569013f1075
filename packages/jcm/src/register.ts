import type { BreakReason } from '@qt-led/contract';
import type { MeterReplacement, NormalisedReading } from './input.js';

/**
 * Cumulative registers (kWh meter, fuel totaliser) are the truth: any two readings of one continuous
 * register bound the energy between them, however many messages were lost in between. This module cuts a
 * vessel's readings into **segments** of one continuous register. Between two segments the register says
 * nothing about what happened, and nothing is ever integrated across that break.
 *
 * A break is declared between consecutive points when
 * - the register drops (`register-drop`: a reset or rollover, whether or not the gateway rebooted);
 * - both readings name their meter and the meters differ (`meter-id-changed`), even if the register rose:
 *   a new meter's register has no relation to the old one's;
 * - a `meter-replaced` event lies between them (`meter-replaced`). Its registers become points of their own:
 *   the old meter's last register closes the old segment and the new meter's first register opens the new
 *   one, so a replacement reported with both registers loses no energy at all. An event stamped after the
 *   new meter's first readings (the gateway reported it late) is moved back to the first of them, so that
 *   no new-meter reading is taken for the old meter's; the event then counts as inconsistent.
 * A gateway reboot (new boot id) with a register that did not drop is bridged: the meter kept counting.
 */

export interface RegisterPoint {
  readonly atMs: number;
  readonly register: number;
  /** `null` for the registers a meter-replaced event reports (a reading always has its boot). */
  readonly bootId: string | null;
  readonly meterId: string | null;
}

export interface RegisterSegment {
  /** At least one point, ascending in time, register non-decreasing. */
  readonly points: readonly RegisterPoint[];
}

export interface RegisterBreak {
  readonly reason: BreakReason;
  /** Last point of the segment before the break. */
  readonly lastBefore: RegisterPoint;
  /** First point of the segment after it. */
  readonly firstAfter: RegisterPoint;
  /**
   * The boot of the last reading before the break and of the first after it (an event's registers carry no
   * boot, so these look past them); null where that side has no reading.
   */
  readonly bootBefore: string | null;
  readonly bootAfter: string | null;
}

export interface SegmentedRegister {
  readonly segments: readonly RegisterSegment[];
  readonly breaks: readonly RegisterBreak[];
  /** Boot changes inside a segment: the gateway rebooted, the register carried on. */
  readonly rebootsBridged: number;
  /**
   * Meter-replaced events inconsistent with the readings: the old meter's closing register below its last
   * reading (the closing register is ignored), or new-meter readings before the event's time (the event is
   * moved back to the first of them).
   */
  readonly inconsistentEvents: number;
}

interface Point extends RegisterPoint {
  /** How many replacements happened at or before it (the old meter's closing register counts before). */
  readonly epoch: number;
  /** Tie-break at equal instants: old meter's last register, new meter's first, then readings. */
  readonly rank: number;
}

/**
 * Segments one register's readings (already sorted by instant, then register; duplicates removed) together
 * with the meter-replaced events that concern it.
 */
export function segmentRegister(
  readings: readonly NormalisedReading[],
  replacements: readonly MeterReplacement[],
): SegmentedRegister {
  if (replacements.length === 0) {
    // No replacement: one epoch, and the readings are the points in order (a month of readings: neither
    // copied nor sorted again).
    return segmentPoints(readings, () => 0, 0);
  }
  let inconsistentEvents = 0;
  const events = retimeReplacements(readings, replacements);
  inconsistentEvents += events.filter((e) => e.retimed).length;
  const eventTimes = events.map((e) => e.atMs);
  const epochAt = (atMs: number): number => {
    let n = 0;
    for (const t of eventTimes) if (t <= atMs) n += 1;
    return n;
  };
  const points: Point[] = readings.map((r) => ({
    atMs: r.atMs,
    register: r.register,
    bootId: r.bootId,
    meterId: r.meterId,
    epoch: epochAt(r.atMs),
    rank: 2,
  }));
  for (const event of events) {
    const epoch = epochAt(event.atMs);
    if (event.lastRegister !== null) {
      // The old meter's closing register must not be below its own last reading: otherwise it is not the
      // same meter's register and would invent energy; it is then ignored (the old side stays open).
      const lastOld = [...points].reverse().find((p) => p.epoch === epoch - 1 && p.atMs <= event.atMs);
      if (lastOld && lastOld.register > event.lastRegister) inconsistentEvents += 1;
      else
        points.push({
          atMs: event.atMs,
          register: event.lastRegister,
          bootId: null,
          meterId: null,
          epoch: epoch - 1,
          rank: 0,
        });
    }
    points.push({
      atMs: event.atMs,
      register: event.firstRegister,
      bootId: null,
      meterId: null,
      epoch,
      rank: 1,
    });
  }
  points.sort((a, b) => a.atMs - b.atMs || a.rank - b.rank || a.register - b.register);
  const clean = points.map((point): RegisterPoint => ({
    atMs: point.atMs,
    register: point.register,
    bootId: point.bootId,
    meterId: point.meterId,
  }));
  return segmentPoints(clean, (i) => (points[i] as Point).epoch, inconsistentEvents);
}

/**
 * The replacements in time order, each at the instant the readings say the new meter took over: the event's
 * own time, or — when readings before it already come from the new meter — the first of those. A reading
 * before the event is the new meter's when it belongs to the run of non-decreasing registers, each at least
 * the new meter's first register, that ends just before the event, and either that run follows a drop of
 * the register from a reading the old meter's closing register can follow (the old meter's last reading),
 * or the new meter starts above the old one's closing register (no old-meter reading can be in the run).
 * A drop from above the closing register is the old meter's own reset, not the takeover; anything less
 * clear leaves the event where it is.
 */
function retimeReplacements(
  readings: readonly NormalisedReading[],
  replacements: readonly MeterReplacement[],
): (MeterReplacement & { retimed: boolean })[] {
  const sorted = [...replacements].sort((a, b) => a.atMs - b.atMs);
  const out: (MeterReplacement & { retimed: boolean })[] = [];
  let previousMs = Number.NEGATIVE_INFINITY;
  for (const event of sorted) {
    const before = readings.filter((r) => r.atMs > previousMs && r.atMs < event.atMs);
    let s = before.length;
    while (s > 0) {
      const r = before[s - 1] as NormalisedReading;
      const next = before[s];
      if (r.register < event.firstRegister || (next !== undefined && r.register > next.register)) break;
      s -= 1;
    }
    // The run follows a drop of the register, and the reading before the drop is one the old meter's
    // closing register can follow (when the event reports it): the old meter's last reading, then the new's.
    const dropFrom = s > 0 && s < before.length ? (before[s - 1] as NormalisedReading) : undefined;
    const afterDrop =
      dropFrom !== undefined &&
      dropFrom.register >= event.firstRegister &&
      (event.lastRegister === null || event.lastRegister >= dropFrom.register);
    // A new meter that starts above the old one's closing register: the run holds no old-meter reading.
    const startsAbove = event.lastRegister !== null && event.firstRegister > event.lastRegister;
    const takeover = afterDrop || startsAbove ? before[s] : undefined;
    const atMs = takeover === undefined ? event.atMs : takeover.atMs;
    out.push({ ...event, atMs, retimed: takeover !== undefined });
    previousMs = atMs;
  }
  return out;
}

/** Cuts points, sorted and each in its replacement epoch, into segments at every break. */
function segmentPoints(
  points: readonly RegisterPoint[],
  epochOf: (index: number) => number,
  inconsistentEvents: number,
): SegmentedRegister {
  const segments: RegisterPoint[][] = [];
  const breaks: RegisterBreak[] = [];
  let rebootsBridged = 0;
  let current: RegisterPoint[] = [];
  // The meter the current segment is on, as far as readings name it (some readings may not).
  let segmentMeterId: string | null = null;
  for (let i = 0; i < points.length; i++) {
    const point = points[i] as RegisterPoint;
    if (i > 0) {
      const previous = points[i - 1] as RegisterPoint;
      const reason = breakBetween(previous, epochOf(i - 1), point, epochOf(i), segmentMeterId);
      if (reason) {
        breaks.push({
          reason,
          lastBefore: current[current.length - 1] ?? point,
          firstAfter: point,
          bootBefore: bootOfLastReading(points, i - 1),
          bootAfter: bootOfFirstReading(points, i),
        });
        segments.push(current);
        current = [];
        segmentMeterId = null;
      } else if (previous.bootId !== null && point.bootId !== null && previous.bootId !== point.bootId) {
        rebootsBridged += 1;
      }
    }
    current.push(point);
    segmentMeterId = point.meterId ?? segmentMeterId;
  }
  if (current.length > 0) segments.push(current);
  return { segments: segments.map((p) => ({ points: p })), breaks, rebootsBridged, inconsistentEvents };
}

function breakBetween(
  a: RegisterPoint,
  aEpoch: number,
  b: RegisterPoint,
  bEpoch: number,
  segmentMeterId: string | null,
): BreakReason | undefined {
  if (aEpoch !== bEpoch) return 'meter-replaced';
  if (segmentMeterId !== null && b.meterId !== null && segmentMeterId !== b.meterId)
    return 'meter-id-changed';
  if (b.register < a.register) return 'register-drop';
  return undefined;
}

/** The boot of the last reading at or before `index` (event registers carry none). */
function bootOfLastReading(points: readonly RegisterPoint[], index: number): string | null {
  for (let k = index; k >= 0; k--) {
    const bootId = (points[k] as RegisterPoint).bootId;
    if (bootId !== null) return bootId;
  }
  return null;
}

/** The boot of the first reading at or after `index`. */
function bootOfFirstReading(points: readonly RegisterPoint[], index: number): string | null {
  for (let k = index; k < points.length; k++) {
    const bootId = (points[k] as RegisterPoint).bootId;
    if (bootId !== null) return bootId;
  }
  return null;
}
