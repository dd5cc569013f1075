import type { VesselId } from '@qt-led/contract';
import type { StoredReading } from '@qt-led/store';
import type { FleetStatusConfig } from './config.js';
import { HOME_PORTS, haversineNm, nearestPort, type Port } from './geo.js';
import type { FishingNight, Trip } from './model.js';
import { registerIncrease } from './registers.js';

export type TripsConfig = Pick<FleetStatusConfig, 'portRadiusNm' | 'minTripMs' | 'movingSpeedKn'>;

interface Fix {
  readonly reading: StoredReading;
  readonly lat: number;
  readonly lon: number;
  readonly inPort: boolean;
  readonly moving: boolean;
}

/**
 * Trips of one vessel from its readings (sorted by device time) and port geofences: a trip begins when
 * the boat starts moving out of a port (the first moving reading of the run that leaves the geofence) and
 * ends when it lies still inside a port's geofence again. A trip whose departure is not in the readings
 * (the data starts at sea) is left out: the caller fetches enough history before its period. Excursions
 * shorter than `minTripMs` (moving to the fuel quay) are no trip. Energy and fuel are register increases
 * over the trip; nights fished are the nights that began during it.
 */
export function deriveTrips(
  vesselId: VesselId,
  sorted: readonly StoredReading[],
  nights: readonly FishingNight[],
  config: TripsConfig,
  ports: readonly Port[] = HOME_PORTS,
): Trip[] {
  const fixes = positionFixes(sorted, config, ports);
  const trips: Trip[] = [];
  let i = 0;
  // Skip to the first fix in port: before it the departure is unknown.
  while (i < fixes.length && !(fixes[i] as Fix).inPort) i += 1;
  while (i < fixes.length) {
    // In port: find the first fix outside the geofence.
    let exit = i;
    while (exit < fixes.length && (fixes[exit] as Fix).inPort) exit += 1;
    if (exit >= fixes.length) break;
    // The departure is the first moving fix of the run that left the port.
    let depart = exit;
    while (depart - 1 > i && (fixes[depart - 1] as Fix).moving) depart -= 1;
    const departure = fixes[depart] as Fix;
    const lastInPort = fixes[Math.max(i, depart - 1)] as Fix;
    // At sea: find the first fix back inside a geofence, then the first one lying still.
    let entry = exit;
    while (entry < fixes.length && !(fixes[entry] as Fix).inPort) entry += 1;
    let still = entry;
    while (still < fixes.length && (fixes[still] as Fix).inPort && (fixes[still] as Fix).moving) still += 1;
    const arrived = entry < fixes.length;
    const arrival = arrived ? (fixes[Math.min(still, fixes.length - 1)] as Fix) : undefined;
    const endIndex = arrived ? Math.min(still, fixes.length - 1) : fixes.length - 1;
    const departedAtMs = departure.reading.deviceTimeMs;
    const endMs = (fixes[endIndex] as Fix).reading.deviceTimeMs;
    if (!arrived || endMs - departedAtMs >= config.minTripMs) {
      let distanceNm = haversineNm(lastInPort, departure);
      for (let k = depart + 1; k <= endIndex; k += 1)
        distanceNm += haversineNm(fixes[k - 1] as Fix, fixes[k] as Fix);
      trips.push({
        tripId: `${vesselId}:${departedAtMs}`,
        vesselId,
        departurePort: nearestPort(lastInPort, ports).port.name,
        arrivalPort: arrival ? nearestPort(arrival, ports).port.name : null,
        departedAtMs,
        arrivedAtMs: arrival ? arrival.reading.deviceTimeMs : null,
        durationH: (endMs - departedAtMs) / 3_600_000,
        distanceNm,
        nightsFished: nights.filter(
          (n) => n.startMs >= departedAtMs && (arrival === undefined || n.startMs < endMs),
        ).length,
        ledEnergyKwh: registerIncrease(sorted, 'ledEnergyKwh', departedAtMs, endMs),
        fuelL: registerIncrease(sorted, 'fuelTotalL', departedAtMs, endMs),
      });
    }
    if (!arrived) break;
    i = Math.min(still, fixes.length - 1);
  }
  return trips;
}

/** Readings with a position fix, each marked in port (inside a geofence) and moving. */
function positionFixes(sorted: readonly StoredReading[], config: TripsConfig, ports: readonly Port[]): Fix[] {
  const fixes: Fix[] = [];
  let previous: Fix | undefined;
  for (const reading of sorted) {
    if (reading.lat === null || reading.lon === null || reading.fix === 'none') continue;
    const point = { lat: reading.lat, lon: reading.lon };
    let speedKn = reading.speedKn;
    if (speedKn === null && previous !== undefined) {
      const hours = (reading.deviceTimeMs - previous.reading.deviceTimeMs) / 3_600_000;
      speedKn = hours > 0 ? haversineNm(previous, point) / hours : 0;
    }
    const fix: Fix = {
      reading,
      ...point,
      inPort: nearestPort(point, ports).distanceNm <= config.portRadiusNm,
      moving: (speedKn ?? 0) >= config.movingSpeedKn,
    };
    fixes.push(fix);
    previous = fix;
  }
  return fixes;
}
