// What the fleet overview works out from its vessels, without touching the page (no DOM here).
import type {
  LatestReading,
  PlatformPhase,
  StreamEvents,
  VesselStatus,
  VesselSummary,
} from '../api/types.js';
import type { I18n } from '../i18n/i18n.js';
import type { MapMarker } from '../map/coast-map.js';
import type { LatLon } from '../map/places.js';
import { ATTENTION, type DisplayStatus, HISTORY_LOADING } from '../ui/status.js';

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

/** The platform loading its simulated history (or catching up), as the fleet page announces it. */
export interface HistoryLoad {
  phase: 'history' | 'catching-up';
  /** The simulated instant the whole fleet has reached. */
  simulatedMs: number | null;
  /** 0–1. */
  fraction: number;
}

/** The banner's content while the platform is not live, or null when it is (or says nothing). */
export function historyLoadOf(phase: PlatformPhase | null): HistoryLoad | null {
  if (phase === null || phase.phase === 'live') return null;
  const fraction = Number.isFinite(phase.fraction) ? Math.min(1, Math.max(0, phase.fraction)) : 0;
  return { phase: phase.phase, simulatedMs: phase.simulatedMs, fraction };
}

/** During the load a boat's status is that of the simulated past: the page shows "history loading". */
export function displayStatusOf(v: VesselSummary, loading: boolean): DisplayStatus {
  return loading ? HISTORY_LOADING : v.status.status;
}

/** The boat on the map, or null while its position is unknown. */
export function markerOf(v: VesselSummary, loading = false): MapMarker | null {
  const position = positionOf(v);
  return position === null
    ? null
    : { vesselId: v.vesselId, label: v.vesselId, status: displayStatusOf(v, loading), position };
}

/** The filter box matches the id, the name, the home port and the status as the officer reads it. */
export function matchesFilter(i18n: I18n, v: VesselSummary, text: string, loading = false): boolean {
  const q = text.trim().toLowerCase();
  return (
    q === '' ||
    `${v.vesselId} ${v.name} ${v.homePort} ${i18n.tDynamic(`status.${displayStatusOf(v, loading)}`)}`
      .toLowerCase()
      .includes(q)
  );
}

/**
 * Officers look for trouble first: boats needing attention, then at sea, then the rest, by id. While the
 * history loads there is no trouble to look for yet (the faults are the simulated past's): by id only.
 */
export function officerOrder(list: readonly VesselSummary[], loading = false): VesselSummary[] {
  const rank = (v: VesselSummary): number =>
    loading ? 0 : ATTENTION.has(v.status.status) ? 0 : v.status.evidence.tripState === 'at-sea' ? 1 : 2;
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

/**
 * Everything the fleet page draws from its vessels and the platform's phase: the banner, the rows in order
 * with the status each shows, the summary line (no "need attention" count while the history loads, when
 * the faults are the simulated past's) and the markers.
 */
export interface FleetView {
  historyLoad: HistoryLoad | null;
  rows: { vessel: VesselSummary; status: DisplayStatus }[];
  summary: FleetSummary;
  markers: MapMarker[];
}

export interface FleetSummary {
  line:
    | { key: 'fleet.summary'; params: Omit<FleetCounts, 'noPosition'> }
    | { key: 'fleet.summaryLoading'; params: { total: number } };
  /** Boats the map cannot place. */
  noPosition: number;
}

/** The line under the title (cheap: it is worked out again on every live update). */
export function fleetSummary(list: readonly VesselSummary[], loading: boolean): FleetSummary {
  const { noPosition, ...counts } = fleetCounts(list);
  return {
    line: loading
      ? { key: 'fleet.summaryLoading', params: { total: counts.total } }
      : { key: 'fleet.summary', params: counts },
    noPosition,
  };
}

export function fleetView(list: readonly VesselSummary[], phase: PlatformPhase | null): FleetView {
  const historyLoad = historyLoadOf(phase);
  const loading = historyLoad !== null;
  return {
    historyLoad,
    rows: officerOrder(list, loading).map((vessel) => ({ vessel, status: displayStatusOf(vessel, loading) })),
    summary: fleetSummary(list, loading),
    markers: list.map((v) => markerOf(v, loading)).filter((m): m is MapMarker => m !== null),
  };
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
