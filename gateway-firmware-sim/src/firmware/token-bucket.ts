/**
 * The backfill rate limit: a token bucket refilled at the configured readings per second. Capacity and
 * rate are given at each use, since a downlink config may change them at any time.
 */
export interface TokenBucket {
  /** Sets the level (a new connection starts with a full batch's worth). */
  reset(tokens: number, nowMono: number): void;
  /**
   * Refills, then takes `n` tokens if there are that many: returns 0. Otherwise takes none and returns
   * how many ms until there will be (at least 1).
   */
  tryTake(n: number, nowMono: number, capacity: number, ratePerS: number): number;
}

export function createTokenBucket(): TokenBucket {
  let tokens = 0;
  let atMono = 0;
  return {
    reset(level, nowMono) {
      tokens = level;
      atMono = nowMono;
    },
    tryTake(n, nowMono, capacity, ratePerS) {
      tokens = Math.min(capacity, tokens + ((nowMono - atMono) / 1000) * ratePerS);
      atMono = nowMono;
      if (tokens < n) return Math.max(1, Math.ceil(((n - tokens) / ratePerS) * 1000));
      tokens -= n;
      return 0;
    },
  };
}
