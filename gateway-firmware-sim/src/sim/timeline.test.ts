import { describe, expect, it } from 'vitest';
import { createTimeline } from './timeline.js';

describe('the timeline', () => {
  it('fires timers in time order, same-instant timers in the order they were set', () => {
    const t = createTimeline(1000);
    const fired: string[] = [];
    t.schedule(3000, () => fired.push('c'));
    t.schedule(2000, () => fired.push('a'));
    t.schedule(2000, () => fired.push('b'));
    const cancel = t.schedule(2500, () => fired.push('x'));
    cancel();
    expect(t.nextDueMs()).toBe(2000);
    t.advanceTo(2000);
    expect(fired).toEqual(['a', 'b']);
    expect(t.nowMs).toBe(2000);
    t.schedule(2000, () => fired.push('d'));
    t.advanceTo(5000);
    expect(fired).toEqual(['a', 'b', 'd', 'c']);
    expect(t.nextDueMs()).toBeUndefined();
  });
});
