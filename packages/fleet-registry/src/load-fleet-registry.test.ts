import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DISTRICT_OF_HOME_PORT, GatewayId, HomePort, VesselId, type VesselVersion } from '@qt-led/contract';
import { FleetRegistryError, PACKAGED_FLEET_REGISTRY_URL, loadFleetRegistry } from './index.js';

const ledKw = (v: VesselVersion): number => (v.ledLamps.count * v.ledLamps.ratedW) / 1000;
const replacedKw = (v: VesselVersion): number => (v.replacedLamps.count * v.replacedLamps.ratedW) / 1000;
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

describe('the packaged fleet registry', () => {
  const index = loadFleetRegistry();
  const { vessels } = index.registry;
  const handedOver = vessels.map((v) => {
    const first = v.versions[0];
    if (!first) throw new Error(`${v.vesselId} has no versions`);
    return first;
  });

  it('validates, and says plainly that it is illustrative (English and Vietnamese)', () => {
    expect(index.registry.schema).toBe('qtled.fleet-registry/1');
    expect(index.registry.illustrative).toBe(true);
    expect(index.registry.notice).toMatch(/ILLUSTRATIVE DATA.*VN006.*not the real boats/);
    expect(index.registry.notice).toMatch(/DỮ LIỆU MINH HỌA.*không phải hồ sơ thật/);
  });

  it('has the 40 project vessels with unique registration numbers, the two pilot boats among them', () => {
    expect(vessels).toHaveLength(40);
    expect(new Set(vessels.map((v) => v.vesselId)).size).toBe(40);
    for (const v of vessels) expect(v.vesselId).toMatch(/^QT-\d{5}-TS$/);
    const pilots = [index.vessel(VesselId.parse('QT-90145-TS')), index.vessel(VesselId.parse('QT-01009-TS'))];
    expect(pilots.map((v) => [v?.gear, v?.versions[0]?.ledLamps.count])).toEqual([
      ['lift-net', 20],
      ['squid-jigging', 20],
    ]);
  });

  it('uses every home port, each with its district, and mostly purse seiners of 200–800 CV', () => {
    expect(new Set(vessels.map((v) => v.homePort))).toEqual(new Set(HomePort.options));
    for (const v of vessels) expect(v.district).toBe(DISTRICT_OF_HOME_PORT[v.homePort]);
    const seiners = vessels.filter((v) => v.gear === 'purse-seine').length;
    expect(seiners).toBeGreaterThan(vessels.length / 2);
    expect(new Set(vessels.map((v) => v.gear))).toEqual(
      new Set(['purse-seine', 'lift-net', 'squid-jigging']),
    );
    for (const v of vessels) {
      expect(v.enginePowerCv).toBeGreaterThanOrEqual(200);
      expect(v.enginePowerCv).toBeLessThanOrEqual(800);
    }
  });

  it('was handed over in August 2017 with 1,800 LED lamps, about 45 a boat (20–60)', () => {
    for (const first of handedOver) expect(first.validFrom).toMatch(/^2017-08-/);
    const counts = handedOver.map((v) => v.ledLamps.count);
    expect(sum(counts)).toBe(1800);
    expect(sum(counts) / counts.length).toBeCloseTo(45, 0);
    expect(Math.min(...counts)).toBe(20);
    expect(Math.max(...counts)).toBe(60);
  });

  it('cuts lamp power by 60–76 % on every boat, and sizes each generator for its LED load', () => {
    for (const v of vessels) {
      for (const version of v.versions) {
        const saving = 1 - ledKw(version) / replacedKw(version);
        expect(saving, `${v.vesselId} ${version.validFrom}`).toBeGreaterThanOrEqual(0.6);
        expect(saving, `${v.vesselId} ${version.validFrom}`).toBeLessThanOrEqual(0.76);
        expect(version.generator.ratedKw).toBeGreaterThanOrEqual(ledKw(version));
        expect(version.generator.ratedKw).toBeLessThanOrEqual(40);
        expect(version.ledLamps.ratedW).toBeGreaterThanOrEqual(200);
        expect(version.ledLamps.ratedW).toBeLessThanOrEqual(400);
        expect(version.replacedLamps.ratedW).toBeGreaterThanOrEqual(1000);
      }
    }
    const fleetSaving = 1 - sum(handedOver.map(ledKw)) / sum(handedOver.map(replacedKw));
    expect(fleetSaving).toBeGreaterThan(0.6);
    expect(fleetSaving).toBeLessThan(0.76);
  });

  it('records later changes on at least five boats: lamps, gateway swaps, meters and a 2023 re-equipment', () => {
    const later = vessels.flatMap((v) =>
      v.versions.slice(1).map((version) => ({ vesselId: v.vesselId, version })),
    );
    expect(new Set(later.map((l) => l.vesselId)).size).toBeGreaterThanOrEqual(5);
    const changes = later.map((l) => l.version.change).join('\n');
    expect(changes).toMatch(/lamps added/);
    expect(changes).toMatch(/storm damage/);
    expect(changes).toMatch(/gateway swapped/);
    expect(changes).toMatch(/meter replaced/);
    expect(changes).toMatch(/meter recalibrated/);
    expect(
      later.some((l) => l.version.validFrom.startsWith('2023-') && /re-equipped/.test(l.version.change)),
    ).toBe(true);
  });

  it('answers what a re-equipped boat carried on the day before, the day of and after the change', () => {
    const boat = VesselId.parse('QT-99241-TS');
    const before = index.configOn(boat, '2023-05-31');
    const dayOf = index.configOn(boat, '2023-06-01');
    const after = index.configOn(boat, '2024-12-31');
    expect(before?.version.ledLamps).toEqual({ count: 43, ratedW: 300, model: 'COB-FL300 (illustrative)' });
    expect(dayOf?.version.ledLamps).toEqual({ count: 39, ratedW: 400, model: 'COB-FL400 (illustrative)' });
    expect(after?.version).toBe(dayOf?.version);
    // The reference (replaced lamps) is what the LEDs first replaced: it does not change with the LEDs.
    expect(dayOf?.version.replacedLamps).toEqual(before?.version.replacedLamps);
    expect(index.configOn(boat, '2017-08-14')).toBeUndefined();
    // 17:30 UTC on 31 May is already 1 June in Viet Nam.
    expect(index.configAt(boat, new Date('2023-05-31T17:30:00Z'))?.version.ledLamps.ratedW).toBe(400);
    expect(index.configAt(boat, new Date('2023-05-31T16:30:00Z'))?.version.ledLamps.ratedW).toBe(300);
  });

  it('follows a gateway from one boat, through the workshop, to another', () => {
    const gateway = GatewayId.parse('gw-1eb02d28');
    expect(index.vesselForGateway(gateway, '2021-06-17')?.vessel.vesselId).toBe('QT-93295-TS');
    expect(index.vesselForGateway(gateway, '2021-06-18')).toBeUndefined();
    expect(index.vesselForGateway(gateway, '2022-03-08')).toBeUndefined();
    expect(index.vesselForGateway(gateway, '2022-03-09')?.vessel.vesselId).toBe('QT-94018-TS');
  });

  it('is frozen: the registry is loaded once and nothing may edit it in memory', () => {
    const first = vessels[0];
    expect(Object.isFrozen(first?.versions[0]?.ledLamps)).toBe(true);
    expect(() => {
      (first as { name: string }).name = 'changed';
    }).toThrow(TypeError);
  });
});

describe('loadFleetRegistry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-registry-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const packaged = (): { vessels: Record<string, unknown>[] } =>
    JSON.parse(readFileSync(PACKAGED_FLEET_REGISTRY_URL, 'utf8')) as { vessels: Record<string, unknown>[] };
  const firstVersionOf = (vessel: Record<string, unknown> | undefined): Record<string, unknown> => {
    const versions = vessel?.['versions'] as Record<string, unknown>[] | undefined;
    const first = versions?.[0];
    if (!first) throw new Error('packaged vessel without versions');
    return first;
  };

  it('accepts a path as well as the packaged default', () => {
    const file = join(dir, 'copy.json');
    writeFileSync(file, readFileSync(PACKAGED_FLEET_REGISTRY_URL));
    expect(loadFleetRegistry(file).registry.vessels).toHaveLength(40);
  });

  it('lists every problem of a broken file, each with its path, and names the file', () => {
    const broken = packaged();
    firstVersionOf(broken.vessels[2])['validFrom'] = '2023-02-30';
    if (broken.vessels[5]) broken.vessels[5]['vesselId'] = 'QT-5-TS';
    if (broken.vessels[7]) broken.vessels[7]['vesselId'] = broken.vessels[6]?.['vesselId'];
    firstVersionOf(broken.vessels[9])['replacedLamps'] = { count: 1, ratedW: 1000, type: 'metal-halide' };
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(broken));

    let caught: unknown;
    try {
      loadFleetRegistry(file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FleetRegistryError);
    const error = caught as FleetRegistryError;
    expect(error.code).toBe('FLEET_REGISTRY_INVALID');
    expect(error.source).toBe(file);
    expect(error.problems.map((p) => p.path)).toEqual([
      'vessels[2].versions[0].validFrom',
      'vessels[5].vesselId',
      'vessels[9].versions[0].ledLamps',
      'vessels[7].vesselId',
    ]);
    expect(error.message).toContain(`fleet registry ${file}: 4 problems`);
    expect(error.message).toContain(
      'vessels[2].versions[0].validFrom: 2023-02-30 is not a real calendar date',
    );
    expect(error.message).toContain('vessels[5].vesselId: a vessel id is a Quang Tri registration number');
    expect(error.message).toMatch(
      /vessels\[7\]\.vesselId: QT-\d{5}-TS is listed twice \(also at vessels\[6\]\)/,
    );
    expect(error.message).toMatch(/vessels\[9\]\.versions\[0\]\.ledLamps: the LED load .* must be below/);
  });

  it('says when a file is not JSON', () => {
    const file = join(dir, 'truncated.json');
    writeFileSync(file, '{ "schema": "qtled.fleet-registry/1", ');
    expect(() => loadFleetRegistry(file)).toThrow(
      expect.objectContaining({
        code: 'FLEET_REGISTRY_INVALID',
        message: expect.stringContaining('not JSON') as unknown,
      }),
    );
  });

  it('tells an unreadable file from an invalid one', () => {
    const file = join(dir, 'missing.json');
    expect(() => loadFleetRegistry(file)).toThrow(
      expect.objectContaining({
        code: 'FLEET_REGISTRY_UNREADABLE',
        source: file,
        message: expect.stringContaining('ENOENT') as unknown,
      }),
    );
  });
});
