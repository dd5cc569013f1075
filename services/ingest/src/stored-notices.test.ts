import {
  type BootId,
  type GatewayId,
  type MeterId,
  StoredReadingsNotice,
  type VesselId,
} from '@qt-led/contract';
import type { StoredReading } from '@qt-led/store';
import { describe, expect, it } from 'vitest';
import { MAX_NOTICE_BYTES, storedReadingsNotices } from './stored-notices.js';

function reading(seq: number): StoredReading {
  return {
    vesselId: 'QT-90145-TS' as VesselId,
    gatewayId: 'gw-41a11a97' as GatewayId,
    bootId: '922df344747332bb' as BootId,
    seq,
    deviceTimeMs: 1_793_466_000_000 + seq * 60_000,
    receivedAtMs: 1_793_466_000_500 + seq * 60_000,
    clockSkewMs: 0,
    timeSource: 'gps',
    ledPowerW: 12_000,
    ledEnergyKwh: 18_587.08 + seq * 0.2,
    lampsOn: 40,
    ledMeterId: 'EM17-7360' as MeterId,
    fuelRateLph: null,
    fuelTotalL: null,
    fix: '3d',
    lat: 17.02198,
    lon: 107.113118,
    speedKn: 0.3,
    headingDeg: 181,
  };
}

describe('stored-readings notices', () => {
  it("split a backlog's batch so that no notice reaches the broker's packet limit, every reading once, in order", () => {
    // A 10-day backlog's batch: 5,000 readings is about 1.9 MB as one notice, past Mosquitto's 1 MiB.
    const readings = Array.from({ length: 5_000 }, (_, i) => reading(i));
    expect(JSON.stringify({ schema: 'qtled.stored-readings/1', readings }).length).toBeGreaterThan(1 << 20);
    const notices = storedReadingsNotices(readings);
    expect(notices.length).toBeGreaterThan(4);
    for (const notice of notices) expect(Buffer.byteLength(notice)).toBeLessThanOrEqual(MAX_NOTICE_BYTES);
    const back = notices.flatMap((n) => StoredReadingsNotice.parse(JSON.parse(n)).readings);
    expect(back).toEqual(readings);
  });

  it('sends a small write as one notice, and nothing for none', () => {
    expect(storedReadingsNotices([reading(0), reading(1)])).toHaveLength(1);
    expect(storedReadingsNotices([])).toEqual([]);
  });
});
