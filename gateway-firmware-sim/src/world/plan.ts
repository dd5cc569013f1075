import type { FishingGear, HomePort } from '@qt-led/contract';
import {
  CON_CO,
  CON_CO_RADIUS_KM,
  KM_PER_NMI,
  type LatLon,
  destination,
  distanceKm,
  distanceToSegmentKm,
  mooringOf,
  offshoreKm,
  toLatLon,
  toXy,
} from './geo.js';
import { type Random, createRandom, keyed } from './rng.js';
import { DAY_MS, HOUR_MS, type Weather, isBrightNight, localDayStartMs } from './sky-and-weather.js';

/**
 * The vessel's life as a plan: where it is (legs) and when its lamps burn (sessions), generated day by day
 * from the seed. Everything the sensors report is a function of this plan and of time.
 *
 * - Purse seiners make multi-day trips (7–9 fishing nights, 8–10 days with the passage) to grounds 30–120
 *   nmi out, around the dark of the moon; they sail home before the bright nights or a rough spell.
 * - Lift-net and squid-jigging boats go out every evening to grounds 20–28 nmi out and come back in the
 *   morning.
 * - Every fishing night the lamps burn 8–10 h, switched on after dusk (18:30–20:00 local) so the session
 *   crosses local midnight; in the last 20–40 min they are switched off in steps, to gather the fish under
 *   the boat before the net is set or lifted (domain.md: "lamps are lit 8–10 h a night").
 * - No light fishing on the ~5 nights around full moon, none on rough days (see sky-and-weather.ts).
 */

export type LegMode = 'moored' | 'steaming' | 'drifting';

/** A straight piece of track: the boat moves uniformly from `from` to `to` during [startMs, endMs). */
export interface Leg {
  readonly startMs: number;
  readonly endMs: number;
  readonly from: LatLon;
  readonly to: LatLon;
  readonly mode: LegMode;
}

/** The switching steps of the lamps in one session: fraction of the installed lamps switched on. */
export interface LampStep {
  readonly atMs: number;
  readonly fraction: number;
}

/** One fishing night under the lamps. */
export interface LampSession {
  readonly onMs: number;
  readonly offMs: number;
  /** Switching steps, first at `onMs` with fraction 1, the last ends at `offMs`. */
  readonly steps: readonly LampStep[];
}

export interface Trip {
  readonly departMs: number;
  readonly arriveMs: number;
  readonly sessions: readonly LampSession[];
}

export interface VesselPlanSpec {
  readonly seed: number;
  readonly vesselId: string;
  readonly homePort: HomePort;
  readonly gear: FishingGear;
  readonly weather: Weather;
  /** The plan starts here, in port; ask for nothing earlier. */
  readonly fromMs: number;
}

export interface VesselPlan {
  readonly mooring: LatLon;
  /** Extends the plan so that it covers `untilMs`. */
  ensure(untilMs: number): void;
  readonly legs: readonly Leg[];
  readonly sessions: readonly LampSession[];
  readonly trips: readonly Trip[];
}

const MULTI_DAY_GEAR: ReadonlySet<FishingGear> = new Set(['purse-seine']);

export const LAMP_HOURS_MIN = 8;
export const LAMP_HOURS_MAX = 10;

/** A leg end point must be this far out to sea, and tracks this far from Cồn Cỏ. */
const MIN_OFFSHORE_KM = 1;
const CON_CO_CLEARANCE_KM = CON_CO_RADIUS_KM + 1.5;

function isSafeLeg(a: LatLon, b: LatLon): boolean {
  return (
    offshoreKm(a) >= MIN_OFFSHORE_KM * 0.3 &&
    offshoreKm(b) >= MIN_OFFSHORE_KM * 0.3 &&
    distanceToSegmentKm(CON_CO, a, b) >= CON_CO_CLEARANCE_KM
  );
}

/** Waypoints from a to b that keep clear of Cồn Cỏ (the sea half-plane is convex: no coast to avoid). */
export function routeBetween(a: LatLon, b: LatLon): LatLon[] {
  if (distanceToSegmentKm(CON_CO, a, b) >= CON_CO_CLEARANCE_KM) return [a, b];
  const p = toXy(a);
  const q = toXy(b);
  const len = Math.hypot(q.x - p.x, q.y - p.y) || 1;
  // Pass the island on its seaward (north-east) side, 5 km off.
  const nx = -(q.y - p.y) / len;
  const ny = (q.x - p.x) / len;
  const sign = nx * 0.84 + ny * 0.54 >= 0 ? 1 : -1;
  const c = toXy(CON_CO);
  return [a, toLatLon({ x: c.x + sign * nx * 5, y: c.y + sign * ny * 5 }), b];
}

function routeLengthKm(route: readonly LatLon[]): number {
  let total = 0;
  for (let i = 1; i < route.length; i += 1) total += distanceKm(route[i - 1] as LatLon, route[i] as LatLon);
  return total;
}

/** The boat's track as it is planned: legs appended in time order, starting at the mooring. */
interface Track {
  readonly legs: readonly Leg[];
  /** Where the last leg ends. */
  readonly position: LatLon;
  readonly lastEnd: () => number;
  /** Moored (swinging on its line) from the end of the last leg until `untilMs`. */
  readonly moorUntil: (untilMs: number) => void;
  /** Steams along `route` from `startMs` at `kn`; returns the arrival. */
  readonly steam: (route: readonly LatLon[], startMs: number, kn: number) => number;
  /** Drifts slowly in a random direction, staying well out at sea. */
  readonly drift: (startMs: number, endMs: number) => void;
}

function createTrack(random: Random, mooring: LatLon, mooredHeading: number, fromMs: number): Track {
  const legs: Leg[] = [];
  let position = mooring;
  const lastEnd = (): number => legs.at(-1)?.endMs ?? fromMs;
  const push = (leg: Leg): void => {
    if (leg.endMs <= leg.startMs) return;
    legs.push(leg);
    position = leg.to;
  };
  return {
    legs,
    get position() {
      return position;
    },
    lastEnd,
    moorUntil: (untilMs) => {
      // A moored boat swings on its line: a point a few metres off the mooring, still far from land.
      const spot = destination(mooring, mooredHeading, 0.005);
      push({ startMs: lastEnd(), endMs: untilMs, from: spot, to: spot, mode: 'moored' });
    },
    steam: (route, startMs, kn) => {
      let t = startMs;
      for (let i = 1; i < route.length; i += 1) {
        const a = route[i - 1] as LatLon;
        const b = route[i] as LatLon;
        const hours = distanceKm(a, b) / (kn * KM_PER_NMI);
        const end = t + Math.round(hours * HOUR_MS);
        push({ startMs: t, endMs: end, from: a, to: b, mode: 'steaming' });
        t = end;
      }
      return t;
    },
    drift: (startMs, endMs) => {
      const hours = (endMs - startMs) / HOUR_MS;
      for (let attempt = 0; attempt < 12; attempt += 1) {
        const kn = random.between(0.05, 0.4);
        const to = destination(position, random.between(0, 360), kn * KM_PER_NMI * hours);
        if (isSafeLeg(position, to) && offshoreKm(to) > 10) {
          push({ startMs, endMs, from: position, to, mode: 'drifting' });
          return;
        }
      }
      push({ startMs, endMs, from: position, to: position, mode: 'drifting' });
    },
  };
}

/**
 * A fishing ground `minNmi`–`maxNmi` from the home port, skewed towards the near end (most purse-seine
 * grounds are 30–80 nmi out, a few reach 120), at least 0.9 × `minNmi` off the coast, clear of Cồn Cỏ, and
 * inside the box 16.75–17.9°N, west of 109.4°E: south of Hainan and north of the Huế–Đà Nẵng coast, which
 * the straight coastline of this model does not know about.
 */
function pickGround(
  random: Random,
  mooring: LatLon,
  nmiRange: readonly [number, number],
  bearingRange: readonly [number, number],
): LatLon {
  const [minNmi, maxNmi] = nmiRange;
  for (;;) {
    const u = random.next();
    const nmi = minNmi + (maxNmi - minNmi) * u * u;
    const ground = destination(mooring, random.between(bearingRange[0], bearingRange[1]), nmi * KM_PER_NMI);
    if (ground.lat > 17.9 || ground.lon > 109.4 || ground.lat < 16.75) continue;
    if (offshoreKm(ground) < 0.9 * minNmi * KM_PER_NMI) continue;
    if (distanceKm(ground, CON_CO) < CON_CO_CLEARANCE_KM + 2) continue;
    return ground;
  }
}

/** The lamps of the night of `dayStartMs`: on after dusk for 8–10 h, switched off in steps at the end. */
function newSession(random: Random, dayStartMs: number): LampSession {
  const onMs = dayStartMs + Math.round(random.between(18.5, 20) * HOUR_MS);
  const hours = random.between(LAMP_HOURS_MIN + 0.1, LAMP_HOURS_MAX - 0.1);
  const offMs = onMs + Math.round(hours * HOUR_MS);
  const fadeMs = Math.round(random.between(20, 40) * 60_000);
  const steps: LampStep[] = [
    { atMs: onMs, fraction: 1 },
    { atMs: offMs - fadeMs, fraction: 0.5 },
    { atMs: offMs - Math.round(fadeMs / 2), fraction: 0.15 },
  ];
  return { onMs, offMs, steps };
}

export function createVesselPlan(spec: VesselPlanSpec): VesselPlan {
  const random = createRandom(keyed(spec.seed, spec.vesselId, 'plan'));
  const mooring = mooringOf(spec.homePort);
  const multiDay = MULTI_DAY_GEAR.has(spec.gear);
  const cruiseKn = random.between(7.5, 9);
  const track = createTrack(random, mooring, random.between(0, 360), spec.fromMs);
  const { lastEnd, moorUntil, steam, drift } = track;
  const sessions: LampSession[] = [];
  const trips: Trip[] = [];
  // The plan is generated up to `plannedUntil`; the boat is then in port at its mooring, free.
  let plannedUntil = spec.fromMs;

  const planNightlyTrip = (dayStartMs: number): void => {
    const ground = pickGround(random, mooring, [20, 28], [30, 85]);
    const out = routeBetween(track.position, ground);
    const session = newSession(random, dayStartMs);
    const outHours = routeLengthKm(out) / (cruiseKn * KM_PER_NMI);
    const departMs = Math.max(
      lastEnd(),
      session.onMs - Math.round((outHours + random.between(0.3, 0.7)) * HOUR_MS),
    );
    moorUntil(departMs);
    const arrived = steam(out, departMs, cruiseKn);
    const hauledMs = session.offMs + Math.round(random.between(0.5, 1) * HOUR_MS);
    drift(arrived, hauledMs);
    const home = steam(routeBetween(track.position, mooring), hauledMs, cruiseKn);
    sessions.push(session);
    trips.push({ departMs, arriveMs: home, sessions: [session] });
    moorUntil(home + HOUR_MS);
    plannedUntil = home + HOUR_MS;
  };

  /** Dark, calm nights in a row from the evening of `dayStartMs`, up to `max`. */
  const fishableNights = (dayStartMs: number, max: number): number => {
    let n = 0;
    while (n < max) {
      const day = dayStartMs + n * DAY_MS;
      if (isBrightNight(day) || spec.weather.isRough(day)) break;
      n += 1;
    }
    return n;
  };

  const planMultiDayTrip = (dayStartMs: number, nights: number): void => {
    const ground = pickGround(random, mooring, [30, 120], [35, 105]);
    const departMs = Math.max(lastEnd(), dayStartMs + Math.round(random.between(13, 16) * HOUR_MS));
    moorUntil(departMs);
    const arrived = steam(routeBetween(track.position, ground), departMs, cruiseKn);
    // First night: the first evening whose lamps can be lit at least half an hour after arrival.
    let night = localDayStartMs(arrived);
    let session = newSession(random, night);
    if (session.onMs < arrived + 30 * 60_000) {
      night += DAY_MS;
      session = newSession(random, night);
    }
    const tripSessions: LampSession[] = [];
    let t = arrived;
    for (let k = 0; k < nights; k += 1) {
      if (isBrightNight(night) || spec.weather.isRough(night)) break;
      if (k > 0) session = newSession(random, night);
      // The day before the night: drift, and perhaps move to a new spot in the afternoon.
      const moveNmi = random.between(3, 15);
      const moveAt = session.onMs - Math.round((moveNmi / 6 + random.between(0.5, 2)) * HOUR_MS);
      if (moveAt > t) {
        drift(t, moveAt);
        const spot = destination(track.position, random.between(0, 360), moveNmi * KM_PER_NMI);
        if (isSafeLeg(track.position, spot) && offshoreKm(spot) > 30)
          steam([track.position, spot], moveAt, 6);
      }
      const hauled = session.offMs + Math.round(random.between(0.7, 1.3) * HOUR_MS);
      drift(lastEnd(), hauled);
      tripSessions.push(session);
      sessions.push(session);
      t = hauled;
      night += DAY_MS;
    }
    const home = steam(routeBetween(track.position, mooring), t, cruiseKn);
    trips.push({ departMs, arriveMs: home, sessions: tripSessions });
    // Unloading, ice, fuel and rest: the next departure is at least a day later.
    const ready = localDayStartMs(home) + DAY_MS * random.int(1, 2);
    moorUntil(Math.max(ready, home + HOUR_MS));
    plannedUntil = Math.max(ready, home + HOUR_MS);
  };

  const ensure = (untilMs: number): void => {
    while (plannedUntil < untilMs) {
      // A decision in port on the morning of `day`: go out this afternoon, or wait a day.
      let day = localDayStartMs(plannedUntil);
      if (plannedUntil > day + 11 * HOUR_MS) day += DAY_MS;
      const decideAt = Math.max(plannedUntil, day + 8 * HOUR_MS);
      const bright = isBrightNight(day);
      const rough = spec.weather.isRough(day);
      if (multiDay) {
        const nights = fishableNights(day, random.int(7, 9));
        if (!bright && !rough && nights >= 4 && random.chance(0.9)) {
          moorUntil(decideAt);
          planMultiDayTrip(day, nights);
          continue;
        }
      } else if (!bright && !rough && random.chance(0.9)) {
        moorUntil(decideAt);
        planNightlyTrip(day);
        continue;
      }
      moorUntil(day + DAY_MS + 8 * HOUR_MS);
      plannedUntil = day + DAY_MS + 8 * HOUR_MS;
    }
  };

  return { mooring, ensure, legs: track.legs, sessions, trips };
}

/** The leg that contains t (binary search); the last leg if t is past the end. */
export function legAt(legs: readonly Leg[], t: number): Leg | undefined {
  let lo = 0;
  let hi = legs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((legs[mid] as Leg).startMs <= t) lo = mid;
    else hi = mid - 1;
  }
  return legs[lo];
}

/** The session that contains t, if any. */
export function sessionAt(sessions: readonly LampSession[], t: number): LampSession | undefined {
  let lo = 0;
  let hi = sessions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const s = sessions[mid] as LampSession;
    if (t < s.onMs) hi = mid - 1;
    else if (t >= s.offMs) lo = mid + 1;
    else return s;
  }
  return undefined;
}

/** Fraction of the lamps switched on at t within a session. */
export function lampFractionAt(session: LampSession, t: number): number {
  let fraction = 0;
  for (const step of session.steps) {
    if (step.atMs <= t) fraction = step.fraction;
    else break;
  }
  return t >= session.offMs ? 0 : fraction;
}

/** Used by tests and diagnostics: a random source detached from any plan. */
export function planRandom(seed: number, name: string): Random {
  return createRandom(keyed(seed, name));
}
