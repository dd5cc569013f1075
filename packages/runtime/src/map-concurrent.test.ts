import { describe, expect, it } from 'vitest';
import { mapConcurrent } from './map-concurrent.js';

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapConcurrent', () => {
  it('keeps the order of the items and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const out = await mapConcurrent([5, 1, 4, 2, 3, 0, 6], 3, async (n, i) => {
      running += 1;
      most = Math.max(most, running);
      await tick(n);
      running -= 1;
      return `${i}:${n}`;
    });
    expect(out).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0', '6:6']);
    expect(most).toBe(3);
  });

  it('answers an empty list at once, and runs one at a time under a limit below one', async () => {
    expect(await mapConcurrent([], 10, () => Promise.resolve(1))).toEqual([]);
    let running = 0;
    let most = 0;
    await mapConcurrent([1, 2, 3], 0, async () => {
      most = Math.max(most, ++running);
      await tick(1);
      running -= 1;
    });
    expect(most).toBe(1);
  });

  it('rejects with the first error and starts nothing after it', async () => {
    const started: number[] = [];
    await expect(
      mapConcurrent([0, 1, 2, 3, 4, 5], 2, async (n) => {
        started.push(n);
        await tick(1);
        if (n === 1) throw new Error('boom');
        return n;
      }),
    ).rejects.toThrow('boom');
    await tick(10);
    expect(started).toEqual([0, 1, 2]);
  });
});
