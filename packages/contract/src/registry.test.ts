import { describe, expect, it } from 'vitest';
import { GatewayId, VesselId } from './ids.js';
import {
  FleetRegistry,
  gatewayAssignmentsOf,
  indexRegistry,
  localDateOf,
  type RegistryIndex,
} from './registry.js';

// Plain JSON, as it would come from a file: the schema is what turns it into typed data.
type Json = Record<string, unknown>;

function version(validFrom: string, overrides: Json = {}): Json {
  return {
    validFrom,
    change: 'LED installation handed over',
    ledLamps: { count: 45, ratedW: 300, model: 'COB-FL300' },
    replacedLamps: { count: 30, ratedW: 1500, type: 'metal-halide' },
    generator: { ratedKw: 20, fuel: 'diesel' },
    meter: { meterId: 'EM17-0145', calibratedOn: '2017-07-20', registerUnit: 'kWh' },
    fuelMeter: null,
    gatewayId: 'gw-0a1b2c3d',
    ...overrides,
  };
}

function vessel(vesselId: string, versions: Json[], overrides: Json = {}): Json {
  return {
    vesselId,
    name: 'Phước Lộc 27',
    owner: 'Nguyễn Văn Hùng',
    homePort: 'Gio Việt',
    district: 'Gio Linh',
    gear: 'purse-seine',
    enginePowerCv: 450,
    lengthM: 21.5,
    versions,
    ...overrides,
  };
}

function registry(vessels: Json[]): Json {
  return { schema: 'qtled.fleet-registry/1', illustrative: true, notice: 'test data', vessels };
}

/** Issues as `path: message`, the way an officer editing the file would read them. */
function problems(input: Json): string[] {
  const result = FleetRegistry.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

const A = VesselId.parse('QT-90145-TS');
const B = VesselId.parse('QT-90200-TS');
const GW_A = GatewayId.parse('gw-0a1b2c3d');
const GW_NEW = GatewayId.parse('gw-5e6f7a8b');
const GW_B = GatewayId.parse('gw-99990000');

/**
 * Vessel A: handed over 2017-08-15 with 20 × 240 W LEDs; 2 lamps added on 2020-03-10; gateway swapped on
 * 2021-06-18 (GW_A freed); re-equipped on 2023-06-01. Vessel B gets the refurbished GW_A on 2022-01-05.
 */
const fixture = registry([
  vessel(A, [
    version('2017-08-15', {
      ledLamps: { count: 20, ratedW: 240, model: 'COB-FL240' },
      replacedLamps: { count: 10, ratedW: 1500, type: 'metal-halide' },
    }),
    version('2020-03-10', {
      change: '2 lamps added',
      ledLamps: { count: 22, ratedW: 240, model: 'COB-FL240' },
      replacedLamps: { count: 10, ratedW: 1500, type: 'metal-halide' },
    }),
    version('2021-06-18', {
      change: 'gateway swapped',
      ledLamps: { count: 22, ratedW: 240, model: 'COB-FL240' },
      replacedLamps: { count: 10, ratedW: 1500, type: 'metal-halide' },
      gatewayId: GW_NEW,
    }),
    version('2023-06-01', {
      change: 're-equipped',
      ledLamps: { count: 40, ratedW: 400, model: 'COB-FL400' },
      replacedLamps: { count: 36, ratedW: 1500, type: 'metal-halide' },
      generator: { ratedKw: 20, fuel: 'diesel' },
      gatewayId: GW_NEW,
    }),
  ]),
  vessel(
    B,
    [
      version('2017-08-16', {
        gatewayId: GW_B,
        meter: { meterId: 'EM17-0200', calibratedOn: '2017-07-20', registerUnit: 'kWh' },
      }),
      version('2022-01-05', {
        change: 'gateway swapped: refurbished unit fitted',
        gatewayId: GW_A,
        meter: { meterId: 'EM17-0200', calibratedOn: '2017-07-20', registerUnit: 'kWh' },
      }),
    ],
    { homePort: 'Cửa Tùng', district: 'Vĩnh Linh' },
  ),
]);

function indexed(): RegistryIndex {
  return indexRegistry(FleetRegistry.parse(fixture));
}

describe('FleetRegistry schema', () => {
  it('accepts a well-formed registry, including a gateway reused after it was freed', () => {
    expect(problems(fixture)).toEqual([]);
  });

  it('rejects a gateway assigned to two vessels over overlapping validity, naming both', () => {
    const input = registry([
      vessel(A, [version('2017-08-15', { gatewayId: GW_A }), version('2021-06-18', { gatewayId: GW_NEW })]),
      vessel(B, [
        version('2017-08-16', {
          gatewayId: GW_B,
          meter: { meterId: 'EM17-0200', calibratedOn: '2017-07-20', registerUnit: 'kWh' },
        }),
        // GW_A is still on A until 2021-06-18.
        version('2021-06-17', {
          gatewayId: GW_A,
          meter: { meterId: 'EM17-0200', calibratedOn: '2017-07-20', registerUnit: 'kWh' },
        }),
      ]),
    ]);
    const found = problems(input);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^vessels\.1\.versions\.1\.gatewayId: gateway gw-0a1b2c3d is assigned to QT-90200-TS/,
    );
    expect(found[0]).toContain('still on QT-90145-TS (2017-08-15 until 2021-06-18)');
  });

  it('rejects an open-ended gateway assignment that another vessel also holds', () => {
    const input = registry([
      vessel(A, [version('2017-08-15')]),
      vessel(B, [
        version('2024-01-01', {
          meter: { meterId: 'EM17-0200', calibratedOn: '2017-07-20', registerUnit: 'kWh' },
        }),
      ]),
    ]);
    expect(problems(input)).toEqual([
      expect.stringMatching(
        /^vessels\.1\.versions\.0\.gatewayId: gateway gw-0a1b2c3d .* \(2017-08-15 until now\)/,
      ),
    ]);
  });

  it('rejects a meter on two vessels at once', () => {
    const input = registry([
      vessel(A, [version('2017-08-15')]),
      vessel(B, [version('2017-08-16', { gatewayId: GW_B })]),
    ]);
    expect(problems(input)).toEqual([
      expect.stringMatching(/^vessels\.1\.versions\.0\.meter\.meterId: meter EM17-0145 /),
    ]);
  });

  it('rejects versions that are not in strictly increasing validFrom order', () => {
    const unsorted = registry([
      vessel(A, [version('2020-01-01'), version('2019-03-01'), version('2019-03-01')]),
    ]);
    expect(problems(unsorted)).toEqual(
      [
        'versions.1.validFrom: versions must be in strictly increasing validFrom order: 2019-03-01 does not come after 2020-01-01 (versions[0])',
        'versions.2.validFrom: versions must be in strictly increasing validFrom order: 2019-03-01 does not come after 2019-03-01 (versions[1])',
      ].map((p) => `vessels.0.${p}`),
    );
  });

  it('rejects a vessel without versions', () => {
    expect(problems(registry([vessel(A, [])]))).toEqual([
      'vessels.0.versions: a vessel needs at least one configuration version',
    ]);
  });

  it('rejects impossible calendar dates', () => {
    const input = registry([
      vessel(A, [
        version('2023-02-30', {
          meter: { meterId: 'EM17-0145', calibratedOn: '2017-7-20', registerUnit: 'kWh' },
        }),
      ]),
    ]);
    const found = problems(input);
    expect(found).toContain(
      'vessels.0.versions.0.validFrom: 2023-02-30 is not a real calendar date written YYYY-MM-DD',
    );
    expect(found).toContain(
      'vessels.0.versions.0.meter.calibratedOn: 2017-7-20 is not a real calendar date written YYYY-MM-DD',
    );
    // A leap day is a real date.
    expect(problems(registry([vessel(A, [version('2024-02-29')])]))).toEqual([]);
  });

  it('rejects a registration number that is not a Quang Tri fishing-vessel number', () => {
    for (const bad of ['QT-145-TS', 'QB-90145-TS', 'QT-90145-ts', '90145QT']) {
      expect(problems(registry([vessel(bad, [version('2017-08-15')])]))).toEqual([
        'vessels.0.vesselId: a vessel id is a Quang Tri registration number like QT-90145-TS',
      ]);
    }
  });

  it('rejects LED lamps whose total rated power is not below that of the lamps they replaced', () => {
    const equal = version('2017-08-15', {
      ledLamps: { count: 50, ratedW: 300, model: 'COB-FL300' },
      replacedLamps: { count: 10, ratedW: 1500, type: 'metal-halide' },
    });
    expect(problems(registry([vessel(A, [equal])]))).toEqual([
      'vessels.0.versions.0.ledLamps: the LED load (50 × 300 W = 15 kW) must be below the load of the lamps it replaced (10 × 1500 W = 15 kW)',
    ]);
  });

  it('rejects a generator too small for the LED load', () => {
    const small = version('2017-08-15', { generator: { ratedKw: 10, fuel: 'diesel' } });
    expect(problems(registry([vessel(A, [small])]))).toEqual([
      'vessels.0.versions.0.generator.ratedKw: a 10 kW generator cannot carry the LED load of 13.5 kW (45 × 300 W)',
    ]);
  });

  it('rejects duplicate vessel ids', () => {
    const input = registry([
      vessel(A, [version('2017-08-15')]),
      vessel(A, [
        version('2017-08-15', {
          gatewayId: GW_B,
          meter: { meterId: 'EM17-0200', calibratedOn: '2017-07-20', registerUnit: 'kWh' },
        }),
      ]),
    ]);
    expect(problems(input)).toEqual([
      'vessels.1.vesselId: QT-90145-TS is listed twice (also at vessels[0]): vessel ids must be unique',
    ]);
  });

  it('rejects a district that does not match the home port, an engine under 200 CV and a future calibration', () => {
    const input = registry([
      vessel(
        A,
        [
          version('2017-08-15', {
            meter: { meterId: 'EM17-0145', calibratedOn: '2017-09-01', registerUnit: 'kWh' },
          }),
        ],
        {
          homePort: 'Cửa Tùng',
          district: 'Gio Linh',
          enginePowerCv: 150,
        },
      ),
    ]);
    expect(problems(input).sort()).toEqual([
      'vessels.0.district: Cửa Tùng is in Vĩnh Linh district, not Gio Linh',
      'vessels.0.enginePowerCv: project vessels are offshore boats with engines of at least 200 CV',
      'vessels.0.versions.0.meter.calibratedOn: calibrated on 2017-09-01, after this version took effect on 2017-08-15',
    ]);
  });

  it('rejects unknown keys, so a typo cannot silently drop a value', () => {
    const typo = version('2017-08-15', { gatewayID: 'gw-0a1b2c3d' });
    expect(problems(registry([vessel(A, [typo])]))).toEqual([
      'vessels.0.versions.0: Unrecognized key: "gatewayID"',
    ]);
  });
});

describe('localDateOf', () => {
  it('gives the calendar date in Viet Nam (UTC+7) by default', () => {
    expect(localDateOf(new Date('2023-05-31T16:59:59.999Z'))).toBe('2023-05-31');
    expect(localDateOf(new Date('2023-05-31T17:00:00Z'))).toBe('2023-06-01');
    expect(localDateOf(Date.parse('2023-05-31T17:30:00Z'))).toBe('2023-06-01');
  });

  it('uses the zone it is given', () => {
    const instant = Date.parse('2023-05-31T15:30:00Z');
    expect(localDateOf(instant, 'Asia/Tokyo')).toBe('2023-06-01');
    expect(localDateOf(instant, 'Asia/Ho_Chi_Minh')).toBe('2023-05-31');
    expect(localDateOf(instant, 'UTC')).toBe('2023-05-31');
  });

  it('answers as the zone database does around midnights, also in zones off by half hours or seconds', () => {
    const reference = (ms: number, timeZone: string): string =>
      new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      }).format(ms);
    const around = [
      Date.parse('2023-05-31T17:00:00Z'), // midnight in Viet Nam
      Date.parse('2023-05-31T18:30:00Z'), // midnight in India (UTC+5:30)
      Date.parse('2023-05-31T18:15:00Z'), // midnight in Nepal (UTC+5:45)
      Date.parse('1900-01-01T16:53:20Z'), // midnight in Viet Nam under its local mean time (+7:06:40)
    ];
    for (const timeZone of ['Asia/Ho_Chi_Minh', 'Asia/Kolkata', 'Asia/Kathmandu', 'UTC']) {
      for (const centre of around) {
        // Back and forth across the boundary, so that a kept quarter hour is asked again and again.
        for (let ms = centre - 3_600_000; ms <= centre + 3_600_000; ms += 59_999) {
          expect(localDateOf(ms, timeZone), `${new Date(ms).toISOString()} in ${timeZone}`).toBe(
            reference(ms, timeZone),
          );
          expect(localDateOf(centre - 1, timeZone)).toBe(reference(centre - 1, timeZone));
        }
      }
    }
  });

  it('throws on an invalid instant instead of returning a nonsense date', () => {
    expect(() => localDateOf(new Date('not a date'))).toThrow(RangeError);
    expect(() => localDateOf(Number.NaN)).toThrow(RangeError);
  });
});

describe('RegistryIndex', () => {
  const index = indexed();

  it('answers which LED and replaced lamps a vessel had on a date, across a version change', () => {
    const dayBefore = index.configOn(A, '2020-03-09');
    const dayOf = index.configOn(A, '2020-03-10');
    const after = index.configOn(A, '2021-01-01');
    expect(dayBefore?.version.ledLamps).toEqual({ count: 20, ratedW: 240, model: 'COB-FL240' });
    expect(dayBefore?.version.replacedLamps).toEqual({ count: 10, ratedW: 1500, type: 'metal-halide' });
    expect(dayBefore?.version.validFrom).toBe('2017-08-15');
    expect(dayBefore?.validTo).toBe('2020-03-10');
    expect(dayOf?.version.ledLamps.count).toBe(22);
    expect(dayOf?.version.validFrom).toBe('2020-03-10');
    expect(after?.version.ledLamps.count).toBe(22);
    expect(after?.validTo).toBe('2021-06-18');
    expect(dayOf?.vessel).toEqual({
      vesselId: A,
      name: 'Phước Lộc 27',
      owner: 'Nguyễn Văn Hùng',
      homePort: 'Gio Việt',
      district: 'Gio Linh',
      gear: 'purse-seine',
      enginePowerCv: 450,
      lengthM: 21.5,
    });
  });

  it('gives the current version open-ended, and nothing before the first version or for unknown vessels', () => {
    const current = index.configOn(A, '2030-01-01');
    expect(current?.version.validFrom).toBe('2023-06-01');
    expect(current?.validTo).toBeNull();
    expect(index.configOn(A, '2017-08-14')).toBeUndefined();
    expect(index.configOn(A, '2017-08-15')?.version.ledLamps.count).toBe(20);
    expect(index.configOn(VesselId.parse('QT-11111-TS'), '2020-01-01')).toBeUndefined();
  });

  it('refuses malformed dates rather than comparing them as strings', () => {
    expect(() => index.configOn(A, '2020-3-10')).toThrow(/configOn: date must be a real calendar date/);
    expect(() => index.configOn(A, '2023-02-30')).toThrow(RangeError);
  });

  it('takes the configuration at an instant from its local date: 2023-05-31T17:30Z is 1 June in Viet Nam', () => {
    expect(index.configAt(A, new Date('2023-05-31T16:30:00Z'))?.version.ledLamps.count).toBe(22);
    const config = index.configAt(A, new Date('2023-05-31T17:30:00Z'));
    expect(config?.version.validFrom).toBe('2023-06-01');
    expect(config?.version.ledLamps).toEqual({ count: 40, ratedW: 400, model: 'COB-FL400' });
    expect(index.configAt(A, Date.parse('2017-08-14T16:59:59Z'))).toBeUndefined();
    expect(index.configAt(A, Date.parse('2017-08-14T17:00:00Z'))?.version.validFrom).toBe('2017-08-15');
  });

  it('clips the versions that apply in a period to the period', () => {
    const spans = index.versionsBetween(A, '2020-03-01', '2020-04-01');
    expect(spans.map(({ from, to, version }) => [from, to, version.ledLamps.count])).toEqual([
      ['2020-03-01', '2020-03-10', 20],
      ['2020-03-10', '2020-04-01', 22],
    ]);
    const longer = index.versionsBetween(A, '2021-01-01', '2024-01-01');
    expect(longer.map(({ from, to, version }) => [from, to, version.validFrom])).toEqual([
      ['2021-01-01', '2021-06-18', '2020-03-10'],
      ['2021-06-18', '2023-06-01', '2021-06-18'],
      ['2023-06-01', '2024-01-01', '2023-06-01'],
    ]);
  });

  it('gives one span inside a version, none for an empty period, and leaves days before the first version uncovered', () => {
    expect(
      index.versionsBetween(A, '2024-03-01', '2024-04-01').map((s) => [s.from, s.to, s.version.validFrom]),
    ).toEqual([['2024-03-01', '2024-04-01', '2023-06-01']]);
    expect(index.versionsBetween(A, '2020-03-10', '2020-03-10')).toEqual([]);
    expect(index.versionsBetween(A, '2017-08-01', '2017-09-01').map((s) => [s.from, s.to])).toEqual([
      ['2017-08-15', '2017-09-01'],
    ]);
    expect(index.versionsBetween(A, '2017-01-01', '2017-08-15')).toEqual([]);
    expect(index.versionsBetween(VesselId.parse('QT-11111-TS'), '2020-01-01', '2020-02-01')).toEqual([]);
  });

  it('rejects a period that ends before it starts', () => {
    expect(() => index.versionsBetween(A, '2020-04-01', '2020-03-01')).toThrow(
      /ends \(2020-03-01\) before it starts/,
    );
  });

  it('finds the vessel a gateway was on at a date, across a swap and a reuse', () => {
    expect(index.vesselForGateway(GW_A, '2017-08-14')).toBeUndefined();
    expect(index.vesselForGateway(GW_A, '2017-08-15')?.vessel.vesselId).toBe(A);
    expect(index.vesselForGateway(GW_A, '2021-06-17')?.vessel.vesselId).toBe(A);
    expect(index.vesselForGateway(GW_A, '2021-06-17')?.version.validFrom).toBe('2020-03-10');
    // Freed on the swap: readings from it now come from a gateway on no vessel.
    expect(index.vesselForGateway(GW_A, '2021-06-18')).toBeUndefined();
    expect(index.vesselForGateway(GW_A, '2022-01-04')).toBeUndefined();
    expect(index.vesselForGateway(GW_NEW, '2021-06-18')?.vessel.vesselId).toBe(A);
    expect(index.vesselForGateway(GW_NEW, '2025-01-01')?.version.validFrom).toBe('2023-06-01');
    expect(index.vesselForGateway(GW_A, '2022-01-05')?.vessel.vesselId).toBe(B);
    expect(index.vesselForGateway(GW_B, '2022-01-05')).toBeUndefined();
    expect(index.vesselForGateway(GatewayId.parse('gw-ffffffff'), '2022-01-05')).toBeUndefined();
  });

  it('gives the vessel with its history and keeps the registry it was built from', () => {
    expect(index.vessel(B)?.versions).toHaveLength(2);
    expect(index.vessel(VesselId.parse('QT-11111-TS'))).toBeUndefined();
    expect(index.registry.vessels.map((v) => v.vesselId)).toEqual([A, B]);
  });
});

describe('GatewayAssignments', () => {
  const assignments = gatewayAssignmentsOf(FleetRegistry.parse(fixture));
  const index = indexed();

  it('knows the vessels, in the registry order', () => {
    expect(assignments.has(A)).toBe(true);
    expect(assignments.has(VesselId.parse('QT-11111-TS'))).toBe(false);
    expect([...assignments.vesselIds()]).toEqual([A, B]);
  });

  it('puts a gateway on a vessel on the dates the index does, across swaps and reuse', () => {
    expect(assignments.gatewayOn(A, '2017-08-14')).toBeUndefined();
    expect(assignments.gatewayOn(A, '2017-08-15')).toBe(GW_A);
    expect(assignments.gatewayOn(A, '2021-06-17')).toBe(GW_A);
    expect(assignments.gatewayOn(A, '2021-06-18')).toBe(GW_NEW);
    expect(assignments.gatewayOn(B, '2022-01-04')).toBe(GW_B);
    expect(assignments.gatewayOn(B, '2022-01-05')).toBe(GW_A);
    expect(assignments.gatewayOn(VesselId.parse('QT-11111-TS'), '2022-01-05')).toBeUndefined();
    for (const date of [
      '2017-08-14',
      '2017-08-15',
      '2017-08-16',
      '2020-03-10',
      '2021-06-17',
      '2021-06-18',
      '2022-01-04',
      '2022-01-05',
      '2023-06-01',
      '2030-01-01',
    ]) {
      for (const gateway of [GW_A, GW_NEW, GW_B]) {
        for (const vesselId of [A, B]) {
          expect(assignments.gatewayOn(vesselId, date) === gateway, `${vesselId} ${gateway} ${date}`).toBe(
            index.vesselForGateway(gateway, date)?.vessel.vesselId === vesselId,
          );
        }
      }
    }
  });
});
