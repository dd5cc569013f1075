import type { BootId, VesselId } from '@qt-led/contract';
import {
  FIELD_AGGREGATE,
  type SeriesField,
  type SeriesPoint,
  type StoredDeviceMessage,
  type StoredReading,
} from './model.js';

/**
 * Derivations shared by every adapter, computed from raw readings so that adapters differ only in how
 * they fetch. Pure functions: no clock, no I/O.
 */

/** Orders readings by device time, then boot and seq, so that every consumer sees the same order. */
export function byDeviceTime(
  a: Pick<StoredReading, 'deviceTimeMs' | 'bootId' | 'seq'>,
  b: Pick<StoredReading, 'deviceTimeMs' | 'bootId' | 'seq'>,
): number {
  return (
    a.deviceTimeMs - b.deviceTimeMs || (a.bootId < b.bootId ? -1 : a.bootId > b.bootId ? 1 : a.seq - b.seq)
  );
}

/** Buckets readings of one vessel: mean for instantaneous fields, last value for registers and positions. */
export function downsample(
  readings: readonly StoredReading[],
  fields: readonly SeriesField[],
  stepMs: number,
): SeriesPoint[] {
  const buckets = new Map<number, StoredReading[]>();
  for (const reading of [...readings].sort(byDeviceTime)) {
    const start = Math.floor(reading.deviceTimeMs / stepMs) * stepMs;
    let bucket = buckets.get(start);
    if (bucket === undefined) buckets.set(start, (bucket = []));
    bucket.push(reading);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([tMs, bucket]) => {
      const values: SeriesPoint['values'] = {};
      for (const field of fields) {
        const present = bucket.map((r) => r[field]).filter((v): v is number => v !== null);
        if (present.length === 0) values[field] = null;
        else if (FIELD_AGGREGATE[field] === 'last') values[field] = present.at(-1) ?? null;
        else values[field] = present.reduce((sum, v) => sum + v, 0) / present.length;
      }
      return { tMs, values };
    });
}

/** A run of seqs of one boot that the store does not hold, between two it does. */
export interface SeqGap {
  vesselId: VesselId;
  bootId: BootId;
  fromSeq: number;
  toSeq: number;
  /** Device time of the reading before and after the gap: where on the timeline the hole is. */
  afterMs: number;
  beforeMs: number;
}

/** What the gap ledger needs of a reading. */
export type GapLedgerReading = Pick<StoredReading, 'vesselId' | 'bootId' | 'seq' | 'deviceTimeMs'>;

/**
 * The gap ledger of a set of readings: per boot, every seq range missing between the lowest and highest
 * stored seq. Computed from what the store holds, so a gap closes by itself when late data fills it and
 * ingest replicas that split a vessel's messages never disagree about it.
 */
export function findGaps(readings: readonly GapLedgerReading[]): SeqGap[] {
  const byBoot = new Map<string, GapLedgerReading[]>();
  for (const r of readings) {
    const key = `${r.vesselId}\u0000${r.bootId}`;
    let list = byBoot.get(key);
    if (list === undefined) byBoot.set(key, (list = []));
    list.push(r);
  }
  const gaps: SeqGap[] = [];
  for (const list of byBoot.values()) {
    list.sort((a, b) => a.seq - b.seq);
    for (let i = 1; i < list.length; i++) {
      const previous = list[i - 1] as GapLedgerReading;
      const current = list[i] as GapLedgerReading;
      if (current.seq > previous.seq + 1) {
        gaps.push({
          vesselId: current.vesselId,
          bootId: current.bootId,
          fromSeq: previous.seq + 1,
          toSeq: current.seq - 1,
          afterMs: previous.deviceTimeMs,
          beforeMs: current.deviceTimeMs,
        });
      }
    }
  }
  return gaps.sort((a, b) => a.afterMs - b.afterMs || a.fromSeq - b.fromSeq);
}

/** One stretch of a cumulative register without a reset: its first and last reading. */
export interface RegisterSegment {
  first: { tMs: number; value: number };
  last: { tMs: number; value: number };
  /** Why the segment ended: the register dropped (meter replaced or rolled over), or the data ended. */
  endedBy: 'reset' | 'end';
}

/**
 * Register values at the boundaries of a period, split wherever the register drops: the
 * increase of each segment (`last - first`) is energy or fuel the data proves; what happened between two
 * segments is unobserved and left to the calculator's rule. Readings without the register are ignored.
 */
export function registerSegments(
  readings: readonly StoredReading[],
  field: 'ledEnergyKwh' | 'fuelTotalL',
): RegisterSegment[] {
  const points = [...readings]
    .sort(byDeviceTime)
    .flatMap((r) => (r[field] === null ? [] : [{ tMs: r.deviceTimeMs, value: r[field] }]));
  const segments: RegisterSegment[] = [];
  let current: RegisterSegment | undefined;
  for (const point of points) {
    if (current !== undefined && point.value < current.last.value) {
      current.endedBy = 'reset';
      segments.push(current);
      current = undefined;
    }
    if (current === undefined) current = { first: point, last: point, endedBy: 'end' };
    else current.last = point;
  }
  if (current !== undefined) segments.push(current);
  return segments;
}

/**
 * The identity of a device message within its vessel and kind: a resend of the same event or heartbeat
 * has the same key (so it is stored once); a presence message is an observation at its receive time.
 */
export function deviceMessageKey(message: StoredDeviceMessage): string {
  switch (message.kind) {
    case 'event':
      return `${message.bootId}:${message.payload.eventSeq}`;
    case 'heartbeat':
      return `${message.bootId}:${message.atMs}`;
    case 'presence':
      return `${message.payload.state}:${message.bootId}:${message.receivedAtMs}`;
  }
}

/** Rebuilds a stored device message from its columns; the payload was validated by ingest before storing. */
export function deviceMessageFrom(columns: {
  kind: string;
  vesselId: string;
  gatewayId: string;
  bootId: string;
  atMs: number;
  receivedAtMs: number;
  payload: string;
}): StoredDeviceMessage {
  return {
    kind: columns.kind,
    vesselId: columns.vesselId,
    gatewayId: columns.gatewayId,
    bootId: columns.bootId,
    atMs: columns.atMs,
    receivedAtMs: columns.receivedAtMs,
    payload: JSON.parse(columns.payload) as unknown,
  } as StoredDeviceMessage;
}
