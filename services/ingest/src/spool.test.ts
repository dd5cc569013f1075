import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredReading } from '@qt-led/store';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSpool, type WriteBatch } from './spool.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function batch(readings: number): WriteBatch {
  return {
    readings: Array.from({ length: readings }, () => ({}) as StoredReading),
    deadLetters: [],
    acks: {},
  };
}

describe('disk backlog', () => {
  it('keeps batches in order across a reopen, and its depth in step with them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qtled-spool-'));
    dirs.push(dir);
    const path = join(dir, 'spool.sqlite');
    const spool = openSpool(path);
    spool.push(batch(3));
    spool.push(batch(5));
    expect(spool.depth()).toEqual({ batches: 2, readings: 8 });
    spool.close();

    const reopened = openSpool(path);
    expect(reopened.depth()).toEqual({ batches: 2, readings: 8 });
    const first = reopened.peek();
    expect(first?.batch.readings).toHaveLength(3);
    reopened.remove(first?.id ?? -1);
    reopened.remove(first?.id ?? -1); // removing twice changes nothing
    expect(reopened.depth()).toEqual({ batches: 1, readings: 5 });
    expect(reopened.peek()?.batch.readings).toHaveLength(5);
    reopened.close();
  });

  it('drains a backlog spooled before readings carried the meter serial, naming no meter', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qtled-spool-'));
    dirs.push(dir);
    const path = join(dir, 'spool.sqlite');
    openSpool(path).close();
    const older = { vesselId: 'QT-90145-TS', seq: 7, ledEnergyKwh: 1_012.5, lampsOn: 40 };
    const db = new Database(path);
    db.prepare('INSERT INTO batches (readings, body) VALUES (?, ?)').run(
      1,
      JSON.stringify({ readings: [older], deadLetters: [], acks: {} }),
    );
    db.close();
    const spool = openSpool(path);
    expect(spool.peek()?.batch.readings).toEqual([{ ...older, ledMeterId: null }]);
    spool.close();
  });
});
