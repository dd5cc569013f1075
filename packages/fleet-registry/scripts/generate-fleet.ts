/**
 * Generates the illustrative fleet registry `data/fleet.json`, deterministically (fixed seed): running it
 * again gives the same bytes. The real boats' records are not public, so the data is modelled on the
 * public facts of JCM project VN006 (see docs/domain.md): 40 offshore boats of ≥ 200 CV from six Quang Tri
 * ports, 1,800 chip-on-board LED lamps handed over in August 2017 (about 45 a boat, 20 on the two pilot
 * boats), replacing 1,000–1,500 W metal-halide lamps for 60–76 % less generator fuel.
 *
 *   npm run generate -w @qt-led/fleet-registry                      # rewrites data/fleet.json
 *   npm run generate -w @qt-led/fleet-registry -- --vessels 30000 --out /tmp/fleet-30k.json
 *
 * With `--vessels N` (N > 40) it appends synthetic vessels after the 40, for scale tests.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import {
  DISTRICT_OF_HOME_PORT,
  FleetRegistry,
  type FishingGear,
  type HomePort,
  type ReplacedLampType,
} from '@qt-led/contract';
import { mulberry32, randomFrom } from '@qt-led/runtime';

const SEED = 0x4e45444f; // "NEDO"
const PROJECT_VESSELS = 40;
const PROJECT_LED_LAMPS = 1800;

// mulberry32 rather than createRandom: data/fleet.json was drawn with it, and must not change.
const random = randomFrom(mulberry32(SEED));

/** Boats per port (40 in all); installation teams went port by port in the hand-over week. */
const PORTS: readonly { port: HomePort; boats: number; handedOver: string }[] = [
  { port: 'Cửa Tùng', boats: 8, handedOver: '2017-08-14' },
  { port: 'Gio Việt', boats: 8, handedOver: '2017-08-15' },
  { port: 'Cửa Việt', boats: 8, handedOver: '2017-08-15' },
  { port: 'Trung Giang', boats: 5, handedOver: '2017-08-16' },
  { port: 'Gio Hải', boats: 6, handedOver: '2017-08-16' },
  { port: 'Triệu An', boats: 5, handedOver: '2017-08-17' },
];

const FAMILY = [
  'Nguyễn',
  'Nguyễn',
  'Nguyễn',
  'Trần',
  'Trần',
  'Lê',
  'Lê',
  'Phạm',
  'Hoàng',
  'Võ',
  'Hồ',
  'Đặng',
] as const;
const FAMILY_RARE = ['Bùi', 'Đỗ', 'Ngô', 'Dương', 'Phan', 'Trương', 'Lương', 'Mai'] as const;
const MIDDLE_MEN = [
  'Văn',
  'Văn',
  'Văn',
  'Văn',
  'Văn',
  'Văn',
  'Đình',
  'Hữu',
  'Quang',
  'Minh',
  'Công',
  'Xuân',
  'Đức',
] as const;
const GIVEN_MEN = [
  'Hùng',
  'Dũng',
  'Tâm',
  'Phước',
  'Lợi',
  'Thành',
  'Sơn',
  'Hải',
  'Tuấn',
  'Bình',
  'Châu',
  'Lực',
  'Thắng',
  'Cường',
  'Hòa',
  'Nam',
  'Trung',
  'Hiếu',
  'Long',
  'Phúc',
  'Toàn',
  'Vinh',
  'Quý',
  'Sáu',
  'Tám',
  'Khánh',
  'Lộc',
  'Tài',
  'Thuận',
  'Tiến',
] as const;
const GIVEN_WOMEN = ['Hoa', 'Lan', 'Hương', 'Mai', 'Thu', 'Hạnh'] as const;
const BOAT_NAMES = [
  'Phước Lộc',
  'Thành Công',
  'Hải Đăng',
  'Tân Phát',
  'Hòa Bình',
  'Đại Phát',
  'Minh Châu',
  'Quang Vinh',
  'Thuận Phong',
  'Bình An',
  'Kim Long',
  'Phú Quý',
  'Hưng Thịnh',
  'Đức Tài',
  'Sông Hiếu',
  'Cồn Cỏ',
  'Hải Yến',
  'Thắng Lợi',
  'Trường Thịnh',
  'Vạn Lộc',
] as const;

interface LampChoice {
  ratedW: number;
  model: string;
}
const LED_MODELS: Record<number, string> = {
  200: 'COB-FL200 (illustrative)',
  240: 'COB-FL240 (illustrative)',
  300: 'COB-FL300 (illustrative)',
  360: 'COB-FL360 (illustrative)',
  400: 'COB-FL400 (illustrative)',
};
const led = (ratedW: number): LampChoice => ({ ratedW, model: LED_MODELS[ratedW] ?? `COB-FL${ratedW}` });

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
interface Version {
  validFrom: string;
  change: string;
  ledLamps: { count: number; ratedW: number; model: string };
  replacedLamps: { count: number; ratedW: number; type: ReplacedLampType };
  generator: { ratedKw: number; fuel: 'diesel' };
  meter: { meterId: string; calibratedOn: string; registerUnit: 'kWh' };
  fuelMeter: { meterId: string; calibratedOn: string } | null;
  gatewayId: string;
}
interface Vessel {
  vesselId: string;
  name: string;
  owner: string;
  homePort: HomePort;
  district: string;
  gear: FishingGear;
  enginePowerCv: number;
  lengthM: number;
  versions: Version[];
}

const used = new Set<string>();
function unique(make: () => string): string {
  for (let attempt = 0; attempt < 10_000; attempt += 1) {
    const value = make();
    if (!used.has(value)) {
      used.add(value);
      return value;
    }
  }
  throw new Error('ran out of distinct values: widen the pattern');
}
const hex = (digits: number): string =>
  Array.from({ length: digits }, () => '0123456789abcdef'.charAt(random.int(0, 15))).join('');
const gatewayId = (): string => unique(() => `gw-${hex(8)}`);
/** Meter serials: 4 digits for the project fleet, 6 for synthetic fleets (more than 9,000 meters). */
const serial = (digits: number): string => String(random.int(10 ** (digits - 1), 10 ** digits - 1));
const meterId = (year: number, digits = 4): string => unique(() => `EM${year % 100}-${serial(digits)}`);
const fuelMeterId = (year: number): string => unique(() => `FM${year % 100}-${serial(4)}`);
const pad = (n: number): string => String(n).padStart(2, '0');

function owner(): string {
  const woman = random.next() < 0.08;
  const family = random.next() < 0.75 ? random.pick(FAMILY) : random.pick(FAMILY_RARE);
  return woman
    ? `${family} Thị ${random.pick(GIVEN_WOMEN)}`
    : `${family} ${random.pick(MIDDLE_MEN)} ${random.pick(GIVEN_MEN)}`;
}
const boatName = (): string => `${random.pick(BOAT_NAMES)} ${pad(random.int(1, 99))}`;

/** Smallest common generator size with headroom over the LED load. */
function generatorKw(ledKw: number): number {
  const needed = ledKw * 1.2;
  return [15, 20, 25, 30, 35, 40, 50].find((kw) => kw >= needed) ?? Math.ceil(needed / 10) * 10;
}

interface Plan {
  vesselId: string;
  gear: FishingGear;
  homePort: HomePort;
  handedOver: string;
  ledCount: number;
  pilot: boolean;
}

function planProjectFleet(): Plan[] {
  const slots = PORTS.flatMap(({ port, boats, handedOver }) =>
    Array.from({ length: boats }, () => ({ homePort: port, handedOver })),
  );
  // The two pilot boats (2014–15) keep their 20 LEDs: an anchovy lift-net boat and a squid boat.
  used.add('QT-90145-TS');
  used.add('QT-01009-TS');
  const gears: FishingGear[] = [
    ...Array<FishingGear>(4).fill('lift-net'),
    ...Array<FishingGear>(2).fill('squid-jigging'),
    ...Array<FishingGear>(32).fill('purse-seine'),
  ];
  const plans: Plan[] = slots.map((slot, i) => {
    if (i === 1) return { ...slot, vesselId: 'QT-90145-TS', gear: 'lift-net', ledCount: 20, pilot: true };
    if (i === 17)
      return { ...slot, vesselId: 'QT-01009-TS', gear: 'squid-jigging', ledCount: 20, pilot: true };
    const gear = gears.splice(Math.floor(random.next() * gears.length), 1)[0] ?? 'purse-seine';
    const ledCount =
      gear === 'purse-seine'
        ? random.int(40, 60)
        : gear === 'lift-net'
          ? random.int(28, 40)
          : random.int(24, 36);
    return {
      ...slot,
      vesselId: unique(() => `QT-9${String(random.int(0, 9999)).padStart(4, '0')}-TS`),
      gear,
      ledCount,
      pilot: false,
    };
  });
  // Bring the project total to the reported 1,800 lamps by nudging purse seiners within 40–60 lamps.
  const seiners = plans.filter((p) => p.gear === 'purse-seine');
  let total = plans.reduce((sum, p) => sum + p.ledCount, 0);
  while (total !== PROJECT_LED_LAMPS) {
    const boat = random.pick(seiners);
    const step = total < PROJECT_LED_LAMPS ? 1 : -1;
    if (boat.ledCount + step < 40 || boat.ledCount + step > 60) continue;
    boat.ledCount += step;
    total += step;
  }
  // One owner reported 60 lamps: make sure a boat has them.
  const largest = seiners.reduce((a, b) => (b.ledCount > a.ledCount ? b : a));
  const donor = seiners.find((p) => p !== largest && p.ledCount - (60 - largest.ledCount) >= 40);
  if (donor) {
    donor.ledCount -= 60 - largest.ledCount;
    largest.ledCount = 60;
  }
  return plans;
}

function firstVersion(plan: Plan, withFuelMeter: boolean, meterDigits = 4): Version {
  const lamp =
    plan.gear === 'purse-seine'
      ? led(random.pick([240, 300, 300, 360]))
      : plan.pilot
        ? led(240)
        : led(random.pick([200, 240]));
  const ledW = plan.ledCount * lamp.ratedW;
  // Replaced lamps: mostly 1,000–1,500 W metal-halide, a few 2,000 W, some sodium; the LED load is
  // 24–38 % of theirs (the reported 60–76 % fuel saving).
  const type: ReplacedLampType =
    plan.gear === 'squid-jigging' && !plan.pilot
      ? 'halogen'
      : random.next() < 0.1
        ? 'high-pressure-sodium'
        : 'metal-halide';
  const refEachW =
    type === 'metal-halide' ? (random.next() < 0.12 ? 2000 : random.pick([1000, 1200, 1500, 1500])) : 1000;
  // The pilots' share is low enough to stay in range when lamps are added later.
  const drawn = 0.24 + random.next() * 0.14;
  const ledShare = plan.pilot ? 0.27 : drawn;
  const refCount = Math.max(1, Math.round(ledW / ledShare / refEachW));
  const year = Number(plan.handedOver.slice(0, 4));
  // Meters are calibrated in the weeks before installation.
  const calibrated =
    year === 2017 ? `2017-07-${pad(random.int(3, 28))}` : `${String(year - 1)}-12-${pad(random.int(1, 28))}`;
  return {
    validFrom: plan.handedOver,
    change: plan.pilot
      ? 'LED installation handed over (pilot boat since 2015; configuration carried over)'
      : 'LED installation handed over',
    ledLamps: { count: plan.ledCount, ratedW: lamp.ratedW, model: lamp.model },
    replacedLamps: { count: refCount, ratedW: refEachW, type },
    generator: { ratedKw: generatorKw(ledW / 1000), fuel: 'diesel' },
    meter: { meterId: meterId(year, meterDigits), calibratedOn: calibrated, registerUnit: 'kWh' },
    fuelMeter: withFuelMeter ? { meterId: fuelMeterId(year), calibratedOn: calibrated } : null,
    gatewayId: gatewayId(),
  };
}

/** Names and owners are distinct within the project fleet; synthetic fleets repeat them, as real ones do. */
function identity(plan: Plan, distinct: boolean): Omit<Vessel, 'versions'> {
  const cv =
    plan.gear === 'purse-seine'
      ? random.int(35, 80) * 10
      : plan.gear === 'lift-net'
        ? random.int(25, 50) * 10
        : random.int(20, 42) * 10;
  return {
    vesselId: plan.vesselId,
    name: distinct ? unique(boatName) : boatName(),
    owner: distinct ? unique(owner) : owner(),
    homePort: plan.homePort,
    district: DISTRICT_OF_HOME_PORT[plan.homePort],
    gear: plan.gear,
    enginePowerCv: cv,
    lengthM: Math.round((13 + cv / 60 + random.next() * 2) * 10) / 10,
  };
}

/** A later version: the previous one with some parts changed. */
function amend(
  vessel: Vessel,
  validFrom: string,
  change: string,
  patch: (v: Version) => Partial<Version>,
): void {
  const previous = vessel.versions.at(-1);
  if (!previous) throw new Error(`${vessel.vesselId} has no version to amend`);
  vessel.versions.push({ ...previous, ...patch(previous), validFrom, change });
}

/** The history after the hand-over, told through a handful of boats. */
function addHistory(fleet: Vessel[]): void {
  const at = (i: number): Vessel => {
    const vessel = fleet[i];
    if (!vessel) throw new Error(`no vessel ${i}`);
    return vessel;
  };
  const squidPilot = fleet.find((v) => v.vesselId === 'QT-01009-TS');
  const liftNetPilot = fleet.find((v) => v.vesselId === 'QT-90145-TS');
  if (!squidPilot || !liftNetPilot) throw new Error('pilot boats missing');

  amend(
    squidPilot,
    '2018-04-02',
    'meter recalibrated after the first season (register drift found at inspection)',
    (v) => ({
      meter: { ...v.meter, calibratedOn: '2018-03-30' },
    }),
  );
  amend(liftNetPilot, '2019-03-12', '4 LED lamps added (20 → 24) for a larger lift net, same model', (v) => ({
    ledLamps: { ...v.ledLamps, count: 24 },
  }));

  const storm = at(4);
  amend(storm, '2020-11-05', '2 lamps replaced after storm damage (same model and rating)', () => ({}));

  // A gateway fails; months later the refurbished unit goes to another boat whose own gateway failed.
  const swapped = at(9);
  const receiver = at(30);
  const refurbished = swapped.versions.at(-1)?.gatewayId ?? '';
  amend(
    swapped,
    '2021-06-18',
    `gateway swapped after water damage; ${refurbished} returned to the workshop`,
    () => ({
      gatewayId: gatewayId(),
    }),
  );
  amend(
    receiver,
    '2022-03-09',
    `gateway swapped: the boat's unit failed, refurbished ${refurbished} fitted`,
    () => ({ gatewayId: refurbished }),
  );

  const meterFault = at(22);
  amend(
    meterFault,
    '2022-09-14',
    'meter replaced after a register fault; new meter installed and sealed',
    () => ({
      meter: { meterId: meterId(2022), calibratedOn: '2022-09-12', registerUnit: 'kWh' },
    }),
  );
  amend(meterFault, '2023-09-20', 'meter recalibrated (annual verification)', (v) => ({
    meter: { ...v.meter, calibratedOn: '2023-09-18' },
  }));

  // Re-equipped for the 2023 season: fewer, stronger lamps of the newer model and a new gateway. The
  // reference stays the lamps the LEDs originally replaced, so the new LED load is kept well below it.
  const reequipped = fleet.slice(13).find((v) => v.gear === 'purse-seine');
  const before = reequipped?.versions.at(-1);
  if (!reequipped || !before) throw new Error('no purse seiner to re-equip');
  const refKw = (before.replacedLamps.count * before.replacedLamps.ratedW) / 1000;
  const ledLamps = {
    count: Math.min(60, Math.floor((refKw * 0.36) / 0.4)),
    ratedW: 400,
    model: led(400).model,
  };
  const generator = {
    ratedKw: generatorKw((ledLamps.count * ledLamps.ratedW) / 1000),
    fuel: 'diesel' as const,
  };
  const generatorChange =
    generator.ratedKw === before.generator.ratedKw
      ? ''
      : `, generator ${String(before.generator.ratedKw)} → ${String(generator.ratedKw)} kW`;
  amend(
    reequipped,
    '2023-06-01',
    `re-equipped for the 2023 season: ${String(before.ledLamps.count)} × ${String(before.ledLamps.ratedW)} W lamps replaced by ` +
      `${String(ledLamps.count)} × 400 W of the newer model${generatorChange}, new gateway`,
    () => ({ ledLamps, generator, gatewayId: gatewayId() }),
  );
}

function syntheticVessel(n: number): Vessel {
  const port = PORTS[n % PORTS.length] ?? PORTS[0];
  if (!port) throw new Error('no ports');
  const plan: Plan = {
    vesselId: unique(() => `QT-${String(random.int(10000, 99999))}-TS`),
    gear: random.pick(['purse-seine', 'purse-seine', 'purse-seine', 'lift-net', 'squid-jigging'] as const),
    homePort: port.port,
    handedOver: `20${pad(random.int(18, 24))}-${pad(random.int(1, 12))}-${pad(random.int(1, 28))}`,
    ledCount: random.int(20, 60),
    pilot: false,
  };
  return { ...identity(plan, false), versions: [firstVersion(plan, false, 6)] };
}

/** Small configuration objects on one line; vessels and versions expanded. */
function render(value: Json, depth = 0): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const indent = '  '.repeat(depth + 1);
  const close = '  '.repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => indent + render(item, depth + 1)).join(',\n')}\n${close}]`;
  }
  const entries = Object.entries(value);
  const inline = depth >= 5;
  if (inline)
    return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${render(v, depth + 1)}`).join(', ')} }`;
  return `{\n${entries.map(([k, v]) => `${indent}${JSON.stringify(k)}: ${render(v, depth + 1)}`).join(',\n')}\n${close}}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      vessels: { type: 'string', default: String(PROJECT_VESSELS) },
      out: { type: 'string', default: fileURLToPath(new URL('../data/fleet.json', import.meta.url)) },
    },
  });
  const count = Number(values.vessels);
  if (!Number.isInteger(count) || count < PROJECT_VESSELS || count > 50_000) {
    throw new Error(`--vessels must be a whole number from ${PROJECT_VESSELS} to 50000`);
  }
  const plans = planProjectFleet();
  const fuelMetered = new Set([0, 7, 12, 19, 26, 35]);
  const fleet: Vessel[] = plans.map((plan, i) => ({
    ...identity(plan, true),
    versions: [firstVersion(plan, fuelMetered.has(i))],
  }));
  addHistory(fleet);
  for (let n = fleet.length; n < count; n += 1) fleet.push(syntheticVessel(n));

  const registry = {
    schema: 'qtled.fleet-registry/1',
    illustrative: true,
    notice:
      'ILLUSTRATIVE DATA. Boat names, owners, registration numbers and the lamp, generator, meter and gateway ' +
      'details are invented, modelled on the public facts of JCM project VN006 (about 40 offshore boats from ' +
      'Quang Tri, 1,800 chip-on-board LED lamps handed over in August 2017); they are not the real boats’ records. ' +
      '— DỮ LIỆU MINH HỌA. Tên tàu, chủ tàu, số đăng ký và thông tin về đèn, máy phát điện, công tơ và thiết bị ' +
      'gateway là giả định, mô phỏng theo thông tin công khai của dự án JCM VN006 (khoảng 40 tàu xa bờ của Quảng ' +
      'Trị, 1.800 đèn LED COB bàn giao tháng 8/2017); đây không phải hồ sơ thật của các tàu.',
    vessels: fleet,
  };
  // Never write a file the platform would refuse.
  const checked = FleetRegistry.safeParse(registry);
  if (!checked.success)
    throw new Error(`generated registry is invalid:\n${JSON.stringify(checked.error.issues, null, 2)}`);

  const config = (await resolveConfig(values.out)) ?? {};
  const text = await format(render(registry as unknown as Json), { ...config, parser: 'json' });
  writeFileSync(values.out, text);
  console.log(`wrote ${String(fleet.length)} vessels to ${values.out}`);
}

await main();
