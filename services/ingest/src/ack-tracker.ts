import { type Ack, type BootId, MAX_ACKED_BOOTS, type VesselId } from '@qt-led/contract';

/** Most stored ranges kept per boot above the contiguous prefix; older ones were sent in earlier acks. */
const MAX_RANGES = 64;

type Range = readonly [number, number];

/** What is confirmed of one sequence (a boot's readings, or its device events). */
interface SeqState {
  /** Every seq 0..throughSeq is confirmed stored (or durably set aside). */
  throughSeq: number;
  /**
   * Disjoint, sorted ranges confirmed above throughSeq + 1. Replaced, never changed in place (nor are its
   * ranges), so that an ack may hold it as it is.
   */
  ranges: readonly Range[];
}

interface BootState {
  bootId: BootId;
  readings: SeqState;
  /** Device events by `eventSeq`; absent until one of this boot's events is stored. */
  events?: SeqState;
}

/** Which of a boot's sequences a confirmation is about. */
export type AckedSequence = 'readings' | 'events';

/**
 * What this ingest instance has durably written, per vessel and boot, turned into the application-level
 * ack (docs/architecture.md §1). Acks are additive for the gateway — it deletes what any ack confirms — so replicas
 * that split a vessel's messages over a shared subscription each acknowledge what they wrote: the
 * contiguous prefix they can vouch for, plus `storedRanges` above it.
 */
export class AckTracker {
  /** Per vessel, its boots in the order they were last confirmed, the most recent last. */
  readonly #vessels = new Map<VesselId, Map<BootId, BootState>>();

  /** Records seqs (of readings, or of device events) as durably stored; {@link ackFor} tells the vessel. */
  confirm(
    vesselId: VesselId,
    bootId: BootId,
    seqs: readonly number[],
    sequence: AckedSequence = 'readings',
  ): void {
    let boots = this.#vessels.get(vesselId);
    if (boots === undefined) this.#vessels.set(vesselId, (boots = new Map<BootId, BootState>()));
    let state = boots.get(bootId);
    if (state === undefined) {
      state = { bootId, readings: { throughSeq: -1, ranges: [] } };
      boots.set(bootId, state);
      if (boots.size > MAX_ACKED_BOOTS) {
        // The least recently confirmed boot is the first in the map.
        const oldest = boots.keys().next().value as BootId;
        boots.delete(oldest);
      }
    } else if (lastKey(boots) !== bootId) {
      // Moved to the end: the map's order is the order of the last confirmations.
      boots.delete(bootId);
      boots.set(bootId, state);
    }
    const into = sequence === 'readings' ? state.readings : (state.events ??= { throughSeq: -1, ranges: [] });
    addSeqs(into, seqs);
  }

  /** The current ack of a vessel (its boots most recently confirmed first), or undefined when none. */
  ackFor(vesselId: VesselId, atMs: number): Ack | undefined {
    const boots = this.#vessels.get(vesselId);
    if (boots === undefined || boots.size === 0) return undefined;
    const acked: Ack['boots'] = [];
    for (const s of boots.values()) {
      const boot: Ack['boots'][number] = { bootId: s.bootId, throughSeq: s.readings.throughSeq };
      if (s.readings.ranges.length > 0) boot.storedRanges = s.readings.ranges as [number, number][];
      if (s.events !== undefined) {
        boot.eventsThroughSeq = s.events.throughSeq;
        if (s.events.ranges.length > 0) boot.storedEventRanges = s.events.ranges as [number, number][];
      }
      acked.push(boot);
    }
    return { schema: 'qtled.ack/1', vesselId, atMs, boots: acked.reverse() };
  }
}

function lastKey<K>(map: Map<K, unknown>): K | undefined {
  let last: K | undefined;
  for (const key of map.keys()) last = key;
  return last;
}

/** Sorted, merged ranges of a list of seqs (one pass when they come ascending, as a gateway sends them). */
export function toRanges(seqs: readonly number[]): [number, number][] {
  let ascending = true;
  for (let i = 1; i < seqs.length; i++) {
    if ((seqs[i] as number) < (seqs[i - 1] as number)) {
      ascending = false;
      break;
    }
  }
  const sorted = ascending ? seqs : [...seqs].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  let last: [number, number] | undefined;
  for (const seq of sorted) {
    if (last !== undefined && seq <= last[1] + 1) {
      if (seq > last[1]) last[1] = seq;
    } else ranges.push((last = [seq, seq]));
  }
  return ranges;
}

/** Adds seqs to a sequence's state: the usual case (in order, continuing the prefix) without a range. */
function addSeqs(state: SeqState, seqs: readonly number[]): void {
  if (state.ranges.length === 0) {
    // Seqs that continue the prefix one by one move it, and nothing else is needed.
    let i = 0;
    while (i < seqs.length && (seqs[i] as number) <= state.throughSeq + 1) {
      state.throughSeq = Math.max(state.throughSeq, seqs[i] as number);
      i++;
    }
    if (i === seqs.length) return;
    seqs = seqs.slice(i);
  }
  for (const range of toRanges(seqs)) addRange(state, range);
}

function addRange(state: SeqState, [from, to]: Range): void {
  if (to <= state.throughSeq) return;
  let low = Math.max(from, state.throughSeq + 1);
  let high = to;
  const merged: Range[] = [];
  let placed = false;
  for (const range of state.ranges) {
    if (range[1] + 1 < low) merged.push(range);
    else if (high + 1 < range[0]) {
      if (!placed) {
        merged.push([low, high]);
        placed = true;
      }
      merged.push(range);
    } else {
      low = Math.min(range[0], low);
      high = Math.max(range[1], high);
    }
  }
  if (!placed) merged.push([low, high]);
  // Fold ranges that now continue the contiguous prefix into it.
  let first = 0;
  while (first < merged.length && (merged[first] as Range)[0] <= state.throughSeq + 1) {
    state.throughSeq = Math.max(state.throughSeq, (merged[first] as Range)[1]);
    first++;
  }
  state.ranges = merged.slice(Math.max(first, merged.length - MAX_RANGES));
}
