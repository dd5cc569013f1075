import { createRegistrySource, type RegistrySource } from '@qt-led/fleet-registry';
import { type Logger, registryLivePath } from '@qt-led/runtime';

/**
 * The registry source of a process, from its variables: the live file (shared under compose), the file
 * to start from, and log lines when another process's upload is put in force or refused.
 */
export function createRegistryModule(
  env: {
    DATA_DIR: string;
    FLEET_REGISTRY_PATH?: string | undefined;
    FLEET_REGISTRY_LIVE_PATH?: string | undefined;
  },
  logger: Logger,
): RegistrySource {
  return createRegistrySource({
    livePath: registryLivePath(env),
    initialPath: env.FLEET_REGISTRY_PATH,
    onReload: (e) => logger.info(e, 'fleet registry replaced by an upload; in force now'),
    onRefused: (err) =>
      logger.error({ err }, 'the uploaded fleet registry is invalid; keeping the one in force'),
  });
}
