import type { StoredReading } from '@qt-led/store';

/**
 * The port through which the platform tells the API about readings as they are stored, for the live stream
 * (`GET /api/v1/stream`, event `reading`). Ingest (or the platform wiring it) implements it; the API only
 * listens. {@link createLiveReadingsHub} is a ready-made implementation: call `publish` after each durable
 * write.
 */
export interface LiveReadings {
  /** Registers a listener; returns the unsubscribe function. */
  onReading(listener: (reading: StoredReading) => void): () => void;
}

export interface LiveReadingsHub extends LiveReadings {
  publish(readings: readonly StoredReading[]): void;
  listenerCount(): number;
}

export function createLiveReadingsHub(): LiveReadingsHub {
  const listeners = new Set<(reading: StoredReading) => void>();
  return {
    onReading(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    publish(readings) {
      for (const reading of readings) for (const listener of listeners) listener(reading);
    },
    listenerCount: () => listeners.size,
  };
}
