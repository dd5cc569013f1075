export { csvField, csvRecord, csvFile, parseCsv, type CsvCell } from './csv.js';
export { utcOffsetAt, zonedIso } from './zone-time.js';
export type { PackageFigures, NightFigure, LampFaultFigure, LedPerformanceData } from './figures.js';
export {
  type BuildPackageInput,
  type BuiltPackage,
  FIGURES_FILE,
  MANIFEST_FILE,
  PUBLIC_KEY_FILE,
  README_FILE,
  SIGNATURE_FILE,
  WORKBOOK_FILE,
  buildPackage,
  packageIdOf,
} from './build.js';
export {
  type PackageSigner,
  groupedFingerprint,
  loadOrCreatePackageSigner,
  publicKeyFingerprint,
  signerFromPrivateKey,
  verifySignature,
} from './signing.js';
export { type VerifyOptions, type VerifyProblem, type VerifyReport, verifyPackage } from './verify.js';
export { readPackageFiles, zipPackage } from './package-files.js';
export { type Outbox, type PackageReceipt, openOutbox, parsePackageId } from './outbox.js';
export {
  DEFAULT_PACKAGES_CONFIG,
  PackagesConfig,
  PartnerSchedule,
  deliveryTargetsOf,
  loadPackagesConfig,
} from './config.js';
export { type DeliveryOutcome, type DeliveryTarget, deliverPending } from './delivery.js';
export {
  type IssueOutcome,
  type PackageScheduler,
  type PackageSchedulerDeps,
  type PackageSources,
  type ScheduleView,
  createPackageScheduler,
  lastDueMonth,
  nextMonth,
} from './scheduler.js';
export { type PackageSourceServices, createPackageSources } from './sources.js';
export { type PackagesModule, type PackagesModuleConfig, createPackagesModule } from './module.js';
