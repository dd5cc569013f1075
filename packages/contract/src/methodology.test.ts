import { describe, expect, it } from 'vitest';
import { MethodologyParameterSet } from './methodology.js';

// Plain JSON, as it would come from a parameter-set file.
type Json = Record<string, unknown>;

function parameter(symbol: string, value: number, unit: string, overrides: Json = {}): Json {
  return {
    symbol,
    value,
    unit,
    description: `${symbol} for the test`,
    source: 'test source',
    monitoringOption: 'A',
    isAssumption: false,
    validFrom: '2017-08-01',
    validTo: null,
    ...overrides,
  };
}

function parameterSet(overrides: Json = {}): Json {
  return {
    schema: 'qtled.jcm-methodology/1',
    methodologyId: 'test-electricity',
    version: '1.0.0',
    title: 'Test',
    description: 'A parameter set for the schema tests',
    references: ['domain.md'],
    variant: 'electricity-rated-power-ratio',
    parameters: {
      efGenTco2PerMwh: parameter('EF_gen', 0.533, 'tCO2/MWh'),
      ledLoadFactorMax: parameter('LF_max', 1.1, '1', { isAssumption: true, monitoringOption: 'B' }),
    },
    rules: { unobservedEnergy: 'exclude', rounding: { mode: 'floor', decimalPlaces: 0, stage: 'fleet' } },
    ...overrides,
  };
}

/** Issues as `path: message`, the way an analyst editing the file would read them. */
function problems(input: Json): string[] {
  const result = MethodologyParameterSet.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('MethodologyParameterSet', () => {
  it('accepts each variant with its own parameters and rules', () => {
    expect(problems(parameterSet())).toEqual([]);
    expect(
      problems(
        parameterSet({
          variant: 'rated-power-hours',
          rules: {
            unobservedEnergy: 'substitute-conservative',
            rounding: { mode: 'none', decimalPlaces: 0, stage: 'vessel' },
            referenceHoursBasis: 'lamps-on-weighted',
          },
        }),
      ),
    ).toEqual([]);
    expect(
      problems(
        parameterSet({
          variant: 'fuel-cross-check',
          parameters: {
            fuelDensityKgPerL: parameter('rho', 0.84, 'kg/L', { isAssumption: true }),
            ncvGjPerT: parameter('NCV', 43, 'GJ/t'),
            efFuelTco2PerTj: parameter('EF_CO2', 74.1, 'tCO2/TJ'),
            marginalFuelLPerKwh: parameter('SFC_marg', 0.36, 'L/kWh', { isAssumption: true }),
            ledLoadFactorMax: parameter('LF_max', 1.1, '1'),
          },
        }),
      ),
    ).toEqual([]);
  });

  it('rejects a value in the wrong unit, so nothing is silently misread', () => {
    expect(
      problems(
        parameterSet({
          parameters: {
            efGenTco2PerMwh: parameter('EF_gen', 533, 'kgCO2/MWh'),
            ledLoadFactorMax: parameter('LF_max', 1.1, '1'),
          },
        }),
      ),
    ).toEqual(['parameters.efGenTco2PerMwh.unit: this parameter is expressed in tCO2/MWh']);
  });

  it('reports every problem at once: option, dates, sign, missing source, unknown key', () => {
    expect(
      problems(
        parameterSet({
          parameters: {
            efGenTco2PerMwh: parameter('EF_gen', -0.5, 'tCO2/MWh', {
              monitoringOption: 'D',
              validTo: '2017-01-01',
              source: ' ',
            }),
            ledLoadFactorMax: parameter('LF_max', 0.9, '1'),
            extra: parameter('X', 1, '1'),
          },
        }),
      ),
    ).toEqual([
      'parameters.efGenTco2PerMwh.value: must be greater than zero',
      'parameters.efGenTco2PerMwh.source: say where the value comes from',
      'parameters.efGenTco2PerMwh.monitoringOption: the monitoring option is A (public/default data), B (records, invoices) or C (own measurement)',
      'parameters.ledLoadFactorMax.value: at least 1 (rated power)',
      'parameters: Unrecognized key: "extra"',
    ]);
    expect(
      problems(
        parameterSet({
          parameters: {
            efGenTco2PerMwh: parameter('EF_gen', 0.533, 'tCO2/MWh', { validTo: '2017-08-01' }),
            ledLoadFactorMax: parameter('LF_max', 1.1, '1'),
          },
        }),
      ),
    ).toEqual([
      'parameters.efGenTco2PerMwh.validTo: validTo (2017-08-01) must come after validFrom (2017-08-01); it is exclusive',
    ]);
  });

  it('requires the parameters and rules of the variant it names', () => {
    expect(problems(parameterSet({ variant: 'fuel-cross-check' }))).toEqual([
      'parameters.fuelDensityKgPerL: Invalid input: expected object, received undefined',
      'parameters.ncvGjPerT: Invalid input: expected object, received undefined',
      'parameters.efFuelTco2PerTj: Invalid input: expected object, received undefined',
      'parameters.marginalFuelLPerKwh: Invalid input: expected object, received undefined',
      'parameters: Unrecognized key: "efGenTco2PerMwh"',
    ]);
    expect(problems(parameterSet({ variant: 'rated-power-hours' }))).toEqual([
      'rules.referenceHoursBasis: Invalid option: expected one of "lamps-on-weighted"|"any-lamp-on"',
    ]);
    expect(problems(parameterSet({ variant: 'guesswork' }))[0]).toMatch(/^variant: /);
  });

  it('bounds the rounding rule and names ids and versions plainly', () => {
    expect(
      problems(
        parameterSet({
          methodologyId: 'Bad Id',
          version: 'v1',
          rules: { unobservedEnergy: 'guess', rounding: { mode: 'ceil', decimalPlaces: 7, stage: 'fleet' } },
        }),
      ),
    ).toEqual([
      'methodologyId: a methodology id is 3–64 lowercase letters, digits or hyphens',
      'version: a methodology version is semantic, like 1.0.0',
      'rules.unobservedEnergy: Invalid option: expected one of "exclude"|"substitute-conservative"',
      'rules.rounding.mode: Invalid option: expected one of "floor"|"half-up"|"none"',
      'rules.rounding.decimalPlaces: Too big: expected number to be <=6',
    ]);
  });
});
