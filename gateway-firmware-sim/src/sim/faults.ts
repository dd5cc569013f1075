import { createRandom, keyed } from '../world/rng.js';
import { DAY_MS, HOUR_MS } from '../world/sky-and-weather.js';

/**
 * Faults, on demand and at realistic rates.
 *
 * | kind | what happens |
 * | --- | --- |
 * | `lamp-failure` | `lamps` lamps stay dark although switched on (power drops, lampsOn does not) |
 * | `reboot` | the gateway loses power for ~1 min: new bootId, seq from 0, GPS warm start |
 * | `meter-replaced` | the LED kWh meter is replaced: its register restarts near 0, its serial is new |
 * | `clock-drift` | the RTC runs 2,000 ppm fast and the GPS delivers no time for the duration |
 * | `rtc-reset` | a reboot with a flat RTC battery: the clock restarts at 1970 until GPS time is back |
 * | `gps-loss` | no GPS fix for the duration (`position: {fix: 'none'}`) |
 * | `duplicate-sends` | every telemetry batch is published twice for the duration |
 * | `corrupted-frame` | one corrupted payload (invalid JSON, truncated, or schema-violating) is published |
 * | `silent` | the gateway is off for the duration (days); the world, and its meters, go on |
 * | `rtc-jump-ahead` | the RTC jumps forward by the duration (default 1 h) and GPS time is missing for 2 h |
 * | `rtc-jump-back` | the RTC jumps back by the duration (default 1 h) and GPS time is missing for 2 h |
 *
 * The RTC jumps are drawn only on demand (a realistic rate of 0): they are for fault tests of the
 * readings' identity, which is `(bootId, seq)` and never the device time.
 */
export const FAULT_KINDS = [
  'lamp-failure',
  'reboot',
  'meter-replaced',
  'clock-drift',
  'rtc-reset',
  'gps-loss',
  'duplicate-sends',
  'corrupted-frame',
  'silent',
  'rtc-jump-ahead',
  'rtc-jump-back',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultEvent {
  readonly kind: FaultKind;
  readonly vesselId: string;
  readonly atMs: number;
  /** For lasting faults. */
  readonly durationMs?: number;
  /** lamp-failure: how many lamps. */
  readonly lamps?: number;
}

/** Expected occurrences per vessel per 30 days, and typical durations. */
export const REALISTIC_RATES: Readonly<
  Record<FaultKind, { perVesselPer30Days: number; durationMs?: [number, number] }>
> = {
  'lamp-failure': { perVesselPer30Days: 0.5, durationMs: [3 * DAY_MS, 10 * DAY_MS] },
  reboot: { perVesselPer30Days: 1 },
  'meter-replaced': { perVesselPer30Days: 0.02 },
  'clock-drift': { perVesselPer30Days: 0.1, durationMs: [2 * DAY_MS, 5 * DAY_MS] },
  'rtc-reset': { perVesselPer30Days: 0.1 },
  'gps-loss': { perVesselPer30Days: 1.5, durationMs: [0.5 * HOUR_MS, 6 * HOUR_MS] },
  'duplicate-sends': { perVesselPer30Days: 0.5, durationMs: [HOUR_MS, 6 * HOUR_MS] },
  'corrupted-frame': { perVesselPer30Days: 0.5 },
  silent: { perVesselPer30Days: 0.05, durationMs: [2 * DAY_MS, 5 * DAY_MS] },
  'rtc-jump-ahead': { perVesselPer30Days: 0 },
  'rtc-jump-back': { perVesselPer30Days: 0 },
};

/** How long GPS time stays away after an RTC jump, so that the wrong clock stamps readings for a while. */
export const RTC_JUMP_GPS_TIME_OUTAGE_MS = 2 * HOUR_MS;

const DEFAULT_DURATION_MS: Partial<Record<FaultKind, number>> = {
  'lamp-failure': 5 * DAY_MS,
  'clock-drift': 3 * DAY_MS,
  'gps-loss': 3 * HOUR_MS,
  'duplicate-sends': 2 * HOUR_MS,
  silent: 3 * DAY_MS,
  'rtc-jump-ahead': HOUR_MS,
  'rtc-jump-back': HOUR_MS,
};

/** Faults drawn at the realistic rates for each vessel over [fromMs, toMs), from the seed. */
export function realisticFaults(
  seed: number,
  vesselIds: readonly string[],
  fromMs: number,
  toMs: number,
): FaultEvent[] {
  const events: FaultEvent[] = [];
  for (const vesselId of vesselIds) {
    const random = createRandom(keyed(seed, vesselId, 'faults'));
    for (const kind of FAULT_KINDS) {
      const { perVesselPer30Days, durationMs } = REALISTIC_RATES[kind];
      if (perVesselPer30Days === 0) continue;
      const ratePerMs = perVesselPer30Days / (30 * DAY_MS);
      // A Poisson process: exponential gaps between occurrences.
      let t = fromMs;
      for (;;) {
        t += -Math.log(1 - random.next()) / ratePerMs;
        if (t >= toMs) break;
        events.push({
          kind,
          vesselId,
          atMs: Math.round(t),
          ...(durationMs ? { durationMs: Math.round(random.between(durationMs[0], durationMs[1])) } : {}),
          ...(kind === 'lamp-failure' ? { lamps: random.int(1, 4) } : {}),
        });
      }
    }
  }
  return events.sort((a, b) => a.atMs - b.atMs || a.vesselId.localeCompare(b.vesselId));
}

/** `30d`, `36h`, `90m`, `45s`, `1500ms` → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration like 30d, 12h, 15m, 45s`);
  const value = Number(match[1]);
  const unit = match[2] as 'ms' | 's' | 'm' | 'h' | 'd';
  const factor = { ms: 1, s: 1_000, m: 60_000, h: HOUR_MS, d: DAY_MS }[unit];
  return Math.round(value * factor);
}

export interface FaultSpec {
  /** Draw faults at the realistic rates as well. */
  readonly realistic: boolean;
  /** Explicit faults; `vesselId` undefined means every simulated vessel. */
  readonly explicit: readonly {
    kind: FaultKind;
    vesselId?: string;
    offsetMs: number;
    durationMs?: number;
    lamps?: number;
  }[];
}

/**
 * Parses `--faults`: `none`, `realistic`, or a comma-separated list that may include `realistic` and
 * explicit faults `kind[:VESSEL][@OFFSET][~DURATION][xLAMPS]`, e.g.
 * `realistic,reboot:QT-90145-TS@2d,silent:QT-96759-TS@5d~3d,gps-loss@36h~4h,lamp-failure@1d~2dx3`.
 * OFFSET is from the start of the simulation (default 1h).
 */
export function parseFaultSpec(text: string): FaultSpec {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  let realistic = false;
  const explicit: FaultSpec['explicit'][number][] = [];
  const problems: string[] = [];
  for (const item of items) {
    if (item === 'none') continue;
    if (item === 'realistic') {
      realistic = true;
      continue;
    }
    const match =
      /^([a-z-]+)(?::([A-Z0-9-]+))?(?:@([0-9.]+(?:ms|s|m|h|d)))?(?:~([0-9.]+(?:ms|s|m|h|d)))?(?:x(\d+))?$/.exec(
        item,
      );
    const kind = match?.[1];
    if (!match || !kind || !(FAULT_KINDS as readonly string[]).includes(kind)) {
      problems.push(
        `"${item}" (kinds: ${FAULT_KINDS.join(', ')}; form kind[:VESSEL][@OFFSET][~DURATION][xLAMPS])`,
      );
      continue;
    }
    const durationText = match[4];
    const lampsText = match[5];
    explicit.push({
      kind: kind as FaultKind,
      ...(match[2] === undefined ? {} : { vesselId: match[2] }),
      offsetMs: match[3] === undefined ? HOUR_MS : parseDuration(match[3]),
      ...(durationText === undefined ? {} : { durationMs: parseDuration(durationText) }),
      ...(lampsText === undefined ? {} : { lamps: Number(lampsText) }),
    });
  }
  if (problems.length > 0) throw new Error(`--faults: cannot read ${problems.join('; ')}`);
  return { realistic, explicit };
}

/** The fault events a spec gives for a run. */
export function faultEvents(
  spec: FaultSpec,
  seed: number,
  vesselIds: readonly string[],
  fromMs: number,
  toMs: number,
): FaultEvent[] {
  const events = spec.realistic ? realisticFaults(seed, vesselIds, fromMs, toMs) : [];
  for (const f of spec.explicit) {
    const targets = f.vesselId === undefined ? vesselIds : vesselIds.filter((v) => v === f.vesselId);
    if (f.vesselId !== undefined && targets.length === 0) {
      throw new Error(`--faults: vessel ${f.vesselId} is not simulated`);
    }
    for (const vesselId of targets) {
      const durationMs = f.durationMs ?? DEFAULT_DURATION_MS[f.kind];
      events.push({
        kind: f.kind,
        vesselId,
        atMs: fromMs + f.offsetMs,
        ...(durationMs === undefined ? {} : { durationMs }),
        ...(f.kind === 'lamp-failure' ? { lamps: f.lamps ?? 2 } : {}),
      });
    }
  }
  return events.sort((a, b) => a.atMs - b.atMs || a.vesselId.localeCompare(b.vesselId));
}
