export {
  type Platform,
  type PlatformOptions,
  type PlatformProgress,
  type ExternalBroker,
  type ExternalInflux,
  type SimulatedFleetOptions,
  DEFAULT_INGEST_TUNING,
  startPlatform,
} from './platform.js';
export { type PlatformConfig, platformEnvSchema, PLATFORM_ENV_VARIABLES } from './config.js';
export { type EmbeddedBroker, type EmbeddedBrokerOptions, startEmbeddedBroker } from './embedded-broker.js';
