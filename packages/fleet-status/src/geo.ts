/**
 * Geography the status and trip derivations need: the fleet's home ports and the Quang Tri coastline.
 *
 * Source: the same model as the fleet simulator (`gateway-firmware-sim/src/world/geo.ts`, `mooringOf`), and
 * domain.md — the coast runs straight from Cửa Tùng (17.02°N 107.11°E) south-east to Cửa Việt
 * (16.90°N 107.19°E); each home port's moorings lie 0.4 km seaward of the port's place along that line.
 * Copied here as data: the platform must not depend on the simulator at runtime. Real mooring positions
 * surveyed by the officers replace this table without changing any code.
 */
export interface LatLon {
  readonly lat: number;
  readonly lon: number;
}

export interface Port extends LatLon {
  readonly name: string;
}

export const HOME_PORTS: readonly Port[] = [
  { name: 'Cửa Tùng', lat: 17.02195, lon: 107.11316 },
  { name: 'Trung Giang', lat: 16.99195, lon: 107.13316 },
  { name: 'Gio Hải', lat: 16.96195, lon: 107.15316 },
  { name: 'Gio Việt', lat: 16.91395, lon: 107.18516 },
  { name: 'Cửa Việt', lat: 16.90195, lon: 107.19316 },
  { name: 'Triệu An', lat: 16.86595, lon: 107.21716 },
];

/** Two points on the coastline (river mouths of Cửa Tùng and Cửa Việt); land lies west/south-west of it. */
const COAST_A: LatLon = { lat: 17.02, lon: 107.11 };
const COAST_B: LatLon = { lat: 16.9, lon: 107.19 };

export const KM_PER_NM = 1.852;
const EARTH_RADIUS_NM = 3_440.065;
const toRad = (deg: number): number => (deg * Math.PI) / 180;

/** Great-circle distance, nautical miles. */
export function haversineNm(a: LatLon, b: LatLon): number {
  const dLat = toRad(b.lat - a.lat);
  const dLon = toRad(b.lon - a.lon);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_NM * Math.asin(Math.min(1, Math.sqrt(h)));
}

// A local equirectangular plane around Cửa Tùng: accurate to well under 1 % over the fishing grounds.
const KM_PER_DEG_LAT = 110.574;
const KM_PER_DEG_LON = 111.32 * Math.cos(toRad(COAST_A.lat));
const xy = (p: LatLon): { x: number; y: number } => ({
  x: (p.lon - COAST_A.lon) * KM_PER_DEG_LON,
  y: (p.lat - COAST_A.lat) * KM_PER_DEG_LAT,
});
const B = xy(COAST_B);
const COAST_LENGTH_KM = Math.hypot(B.x, B.y);
/** Unit normal pointing out to sea (north-east). */
const SEAWARD = { x: -B.y / COAST_LENGTH_KM, y: B.x / COAST_LENGTH_KM };

/** Signed distance from the coastline, nautical miles: positive at sea, negative inland. */
export function offshoreNm(p: LatLon): number {
  const q = xy(p);
  return (q.x * SEAWARD.x + q.y * SEAWARD.y) / KM_PER_NM;
}

/** The nearest port and the distance to it. */
export function nearestPort(
  p: LatLon,
  ports: readonly Port[] = HOME_PORTS,
): { port: Port; distanceNm: number } {
  let best: { port: Port; distanceNm: number } | undefined;
  for (const port of ports) {
    const distanceNm = haversineNm(p, port);
    if (best === undefined || distanceNm < best.distanceNm) best = { port, distanceNm };
  }
  if (best === undefined) throw new RangeError('nearestPort: the port table is empty');
  return best;
}
