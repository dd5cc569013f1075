import type { Logger } from '@qt-led/runtime';
import type { IngestMetrics } from './metrics.js';
import type { Spool, WriteBatch } from './spool.js';

export interface BacklogDeps {
  spool: Spool;
  logger: Logger;
  metrics: Pick<IngestMetrics, 'writeFailures' | 'backlogBatches' | 'backlogReadings'>;
  /** First wait before a failed write is retried; doubled on each failure up to the max. */
  options: { retryBaseMs: number; retryMaxMs: number };
  /** Writes one batch to the store; rejects while the store is away. */
  write: (batch: WriteBatch) => Promise<void>;
  /** After a batch is written back, before it leaves the disk; must not throw. */
  onWritten: (batch: WriteBatch) => void;
  /** The disk is empty again: the store took everything. */
  onDrained: () => void;
}

export interface Backlog {
  /** Keeps batches on disk, in this order after those already there, and makes sure the drainer runs. */
  push(batches: readonly WriteBatch[]): void;
  depth(): { batches: number; readings: number };
  /** Starts the drainer when the disk holds batches an earlier run left. */
  resume(): void;
  /** Resolves when the drainer is not running (nothing on disk, or stopped). */
  drained(): Promise<void>;
  draining(): boolean;
  /** The drainer ends after its current attempt, without waiting out a backoff; what is left stays on disk. */
  stop(): Promise<void>;
}

/**
 * The disk backlog and its single drainer, which writes the batches back oldest first and backs off
 * exponentially while the store is away. Single, so that the backlog drains in order and a recovering
 * store is not hit by every batch at once.
 */
export function createBacklog(deps: BacklogDeps): Backlog {
  const { spool, metrics, options } = deps;
  const logger = deps.logger.child({ component: 'backlog' });
  let draining: Promise<void> | undefined;
  let stopped = false;
  const backoff = wakeableSleep();

  function updateGauges(): void {
    const depth = spool.depth();
    metrics.backlogBatches.set(depth.batches);
    metrics.backlogReadings.set(depth.readings);
  }

  function startDrainer(): void {
    if (draining !== undefined || stopped) return;
    draining = drain().finally(() => {
      draining = undefined;
    });
  }

  async function drain(): Promise<void> {
    let delayMs = 0;
    for (;;) {
      if (delayMs > 0 && !stopped) await backoff.sleep(delayMs);
      if (stopped) return;
      const next = spool.peek();
      if (next === undefined) {
        logger.info('disk backlog drained');
        deps.onDrained();
        return;
      }
      try {
        await deps.write(next.batch);
      } catch (error) {
        metrics.writeFailures.inc();
        delayMs = Math.min(options.retryMaxMs, Math.max(options.retryBaseMs, delayMs * 2));
        logger.warn({ err: error, retryInMs: delayMs, backlog: spool.depth() }, 'store still unavailable');
        continue;
      }
      deps.onWritten(next.batch);
      spool.remove(next.id);
      updateGauges();
      delayMs = 0;
    }
  }

  return {
    push(batches) {
      for (const batch of batches) spool.push(batch);
      updateGauges();
      startDrainer();
    },
    depth: () => spool.depth(),
    resume() {
      updateGauges();
      if (spool.depth().batches === 0) return;
      logger.info({ backlog: spool.depth() }, 'resuming disk backlog from a previous run');
      startDrainer();
    },
    async drained() {
      await draining;
    },
    draining: () => draining !== undefined,
    async stop() {
      stopped = true;
      backoff.wake();
      await draining;
    },
  };
}

/** A sleep that `wake()` cuts short, so that stopping does not wait out a long backoff. */
function wakeableSleep(): { sleep(ms: number): Promise<void>; wake(): void } {
  let wakeUp: (() => void) | undefined;
  return {
    sleep(ms) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
    wake() {
      wakeUp?.();
      wakeUp = undefined;
    },
  };
}
