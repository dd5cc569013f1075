import { describe, expect, it } from 'vitest';
import type { VesselId, VesselStatusCode, VesselSummary } from '../api/types.js';
import { fleetCounts, markerOf, officerOrder, positionOf, withReading } from './fleet-model.js';

function vessel(
  id: string,
  status: VesselStatusCode,
  tripState: 'in-port' | 'at-sea' | 'unknown',
  position: { lat: number; lon: number; atMs: number } | null = null,
): VesselSummary {
  const evidence = { lastReadingAtMs: 1_000, position, tripState, ledPowerW: 100, lampsOn: 4 };
  return {
    vesselId: id as VesselId,
    latest: null,
    status: { vesselId: id as VesselId, status, evidence },
  } as unknown as VesselSummary;
}

describe('the fleet overview model', () => {
  it('lists boats needing attention first, then those at sea, then the rest, by id', () => {
    const list = [
      vessel('QT-3', 'in-port', 'in-port'),
      vessel('QT-2', 'at-sea-reporting', 'at-sea'),
      vessel('QT-4', 'led-fault', 'at-sea'),
      vessel('QT-1', 'in-port', 'in-port'),
    ];
    expect(officerOrder(list).map((v) => v.vesselId)).toEqual(['QT-4', 'QT-2', 'QT-1', 'QT-3']);
    expect(list.map((v) => v.vesselId)).toEqual(['QT-3', 'QT-2', 'QT-4', 'QT-1']);
    expect(fleetCounts(list)).toEqual({ total: 4, atSea: 2, inPort: 2, attention: 1, noPosition: 4 });
  });

  it('freshens the figures and the position from a live reading, keeping the status', () => {
    const before = vessel('QT-1', 'at-sea-reporting', 'at-sea');
    const after = withReading(before, {
      vesselId: before.vesselId,
      deviceTimeMs: 5_000,
      receivedAtMs: 5_100,
      ledPowerW: 250,
      lat: 17.1,
      lon: 107.2,
    });
    expect(after?.latest).toMatchObject({
      deviceTimeMs: 5_000,
      ledPowerW: 250,
      lampsOn: null,
      fuelRateLph: null,
    });
    expect(after?.status.status).toBe('at-sea-reporting');
    expect(after?.status.evidence).toMatchObject({
      lastReadingAtMs: 5_000,
      ledPowerW: 250,
      lampsOn: 4,
      position: { lat: 17.1, lon: 107.2, atMs: 5_000 },
    });
    expect(after && positionOf(after)).toEqual({ lat: 17.1, lon: 107.2 });
    expect(after && markerOf(after)).toMatchObject({ vesselId: 'QT-1', status: 'at-sea-reporting' });
    expect(markerOf(before)).toBeNull();
  });

  it('ignores a reading without its device and receive times', () => {
    const v = vessel('QT-1', 'in-port', 'in-port');
    expect(withReading(v, { vesselId: v.vesselId, deviceTimeMs: 5_000 })).toBeNull();
  });
});
