import {
  createGatewayAssignmentsSource,
  createRegistrySource,
  type GatewayAssignmentsSource,
  type RegistrySource,
  type RegistrySourceOptions,
} from '@qt-led/fleet-registry';
import { type Logger, registryLivePath } from '@qt-led/runtime';

interface RegistryEnv {
  DATA_DIR: string;
  FLEET_REGISTRY_PATH?: string | undefined;
  FLEET_REGISTRY_LIVE_PATH?: string | undefined;
}

/**
 * The registry source of a process, from its variables: the live file (shared under compose), the file
 * to start from, and log lines when another process's upload is put in force or refused.
 */
export function createRegistryModule(env: RegistryEnv, logger: Logger): RegistrySource {
  return createRegistrySource(registrySourceOptions(env, logger));
}

/**
 * The same, for a process that only ingests: only which gateway each vessel carried when, from the same
 * files, replaced the same way by another process's upload.
 */
export function createGatewayAssignmentsModule(env: RegistryEnv, logger: Logger): GatewayAssignmentsSource {
  return createGatewayAssignmentsSource(registrySourceOptions(env, logger));
}

function registrySourceOptions(env: RegistryEnv, logger: Logger): RegistrySourceOptions {
  return {
    livePath: registryLivePath(env),
    initialPath: env.FLEET_REGISTRY_PATH,
    onReload: (e) => logger.info(e, 'fleet registry replaced by an upload; in force now'),
    onRefused: (err) =>
      logger.error({ err }, 'the uploaded fleet registry is invalid; keeping the one in force'),
  };
}
