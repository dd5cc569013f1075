import { describe, expect, it } from 'vitest';
import type { PlatformPhase, VesselId, VesselStatusCode, VesselSummary } from '../api/types.js';
import { LIVE_WITHOUT_SIMULATION as LIVE_PHASE } from '@qt-led/contract/code-lists';
import {
  fleetCounts,
  fleetView,
  historyLoadOf,
  markerOf,
  officerOrder,
  positionOf,
  withReading,
} from './fleet-model.js';

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

describe('the fleet overview while the platform loads its simulated history', () => {
  const at = { lat: 17.1, lon: 107.2, atMs: 1_000 };
  // What the API serves mid-load: the statuses of the simulated past, a fault among them.
  const list = [
    vessel('QT-3', 'in-port', 'in-port', at),
    vessel('QT-2', 'silent-possible-fault', 'in-port', at),
    vessel('QT-1', 'at-sea-reporting', 'at-sea', at),
  ];
  const history: PlatformPhase = {
    phase: 'history',
    fraction: 0.42,
    simulatedMs: Date.UTC(2024, 2, 1, 17, 30),
    sampled: 420_000,
    acked: 400_000,
    pending: 20_000,
  };

  it('shows a banner with the simulated time and the share loaded, and no status as a fault', () => {
    const view = fleetView(list, history);
    expect(view.historyLoad).toEqual({ phase: 'history', simulatedMs: history.simulatedMs, fraction: 0.42 });
    expect(view.rows.map((r) => [r.vessel.vesselId, r.status])).toEqual([
      ['QT-1', 'history-loading'],
      ['QT-2', 'history-loading'],
      ['QT-3', 'history-loading'],
    ]);
    expect(view.markers.map((m) => m.status)).toEqual([
      'history-loading',
      'history-loading',
      'history-loading',
    ]);
    // No "need attention" count: the fault is the simulated past's.
    expect(view.summary.line).toEqual({ key: 'fleet.summaryLoading', params: { total: 3 } });
  });

  it('says "catching up" after a restart, and keeps the fraction within 0–1', () => {
    expect(historyLoadOf({ ...history, phase: 'catching-up', fraction: 1.2 })).toMatchObject({
      phase: 'catching-up',
      fraction: 1,
    });
  });

  it('is the ordinary overview once live, or when the phase is unknown', () => {
    for (const phase of [LIVE_PHASE, null]) {
      const view = fleetView(list, phase);
      expect(view.historyLoad).toBeNull();
      expect(view.rows.map((r) => [r.vessel.vesselId, r.status])).toEqual([
        ['QT-2', 'silent-possible-fault'],
        ['QT-1', 'at-sea-reporting'],
        ['QT-3', 'in-port'],
      ]);
      expect(view.summary.line).toEqual({
        key: 'fleet.summary',
        params: { total: 3, atSea: 1, inPort: 2, attention: 1 },
      });
      expect(view.markers.find((m) => m.vesselId === 'QT-2')?.status).toBe('silent-possible-fault');
    }
  });
});
