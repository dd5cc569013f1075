import type { BootId, RegistryIndex, VesselId } from '@qt-led/contract';
import { HOME_PORTS } from '@qt-led/fleet-status';
import type { StoredReading } from '@qt-led/store';

/**
 * A few days of fleet telemetry written straight to the store, so the dashboard has something true to show
 * without running the simulator: every boat leaves its home port in the afternoon, lights its lamps from
 * about 18:30 to 04:30 local time with the lamp count and rating of its registry version, and returns in
 * the morning; the kWh register and fuel totaliser integrate what it draws. Two boats are made to stand
 * out: one has a four-hour hole in its data (the charts must show a gap), one went silent in port hours
 * ago (the status service must raise a gateway-silent alarm for an officer to acknowledge).
 */
export interface FleetHistory {
  readings: StoredReading[];
  /** The boat whose data has a hole, and the hole. */
  gap: { vesselId: VesselId; fromMs: number; toMs: number };
  /** The boat that stopped reporting, in port, and when. */
  silent: { vesselId: VesselId; lastReadingMs: number };
  /** A boat with every reading. */
  complete: VesselId;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const LOCAL_OFFSET_MS = 7 * HOUR_MS;
const NM_PER_DEG_LAT = 60;

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function generateFleetHistory(
  registry: RegistryIndex,
  nowMs: number,
  days: number,
  stepMs: number,
): FleetHistory {
  const vessels = registry.registry.vessels.map((v) => v.vesselId);
  const [complete, gapVessel, silentVessel] = vessels;
  if (complete === undefined || gapVessel === undefined || silentVessel === undefined) {
    throw new Error('the registry needs at least three vessels');
  }
  const startMs = Math.floor((nowMs - days * DAY_MS) / stepMs) * stepMs;
  // Placed in the middle of a lit night below, where a joined line would be most misleading.
  const gap = { vesselId: gapVessel, fromMs: 0, toMs: 0 };
  const silent = { vesselId: silentVessel, lastReadingMs: nowMs - 5 * HOUR_MS };
  const readings: StoredReading[] = [];
  const firstLocalMidnight = Math.floor((startMs + LOCAL_OFFSET_MS) / DAY_MS) * DAY_MS - LOCAL_OFFSET_MS;

  vessels.forEach((vesselId, index) => {
    const next = random(7_919 + index);
    const entry = registry.vessel(vesselId);
    const port = HOME_PORTS.find((p) => p.name === entry?.homePort);
    if (entry === undefined || port === undefined) throw new Error(`no home port for ${vesselId}`);
    const stayInPort = vesselId === silentVessel;
    const nights = [];
    for (let day = firstLocalMidnight - DAY_MS; day < nowMs + DAY_MS; day += DAY_MS) {
      nights.push({
        departMs: day + (15.5 + next()) * HOUR_MS,
        lampsOnMs: day + (18.25 + next() * 0.5) * HOUR_MS,
        lampsOffMs: day + (28.25 + next() * 0.5) * HOUR_MS,
        arriveMs: day + (30.5 + next()) * HOUR_MS,
        distanceNm: 20 + next() * 25,
        bearingRad: ((35 + next() * 40) * Math.PI) / 180,
      });
    }
    if (vesselId === gapVessel) {
      const night = nights.find((n) => n.lampsOnMs >= nowMs - 48 * HOUR_MS && n.lampsOffMs <= nowMs);
      if (night === undefined) throw new Error('no complete night in the last two days');
      gap.fromMs = night.lampsOnMs + 2 * HOUR_MS;
      gap.toMs = gap.fromMs + 4 * HOUR_MS;
    }
    const bootId = `b${(index + 1).toString(16).padStart(7, '0')}` as BootId;
    let energyKwh = 1_000 + next() * 5_000;
    let fuelL = 20_000 + next() * 50_000;
    let seq = 0;
    for (let t = startMs; t <= nowMs; t += stepMs) {
      const config = registry.configAt(vesselId, t);
      if (config === undefined) continue;
      const { ledLamps, generator, gatewayId } = config.version;
      const trip = stayInPort ? undefined : nights.find((n) => t >= n.departMs && t < n.arriveMs);
      const lit = trip !== undefined && t >= trip.lampsOnMs && t < trip.lampsOffMs;
      const lampsOn = lit ? ledLamps.count : 0;
      const ledPowerW = lampsOn * ledLamps.ratedW * (0.96 + next() * 0.03);
      let nm = 0;
      let speedKn = 0;
      if (trip !== undefined) {
        if (t < trip.lampsOnMs) {
          nm = (trip.distanceNm * (t - trip.departMs)) / (trip.lampsOnMs - trip.departMs);
          speedKn = trip.distanceNm / ((trip.lampsOnMs - trip.departMs) / HOUR_MS);
        } else if (t >= trip.lampsOffMs) {
          nm = trip.distanceNm * (1 - (t - trip.lampsOffMs) / (trip.arriveMs - trip.lampsOffMs));
          speedKn = trip.distanceNm / ((trip.arriveMs - trip.lampsOffMs) / HOUR_MS);
        } else {
          nm = trip.distanceNm;
          speedKn = 0.4;
        }
      }
      const lat = port.lat + (nm * Math.cos(trip?.bearingRad ?? 0)) / NM_PER_DEG_LAT;
      const lon =
        port.lon +
        (nm * Math.sin(trip?.bearingRad ?? 0)) / (NM_PER_DEG_LAT * Math.cos((port.lat * Math.PI) / 180));
      const fuelRateLph = trip !== undefined ? generator.ratedKw * 0.05 + (ledPowerW / 1_000) * 0.28 : 0;
      const hidden =
        (vesselId === gap.vesselId && t >= gap.fromMs && t < gap.toMs) ||
        (vesselId === silent.vesselId && t > silent.lastReadingMs);
      if (!hidden) {
        readings.push({
          vesselId,
          gatewayId,
          bootId,
          seq,
          deviceTimeMs: t,
          receivedAtMs: t + 1_500,
          clockSkewMs: 150,
          timeSource: 'gps',
          ledPowerW: Math.round(ledPowerW),
          ledEnergyKwh: Math.round(energyKwh * 1_000) / 1_000,
          lampsOn,
          fuelRateLph: Math.round(fuelRateLph * 100) / 100,
          fuelTotalL: Math.round(fuelL * 100) / 100,
          fix: '3d',
          lat: Math.round(lat * 1e5) / 1e5,
          lon: Math.round(lon * 1e5) / 1e5,
          speedKn: Math.round(speedKn * 10) / 10,
          headingDeg: 45,
        });
      }
      // The sequence runs on through the hole: the readings were lost, not never taken.
      seq += 1;
      energyKwh += (ledPowerW / 1_000) * (stepMs / HOUR_MS);
      fuelL += fuelRateLph * (stepMs / HOUR_MS);
    }
  });
  return { readings, gap, silent, complete };
}
