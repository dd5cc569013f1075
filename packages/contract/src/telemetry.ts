import { z } from 'zod';
import { EpochMs, NonNegative, Register, Seq } from './common.js';
import { BootId, GatewayId, MeterId, VesselId } from './ids.js';

/** Most readings one telemetry message may carry; gateways split longer backlogs into several messages. */
export const MAX_READINGS_PER_BATCH = 500;

/**
 * The LED-circuit meter: instantaneous power, the cumulative energy register, how many lamps are lit, and
 * the serial of the meter that was read. The serial is optional (older gateways do not send it), but a
 * gateway that knows it sends it on every reading: it is how the calculator tells a replacement meter from
 * the old one when no `meter-replaced` event was reported (a used meter whose register starts higher).
 */
export const LedSample = z.object({
  powerW: NonNegative.describe('instantaneous power drawn by the LED lamp circuit, W'),
  energyKwh: Register.describe('cumulative energy register of the LED circuit meter, kWh'),
  lampsOn: z.int().min(0).max(500).describe('number of LED lamps switched on'),
  meterId: MeterId.optional().describe(
    'serial of the LED circuit meter the register was read from, as printed on it and in the registry',
  ),
});

/** The generator's fuel flow meter: instantaneous rate and the cumulative totaliser. */
export const FuelSample = z.object({
  rateLph: NonNegative.describe('generator fuel consumption rate, L/h'),
  totalL: Register.describe('cumulative fuel totaliser, L'),
});

export const FixQuality = z.enum(['2d', '3d', 'dgps']);

/** A GPS fix, or the explicit statement that there is none (a lost fix is data, not silence). */
export const PositionSample = z.discriminatedUnion('fix', [
  z.object({ fix: z.literal('none') }),
  z.object({
    fix: FixQuality,
    lat: z.number().min(-90).max(90).describe('latitude, WGS 84 degrees'),
    lon: z.number().min(-180).max(180).describe('longitude, WGS 84 degrees'),
    speedKn: NonNegative.max(60).describe('speed over ground, knots'),
    headingDeg: z.number().min(0).lt(360).describe('course over ground, degrees true'),
    satellites: z.int().min(0).max(64).optional(),
    hdop: NonNegative.optional(),
  }),
]);

/** Where the gateway's clock got its time from when it stamped the reading. */
export const TimeSource = z.enum(['gps', 'ntp', 'rtc']);

/**
 * One sampled reading. `(vesselId, bootId, seq)` identifies it for ever: resending it is harmless, and a
 * missing seq is a measurable gap. Each sensor group is optional because sensors fail independently, but a
 * reading carries at least one.
 */
export const Reading = z
  .object({
    vesselId: VesselId,
    bootId: BootId,
    seq: Seq,
    deviceTimeMs: EpochMs.describe('device clock at sampling, ms since epoch UTC'),
    timeSource: TimeSource.optional(),
    led: LedSample.optional(),
    fuel: FuelSample.optional(),
    position: PositionSample.optional(),
  })
  .refine((r) => r.led !== undefined || r.fuel !== undefined || r.position !== undefined, {
    message: 'a reading carries at least one of led, fuel, position',
  });
export type Reading = z.infer<typeof Reading>;

/**
 * What a gateway publishes on `<root>/v1/vessels/<vesselId>/telemetry`: live readings or a slice of its
 * on-disk backlog, possibly spanning several boots. Every reading belongs to the batch's vessel.
 */
export const TelemetryBatch = z
  .object({
    schema: z.literal('qtled.telemetry/1'),
    vesselId: VesselId,
    gatewayId: GatewayId,
    sentAtMs: EpochMs.describe('device clock when the batch was sent, ms since epoch UTC'),
    readings: z
      .array(Reading)
      .min(1, 'a telemetry batch carries at least one reading')
      .max(MAX_READINGS_PER_BATCH, `a telemetry batch carries at most ${MAX_READINGS_PER_BATCH} readings`),
  })
  .superRefine((batch, ctx) => {
    batch.readings.forEach((reading, index) => {
      if (reading.vesselId !== batch.vesselId) {
        ctx.addIssue({
          code: 'custom',
          path: ['readings', index, 'vesselId'],
          message: `reading belongs to ${reading.vesselId}, but the batch is from ${batch.vesselId}`,
        });
      }
    });
  });
export type TelemetryBatch = z.infer<typeof TelemetryBatch>;
