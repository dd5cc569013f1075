import { Ack, type BootId, type VesselId } from '@qt-led/contract';
import { describe, expect, it } from 'vitest';
import { AckTracker, toRanges } from './ack-tracker.js';

const vessel = 'QT-90145-TS' as VesselId;
const boot = 'aaaa0001' as BootId;

/** Confirms seqs, then the vessel's ack. */
function confirmed(
  tracker: AckTracker,
  seqs: number[],
  bootId: BootId = boot,
  sequence: 'readings' | 'events' = 'readings',
): Ack {
  tracker.confirm(vessel, bootId, seqs, sequence);
  return tracker.ackFor(vessel, 1) as Ack;
}

describe('AckTracker', () => {
  it('acknowledges the contiguous prefix and ranges above it, valid against the contract', () => {
    const tracker = new AckTracker();
    const first = confirmed(tracker, [0, 1, 2, 5, 6, 9]);
    expect(Ack.parse(first)).toEqual(first);
    expect(first.boots).toEqual([
      {
        bootId: boot,
        throughSeq: 2,
        storedRanges: [
          [5, 6],
          [9, 9],
        ],
      },
    ]);
    // Late seqs fill the hole: the prefix jumps over the stored ranges.
    expect(confirmed(tracker, [4, 3, 7, 8]).boots).toEqual([{ bootId: boot, throughSeq: 9 }]);
  });

  it('tracks boots separately, newest first, and ignores what is already acknowledged', () => {
    const tracker = new AckTracker();
    tracker.confirm(vessel, boot, [0, 1]);
    const next = 'bbbb0002' as BootId;
    const ack = confirmed(tracker, [0], next);
    expect(ack.boots.map((b) => [b.bootId, b.throughSeq])).toEqual([
      [next, 0],
      [boot, 1],
    ]);
    expect(confirmed(tracker, [0, 1]).boots[0]).toEqual({ bootId: boot, throughSeq: 1 });
  });

  it('starts from ranges when it cannot vouch for the beginning (another replica, or a restart)', () => {
    const ack = confirmed(new AckTracker(), [5000, 5001, 5002]);
    expect(ack.boots).toEqual([{ bootId: boot, throughSeq: -1, storedRanges: [[5000, 5002]] }]);
  });

  it('acknowledges a boot’s device events by their own seq, beside its readings', () => {
    const tracker = new AckTracker();
    const first = confirmed(tracker, [0, 2], boot, 'events');
    expect(Ack.parse(first)).toEqual(first);
    expect(first.boots).toEqual([
      { bootId: boot, throughSeq: -1, eventsThroughSeq: 0, storedEventRanges: [[2, 2]] },
    ]);
    tracker.confirm(vessel, boot, [0, 1]);
    expect(confirmed(tracker, [1], boot, 'events').boots).toEqual([
      { bootId: boot, throughSeq: 1, eventsThroughSeq: 2 },
    ]);
  });

  it('keeps at most 16 boots per vessel', () => {
    const tracker = new AckTracker();
    for (let i = 0; i < 20; i++) tracker.confirm(vessel, `b00${String(i).padStart(5, '0')}` as BootId, [0]);
    // The oldest boot kept, confirmed again: the least recently confirmed one is dropped, not it.
    tracker.confirm(vessel, 'b0000004' as BootId, [1]);
    tracker.confirm(vessel, 'b0000020' as BootId, [0]);
    const ack = tracker.ackFor(vessel, 99);
    expect(ack?.boots).toHaveLength(16);
    expect(ack?.boots.slice(0, 3).map((b) => [b.bootId, b.throughSeq])).toEqual([
      ['b0000020', 0],
      ['b0000004', 1],
      ['b0000019', 0],
    ]);
    expect(ack?.boots.at(-1)?.bootId).toBe('b0000006');
    expect(Ack.safeParse(ack).success).toBe(true);
  });

  it('merges ranges in any order, and keeps an ack it gave unchanged by later confirmations', () => {
    const tracker = new AckTracker();
    tracker.confirm(vessel, boot, [20, 21, 10, 30]);
    const before = tracker.ackFor(vessel, 1);
    tracker.confirm(vessel, boot, [22, 25, 26, 24, 11, 12, 29, 31, 32]);
    expect(before?.boots[0]?.storedRanges).toEqual([
      [10, 10],
      [20, 21],
      [30, 30],
    ]);
    expect(tracker.ackFor(vessel, 2)?.boots[0]?.storedRanges).toEqual([
      [10, 12],
      [20, 22],
      [24, 26],
      [29, 32],
    ]);
    tracker.confirm(vessel, boot, [
      ...Array.from({ length: 10 }, (_, i) => i),
      13,
      14,
      15,
      16,
      17,
      18,
      19,
      23,
    ]);
    expect(tracker.ackFor(vessel, 3)?.boots[0]).toEqual({
      bootId: boot,
      throughSeq: 26,
      storedRanges: [[29, 32]],
    });
  });

  it('keeps the 64 highest ranges above the prefix', () => {
    const tracker = new AckTracker();
    tracker.confirm(
      vessel,
      boot,
      Array.from({ length: 70 }, (_, i) => 10 + 2 * i),
    );
    const ranges = tracker.ackFor(vessel, 1)?.boots[0]?.storedRanges;
    expect(ranges).toHaveLength(64);
    expect(ranges?.[0]).toEqual([22, 22]);
    expect(ranges?.at(-1)).toEqual([148, 148]);
  });

  it('merges seqs into ranges', () => {
    expect(toRanges([3, 1, 2, 2, 7, 8, 10])).toEqual([
      [1, 3],
      [7, 8],
      [10, 10],
    ]);
    expect(toRanges([])).toEqual([]);
    expect(toRanges([4, 5, 5, 6, 9])).toEqual([
      [4, 6],
      [9, 9],
    ]);
  });
});
