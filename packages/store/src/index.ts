export {
  type StoredReading,
  type RegisterReading,
  type SeriesField,
  type SeriesPoint,
  type DailyCount,
  type DeadLetter,
  type NewDeadLetter,
  type DeadLetterQuery,
  type DeadLetterReason,
  type StoredDeviceMessage,
  type DeviceMessageIdentity,
  type DeviceMessageKind,
  type DeviceMessageQuery,
  DEVICE_MESSAGE_KINDS,
  SERIES_FIELDS,
  FIELD_AGGREGATE,
  DEAD_LETTER_REASONS,
} from './model.js';
export { type TelemetryStore, StoreUnavailableError, StoreSetupError } from './port.js';
export {
  type SeqGap,
  type RegisterSegment,
  byDeviceTime,
  downsample,
  findGaps,
  registerSegments,
} from './derive.js';
export { type SqliteStoreOptions, createSqliteStore } from './sqlite-store.js';
export { type InfluxStoreOptions, createInfluxStore, parseGoDuration } from './influx-store.js';
