// Which clock faults at "Live now" are false: a boat shows `clock-fault` although no clock fault was
// injected into it. The platform's fault plan is a function of the seed, the simulated vessels and the
// start of the history (services/platform/src/fleet-runner.ts), all in DATA_DIR/platform-state.json; the
// same `faultEvents` call gives the injected faults here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VesselList } from '@qt-led/contract';
import { faultEvents, parseFaultSpec } from '@qt-led/gateway';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The fleet status service looks this far back for clock evidence (fleet-status `statusWindowMs`). */
export const CLOCK_EVIDENCE_WINDOW_MS = 36 * HOUR_MS;

export interface ClockFaultCount {
  /** Vessels whose status conditions include clock-fault. */
  withClockFault: string[];
  /** Of those, the ones with an injected rtc-reset or clock-drift within the evidence window. */
  injected: string[];
  /** The others: false clock faults. */
  falseFaults: string[];
  /** Vessels with an injected clock fault within the window, whether or not they show it. */
  injectedActive: string[];
  /** Vessels the status service has not assessed yet (status null). */
  unassessed: number;
  /** The status service's own words for each clock fault shown. */
  why: Record<string, string>;
}

export function countClockFaults(
  list: VesselList,
  dataDir: string,
  faultSpec: string,
  atMs: number,
): ClockFaultCount {
  const state = JSON.parse(readFileSync(join(dataDir, 'platform-state.json'), 'utf8')) as {
    seed: number;
    historyStartMs: number;
    vessels: Record<string, number>;
  };
  const simulated = Object.keys(state.vessels);
  // As the fleet runner draws them on a first start: from the start of the history, for a year.
  const events = faultEvents(
    parseFaultSpec(faultSpec),
    state.seed,
    simulated,
    state.historyStartMs,
    state.historyStartMs + 365 * DAY_MS,
  );
  const windowStart = atMs - CLOCK_EVIDENCE_WINDOW_MS;
  const active = new Set(
    events
      .filter((e) =>
        e.kind === 'clock-drift'
          ? e.atMs <= atMs && e.atMs + (e.durationMs ?? 0) >= windowStart
          : e.kind === 'rtc-reset' && e.atMs <= atMs && e.atMs >= windowStart,
      )
      .map((e) => e.vesselId),
  );
  const withClockFault = list.vessels
    .filter((v) => v.status?.conditions.includes('clock-fault') === true)
    .map((v) => v.vesselId as string);
  return {
    withClockFault,
    injected: withClockFault.filter((id) => active.has(id)),
    falseFaults: withClockFault.filter((id) => !active.has(id)),
    injectedActive: [...active].sort(),
    unassessed: list.vessels.filter((v) => v.status === null).length,
    why: Object.fromEntries(
      list.vessels.flatMap((v) => {
        const detail = v.status?.details.find((d) => d.code === 'clock-fault');
        return detail === undefined ? [] : [[v.vesselId, detail.explanation]];
      }),
    ),
  };
}
