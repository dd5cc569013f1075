import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '@qt-led/partner-packages';
import { EMISSION_COLUMNS } from './exports/emissions-table.js';
import { type ApiFixture, createApiFixture, PERIOD } from './testing/api-fixture.js';

let f: ApiFixture;
beforeAll(async () => {
  f = await createApiFixture();
});
afterAll(async () => {
  await f.close();
});

interface VesselFigures {
  vesselId: string;
  status: string;
  energyMwh: number;
  observedEnergyKwh: number;
  lampOnHours: number;
  fuelL: number | null;
  referenceEmissionsTco2: number;
  projectEmissionsTco2: number;
  emissionReductionsTco2: number;
  subPeriods: { pLedKw: number; pRefKw: number; route: { variant: string } }[];
  completeness: { readingsReceived: number };
}
interface Report {
  fromCache: boolean;
  result: {
    provenance: {
      methodologyId: string;
      methodologyVersion: string;
      parameterSetSha256: string;
      inputSha256: string;
      calculatorVersion: string;
    };
    fleet: {
      energyMwh: number;
      emissionReductionsTco2: number;
      emissionReductionsReportedTco2: number;
      referenceEmissionsTco2: number;
    };
    vessels: VesselFigures[];
  };
}

const query = (extra = ''): string =>
  `/api/v1/emissions?from=${PERIOD.from}&to=${PERIOD.to}&vessel=${f.vesselIds.join(',')}${extra}`;

describe('emissions', () => {
  it('returns the fleet result with per-vessel intermediates and provenance', async () => {
    const response = await f.app.inject({ url: query(), headers: f.auth('analyst') });
    expect(response.statusCode).toBe(200);
    const { result } = response.json<Report>();
    expect(result.provenance).toMatchObject({ methodologyId: 'qtled-vn006-electricity-ratio' });
    expect(result.provenance.inputSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.vessels.map((v) => v.vesselId)).toEqual([...f.vesselIds].sort());
    for (const v of result.vessels) {
      expect(v.status).toBe('calculated');
      // Three whole nights of about 10 h at the registry's LED load, and the evening of a fourth that the
      // period's end (local midnight) cuts off after 5–6 h.
      const sub = v.subPeriods[0];
      expect(sub?.route.variant).toBe('electricity-rated-power-ratio');
      expect(v.energyMwh).toBeGreaterThan(((sub?.pLedKw ?? 0) * 0.96 * 32) / 1_000);
      expect(v.energyMwh).toBeLessThan(((sub?.pLedKw ?? 0) * 38) / 1_000);
      expect(v.emissionReductionsTco2).toBeGreaterThan(0);
    }
    const sum = result.vessels.reduce((s, v) => s + v.emissionReductionsTco2, 0);
    expect(result.fleet.emissionReductionsTco2).toBeCloseTo(sum, 9);
  });

  it('calculates with the variant asked for', async () => {
    const response = await f.app.inject({
      url: query('&variant=qtled-vn006-fuel-cross-check'),
      headers: f.auth('partner'),
    });
    expect(response.statusCode).toBe(200);
    const { result } = response.json<Report>();
    expect(result.provenance.methodologyId).toBe('qtled-vn006-fuel-cross-check');
    expect(result.vessels[0]?.subPeriods[0]?.route.variant).toBe('fuel-cross-check');
  });

  it('exports CSV (RFC 4180) whose every value parses back to the JSON figure', async () => {
    const json = (await f.app.inject({ url: query(), headers: f.auth('analyst') })).json<Report>().result;
    const response = await f.app.inject({ url: query('&format=csv'), headers: f.auth('analyst') });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="qtled-emissions_${PERIOD.from}_${PERIOD.to}_5-vessels_qtled-vn006-electricity-ratio.csv"`,
    );
    expect(response.body.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = parseCsv(response.body);
    expect(header).toEqual(EMISSION_COLUMNS.map((c) => c.header));
    expect(rows).toHaveLength(json.vessels.length + 1);
    const column = (name: string): number => header?.indexOf(name) ?? -1;
    const num = (row: string[], name: string): number | null => {
      const text = row[column(name)] ?? '';
      return text === '' ? null : Number(text);
    };
    for (const v of json.vessels) {
      const row = rows.find((r) => r[column('vessel_id')] === v.vesselId);
      if (row === undefined) throw new Error(`no CSV row for ${v.vesselId}`);
      expect(row[column('row_type')]).toBe('vessel');
      expect(num(row, 'energy_MWh')).toBe(v.energyMwh);
      expect(num(row, 'observed_energy_kWh')).toBe(v.observedEnergyKwh);
      expect(num(row, 'lamp_on_hours_h')).toBe(v.lampOnHours);
      expect(num(row, 'fuel_L')).toBe(v.fuelL);
      expect(num(row, 'reference_emissions_tCO2')).toBe(v.referenceEmissionsTco2);
      expect(num(row, 'project_emissions_tCO2')).toBe(v.projectEmissionsTco2);
      expect(num(row, 'emission_reductions_tCO2')).toBe(v.emissionReductionsTco2);
      expect(num(row, 'readings_received')).toBe(v.completeness.readingsReceived);
      expect(num(row, 'p_led_kW')).toBe(v.subPeriods[0]?.pLedKw);
      expect(row[column('input_sha256')]).toBe(json.provenance.inputSha256);
      expect(row[column('parameter_set_sha256')]).toBe(json.provenance.parameterSetSha256);
    }
    const fleet = rows.find((r) => r[column('row_type')] === 'fleet');
    if (fleet === undefined) throw new Error('no fleet row');
    expect(num(fleet, 'energy_MWh')).toBe(json.fleet.energyMwh);
    expect(num(fleet, 'emission_reductions_tCO2')).toBe(json.fleet.emissionReductionsTco2);
    expect(num(fleet, 'emission_reductions_reported_tCO2')).toBe(json.fleet.emissionReductionsReportedTco2);
    expect(fleet[column('methodology_version')]).toBe(json.provenance.methodologyVersion);
    expect(fleet[column('calculator_version')]).toBe(json.provenance.calculatorVersion);
  });

  it('exports an xlsx workbook that opens with the figures, sub-periods and provenance', async () => {
    const json = (await f.app.inject({ url: query(), headers: f.auth('partner') })).json<Report>().result;
    const response = await f.app.inject({ url: query('&format=xlsx'), headers: f.auth('partner') });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(response.headers['content-disposition']).toMatch(/filename="qtled-emissions_.*\.xlsx"/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Vessels', 'Sub-periods', 'Provenance']);
    const sheet = workbook.getWorksheet('Vessels');
    const header = (sheet?.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(EMISSION_COLUMNS.map((c) => c.header));
    const col = header.indexOf('emission_reductions_tCO2') + 1;
    const idCol = header.indexOf('vessel_id') + 1;
    for (let r = 2; r <= json.vessels.length + 1; r += 1) {
      const row = sheet?.getRow(r);
      const v = json.vessels.find((x) => x.vesselId === row?.getCell(idCol).value);
      expect(row?.getCell(col).value).toBe(v?.emissionReductionsTco2);
    }
    expect(sheet?.getRow(json.vessels.length + 2).getCell(1).value).toBe('fleet');
    const provenance = workbook.getWorksheet('Provenance');
    const pairs = new Map<unknown, unknown>();
    provenance?.eachRow((row) => pairs.set(row.getCell(1).value, row.getCell(2).value));
    expect(pairs.get('input_sha256')).toBe(json.provenance.inputSha256);
    expect(pairs.get('methodology_id')).toBe(json.provenance.methodologyId);
    expect(workbook.getWorksheet('Sub-periods')?.rowCount).toBe(json.vessels.length + 1);
  });

  it('reports the whole fleet when no vessel is given, vessels without data flagged', async () => {
    const response = await f.app.inject({
      url: `/api/v1/emissions?from=${PERIOD.from}&to=${PERIOD.to}`,
      headers: f.auth('admin'),
    });
    expect(response.statusCode).toBe(200);
    const { result } = response.json<Report>();
    expect(result.vessels).toHaveLength(f.registry.current().registry.vessels.length);
    const silent = result.vessels.filter((v) => !f.vesselIds.includes(v.vesselId as never));
    expect(silent.every((v) => v.energyMwh === 0)).toBe(true);
  });
});
