import type { ConfigKey } from '../firmware/config-key.js';
import path from 'node:path';
import { GatewayId, type VesselId } from '@qt-led/contract';
import type { QueueSynchronous } from '../firmware/disk-queue.js';
import { type BootReason, type Gateway, type GatewayTuning, createGateway } from '../firmware/gateway.js';
import type { GatewayLogger, MqttConnector } from '../firmware/ports.js';
import { derivedHexId } from '../world/rng.js';
import type { VesselWorld } from '../world/vessel-world.js';
import { type Rtc, simulatedClock, simulatedDisk, type simulatedSensors } from './simulated-devices.js';
import { type LinkFaults, withLinkFaults } from './simulated-link.js';
import type { Timeline } from './timeline.js';

/** One power-on of the boat's gateway: a firmware instance on its own clock, queue and connection. */
export interface Boot {
  readonly gateway: Gateway;
  readonly clock: ReturnType<typeof simulatedClock>;
  readonly queuePath: string;
}

/** What the gateway did, summed over every boot of a run. */
export interface BootTotals {
  readonly boots: number;
  readonly sampled: number;
  readonly published: number;
  readonly publishedFromBacklog: number;
  readonly ackTimeouts: number;
  readonly batches: number;
  readonly acked: number;
  readonly evicted: number;
  /** Readings on disk, not acknowledged, over every queue file the boots used. */
  readonly pending: number;
  /** Device events on disk, not acknowledged, over every queue file the boots used. */
  readonly eventsPending: number;
  readonly duplicatesInjected: number;
  readonly corruptedInjected: number;
}

/**
 * The gateway's power supply over a run: each power-on is a new boot (new bootId, the gateway id the
 * registry gives for that day, the same queue file for the same gateway); a power cut halts it without a
 * goodbye, and it comes back when power returns.
 */
export interface VesselBoots {
  readonly current: Boot | undefined;
  /** The link faults of the current connection (duplicate sends, corrupted frames). */
  readonly linkFaults: LinkFaults | undefined;
  powerOn(reason: BootReason): void;
  /** Power cut: no goodbye, the broker publishes the last will; the gateway comes back at `untilMs`. */
  powerOff(untilMs: number, reason: BootReason, coldGps: boolean): void;
  /** The run is over and `boot` was shut down: its figures join the totals. */
  retire(boot: Boot): void;
  totals(): BootTotals;
}

export interface VesselBootsDeps {
  seed: number;
  vesselId: VesselId;
  world: VesselWorld;
  timeline: Timeline;
  rtc: Rtc;
  sensors: ReturnType<typeof simulatedSensors>;
  topicRoot: string;
  dataDir: string;
  clientIdPrefix?: string | undefined;
  queueSynchronous?: QueueSynchronous | undefined;
  /** The platform's config key, pinned on every boot of the gateway. */
  configKey?: ConfigKey | undefined;
  gatewayTuning?: Partial<GatewayTuning> | undefined;
  logger?: GatewayLogger | undefined;
  /** The MQTT adapter for a gateway (before the link faults are put in between). */
  connectorFor: (gatewayId: string) => MqttConnector;
  /** Keeps an operation of the gateway (its start, its stop) among those the runner waits for. */
  track: (op: Promise<void>) => void;
  /** Schedules on the timeline, to be cancelled at the end of the run. */
  schedule: (atMs: number, fn: () => void) => void;
  isStopRequested: () => boolean;
}

const MINUTE_MS = 60_000;

export function createVesselBoots(deps: VesselBootsDeps): VesselBoots {
  const { seed, vesselId, world, timeline } = deps;
  let boot: Boot | undefined;
  let bootIndex = 0;
  let offUntilMs = -Infinity;
  let linkFaults: LinkFaults | undefined;
  const finished = {
    boots: 0,
    sampled: 0,
    published: 0,
    publishedFromBacklog: 0,
    ackTimeouts: 0,
    batches: 0,
    acked: 0,
    evicted: 0,
  };
  const pendingByQueue = new Map<string, number>();
  const eventsPendingByQueue = new Map<string, number>();
  const injected = { duplicates: 0, corrupted: 0 };

  const powerOn = (reason: BootReason): void => {
    if (boot || timeline.nowMs < offUntilMs || deps.isStopRequested()) return;
    const setup = world.setupAt(timeline.nowMs);
    const gatewayId = GatewayId.parse(setup.gatewayId);
    const clock = simulatedClock(timeline, deps.rtc);
    const queuePath = path.join(deps.dataDir, vesselId, `${gatewayId}.sqlite`);
    const wrapped = withLinkFaults(deps.connectorFor(gatewayId), vesselId, deps.topicRoot);
    if (linkFaults) {
      injected.duplicates += linkFaults.counts.duplicates;
      injected.corrupted += linkFaults.counts.corrupted;
    }
    linkFaults = wrapped.faults;
    const index = bootIndex;
    let salt = 0;
    const gateway = createGateway({
      vesselId,
      gatewayId,
      topicRoot: deps.topicRoot,
      clock,
      ledMeter: deps.sensors.ledMeter,
      fuelMeter: setup.hasFuelMeter ? deps.sensors.fuelMeter : undefined,
      gps: deps.sensors.gps,
      disk: simulatedDisk(() => (boot?.gateway.status().queueDepth ?? 0) * 330),
      queuePath,
      ...(deps.queueSynchronous === undefined ? {} : { queueSynchronous: deps.queueSynchronous }),
      ...(deps.configKey === undefined ? {} : { configKey: deps.configKey }),
      connectMqtt: wrapped.connector,
      clientId: `${deps.clientIdPrefix ?? ''}${gatewayId}`,
      newBootId: () => derivedHexId(seed, vesselId, 'boot', index, salt++),
      bootReason: reason,
      ...(deps.logger ? { logger: deps.logger } : {}),
      ...(deps.gatewayTuning ? { tuning: deps.gatewayTuning } : {}),
    });
    bootIndex += 1;
    boot = { gateway, clock, queuePath };
    deps.track(gateway.start());
  };

  const addTotals = (b: Boot): void => {
    const s = b.gateway.status();
    finished.boots += 1;
    finished.sampled += s.sampled;
    finished.published += s.published;
    finished.publishedFromBacklog += s.publishedFromBacklog;
    finished.ackTimeouts += s.ackTimeouts;
    finished.batches += s.batchesPublished;
    finished.acked += s.acked;
    finished.evicted += s.evicted;
    pendingByQueue.set(b.queuePath, s.queueDepth);
    eventsPendingByQueue.set(b.queuePath, s.eventsPending);
  };

  return {
    get current() {
      return boot;
    },
    get linkFaults() {
      return linkFaults;
    },
    powerOn,
    powerOff(untilMs, reason, coldGps) {
      offUntilMs = Math.max(offUntilMs, untilMs);
      const current = boot;
      boot = undefined;
      if (current) {
        current.clock.cancelAll();
        addTotals(current);
        deps.track(current.gateway.stop({ graceful: false }));
      }
      const at = offUntilMs;
      // GPS receivers share the gateway's power: a warm start takes under a minute, a cold one ~12 min.
      world.faults.gpsOutages.push({ fromMs: at, toMs: at + (coldGps ? 12 * MINUTE_MS : 45_000) });
      deps.schedule(at, () => {
        powerOn(reason);
      });
    },
    retire(b) {
      if (boot === b) boot = undefined;
      b.clock.cancelAll();
      addTotals(b);
    },
    totals() {
      const live = boot?.gateway.status();
      const pending = new Map(pendingByQueue);
      const eventsPending = new Map(eventsPendingByQueue);
      if (boot && live) {
        pending.set(boot.queuePath, live.queueDepth);
        eventsPending.set(boot.queuePath, live.eventsPending);
      }
      return {
        boots: finished.boots + (live ? 1 : 0),
        sampled: finished.sampled + (live?.sampled ?? 0),
        published: finished.published + (live?.published ?? 0),
        publishedFromBacklog: finished.publishedFromBacklog + (live?.publishedFromBacklog ?? 0),
        ackTimeouts: finished.ackTimeouts + (live?.ackTimeouts ?? 0),
        batches: finished.batches + (live?.batchesPublished ?? 0),
        acked: finished.acked + (live?.acked ?? 0),
        evicted: finished.evicted + (live?.evicted ?? 0),
        pending: [...pending.values()].reduce((a, b) => a + b, 0),
        eventsPending: [...eventsPending.values()].reduce((a, b) => a + b, 0),
        duplicatesInjected: injected.duplicates + (linkFaults?.counts.duplicates ?? 0),
        corruptedInjected: injected.corrupted + (linkFaults?.counts.corrupted ?? 0),
      };
    },
  };
}
