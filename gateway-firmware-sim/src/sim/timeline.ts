import type { Cancel } from '../firmware/ports.js';

/**
 * Simulated time for one vessel: a discrete-event timeline. Nothing moves until the runner advances it;
 * timers due at the same instant fire in the order they were set. Because the runner only advances once
 * the gateway has settled (everything it sent acknowledged), the traffic depends on the seed alone, not on
 * how fast the broker or the platform answered.
 */
export interface Timeline {
  readonly nowMs: number;
  schedule(atMs: number, fn: () => void): Cancel;
  /** Instant of the earliest pending timer. */
  nextDueMs(): number | undefined;
  /** Fires every timer due up to `ms` in order, then sets the time to `ms`. */
  advanceTo(ms: number): void;
}

interface Entry {
  readonly at: number;
  readonly order: number;
  readonly fn: () => void;
  cancelled: boolean;
}

export function createTimeline(startMs: number): Timeline {
  let now = startMs;
  let order = 0;
  const heap: Entry[] = [];
  const less = (a: Entry, b: Entry): boolean => a.at < b.at || (a.at === b.at && a.order < b.order);
  const push = (entry: Entry): void => {
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i] as Entry, heap[parent] as Entry)) break;
      [heap[i], heap[parent]] = [heap[parent] as Entry, heap[i] as Entry];
      i = parent;
    }
  };
  const pop = (): Entry | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l] as Entry, heap[m] as Entry)) m = l;
        if (r < heap.length && less(heap[r] as Entry, heap[m] as Entry)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m] as Entry, heap[i] as Entry];
        i = m;
      }
    }
    return top;
  };
  const dropCancelled = (): void => {
    while (heap[0]?.cancelled) pop();
  };
  return {
    get nowMs() {
      return now;
    },
    schedule(atMs, fn) {
      const entry: Entry = { at: Math.max(atMs, now), order: order++, fn, cancelled: false };
      push(entry);
      return () => {
        entry.cancelled = true;
      };
    },
    nextDueMs() {
      dropCancelled();
      return heap[0]?.at;
    },
    advanceTo(ms) {
      for (;;) {
        dropCancelled();
        const top = heap[0];
        if (!top || top.at > ms) break;
        pop();
        now = top.at;
        top.fn();
      }
      now = Math.max(now, ms);
    },
  };
}
