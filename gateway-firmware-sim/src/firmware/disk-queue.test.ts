import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type DiskQueue, openDiskQueue } from './disk-queue.js';

const dirs: string[] = [];
const open: DiskQueue[] = [];
afterEach(() => {
  for (const q of open.splice(0)) {
    try {
      q.close();
    } catch {
      // already closed
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fresh(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qtled-queue-'));
  dirs.push(dir);
  return path.join(dir, 'queue.sqlite');
}

function openQueue(file: string): DiskQueue {
  const q = openDiskQueue({ path: file });
  open.push(q);
  return q;
}

const add = (q: DiskQueue, ordinal: number, n: number): number[] => {
  const seqs: number[] = [];
  for (let i = 0; i < n; i += 1) {
    seqs.push(
      q.appendReading(ordinal, i, (seq) => ({ deviceTimeMs: 1_000 + seq, body: `{"seq":${seq}}` })).seq,
    );
  }
  return seqs;
};

describe('the disk queue', () => {
  it('numbers readings from 0 per boot and keeps them in order across boots', () => {
    const q = openQueue(fresh());
    const a = q.startBoot('aaaaaaaa', 1).boot.ordinal;
    expect(add(q, a, 3)).toEqual([0, 1, 2]);
    const { boot, previous } = q.startBoot('bbbbbbbb', 2);
    expect(previous?.bootId).toBe('aaaaaaaa');
    expect(add(q, boot.ordinal, 2)).toEqual([0, 1]);
    const rows = q.readingsBetween(0, Number.MAX_SAFE_INTEGER, 100);
    expect(rows.map((r) => r.body)).toEqual([
      '{"seq":0}',
      '{"seq":1}',
      '{"seq":2}',
      '{"seq":0}',
      '{"seq":1}',
    ]);
    expect(q.nextReadingId()).toBeGreaterThan(rows.at(-1)?.id ?? 0);
  });

  it('deletes only readings it published: an ack naming unsent ones (forged, misdirected) keeps them', () => {
    const path = fresh();
    let q = openQueue(path);
    const a = q.startBoot('aaaaaaaa', 1).boot.ordinal;
    add(q, a, 10);
    const ids = q.readingsBetween(0, Number.MAX_SAFE_INTEGER, 100).map((r) => r.id);
    q.markPublished(ids[0] ?? 0, ids[3] ?? 0); // seq 0–3 left in a batch
    // An ack through seq 9 (what a forged retained ack said): only the four published readings go.
    expect(q.acknowledge('aaaaaaaa', 9, [[20, 30]])).toEqual({ removed: 4, unpublished: 6 });
    expect(q.depth()).toBe(6);
    // The mark is on disk: after a restart, seq 4–6 published, then acknowledged.
    q.markPublished(ids[4] ?? 0, ids[6] ?? 0);
    q.close();
    q = openQueue(path);
    expect(q.acknowledge('aaaaaaaa', 9)).toEqual({ removed: 3, unpublished: 3 });
    expect(q.readingsBetween(0, Number.MAX_SAFE_INTEGER, 100).map((r) => r.body)).toEqual([
      '{"seq":7}',
      '{"seq":8}',
      '{"seq":9}',
    ]);
  });

  it('deletes exactly what an ack confirms: through a seq, and stored ranges beyond it', () => {
    const q = openQueue(fresh());
    const a = q.startBoot('aaaaaaaa', 1).boot.ordinal;
    add(q, a, 10);
    const b = q.startBoot('bbbbbbbb', 2).boot.ordinal;
    add(q, b, 5);
    q.markPublished(0, Number.MAX_SAFE_INTEGER);
    expect(q.acknowledge('aaaaaaaa', 3, [[6, 7]])).toEqual({ removed: 6, unpublished: 0 });
    expect(q.acknowledge('cccccccc', 100)).toEqual({ removed: 0, unpublished: 0 }); // unknown boot: nothing
    expect(q.acknowledge('bbbbbbbb', -1, [[4, 4]])).toEqual({ removed: 1, unpublished: 0 });
    expect(q.depth()).toBe(8);
    const left = q.readingsBetween(0, Number.MAX_SAFE_INTEGER, 100).map((r) => r.body);
    expect(left).toEqual([
      '{"seq":4}',
      '{"seq":5}',
      '{"seq":8}',
      '{"seq":9}',
      '{"seq":0}',
      '{"seq":1}',
      '{"seq":2}',
      '{"seq":3}',
    ]);
  });

  it('survives a reopen: readings, counters and boots are on disk', () => {
    const file = fresh();
    const q = openQueue(file);
    const a = q.startBoot('aaaaaaaa', 1).boot.ordinal;
    add(q, a, 4);
    q.appendEvent(a, (eventSeq) => `{"eventSeq":${eventSeq}}`);
    q.close();
    const again = openQueue(file);
    expect(again.depth()).toBe(4);
    expect(again.pendingEvents(10).map((e) => e.body)).toEqual(['{"eventSeq":0}']);
    // The seq counter of a boot continues where it stopped (it is persisted with each reading).
    expect(add(again, a, 1)).toEqual([4]);
    expect(again.bootOrdinalOf('aaaaaaaa')).toBe(a);
  });

  it('attributes the events of a queue written before events waited for their ack', () => {
    const file = fresh();
    const legacy = new Database(file);
    legacy.exec(`
      CREATE TABLE boots (ordinal INTEGER PRIMARY KEY AUTOINCREMENT, boot_id TEXT NOT NULL UNIQUE,
        booted_at_ms INTEGER NOT NULL, next_seq INTEGER NOT NULL DEFAULT 0,
        next_event_seq INTEGER NOT NULL DEFAULT 0, state TEXT);
      CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);
      INSERT INTO boots (boot_id, booted_at_ms, next_event_seq) VALUES ('aaaaaaaa', 1, 2);
      INSERT INTO events (body) VALUES ('{"bootId":"aaaaaaaa","eventSeq":1}'), ('{"bootId":"gone0000","eventSeq":0}');`);
    legacy.close();
    const q = openQueue(file);
    const [known, orphan] = q.pendingEvents(10);
    if (!known || !orphan) throw new Error('events lost in the migration');
    q.markEventPublished(known.id);
    expect(q.acknowledgeEvents('aaaaaaaa', 1).removedIds).toEqual([known.id]);
    // No boot to name it by: it leaves once published, as before.
    q.markEventPublished(orphan.id);
    expect(q.eventCount()).toBe(0);
  });

  it('refuses a second process on the same file (exclusive lock)', () => {
    const file = fresh();
    const q = openQueue(file);
    q.startBoot('aaaaaaaa', 1);
    expect(() => {
      const other = openDiskQueue({ path: file });
      other.startBoot('bbbbbbbb', 2);
      other.close();
    }).toThrow(/locked|busy/i);
  });

  it('evicts the oldest readings when asked to make room', () => {
    const q = openQueue(fresh());
    const a = q.startBoot('aaaaaaaa', 1).boot.ordinal;
    add(q, a, 5);
    expect(q.evictOldest(2)).toBe(2);
    expect(q.readingsBetween(0, Number.MAX_SAFE_INTEGER, 10).map((r) => r.body)[0]).toBe('{"seq":2}');
    expect(q.bytesInUse()).toBeGreaterThan(0);
  });
});
