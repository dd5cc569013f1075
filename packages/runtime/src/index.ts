export {
  type EnvSource,
  ConfigError,
  loadConfig,
  urlVar,
  intVar,
  boolVar,
  enumVar,
  secretVar,
} from './config.js';
export {
  LOG_LEVELS,
  loggingEnv,
  mqttEnv,
  influxEnv,
  dataEnv,
  registryEnv,
  registryLivePath,
  REGISTRY_LIVE_FILE,
  checkInfluxAuth,
  checkMqttTls,
  SHARED_ENV_VARIABLES,
} from './shared-env.js';
export { type Logger, type LoggerOptions, REDACTED_PATHS, createLogger, redactUrl } from './logger.js';
export {
  type ServiceModule,
  type ModuleStack,
  createModuleStack,
  startModules,
  defineModule,
} from './module.js';
export { type ProcessSpec, runProcess } from './process.js';
export {
  type Random,
  createRandom,
  derivedHexId,
  gaussianAt,
  hash32,
  keyed,
  mulberry32,
  noiseAt,
  randomFrom,
} from './random.js';
export { settlesWithin } from './settles-within.js';
export { mapConcurrent } from './map-concurrent.js';
