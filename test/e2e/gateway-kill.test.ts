// End to end, issue "Gateway firmware and fleet simulator": a gateway killed with SIGKILL in the middle of
// flushing a two-day backlog, restarted on the same disk queue, loses nothing — and the real ingest stores
// each reading once. The gateway runs in a child process (gateway-firmware-sim/test/gateway-child.ts) so
// that the kill is a real kill -9; the platform side is the ingest service in its own process.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VesselId } from '@qt-led/contract';
import { findGaps } from '@qt-led/store';
import { createSqliteStore } from '@qt-led/store-sqlite';
import { createIsolation, waitFor } from '@qt-led/test-harness';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startIngestProcess } from './support/ingest-process.js';

const CHILD = fileURLToPath(new URL('../../gateway-firmware-sim/test/gateway-child.ts', import.meta.url));
const HOUR = 3_600_000;
const VESSEL = 'QT-93754-TS' as VesselId;
const START = Date.UTC(2024, 2, 5, 5, 0);
const OFFLINE_UNTIL = START + 48 * HOUR;
const children: ChildProcess[] = [];
let dataDir = '';

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
});

function startGateway(scenario: Record<string, unknown>): {
  child: ChildProcess;
  exited: Promise<number | null>;
} {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', CHILD, JSON.stringify(scenario)],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  children.push(child);
  return { child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function queueRows(): Promise<number> {
  const dir = path.join(dataDir, 'gateways', VESSEL);
  const [file] = (await readdir(dir)).filter((f) => f.endsWith('.sqlite'));
  if (file === undefined) throw new Error('no queue file');
  const db = new Database(path.join(dir, file), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('gateway kill -9 mid-flush, against the real ingest', () => {
  it(
    'loses nothing and the platform stores each reading once after a restart on the same queue',
    { timeout: 120_000 },
    async () => {
      const isolation = createIsolation('e2e_gwkill');
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'qtled-e2e-gwkill-'));
      // Batches of up to a second: the flush of a two-day backlog takes long enough to be interrupted.
      const ingest = await startIngestProcess({
        mqtt: inject('mqtt'),
        topicRoot: isolation.topicRoot,
        clientId: isolation.clientId('ingest'),
        dataDir,
        batchMaxAgeMs: 1_000,
      });
      const store = createSqliteStore({ path: path.join(dataDir, 'telemetry.sqlite') });
      try {
        const base = {
          url: inject('mqtt').url,
          topicRoot: isolation.topicRoot,
          dataDir: path.join(dataDir, 'gateways'),
          vesselId: VESSEL,
          seed: 9,
          worldStartMs: START - 10 * 24 * HOUR,
          clientIdPrefix: `${isolation.id}-`,
        };
        // First life: two days out of coverage, then in coverage and flushing — killed mid-flush.
        const first = startGateway({
          ...base,
          startMs: START,
          endMs: OFFLINE_UNTIL + 6 * HOUR,
          offlineUntilMs: OFFLINE_UNTIL,
          drain: false,
        });
        await waitFor(async () => (await store.countReadings(VESSEL)) > 0, {
          timeoutMs: 60_000,
          description: 'the first backlog batch stored',
        });
        first.child.kill('SIGKILL');
        expect(await first.exited).toBeNull();
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        const storedBeforeRestart = await store.countReadings(VESSEL);
        expect(storedBeforeRestart).toBeLessThan(48 * 60); // mid-flush: part stored ...
        expect(await queueRows()).toBeGreaterThan(0); // ... part still on the gateway's disk

        // Second life on the same queue: a new boot, in coverage; drains and shuts down.
        const secondStart = OFFLINE_UNTIL + 7 * HOUR;
        const second = startGateway({
          ...base,
          startMs: secondStart,
          endMs: secondStart + HOUR,
          offlineUntilMs: 0,
          drain: true,
        });
        expect(await second.exited).toBe(0);
        await waitFor(async () => (await queueRows()) === 0, {
          timeoutMs: 10_000,
          description: 'an empty gateway queue',
        });

        const stored = await store.readings(VESSEL, 0, secondStart + 2 * HOUR);
        const boots = [...new Set(stored.map((r) => r.bootId))];
        expect(boots).toHaveLength(2);
        for (const bootId of boots) {
          const seqs = stored
            .filter((r) => r.bootId === bootId)
            .map((r) => r.seq)
            .sort((a, b) => a - b);
          expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i)); // from 0, no gap
        }
        expect(findGaps(stored)).toEqual([]);
        expect(stored.filter((r) => r.bootId === stored[0]?.bootId).length).toBeGreaterThanOrEqual(48 * 60);
        expect(new Set(stored.map((r) => `${r.bootId}/${r.seq}`)).size).toBe(stored.length); // each once
      } finally {
        await store.close();
        await ingest.kill('SIGTERM');
      }
    },
  );
});
