import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * The gateway's outbound queue on disk (SQLite, better-sqlite3).
 *
 * Why SQLite: every append and every acknowledgement is one transaction, and with `journal_mode=WAL` and
 * `synchronous=FULL` a committed transaction survives a killed process and a power cut (the WAL is
 * fsynced at each commit); an interrupted one leaves no trace. Readings are read in slices, never loaded
 * whole, so the backlog is bounded by the disk, not by memory. The file is opened in exclusive locking
 * mode, so a second process on the same queue fails instead of corrupting the sequence.
 *
 * Identity: a boot has a random `bootId` and an ordinal in this file (AUTOINCREMENT, never reused);
 * within a boot `seq` counts from 0, and the next seq is stored in the same transaction as the reading
 * that used the previous one, so it is monotonic whatever happens. A reading's row id is
 * `ordinal × 2^32 + seq`: one B-tree keeps the queue in order across boots, and an acknowledgement
 * (`seq ≤ throughSeq` of a boot) deletes one contiguous key range.
 *
 * An acknowledgement deletes only readings that were published (`markPublished`, before the batch leaves):
 * an ack naming readings the gateway never sent — forged, or meant for another gateway — cannot erase them.
 * Device events follow the same rule by `(boot, eventSeq)`: they stay until an ack names them, and only once
 * they were published.
 */
export type QueueSynchronous = 'full' | 'normal' | 'off';

export interface DiskQueueOptions {
  /** The SQLite file; its directory is created if missing. */
  path: string;
  /**
   * `full` (default): each commit is fsynced, and survives power loss. `normal`: fsyncs only at
   * checkpoints; survives a killed process but not a power cut. `off`: hands every commit to the operating
   * system and never waits for the disk; a killed process loses nothing either (the OS holds the pages), a
   * power cut may. `normal` and `off` are for simulations that run a whole fleet's gateways on one disk.
   */
  synchronous?: QueueSynchronous;
}

export interface QueuedReading {
  readonly id: number;
  readonly monoMs: number;
  readonly deviceTimeMs: number;
  /** The reading, serialised when it was taken: what is resent is byte-for-byte what was sampled. */
  readonly body: string;
}

export interface QueuedEvent {
  readonly id: number;
  readonly body: string;
}

export interface BootRecord {
  readonly ordinal: number;
  readonly bootId: string;
  readonly bootedAtMs: number;
  /** What the boot saved with its last reading (e.g. the meter registers). */
  readonly state?: unknown;
}

export interface DiskQueue {
  readonly path: string;
  /** Registers a boot; the previous boot (if any) is returned for the boot event. */
  startBoot(bootId: string, bootedAtMs: number): { boot: BootRecord; previous: BootRecord | null };
  bootOrdinalOf(bootId: string): number | undefined;
  /**
   * Appends a reading of a boot: `build` gets the boot's next seq and returns the serialised reading.
   * `state` is saved with the boot in the same transaction (e.g. the last meter registers).
   */
  appendReading(
    bootOrdinal: number,
    monoMs: number,
    build: (seq: number) => { deviceTimeMs: number; body: string },
    state?: Readonly<Record<string, unknown>>,
  ): { id: number; seq: number };
  /** The id the next appended reading will get. */
  nextReadingId(): number;
  /** Readings with `fromId <= id <= toId`, ascending, at most `limit`. */
  readingsBetween(fromId: number, toId: number, limit: number): QueuedReading[];
  /** The same readings' ids and sampling times only (whether a batch is due, without reading bodies). */
  stampsBetween(fromId: number, toId: number, limit: number): Pick<QueuedReading, 'id' | 'monoMs'>[];
  countBetween(fromId: number, toId: number): number;
  /** Marks the readings with `fromId <= id <= toId` as published (a batch about to leave). */
  markPublished(fromId: number, toId: number): void;
  /**
   * Deletes what an acknowledgement confirms for one boot, of the readings published; returns how many it
   * removed and how many it named that were never published (kept).
   */
  acknowledge(
    bootId: string,
    throughSeq: number,
    ranges?: readonly (readonly [number, number])[],
  ): { removed: number; unpublished: number };
  /** Readings on disk (not yet acknowledged). */
  depth(): number;
  /** Device time of the oldest reading on disk. */
  oldestDeviceTimeMs(): number | null;
  /** Bytes of the database in use (pages minus free pages). */
  bytesInUse(): number;
  /** Drops the `count` oldest readings (disk full); returns how many went. */
  evictOldest(count: number): number;
  /** Drops the readings with `fromId <= id <= toId`; returns how many went. */
  dropBetween(fromId: number, toId: number): number;
  appendEvent(bootOrdinal: number, build: (eventSeq: number) => string): void;
  /** Events not yet acknowledged, oldest first, at most `limit`. */
  pendingEvents(limit: number): QueuedEvent[];
  /** Events not yet acknowledged. */
  eventCount(): number;
  /**
   * Marks an event as published (about to leave): from now on an ack may delete it. False for an event of
   * an old queue that no ack can name: it is deleted now, as such events were.
   */
  markEventPublished(id: number): boolean;
  /**
   * Deletes the published events of one boot an ack confirms (`eventSeq ≤ throughSeq`, or in a range);
   * returns the ids removed and how many it named that were never published (kept).
   */
  acknowledgeEvents(
    bootId: string,
    throughSeq: number,
    ranges?: readonly (readonly [number, number])[],
  ): { removedIds: number[]; unpublished: number };
  getState(key: string): unknown;
  setState(key: string, value: unknown): void;
  close(): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS boots (
  ordinal INTEGER PRIMARY KEY AUTOINCREMENT,
  boot_id TEXT NOT NULL UNIQUE,
  booted_at_ms INTEGER NOT NULL,
  next_seq INTEGER NOT NULL DEFAULT 0,
  next_event_seq INTEGER NOT NULL DEFAULT 0,
  state TEXT
);
CREATE TABLE IF NOT EXISTS readings (
  id INTEGER PRIMARY KEY,
  mono_ms INTEGER NOT NULL,
  device_time_ms INTEGER NOT NULL,
  body TEXT NOT NULL,
  published INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  body TEXT NOT NULL,
  boot_ordinal INTEGER,
  event_seq INTEGER,
  published INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

const SEQ_SPAN = 2 ** 32;
const keyOf = (ordinal: number, seq: number): number => ordinal * SEQ_SPAN + seq;

function openDatabase(options: DiskQueueOptions): Database.Database {
  mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
  // A second process on the queue fails fast instead of waiting for a lock it will never get.
  const db = new Database(options.path, { timeout: 200 });
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${(options.synchronous ?? 'full').toUpperCase()}`);
  db.pragma('journal_size_limit = 8388608');
  db.exec(SCHEMA);
  // Queues written before readings carried a published mark: theirs are all sent again on connect anyway.
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(readings)').all();
  if (!columns.some((c) => c.name === 'published'))
    db.exec('ALTER TABLE readings ADD COLUMN published INTEGER NOT NULL DEFAULT 0');
  migrateEvents(db);
  db.exec('CREATE INDEX IF NOT EXISTS events_by_boot ON events (boot_ordinal, event_seq)');
  return db;
}

/**
 * Queues written when events left on the broker's PUBACK kept only the body: their boot and event seq are
 * read from it, so that an ack can name them. An event whose boot row is gone (boots were once pruned by
 * readings alone) keeps a null boot and is deleted once published, as it was then.
 */
function migrateEvents(db: Database.Database): void {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(events)').all();
  if (columns.some((c) => c.name === 'event_seq')) return;
  db.exec(`
    ALTER TABLE events ADD COLUMN boot_ordinal INTEGER;
    ALTER TABLE events ADD COLUMN event_seq INTEGER;
    ALTER TABLE events ADD COLUMN published INTEGER NOT NULL DEFAULT 0;
    UPDATE events SET
      event_seq = json_extract(body, '$.eventSeq'),
      boot_ordinal = (SELECT ordinal FROM boots WHERE boot_id = json_extract(events.body, '$.bootId'))
    WHERE json_valid(body);`);
}

interface ReadingRow {
  id: number;
  mono_ms: number;
  device_time_ms: number;
  body: string;
}

export function openDiskQueue(options: DiskQueueOptions): DiskQueue {
  const db = openDatabase(options);
  const stmt = prepareStatements(db);

  let depth = stmt.count.get()?.n ?? 0;
  // Events in the outbox, known here (sole writer): the uploader asks for the oldest before every batch.
  let events = stmt.eventCount.get()?.n ?? 0;
  const pageSize = Number(db.pragma('page_size', { simple: true }));

  // The counters of the boots in use, cached: this process is the file's only writer (exclusive lock).
  const counters = new Map<number, { nextSeq: number; nextEventSeq: number }>();
  const countersOf = (ordinal: number): { nextSeq: number; nextEventSeq: number } => {
    let c = counters.get(ordinal);
    if (!c) {
      const row = stmt.bootByOrdinal.get(ordinal);
      if (!row) throw new Error(`disk queue: unknown boot ordinal ${ordinal}`);
      c = { nextSeq: row.next_seq, nextEventSeq: row.next_event_seq };
      counters.set(ordinal, c);
    }
    return c;
  };

  const append = db.transaction(
    (
      bootOrdinal: number,
      monoMs: number,
      build: (seq: number) => { deviceTimeMs: number; body: string },
      state: Readonly<Record<string, unknown>> | undefined,
    ): { id: number; seq: number } => {
      const c = countersOf(bootOrdinal);
      const seq = c.nextSeq;
      const { deviceTimeMs, body } = build(seq);
      const id = keyOf(bootOrdinal, seq);
      stmt.insertReading.run(id, monoMs, deviceTimeMs, body);
      if (state) stmt.bumpSeqWithState.run(seq + 1, JSON.stringify(state), bootOrdinal);
      else stmt.bumpSeq.run(seq + 1, bootOrdinal);
      return { id, seq };
    },
  );

  const acknowledge = db.transaction(
    (
      ordinal: number,
      throughSeq: number,
      ranges: readonly (readonly [number, number])[],
    ): { removed: number; unpublished: number } => {
      let removed = 0;
      let unpublished = 0;
      const spans: [number, number][] = throughSeq >= 0 ? [[0, throughSeq]] : [];
      for (const [from, to] of ranges) spans.push([from, to]);
      for (const [from, to] of spans) {
        const fromId = keyOf(ordinal, Math.max(0, from));
        const toId = keyOf(ordinal, Math.min(SEQ_SPAN - 1, to));
        removed += stmt.deletePublished.run(fromId, toId).changes;
        unpublished += stmt.countBetween.get(fromId, toId)?.n ?? 0;
      }
      return { removed, unpublished };
    },
  );

  const appendEvent = db.transaction((bootOrdinal: number, build: (eventSeq: number) => string): void => {
    const c = countersOf(bootOrdinal);
    const eventSeq = c.nextEventSeq;
    stmt.insertEvent.run(build(eventSeq), bootOrdinal, eventSeq);
    stmt.bumpEventSeq.run(eventSeq + 1, bootOrdinal);
    c.nextEventSeq = eventSeq + 1;
    events += 1;
  });

  const acknowledgeEvents = db.transaction(
    (
      ordinal: number,
      throughSeq: number,
      ranges: readonly (readonly [number, number])[],
    ): { removedIds: number[]; unpublished: number } => {
      const removedIds: number[] = [];
      let unpublished = 0;
      const spans: readonly (readonly [number, number])[] =
        throughSeq >= 0 ? [[0, throughSeq], ...ranges] : ranges;
      for (const [from, to] of spans) {
        for (const row of stmt.deletePublishedEvents.all(ordinal, from, to)) removedIds.push(row.id);
        unpublished += stmt.countEventsBetween.get(ordinal, from, to)?.n ?? 0;
      }
      return { removedIds, unpublished };
    },
  );

  const startBoot = startBootTransaction(db, stmt);

  return {
    path: options.path,
    startBoot: (bootId, bootedAtMs) => startBoot(bootId, bootedAtMs),
    bootOrdinalOf: (bootId) => stmt.bootOrdinal.get(bootId)?.ordinal,
    appendReading(bootOrdinal, monoMs, build, state) {
      const result = append(bootOrdinal, monoMs, build, state);
      countersOf(bootOrdinal).nextSeq = result.seq + 1;
      depth += 1;
      return result;
    },
    nextReadingId: () => {
      const last = stmt.lastBoot.get();
      return last ? keyOf(last.ordinal, countersOf(last.ordinal).nextSeq) : 1;
    },
    readingsBetween(fromId, toId, limit) {
      if (limit <= 0 || toId < fromId) return [];
      return stmt.readingsBetween.all(fromId, toId, limit).map((r) => ({
        id: r.id,
        monoMs: r.mono_ms,
        deviceTimeMs: r.device_time_ms,
        body: r.body,
      }));
    },
    stampsBetween(fromId, toId, limit) {
      if (limit <= 0 || toId < fromId) return [];
      return stmt.stampsBetween.all(fromId, toId, limit).map((r) => ({ id: r.id, monoMs: r.mono_ms }));
    },
    countBetween: (fromId, toId) => (toId < fromId ? 0 : (stmt.countBetween.get(fromId, toId)?.n ?? 0)),
    markPublished(fromId, toId) {
      if (toId >= fromId) stmt.markPublished.run(fromId, toId);
    },
    acknowledge(bootId, throughSeq, ranges = []) {
      const ordinal = stmt.bootOrdinal.get(bootId)?.ordinal;
      if (ordinal === undefined) return { removed: 0, unpublished: 0 };
      const result = acknowledge(ordinal, throughSeq, ranges);
      depth -= result.removed;
      return result;
    },
    depth: () => depth,
    oldestDeviceTimeMs: () => stmt.oldest.get()?.device_time_ms ?? null,
    bytesInUse() {
      const pages = Number(db.pragma('page_count', { simple: true }));
      const free = Number(db.pragma('freelist_count', { simple: true }));
      return (pages - free) * pageSize;
    },
    evictOldest(count) {
      const removed = stmt.evict.run(count).changes;
      depth -= removed;
      return removed;
    },
    dropBetween(fromId, toId) {
      const removed = stmt.dropBetween.run(fromId, toId).changes;
      depth -= removed;
      return removed;
    },
    appendEvent: (bootOrdinal, build) => {
      appendEvent(bootOrdinal, build);
    },
    pendingEvents: (limit) => (events === 0 ? [] : stmt.events.all(limit)),
    eventCount: () => events,
    markEventPublished: (id) => {
      stmt.markEventPublished.run(id);
      const legacy = stmt.deleteLegacyEvent.run(id).changes;
      events -= legacy;
      return legacy === 0;
    },
    acknowledgeEvents(bootId, throughSeq, ranges = []) {
      const ordinal = stmt.bootOrdinal.get(bootId)?.ordinal;
      if (ordinal === undefined) return { removedIds: [], unpublished: 0 };
      const result = acknowledgeEvents(ordinal, throughSeq, ranges);
      events -= result.removedIds.length;
      return result;
    },
    getState(key) {
      const row = stmt.getState.get(key);
      return row === undefined ? undefined : (JSON.parse(row.value) as unknown);
    },
    setState: (key, value) => {
      stmt.setState.run(key, JSON.stringify(value));
    },
    close: () => {
      db.close();
    },
  };
}

function prepareStatements(db: Database.Database) {
  return {
    insertBoot: db.prepare('INSERT INTO boots (boot_id, booted_at_ms) VALUES (?, ?)'),
    lastBoot: db.prepare<
      [],
      { ordinal: number; boot_id: string; booted_at_ms: number; state: string | null }
    >('SELECT ordinal, boot_id, booted_at_ms, state FROM boots ORDER BY ordinal DESC LIMIT 1'),
    bootByOrdinal: db.prepare<[number], { next_seq: number; next_event_seq: number }>(
      'SELECT next_seq, next_event_seq FROM boots WHERE ordinal = ?',
    ),
    bootOrdinal: db.prepare<[string], { ordinal: number }>('SELECT ordinal FROM boots WHERE boot_id = ?'),
    bumpSeq: db.prepare('UPDATE boots SET next_seq = ? WHERE ordinal = ?'),
    bumpSeqWithState: db.prepare('UPDATE boots SET next_seq = ?, state = ? WHERE ordinal = ?'),
    bumpEventSeq: db.prepare('UPDATE boots SET next_event_seq = ? WHERE ordinal = ?'),
    oldestReadingId: db.prepare<[], { id: number }>('SELECT id FROM readings ORDER BY id LIMIT 1'),
    pruneBoots: db.prepare('DELETE FROM boots WHERE ordinal < ? AND ordinal < ?'),
    insertReading: db.prepare('INSERT INTO readings (id, mono_ms, device_time_ms, body) VALUES (?, ?, ?, ?)'),
    readingsBetween: db.prepare<[number, number, number], ReadingRow>(
      'SELECT id, mono_ms, device_time_ms, body FROM readings WHERE id BETWEEN ? AND ? ORDER BY id LIMIT ?',
    ),
    stampsBetween: db.prepare<[number, number, number], { id: number; mono_ms: number }>(
      'SELECT id, mono_ms FROM readings WHERE id BETWEEN ? AND ? ORDER BY id LIMIT ?',
    ),
    countBetween: db.prepare<[number, number], { n: number }>(
      'SELECT count(*) AS n FROM readings WHERE id BETWEEN ? AND ?',
    ),
    count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM readings'),
    eventCount: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events'),
    deletePublished: db.prepare('DELETE FROM readings WHERE id BETWEEN ? AND ? AND published = 1'),
    markPublished: db.prepare('UPDATE readings SET published = 1 WHERE id BETWEEN ? AND ? AND published = 0'),
    oldest: db.prepare<[], { device_time_ms: number }>(
      'SELECT device_time_ms FROM readings ORDER BY id LIMIT 1',
    ),
    dropBetween: db.prepare('DELETE FROM readings WHERE id BETWEEN ? AND ?'),
    evict: db.prepare('DELETE FROM readings WHERE id IN (SELECT id FROM readings ORDER BY id LIMIT ?)'),
    insertEvent: db.prepare('INSERT INTO events (body, boot_ordinal, event_seq) VALUES (?, ?, ?)'),
    events: db.prepare<[number], QueuedEvent>('SELECT id, body FROM events ORDER BY id LIMIT ?'),
    markEventPublished: db.prepare('UPDATE events SET published = 1 WHERE id = ?'),
    deleteLegacyEvent: db.prepare('DELETE FROM events WHERE id = ? AND boot_ordinal IS NULL'),
    deletePublishedEvents: db.prepare<[number, number, number], { id: number }>(
      'DELETE FROM events WHERE boot_ordinal = ? AND event_seq BETWEEN ? AND ? AND published = 1 RETURNING id',
    ),
    countEventsBetween: db.prepare<[number, number, number], { n: number }>(
      'SELECT count(*) AS n FROM events WHERE boot_ordinal = ? AND event_seq BETWEEN ? AND ?',
    ),
    oldestEventBoot: db.prepare<[], { ordinal: number | null }>(
      'SELECT min(boot_ordinal) AS ordinal FROM events',
    ),
    getState: db.prepare<[string], { value: string }>('SELECT value FROM state WHERE key = ?'),
    setState: db.prepare(
      'INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
  };
}

/** Registers a boot, forgets boots no reading on disk refers to any more, and returns the previous one. */
function startBootTransaction(
  db: Database.Database,
  stmt: ReturnType<typeof prepareStatements>,
): (bootId: string, bootedAtMs: number) => { boot: BootRecord; previous: BootRecord | null } {
  return db.transaction((bootId: string, bootedAtMs: number) => {
    const last = stmt.lastBoot.get();
    const info = stmt.insertBoot.run(bootId, bootedAtMs);
    const ordinal = Number(info.lastInsertRowid);
    // Boots older than the oldest reading or event on disk are of no further use (the previous one stays,
    // for the boot event and its saved state); an event's boot must stay for its ack to find it.
    const oldest = stmt.oldestReadingId.get()?.id;
    const oldestReadingOrdinal = oldest === undefined ? ordinal : Math.floor(oldest / SEQ_SPAN);
    const oldestOrdinal = Math.min(oldestReadingOrdinal, stmt.oldestEventBoot.get()?.ordinal ?? ordinal);
    stmt.pruneBoots.run(ordinal - 1, oldestOrdinal);
    return {
      boot: { ordinal, bootId, bootedAtMs },
      previous: last
        ? {
            ordinal: last.ordinal,
            bootId: last.boot_id,
            bootedAtMs: last.booted_at_ms,
            state: last.state === null ? undefined : (JSON.parse(last.state) as unknown),
          }
        : null,
    };
  });
}
