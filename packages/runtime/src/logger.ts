import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths whose values never reach a log line: credentials in config objects, HTTP headers and MQTT
 * connect options. pino's redaction is path-based, so the usual places are listed explicitly.
 */
export const REDACTED_PATHS = [
  'password',
  'token',
  'secret',
  '*.password',
  '*.token',
  '*.secret',
  '*.MQTT_PASSWORD',
  '*.INFLUX_PASSWORD',
  '*.INFLUX_TOKEN',
  'MQTT_PASSWORD',
  'INFLUX_PASSWORD',
  'INFLUX_TOKEN',
  '*.SMTP_PASSWORD',
  'SMTP_PASSWORD',
  '*.ALARM_WEBHOOK_AUTHORIZATION',
  'ALARM_WEBHOOK_AUTHORIZATION',
  '*.API_MQTT_PASSWORD',
  'API_MQTT_PASSWORD',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

export interface LoggerOptions {
  /** The process, e.g. `ingest`; each part below it takes `logger.child({ component })`. */
  name: string;
  level: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

/** The one root logger of a process: JSON lines, UTC ISO time, errors under `err`, secrets redacted. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

/** A URL fit for a log line: any user info (`mqtt://user:secret@host`) is replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '[redacted]';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '[unparseable URL]';
  }
}
