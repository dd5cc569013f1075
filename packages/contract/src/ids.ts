import { z } from 'zod';

/** Registration number of a fishing vessel, also its id in topics and the store: `QT-90145-TS`. */
export const VesselId = z
  .string()
  .regex(/^QT-\d{4,5}-TS$/, 'a vessel id is a Quang Tri registration number like QT-90145-TS')
  .brand<'VesselId'>();
export type VesselId = z.infer<typeof VesselId>;

/** Serial of an onboard gateway: `gw-` followed by 4–12 lowercase letters/digits. */
export const GatewayId = z
  .string()
  .regex(/^gw-[a-z0-9]{4,12}$/, 'a gateway id looks like gw-0a1b2c3d')
  .brand<'GatewayId'>();
export type GatewayId = z.infer<typeof GatewayId>;

/**
 * Identifies one boot of a gateway. A gateway draws a fresh random boot id each time it starts, and its
 * reading sequence restarts at 0 with it: `(vesselId, bootId, seq)` is the identity of a reading.
 */
export const BootId = z
  .string()
  .regex(/^[0-9a-f]{8,32}$/, 'a boot id is 8–32 lowercase hex digits')
  .brand<'BootId'>();
export type BootId = z.infer<typeof BootId>;

/**
 * Serial number of an electricity meter or fuel meter, as printed on it: `EM17-0145`. The registry names
 * each vessel's meters by it, and a gateway puts it on the readings it takes from the meter.
 */
export const MeterId = z
  .string()
  .regex(
    /^[A-Z0-9][A-Z0-9-]{3,23}$/,
    'a meter id is its serial: 4–24 capital letters, digits or hyphens, like EM17-0145',
  )
  .brand<'MeterId'>();
export type MeterId = z.infer<typeof MeterId>;
