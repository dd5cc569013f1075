// A boat out of coverage for three simulated days delivers every reading, in order, once back.
// Platform side: the stand-in acknowledger (test/test-acknowledger.ts), until the real ingest lands.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createIsolation } from '@qt-led/test-harness';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type TestAcknowledger, startTestAcknowledger } from '../../test/test-acknowledger.js';
import { createFleetSimulation } from './fleet-simulation.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const VESSEL = 'QT-96759-TS';
const START = Date.UTC(2024, 2, 4, 5, 0); // 12:00 local
const OFFLINE_FROM = START + 2 * HOUR;
const OFFLINE_UNTIL = OFFLINE_FROM + 3 * DAY;
const END = OFFLINE_UNTIL + 2 * HOUR;

const isolation = createIsolation('gwcov');
let dataDir: string;
let acknowledger: TestAcknowledger;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'qtled-gw-coverage-'));
  acknowledger = await startTestAcknowledger({ server: inject('mqtt'), topicRoot: isolation.topicRoot });
});

afterAll(async () => {
  await acknowledger.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('three days out of coverage', () => {
  it('delivers every reading once back in coverage, the backlog oldest first', async () => {
    const simulation = createFleetSimulation({
      seed: 3,
      startMs: START,
      endMs: END,
      vessels: [VESSEL],
      broker: { url: inject('mqtt').url },
      topicRoot: isolation.topicRoot,
      dataDir,
      clientIdPrefix: `${isolation.id}-`,
      coverage: (_vessel, ms) => ms < OFFLINE_FROM || ms >= OFFLINE_UNTIL,
      drain: true,
    });
    let maxDepth = 0;
    await simulation.start();
    const probe = setInterval(() => {
      maxDepth = Math.max(maxDepth, simulation.vessels[0]?.gateway?.status().queueDepth ?? 0);
    }, 5);
    const summary = await simulation.finished;
    clearInterval(probe);

    const sampled = summary.totals.sampled;
    // One reading a minute over 3 days + 4 hours.
    expect(sampled).toBe((END - START) / 60_000);
    // The gateway held the whole offline stretch on disk.
    expect(maxDepth).toBeGreaterThanOrEqual(3 * 24 * 60);
    expect(summary.totals.publishedFromBacklog).toBeGreaterThanOrEqual(3 * 24 * 60);
    // Every reading stored, once, and nothing left on disk.
    expect(acknowledger.storedCount(VESSEL)).toBe(sampled);
    expect(summary.totals.pending).toBe(0);
    expect(acknowledger.stats.conflicts).toBe(0);
    const stored = acknowledger.storedOf(VESSEL);
    const bootIds = new Set(stored.map((s) => s.reading.bootId));
    expect(bootIds.size).toBe(1);
    const seqs = stored.map((s) => s.reading.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: sampled }, (_, i) => i));
    // In order: device times follow seq, and the readings taken offline arrived oldest first.
    const bySeq = [...stored].sort((a, b) => a.reading.seq - b.reading.seq);
    for (let i = 1; i < bySeq.length; i += 1) {
      expect((bySeq[i]?.reading.deviceTimeMs ?? 0) > (bySeq[i - 1]?.reading.deviceTimeMs ?? 0)).toBe(true);
    }
    const offlineSeqs = acknowledger
      .arrivalsOf(VESSEL)
      .map((a) => a.seq)
      .filter((seq) => {
        const t = bySeq[seq]?.reading.deviceTimeMs ?? 0;
        return t >= OFFLINE_FROM + 60_000 && t < OFFLINE_UNTIL - 60_000;
      });
    expect(offlineSeqs.length).toBeGreaterThanOrEqual(3 * 24 * 60 - 2);
    expect(offlineSeqs).toEqual([...offlineSeqs].sort((a, b) => a - b));
  }, 90_000);
});
