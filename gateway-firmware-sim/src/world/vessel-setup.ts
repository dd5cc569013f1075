// What the energy ledger needs to know of a vessel, shared by `vessel-world` (which composes the ledger)
// and `energy-ledger`, so that neither imports the other's types.
import type { MeterId } from '@qt-led/contract';

/** What a vessel carried on a given day, from the fleet registry (see registry-setup.ts). */
export interface VesselSetup {
  readonly ledCount: number;
  readonly ledRatedW: number;
  readonly referenceCount: number;
  readonly referenceRatedW: number;
  readonly generatorKw: number;
  readonly hasFuelMeter: boolean;
  readonly gatewayId: string;
  /** Serial of the LED circuit's kWh meter the registry lists (until the world replaces it). */
  readonly ledMeterId: MeterId;
}

/** A fault of the world's devices: lamps that stay dark (the others are in `vessel-world`). */
export interface LampFailure {
  readonly fromMs: number;
  readonly toMs: number;
  /** Lamps that stay dark although switched on. */
  readonly lamps: number;
}
