import { MARGINAL_L_PER_KWH } from './generator-model.js';
import { LAMP_HOURS_MAX, LAMP_HOURS_MIN } from './plan.js';
import type { VesselPeriodStats } from './vessel-world.js';

/**
 * The published figures the simulated world must stay within (domain.md), checked per vessel over a
 * period:
 * - every fishing night lights the lamps for 8–10 h ("Lamps are lit 8–10 h a night");
 * - LED energy per lamp-on hour is the installed LED power (lamps × rated W from the registry), less the
 *   lamps dimmed at the end of a night and any failed lamps: 85–102 % of it;
 * - generator fuel is 60–76 % below what the replaced metal-halide lamps burnt for the same nights
 *   ("60–76 % less generator fuel");
 * - generator fuel per kWh of lamp energy is at least the 0.36 L/kWh marginal of the Ninh Thuan trial and,
 *   with the no-load share, below 0.6 L/kWh.
 */
export const PUBLISHED_RANGES = {
  nightHours: [LAMP_HOURS_MIN, LAMP_HOURS_MAX],
  energyPerLampHourOfInstalled: [0.85, 1.02],
  fuelSavingPct: [60, 76],
  fuelPerKwhL: [MARGINAL_L_PER_KWH, 0.6],
} as const;

export interface CalibrationCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

const within = (value: number, [lo, hi]: readonly [number, number]): boolean => value >= lo && value <= hi;

export function calibrationChecks(stats: VesselPeriodStats): CalibrationCheck[] {
  if (stats.nights === 0) {
    return [{ name: 'fishing nights', ok: false, detail: 'no fishing night in the period' }];
  }
  const minH = stats.minNightHours ?? 0;
  const maxH = stats.maxNightHours ?? 0;
  const perLampHour = stats.ledEnergyKwh / stats.lampOnHours / stats.ledKw;
  const perKwh = stats.generatorFuelL / stats.ledEnergyKwh;
  const saving = stats.fuelSavingPct ?? 0;
  return [
    {
      name: 'lamp-on hours per night',
      ok: minH >= PUBLISHED_RANGES.nightHours[0] && maxH <= PUBLISHED_RANGES.nightHours[1],
      detail: `${minH.toFixed(2)}–${maxH.toFixed(2)} h (published 8–10 h)`,
    },
    {
      name: 'LED energy per lamp-on hour',
      ok: within(perLampHour, PUBLISHED_RANGES.energyPerLampHourOfInstalled),
      detail: `${(perLampHour * 100).toFixed(1)} % of the installed ${stats.ledKw.toFixed(2)} kW (85–102 %)`,
    },
    {
      name: 'generator fuel saving',
      ok: within(saving, PUBLISHED_RANGES.fuelSavingPct),
      detail: `${saving.toFixed(1)} % below metal-halide (published 60–76 %)`,
    },
    {
      name: 'generator fuel per kWh',
      ok: within(perKwh, PUBLISHED_RANGES.fuelPerKwhL),
      detail: `${perKwh.toFixed(3)} L/kWh (marginal 0.36, with no-load share < 0.6)`,
    },
  ];
}
