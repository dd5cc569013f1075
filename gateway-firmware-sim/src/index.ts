// Firmware: what runs on the boat's gateway.
export {
  type Gateway,
  type GatewayDeps,
  type GatewayStatus,
  type GatewayTuning,
  type BootReason,
  DEFAULT_TUNING,
  FIRMWARE_VERSION,
  createGateway,
} from './firmware/gateway.js';
export { type GatewaySettings, FACTORY_SETTINGS } from './firmware/settings.js';
export { type ConfigKey, configKeyFromPem, signedWith } from './firmware/config-key.js';
export {
  type DiskQueue,
  type DiskQueueOptions,
  type QueueSynchronous,
  type QueuedReading,
  openDiskQueue,
} from './firmware/disk-queue.js';
export {
  type GatewayTls,
  type LinkGate,
  type MqttJsConnectorOptions,
  createMqttJsConnector,
} from './firmware/mqtt-connector.js';
export type {
  Cancel,
  Clock,
  DiskInfo,
  FuelMeter,
  GatewayLogger,
  Gps,
  GpsFix,
  LedMeter,
  MqttConnector,
  MqttHandlers,
  MqttSession,
  MqttSessionOptions,
  WillMessage,
} from './firmware/ports.js';
export { systemClock, statfsDisk } from './firmware/system-adapters.js';

// World model: what the simulator fakes.
export * from './world/geo.js';
export {
  type Weather,
  createWeather,
  isBrightNight,
  moonAgeDays,
  localDayStartMs,
} from './world/sky-and-weather.js';
export {
  type Leg,
  type LampSession,
  type Trip,
  type VesselPlan,
  LAMP_HOURS_MIN,
  LAMP_HOURS_MAX,
  createVesselPlan,
} from './world/plan.js';
export {
  MARGINAL_L_PER_KWH,
  NO_LOAD_L_PER_H_PER_KW,
  HOUSE_LOAD_KW,
  fuelRateLph,
  referenceGeneratorKw,
} from './world/generator-model.js';
export {
  type VesselWorld,
  type VesselWorldOptions,
  type VesselSetup,
  type VesselPeriodStats,
  type WorldFaults,
  createVesselWorld,
  emptyWorldFaults,
} from './world/vessel-world.js';
export { type FuelMeterPolicy, registrySetup } from './world/registry-setup.js';
export { type CalibrationCheck, PUBLISHED_RANGES, calibrationChecks } from './world/calibration.js';

// Simulator: the fleet runner.
export {
  type FleetSimulation,
  type FleetSimulationOptions,
  type FleetSummary,
  type FleetProgress,
  type VesselSummary,
  createFleetSimulation,
} from './sim/fleet-simulation.js';
export {
  type BrokerOptions,
  type VesselSimulation,
  type VesselTotals,
  createVesselSimulation,
} from './sim/vessel-simulation.js';
export {
  type FaultEvent,
  type FaultKind,
  type FaultSpec,
  FAULT_KINDS,
  REALISTIC_RATES,
  faultEvents,
  parseDuration,
  parseFaultSpec,
  realisticFaults,
} from './sim/faults.js';
export { type Timeline, createTimeline } from './sim/timeline.js';
export { createRtc, simulatedClock, simulatedDisk, simulatedSensors } from './sim/simulated-devices.js';
export { type CoverageGate, createCoverageGate } from './sim/simulated-link.js';
export {
  type ClockPacer,
  type Pacer,
  type PacerClock,
  createClockPacer,
  createFixedSpeedPacer,
} from './sim/pacer.js';
export { createProgressDisplay, formatFleetSummary, formatLocal } from './sim/report.js';
