import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BootId, GatewayId, MeterId, VesselId } from '@qt-led/contract';
import type { StoredReading } from '@qt-led/store';
import Database from 'better-sqlite3';
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
      ledMeterId: null,
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

describe('a database created before readings carried the meter serial', () => {
  it('gains the column and the covering index with it; its readings name no meter, new ones do', async () => {
    const path = join(directory, 'before-meter-id.sqlite');
    // The readings table and register index exactly as the previous version created them.
    const old = new Database(path);
    old.exec(`
      CREATE TABLE readings (
        vessel TEXT NOT NULL, boot TEXT NOT NULL, seq INTEGER NOT NULL,
        device_ms INTEGER NOT NULL, received_ms INTEGER NOT NULL, clock_skew_ms INTEGER,
        gateway TEXT NOT NULL, time_source TEXT,
        led_power_w REAL, led_energy_kwh REAL, lamps_on INTEGER,
        fuel_rate_lph REAL, fuel_total_l REAL,
        fix TEXT, lat REAL, lon REAL, speed_kn REAL, heading_deg REAL,
        PRIMARY KEY (vessel, boot, seq)
      ) WITHOUT ROWID;
      CREATE INDEX readings_registers
        ON readings (vessel, device_ms, boot, seq, led_energy_kwh, fuel_total_l, lamps_on);
      INSERT INTO readings (vessel, boot, seq, device_ms, received_ms, gateway, led_energy_kwh, lamps_on)
        VALUES ('QT-90145-TS', 'abcd0001', 0, 1709226000000, 1709226000500, 'gw-0000aaaa', 1012.5, 40);
    `);
    old.close();

    const vesselId = 'QT-90145-TS' as VesselId;
    const store = createSqliteStore({ path });
    await store.writeReadings([
      {
        vesselId,
        gatewayId: 'gw-0000aaaa' as GatewayId,
        bootId: 'abcd0001' as BootId,
        seq: 1,
        deviceTimeMs: 1_709_226_060_000,
        receivedAtMs: 1_709_226_060_500,
        clockSkewMs: 0,
        timeSource: 'gps',
        ledPowerW: 9_000,
        ledEnergyKwh: 1_012.65,
        lampsOn: 40,
        ledMeterId: 'EM17-7360' as MeterId,
        fuelRateLph: null,
        fuelTotalL: null,
        fix: null,
        lat: null,
        lon: null,
        speedKn: null,
        headingDeg: null,
      },
    ]);
    const registers = await store.registerReadings(vesselId, 0, 2e12);
    expect(registers.map((r) => [r.seq, r.ledEnergyKwh, r.ledMeterId])).toEqual([
      [0, 1_012.5, null],
      [1, 1_012.65, 'EM17-7360'],
    ]);
    expect((await store.readings(vesselId, 0, 2e12)).map((r) => r.ledMeterId)).toEqual([null, 'EM17-7360']);
    await store.close();

    // Opened again: nothing to migrate; the register index covers the serial.
    const again = createSqliteStore({ path });
    expect(await again.countReadings()).toBe(2);
    await again.close();
    const check = new Database(path, { readonly: true });
    const indexed = (check.pragma('index_info(readings_registers)') as { name: string }[]).map((c) => c.name);
    expect(indexed).toContain('led_meter_id');
    const plan = check
      .prepare(
        `EXPLAIN QUERY PLAN SELECT vessel, boot, seq, device_ms, led_energy_kwh, led_meter_id, fuel_total_l,
         lamps_on FROM readings WHERE vessel = ? AND device_ms >= ? AND device_ms < ? ORDER BY device_ms, boot, seq`,
      )
      .all(vesselId, 0, 2e12) as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/COVERING INDEX readings_registers/);
    check.close();
  });
});
