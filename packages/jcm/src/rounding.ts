import type { RoundingRule } from '@qt-led/contract';

/**
 * Binary floating point cannot write most decimals exactly: 40 × 0.9 t summed may come out as
 * 35.99999999999999. Before rounding down, values within this distance (in units of the last kept
 * decimal, i.e. a nanotonne at 0 decimals) of the next step up are taken as on it.
 */
const TOLERANCE_STEPS = 1e-9;

/** Rounds a tCO₂ figure by the methodology's rule (`floor`, `half-up` away from zero, or `none`). */
export function roundTco2(value: number, rule: Pick<RoundingRule, 'mode' | 'decimalPlaces'>): number {
  if (rule.mode === 'none') return value;
  const scale = 10 ** rule.decimalPlaces;
  const scaled = value * scale;
  const rounded =
    rule.mode === 'floor'
      ? Math.floor(scaled + TOLERANCE_STEPS)
      : Math.sign(scaled) * Math.floor(Math.abs(scaled) + 0.5 + TOLERANCE_STEPS);
  // `+ 0` turns −0 into 0, so canonical JSON never sees a sign on zero.
  return rounded / scale + 0;
}
