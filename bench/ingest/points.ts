// Line protocol as the bench's hand-rolled contenders write it (the naive ingest and the Telegraf stand-in):
// measurement `telemetry`, tag `vessel`, the reading's values as fields, the device time in milliseconds —
// the same measurement, tag and field names as ours, so the bench queries every contender alike.
import type { TelemetryBatch } from '@qt-led/contract';

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
