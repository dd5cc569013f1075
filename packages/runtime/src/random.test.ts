import { describe, expect, it } from 'vitest';
import {
  createRandom,
  derivedHexId,
  gaussianAt,
  hash32,
  keyed,
  mulberry32,
  noiseAt,
  randomFrom,
} from './random.js';

// Pinned values: the simulated world, the fleet registry and the tests' synthetic telemetry are drawn from
// these functions, so any change to what they return changes generated data that must stay the same.
describe('seeded randomness', () => {
  it('hashes names into stream keys', () => {
    expect(hash32('QT-90145-TS')).toBe(2_455_449_770);
    expect(keyed(7, 'a', 3)).toBe(3_267_023_455);
    expect(keyed(7, 'a', 3)).toBe(hash32('7|a|3'));
    expect(derivedHexId(5, 'boot', 1)).toBe('2b5e90bc4df9841d');
  });

  it('reads counter-based noise at any index, beyond 2³² too', () => {
    expect(noiseAt(12_345, 2 ** 33 + 5)).toBe(0.5861786552704871);
    expect(noiseAt(12_345, 5)).not.toBe(noiseAt(12_345, 2 ** 33 + 5));
    expect(gaussianAt(99, 7)).toBe(1.0304357929512529);
  });

  it('draws a sequential stream with xoroshiro128+', () => {
    const random = createRandom(keyed(42, 'QT-90145-TS', 'plan'));
    expect(random.next()).toBe(0.20847715031339975);
    expect(random.between(2, 5)).toBe(4.2039216393799945);
    expect(random.int(1, 6)).toBe(3);
    expect(random.chance(0.5)).toBe(true);
    expect(random.gaussian()).toBe(0.17737206326973382);
    expect(random.pick(['a', 'b', 'c'])).toBe('b');
    expect(() => random.pick([])).toThrow(/empty/);
  });

  it('keeps mulberry32, which the published fleet registry was drawn with', () => {
    const next = mulberry32(0x4e45444f);
    expect([next(), next(), next()]).toEqual([0.03235375368967652, 0.13457847689278424, 0.8774137319996953]);
    expect(mulberry32(7_919)() * 2 ** 32).toBe(2_963_954_777);
  });

  it('builds the same helpers over any uniform source', () => {
    const values = [0.5, 0.999, 0, 0.25];
    const random = randomFrom(() => values.shift() ?? 0);
    expect(random.int(1, 6)).toBe(4);
    expect(random.between(10, 20)).toBeCloseTo(19.99, 10);
    expect(random.pick(['x', 'y'])).toBe('x');
    expect(random.chance(0.3)).toBe(true);
  });
});
