import { z } from 'zod';
import { LocalDate } from './registry.js';

/**
 * A JCM methodology as reviewable data: a versioned parameter set that the emission calculator
 * (`@qt-led/jcm`) interprets. The approved methodology text for VN006 is not available to the project, so
 * every value carries its source, whether it is an assumption of ours, its JCM monitoring option and the
 * dates it is effective; nothing numeric is buried in code.
 *
 * Keys are the calculator's names and carry their unit (`efGenTco2PerMwh`); the `unit` field must agree,
 * so a value typed in the wrong unit is rejected rather than silently misread.
 */

/**
 * JCM monitoring options: A = public or default data measured by others (IPCC defaults, published
 * trials); B = transaction records, invoices or specifications; C = the project's own measurement.
 */
export const MonitoringOption = z.enum(['A', 'B', 'C'], {
  error: 'the monitoring option is A (public/default data), B (records, invoices) or C (own measurement)',
});
export type MonitoringOption = z.infer<typeof MonitoringOption>;

/** The calculation structures the calculator implements; each parameter set names one. */
export const MethodologyVariant = z.enum([
  'electricity-rated-power-ratio',
  'rated-power-hours',
  'fuel-cross-check',
]);
export type MethodologyVariant = z.infer<typeof MethodologyVariant>;

/**
 * One parameter with its provenance. `validTo` is exclusive (`null`: open-ended); a calculation whose
 * period is not wholly inside the parameter's effective dates is refused by the calculator.
 */
function parameter(unit: string, value: z.ZodNumber) {
  return z
    .strictObject({
      symbol: z.string().trim().min(1, 'give the symbol used in the methodology text, like EF_gen'),
      value,
      unit: z.literal(unit, { error: `this parameter is expressed in ${unit}` }),
      description: z.string().trim().min(1, 'say what the parameter is'),
      source: z.string().trim().min(1, 'say where the value comes from'),
      monitoringOption: MonitoringOption,
      /** True when the value is our choice (not taken from the methodology or a cited default). */
      isAssumption: z.boolean(),
      validFrom: LocalDate,
      validTo: LocalDate.nullable(),
    })
    .superRefine((p, ctx) => {
      if (p.validTo !== null && p.validTo <= p.validFrom) {
        ctx.addIssue({
          code: 'custom',
          path: ['validTo'],
          message: `validTo (${p.validTo}) must come after validFrom (${p.validFrom}); it is exclusive`,
        });
      }
    });
}
const positive = () => z.number().positive('must be greater than zero');

/** Every parameter as it appears in a parameter set (the unit is checked per key, not here). */
export type MethodologyParameter = z.infer<ReturnType<typeof parameter>>;

/** Emission factor of the onboard diesel generator, tCO₂ per MWh of electricity generated. */
const efGenTco2PerMwh = parameter('tCO2/MWh', positive());
/**
 * The most the LED circuit can draw, as a multiple of its rated power: caps the energy one register step
 * may contribute (a step above it is a meter fault, not light) and bounds conservative interpolation.
 */
const ledLoadFactorMax = parameter('1', z.number().min(1, 'at least 1 (rated power)').max(2, 'at most 2'));

/**
 * What to do with energy the register cannot account for (a reset, a meter replaced with no reading on one
 * side): `exclude` counts nothing for that window; `substitute-conservative` fills it with the variant's
 * conservative estimate and reports it as substituted.
 */
export const UnobservedEnergyRule = z.enum(['exclude', 'substitute-conservative']);
export type UnobservedEnergyRule = z.infer<typeof UnobservedEnergyRule>;

/**
 * Rounding of the period's emission reductions. `floor` to 0 decimal places after fleet summation is the
 * usual JCM spreadsheet practice (unconfirmed for VN006); `stage: 'vessel'` rounds each vessel first and
 * sums the rounded figures (shown only to compare). Intermediate values are never rounded.
 */
export const RoundingRule = z.strictObject({
  mode: z.enum(['floor', 'half-up', 'none']),
  decimalPlaces: z.int().min(0).max(6),
  stage: z.enum(['fleet', 'vessel']),
});
export type RoundingRule = z.infer<typeof RoundingRule>;

const commonRules = {
  unobservedEnergy: UnobservedEnergyRule,
  rounding: RoundingRule,
};

const header = {
  schema: z.literal('qtled.jcm-methodology/1'),
  /** Stable id of the methodology; a new version of the same methodology keeps it. */
  methodologyId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'a methodology id is 3–64 lowercase letters, digits or hyphens'),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'a methodology version is semantic, like 1.0.0'),
  title: z.string().trim().min(1),
  /** What the variant models, and what is not known about the real methodology. */
  description: z.string().trim().min(1),
  /** Published methodologies and documents the structure follows. */
  references: z.array(z.string().trim().min(1)).min(1, 'cite at least one reference'),
};

export const ElectricityRatioMethodology = z.strictObject({
  ...header,
  variant: z.literal('electricity-rated-power-ratio'),
  parameters: z.strictObject({ efGenTco2PerMwh, ledLoadFactorMax }),
  rules: z.strictObject(commonRules),
});

/**
 * `lamps-on-weighted`: reference hours count each lamp-on hour by the share of the LED lamps lit (half the
 * lamps lit for 2 h is 1 full-load hour); `any-lamp-on`: every hour with any lamp lit counts in full.
 */
export const ReferenceHoursBasis = z.enum(['lamps-on-weighted', 'any-lamp-on']);
export type ReferenceHoursBasis = z.infer<typeof ReferenceHoursBasis>;

export const RatedPowerHoursMethodology = z.strictObject({
  ...header,
  variant: z.literal('rated-power-hours'),
  parameters: z.strictObject({ efGenTco2PerMwh, ledLoadFactorMax }),
  rules: z.strictObject({ ...commonRules, referenceHoursBasis: ReferenceHoursBasis }),
});

export const FuelCrossCheckMethodology = z.strictObject({
  ...header,
  variant: z.literal('fuel-cross-check'),
  parameters: z.strictObject({
    /** Diesel density, kg/L. */
    fuelDensityKgPerL: parameter('kg/L', positive()),
    /** Net calorific value of gas/diesel oil, GJ per tonne. */
    ncvGjPerT: parameter('GJ/t', positive()),
    /** CO₂ emission factor of gas/diesel oil, tCO₂ per TJ. */
    efFuelTco2PerTj: parameter('tCO2/TJ', positive()),
    /** Extra generator fuel per kWh of extra lamp load: how the (unmeasured) reference fuel is derived. */
    marginalFuelLPerKwh: parameter('L/kWh', positive()),
    ledLoadFactorMax,
  }),
  rules: z.strictObject(commonRules),
});

/** A methodology parameter set: the file format of `packages/jcm/methodologies/*.json`. */
export const MethodologyParameterSet = z.discriminatedUnion('variant', [
  ElectricityRatioMethodology,
  RatedPowerHoursMethodology,
  FuelCrossCheckMethodology,
]);
export type MethodologyParameterSet = z.infer<typeof MethodologyParameterSet>;
export type ElectricityRatioMethodology = z.infer<typeof ElectricityRatioMethodology>;
export type RatedPowerHoursMethodology = z.infer<typeof RatedPowerHoursMethodology>;
export type FuelCrossCheckMethodology = z.infer<typeof FuelCrossCheckMethodology>;
