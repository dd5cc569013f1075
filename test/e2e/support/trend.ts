// Growth trends of a soak run's samples: an ordinary least-squares line and the standard error of its
// slope, so that a test fails on a trend it is confident of, not on the sawtooth of a garbage collector.

export interface Trend {
  /** Units per second. */
  slope: number;
  /** Standard error of the slope, units per second (0 with fewer than three points or a perfect fit). */
  slopeStdError: number;
  mean: number;
}

/** The least-squares line through `(tSeconds, value)` points. */
export function fitTrend(points: readonly { t: number; value: number }[]): Trend {
  const n = points.length;
  if (n < 2) return { slope: 0, slopeStdError: 0, mean: points[0]?.value ?? 0 };
  const meanT = points.reduce((s, p) => s + p.t, 0) / n;
  const mean = points.reduce((s, p) => s + p.value, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.t - meanT) ** 2;
    sxy += (p.t - meanT) * (p.value - mean);
  }
  if (sxx === 0) return { slope: 0, slopeStdError: 0, mean };
  const slope = sxy / sxx;
  const residuals = points.reduce((s, p) => s + (p.value - mean - slope * (p.t - meanT)) ** 2, 0);
  const slopeStdError = n > 2 ? Math.sqrt(residuals / (n - 2) / sxx) : 0;
  return { slope, slopeStdError, mean };
}

/** The slope the samples show with ~97.5 % confidence (slope − 2 standard errors): 0 or less is no trend. */
export function confidentSlope(trend: Trend): number {
  return trend.slope - 2 * trend.slopeStdError;
}
