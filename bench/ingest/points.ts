// Line protocol as the bench's hand-rolled contenders write it (the naive ingest and the Telegraf stand-in):
// measurement `telemetry`, tag `vessel`, the reading's values as fields, the device time in milliseconds —
// the same measurement, tag and field names as ours, so the bench queries every contender alike.
import type { TelemetryBatch } from '@qt-led/contract';
import type { Fleet } from './fleet.js';

export function batchLines(batch: TelemetryBatch): string[] {
  return batch.readings.map((r) => {
    const fields = [
      `boot="${r.bootId}"`,
      `seq=${r.seq}i`,
      `gateway="${batch.gatewayId}"`,
      r.led === undefined
        ? ''
        : `led_power_w=${r.led.powerW},led_energy_kwh=${r.led.energyKwh},lamps_on=${r.led.lampsOn}i`,
      r.fuel === undefined ? '' : `fuel_rate_lph=${r.fuel.rateLph},fuel_total_l=${r.fuel.totalL}`,
      r.position === undefined
        ? ''
        : r.position.fix === 'none'
          ? 'fix="none"'
          : `fix="${r.position.fix}",lat=${r.position.lat},lon=${r.position.lon},speed_kn=${r.position.speedKn},heading_deg=${r.position.headingDeg}`,
    ].filter((f) => f !== '');
    return `telemetry,vessel=${r.vesselId} ${fields.join(',')} ${r.deviceTimeMs}`;
  });
}

/** A point as ours writes it (nanosecond time, the seq in the last digits), prebuilt for the ceilings. */
export function prebuiltLine(fleet: Fleet, index: number): string {
  const vessel = fleet.vessels[index % fleet.vessels.length];
  if (vessel === undefined) throw new Error('an empty fleet');
  const seq = Math.floor(index / fleet.vessels.length);
  const t = 1_717_000_000_000 + index;
  return `telemetry,vessel=${vessel.vesselId} boot="be0c4a11",seq=${seq}i,gateway="${vessel.gatewayId}",received_ms=${t}i,led_power_w=12000.5,led_energy_kwh=1000.25,lamps_on=40i,fuel_rate_lph=7.4,fuel_total_l=9000.5,fix="3d",lat=17.1,lon=107.4,speed_kn=0.4,heading_deg=90 ${t}${String(seq % 1_000_000).padStart(6, '0')}`;
}

export async function writeLines(influxUrl: string, database: string, body: string): Promise<void> {
  const response = await fetch(`${influxUrl}/write?db=${encodeURIComponent(database)}&precision=ns`, {
    method: 'POST',
    body,
    signal: AbortSignal.timeout(60_000),
  });
  if (!response.ok) throw new Error(`write failed: ${response.status} ${await response.text()}`);
}

/**
 * One old point (June 2024) per vessel of the fleet, so the database holds every vessel's series before
 * a step, as a production database does: otherwise a short step at 30,000 vessels mostly measures
 * InfluxDB creating 30,000 series.
 */
export async function seedSeries(influxUrl: string, database: string, fleet: Fleet): Promise<void> {
  for (let start = 0; start < fleet.vessels.length; start += 5_000) {
    const end = Math.min(fleet.vessels.length, start + 5_000);
    const lines = Array.from({ length: end - start }, (_, i) => prebuiltLine(fleet, start + i));
    await writeLines(influxUrl, database, lines.join('\n'));
  }
}
