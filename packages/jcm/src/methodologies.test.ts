import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JcmError } from './errors.js';
import {
  BUILT_IN_METHODOLOGY_IDS,
  METHODOLOGIES_DIR_URL,
  loadBuiltInMethodology,
  loadMethodology,
  parameterSetSha256,
} from './methodologies.js';
import { CALCULATOR_NAME, CALCULATOR_VERSION } from './version.js';

describe('the shipped parameter sets', () => {
  it('are exactly the files in methodologies/, each named by its id', () => {
    const files = readdirSync(METHODOLOGIES_DIR_URL).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(BUILT_IN_METHODOLOGY_IDS.map((id) => `${id}.json`).sort());
    for (const id of BUILT_IN_METHODOLOGY_IDS) expect(loadBuiltInMethodology(id).methodologyId).toBe(id);
  });

  it('carry the documented defaults, each with its source and assumption flag', () => {
    const electricity = loadBuiltInMethodology('qtled-vn006-electricity-ratio');
    const fuel = loadBuiltInMethodology('qtled-vn006-fuel-cross-check');
    if (fuel.variant !== 'fuel-cross-check') throw new Error('expected the fuel variant');
    if (electricity.variant !== 'electricity-rated-power-ratio')
      throw new Error('expected the electricity variant');
    const { efGenTco2PerMwh } = electricity.parameters;
    expect([efGenTco2PerMwh.value, efGenTco2PerMwh.isAssumption, efGenTco2PerMwh.monitoringOption]).toEqual([
      0.533,
      false,
      'A',
    ]);
    // 72.6 tCO2/TJ × 3.6 GJ/MWh ÷ 0.49 = 0.53339…, which JCM material writes as 0.533.
    expect(Math.floor((72.6 * 3.6) / 0.49) / 1000).toBe(0.533);
    expect(efGenTco2PerMwh.source).toMatch(/72\.6.*3\.6.*0\.49/);
    const p = fuel.parameters;
    expect([p.ncvGjPerT.value, p.ncvGjPerT.isAssumption, p.ncvGjPerT.source]).toEqual([
      43,
      false,
      expect.stringMatching(/Table 1\.2/),
    ]);
    expect([p.efFuelTco2PerTj.value, p.efFuelTco2PerTj.isAssumption]).toEqual([74.1, false]);
    expect(p.efFuelTco2PerTj.source).toMatch(/Table 1\.4/);
    expect([p.fuelDensityKgPerL.value, p.fuelDensityKgPerL.isAssumption]).toEqual([0.84, true]);
    expect([p.marginalFuelLPerKwh.value, p.marginalFuelLPerKwh.isAssumption]).toEqual([0.36, true]);
    for (const id of BUILT_IN_METHODOLOGY_IDS) {
      const m = loadBuiltInMethodology(id);
      expect(m.rules.rounding).toEqual({ mode: 'floor', decimalPlaces: 0, stage: 'fleet' });
      expect(m.rules.unobservedEnergy).toBe('exclude');
      expect(m.parameters.ledLoadFactorMax.isAssumption).toBe(true);
    }
  });

  it('hash the parameters, not the file layout: the digest is of canonical JSON', () => {
    const m = loadBuiltInMethodology('qtled-vn006-electricity-ratio');
    const reordered = JSON.parse(JSON.stringify(m, Object.keys(m).reverse())) as typeof m;
    expect(parameterSetSha256({ ...reordered, ...m })).toBe(parameterSetSha256(m));
    expect(parameterSetSha256(m)).not.toBe(
      parameterSetSha256(loadBuiltInMethodology('qtled-vn006-rated-power-hours')),
    );
  });
});

describe('loadMethodology', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jcm-methodology-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every problem of a broken parameter set, with its path', () => {
    const json = JSON.parse(
      readFileSync(new URL('qtled-vn006-electricity-ratio.json', METHODOLOGIES_DIR_URL), 'utf8'),
    ) as { parameters: Record<string, Record<string, unknown>> };
    const ef = json.parameters['efGenTco2PerMwh'] ?? {};
    ef['unit'] = 'kgCO2/kWh';
    ef['monitoringOption'] = 'D';
    delete json.parameters['ledLoadFactorMax'];
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(json));
    let caught: unknown;
    try {
      loadMethodology(file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(JcmError);
    expect((caught as JcmError).code).toBe('JCM_METHODOLOGY_INVALID');
    expect((caught as JcmError).problems.map((p) => p.path).sort()).toEqual([
      'parameters.efGenTco2PerMwh.monitoringOption',
      'parameters.efGenTco2PerMwh.unit',
      'parameters.ledLoadFactorMax',
    ]);
    expect((caught as JcmError).message).toContain('this parameter is expressed in tCO2/MWh');
  });

  it('says when a file is missing or not JSON', () => {
    expect(() => loadMethodology(join(dir, 'missing.json'))).toThrow(
      expect.objectContaining({ code: 'JCM_METHODOLOGY_UNREADABLE' }),
    );
    const file = join(dir, 'truncated.json');
    writeFileSync(file, '{ "schema": ');
    expect(() => loadMethodology(file)).toThrow(
      expect.objectContaining({
        code: 'JCM_METHODOLOGY_INVALID',
        message: expect.stringContaining('not JSON') as unknown,
      }),
    );
  });
});

describe('the calculator version', () => {
  it('is the package version, so every result names the code that made it', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      name: string;
      version: string;
    };
    expect([CALCULATOR_NAME, CALCULATOR_VERSION]).toEqual([pkg.name, pkg.version]);
  });
});
