import type { DiskQueue, QueuedReading } from './disk-queue.js';
import { createTokenBucket } from './token-bucket.js';

/** A telemetry batch published and not yet fully acknowledged: a contiguous range of queue row ids. */
export interface InFlightBatch {
  readonly fromId: number;
  readonly toId: number;
  /** Readings of the range still on disk (not yet acknowledged). */
  count: number;
  readonly sentMono: number;
}

/** A batch whose ack timed out, with what of it is still on disk. */
export interface ExpiredBatch {
  readonly fromId: number;
  readonly toId: number;
  readonly remaining: number;
}

/**
 * What the uploader has in flight and what it may send next (memory only: after a restart or a lost
 * connection everything unacknowledged is simply sent again). Readings taken since the connection came
 * up are live; the rest is backlog. Batches are kept sorted by `fromId`, so the unsent runs between them
 * are found in order.
 */
export interface UploadWindow {
  /** Readings in flight. */
  inFlight(): number;
  /** A new connection: nothing in flight, live from `nextReadingId` on, `tokens` of backfill budget. */
  restart(nextReadingId: number, tokens: number, nowMono: number): void;
  /** The connection is gone: nothing in flight. */
  clear(): void;
  /**
   * The next live batch, if due: full, filling the window, or its oldest reading `batchMaxAgeS` old.
   * Otherwise asks to be woken when it will be due.
   */
  nextLive(nowMono: number, batchMax: number, batchMaxAgeS: number): QueuedReading[] | undefined;
  /** The next backlog batch, oldest first, if the backfill rate allows it; otherwise asks to be woken. */
  nextBacklog(nowMono: number, batchMax: number, ratePerS: number): QueuedReading[] | undefined;
  /** Records a batch being published now. */
  add(fromId: number, toId: number, count: number, sentMono: number): InFlightBatch;
  remove(batch: InFlightBatch): void;
  /**
   * Forgets the batches sent `timeoutMs` or longer ago and returns those with readings still on disk:
   * they become backlog, resent oldest first and rate-limited, behind live readings.
   */
  expire(nowMono: number, timeoutMs: number): ExpiredBatch[];
  /** Recounts every batch after an ack, forgetting those fully acknowledged. */
  recount(): void;
  /** When each batch was sent, in the window's order. */
  sentTimesMono(): number[];
}

export interface UploadWindowDeps {
  queue: DiskQueue;
  maxInFlightReadings: number;
  /** Called with the monotonic instant at which a batch held back now may go. */
  wakeAt: (atMono: number) => void;
}

export function createUploadWindow(deps: UploadWindowDeps): UploadWindow {
  const { queue } = deps;
  const bucket = createTokenBucket();
  let batches: InFlightBatch[] = [];
  /** Row id of the first reading taken since the connection came up: below it is backlog. */
  let liveFromId = 1;
  const inFlight = (): number => batches.reduce((n, b) => n + b.count, 0);

  /** Unsent readings in [fromId, toId]: the first contiguous run outside the batches in flight. */
  const nextRunOf =
    <T>(read: (fromId: number, toId: number, limit: number) => T[]) =>
    (fromId: number, toId: number, limit: number): T[] => {
      let cursor = fromId;
      for (const batch of batches) {
        if (batch.toId < cursor) continue;
        if (batch.fromId > toId) break;
        if (batch.fromId > cursor) {
          const rows = read(cursor, Math.min(batch.fromId - 1, toId), limit);
          if (rows.length > 0) return rows;
        }
        cursor = Math.max(cursor, batch.toId + 1);
      }
      return cursor <= toId ? read(cursor, toId, limit) : [];
    };
  const nextRun = nextRunOf((from, to, limit) => queue.readingsBetween(from, to, limit));
  // Whether a live batch is due is asked after every sample: ids and sampling times only, no bodies.
  const nextRunStamps = nextRunOf((from, to, limit) => queue.stampsBetween(from, to, limit));

  return {
    inFlight,
    restart(nextReadingId, tokens, nowMono) {
      batches = [];
      liveFromId = nextReadingId;
      bucket.reset(tokens, nowMono);
    },
    clear() {
      batches = [];
    },
    nextLive(nowMono, batchMax, batchMaxAgeS) {
      const room = deps.maxInFlightReadings - inFlight();
      if (room <= 0) return undefined;
      const limit = Math.min(batchMax, room);
      const stamps = nextRunStamps(liveFromId, Number.MAX_SAFE_INTEGER, limit);
      const oldest = stamps[0];
      if (!oldest) return undefined;
      const ageMs = batchMaxAgeS * 1000;
      if (stamps.length >= batchMax || stamps.length >= room || nowMono - oldest.monoMs >= ageMs)
        return nextRun(liveFromId, Number.MAX_SAFE_INTEGER, limit);
      deps.wakeAt(oldest.monoMs + ageMs);
      return undefined;
    },
    nextBacklog(nowMono, batchMax, ratePerS) {
      const room = deps.maxInFlightReadings - inFlight();
      if (room <= 0) return undefined;
      const rows = nextRun(1, liveFromId - 1, Math.min(batchMax, room));
      if (rows.length === 0) return undefined;
      const waitMs = bucket.tryTake(rows.length, nowMono, batchMax, ratePerS);
      if (waitMs === 0) return rows;
      deps.wakeAt(nowMono + waitMs);
      return undefined;
    },
    add(fromId, toId, count, sentMono) {
      const batch: InFlightBatch = { fromId, toId, count, sentMono };
      batches.push(batch);
      batches.sort((a, b) => a.fromId - b.fromId);
      return batch;
    },
    remove(batch) {
      batches = batches.filter((b) => b !== batch);
    },
    expire(nowMono, timeoutMs) {
      const expired: ExpiredBatch[] = [];
      batches = batches.filter((batch) => {
        if (nowMono - batch.sentMono < timeoutMs) return true;
        const remaining = queue.countBetween(batch.fromId, batch.toId);
        if (remaining > 0) {
          expired.push({ fromId: batch.fromId, toId: batch.toId, remaining });
          liveFromId = Math.max(liveFromId, batch.toId + 1);
        }
        return false;
      });
      return expired;
    },
    recount() {
      batches = batches.filter((batch) => {
        batch.count = queue.countBetween(batch.fromId, batch.toId);
        return batch.count > 0;
      });
    },
    sentTimesMono: () => batches.map((b) => b.sentMono),
  };
}
