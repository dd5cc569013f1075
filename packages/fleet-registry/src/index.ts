export {
  PACKAGED_FLEET_REGISTRY_URL,
  FleetRegistryError,
  type FleetRegistryErrorCode,
  type FleetRegistryProblem,
  loadFleetRegistry,
  parseFleetRegistry,
  readFleetRegistry,
  validateFleetRegistry,
} from './load-fleet-registry.js';
export {
  type RegistrySource,
  type RegistrySourceOptions,
  type RegistrySourceStatus,
  createRegistrySource,
  type GatewayAssignmentsSource,
  createGatewayAssignmentsSource,
  gatewayAssignmentsFollowing,
} from './registry-source.js';
