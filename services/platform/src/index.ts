export {
  type Platform,
  type PlatformOptions,
  type PlatformProgress,
  type ExternalBroker,
  type SimulatedFleetOptions,
  DEFAULT_INGEST_TUNING,
  startPlatform,
} from './platform.js';
export { type PlatformConfig, platformEnvSchema, PLATFORM_ENV_VARIABLES } from './config.js';
export { type SimulatedFleetModule, createSimulatedFleetModule } from './simulated-fleet.js';
export { type PlatformEnv, platformOptionsFrom } from './options.js';
export {
  BROKER_GATEWAY_LOGINS_FILE,
  BROKER_PLATFORM_LOGIN_FILE,
  BROKER_SECRET_FILE,
  embeddedBrokerLogins,
} from './broker-logins.js';
