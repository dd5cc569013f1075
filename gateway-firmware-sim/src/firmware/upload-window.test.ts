import { afterEach, describe, expect, it } from 'vitest';
import { BOOT, T0, appendReadings, bootOnTempQueue, cleanUpParts } from '../../test/part-rig.js';
import { createUploadWindow } from './upload-window.js';

afterEach(cleanUpParts);

function rig(maxInFlightReadings = 100) {
  const boot = bootOnTempQueue();
  const wakes: number[] = [];
  const window = createUploadWindow({
    queue: boot.queue,
    maxInFlightReadings,
    wakeAt: (at) => wakes.push(at),
  });
  const seqs = (rows: readonly { body: string }[] | undefined): number[] =>
    (rows ?? []).map((r) => (JSON.parse(r.body) as { seq: number }).seq);
  const send = (rows: readonly { id: number }[] | undefined, atMono: number) => {
    if (!rows) throw new Error('nothing to send');
    const first = rows[0];
    const last = rows.at(-1);
    if (!first || !last) throw new Error('nothing to send');
    boot.queue.markPublished(first.id, last.id); // as the uploader does before a batch leaves
    return window.add(first.id, last.id, rows.length, atMono);
  };
  return { boot, window, wakes, seqs, send };
}

describe('the upload window', () => {
  it('splits live from backlog at the connection, and skips what is in flight', () => {
    const r = rig();
    appendReadings(r.boot, 4, T0 - 4 * 60_000);
    r.window.restart(r.boot.queue.nextReadingId(), 500, T0);
    appendReadings(r.boot, 3, T0);
    const backlog = r.window.nextBacklog(T0, 2, 100);
    expect(r.seqs(backlog)).toEqual([0, 1]);
    r.send(backlog, T0);
    // The bucket holds at most one batch: the rest of the backlog waits for tokens.
    expect(r.window.nextBacklog(T0, 10, 100)).toBeUndefined();
    expect(r.seqs(r.window.nextBacklog(T0 + 1_000, 10, 100))).toEqual([2, 3]);
    expect(r.seqs(r.window.nextLive(T0, 3, 300))).toEqual([4, 5, 6]);
    expect(r.window.inFlight()).toBe(2);
  });

  it('holds a live batch until it is full, fills the window, or is batchMaxAgeS old, and asks to wake then', () => {
    const r = rig(4);
    r.window.restart(r.boot.queue.nextReadingId(), 500, T0);
    appendReadings(r.boot, 2, T0, 10_000);
    expect(r.window.nextLive(T0 + 10_000, 5, 60)).toBeUndefined();
    expect(r.wakes).toEqual([T0 + 60_000]);
    expect(r.seqs(r.window.nextLive(T0 + 60_000, 5, 60))).toEqual([0, 1]);
    appendReadings(r.boot, 3, T0 + 20_000, 10_000);
    // Four fill the window of 4: due at once.
    expect(r.seqs(r.window.nextLive(T0 + 20_000, 5, 60))).toEqual([0, 1, 2, 3]);
  });

  it('lets the backlog go at the backfill rate', () => {
    const r = rig();
    appendReadings(r.boot, 10, T0 - 600_000);
    r.window.restart(r.boot.queue.nextReadingId(), 4, T0);
    r.send(r.window.nextBacklog(T0, 4, 2), T0);
    expect(r.window.nextBacklog(T0, 4, 2)).toBeUndefined();
    // 4 tokens at 2/s: 2 s.
    expect(r.wakes).toEqual([T0 + 2_000]);
    expect(r.seqs(r.window.nextBacklog(T0 + 2_000, 4, 2))).toEqual([4, 5, 6, 7]);
  });

  it('turns a batch whose ack timed out into backlog, and forgets what an ack confirmed', () => {
    const r = rig();
    r.window.restart(r.boot.queue.nextReadingId(), 500, T0);
    appendReadings(r.boot, 6, T0);
    const a = r.window.nextLive(T0 + 600_000, 3, 300);
    r.send(a, T0 + 600_000);
    const b = r.window.nextLive(T0 + 601_000, 3, 300);
    r.send(b, T0 + 601_000);
    expect(r.window.sentTimesMono()).toEqual([T0 + 600_000, T0 + 601_000]);
    expect(r.window.expire(T0 + 720_000, 120_000)).toEqual([
      { fromId: a?.[0]?.id, toId: a?.[2]?.id, remaining: 3 },
    ]);
    expect(r.window.inFlight()).toBe(3);
    // Everything up to the expired batch is backlog now.
    expect(r.seqs(r.window.nextBacklog(T0 + 720_000, 10, 100))).toEqual([0, 1, 2]);
    expect(r.window.nextLive(T0 + 720_000, 10, 0)).toBeUndefined();
    r.boot.queue.acknowledge(BOOT, 4);
    r.window.recount();
    expect(r.window.inFlight()).toBe(1);
    r.window.clear();
    expect(r.window.inFlight()).toBe(0);
  });
});
