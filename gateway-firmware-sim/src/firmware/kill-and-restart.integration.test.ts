// kill -9 in the middle of a flush, then a restart on the same queue: nothing lost, each reading stored
// once, resends byte-for-byte the originals. The gateway runs in a child process (test/gateway-child.ts)
// so that the kill is a real SIGKILL. Platform side: the stand-in acknowledger (test/test-acknowledger.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createIsolation, waitFor } from '@qt-led/test-harness';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ChildScenario } from '../../test/gateway-child.js';
import { type TestAcknowledger, startTestAcknowledger } from '../../test/test-acknowledger.js';

const CHILD = fileURLToPath(new URL('../../test/gateway-child.ts', import.meta.url));
const HOUR = 3_600_000;
const VESSEL = 'QT-93754-TS';
const START = Date.UTC(2024, 2, 5, 5, 0);
const OFFLINE_UNTIL = START + 48 * HOUR;

const isolation = createIsolation('gwkill');
let dataDir: string;
let acknowledger: TestAcknowledger;
const children: ChildProcess[] = [];

function startChild(scenario: ChildScenario): {
  child: ChildProcess;
  exited: Promise<number | null>;
  lines: string[];
} {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', CHILD, JSON.stringify(scenario)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  const lines: string[] = [];
  let stderr = '';
  child.stdout
    .setEncoding('utf8')
    .on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`gateway child failed:\n${stderr}\n`);
      resolve(code);
    });
  });
  return { child, exited, lines };
}

async function queueRows(): Promise<number> {
  const dir = path.join(dataDir, VESSEL);
  const [file] = (await readdir(dir)).filter((f) => f.endsWith('.sqlite'));
  if (!file) throw new Error('no queue file');
  const db = new Database(path.join(dir, file), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'qtled-gw-kill-'));
  // A slow "database": each telemetry message is stored and acknowledged 150 ms after it arrives, so the
  // flush of the two-day backlog takes long enough to be interrupted.
  acknowledger = await startTestAcknowledger({
    server: inject('mqtt'),
    topicRoot: isolation.topicRoot,
    ackDelayMs: 150,
  });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await acknowledger.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('kill -9 mid-flush', () => {
  it('loses nothing and stores each reading once after a restart on the same queue', async () => {
    const base = {
      url: inject('mqtt').url,
      topicRoot: isolation.topicRoot,
      dataDir,
      vesselId: VESSEL,
      seed: 9,
      worldStartMs: START - 10 * 24 * HOUR,
      clientIdPrefix: `${isolation.id}-`,
    };
    // First life: two days out of coverage, then back in coverage and flushing — killed mid-flush.
    const first = startChild({
      ...base,
      startMs: START,
      endMs: OFFLINE_UNTIL + 6 * HOUR,
      offlineUntilMs: OFFLINE_UNTIL,
      drain: false,
    });
    await waitFor(() => acknowledger.stats.telemetryMessages >= 2, {
      timeoutMs: 30_000,
      description: () => `the first backlog batches (child said: ${first.lines.slice(-3).join(' | ')})`,
    });
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    // Let the acks of what was stored before the kill land (retained), like a platform that kept working.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const storedBeforeRestart = acknowledger.storedCount(VESSEL);
    const onDisk = await queueRows();
    expect(onDisk).toBeGreaterThan(0);
    // Mid-flush: part of the backlog stored, part still on disk.
    expect(storedBeforeRestart).toBeGreaterThan(0);
    expect(storedBeforeRestart).toBeLessThan(48 * 60);

    // Second life on the same queue: a new boot; in coverage; drains and shuts down.
    const secondStart = OFFLINE_UNTIL + 7 * HOUR;
    const second = startChild({
      ...base,
      startMs: secondStart,
      endMs: secondStart + HOUR,
      offlineUntilMs: 0,
      drain: true,
    });
    expect(await second.exited).toBe(0);
    await waitFor(async () => (await queueRows()) === 0, { timeoutMs: 5_000, description: 'an empty queue' });

    const stored = acknowledger.storedOf(VESSEL);
    const boots = [...new Set(stored.map((s) => s.reading.bootId))];
    expect(boots).toHaveLength(2);
    for (const bootId of boots) {
      const seqs = stored
        .filter((s) => s.reading.bootId === bootId)
        .map((s) => s.reading.seq)
        .sort((a, b) => a - b);
      // No gap anywhere: every reading the first life persisted (all of them went to disk before any was
      // sent) reached the platform, though the process died with many of them unacknowledged.
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
    }
    const firstBoot = stored[0]?.reading.bootId;
    expect(stored.filter((s) => s.reading.bootId === firstBoot).length).toBeGreaterThanOrEqual(48 * 60);
    // Stored once: the acknowledger keeps one copy per identity; resends were identical to the originals.
    expect(acknowledger.stats.conflicts).toBe(0);
    expect(acknowledger.storedCount(VESSEL)).toBe(stored.length);
    const identities = new Set(stored.map((s) => `${s.reading.bootId}/${s.reading.seq}`));
    expect(identities.size).toBe(stored.length);
  }, 90_000);
});
