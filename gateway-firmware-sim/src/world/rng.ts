// The simulator's randomness is the platform's one seeded implementation; the world imports it from here.
export { type Random, createRandom, derivedHexId, gaussianAt, hash32, keyed, noiseAt } from '@qt-led/runtime';
