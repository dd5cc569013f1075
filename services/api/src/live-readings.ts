import { StoredReadingsNotice, storedReadingsTopic } from '@qt-led/contract';
import type { StoredReading } from '@qt-led/store';
import type { MqttClient } from 'mqtt';

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

/**
 * The live readings of an ingest in another process (compose): ingest publishes each durable write on the
 * broker's `stored-readings` topic, this subscribes and hands the readings to the stream's listeners. A
 * notice that does not parse is counted and dropped: the store has the readings, only a chart point is lost.
 */
export function createMqttLiveReadings(options: {
  client: Pick<MqttClient, 'subscribeAsync' | 'on' | 'off'>;
  topicRoot: string;
  onInvalid?: (error: Error) => void;
}): LiveReadings & { start(): Promise<void>; stop(): void; invalidNotices(): number } {
  const hub = createLiveReadingsHub();
  const topic = storedReadingsTopic(options.topicRoot);
  let invalid = 0;
  const onMessage = (received: string, payload: Buffer): void => {
    if (received !== topic) return;
    let parsed: ReturnType<typeof StoredReadingsNotice.safeParse>;
    try {
      parsed = StoredReadingsNotice.safeParse(JSON.parse(payload.toString('utf8')));
    } catch (error) {
      invalid += 1;
      options.onInvalid?.(error as Error);
      return;
    }
    if (!parsed.success) {
      invalid += 1;
      options.onInvalid?.(new Error(parsed.error.issues[0]?.message ?? 'invalid stored-readings notice'));
      return;
    }
    hub.publish(parsed.data.readings as StoredReading[]);
  };
  return {
    onReading: (listener) => hub.onReading(listener),
    async start() {
      options.client.on('message', onMessage);
      await options.client.subscribeAsync(topic, { qos: 0 });
    },
    stop() {
      options.client.off('message', onMessage);
    },
    invalidNotices: () => invalid,
  };
}
