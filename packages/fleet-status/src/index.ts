export {
  VESSEL_STATUS_CODES,
  type VesselStatusCode,
  type VesselStatus,
  type VesselStatusEvidence,
  type Trip,
  type FishingNight,
  type CompletenessCell,
  type CompletenessMatrix,
  ALARM_TYPES,
  ALARM_STATES,
  type AlarmType,
  type AlarmState,
  type AlarmNotification,
  type Alarm,
  type AlarmQuery,
  type PeriodQuery,
  type FleetChange,
  type FleetStatusService,
  type FleetStatusDeps,
  AlarmNotFoundError,
  AlarmStateError,
} from './model.js';
export { FleetStatusConfig, DEFAULT_FLEET_STATUS_CONFIG, parseFleetStatusConfig } from './config.js';
export {
  type FleetStatusServiceImpl,
  type NotificationCounts,
  type AlarmCondition,
  createFleetStatusService,
} from './service.js';
export { type Notifier, type AlarmNotice } from './notifiers/notifier.js';
export { type WebhookNotifierOptions, createWebhookNotifier } from './notifiers/webhook.js';
export { type EmailNotifierOptions, createEmailNotifier } from './notifiers/email.js';
export { type AlarmStore, openAlarmStore } from './alarm-store.js';
export { STATUS_PRIORITY, deriveVesselStatus, assessClock, assessBacklog } from './status.js';
export { type LedAssessment, assessLed, ledBaseline } from './led.js';
export { deriveTrips } from './trips.js';
export { deriveNights } from './nights.js';
export { completenessMatrix } from './completeness.js';
export { type LatLon, type Port, HOME_PORTS, haversineNm, offshoreNm, nearestPort } from './geo.js';
