import { Ack, type BootId, type VesselId } from '@qt-led/contract';
import { describe, expect, it } from 'vitest';
import { AckTracker, toRanges } from './ack-tracker.js';

const vessel = 'QT-90145-TS' as VesselId;
const boot = 'aaaa0001' as BootId;

describe('AckTracker', () => {
  it('acknowledges the contiguous prefix and ranges above it, valid against the contract', () => {
    const tracker = new AckTracker();
    const first = tracker.confirm(vessel, boot, [0, 1, 2, 5, 6, 9], 1_000);
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
    expect(tracker.confirm(vessel, boot, [4, 3, 7, 8], 2_000).boots).toEqual([
      { bootId: boot, throughSeq: 9 },
    ]);
  });

  it('tracks boots separately, newest first, and ignores what is already acknowledged', () => {
    const tracker = new AckTracker();
    tracker.confirm(vessel, boot, [0, 1], 1);
    const next = 'bbbb0002' as BootId;
    const ack = tracker.confirm(vessel, next, [0], 2);
    expect(ack.boots.map((b) => [b.bootId, b.throughSeq])).toEqual([
      [next, 0],
      [boot, 1],
    ]);
    expect(tracker.confirm(vessel, boot, [0, 1], 3).boots[0]).toEqual({ bootId: boot, throughSeq: 1 });
  });

  it('starts from ranges when it cannot vouch for the beginning (another replica, or a restart)', () => {
    const ack = new AckTracker().confirm(vessel, boot, [5000, 5001, 5002], 1);
    expect(ack.boots).toEqual([{ bootId: boot, throughSeq: -1, storedRanges: [[5000, 5002]] }]);
  });

  it('acknowledges a boot’s device events by their own seq, beside its readings', () => {
    const tracker = new AckTracker();
    const first = tracker.confirm(vessel, boot, [0, 2], 1, 'events');
    expect(Ack.parse(first)).toEqual(first);
    expect(first.boots).toEqual([
      { bootId: boot, throughSeq: -1, eventsThroughSeq: 0, storedEventRanges: [[2, 2]] },
    ]);
    tracker.confirm(vessel, boot, [0, 1], 2);
    expect(tracker.confirm(vessel, boot, [1], 3, 'events').boots).toEqual([
      { bootId: boot, throughSeq: 1, eventsThroughSeq: 2 },
    ]);
  });

  it('keeps at most 16 boots per vessel', () => {
    const tracker = new AckTracker();
    for (let i = 0; i < 20; i++)
      tracker.confirm(vessel, `b00${String(i).padStart(5, '0')}` as BootId, [0], i);
    const ack = tracker.ackFor(vessel, 99);
    expect(ack?.boots).toHaveLength(16);
    expect(Ack.safeParse(ack).success).toBe(true);
  });

  it('merges seqs into ranges', () => {
    expect(toRanges([3, 1, 2, 2, 7, 8, 10])).toEqual([
      [1, 3],
      [7, 8],
      [10, 10],
    ]);
    expect(toRanges([])).toEqual([]);
  });
});
