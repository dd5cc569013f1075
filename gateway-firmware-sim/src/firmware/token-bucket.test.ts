import { describe, expect, it } from 'vitest';
import { createTokenBucket } from './token-bucket.js';

describe('the backfill token bucket', () => {
  it('takes what it has, refills at the rate up to the capacity, and says how long to wait', () => {
    const bucket = createTokenBucket();
    bucket.reset(10, 0);
    expect(bucket.tryTake(10, 0, 10, 5)).toBe(0);
    expect(bucket.tryTake(5, 0, 10, 5)).toBe(1_000);
    expect(bucket.tryTake(5, 1_000, 10, 5)).toBe(0);
    // An hour idle refills to the capacity, no more.
    expect(bucket.tryTake(10, 3_601_000, 10, 5)).toBe(0);
    expect(bucket.tryTake(1, 3_601_000, 10, 5)).toBe(200);
  });
});
