/**
 * The methodology equations, one function each, in the units their names carry. The variants compose
 * them; the tests reproduce the published vectors through them, so a test of a formula is a test of the
 * code that issues the figures.
 */

/** Rated power of a set of lamps, kW. */
export function lampPowerKw(count: number, ratedW: number): number {
  return (count * ratedW) / 1000;
}

export interface ElectricityRouteFigures {
  readonly referenceEnergyMwh: number;
  readonly referenceEmissionsTco2: number;
  readonly projectEmissionsTco2: number;
  readonly emissionReductionsTco2: number;
}

/**
 * Electricity route with the rated-power ratio:
 * PE = EC × EF_gen; RE = EC × (P_ref / P_led) × EF_gen; ER = RE − PE.
 */
export function electricityRoute(
  energyMwh: number,
  pRefKw: number,
  pLedKw: number,
  efGenTco2PerMwh: number,
): ElectricityRouteFigures {
  const referenceEnergyMwh = energyMwh * (pRefKw / pLedKw);
  const referenceEmissionsTco2 = referenceEnergyMwh * efGenTco2PerMwh;
  const projectEmissionsTco2 = energyMwh * efGenTco2PerMwh;
  return {
    referenceEnergyMwh,
    referenceEmissionsTco2,
    projectEmissionsTco2,
    emissionReductionsTco2: referenceEmissionsTco2 - projectEmissionsTco2,
  };
}

/**
 * Reference from rated power × operating hours: RE = P_ref × h × EF_gen (h in hours, P in kW, hence
 * ÷ 1000 to MWh); PE = EC × EF_gen as in the electricity route.
 */
export function ratedPowerHoursRoute(
  energyMwh: number,
  pRefKw: number,
  referenceHours: number,
  efGenTco2PerMwh: number,
): ElectricityRouteFigures {
  const referenceEnergyMwh = (pRefKw * referenceHours) / 1000;
  const referenceEmissionsTco2 = referenceEnergyMwh * efGenTco2PerMwh;
  const projectEmissionsTco2 = energyMwh * efGenTco2PerMwh;
  return {
    referenceEnergyMwh,
    referenceEmissionsTco2,
    projectEmissionsTco2,
    emissionReductionsTco2: referenceEmissionsTco2 - projectEmissionsTco2,
  };
}

/** CO₂ of one litre of diesel: density × NCV × EF, tCO₂/L (kg/L × GJ/t × tCO₂/TJ ÷ 10⁶). */
export function fuelCo2Tco2PerL(
  fuelDensityKgPerL: number,
  ncvGjPerT: number,
  efFuelTco2PerTj: number,
): number {
  return (fuelDensityKgPerL * ncvGjPerT * efFuelTco2PerTj) / 1e6;
}

export interface FuelSavingFigures {
  readonly fuelSavedL: number;
  readonly fuelCo2Tco2PerL: number;
  readonly emissionReductionsTco2: number;
}

/** Fuel route: ER = (FC_ref − FC_proj) × density × NCV × EF. */
export function fuelSaving(
  referenceFuelL: number,
  projectFuelL: number,
  fuelDensityKgPerL: number,
  ncvGjPerT: number,
  efFuelTco2PerTj: number,
): FuelSavingFigures {
  const fuelSavedL = referenceFuelL - projectFuelL;
  const perL = fuelCo2Tco2PerL(fuelDensityKgPerL, ncvGjPerT, efFuelTco2PerTj);
  return { fuelSavedL, fuelCo2Tco2PerL: perL, emissionReductionsTco2: fuelSavedL * perL };
}

/**
 * The generator fuel the lamps avoid, derived (it is never measured on these boats): the marginal fuel
 * per kWh of lamp load × the lamp energy the reference lamps would have drawn on top of the LEDs,
 * EC × (P_ref/P_led − 1).
 */
export function derivedFuelSavedL(
  energyKwh: number,
  pRefKw: number,
  pLedKw: number,
  marginalFuelLPerKwh: number,
): number {
  return marginalFuelLPerKwh * energyKwh * (pRefKw / pLedKw - 1);
}
