import { createRandom, keyed } from './rng.js';

/** Viet Nam is UTC+7 all year (no daylight saving time): local time is plain offset arithmetic. */
export const LOCAL_OFFSET_MS = 7 * 3_600_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Start (UTC instant) of the local calendar day that contains `ms`. */
export function localDayStartMs(ms: number): number {
  return Math.floor((ms + LOCAL_OFFSET_MS) / DAY_MS) * DAY_MS - LOCAL_OFFSET_MS;
}

/** Index of the local day since 1970-01-01 (local), used as a stable key for per-day randomness. */
export function localDayIndex(ms: number): number {
  return Math.floor((ms + LOCAL_OFFSET_MS) / DAY_MS);
}

/** Month (1–12) of the local date of `ms`. */
export function localMonth(ms: number): number {
  return new Date(ms + LOCAL_OFFSET_MS).getUTCMonth() + 1;
}

/**
 * Moon phase: days since the last new moon, from the mean synodic month (29.530588853 d) and a reference
 * new moon (2000-01-06 18:14 UTC, Meeus). The mean phase is within about ±0.6 d of the true one, which is
 * plenty to decide which nights are too bright for light fishing.
 */
const SYNODIC_MONTH_DAYS = 29.530588853;
const REFERENCE_NEW_MOON_MS = Date.UTC(2000, 0, 6, 18, 14);

export function moonAgeDays(ms: number): number {
  const days = (ms - REFERENCE_NEW_MOON_MS) / DAY_MS;
  return ((days % SYNODIC_MONTH_DAYS) + SYNODIC_MONTH_DAYS) % SYNODIC_MONTH_DAYS;
}

/**
 * Light fishing pauses for the few nights around full moon: the moonlight spreads the fish and the lamps
 * lose their pull, so boats stay in port (or sail home before it). Here: the night (taken at local
 * midnight after the evening of `eveningMs`'s day) whose moon age is within ±2.2 days of full moon — about
 * five nights a month.
 */
export function isBrightNight(eveningDayStartMs: number): boolean {
  const midnight = eveningDayStartMs + DAY_MS;
  return Math.abs(moonAgeDays(midnight) - SYNODIC_MONTH_DAYS / 2) <= 2.2;
}

/**
 * Sea state off Quang Tri, one value per local day for the whole fleet (weather is regional). Rough days
 * come in spells: a two-state Markov chain whose chance of turning rough follows the season — the
 * north-east monsoon (Nov–Mar) and the storm season (Sep–Nov) are rough, April–August mostly calm.
 */
const ROUGH_START_BY_MONTH = [0, 0.1, 0.08, 0.05, 0.03, 0.03, 0.04, 0.04, 0.05, 0.1, 0.14, 0.14, 0.12];
const ROUGH_PERSIST = 0.55;

export interface Weather {
  /** True when the local day of `ms` (and its night) is too rough to go out. */
  isRough(ms: number): boolean;
}

export function createWeather(seed: number): Weather {
  const cache = new Map<number, boolean>();
  // The chain starts 60 days before the first day asked about, from a fixed anchor per 60-day block, so
  // a day's weather does not depend on which day was asked first.
  const BLOCK_DAYS = 60;
  const fillBlock = (block: number): void => {
    const random = createRandom(keyed(seed, 'weather', block));
    let rough = false;
    const first = (block - 1) * BLOCK_DAYS;
    for (let day = first; day < first + 2 * BLOCK_DAYS; day += 1) {
      const month = localMonth(day * DAY_MS);
      const pStart = ROUGH_START_BY_MONTH[month] ?? 0.05;
      rough = rough ? random.chance(ROUGH_PERSIST) : random.chance(pStart);
      if (day >= block * BLOCK_DAYS) cache.set(day, rough);
    }
  };
  return {
    isRough(ms) {
      const day = localDayIndex(ms);
      let value = cache.get(day);
      if (value === undefined) {
        fillBlock(Math.floor(day / BLOCK_DAYS));
        value = cache.get(day) ?? false;
      }
      return value;
    },
  };
}
