import { type Ack, type BootId, MAX_ACKED_BOOTS, type VesselId } from '@qt-led/contract';

/** Most stored ranges kept per boot above the contiguous prefix; older ones were sent in earlier acks. */
const MAX_RANGES = 64;

/** What is confirmed of one sequence (a boot's readings, or its device events). */
interface SeqState {
  /** Every seq 0..throughSeq is confirmed stored (or durably set aside). */
  throughSeq: number;
  /** Disjoint, sorted ranges confirmed above throughSeq + 1. */
  ranges: [number, number][];
}

interface BootState {
  bootId: BootId;
  readings: SeqState;
  /** Device events by `eventSeq`; absent until one of this boot's events is stored. */
  events?: SeqState;
  touched: number;
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
  readonly #vessels = new Map<VesselId, Map<BootId, BootState>>();
  #tick = 0;

  /** Records seqs (of readings, or of device events) as durably stored; returns the vessel's ack. */
  confirm(
    vesselId: VesselId,
    bootId: BootId,
    seqs: readonly number[],
    atMs: number,
    sequence: AckedSequence = 'readings',
  ): Ack {
    let boots = this.#vessels.get(vesselId);
    if (boots === undefined) this.#vessels.set(vesselId, (boots = new Map<BootId, BootState>()));
    let state = boots.get(bootId);
    if (state === undefined) {
      state = { bootId, readings: { throughSeq: -1, ranges: [] }, touched: 0 };
      boots.set(bootId, state);
    }
    state.touched = ++this.#tick;
    const into = sequence === 'readings' ? state.readings : (state.events ??= { throughSeq: -1, ranges: [] });
    for (const range of toRanges(seqs)) addRange(into, range);
    if (boots.size > MAX_ACKED_BOOTS) {
      const oldest = [...boots.values()].sort((a, b) => a.touched - b.touched)[0];
      if (oldest !== undefined) boots.delete(oldest.bootId);
    }
    return this.ackFor(vesselId, atMs) as Ack;
  }

  /** The current ack of a vessel, or undefined when nothing was confirmed for it. */
  ackFor(vesselId: VesselId, atMs: number): Ack | undefined {
    const boots = this.#vessels.get(vesselId);
    if (boots === undefined || boots.size === 0) return undefined;
    return {
      schema: 'qtled.ack/1',
      vesselId,
      atMs,
      boots: [...boots.values()]
        .sort((a, b) => b.touched - a.touched)
        .map((s) => ({
          bootId: s.bootId,
          throughSeq: s.readings.throughSeq,
          ...(s.readings.ranges.length > 0 ? { storedRanges: copy(s.readings.ranges) } : {}),
          ...(s.events === undefined ? {} : { eventsThroughSeq: s.events.throughSeq }),
          ...(s.events !== undefined && s.events.ranges.length > 0
            ? { storedEventRanges: copy(s.events.ranges) }
            : {}),
        })),
    };
  }
}

/** Sorted, merged ranges of a list of seqs. */
export function toRanges(seqs: readonly number[]): [number, number][] {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const seq of sorted) {
    const last = ranges.at(-1);
    if (last !== undefined && seq === last[1] + 1) last[1] = seq;
    else ranges.push([seq, seq]);
  }
  return ranges;
}

const copy = (ranges: readonly [number, number][]): [number, number][] =>
  ranges.map(([a, b]): [number, number] => [a, b]);

function addRange(state: SeqState, [from, to]: [number, number]): void {
  if (to <= state.throughSeq) return;
  const merged: [number, number][] = [];
  let incoming: [number, number] = [Math.max(from, state.throughSeq + 1), to];
  for (const range of state.ranges) {
    if (range[1] + 1 < incoming[0] || incoming[1] + 1 < range[0]) merged.push(range);
    else incoming = [Math.min(range[0], incoming[0]), Math.max(range[1], incoming[1])];
  }
  merged.push(incoming);
  merged.sort((a, b) => a[0] - b[0]);
  // Fold ranges that now continue the contiguous prefix into it.
  while (merged[0] !== undefined && merged[0][0] <= state.throughSeq + 1) {
    state.throughSeq = Math.max(state.throughSeq, merged[0][1]);
    merged.shift();
  }
  state.ranges = merged.slice(-MAX_RANGES);
}
