import type { Logger } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import type { Clock } from './clock.js';
import type { IngestMetrics } from './metrics.js';
import { createBacklog } from './backlog.js';
import type { AckSeqs, Spool, WriteBatch } from './spool.js';

/**
 * While every write slot is busy, the current batch keeps growing up to this many times
 * `batchMaxReadings` instead of being cut: one bigger write when a slot frees costs the store and the
 * ack bookkeeping less than many small ones, and keeps an overload off the disk backlog.
 */
export const GROWN_BATCH_FACTOR = 4;
/** ... and never beyond this many items (the largest `INGEST_BATCH_MAX_READINGS` allowed). */
export const GROWN_BATCH_MAX = 50_000;

export interface BatchWriterOptions {
  /**
   * A batch is cut once it holds this many items (readings, dead letters and device messages), or, while
   * every write slot is busy, once it holds `GROWN_BATCH_FACTOR` times as many or a slot frees.
   */
  batchMaxReadings: number;
  /**
   * ... or once its first item is this old, in real time (a latency, whatever the platform clock says; the
   * embedded default's world clock stands still while the boats wait for their acks). 0: at the end of
   * the event-loop turn, i.e. what arrived in one read of the sockets is one batch.
   */
  batchMaxAgeMs: number;
  maxWritesInFlight: number;
  /** First wait before the backlog drainer retries a failed write; doubled on each failure up to the max. */
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface BatchWriterDeps {
  store: Pick<TelemetryStore, 'writeReadings' | 'addDeadLetters' | 'writeDeviceMessages'>;
  spool: Spool;
  /** Real time for the batch age; default `performance.now`. */
  clock?: Clock;
  logger: Logger;
  metrics: Pick<
    IngestMetrics,
    | 'writeSeconds'
    | 'pointsWritten'
    | 'readings'
    | 'batchSize'
    | 'writeFailures'
    | 'backlogBatches'
    | 'backlogReadings'
  >;
  options: BatchWriterOptions;
  /**
   * Called once per batch after it is durable, live or from the backlog, before the backlog forgets it (a
   * crash in between writes it again, harmlessly: writes are idempotent). An error it throws is logged.
   */
  onWritten: (batch: WriteBatch) => void;
}

/** The lifecycle of influxdb-client-js's WriteApi, over ingest's store and disk backlog. */
export interface BatchWriter {
  /** Adds items (and the seqs they acknowledge) to the current batch; cuts it when full. */
  write(items: WriteBatch): void;
  /** Cuts the current batch; resolves when it and every batch before it is stored or kept on disk. */
  flush(): Promise<void>;
  /** Flushes and stops: the backlog drainer ends its current attempt, what is left stays on disk. */
  close(): Promise<void>;
  /** Starts writing back a backlog left on disk by an earlier run. */
  resumeBacklog(): void;
  /** Resolves when nothing is buffered, being written or waiting on disk. */
  idle(): Promise<void>;
  /** True from a failed write until the backlog is drained. */
  storeDown(): boolean;
}

interface Queued {
  batch: WriteBatch;
  /** Resolves the batch's entry in `pending`: it is stored, or on disk. */
  settle: () => void;
}

/**
 * Batches bounded by size and age, a few writes in flight. While every slot is busy a full or old batch is
 * not cut but keeps growing (up to `GROWN_BATCH_FACTOR` × `batchMaxReadings`), and is cut as soon as a
 * slot frees; only a batch grown to that bound waits for a slot, and beyond `maxWritesInFlight` waiting
 * ones it goes to disk. A batch that cannot be written goes to the disk backlog, and so does every batch
 * after it while the backlog is not empty, so that memory stays flat however long the store is away; the
 * backlog's single drainer writes them back in order with backoff.
 */
export function createBatchWriter(deps: BatchWriterDeps): BatchWriter {
  const { metrics, options } = deps;
  const clock: Clock = deps.clock ?? { now: () => performance.now() };
  const logger = deps.logger.child({ component: 'batch-writer' });
  let current = emptyBatch();
  let currentSize = 0;
  let currentSinceMs = 0;
  /** The current batch is due (full or old) but held back because every write slot is busy. */
  let due = false;
  const grownMax = Math.max(
    options.batchMaxReadings,
    Math.min(options.batchMaxReadings * GROWN_BATCH_FACTOR, GROWN_BATCH_MAX),
  );
  let inFlight = 0;
  /** Batches waiting for a write slot: at most `maxWritesInFlight`; beyond that they go to disk. */
  const waiting: Queued[] = [];
  /** One promise per batch waiting or being written. */
  const pending = new Set<Promise<void>>();
  let storeDown = false;
  let closed = false;
  let ageTimer: NodeJS.Timeout | undefined;
  const backlog = createBacklog({
    spool: deps.spool,
    logger: deps.logger,
    metrics,
    options,
    write: (batch) => writeToStore(deps, batch),
    onWritten: afterWrite,
    onDrained: () => {
      storeDown = false;
    },
  });

  /** Whether a due batch waits for a slot by growing, rather than being cut into `waiting` or to disk. */
  function holdBack(): boolean {
    return (
      inFlight >= options.maxWritesInFlight &&
      currentSize < grownMax &&
      !storeDown &&
      backlog.depth().batches === 0
    );
  }

  /** A batch is due: cut it, or let it grow while every slot is busy (a freed slot cuts it). */
  function batchDue(): void {
    if (holdBack()) due = true;
    else cut();
  }

  function cut(): void {
    if (currentSize === 0 && isEmpty(current.acks) && isEmpty(current.eventAcks)) return;
    const batch = current;
    current = emptyBatch();
    currentSize = 0;
    due = false;
    if (storeDown || backlog.depth().batches > 0 || waiting.length >= options.maxWritesInFlight) {
      // Behind a backlog a batch waits its turn on disk, not on the heap: the drainer keeps the order.
      backlog.push([batch]);
      return;
    }
    waiting.push(queue(batch, pending));
    pump();
  }

  /** Starts waiting batches while fewer than `maxWritesInFlight` writes run. */
  function pump(): void {
    while (inFlight < options.maxWritesInFlight && waiting.length > 0) {
      const queued = waiting.shift() as Queued;
      inFlight++;
      void writeToStore(deps, queued.batch)
        .then(
          () => {
            afterWrite(queued.batch);
          },
          (error: unknown) => {
            spill(queued.batch, error);
          },
        )
        .finally(() => {
          inFlight--;
          queued.settle();
          // The batch that grew while every slot was busy takes the one just freed.
          if (due && waiting.length === 0) cut();
          pump();
        });
    }
  }

  /** A failed live write: the batch and those waiting behind it go to disk, the drainer takes over. */
  function spill(batch: WriteBatch, error: unknown): void {
    metrics.writeFailures.inc();
    storeDown = true;
    logger.warn(
      { err: error, readings: batch.readings.length },
      'store write failed; batch kept on disk for retry',
    );
    const behind = waiting.splice(0);
    backlog.push([batch, ...behind.map((queued) => queued.batch)]);
    for (const queued of behind) queued.settle();
  }

  /** Outside the write's error handling: a failing hook must not send a stored batch to the backlog. */
  function afterWrite(batch: WriteBatch): void {
    try {
      deps.onWritten(batch);
    } catch (error) {
      logger.error({ err: error }, 'handling a written batch failed');
    }
  }

  function checkAge(): void {
    if (currentSize > 0 && !due && clock.now() - currentSinceMs >= options.batchMaxAgeMs) batchDue();
  }

  async function flush(): Promise<void> {
    cut();
    await Promise.all([...pending]);
  }

  return {
    write(items) {
      if (closed) throw new Error('the batch writer is closed');
      if (currentSize === 0) {
        currentSinceMs = clock.now();
        if (options.batchMaxAgeMs === 0) setImmediate(checkAge);
      }
      append(current, items);
      currentSize += sizeOf(items);
      if (options.batchMaxAgeMs > 0)
        ageTimer ??= setInterval(checkAge, Math.max(5, Math.floor(options.batchMaxAgeMs / 2)));
      if (currentSize >= grownMax || (!due && currentSize >= options.batchMaxReadings)) batchDue();
    },
    flush,
    async close() {
      closed = true;
      clearInterval(ageTimer);
      // Stopped first, so that what the flush sends to disk waits there for the next run.
      const drainerStopped = backlog.stop();
      await flush();
      await drainerStopped;
    },
    resumeBacklog: () => {
      backlog.resume();
    },
    async idle() {
      for (;;) {
        await flush();
        await backlog.drained();
        if (pending.size === 0 && !backlog.draining() && backlog.depth().batches === 0 && currentSize === 0)
          return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    storeDown: () => storeDown,
  };
}

/** A batch waiting for a write slot, with its entry in `pending` until it is stored or on disk. */
function queue(batch: WriteBatch, pending: Set<Promise<void>>): Queued {
  let resolve = (): void => undefined;
  const settled = new Promise<void>((r) => {
    resolve = r;
  });
  pending.add(settled);
  return {
    batch,
    settle: () => {
      pending.delete(settled);
      resolve();
    },
  };
}

async function writeToStore(
  { store, metrics }: Pick<BatchWriterDeps, 'store' | 'metrics'>,
  batch: WriteBatch,
): Promise<void> {
  const end = metrics.writeSeconds.startTimer();
  if (batch.readings.length > 0) await store.writeReadings(batch.readings);
  if (batch.deadLetters.length > 0) await store.addDeadLetters(batch.deadLetters);
  if (batch.deviceMessages !== undefined && batch.deviceMessages.length > 0)
    await store.writeDeviceMessages(batch.deviceMessages);
  end();
  metrics.pointsWritten.inc(batch.readings.length);
  metrics.readings.inc({ outcome: 'stored' }, batch.readings.length);
  metrics.batchSize.observe(batch.readings.length);
}

function emptyBatch(): WriteBatch {
  return { readings: [], deadLetters: [], deviceMessages: [], acks: {}, eventAcks: {} };
}

function isEmpty(acks: AckSeqs | undefined): boolean {
  for (const _ in acks) return false;
  return true;
}

/** What a batch holds to write: readings, dead letters and device messages. */
function sizeOf(batch: WriteBatch): number {
  return batch.readings.length + batch.deadLetters.length + (batch.deviceMessages?.length ?? 0);
}

function append(into: WriteBatch, items: WriteBatch): void {
  into.readings.push(...items.readings);
  into.deadLetters.push(...items.deadLetters);
  if (items.deviceMessages !== undefined) (into.deviceMessages ??= []).push(...items.deviceMessages);
  mergeAcks(into.acks, items.acks);
  if (items.eventAcks !== undefined) mergeAcks((into.eventAcks ??= {}), items.eventAcks);
}

function mergeAcks(into: AckSeqs, items: AckSeqs): void {
  for (const vesselId in items) {
    const boots = items[vesselId] as Record<string, number[]>;
    const intoBoots = (into[vesselId] ??= {});
    for (const bootId in boots) {
      const seqs = boots[bootId] as number[];
      const intoSeqs = intoBoots[bootId];
      if (intoSeqs === undefined) intoBoots[bootId] = seqs.slice();
      else for (const seq of seqs) intoSeqs.push(seq);
    }
  }
}
