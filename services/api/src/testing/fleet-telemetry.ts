import type { BootId, GatewayId, RegistryIndex, VesselId } from '@qt-led/contract';
import { HOME_PORTS } from '@qt-led/fleet-status';
import type { StoredDeviceMessage, StoredReading } from '@qt-led/store';

/**
 * Realistic telemetry for API tests, small enough to generate in milliseconds: every vessel leaves its home
 * port in the afternoon, steams 20–30 nm out to sea (beyond coastal coverage, so readings of the night reach
 * the platform only when the boat is back), lights its lamps from about 18:30 to 04:30 local time with the
 * lamp count and rating of its registry version, and returns in the morning. The kWh register and the fuel
 * totaliser integrate what the boat draws; a seeded generator varies departure times and distances.
 */
export interface FleetTelemetry {
  readings: StoredReading[];
  deviceMessages: StoredDeviceMessage[];
}

export interface FleetTelemetryOptions {
  registry: RegistryIndex;
  vesselIds: readonly VesselId[];
  /** First local day starts at local midnight of this instant's day (Viet Nam, UTC+7). */
  fromMs: number;
  days: number;
  /** Readings stop here (default: the end of the last day); nights and trips still follow the plan. */
  untilMs?: number;
  /** Sampling interval (the firmware samples every 60 s; tests use coarser steps to stay small). */
  stepMs: number;
  seed?: number;
  /** Gateways that fall silent (no readings, no heartbeats) from this instant on: a fault to alarm on. */
  silentFromMs?: Readonly<Record<string, number>>;
}

const HOUR_MS = 3_600_000;
const LOCAL_OFFSET_MS = 7 * HOUR_MS;
const COVERAGE_NM = 15;
const NM_PER_DEG_LAT = 60;

/** Mulberry32: small, fast and deterministic. */
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

interface Night {
  departMs: number;
  lampsOnMs: number;
  lampsOffMs: number;
  arriveMs: number;
  distanceNm: number;
  bearingRad: number;
}

export function generateFleetTelemetry(options: FleetTelemetryOptions): FleetTelemetry {
  const readings: StoredReading[] = [];
  const deviceMessages: StoredDeviceMessage[] = [];
  const firstDayMs =
    Math.floor((options.fromMs + LOCAL_OFFSET_MS) / (24 * HOUR_MS)) * 24 * HOUR_MS - LOCAL_OFFSET_MS;
  const planEndMs = firstDayMs + options.days * 24 * HOUR_MS;
  const endMs = options.untilMs ?? planEndMs;

  options.vesselIds.forEach((vesselId, vesselIndex) => {
    const next = random((options.seed ?? 1) * 1_000 + vesselIndex);
    const vessel = options.registry.vessel(vesselId);
    if (vessel === undefined) throw new Error(`generateFleetTelemetry: ${vesselId} is not in the registry`);
    const port = HOME_PORTS.find((p) => p.name === vessel.homePort) ?? HOME_PORTS[0];
    if (port === undefined) throw new Error('no home ports');
    const bootId = (vesselIndex + 1).toString(16).padStart(8, '0').replace(/^0/, 'b') as BootId;
    const nights: Night[] = [];
    for (let day = firstDayMs; day < planEndMs; day += 24 * HOUR_MS) {
      nights.push({
        departMs: day + (15.5 + next()) * HOUR_MS,
        lampsOnMs: day + (18.25 + next() * 0.5) * HOUR_MS,
        lampsOffMs: day + (28.25 + next() * 0.5) * HOUR_MS,
        arriveMs: day + (30.5 + next()) * HOUR_MS,
        distanceNm: 20 + next() * 10,
        // North-east, out to sea from the Quang Tri coast.
        bearingRad: ((35 + next() * 40) * Math.PI) / 180,
      });
    }
    const positionAt = (t: number): { lat: number; lon: number; speedKn: number; offshoreNm: number } => {
      const night = nights.find((n) => t >= n.departMs && t < n.arriveMs);
      if (night === undefined) return { lat: port.lat, lon: port.lon, speedKn: 0, offshoreNm: 0 };
      const outH = (night.lampsOnMs - night.departMs) / HOUR_MS;
      const backH = (night.arriveMs - night.lampsOffMs) / HOUR_MS;
      let fraction = 1;
      let speedKn = 0.4; // drifting under the lamps
      if (t < night.lampsOnMs) {
        fraction = (t - night.departMs) / (night.lampsOnMs - night.departMs);
        speedKn = night.distanceNm / outH;
      } else if (t >= night.lampsOffMs) {
        fraction = 1 - (t - night.lampsOffMs) / (night.arriveMs - night.lampsOffMs);
        speedKn = night.distanceNm / backH;
      }
      const nm = night.distanceNm * fraction;
      return {
        lat: port.lat + (nm * Math.cos(night.bearingRad)) / NM_PER_DEG_LAT,
        lon:
          port.lon +
          (nm * Math.sin(night.bearingRad)) / (NM_PER_DEG_LAT * Math.cos((port.lat * Math.PI) / 180)),
        speedKn,
        offshoreNm: nm,
      };
    };

    const silentFromMs = options.silentFromMs?.[vesselId] ?? Number.POSITIVE_INFINITY;
    let energyKwh = 1_000 + next() * 5_000;
    let fuelL = 20_000 + next() * 50_000;
    let seq = 0;
    for (let t = firstDayMs; t < Math.min(endMs, silentFromMs); t += options.stepMs) {
      const config = options.registry.configAt(vesselId, t);
      if (config === undefined) continue;
      const { ledLamps, generator, gatewayId } = config.version;
      const night = nights.find((n) => t >= n.lampsOnMs && t < n.lampsOffMs);
      const lampsOn = night === undefined ? 0 : ledLamps.count;
      const ledPowerW = lampsOn * ledLamps.ratedW * (0.96 + next() * 0.03);
      const position = positionAt(t);
      // Generator: no-load draw plus the marginal fuel of the lamps; the engine's own tank is not metered.
      const atSea = position.offshoreNm > 0.5;
      const fuelRateLph = atSea || lampsOn > 0 ? generator.ratedKw * 0.05 + (ledPowerW / 1_000) * 0.28 : 0;
      // The night's readings wait in the gateway's queue until the boat is back in coverage.
      const inCoverage = position.offshoreNm <= COVERAGE_NM;
      const back = nights.find((n) => t >= n.departMs && t < n.arriveMs);
      const receivedAtMs = inCoverage || back === undefined ? t + 1_500 : back.arriveMs - 1.5 * HOUR_MS;
      readings.push({
        vesselId,
        gatewayId: gatewayId,
        bootId,
        seq: seq++,
        deviceTimeMs: t,
        receivedAtMs,
        clockSkewMs: 150,
        timeSource: 'gps',
        ledPowerW: Math.round(ledPowerW),
        ledEnergyKwh: Math.round(energyKwh * 1_000) / 1_000,
        lampsOn,
        fuelRateLph: Math.round(fuelRateLph * 100) / 100,
        fuelTotalL: Math.round(fuelL * 100) / 100,
        fix: '3d',
        lat: Math.round(position.lat * 1e5) / 1e5,
        lon: Math.round(position.lon * 1e5) / 1e5,
        speedKn: Math.round(position.speedKn * 10) / 10,
        headingDeg: 45,
      });
      energyKwh += (ledPowerW / 1_000) * (options.stepMs / HOUR_MS);
      fuelL += fuelRateLph * (options.stepMs / HOUR_MS);
    }

    const gatewayId = options.registry.configAt(vesselId, firstDayMs)?.version.gatewayId as GatewayId;
    deviceMessages.push({
      kind: 'presence',
      vesselId,
      gatewayId,
      bootId,
      atMs: firstDayMs,
      receivedAtMs: firstDayMs,
      payload: {
        schema: 'qtled.presence/1',
        state: 'online',
        vesselId,
        gatewayId,
        bootId,
        firmware: '1.4.0',
        configVersion: 0,
        bootedAtMs: firstDayMs - 60_000,
        connectedAtMs: firstDayMs,
      },
    });
    for (let t = firstDayMs; t < Math.min(endMs, silentFromMs); t += HOUR_MS) {
      // Heartbeats go out live (QoS 0): none arrives from beyond coverage.
      if (positionAt(t).offshoreNm > COVERAGE_NM) continue;
      deviceMessages.push({
        kind: 'heartbeat',
        vesselId,
        gatewayId,
        bootId,
        atMs: t,
        receivedAtMs: t + 1_000,
        payload: {
          schema: 'qtled.heartbeat/1',
          vesselId,
          gatewayId,
          bootId,
          atMs: t,
          firmware: '1.4.0',
          uptimeS: Math.round((t - firstDayMs) / 1_000) + 60,
          queue: { depth: 0, oldestUnsentAgeS: null, bytesOnDisk: 0 },
          diskFreeBytes: 3_000_000_000,
          lastAck: null,
        },
      });
    }
  });
  return { readings, deviceMessages };
}
