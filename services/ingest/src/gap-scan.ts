import type { GatewayAssignments } from '@qt-led/contract';
import type { Logger } from '@qt-led/runtime';
import { findGaps, type TelemetryStore } from '@qt-led/store';
import type { Clock } from './clock.js';
import type { IngestMetrics } from './metrics.js';

const DAY_MS = 86_400_000;

/**
 * Recounts the gap ledger of the last day every `intervalMs` for the `gaps_open` gauge: seq ranges that
 * never arrived, which no reading-level metric can show. Returns the function that stops it.
 */
export function startGapScan(deps: {
  store: Pick<TelemetryStore, 'readings'>;
  registry: Pick<GatewayAssignments, 'vesselIds'>;
  clock: Clock;
  logger: Logger;
  metrics: Pick<IngestMetrics, 'gapsOpen'>;
  intervalMs: number;
}): () => void {
  const { store, registry, clock, metrics } = deps;
  async function scan(): Promise<void> {
    const to = clock.now();
    let open = 0;
    for (const vesselId of registry.vesselIds()) {
      open += findGaps(await store.readings(vesselId, to - DAY_MS, to)).length;
    }
    metrics.gapsOpen.set(open);
  }
  const timer = setInterval(() => {
    scan().catch((error: unknown) => deps.logger.warn({ err: error }, 'gap scan failed'));
  }, deps.intervalMs);
  return () => {
    clearInterval(timer);
  };
}
