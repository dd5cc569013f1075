import type { HomePort } from '@qt-led/contract';

/**
 * Geography of the Quang Tri coast, reduced to what the simulator needs (domain.md, "Time, places and
 * languages"): the coast runs roughly from Cửa Tùng (17.02°N 107.11°E) south-east to Cửa Việt
 * (16.90°N 107.19°E). Land is modelled as the half-plane west/south-west of the straight line through
 * those two points, plus Cồn Cỏ island (17.16°N 107.34°E, about 2.2 km²) as a disc. Over the area the
 * boats use (16.8–17.9°N, east of the coast) a local equirectangular projection in kilometres is accurate
 * to well under 1 %.
 */
export interface LatLon {
  readonly lat: number;
  readonly lon: number;
}

/** Local plane coordinates, km east (x) and north (y) of the origin. */
export interface Xy {
  readonly x: number;
  readonly y: number;
}

const ORIGIN: LatLon = { lat: 17.02, lon: 107.11 };
const KM_PER_DEG_LAT = 110.574;
const KM_PER_DEG_LON = 111.32 * Math.cos((ORIGIN.lat * Math.PI) / 180);
export const KM_PER_NMI = 1.852;

export function toXy(p: LatLon): Xy {
  return { x: (p.lon - ORIGIN.lon) * KM_PER_DEG_LON, y: (p.lat - ORIGIN.lat) * KM_PER_DEG_LAT };
}

export function toLatLon(p: Xy): LatLon {
  return { lat: ORIGIN.lat + p.y / KM_PER_DEG_LAT, lon: ORIGIN.lon + p.x / KM_PER_DEG_LON };
}

export const CUA_TUNG: LatLon = { lat: 17.02, lon: 107.11 };
export const CUA_VIET: LatLon = { lat: 16.9, lon: 107.19 };
export const CON_CO: LatLon = { lat: 17.16, lon: 107.34 };
/** Radius of the disc that stands for Cồn Cỏ (the island is ~2.2 km², i.e. ~0.85 km equivalent radius). */
export const CON_CO_RADIUS_KM = 1.2;

const A = toXy(CUA_TUNG);
const B = toXy(CUA_VIET);
const COAST_LENGTH_KM = Math.hypot(B.x - A.x, B.y - A.y);
/** Unit vector along the coast, from Cửa Tùng towards Cửa Việt (south-east). */
const ALONG: Xy = { x: (B.x - A.x) / COAST_LENGTH_KM, y: (B.y - A.y) / COAST_LENGTH_KM };
/** Unit normal pointing out to sea (north-east). */
const SEAWARD: Xy = { x: -ALONG.y, y: ALONG.x };

/** Signed distance from the coastline, km: positive at sea, negative on land. */
export function offshoreKm(p: LatLon): number {
  const q = toXy(p);
  return (q.x - A.x) * SEAWARD.x + (q.y - A.y) * SEAWARD.y;
}

export function distanceKm(a: LatLon, b: LatLon): number {
  const p = toXy(a);
  const q = toXy(b);
  return Math.hypot(p.x - q.x, p.y - q.y);
}

/** True where the model says land: the mainland half-plane or Cồn Cỏ. */
export function isOnLand(p: LatLon): boolean {
  return offshoreKm(p) <= 0 || distanceKm(p, CON_CO) <= CON_CO_RADIUS_KM;
}

/** A point on the coastline (`alongKm` from Cửa Tùng towards Cửa Việt) moved `offshore` km out to sea. */
export function coastPoint(alongKm: number, offshore: number): LatLon {
  return toLatLon({
    x: A.x + ALONG.x * alongKm + SEAWARD.x * offshore,
    y: A.y + ALONG.y * alongKm + SEAWARD.y * offshore,
  });
}

/**
 * Where each home port's boats lie at their moorings: on the coast line at the port's position along it,
 * 0.4 km seaward (river-mouth harbours; the straight-line model puts the river mouths on the line itself).
 * Positions along the coast follow the order of the communes from north to south; Triệu An lies beyond
 * Cửa Việt on the same line.
 */
const PORT_ALONG_FRACTION: Record<HomePort, number> = {
  'Cửa Tùng': 0,
  'Trung Giang': 0.25,
  'Gio Hải': 0.5,
  'Gio Việt': 0.9,
  'Cửa Việt': 1,
  'Triệu An': 1.3,
};

export const MOORING_OFFSHORE_KM = 0.4;

export function mooringOf(port: HomePort): LatLon {
  return coastPoint(PORT_ALONG_FRACTION[port] * COAST_LENGTH_KM, MOORING_OFFSHORE_KM);
}

/** Point at `distanceKm` from `from` on a true bearing (degrees from north). */
export function destination(from: LatLon, bearingDeg: number, km: number): LatLon {
  const p = toXy(from);
  const rad = (bearingDeg * Math.PI) / 180;
  return toLatLon({ x: p.x + Math.sin(rad) * km, y: p.y + Math.cos(rad) * km });
}

/** True bearing from a to b, degrees in [0, 360). */
export function bearingDeg(a: LatLon, b: LatLon): number {
  const p = toXy(a);
  const q = toXy(b);
  const deg = (Math.atan2(q.x - p.x, q.y - p.y) * 180) / Math.PI;
  return (deg + 360) % 360;
}

/** Linear interpolation in the local plane (straight tracks). */
export function interpolate(a: LatLon, b: LatLon, f: number): LatLon {
  const p = toXy(a);
  const q = toXy(b);
  return toLatLon({ x: p.x + (q.x - p.x) * f, y: p.y + (q.y - p.y) * f });
}

/** Shortest distance from point p to the segment a–b, km. */
export function distanceToSegmentKm(p: LatLon, a: LatLon, b: LatLon): number {
  const P = toXy(p);
  const Q = toXy(a);
  const R = toXy(b);
  const dx = R.x - Q.x;
  const dy = R.y - Q.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((P.x - Q.x) * dx + (P.y - Q.y) * dy) / len2));
  return Math.hypot(P.x - (Q.x + t * dx), P.y - (Q.y + t * dy));
}

/**
 * Mobile coverage: the land networks reach a few tens of km out (domain.md). A boat is in coverage while
 * it is within `rangeKm` (25–30 km per boat: antenna height and modem differ) of the coastline.
 */
export function inCoverage(p: LatLon, rangeKm: number): boolean {
  return offshoreKm(p) <= rangeKm;
}
