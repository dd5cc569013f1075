export {
  type EmissionsRequest,
  type EmissionsReport,
  type EmissionsService,
  type EmissionsServiceDeps,
  type IssuedReport,
  type IssuedReportStore,
  type ResultArchive,
  DEFAULT_RESULT_ARCHIVE_BYTES,
  DEFAULT_RESULT_ARCHIVE_ENTRIES,
  createEmissionsService,
  fileIssuedReportStore,
  fileResultArchive,
} from './service.js';
export {
  type GatherOptions,
  DEFAULT_GATHER_OPTIONS,
  gatherFleetInput,
  gatherVesselInput,
  lampOnIntervals,
} from './gather.js';
export { type VesselDay, type VesselDayCache, createVesselDayCache } from './vessel-days.js';
export {
  type VesselDayArchive,
  type VesselDayArchiveOptions,
  DEFAULT_ARCHIVE_MAX_BYTES,
  openVesselDayArchive,
  storeIdentity,
} from './day-archive.js';
export {
  type ReportEngine,
  type ReportEngineOptions,
  type ReportJob,
  type ReportOutcome,
  DEFAULT_VESSEL_DAY_CACHE_BYTES,
  createReportEngine,
} from './report-engine.js';
export {
  type EmissionsWorkerPool,
  type EmissionsWorkerPoolOptions,
  DEFAULT_EMISSIONS_QUEUE_LIMIT,
  DEFAULT_EMISSIONS_TIMEOUT_MS,
  DEFAULT_EMISSIONS_WORKERS,
  createEmissionsWorkerPool,
} from './worker-pool.js';
export { EmissionsBusyError, EmissionsWorkerError } from './errors.js';
export { type EmissionsModule, type EmissionsModuleConfig, createEmissionsModule } from './module.js';
