// The first start of `npm start` with every core deliberately busy, as on a shared server: at "Live now" each
// simulated boat's status, latest reading and open alarms must be what its world model (the ground truth
// the gateways sample) and the injected faults imply, and nothing else. A busy machine may make the history
// load slower; it must not change what the platform shows.
//
// The load is bounded: one busy-loop process per core, each stopping by itself after at most 5 minutes and
// killed when the test ends. Everything runs on loopback (embedded broker, embedded store).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VesselId, VesselStatus } from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import type { VesselWorld } from '@qt-led/gateway';
import { type Platform, platformEnvSchema, platformOptionsFrom, startPlatform } from '@qt-led/platform';
import { createLogger, loadConfig } from '@qt-led/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const VESSELS = 6;
const HISTORY_DAYS = 3;
const SEED = 11;
const MINUTE_MS = 60_000;
/** The fleet status's defaults: silent after 30 min; clock skew tolerated up to 5 min. */
const SILENT_AFTER_MS = 30 * MINUTE_MS;
/** A gateway uploads in batches: the newest readings before it left coverage may still be on board. */
const UPLOAD_SLACK_MS = 15 * MINUTE_MS;
/** The injected clock fault: this boat's RTC runs 2,000 ppm fast, without GPS time, from hour 1 on. */
const DRIFT_FROM_MS = 3_600_000;
const DRIFT_PPM = 2_000;

const logger = createLogger({ name: 'first-start-contended', level: 'warn' });

/** A busy loop on one core that stops by itself after `seconds`. */
function busyLoop(seconds: number): ChildProcess {
  return spawn(
    process.execPath,
    ['-e', `const end = Date.now() + ${seconds * 1_000}; while (Date.now() < end) {}`],
    {
      stdio: 'ignore',
    },
  );
}

/** The last simulated minute of [fromMs, toMs] at which the boat was within reach of a network, or null. */
function lastInCoverage(world: VesselWorld, fromMs: number, toMs: number): number | null {
  for (let ms = toMs; ms >= fromMs; ms -= MINUTE_MS) if (world.inCoverage(ms)) return ms;
  return null;
}

describe('first start on a machine whose cores are all busy', () => {
  let dataDir: string;
  let platform: Platform | undefined;
  let hogs: ChildProcess[] = [];
  let driftingVessel: VesselId;

  beforeAll(async () => {
    hogs = Array.from({ length: availableParallelism() }, () => busyLoop(300));
    dataDir = await mkdtemp(join(tmpdir(), 'qtled-contended-'));
    const env = loadConfig('platform', platformEnvSchema, {
      DATA_DIR: dataDir,
      API_PORT: '0',
      PLATFORM_BROKER_PORT: '0',
      FLEET_SIM_VESSELS: String(VESSELS),
      FLEET_SIM_HISTORY_DAYS: String(HISTORY_DAYS),
      FLEET_SIM_SEED: String(SEED),
      // Replaced below: only the second boat's clock drifts.
      FLEET_SIM_FAULTS: 'none',
    });
    const options = platformOptionsFrom(env, { logger, dashboardDir: undefined });
    if (options.fleet === false) throw new Error('the platform options have no simulated fleet');
    driftingVessel = loadFleetRegistry().registry.vessels[1]?.vesselId as VesselId;
    platform = await startPlatform({
      ...options,
      fleet: { ...options.fleet, faults: `clock-drift:${driftingVessel}@1h~${HISTORY_DAYS + 1}d` },
    });
    await platform.caughtUp;
  }, 600_000);

  const started = (): Platform => {
    if (platform === undefined) throw new Error('the platform did not start');
    return platform;
  };

  afterAll(async () => {
    for (const hog of hogs) hog.kill('SIGKILL');
    await platform?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('shows every boat as its world and the injected fault say, and raises no alarm a simulation artefact causes', async () => {
    // The machine was contended during the whole load (the hogs run longer than it takes).
    expect(hogs.every((h) => h.exitCode === null)).toBe(true);
    const platform = started();
    const nowMs = platform.clock.now();
    expect(platform.clock.fastForwarding).toBe(false);
    const historyStartMs = nowMs - HISTORY_DAYS * 86_400_000;
    const worlds = platform.fleetWorlds();
    expect(worlds.size).toBe(VESSELS);
    const totals = new Map(platform.fleetTotals().map((t) => [t.vesselId, t]));
    const statuses = new Map<string, VesselStatus>(
      (await platform.fleetStatus.statuses(nowMs)).map((s) => [s.vesselId, s]),
    );
    const latest = new Map((await platform.store.latestByVessel()).map((r) => [r.vesselId as string, r]));

    const seen: Record<string, string> = {};
    for (const [vesselId, world] of worlds) {
      const status = statuses.get(vesselId);
      expect(status, vesselId).toBeDefined();
      const conditions = status?.conditions ?? [];
      const lastReachMs = lastInCoverage(world, historyStartMs, nowMs);
      const stored = latest.get(vesselId);
      const held = totals.get(vesselId);
      seen[vesselId] = `${status?.status} (${conditions.join(', ')}); last in coverage ${
        lastReachMs === null ? 'never' : `${Math.round((nowMs - lastReachMs) / MINUTE_MS)} min ago`
      }`;

      // Nothing but the injected fault: no LED fault, no backlog, no clock fault on a boat whose clock is right.
      expect(conditions, seen[vesselId]).not.toContain('led-fault');
      expect(conditions, seen[vesselId]).not.toContain('backlog-growing');
      // Where it is and whether it reports is one condition; a boat whose clock is right has no other.
      if (vesselId !== driftingVessel) expect(conditions, seen[vesselId]).toHaveLength(1);

      if (lastReachMs === null) {
        // Far offshore all along: nothing reached the platform; the boat holds every reading it sampled.
        expect(stored, seen[vesselId]).toBeUndefined();
        expect(held?.pending, seen[vesselId]).toBe(held?.sampled);
        expect(status?.status, seen[vesselId]).toBe('no-data');
        continue;
      }
      // The latest stored reading is what the boat sampled shortly before it was last within reach (searched
      // minute by minute back from now, on a grid up to a minute off the world's ticks; an upload under way
      // when the link dropped still completes, and the RTC is a little off).
      expect(stored, seen[vesselId]).toBeDefined();
      expect(stored?.deviceTimeMs ?? 0, seen[vesselId]).toBeGreaterThan(lastReachMs - UPLOAD_SLACK_MS);
      expect(stored?.deviceTimeMs ?? 0, seen[vesselId]).toBeLessThanOrEqual(lastReachMs + 5 * MINUTE_MS);

      const silentMs = nowMs - lastReachMs;
      if (silentMs <= 2 * MINUTE_MS) {
        expect(['in-port', 'at-sea-reporting'], seen[vesselId]).toContain(conditions.at(-1));
      } else if (silentMs > SILENT_AFTER_MS + UPLOAD_SLACK_MS) {
        // Out of coverage on a trip shorter than any trip lasts: not a fault.
        expect(conditions.at(-1), seen[vesselId]).toBe('at-sea-out-of-coverage');
      }

      if (vesselId === driftingVessel) {
        // Its clock ran fast from hour 1: ahead by 2,000 ppm of the time since, as last heard.
        const aheadMs = ((lastReachMs - historyStartMs - DRIFT_FROM_MS) * DRIFT_PPM) / 1e6;
        if (aheadMs > 5.5 * MINUTE_MS) expect(conditions, seen[vesselId]).toContain('clock-fault');
        if (aheadMs < 4.5 * MINUTE_MS) expect(conditions, seen[vesselId]).not.toContain('clock-fault');
      }
    }

    // The first evaluation at live raises alarms for what is wrong now: only the drifting clock may be.
    await platform.fleetStatus.evaluate(nowMs);
    const open = await platform.fleetStatus.listAlarms({ state: 'raised', limit: 500 });
    const unexpected = open.filter((a) => !(a.vesselId === driftingVessel && a.type === 'clock-skew'));
    expect(
      unexpected.map((a) => `${a.vesselId} ${a.type}`),
      JSON.stringify(seen, null, 1),
    ).toEqual([]);
  });
});
