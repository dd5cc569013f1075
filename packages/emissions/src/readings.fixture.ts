import type { BootId, GatewayId, RegistryIndex, VesselId } from '@qt-led/contract';
import type { StoredReading } from '@qt-led/store';

/**
 * One boat's readings every 5 minutes over `[fromMs, untilMs)`, lamps (40) lit 18:00–04:00 local time, the
 * kWh register rising 1 kWh a lit step (12 kW), the LED meter of the boat's latest registry version, no
 * fuel meter; boat `index` has its own gateway, boot and starting register.
 */
export function fiveMinuteReadings(
  registry: RegistryIndex,
  vesselId: VesselId,
  index: number,
  fromMs: number,
  untilMs: number,
): StoredReading[] {
  const out: StoredReading[] = [];
  let energy = 5_000 + index * 1_000;
  const ledMeterId = registry.vessel(vesselId)?.versions.at(-1)?.meter.meterId ?? null;
  for (let t = fromMs, seq = 0; t < untilMs; t += 300_000, seq++) {
    const localHour = new Date(t + 7 * 3_600_000).getUTCHours();
    const lit = localHour >= 18 || localHour < 4;
    out.push({
      vesselId,
      gatewayId: `gw-0000aaa${index}` as GatewayId,
      bootId: `abcd000${index}` as BootId,
      seq,
      deviceTimeMs: t,
      receivedAtMs: t,
      clockSkewMs: 0,
      timeSource: 'gps',
      ledPowerW: lit ? 12_000 : 0,
      ledEnergyKwh: energy,
      lampsOn: lit ? 40 : 0,
      ledMeterId,
      fuelRateLph: null,
      fuelTotalL: null,
      fix: '3d',
      lat: 17.2,
      lon: 107.4,
      speedKn: 0,
      headingDeg: 0,
    });
    if (lit) energy += 1; // 12 kW for 5 minutes
  }
  return out;
}
