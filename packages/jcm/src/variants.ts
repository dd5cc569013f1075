import type {
  ElectricityRatioMethodology,
  FuelCrossCheckMethodology,
  MethodologyParameterSet,
  RatedPowerHoursMethodology,
  RouteIntermediates,
} from '@qt-led/contract';
import { derivedFuelSavedL, electricityRoute, fuelCo2Tco2PerL, ratedPowerHoursRoute } from './formulas.js';

/** The registry configuration of one sub-period, as the variants need it. */
export interface SubPeriodConfig {
  readonly pRefKw: number;
  readonly pLedKw: number;
  readonly powerRatio: number;
  readonly ledLampCount: number;
  /** The most the LED circuit can draw: P_led × LF_max. */
  readonly maxLedKw: number;
}

/** What was measured (or substituted) in one sub-period. */
export interface SubPeriodMeasures {
  /** Observed + substituted LED energy, kWh. */
  readonly energyKwh: number;
  /** Lamp-on hours (any lamp lit) in the windows that count: observed, plus substituted ones. */
  readonly creditedLampOnHours: number;
  /** The same hours weighted by the share of LED lamps lit (full-load-equivalent hours). */
  readonly creditedFullLoadHours: number;
  /** Generator fuel from the totaliser, L; `null` when the vessel has no fuel readings. */
  readonly measuredFuelL: number | null;
}

export interface VariantFigures {
  readonly referenceEmissionsTco2: number;
  readonly projectEmissionsTco2: number;
  readonly emissionReductionsTco2: number;
  readonly route: RouteIntermediates;
}

/**
 * One methodology variant: the calculation structure a parameter set selects. Register handling, gaps and
 * provenance are shared; a variant says only how energy and hours turn into emissions, and which way is
 * conservative for it.
 */
export interface EmissionVariant<M extends MethodologyParameterSet> {
  readonly variant: M['variant'];
  /**
   * The change in the reductions per kWh of LED energy attributed to a sub-period. Energy that cannot be
   * placed exactly (a register step across a boundary) goes first where it credits least.
   */
  creditPerKwh(methodology: M, config: SubPeriodConfig): number;
  /** Energy put in place of an unobserved window, kWh, under `substitute-conservative`. */
  substituteEnergyKwh(
    methodology: M,
    config: SubPeriodConfig,
    window: UnobservedLampOn,
    lowestRateKwhPerFullLoadHour: number | null,
  ): number;
  figures(methodology: M, config: SubPeriodConfig, measures: SubPeriodMeasures): VariantFigures;
}

/** The lamp-on time inside an unobserved window (and one sub-period). */
export interface UnobservedLampOn {
  /** Hours with any lamp lit. */
  readonly lampOnHours: number;
  /** The same hours weighted by the share of LED lamps lit. */
  readonly fullLoadHours: number;
}

/**
 * Where more energy means more reductions, the substitute errs low: the vessel's lowest observed energy
 * per full-load lamp-on hour in the period (never above what the lamps can draw) × the window's full-load
 * lamp-on hours; with no observed rate, nothing (the window is then excluded in effect).
 */
function lowSubstitute(config: SubPeriodConfig, window: UnobservedLampOn, rate: number | null): number {
  if (rate === null) return 0;
  return Math.min(rate, config.maxLedKw) * window.fullLoadHours;
}

const electricityRatio: EmissionVariant<ElectricityRatioMethodology> = {
  variant: 'electricity-rated-power-ratio',
  creditPerKwh: (m, c) => ((c.powerRatio - 1) * m.parameters.efGenTco2PerMwh.value) / 1000,
  substituteEnergyKwh: (_m, c, window, rate) => lowSubstitute(c, window, rate),
  figures(m, c, measures) {
    const efGenTco2PerMwh = m.parameters.efGenTco2PerMwh.value;
    const f = electricityRoute(measures.energyKwh / 1000, c.pRefKw, c.pLedKw, efGenTco2PerMwh);
    return {
      referenceEmissionsTco2: f.referenceEmissionsTco2,
      projectEmissionsTco2: f.projectEmissionsTco2,
      emissionReductionsTco2: f.emissionReductionsTco2,
      route: {
        variant: 'electricity-rated-power-ratio',
        efGenTco2PerMwh,
        referenceEnergyMwh: f.referenceEnergyMwh,
      },
    };
  },
};

const ratedPowerHours: EmissionVariant<RatedPowerHoursMethodology> = {
  variant: 'rated-power-hours',
  // The reference does not depend on energy here; more LED energy only adds project emissions.
  creditPerKwh: (m) => -m.parameters.efGenTco2PerMwh.value / 1000,
  // Here more energy means fewer reductions: project emissions at their maximum, the LED circuit at full
  // draw (P_led × LF_max) for every hour any lamp was lit.
  substituteEnergyKwh: (_m, c, window) => c.maxLedKw * window.lampOnHours,
  figures(m, c, measures) {
    const efGenTco2PerMwh = m.parameters.efGenTco2PerMwh.value;
    const basis = m.rules.referenceHoursBasis;
    const referenceHours =
      basis === 'lamps-on-weighted' ? measures.creditedFullLoadHours : measures.creditedLampOnHours;
    const f = ratedPowerHoursRoute(measures.energyKwh / 1000, c.pRefKw, referenceHours, efGenTco2PerMwh);
    return {
      referenceEmissionsTco2: f.referenceEmissionsTco2,
      projectEmissionsTco2: f.projectEmissionsTco2,
      emissionReductionsTco2: f.emissionReductionsTco2,
      route: {
        variant: 'rated-power-hours',
        efGenTco2PerMwh,
        referenceHoursBasis: basis,
        referenceHours,
        referenceEnergyMwh: f.referenceEnergyMwh,
        energySupportedFullLoadHours: measures.energyKwh / c.pLedKw,
      },
    };
  },
};

const fuelCrossCheck: EmissionVariant<FuelCrossCheckMethodology> = {
  variant: 'fuel-cross-check',
  creditPerKwh: (m, c) => {
    const p = m.parameters;
    const perL = fuelCo2Tco2PerL(p.fuelDensityKgPerL.value, p.ncvGjPerT.value, p.efFuelTco2PerTj.value);
    return p.marginalFuelLPerKwh.value * (c.powerRatio - 1) * perL;
  },
  substituteEnergyKwh: (_m, c, window, rate) => lowSubstitute(c, window, rate),
  figures(m, c, measures) {
    const p = m.parameters;
    const perL = fuelCo2Tco2PerL(p.fuelDensityKgPerL.value, p.ncvGjPerT.value, p.efFuelTco2PerTj.value);
    const marginal = p.marginalFuelLPerKwh.value;
    const projectLampFuelL = marginal * measures.energyKwh;
    const fuelSavedL = derivedFuelSavedL(measures.energyKwh, c.pRefKw, c.pLedKw, marginal);
    const referenceLampFuelL = projectLampFuelL + fuelSavedL;
    const referenceEmissionsTco2 = referenceLampFuelL * perL;
    const projectEmissionsTco2 = projectLampFuelL * perL;
    return {
      referenceEmissionsTco2,
      projectEmissionsTco2,
      emissionReductionsTco2: fuelSavedL * perL,
      route: {
        variant: 'fuel-cross-check',
        fuelDensityKgPerL: p.fuelDensityKgPerL.value,
        ncvGjPerT: p.ncvGjPerT.value,
        efFuelTco2PerTj: p.efFuelTco2PerTj.value,
        marginalFuelLPerKwh: marginal,
        fuelCo2Tco2PerL: perL,
        efMarginalTco2PerMwh: marginal * perL * 1000,
        projectLampFuelL,
        referenceLampFuelL,
        fuelSavedL,
        referenceGeneratorFuelL: measures.measuredFuelL === null ? null : measures.measuredFuelL + fuelSavedL,
        measuredFuelPerLedKwhLPerKwh:
          measures.measuredFuelL === null || measures.energyKwh === 0
            ? null
            : measures.measuredFuelL / measures.energyKwh,
      },
    };
  },
};

/** The variant a parameter set selects, typed to it. */
export function variantOf<M extends MethodologyParameterSet>(methodology: M): EmissionVariant<M> {
  const variants = {
    'electricity-rated-power-ratio': electricityRatio,
    'rated-power-hours': ratedPowerHours,
    'fuel-cross-check': fuelCrossCheck,
  } satisfies {
    [K in MethodologyParameterSet['variant']]: EmissionVariant<
      Extract<MethodologyParameterSet, { variant: K }>
    >;
  };
  return variants[methodology.variant] as unknown as EmissionVariant<M>;
}
