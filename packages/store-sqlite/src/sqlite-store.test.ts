import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BootId, GatewayId, VesselId } from '@qt-led/contract';
import type { StoredReading } from '@qt-led/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from './sqlite-store.js';
import { describeTelemetryStoreContract } from '@qt-led/store/testing';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'qtled-sqlite-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describeTelemetryStoreContract('embedded SQLite (file, WAL)', () =>
  Promise.resolve(createSqliteStore({ path: join(directory, 'telemetry.sqlite') })),
);

describe('a read-only connection beside the writer', () => {
  it('reads what the writer commits, refuses to write, and never creates a database', async () => {
    const path = join(directory, 'shared.sqlite');
    const writer = createSqliteStore({ path });
    const reader = createSqliteStore({ path, readOnly: true });
    const vesselId = 'QT-90145-TS' as VesselId;
    const reading = (seq: number): StoredReading => ({
      vesselId,
      gatewayId: 'gw-0000aaaa' as GatewayId,
      bootId: 'abcd0001' as BootId,
      seq,
      deviceTimeMs: 1_709_226_000_000 + seq * 60_000,
      receivedAtMs: 1_709_226_000_000 + seq * 60_000,
      clockSkewMs: 0,
      timeSource: 'gps',
      ledPowerW: 0,
      ledEnergyKwh: 10 + seq,
      lampsOn: 0,
      fuelRateLph: null,
      fuelTotalL: null,
      fix: '3d',
      lat: null,
      lon: null,
      speedKn: null,
      headingDeg: null,
    });
    await writer.writeReadings([reading(0), reading(1)]);
    expect(await reader.countReadings(vesselId)).toBe(2);
    await writer.writeReadings([reading(2)]);
    expect((await reader.registerReadings(vesselId, 0, 2e12)).map((r) => r.ledEnergyKwh)).toEqual([
      10, 11, 12,
    ]);
    await expect(Promise.resolve().then(() => reader.writeReadings([reading(3)]))).rejects.toThrow(
      /readonly/i,
    );
    expect(() => createSqliteStore({ path: join(directory, 'missing.sqlite'), readOnly: true })).toThrow();
    await reader.close();
    await writer.close();
  });
});
