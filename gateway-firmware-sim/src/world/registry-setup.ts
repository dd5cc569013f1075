import type { RegistryIndex, VesselId } from '@qt-led/contract';
import type { VesselSetup } from './vessel-world.js';

/**
 * Which boats report fuel: `registry` fits a fuel totaliser only where the registry lists a fuel meter
 * (most project boats have none: the JCM monitoring rests on the kWh meter); `all` fits every boat with
 * one, for exercising the fuel cross-check. The world models the generator's fuel either way.
 */
export type FuelMeterPolicy = 'registry' | 'all';

/** The vessel's configuration at an instant, from the effective-dated registry. */
export function registrySetup(
  registry: RegistryIndex,
  vesselId: VesselId,
  fuelMeters: FuelMeterPolicy = 'registry',
): (ms: number) => VesselSetup {
  const vessel = registry.vessel(vesselId);
  if (!vessel) throw new Error(`vessel ${vesselId} is not in the fleet registry`);
  const first = vessel.versions[0];
  if (!first) throw new Error(`vessel ${vesselId} has no configuration`);
  return (ms) => {
    // Before the first version (a simulation of 2016) the boat is taken as it was handed over.
    const version = registry.configAt(vesselId, ms)?.version ?? first;
    return {
      ledCount: version.ledLamps.count,
      ledRatedW: version.ledLamps.ratedW,
      referenceCount: version.replacedLamps.count,
      referenceRatedW: version.replacedLamps.ratedW,
      generatorKw: version.generator.ratedKw,
      hasFuelMeter: fuelMeters === 'all' || version.fuelMeter !== null,
      gatewayId: version.gatewayId,
      ledMeterId: version.meter.meterId,
    };
  };
}
