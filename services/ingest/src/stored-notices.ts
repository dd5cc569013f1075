import type { StoredReading } from '@qt-led/store';

/**
 * Largest stored-readings notice, in bytes: a quarter of the broker's `max_packet_size` (1 MiB in the
 * configuration we ship). One notice per durable write would grow with the batch — a boat's 10-day backlog
 * makes batches of thousands of readings — and Mosquitto disconnects a client that sends a packet over its
 * limit: ingest itself, which then reconnected and tried again, over and over.
 */
export const MAX_NOTICE_BYTES = 256 * 1024;

/** The notices telling the live stream what was stored: each one under `maxBytes` of JSON. */
export function storedReadingsNotices(
  readings: readonly StoredReading[],
  maxBytes: number = MAX_NOTICE_BYTES,
): string[] {
  const envelope = (body: string): string => `{"schema":"qtled.stored-readings/1","readings":[${body}]}`;
  const overhead = envelope('').length;
  const notices: string[] = [];
  let parts: string[] = [];
  let size = overhead;
  for (const reading of readings) {
    const json = JSON.stringify(reading);
    const bytes = Buffer.byteLength(json);
    if (parts.length > 0 && size + bytes + 1 > maxBytes) {
      notices.push(envelope(parts.join(',')));
      parts = [];
      size = overhead;
    }
    parts.push(json);
    size += bytes + 1;
  }
  if (parts.length > 0) notices.push(envelope(parts.join(',')));
  return notices;
}
