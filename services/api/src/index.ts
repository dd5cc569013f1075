export { buildApi } from './app.js';
export { type ApiDeps, type ApiOptions, type Clock, type IngestHealth, DEFAULT_API_OPTIONS } from './deps.js';
export { type RegistryHolder, createRegistryHolder } from './registry-holder.js';
export { type LiveReadings, type LiveReadingsHub, createLiveReadingsHub } from './live-readings.js';
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
export { REGISTRY_FILE } from './routes/registry.js';
export { STREAM_EVENTS } from './routes/stream.js';
export { apiEnvSchema, API_ENV_VARIABLES, type ApiConfig } from './config.js';
