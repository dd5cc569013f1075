export { VesselId, GatewayId, BootId } from './ids.js';
export { EpochMs, Register, Seq, FirmwareVersion } from './common.js';
export {
  DEFAULT_TOPIC_ROOT,
  TOPIC_SCHEME_VERSION,
  CHANNELS,
  CHANNEL_NAMES,
  type Channel,
  type UplinkChannel,
  type DownlinkChannel,
  type ParsedTopic,
  type SubscriptionOptions,
  assertTopicRoot,
  topicFor,
  subscriptionFor,
  parseTopic,
} from './topics.js';
export {
  MAX_READINGS_PER_BATCH,
  LedSample,
  FuelSample,
  FixQuality,
  PositionSample,
  TimeSource,
  Reading,
  TelemetryBatch,
} from './telemetry.js';
export { Presence, Heartbeat, SensorName, DeviceEventBody, DeviceEvent } from './device.js';
export { MAX_ACKED_BOOTS, MAX_CONFIG_VERSION, Ack, GatewayConfig, configSigningText } from './downlink.js';
export {
  PAYLOAD_SCHEMAS,
  MAX_PAYLOAD_BYTES,
  DECODE_ERROR_CODES,
  type PayloadOf,
  type DecodeErrorCode,
  type DecodeIssue,
  type DecodeError,
  type Decoded,
  type DecodeOptions,
  decodeMessage,
  validatePayload,
  encodePayload,
} from './codec.js';
export { generateJsonSchemas, jsonSchemaFileName } from './json-schema.js';
export { EXAMPLE_PAYLOADS, examplePayload } from './examples.js';
export * from './registry.js';
export * from './methodology.js';
export * from './code-lists.js';
export * from './fleet-status.js';
export * from './emissions-result.js';
export * from './api.js';
export {
  IngestReplicaPresence,
  ingestReplicaTopic,
  storedReadingsTopic,
  StoredReadingSchema,
  StoredReadingsNotice,
} from './platform-channels.js';
export { PlatformPhase } from './platform-phase.js';
export * from './partner-package.js';
