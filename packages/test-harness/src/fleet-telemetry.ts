import type { BootId, GatewayId, RegistryIndex, VesselId } from '@qt-led/contract';
import { mulberry32 } from '@qt-led/runtime';
import type { StoredDeviceMessage, StoredReading } from '@qt-led/store';

/**
 * Realistic fleet telemetry for tests, small enough to generate in milliseconds and written straight to a
 * store: every boat leaves its home port in the afternoon, steams out to its fishing ground, lights its
 * lamps from about 18:30 to 04:30 local time with the lamp count and rating of its registry version, and
 * returns in the morning. The kWh register and the fuel totaliser integrate what the boat draws; a seeded
 * generator per boat varies departure times and distances, so the same options give the same data.
 */
export interface FleetTelemetryOptions {
  registry: RegistryIndex;
  vesselIds: readonly VesselId[];
  /**
   * Where each home port's boats moor, by port name (e.g. fleet-status's `HOME_PORTS`); passed in so the
   * boats start from the positions the code under test knows. Every vessel's home port must be listed.
   */
  homePorts: readonly HomePortPosition[];
  /** The plan's first local day starts at local midnight of this instant's day (Viet Nam, UTC+7). */
  fromMs: number;
  /** Local days planned, one fishing night each. */
  days: number;
  /** First reading (default: the plan's first local midnight); readings follow every `stepMs`. */
  readingsFromMs?: number;
  /** Readings stop before this instant (default: the end of the last day); trips still follow the plan. */
  untilMs?: number;
  /** Sampling interval (the firmware samples every 60 s; tests use coarser steps to stay small). */
  stepMs: number;
  /** Vessel `i` of `vesselIds` draws from mulberry32(`seed + i`) (default 1,000). */
  seed?: number;
  /** How far offshore each night's fishing ground lies, uniform in [min, max) (default 20–30 nm). */
  groundNm?: { min: number; max: number };
  /**
   * How far offshore the coastal network reaches (default 15 nm). Readings taken beyond it wait in the
   * gateway's queue until the boat is back in coverage; live heartbeats from beyond it never arrive.
   */
  coverageNm?: number;
  /** Boats that stay in port all along (their plan is drawn all the same, so their other draws stay put). */
  inPort?: readonly VesselId[];
  /** Gateways that fall silent (no readings, no heartbeats) from this instant on: a fault to alarm on. */
  silentFromMs?: Readonly<Record<string, number>>;
}

export interface HomePortPosition {
  readonly name: string;
  readonly lat: number;
  readonly lon: number;
}

/** One planned night at sea. */
export interface FishingNight {
  departMs: number;
  lampsOnMs: number;
  lampsOffMs: number;
  arriveMs: number;
  /** How far offshore the boat fishes, nautical miles. */
  groundNm: number;
  /** Course out to the ground, radians clockwise from north. */
  bearingRad: number;
}

export interface FleetTelemetry {
  readings: StoredReading[];
  deviceMessages: StoredDeviceMessage[];
  /** Each vessel's plan, also for the boats that stayed in port. */
  nights: ReadonlyMap<VesselId, readonly FishingNight[]>;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const LOCAL_OFFSET_MS = 7 * HOUR_MS;
const NM_PER_DEG_LAT = 60;
/** Under the lamps the boat drifts; farther out than this it is at sea (the generator runs). */
const DRIFT_KN = 0.4;
const AT_SEA_NM = 0.5;

interface Position {
  lat: number;
  lon: number;
  speedKn: number;
  offshoreNm: number;
}

export function generateFleetTelemetry(options: FleetTelemetryOptions): FleetTelemetry {
  const readings: StoredReading[] = [];
  const deviceMessages: StoredDeviceMessage[] = [];
  const nightsByVessel = new Map<VesselId, readonly FishingNight[]>();
  const firstDayMs = Math.floor((options.fromMs + LOCAL_OFFSET_MS) / DAY_MS) * DAY_MS - LOCAL_OFFSET_MS;
  const planEndMs = firstDayMs + options.days * DAY_MS;
  const startMs = options.readingsFromMs ?? firstDayMs;
  const ground = options.groundNm ?? { min: 20, max: 30 };
  const coverageNm = options.coverageNm ?? 15;
  const inPort = new Set(options.inPort);

  options.vesselIds.forEach((vesselId, vesselIndex) => {
    const next = mulberry32((options.seed ?? 1_000) + vesselIndex);
    const vessel = options.registry.vessel(vesselId);
    if (vessel === undefined) throw new Error(`generateFleetTelemetry: ${vesselId} is not in the registry`);
    const port = options.homePorts.find((p) => p.name === vessel.homePort);
    if (port === undefined) throw new Error(`generateFleetTelemetry: no position for ${vessel.homePort}`);
    const bootId = `b${(vesselIndex + 1).toString(16).padStart(7, '0')}` as BootId;
    const nights: FishingNight[] = [];
    for (let day = firstDayMs; day < planEndMs; day += DAY_MS) {
      nights.push({
        departMs: day + (15.5 + next()) * HOUR_MS,
        lampsOnMs: day + (18.25 + next() * 0.5) * HOUR_MS,
        lampsOffMs: day + (28.25 + next() * 0.5) * HOUR_MS,
        arriveMs: day + (30.5 + next()) * HOUR_MS,
        groundNm: ground.min + next() * (ground.max - ground.min),
        // North-east, out to sea from the Quang Tri coast.
        bearingRad: ((35 + next() * 40) * Math.PI) / 180,
      });
    }
    nightsByVessel.set(vesselId, nights);
    const sailed = inPort.has(vesselId) ? [] : nights;
    const tripAt = (t: number): FishingNight | undefined =>
      sailed.find((n) => t >= n.departMs && t < n.arriveMs);
    const positionAt = (t: number): Position => {
      const night = tripAt(t);
      return night === undefined
        ? { lat: port.lat, lon: port.lon, speedKn: 0, offshoreNm: 0 }
        : atSea(port, night, t);
    };

    const silentFromMs = options.silentFromMs?.[vesselId] ?? Number.POSITIVE_INFINITY;
    const endMs = Math.min(options.untilMs ?? planEndMs, silentFromMs);
    let energyKwh = 1_000 + next() * 5_000;
    let fuelL = 20_000 + next() * 50_000;
    let seq = 0;
    for (let t = startMs; t < endMs; t += options.stepMs) {
      const config = options.registry.configAt(vesselId, t);
      if (config === undefined) continue;
      const { ledLamps, generator, gatewayId, meter } = config.version;
      const lit = sailed.some((n) => t >= n.lampsOnMs && t < n.lampsOffMs);
      const lampsOn = lit ? ledLamps.count : 0;
      const ledPowerW = lampsOn * ledLamps.ratedW * (0.96 + next() * 0.03);
      const position = positionAt(t);
      // Generator: no-load draw plus the marginal fuel of the lamps; the engine's own tank is not metered.
      const generatorOn = position.offshoreNm > AT_SEA_NM || lampsOn > 0;
      const fuelRateLph = generatorOn ? generator.ratedKw * 0.05 + (ledPowerW / 1_000) * 0.28 : 0;
      const trip = tripAt(t);
      const queued = position.offshoreNm > coverageNm && trip !== undefined;
      readings.push({
        vesselId,
        gatewayId,
        bootId,
        seq: seq++,
        deviceTimeMs: t,
        receivedAtMs: (queued ? backInCoverageMs(trip, coverageNm) : t) + 1_500,
        clockSkewMs: 150,
        timeSource: 'gps',
        ledPowerW: Math.round(ledPowerW),
        ledEnergyKwh: Math.round(energyKwh * 1_000) / 1_000,
        lampsOn,
        ledMeterId: meter.meterId,
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

    const gatewayId = options.registry.configAt(vesselId, startMs)?.version.gatewayId as GatewayId;
    deviceMessages.push(presence(vesselId, gatewayId, bootId, startMs));
    for (let t = startMs; t < endMs; t += HOUR_MS) {
      // Heartbeats go out live (QoS 0): none arrives from beyond coverage.
      if (positionAt(t).offshoreNm > coverageNm) continue;
      deviceMessages.push(heartbeat(vesselId, gatewayId, bootId, t, startMs));
    }
  });
  return { readings, deviceMessages, nights: nightsByVessel };
}

/** When the boat, on its way home, comes back within `coverageNm` and its gateway's queue drains. */
function backInCoverageMs(night: FishingNight, coverageNm: number): number {
  const homeward = night.arriveMs - night.lampsOffMs;
  return night.lampsOffMs + Math.max(0, 1 - coverageNm / night.groundNm) * homeward;
}

/** Out to the ground until the lamps are lit, drifting under them, back after they are switched off. */
function atSea(port: HomePortPosition, night: FishingNight, t: number): Position {
  const outH = (night.lampsOnMs - night.departMs) / HOUR_MS;
  const backH = (night.arriveMs - night.lampsOffMs) / HOUR_MS;
  let fraction = 1;
  let speedKn = DRIFT_KN;
  if (t < night.lampsOnMs) {
    fraction = (t - night.departMs) / (night.lampsOnMs - night.departMs);
    speedKn = night.groundNm / outH;
  } else if (t >= night.lampsOffMs) {
    fraction = 1 - (t - night.lampsOffMs) / (night.arriveMs - night.lampsOffMs);
    speedKn = night.groundNm / backH;
  }
  const nm = night.groundNm * fraction;
  return {
    lat: port.lat + (nm * Math.cos(night.bearingRad)) / NM_PER_DEG_LAT,
    lon:
      port.lon + (nm * Math.sin(night.bearingRad)) / (NM_PER_DEG_LAT * Math.cos((port.lat * Math.PI) / 180)),
    speedKn,
    offshoreNm: nm,
  };
}

function presence(
  vesselId: VesselId,
  gatewayId: GatewayId,
  bootId: BootId,
  atMs: number,
): StoredDeviceMessage {
  return {
    kind: 'presence',
    vesselId,
    gatewayId,
    bootId,
    atMs,
    receivedAtMs: atMs,
    payload: {
      schema: 'qtled.presence/1',
      state: 'online',
      vesselId,
      gatewayId,
      bootId,
      firmware: '1.4.0',
      configVersion: 0,
      bootedAtMs: atMs - 60_000,
      connectedAtMs: atMs,
    },
  };
}

function heartbeat(
  vesselId: VesselId,
  gatewayId: GatewayId,
  bootId: BootId,
  atMs: number,
  connectedAtMs: number,
): StoredDeviceMessage {
  return {
    kind: 'heartbeat',
    vesselId,
    gatewayId,
    bootId,
    atMs,
    receivedAtMs: atMs + 1_000,
    payload: {
      schema: 'qtled.heartbeat/1',
      vesselId,
      gatewayId,
      bootId,
      atMs,
      firmware: '1.4.0',
      uptimeS: Math.round((atMs - connectedAtMs) / 1_000) + 60,
      queue: { depth: 0, oldestUnsentAgeS: null, bytesOnDisk: 0 },
      diskFreeBytes: 3_000_000_000,
      lastAck: null,
    },
  };
}
