export { buildApi } from './app.js';
export { type ApiDeps, type ApiOptions, type Clock, type IngestHealth, DEFAULT_API_OPTIONS } from './deps.js';
export {
  type LiveReadings,
  type LiveReadingsHub,
  createLiveReadingsHub,
  createMqttLiveReadings,
} from './live-readings.js';
export { type IngestOperations } from './ingest-operations.js';
export { type ApiModule, type ApiModuleConfig, type ApiModuleDeps, createApiModule } from './module.js';
export { type ApiSide, type ApiSideConfig, addApiSide, apiSideConfigFrom } from './assemble.js';
export {
  ROLES,
  SCOPES,
  ROUTE_PERMISSIONS,
  type Role,
  type Scope,
  type RouteAccess,
  type RouteKey,
} from './auth/permissions.js';
export { INITIAL_ADMIN_FILE } from './auth/first-admin.js';
export { STREAM_EVENTS } from './routes/stream.js';
export { apiEnvSchema, API_ENV_VARIABLES, type ApiConfig, checkApiTls } from './config.js';
