import type { Logger } from '@qt-led/runtime';
import type { FleetChange } from './model.js';

/** The listeners of live changes (the API's SSE stream). */
export interface ChangeFeed {
  emit(change: FleetChange): void;
  subscribe(listener: (change: FleetChange) => void): () => void;
}

export function createChangeFeed(logger: Logger): ChangeFeed {
  const listeners = new Set<(change: FleetChange) => void>();
  return {
    emit(change) {
      for (const listener of listeners) {
        try {
          listener(change);
        } catch (err) {
          // One broken subscriber (a closed SSE stream) must not starve the others nor fail the pass.
          logger.warn({ err }, 'an onChange listener threw; the others still get the change');
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
