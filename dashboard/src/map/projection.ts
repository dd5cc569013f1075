import type { LatLon } from './places.js';

export interface Bounds {
  south: number;
  north: number;
  west: number;
  east: number;
}

/** 1 nautical mile is one minute of latitude. */
export const NM_PER_DEG_LAT = 60;

/**
 * A local equirectangular projection in nautical miles: over a degree or two at 17°N it is accurate to well
 * under 1 %, which is all a harbour overview needs (no map library, no tiles).
 */
export interface Projection {
  readonly bounds: Bounds;
  /** Width and height of the projected bounds, nm. */
  readonly widthNm: number;
  readonly heightNm: number;
  project(p: LatLon): { x: number; y: number };
}

export function createProjection(bounds: Bounds): Projection {
  const midLat = (bounds.south + bounds.north) / 2;
  const nmPerDegLon = NM_PER_DEG_LAT * Math.cos((midLat * Math.PI) / 180);
  return {
    bounds,
    widthNm: (bounds.east - bounds.west) * nmPerDegLon,
    heightNm: (bounds.north - bounds.south) * NM_PER_DEG_LAT,
    project: (p) => ({ x: (p.lon - bounds.west) * nmPerDegLon, y: (bounds.north - p.lat) * NM_PER_DEG_LAT }),
  };
}

/** The default view grown to hold every given position (boats far out), never beyond `limit`. */
export function fitBounds(base: Bounds, points: readonly LatLon[], limit: Bounds, marginDeg = 0.05): Bounds {
  const b = { ...base };
  for (const p of points) {
    b.south = Math.min(b.south, p.lat - marginDeg);
    b.north = Math.max(b.north, p.lat + marginDeg);
    b.west = Math.min(b.west, p.lon - marginDeg);
    b.east = Math.max(b.east, p.lon + marginDeg);
  }
  return {
    south: Math.max(b.south, limit.south),
    north: Math.min(b.north, limit.north),
    west: Math.max(b.west, limit.west),
    east: Math.min(b.east, limit.east),
  };
}

/** Splits a track where it has no position for longer than `maxGapMs`, so a gap is not drawn as a line. */
export function splitTrack<T extends { tMs: number }>(points: readonly T[], maxGapMs: number): T[][] {
  const parts: T[][] = [];
  let current: T[] = [];
  let previous: T | undefined;
  for (const p of points) {
    if (previous !== undefined && p.tMs - previous.tMs > maxGapMs && current.length > 0) {
      parts.push(current);
      current = [];
    }
    current.push(p);
    previous = p;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}
