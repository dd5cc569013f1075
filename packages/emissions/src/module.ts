import type { RegistryIndex } from '@qt-led/contract';
import { BUILT_IN_METHODOLOGY_IDS, loadBuiltInMethodology } from '@qt-led/jcm';
import type { ServiceModule } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import { createEmissionsService, type EmissionsService, fileIssuedReportStore } from './service.js';

/** The emissions slice of a process's configuration. */
export interface EmissionsModuleConfig {
  /** Where issued reports are kept (their figures are what a restatement is measured against). */
  issuedReportsDir: string;
}

export interface EmissionsModule extends ServiceModule {
  readonly service: EmissionsService;
  /** The methodologies the service knows, the first the default (the API's `variant` parameter). */
  readonly methodologyIds: readonly string[];
}

/** The emissions service with the built-in methodology parameter sets, over the process's store. */
export function createEmissionsModule(
  config: EmissionsModuleConfig,
  deps: { store: TelemetryStore; registry: RegistryIndex; clock: { now(): number } },
): EmissionsModule {
  const methodologies = new Map(
    BUILT_IN_METHODOLOGY_IDS.map((id) => [id as string, loadBuiltInMethodology(id)] as const),
  );
  const service = createEmissionsService({
    store: deps.store,
    registry: deps.registry,
    methodologies,
    issued: fileIssuedReportStore(config.issuedReportsDir),
    clock: deps.clock,
  });
  return {
    name: 'emissions',
    service,
    methodologyIds: [...methodologies.keys()],
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
  };
}
