import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { NewDeadLetter, StoredDeviceMessage, StoredReading } from '@qt-led/store';
import Database from 'better-sqlite3';

/** vesselId → bootId → seqs that become acknowledgeable when the batch holding them is durable. */
export type AckSeqs = Record<string, Record<string, number[]>>;

/** A batch as ingest writes it: readings, dead letters, and the seqs to acknowledge once both are durable. */
export interface WriteBatch {
  /** Readings spooled before they carried the LED meter's serial come back with `ledMeterId: null`. */
  readings: StoredReading[];
  deadLetters: NewDeadLetter[];
  /** Presence, heartbeats and device events (absent in backlogs written before they were stored). */
  deviceMessages?: StoredDeviceMessage[];
  acks: AckSeqs;
  /** The device events' `eventSeq`s, acknowledged the same way (absent in backlogs written before). */
  eventAcks?: AckSeqs;
}

export interface Spool {
  /** Appends a batch durably (fsync) before returning. */
  push(batch: WriteBatch): void;
  /** The oldest batch, without removing it. */
  peek(): { id: number; batch: WriteBatch } | undefined;
  remove(id: number): void;
  /** Batches and readings waiting. */
  depth(): { batches: number; readings: number };
  close(): void;
}

/**
 * The ingest backlog on disk: batches that could not be written because the store was down wait here, in
 * order, until the drainer writes them. Memory stays flat however long the outage; a restart resumes
 * draining. SQLite in WAL mode with `synchronous = FULL`: a pushed batch survives power loss.
 */
export function openSpool(path: string): Spool {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT, readings INTEGER NOT NULL, body TEXT NOT NULL)`);
  const insert = db.prepare('INSERT INTO batches (readings, body) VALUES (?, ?)');
  const oldest = db.prepare('SELECT id, body FROM batches ORDER BY id LIMIT 1');
  const remove = db.prepare('DELETE FROM batches WHERE id = ? RETURNING readings');
  // Counted once at open, then kept in step with push/remove: ingest asks for the depth on every flush.
  const counted = db
    .prepare('SELECT count(*) AS batches, coalesce(sum(readings), 0) AS readings FROM batches')
    .get() as { batches: number; readings: number };
  const depth = { batches: counted.batches, readings: counted.readings };
  return {
    push(batch) {
      insert.run(batch.readings.length, JSON.stringify(batch));
      depth.batches += 1;
      depth.readings += batch.readings.length;
    },
    peek() {
      const row = oldest.get() as { id: number; body: string } | undefined;
      return row === undefined ? undefined : { id: row.id, batch: fromBody(row.body) };
    },
    remove(id) {
      const row = remove.get(id) as { readings: number } | undefined;
      if (row === undefined) return;
      depth.batches -= 1;
      depth.readings -= row.readings;
    },
    depth() {
      return { ...depth };
    },
    close() {
      db.close();
    },
  };
}

/** A batch as spooled, brought up to date: a backlog written by an older ingest drains like a new one. */
function fromBody(body: string): WriteBatch {
  const batch = JSON.parse(body) as WriteBatch;
  for (const reading of batch.readings as (Omit<StoredReading, 'ledMeterId'> & Partial<StoredReading>)[]) {
    reading.ledMeterId ??= null;
  }
  return batch;
}
