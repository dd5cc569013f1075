export {
  PACKAGED_FLEET_REGISTRY_URL,
  FleetRegistryError,
  type FleetRegistryErrorCode,
  type FleetRegistryProblem,
  loadFleetRegistry,
  parseFleetRegistry,
} from './load-fleet-registry.js';
