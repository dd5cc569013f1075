import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * Seeded randomness for everything that must come out the same on every run: the simulated world, the
 * generated fleet registry, synthetic telemetry for tests. Everything random is derived from a seed and a
 * name, so the same seed gives the same data whatever order things are computed in:
 * - {@link hash32}/{@link keyed} turn names into independent stream seeds;
 * - {@link createRandom} is a sequential generator (pure-rand's xoroshiro128+) for plans drawn in order;
 * - {@link noiseAt} is counter-based: the value for cell `i` of a stream is a pure function of `(key, i)`,
 *   so a sensor can be read at any instant without replaying everything before it;
 * - {@link mulberry32} is the small generator data already published was drawn with (the fleet registry,
 *   the tests' synthetic telemetry): kept so that data stays byte-for-byte what it was.
 */

/** FNV-1a over UTF-16 code units, then a murmur3 finaliser: a well-mixed 32-bit hash of a string. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit key for a named stream under a seed, e.g. `keyed(seed, 'QT-90145-TS', 'plan')`. */
export function keyed(seed: number, ...names: readonly (string | number)[]): number {
  return hash32(`${seed >>> 0}|${names.join('|')}`);
}

/** Uniform in [0, 1) for cell `index` of stream `key` (counter-based, random access). */
export function noiseAt(key: number, index: number): number {
  const lo = index >>> 0;
  const hi = Math.floor(index / 0x1_0000_0000) >>> 0;
  const a = fmix32((key ^ Math.imul(lo, 0x9e3779b1)) >>> 0);
  const b = fmix32((a ^ Math.imul(hi + 0x7f4a7c15, 0x85ebca77)) >>> 0);
  return b / 0x1_0000_0000;
}

/** Standard normal for cell `index` of stream `key` (Box–Muller on two counter-based uniforms). */
export function gaussianAt(key: number, index: number): number {
  const u1 = noiseAt(key, index * 2) || 1e-12;
  const u2 = noiseAt(key, index * 2 + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A sequential random source for one named stream. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Standard normal. */
  gaussian(): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
}

/** The sequential source of stream `key`: pure-rand's xoroshiro128+, uniform doubles. */
export function createRandom(key: number): Random {
  const rng = xoroshiro128plus(key | 0);
  return randomFrom(() => uniformFloat64(rng));
}

/** The {@link Random} helpers over any uniform [0, 1) source, e.g. `randomFrom(mulberry32(seed))`. */
export function randomFrom(next: () => number): Random {
  return {
    next,
    between: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    gaussian() {
      const u1 = next() || 1e-12;
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * next());
    },
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
  };
}

/**
 * mulberry32: a 32-bit state, uniform in [0, 1) with 2⁻³² resolution. Small and reproducible everywhere;
 * use {@link createRandom} for new streams, this one where existing data was drawn with it.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

/** A 16-hex-digit id (a valid contract BootId) derived from a seed and names: deterministic boot ids. */
export function derivedHexId(seed: number, ...names: readonly (string | number)[]): string {
  const a = keyed(seed, ...names, 'a')
    .toString(16)
    .padStart(8, '0');
  const b = keyed(seed, ...names, 'b')
    .toString(16)
    .padStart(8, '0');
  return `${a}${b}`;
}
