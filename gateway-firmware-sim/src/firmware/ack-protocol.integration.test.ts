// The application-level ack (docs/architecture.md §1): readings the platform has not confirmed are sent again after
// the ack timeout; confirmed ones, and only those, are deleted from disk. Device events alike. Platform side: the stand-in
// acknowledger (test/test-acknowledger.ts), which can play an ingest that is down.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createIsolation, waitFor } from '@qt-led/test-harness';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type TestAcknowledger, startTestAcknowledger } from '../../test/test-acknowledger.js';
import { createFleetSimulation } from '../sim/fleet-simulation.js';

const VESSEL = 'QT-90145-TS';
const START = Date.UTC(2024, 2, 6, 3, 0); // 10:00 local, in port
const MINUTE = 60_000;

const isolation = createIsolation('gwack');
let dataDir: string;
let acknowledger: TestAcknowledger;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'qtled-gw-ack-'));
  acknowledger = await startTestAcknowledger({ server: inject('mqtt'), topicRoot: isolation.topicRoot });
});

afterAll(async () => {
  await acknowledger.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Readings (and device events) in the vessel's queue files, read straight from SQLite. */
async function rowsOnDisk(
  table: 'readings' | 'events' = 'readings',
): Promise<{ files: number; rows: number }> {
  const dir = path.join(dataDir, VESSEL);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sqlite'));
  let rows = 0;
  for (const file of files) {
    const db = new Database(path.join(dir, file), { readonly: true });
    try {
      rows += (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  }
  return { files: files.length, rows };
}

describe('application-level ack', () => {
  it('resends what was not acknowledged and deletes from disk only what was', async () => {
    acknowledger.pause();
    const simulation = createFleetSimulation({
      seed: 5,
      startMs: START,
      endMs: START + 40 * MINUTE,
      vessels: [VESSEL],
      broker: { url: inject('mqtt').url },
      topicRoot: isolation.topicRoot,
      dataDir,
      clientIdPrefix: `${isolation.id}-`,
      coverage: () => true,
      drain: true,
      // While the platform is down nothing settles; move on after 100 ms of real time per step.
      settleTimeoutMs: 100,
    });
    await simulation.start();
    const vessel = simulation.vessels[0];
    if (!vessel) throw new Error('no vessel');
    // Ingest "down" for the first 15 simulated minutes: live batches leave every 5 min, acks time out
    // after 2 min, and the same readings are sent again.
    await waitFor(() => vessel.nowMs >= START + 15 * MINUTE, {
      timeoutMs: 40_000,
      description: 'simulated minute 15',
    });
    const status = vessel.gateway?.status();
    expect(status?.ackTimeouts ?? 0).toBeGreaterThan(0);
    expect(status?.acked).toBe(0);
    // Nothing acknowledged, so nothing deleted: every reading taken is still on disk.
    expect(status?.queueDepth).toBe(status?.sampled);
    const arrivals = acknowledger.arrivalsOf(VESSEL);
    const firstSeqCopies = arrivals.filter((a) => a.seq === 0).length;
    expect(firstSeqCopies).toBeGreaterThanOrEqual(2);
    expect(acknowledger.storedCount(VESSEL)).toBe(0);
    // The boot event reached the broker (PUBACK) and was lost on the platform side: still on disk, sent again.
    expect(status?.eventsPending).toBeGreaterThan(0);
    expect(acknowledger.stats.eventsStored).toBe(0);

    acknowledger.resume();
    const summary = await simulation.finished;
    expect(summary.totals.acked).toBe(summary.totals.sampled);
    expect(summary.totals.pending).toBe(0);
    expect(acknowledger.storedCount(VESSEL)).toBe(summary.totals.sampled);
    expect(acknowledger.stats.conflicts).toBe(0);
    // Deleted from disk: the queue file holds no reading any more.
    expect(await rowsOnDisk()).toEqual({ files: 1, rows: 0 });
    // The events too, once the platform confirmed them.
    expect(acknowledger.stats.eventsStored).toBeGreaterThan(0);
    expect(await rowsOnDisk('events')).toEqual({ files: 1, rows: 0 });
  }, 60_000);
});
