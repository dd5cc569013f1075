import { fileURLToPath } from 'node:url';

/**
 * The broker delivery settings production uses (persistence, unlimited queues, packet size). The harness
 * includes this directory rather than copying its options, so tests always run with the shipped settings.
 */
export const DELIVERY_CONF_DIR = fileURLToPath(new URL('../../../deploy/mosquitto/conf.d', import.meta.url));

export interface HarnessMosquittoConfig {
  /** `listener` value: `<port> [<bind address>]`. */
  listener: string;
  /** Directory for mosquitto.db, with a trailing slash. */
  persistenceLocation: string;
  /** A log file, or `stderr` (never stdout, which mosquitto block-buffers when it is not a TTY). */
  logDest: { file: string } | 'stderr';
  includeDir: string;
  /**
   * Started as root, mosquitto 2 switches to the `mosquitto` user, which cannot write to a 0700 temp dir
   * made by root; it then fails to save its persistence file, and says so only at the next save.
   */
  keepRoot: boolean;
}

/** The main configuration of a harness broker: only what differs from production; delivery settings are included. */
export function harnessMosquittoConfig(config: HarnessMosquittoConfig): string {
  for (const value of [config.listener, config.persistenceLocation, config.includeDir]) {
    if (/[\r\n]/u.test(value))
      throw new Error(`mosquitto config value must be one line: ${JSON.stringify(value)}`);
  }
  return [
    '# Written by @qt-led/test-harness for one test run. Delivery settings come from the repository (include_dir).',
    ...(config.keepRoot ? ['user root'] : []),
    'per_listener_settings false',
    `listener ${config.listener}`,
    'allow_anonymous true',
    `persistence_location ${config.persistenceLocation}`,
    config.logDest === 'stderr' ? 'log_dest stderr' : `log_dest file ${config.logDest.file}`,
    'log_timestamp_format %Y-%m-%dT%H:%M:%S',
    `include_dir ${config.includeDir}`,
    '',
  ].join('\n');
}
