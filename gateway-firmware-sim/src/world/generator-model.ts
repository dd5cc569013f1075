/**
 * The diesel generator that feeds the lamps, as a Willans line: fuel flow rises linearly with the
 * electrical load, from a no-load flow proportional to the set's size.
 *
 *     fuel L/h = NO_LOAD_L_PER_H_PER_KW × rated kW + MARGINAL_L_PER_KWH × load kW
 *
 * Calibration (see README, "World model"):
 * - MARGINAL_L_PER_KWH = 0.36: the Ninh Thuan purse-seiner trial (domain.md) burnt 114 L a night under
 *   28.6 kW of metal-halide lamps and 70.8 L under 10.24 kW of LED + reduced metal-halide for the same
 *   6.53 lit hours: 43.2 L / (18.36 kW × 6.533 h) = 0.36 L per kWh of lamp energy.
 * - NO_LOAD_L_PER_H_PER_KW = 0.05: published generator fuel charts put a small diesel set's no-load flow at
 *   roughly 10–17 % of its full-load flow; 0.05 L/h per rated kW is 12 % for a 20 kW set at 0.36 L/kWh.
 *   With it every registry vessel saves 62–75 % against its metal-halide reference, inside the 60–76 % that
 *   the project reported.
 * - The set also carries the boat's deck and navigation lights (HOUSE_LOAD_KW), runs a few minutes before
 *   the lamps are lit and after they go out (warm-up, hauling under deck lights).
 * - The reference set that fed the metal-halide lamps had to carry their full load: sized at 80 % load,
 *   rounded up to 5 kW, never smaller than today's set.
 */
export const MARGINAL_L_PER_KWH = 0.36;
export const NO_LOAD_L_PER_H_PER_KW = 0.05;
export const HOUSE_LOAD_KW = 0.3;
export const WARM_UP_MS = 10 * 60_000;
export const COOL_DOWN_MS = 10 * 60_000;

export function fuelRateLph(loadKw: number, ratedKw: number): number {
  return NO_LOAD_L_PER_H_PER_KW * ratedKw + MARGINAL_L_PER_KWH * loadKw;
}

/** The generator the replaced metal-halide lamps needed (kW). */
export function referenceGeneratorKw(referenceLampKw: number, currentGeneratorKw: number): number {
  return Math.max(currentGeneratorKw, Math.ceil(referenceLampKw / 0.8 / 5) * 5);
}
