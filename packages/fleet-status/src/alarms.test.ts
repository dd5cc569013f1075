import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayId } from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import type { StoredReading, TelemetryStore } from '@qt-led/store';
import { createSqliteStore } from '@qt-led/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alarm } from './model.js';
import { createFleetStatusService, type FleetStatusServiceImpl } from './service.js';
import { GATEWAY, heartbeat, local, MIN, presence, reading, VESSEL } from './testing/readings.js';

/**
 * The alarms the scenario tests do not reach: a data gap the gateway can no longer fill, readings from a
 * gateway the registry does not put on the vessel, messages from a vessel the registry does not know, and
 * a backlog that keeps growing while the gateway is connected. Each on its own store and alarm database.
 */
const registry = loadFleetRegistry();
const NOW = local(2024, 3, 10, 12);
const opened: { dir: string; store: TelemetryStore; service: FleetStatusServiceImpl }[] = [];

function open(): { store: TelemetryStore; service: FleetStatusServiceImpl } {
  const dir = mkdtempSync(join(tmpdir(), 'qtled-alarms-'));
  const store = createSqliteStore({ path: join(dir, 'telemetry.sqlite') });
  const service = createFleetStatusService({ store, registry, alarmDbPath: join(dir, 'alarms.sqlite') });
  opened.push({ dir, store, service });
  return { store, service };
}

afterEach(async () => {
  for (const { dir, store, service } of opened.splice(0)) {
    await service.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Two hours of readings in port, one a minute, up to NOW. */
function inPort(over: Partial<StoredReading> = {}): StoredReading[] {
  return Array.from({ length: 120 }, (_, seq) =>
    reading({ seq, deviceTimeMs: NOW - (120 - seq) * MIN, ...over }),
  );
}

async function alarmsOf(service: FleetStatusServiceImpl, type: Alarm['type']): Promise<Alarm[]> {
  return (await service.listAlarms({ limit: 50 })).filter((a) => a.type === type);
}

describe('alarms beyond the scenarios', () => {
  it('raises a data gap only once the gateway says it holds nothing more to send', async () => {
    const { store, service } = open();
    // Seqs 50..61 never arrived.
    await store.writeReadings(inPort().filter((r) => r.seq < 50 || r.seq > 61));
    await store.writeDeviceMessages([presence('online', NOW - 2 * 60 * MIN), heartbeat(NOW - 5 * MIN, 12)]);
    await service.evaluate(NOW);
    // The gateway still holds 12 readings: they may be the missing ones, on their way.
    expect(await alarmsOf(service, 'data-gap')).toEqual([]);

    await store.writeDeviceMessages([heartbeat(NOW, 0)]);
    await service.evaluate(NOW + MIN);
    const [gap] = await alarmsOf(service, 'data-gap');
    expect(gap?.state).toBe('raised');
    expect(gap?.vesselId).toBe(VESSEL);
    expect(gap?.evidence['missingReadings']).toBe(12);
    expect(gap?.evidence['gaps']).toMatchObject([{ fromSeq: 50, toSeq: 61 }]);
  });

  it('raises a registry mismatch for readings from a gateway the registry does not assign to the vessel', async () => {
    const { store, service } = open();
    const stranger = 'gw-0badc0de' as GatewayId;
    await store.writeReadings(inPort({ gatewayId: stranger }));
    await service.evaluate(NOW);
    const [mismatch] = await alarmsOf(service, 'registry-mismatch');
    expect(mismatch?.vesselId).toBe(VESSEL);
    expect(mismatch?.evidence).toMatchObject({ gatewayId: stranger, assignedGatewayId: GATEWAY });
    expect(mismatch?.detail).toMatch(/update the registry after a gateway swap/);

    // The registry's own gateway reporting again clears it.
    await store.writeReadings(
      inPort().map((r) => ({
        ...r,
        bootId: r.bootId,
        seq: r.seq + 1000,
        deviceTimeMs: r.deviceTimeMs + 120 * MIN,
      })),
    );
    await service.evaluate(NOW + 121 * MIN);
    expect((await alarmsOf(service, 'registry-mismatch'))[0]?.state).toBe('cleared');
  });

  it('raises a fleet-wide registry mismatch when messages of an unknown vessel were set aside', async () => {
    const { store, service } = open();
    await store.writeReadings(inPort());
    await store.addDeadLetters([
      {
        receivedAtMs: NOW - 10 * MIN,
        topic: 'qtled/v1/vessels/QT-99999-TS/telemetry',
        reason: 'unknown-vessel',
        message: 'vessel QT-99999-TS is not in the fleet registry',
        payload: '{}',
        payloadEncoding: 'utf8',
        payloadBytes: 2,
      },
    ]);
    await service.evaluate(NOW);
    const fleetWide = (await alarmsOf(service, 'registry-mismatch')).filter((a) => a.vesselId === null);
    expect(fleetWide).toHaveLength(1);
    expect(fleetWide[0]?.evidence['unknownVesselIds']).toEqual(['QT-99999-TS']);
  });

  it('raises a growing backlog after it has grown for the configured time while connected, not before', async () => {
    const { store, service } = open();
    await store.writeReadings(inPort());
    await store.writeDeviceMessages([presence('online', NOW - 3 * 60 * MIN)]);
    // A heartbeat every 5 minutes, the queue growing by 20 readings each time: acks are not coming.
    const beats = Array.from({ length: 12 }, (_, i) => heartbeat(NOW - 55 * MIN + i * 5 * MIN, 20 * i));
    await store.writeDeviceMessages(beats.slice(0, 5)); // 20 minutes of growth
    await service.evaluate(NOW - 35 * MIN);
    expect((await service.status(VESSEL, NOW - 35 * MIN))?.conditions).toContain('backlog-growing');
    expect(await alarmsOf(service, 'backlog-growing')).toEqual([]);

    await store.writeDeviceMessages(beats.slice(5)); // 55 minutes of growth
    await service.evaluate(NOW);
    const [backlog] = await alarmsOf(service, 'backlog-growing');
    expect(backlog?.state).toBe('raised');
    expect(backlog?.detail).toMatch(/queue grew from 0 to 220 readings/);
  });
});
