// What the fleet overview works out from its vessels, without touching the page (no DOM here).
import type { LatestReading, StreamEvents, VesselStatus, VesselSummary } from '../api/types.js';
import type { I18n } from '../i18n/i18n.js';
import type { MapMarker } from '../map/coast-map.js';
import type { LatLon } from '../map/places.js';
import { ATTENTION } from '../ui/status.js';

export function positionOf(v: VesselSummary): LatLon | null {
  const p = v.status.evidence.position;
  if (p) return { lat: p.lat, lon: p.lon };
  if (v.latest && v.latest.lat !== null && v.latest.lon !== null)
    return { lat: v.latest.lat, lon: v.latest.lon };
  return null;
}

export function lastReportMs(v: VesselSummary): number | null {
  return v.status.evidence.lastReadingAtMs ?? v.latest?.deviceTimeMs ?? null;
}

/** The boat on the map, or null while its position is unknown. */
export function markerOf(v: VesselSummary): MapMarker | null {
  const position = positionOf(v);
  return position === null
    ? null
    : { vesselId: v.vesselId, label: v.vesselId, status: v.status.status, position };
}

/** The filter box matches the id, the name, the home port and the status as the officer reads it. */
export function matchesFilter(i18n: I18n, v: VesselSummary, text: string): boolean {
  const q = text.trim().toLowerCase();
  return (
    q === '' ||
    `${v.vesselId} ${v.name} ${v.homePort} ${i18n.tDynamic(`status.${v.status.status}`)}`
      .toLowerCase()
      .includes(q)
  );
}

/** Officers look for trouble first: boats needing attention, then at sea, then the rest, by id. */
export function officerOrder(list: readonly VesselSummary[]): VesselSummary[] {
  const rank = (v: VesselSummary): number =>
    ATTENTION.has(v.status.status) ? 0 : v.status.evidence.tripState === 'at-sea' ? 1 : 2;
  return [...list].sort((a, b) => rank(a) - rank(b) || a.vesselId.localeCompare(b.vesselId));
}

export interface FleetCounts {
  total: number;
  atSea: number;
  inPort: number;
  attention: number;
  /** Boats the map cannot place. */
  noPosition: number;
}

export function fleetCounts(all: readonly VesselSummary[]): FleetCounts {
  const count = (pred: (s: VesselStatus) => boolean): number => all.filter((v) => pred(v.status)).length;
  return {
    total: all.length,
    atSea: count((s) => s.evidence.tripState === 'at-sea'),
    inPort: count((s) => s.evidence.tripState === 'in-port'),
    attention: count((s) => ATTENTION.has(s.status)),
    noPosition: all.filter((v) => positionOf(v) === null).length,
  };
}

/** A streamed reading as the latest figures of a vessel, or null without its two times. */
export function latestOf(reading: StreamEvents['reading']): LatestReading | null {
  const { deviceTimeMs, receivedAtMs } = reading;
  if (typeof deviceTimeMs !== 'number' || typeof receivedAtMs !== 'number') return null;
  return {
    deviceTimeMs,
    receivedAtMs,
    ledPowerW: reading.ledPowerW ?? null,
    ledEnergyKwh: reading.ledEnergyKwh ?? null,
    lampsOn: reading.lampsOn ?? null,
    fuelTotalL: reading.fuelTotalL ?? null,
    fuelRateLph: reading.fuelRateLph ?? null,
    lat: reading.lat ?? null,
    lon: reading.lon ?? null,
    speedKn: reading.speedKn ?? null,
  };
}

/** The vessel after a live reading, or null when the reading cannot be placed in time. */
export function withReading(v: VesselSummary, reading: StreamEvents['reading']): VesselSummary | null {
  const latest = latestOf(reading);
  if (latest === null) return null;
  // The status carries the officer-facing evidence; a reading only freshens the figures shown.
  const evidence = {
    ...v.status.evidence,
    lastReadingAtMs: Math.max(v.status.evidence.lastReadingAtMs ?? 0, latest.deviceTimeMs),
  };
  if (latest.ledPowerW !== null) evidence.ledPowerW = latest.ledPowerW;
  if (latest.lampsOn !== null) evidence.lampsOn = latest.lampsOn;
  if (latest.lat !== null && latest.lon !== null)
    evidence.position = { lat: latest.lat, lon: latest.lon, atMs: latest.deviceTimeMs };
  return { ...v, latest, status: { ...v.status, evidence } };
}
