import type { TelemetryStore } from '@qt-led/store';
import type { InfluxClient } from './influx-client.js';
import { deviceLine, letterLine, readingLine } from './influx-schema.js';

/** The write side: readings, device messages and dead letters, each one `/write` per batch. */
export function readingWrites(client: InfluxClient): Pick<TelemetryStore, 'writeReadings'> {
  return {
    async writeReadings(readings) {
      await client.write(readings.map(readingLine));
    },
  };
}

export function deviceMessageWrites(client: InfluxClient): Pick<TelemetryStore, 'writeDeviceMessages'> {
  return {
    async writeDeviceMessages(messages) {
      await client.write(messages.map(deviceLine));
    },
  };
}

/**
 * A dead letter's id is its nanosecond timestamp: the receive time in milliseconds and a per-store counter
 * in the sub-millisecond digits, so letters received in one millisecond do not overwrite each other.
 */
export function deadLetterWrites(client: InfluxClient): Pick<TelemetryStore, 'addDeadLetters'> {
  let letterCounter = 0;
  return {
    async addDeadLetters(letters) {
      await client.write(
        letters.map((letter) => {
          letterCounter = (letterCounter + 1) % 1_000_000;
          const id = `${letter.receivedAtMs}${String(letterCounter).padStart(6, '0')}`;
          return letterLine(id, letter, null);
        }),
      );
    },
  };
}
