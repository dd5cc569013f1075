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
  type VesselOverview,
  type FleetStatusDeps,
  AlarmNotFoundError,
  AlarmStateError,
} from './model.js';
export { FleetStatusConfig, DEFAULT_FLEET_STATUS_CONFIG, parseFleetStatusConfig } from './config.js';
export { type FleetStatusServiceImpl, createFleetStatusService } from './service.js';
export {
  type AlarmCondition,
  type AlarmFinding,
  type AlarmRule,
  VESSEL_ALARM_RULES,
  FLEET_ALARM_RULES,
  applyAlarmRule,
  alarmConditions,
} from './alarm-rules.js';
export {
  type VesselEvidence,
  type FleetEvidence,
  type GatewayAssignment,
  type EvidenceGatherer,
  type EvidenceGathererDeps,
  createEvidenceGatherer,
} from './evidence-gatherer.js';
export { type VesselStateTracker, createVesselStateTracker } from './vessel-state.js';
export {
  type NotificationCounts,
  type NotificationDispatcher,
  type NotificationDispatcherDeps,
  createNotificationDispatcher,
} from './notification-dispatcher.js';
export { type Notifier, type AlarmNotice, takesAlarmType } from './notifiers/notifier.js';
export {
  alarmNotificationEnv,
  type AlarmNotificationConfig,
  ALARM_NOTIFICATION_ENV_VARIABLES,
  checkAlarmNotificationEnv,
  notifiersFromConfig,
} from './notifiers/config.js';
export { type WebhookNotifierOptions, createWebhookNotifier } from './notifiers/webhook.js';
export { type EmailNotifierOptions, createEmailNotifier } from './notifiers/email.js';
export { type AlarmStore, openAlarmStore } from './alarm-store.js';
export { STATUS_PRIORITY, deriveVesselStatus, assessClock, assessBacklog } from './status.js';
export { type LedAssessment, assessLed, ledBaseline } from './led.js';
export { deriveTrips } from './trips.js';
export { deriveNights } from './nights.js';
export { completenessMatrix } from './completeness.js';
export { type LatLon, type Port, HOME_PORTS, haversineNm, offshoreNm, nearestPort } from './geo.js';
export { type FleetStatusModule, type FleetStatusModuleConfig, createFleetStatusModule } from './module.js';
