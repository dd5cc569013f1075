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
  checkInfluxAuth,
  SHARED_ENV_VARIABLES,
} from './shared-env.js';
export { type Logger, type LoggerOptions, REDACTED_PATHS, createLogger, redactUrl } from './logger.js';
