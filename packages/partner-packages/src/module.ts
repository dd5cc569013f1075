import type { Logger, ServiceModule } from '@qt-led/runtime';
import type { PartnerId } from '@qt-led/contract';
import type { PackagesConfig } from './config.js';
import type { DeliveryTarget } from './delivery.js';
import { openOutbox } from './outbox.js';
import { createPackageScheduler, type PackageScheduler, type PackageSources } from './scheduler.js';
import { loadOrCreatePackageSigner } from './signing.js';

/** The partner packages' slice of a process's configuration. */
export interface PackagesModuleConfig {
  /** Where issued packages are kept (and served from): `<DATA_DIR>/outbox` by default. */
  outboxDir: string;
  /** The Ed25519 signing key (PKCS#8 PEM), generated there on first start with mode 0600. */
  signingKeyPath: string;
  schedule: PackagesConfig;
  /** Partners whose packages are pushed to their endpoint (`deliveryTargetsOf`). */
  deliveries: ReadonlyMap<PartnerId, DeliveryTarget>;
  /**
   * Whether this process runs the schedule's passes. Compose runs them in a process of their own and the
   * API only serves packages and issues on an analyst's request; the embedded default runs both.
   */
  periodic: boolean;
}

export interface PackagesModule extends ServiceModule {
  /** The scheduler (issue now, the schedule, the outbox, the signer); there once the module started. */
  readonly scheduler: PackageScheduler;
}

export function createPackagesModule(
  config: PackagesModuleConfig,
  deps: {
    sources: PackageSources;
    clock: { now(): number };
    logger: Logger;
    /** The periodic passes start when this resolves (the embedded default: at "Live now"). */
    startFrom?: Promise<void>;
  },
): PackagesModule {
  let scheduler: PackageScheduler | undefined;
  return {
    name: 'partner packages',
    get scheduler() {
      if (scheduler === undefined) throw new Error('the partner packages module has not started');
      return scheduler;
    },
    async start() {
      const signer = await loadOrCreatePackageSigner(config.signingKeyPath);
      scheduler = createPackageScheduler(config.schedule, {
        sources: deps.sources,
        outbox: openOutbox(config.outboxDir),
        signer,
        clock: deps.clock,
        logger: deps.logger,
        deliveries: config.deliveries,
        ...(deps.startFrom === undefined ? {} : { startFrom: deps.startFrom }),
      });
      if (config.periodic) await scheduler.start();
      else
        deps.logger.info(
          { fingerprint: signer.fingerprint, outbox: config.outboxDir },
          'partner packages served here; the schedule runs in the scheduler process',
        );
    },
    async stop() {
      await scheduler?.stop();
    },
  };
}
