export {
  PACKAGED_FLEET_REGISTRY_URL,
  FleetRegistryError,
  type FleetRegistryErrorCode,
  type FleetRegistryProblem,
  loadFleetRegistry,
  parseFleetRegistry,
} from './load-fleet-registry.js';
export {
  type RegistrySource,
  type RegistrySourceOptions,
  type RegistrySourceStatus,
  createRegistrySource,
} from './registry-source.js';
