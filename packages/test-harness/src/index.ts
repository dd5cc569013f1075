export type { InfluxFlavour, InfluxServer, MqttServer, ServerSource } from './context.js';
export { type InfluxAdmin, type InfluxSeries, influxAdmin } from './influx-admin.js';
export { type Isolation, createIsolation } from './isolation.js';
export { type ConnectMqttOptions, connectMqtt } from './mqtt-client.js';
export { type WaitForOptions, waitFor } from './wait-for.js';
export { type DedicatedServer, startDedicatedMosquitto, startDedicatedInflux } from './dedicated.js';
export { freePorts, underParentDeathSignal } from './processes.js';
export {
  type FishingNight,
  type FleetTelemetry,
  type FleetTelemetryOptions,
  type HomePortPosition,
  generateFleetTelemetry,
} from './fleet-telemetry.js';
export { type HttpReceiver, type SmtpSink, startHttpReceiver, startSmtpSink } from './receivers.js';
export { type ApiPost, type ClaimedAdmin, claimFirstAdmin, fetchPost } from './first-admin.js';
export { type FuzzOptions, type FuzzRun, fuzz, fuzzSeed } from './fuzz.js';
export { type JsonSchema, type SchemaArbitraryOptions, schemaArbitrary } from './schema-arbitrary.js';
