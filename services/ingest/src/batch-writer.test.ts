import type { BootId } from '@qt-led/contract';
import { createLogger } from '@qt-led/runtime';
import { type StoredReading, StoreUnavailableError } from '@qt-led/store';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type BatchWriterOptions, createBatchWriter, GROWN_BATCH_FACTOR } from './batch-writer.js';
import { createIngestMetrics } from './metrics.js';
import { openSpool, type Spool, type WriteBatch } from './spool.js';
import { toStoredReading } from './stored-records.js';
import { batch, fleet, metricValue, T0 } from './testing/builders.js';

const BOOT = 'c0ffee0001' as BootId;
const [{ vesselId, gatewayId }] = fleet as [(typeof fleet)[number]];
const logger = createLogger({ name: 'batch-writer-test', level: 'silent' });

/** The items one message of `count` readings from `fromSeq` gives the writer. */
function items(fromSeq: number, count: number): WriteBatch {
  const sent = batch(vesselId, gatewayId, BOOT, fromSeq, count, T0);
  return {
    readings: sent.readings.map((r) => toStoredReading(sent, r, T0, 0)),
    deadLetters: [],
    deviceMessages: [],
    acks: { [vesselId]: { [BOOT]: sent.readings.map((r) => r.seq) } },
  };
}

/** A store that records what it was given; it can be made to fail, or to hold writes until released. */
function fakeStore() {
  const state = {
    writes: [] as number[][],
    failing: false,
    active: 0,
    gate: undefined as Promise<void> | undefined,
  };
  let release = (): void => undefined;
  return {
    state,
    hold: () => {
      state.gate = new Promise<void>((resolve) => {
        release = resolve;
      });
    },
    release: () => {
      state.gate = undefined;
      release();
    },
    store: {
      async writeReadings(readings: readonly StoredReading[]) {
        state.active++;
        try {
          await state.gate;
          if (state.failing) throw new StoreUnavailableError('the store is away');
          state.writes.push(readings.map((r) => r.seq));
        } finally {
          state.active--;
        }
      },
      addDeadLetters: () => Promise.resolve(),
      writeDeviceMessages: () => Promise.resolve(),
    },
  };
}

function setup(options: Partial<BatchWriterOptions> = {}, spool: Spool = openSpool(':memory:')) {
  const fake = fakeStore();
  const metrics = createIngestMetrics();
  const written: WriteBatch[] = [];
  const onWritten = vi.fn((b: WriteBatch) => {
    written.push(b);
  });
  const writer = createBatchWriter({
    store: fake.store,
    spool,
    clock: { now: () => Date.now() },
    logger,
    metrics,
    options: {
      batchMaxReadings: 100,
      batchMaxAgeMs: 50,
      maxWritesInFlight: 2,
      retryBaseMs: 10,
      retryMaxMs: 40,
      ...options,
    },
    onWritten,
  });
  return { ...fake, metrics, spool, writer, written, onWritten };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('batch writer', () => {
  it('cuts a batch once it is full, acknowledging what it holds after the write', async () => {
    const { writer, state, written } = setup({ batchMaxReadings: 4 });
    writer.write(items(0, 3));
    expect(state.writes).toEqual([]);
    writer.write(items(3, 3));
    await writer.flush();
    expect(state.writes).toEqual([[0, 1, 2, 3, 4, 5]]);
    expect(written.map((b) => b.acks)).toEqual([{ [vesselId]: { [BOOT]: [0, 1, 2, 3, 4, 5] } }]);
    await writer.close();
  });

  it('writes a batch once its first item is as old as the age bound, not before', async () => {
    vi.useFakeTimers();
    const { writer, state, onWritten } = setup({ batchMaxAgeMs: 200 });
    writer.write(items(0, 2));
    await vi.advanceTimersByTimeAsync(150);
    writer.write(items(2, 1));
    expect(state.writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(50);
    expect(state.writes).toEqual([[0, 1, 2]]);
    expect(onWritten).toHaveBeenCalledTimes(1);
    await writer.close();
  });

  it('keeps a batch the store refused on disk, and everything after it, then drains it in order', async () => {
    const { writer, state, spool, metrics, written } = setup();
    state.failing = true;
    writer.write(items(0, 2));
    await writer.flush();
    expect(spool.depth()).toEqual({ batches: 1, readings: 2 });
    expect(writer.storeDown()).toBe(true);
    expect(written).toEqual([]);
    writer.write(items(2, 2));
    await writer.flush();
    expect(spool.depth()).toEqual({ batches: 2, readings: 4 });
    expect(await metricValue(metrics, 'qtled_ingest_backlog_readings')).toBe(4);

    state.failing = false;
    await writer.idle();
    expect(state.writes).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(written.map((b) => b.readings.map((r) => r.seq))).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(spool.depth()).toEqual({ batches: 0, readings: 0 });
    expect(writer.storeDown()).toBe(false);
    expect(await metricValue(metrics, 'qtled_ingest_write_failures_total')).toBeGreaterThanOrEqual(2);
    expect(await metricValue(metrics, 'qtled_ingest_backlog_readings')).toBe(0);
    expect(await metricValue(metrics, 'qtled_ingest_readings_total', { outcome: 'stored' })).toBe(4);
    await writer.close();
  });

  it('grows the batch while every write slot is busy, and cuts it when a slot frees', async () => {
    const { writer, hold, release, spool, state, written } = setup({
      batchMaxReadings: 2,
      maxWritesInFlight: 1,
    });
    hold();
    writer.write(items(0, 2)); // full: written at once
    for (let seq = 2; seq < 7; seq++) writer.write(items(seq, 1)); // the slot is busy: one batch grows
    expect(state.active).toBe(1);
    expect(spool.depth().batches).toBe(0);
    release();
    await writer.idle();
    expect(state.writes).toEqual([
      [0, 1],
      [2, 3, 4, 5, 6],
    ]);
    expect(written.map((b) => b.acks)).toEqual([
      { [vesselId]: { [BOOT]: [0, 1] } },
      { [vesselId]: { [BOOT]: [2, 3, 4, 5, 6] } },
    ]);
    await writer.close();
  });

  it('an old batch also waits for a busy slot by growing, not in memory queues', async () => {
    vi.useFakeTimers();
    const { writer, hold, release, state } = setup({ batchMaxAgeMs: 20, maxWritesInFlight: 1 });
    hold();
    writer.write(items(0, 1));
    await vi.advanceTimersByTimeAsync(30); // cut by age: being written
    writer.write(items(1, 1));
    await vi.advanceTimersByTimeAsync(30); // old too, but the slot is busy
    writer.write(items(2, 1));
    await vi.advanceTimersByTimeAsync(30);
    expect(state.active).toBe(1);
    release();
    await vi.advanceTimersByTimeAsync(0);
    await writer.flush();
    expect(state.writes).toEqual([[0], [1, 2]]);
    await writer.close();
  });

  it(`stops growing at ${GROWN_BATCH_FACTOR} × batchMaxReadings: then at most \`maxWritesInFlight\` batches wait in memory, the rest on disk`, async () => {
    const { writer, hold, release, spool, written } = setup({ batchMaxReadings: 1, maxWritesInFlight: 2 });
    hold();
    // Two being written; then batches of GROWN_BATCH_FACTOR readings: two waiting for a slot, one on disk.
    const total = 2 + 3 * GROWN_BATCH_FACTOR;
    for (let seq = 0; seq < total; seq++) writer.write(items(seq, 1));
    expect(spool.depth()).toEqual({ batches: 1, readings: GROWN_BATCH_FACTOR });
    release();
    await writer.idle();
    expect(written.flatMap((b) => b.readings.map((r) => r.seq)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: total }, (_, i) => i),
    );
    expect(spool.depth().batches).toBe(0);
    await writer.close();
  });

  it('flush resolves only when the batches waiting for a write slot are durable too', async () => {
    const { writer, hold, release, state } = setup({ batchMaxReadings: 1, maxWritesInFlight: 1 });
    hold();
    writer.write(items(0, 1));
    writer.write(items(1, 1));
    let flushed = false;
    const flushing = writer.flush().then(() => {
      flushed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(flushed).toBe(false);
    release();
    await flushing;
    expect(state.writes).toEqual([[0], [1]]);
  });

  it('close writes what is buffered and refuses later writes', async () => {
    const { writer, state, onWritten } = setup({ batchMaxAgeMs: 60_000 });
    writer.write(items(0, 3));
    await writer.close();
    expect(state.writes).toEqual([[0, 1, 2]]);
    expect(onWritten).toHaveBeenCalledTimes(1);
    expect(() => {
      writer.write(items(3, 1));
    }).toThrow(/closed/);
  });

  it('close does not wait out the backoff of a store that is away: the backlog stays on disk', async () => {
    const { writer, state, spool } = setup({ retryBaseMs: 60_000, retryMaxMs: 60_000 });
    state.failing = true;
    writer.write(items(0, 2));
    await writer.flush();
    await new Promise((resolve) => setTimeout(resolve, 20)); // the drainer's first retry fails too
    const startedMs = performance.now();
    await writer.close();
    expect(performance.now() - startedMs).toBeLessThan(1_000);
    expect(spool.depth()).toEqual({ batches: 1, readings: 2 });
  });

  it('writes back a backlog an earlier run left on disk', async () => {
    const spool = openSpool(':memory:');
    spool.push(items(0, 4));
    const { writer, state, written, metrics } = setup({}, spool);
    expect(state.writes).toEqual([]);
    writer.resumeBacklog();
    await writer.idle();
    expect(state.writes).toEqual([[0, 1, 2, 3]]);
    expect(written).toHaveLength(1);
    expect(spool.depth().batches).toBe(0);
    expect(await metricValue(metrics, 'qtled_ingest_backlog_batches')).toBe(0);
    await writer.close();
  });

  it('a failing after-write hook does not send a stored batch to the backlog', async () => {
    const { writer, state, spool, onWritten } = setup();
    onWritten.mockImplementation(() => {
      throw new Error('listener broke');
    });
    writer.write(items(0, 2));
    await writer.flush();
    expect(state.writes).toEqual([[0, 1]]);
    expect(spool.depth().batches).toBe(0);
    expect(writer.storeDown()).toBe(false);
    // Nor keeps one written from the backlog there, to be written again and again.
    state.failing = true;
    writer.write(items(2, 2));
    await writer.flush();
    state.failing = false;
    await writer.idle();
    expect(state.writes).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(spool.depth().batches).toBe(0);
    await writer.close();
  });
});
