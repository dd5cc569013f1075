export {
  type EmissionsRequest,
  type EmissionsReport,
  type EmissionsService,
  type EmissionsServiceDeps,
  type IssuedReport,
  type IssuedReportStore,
  createEmissionsService,
  fileIssuedReportStore,
} from './service.js';
export { type GatherOptions, DEFAULT_GATHER_OPTIONS, gatherVesselInput, lampOnIntervals } from './gather.js';
export { type EmissionsModule, type EmissionsModuleConfig, createEmissionsModule } from './module.js';
