import type { DeadLetter, DeadLetterQuery, TelemetryStore } from '@qt-led/store';
import type { IngestMetrics } from './metrics.js';
import type { Ingest } from './pipeline.js';

/** How much of each payload a list of dead letters shows; one letter by id has it whole. */
export const LISTED_PAYLOAD_CHARS = 500;

/**
 * What an operator may ask of a running ingest — health, metrics, the dead letters and their replay —
 * answered once here for both surfaces: ingest's own HTTP port and the API's admin routes.
 */
export interface IngestOperations {
  ready(): boolean;
  metricsText(): Promise<string>;
  readonly metricsContentType: string;
  /** The newest first, payloads abbreviated to {@link LISTED_PAYLOAD_CHARS} characters. */
  listDeadLetters(query: DeadLetterQuery): Promise<DeadLetter[]>;
  getDeadLetter(id: string): Promise<DeadLetter | undefined>;
  replayDeadLetter(id: string): Promise<{ replayed: boolean; reason?: string }>;
}

export function ingestOperations(deps: {
  /** The running pipeline; undefined before start and after stop. */
  ingest: () => Ingest | undefined;
  store: Pick<TelemetryStore, 'listDeadLetters' | 'getDeadLetter'>;
  metrics: IngestMetrics;
}): IngestOperations {
  const running = (): Ingest => {
    const ingest = deps.ingest();
    if (ingest === undefined) throw new Error('ingest is not running');
    return ingest;
  };
  return {
    ready: () => deps.ingest()?.ready() ?? false,
    metricsText: () => deps.metrics.registry.metrics(),
    get metricsContentType() {
      return deps.metrics.registry.contentType;
    },
    async listDeadLetters(query) {
      const letters = await deps.store.listDeadLetters(query);
      return letters.map((l) => ({ ...l, payload: l.payload.slice(0, LISTED_PAYLOAD_CHARS) }));
    },
    getDeadLetter: (id) => deps.store.getDeadLetter(id),
    replayDeadLetter: (id) => running().replayDeadLetter(id),
  };
}
