import type { FishingGear, Heartbeat, Presence, VesselId } from '@qt-led/contract';
import type { StoredReading } from '@qt-led/store';
import type { FleetStatusConfig } from './config.js';
import { nearestPort, offshoreNm } from './geo.js';
import type { LedAssessment } from './led.js';
import type { VesselStatus, VesselStatusCode, VesselStatusEvidence } from './model.js';

/** What matters most to an officer first: a possible fault before a state that needs nothing. */
export const STATUS_PRIORITY: readonly VesselStatusCode[] = [
  'silent-possible-fault',
  'led-fault',
  'clock-fault',
  'backlog-growing',
  'at-sea-out-of-coverage',
  'at-sea-reporting',
  'in-port',
  'no-data',
];

/** A piece of evidence about the device clock: its time against the platform's receive time. */
export interface ClockObservation {
  source: 'reading' | 'heartbeat' | 'event' | 'set-aside-readings';
  deviceTimeMs: number;
  receivedAtMs: number;
  /** Device time minus receive time when the message was sent live (null when unknown). */
  skewMs: number | null;
}

export interface HeartbeatObservation {
  atMs: number;
  receivedAtMs: number;
  payload: Heartbeat;
}

export interface VesselStatusInput {
  vesselId: VesselId;
  gear: FishingGear | null;
  nowMs: number;
  latest: StoredReading | null;
  /** Readings of the recent window before and including `latest` (sorted by device time). */
  recent: readonly StoredReading[];
  presence: { payload: Presence; receivedAtMs: number } | null;
  /** Recent heartbeats, any order. */
  heartbeats: readonly HeartbeatObservation[];
  clock: readonly ClockObservation[];
  led: LedAssessment;
}

export type StatusConfig = Pick<
  FleetStatusConfig,
  | 'portRadiusNm'
  | 'movingSpeedKn'
  | 'coverageRadiusNm'
  | 'maxTripDurationByGearMs'
  | 'silentAfterMs'
  | 'heartbeatIntervalMs'
  | 'clockSkewToleranceMs'
  | 'clockFloorMs'
  | 'backlogHeartbeats'
  | 'backlogMinGrowth'
>;

export interface Condition {
  code: VesselStatusCode;
  sinceMs: number | null;
  why: string;
}

const fmtTime = (ms: number): string => new Date(ms).toISOString().replace(/:\d\d\.\d{3}Z$/, 'Z');
const fmtH = (ms: number): string =>
  ms >= 48 * 3_600_000 ? `${(ms / 86_400_000).toFixed(1)} days` : `${(ms / 3_600_000).toFixed(1)} h`;

/**
 * The status of one vessel, with its evidence, from what the platform knows now. Pure: the caller fetches
 * the latest reading, the retained presence, recent heartbeats, clock observations and the LED assessment.
 *
 * Where the boat is (exactly one): `no-data`, `in-port`, `at-sea-reporting`, `at-sea-out-of-coverage` (silent,
 * but its last position was beyond the coverage radius and the silence is within a plausible trip for its
 * gear) or `silent-possible-fault` (silent in port or inside coverage longer than `silentAfterMs`, or out
 * of coverage longer than any trip of its gear). On top of it, any of `led-fault`, `clock-fault`,
 * `backlog-growing`.
 */
export function deriveVesselStatus(input: VesselStatusInput, config: StatusConfig): VesselStatus {
  const { nowMs, latest } = input;
  const heartbeats = [...input.heartbeats].sort((a, b) => a.receivedAtMs - b.receivedAtMs);
  const lastHeartbeat = heartbeats.at(-1);
  const position = latestPosition(input.recent, latest);
  const port = position === null ? null : nearestPort(position);
  const inPortNow = port !== null && port.distanceNm <= config.portRadiusNm;
  const presence = input.presence;
  const evidence: VesselStatusEvidence = {
    lastReadingAtMs: latest?.deviceTimeMs ?? null,
    lastReceivedAtMs: latest?.receivedAtMs ?? null,
    presence:
      presence === null
        ? null
        : {
            state: presence.payload.state,
            cause: presence.payload.state === 'offline' ? presence.payload.cause : null,
            atMs: presence.receivedAtMs,
          },
    position,
    nearestPort: port?.port.name ?? null,
    distanceToPortNm: port === null ? null : round(port.distanceNm, 2),
    tripState: position === null ? 'unknown' : inPortNow ? 'in-port' : 'at-sea',
    heartbeat:
      lastHeartbeat === undefined
        ? null
        : {
            atMs: lastHeartbeat.atMs,
            queueDepth: lastHeartbeat.payload.queue.depth,
            oldestUnsentAgeS: lastHeartbeat.payload.queue.oldestUnsentAgeS,
          },
    ledPowerW: input.led.actualW ?? latest?.ledPowerW ?? null,
    expectedLedPowerW: input.led.expectedW,
    ledNormalDrawRatio: input.led.state === 'unknown' ? null : input.led.baselineRatio,
    lampsOn: input.led.lampsOn ?? latest?.lampsOn ?? null,
    clockSkewMs: null,
  };

  const conditions: Condition[] = [];
  const contacts = [
    latest?.receivedAtMs,
    lastHeartbeat?.receivedAtMs,
    presence?.payload.state === 'online' ? presence.receivedAtMs : undefined,
  ].filter((v): v is number => v !== undefined);
  if (contacts.length === 0 && presence === null) {
    conditions.push({ code: 'no-data', sinceMs: null, why: 'nothing was ever received from this vessel' });
  } else {
    // A last will is the broker noticing a lost connection (up to 1.5 keep-alives later), not the boat
    // speaking: it does not count as contact.
    const lastContactMs = contacts.length > 0 ? Math.max(...contacts) : (presence?.receivedAtMs ?? 0);
    const silentMs = nowMs - lastContactMs;
    const online = presence?.payload.state === 'online';
    const maxTripMs =
      input.gear === null
        ? Math.max(...Object.values(config.maxTripDurationByGearMs))
        : config.maxTripDurationByGearMs[input.gear];
    const offshore = position === null ? null : offshoreNm(position);
    if (silentMs < config.silentAfterMs || (online && silentMs < 3 * config.heartbeatIntervalMs)) {
      if (inPortNow) {
        conditions.push({
          code: 'in-port',
          sinceMs: arrivedSince(input.recent, config),
          why: `in port at ${port.port.name} (${round(port.distanceNm, 2)} nm from the moorings), reporting; last contact ${fmtTime(lastContactMs)}`,
        });
      } else {
        conditions.push({
          code: 'at-sea-reporting',
          sinceMs: departedSince(input.recent, config),
          why:
            position === null
              ? `reporting without a position fix; last contact ${fmtTime(lastContactMs)}`
              : `at sea ${round(Math.max(0, offshore ?? 0), 1)} nm off the coast, reporting; last contact ${fmtTime(lastContactMs)}`,
        });
      }
    } else {
      const willCause =
        presence?.payload.state === 'offline'
          ? presence.payload.cause === 'connection-lost'
            ? ', the broker published its last will (connection lost)'
            : ', it said goodbye (switched off)'
          : '';
      if (offshore !== null && offshore > config.coverageRadiusNm && !inPortNow && silentMs <= maxTripMs) {
        conditions.push({
          code: 'at-sea-out-of-coverage',
          sinceMs: lastContactMs,
          why: `silent for ${fmtH(silentMs)}${willCause}; its last position was ${round(offshore, 1)} nm off the coast, beyond the ${config.coverageRadiusNm} nm of mobile coverage, and a ${input.gear ?? 'fishing'} trip lasts up to ${fmtH(maxTripMs)}`,
        });
      } else if (offshore !== null && offshore > config.coverageRadiusNm && !inPortNow) {
        conditions.push({
          code: 'silent-possible-fault',
          sinceMs: lastContactMs + maxTripMs,
          why: `silent for ${fmtH(silentMs)}${willCause}: longer than any ${input.gear ?? 'fishing'} trip (${fmtH(maxTripMs)}) although out of coverage at ${round(offshore, 1)} nm`,
        });
      } else {
        const where =
          position === null
            ? 'with no known position'
            : inPortNow
              ? `in port at ${port.port.name}`
              : `inside coverage (${round(Math.max(0, offshore ?? 0), 1)} nm off the coast, coverage ${config.coverageRadiusNm} nm)`;
        conditions.push({
          code: 'silent-possible-fault',
          sinceMs: lastContactMs + config.silentAfterMs,
          why: `silent for ${fmtH(silentMs)}${willCause} while ${where}: the gateway may be faulty or switched off`,
        });
      }
    }
  }

  if (input.led.state === 'fault' && input.led.expectedW !== null && input.led.actualW !== null) {
    const led = input.led;
    conditions.push({
      code: 'led-fault',
      sinceMs: led.runStartMs,
      why: `LED power ${Math.round(led.actualW ?? 0)} W against ${Math.round(led.expectedW ?? 0)} W expected (${round(led.lampsOn ?? 0, 1)} lamps on × ${led.ratedW ?? '?'} W, normal draw ${round(led.baselineRatio * 100, 1)} %), ${round((led.deviation ?? 0) * 100, 1)} % for ${fmtH((led.runEndMs ?? 0) - (led.runStartMs ?? 0))} from ${fmtTime(led.runStartMs ?? 0)}`,
    });
  }

  const clock = assessClock(input.clock, config);
  evidence.clockSkewMs = clock.skewMs;
  if (clock.fault) conditions.push({ code: 'clock-fault', sinceMs: clock.sinceMs, why: clock.why });

  const backlog = assessBacklog(heartbeats, nowMs, config);
  if (backlog !== null) conditions.push(backlog);

  conditions.sort((a, b) => STATUS_PRIORITY.indexOf(a.code) - STATUS_PRIORITY.indexOf(b.code));
  const first = conditions[0] as Condition;
  return {
    vesselId: input.vesselId,
    status: first.code,
    conditions: conditions.map((c) => c.code),
    sinceMs: first.sinceMs,
    explanation: `${input.vesselId}: ${conditions.map((c) => c.why).join('; ')}.`,
    evidence,
    details: conditions.map((c) => ({ code: c.code, sinceMs: c.sinceMs, explanation: c.why })),
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function latestPosition(
  recent: readonly StoredReading[],
  latest: StoredReading | null,
): VesselStatusEvidence['position'] {
  const candidates = latest === null ? recent : [...recent, latest];
  for (let i = candidates.length - 1; i >= 0; i -= 1) {
    const r = candidates[i] as StoredReading;
    if (r.lat !== null && r.lon !== null && r.fix !== 'none')
      return { lat: r.lat, lon: r.lon, atMs: r.deviceTimeMs };
  }
  return null;
}

/**
 * The arrival: the first fix lying still in the trailing run of in-port fixes of the window (the window
 * start when the boat was in port all along).
 */
function arrivedSince(recent: readonly StoredReading[], config: StatusConfig): number | null {
  let since: number | null = null;
  for (let i = recent.length - 1; i >= 0; i -= 1) {
    const r = recent[i] as StoredReading;
    if (r.lat === null || r.lon === null || r.fix === 'none') continue;
    if (nearestPort({ lat: r.lat, lon: r.lon }).distanceNm > config.portRadiusNm) break;
    if ((r.speedKn ?? 0) < config.movingSpeedKn) since = r.deviceTimeMs;
  }
  return since;
}

function departedSince(recent: readonly StoredReading[], config: StatusConfig): number | null {
  let since: number | null = null;
  for (let i = recent.length - 1; i >= 0; i -= 1) {
    const r = recent[i] as StoredReading;
    if (r.lat === null || r.lon === null || r.fix === 'none') continue;
    if (nearestPort({ lat: r.lat, lon: r.lon }).distanceNm <= config.portRadiusNm) break;
    since = r.deviceTimeMs;
  }
  return since;
}

/**
 * How far back from the freshest clock observation the others still count for the estimate: several
 * heartbeats (every 5 min by default) and the batches between them.
 */
export const CLOCK_EVIDENCE_WINDOW_MS = 30 * 60_000;

/**
 * The device clock judged on the freshest evidence. Absurd (before `clockFloorMs`, an RTC reset to 1970)
 * is a fault on its own. Otherwise: a message arrives only after it was stamped, so a clock that reads
 * behind the receive time may be a late delivery (a store-and-forward batch, a heartbeat held up on a busy
 * link or host) and is never proof on its own, while a clock ahead of it is. The offset is therefore
 * estimated as the largest skew among the observations received within `CLOCK_EVIDENCE_WINDOW_MS` of the
 * freshest (the promptest delivery bounds the clock best, as in NTP): one message delivered at once clears
 * the doubt that late ones raise, and a clock that really is behind is behind in all of them. Since: the
 * first of the trailing observations that are off the same way.
 */
export function assessClock(
  observations: readonly ClockObservation[],
  config: Pick<StatusConfig, 'clockFloorMs' | 'clockSkewToleranceMs'>,
): { fault: boolean; sinceMs: number | null; skewMs: number | null; why: string } {
  const sorted = [...observations].sort((a, b) => a.receivedAtMs - b.receivedAtMs);
  const freshest = sorted.at(-1);
  if (freshest === undefined) return { fault: false, sinceMs: null, skewMs: null, why: '' };
  const tolerance = config.clockSkewToleranceMs;
  const absurd = (o: ClockObservation): boolean => o.deviceTimeMs < config.clockFloorMs;
  const trailingSince = (offTheSameWay: (o: ClockObservation) => boolean): number => {
    let since = freshest.receivedAtMs;
    for (let i = sorted.length - 2; i >= 0 && offTheSameWay(sorted[i] as ClockObservation); i -= 1)
      since = (sorted[i] as ClockObservation).receivedAtMs;
    return since;
  };
  if (absurd(freshest)) {
    return {
      fault: true,
      sinceMs: trailingSince(absurd),
      skewMs: freshest.skewMs ?? freshest.deviceTimeMs - freshest.receivedAtMs,
      why: `the gateway clock reads ${fmtTime(freshest.deviceTimeMs)} (${freshest.source} received ${fmtTime(freshest.receivedAtMs)}): its real-time clock was reset`,
    };
  }
  let best: { o: ClockObservation; skewMs: number } | undefined;
  for (const o of sorted) {
    if (o.skewMs === null || absurd(o) || o.receivedAtMs < freshest.receivedAtMs - CLOCK_EVIDENCE_WINDOW_MS)
      continue;
    if (best === undefined || o.skewMs > best.skewMs) best = { o, skewMs: o.skewMs };
  }
  if (best === undefined || Math.abs(best.skewMs) <= tolerance)
    return { fault: false, sinceMs: null, skewMs: best?.skewMs ?? null, why: '' };
  const { skewMs } = best;
  const ahead = skewMs > 0;
  const since = trailingSince(
    (o) => o.skewMs !== null && !absurd(o) && (ahead ? o.skewMs > tolerance : o.skewMs < -tolerance),
  );
  const why = `the gateway clock is ${round(skewMs / 60_000, 1)} min ${ahead ? 'ahead of' : 'behind'} the platform's (${best.o.source} received ${fmtTime(best.o.receivedAtMs)}, the promptest of the last ${round(CLOCK_EVIDENCE_WINDOW_MS / 60_000, 0)} min; tolerance ${round(tolerance / 60_000, 1)} min)`;
  return { fault: true, sinceMs: since, skewMs, why };
}

/**
 * A backlog that grows while the gateway is connected: the queue depth of the last `backlogHeartbeats`
 * heartbeats of the current boot (sorted by receive time) never falls and rises by at least
 * `backlogMinGrowth`, and the newest heartbeat is recent (connected now). A gateway that has just come back
 * into coverage drains its backlog, so its depth falls.
 */
export function assessBacklog(
  heartbeats: readonly HeartbeatObservation[],
  nowMs: number,
  config: Pick<StatusConfig, 'backlogHeartbeats' | 'backlogMinGrowth' | 'heartbeatIntervalMs'>,
): Condition | null {
  const last = heartbeats.at(-1);
  if (last === undefined || nowMs - last.receivedAtMs > 2 * config.heartbeatIntervalMs) return null;
  const sameBoot = heartbeats.filter((h) => h.payload.bootId === last.payload.bootId);
  let start = sameBoot.length - 1;
  while (start > 0) {
    const a = sameBoot[start - 1] as HeartbeatObservation;
    const b = sameBoot[start] as HeartbeatObservation;
    if (a.payload.queue.depth > b.payload.queue.depth) break;
    if (b.receivedAtMs - a.receivedAtMs > 2.5 * config.heartbeatIntervalMs) break;
    start -= 1;
  }
  const run = sameBoot.slice(start);
  const first = run[0] as HeartbeatObservation;
  const growth = last.payload.queue.depth - first.payload.queue.depth;
  if (run.length < config.backlogHeartbeats || growth < config.backlogMinGrowth) return null;
  return {
    code: 'backlog-growing',
    sinceMs: first.receivedAtMs,
    why: `connected, but its queue grew from ${first.payload.queue.depth} to ${last.payload.queue.depth} readings over ${run.length} heartbeats (oldest unsent ${last.payload.queue.oldestUnsentAgeS ?? 0} s): the platform is not acknowledging`,
  };
}
