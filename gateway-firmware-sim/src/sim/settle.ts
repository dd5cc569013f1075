import type { Gateway } from '../firmware/gateway.js';
import type { LinkGate } from '../firmware/mqtt-connector.js';
import { settlesWithin } from '@qt-led/runtime';

export interface SettleDeps {
  /** The gateway's operations under way (starts, stops, corrupted frames being sent). */
  pendingOps: ReadonlySet<Promise<void>>;
  gate: LinkGate;
  /** The gateway powered on now, if any. */
  gateway: () => Gateway | undefined;
  /** Real time to wait at most. */
  timeoutMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the gateway has nothing left to do at this instant: its uploads acknowledged, and, where
 * the boat is in coverage, its connection up. Bounded in real time, so a platform that does not answer
 * slows the simulation down but never stops it (its ack timeouts then fire in simulated time).
 */
export async function settle(deps: SettleDeps): Promise<void> {
  const { pendingOps, gate } = deps;
  const deadline = performance.now() + deps.timeoutMs;
  for (;;) {
    if (pendingOps.size > 0) {
      await settlesWithin(Promise.allSettled([...pendingOps]), Math.max(0, deadline - performance.now()));
    }
    const gateway = deps.gateway();
    if (!gateway) return;
    const remaining = deadline - performance.now();
    if (remaining <= 0) return;
    if (gate.isUp() && !gateway.status().online) {
      await sleep(Math.min(2, remaining));
      continue;
    }
    if (!(await settlesWithin(gateway.whenIdle(), remaining))) return;
    // A message may be on its way in from the same socket read: let it land, then look again.
    await new Promise((resolve) => setImmediate(resolve));
    const status = gateway.status();
    if (pendingOps.size === 0 && (!gate.isUp() || status.online) && (!status.online || status.inFlight === 0))
      return;
  }
}
