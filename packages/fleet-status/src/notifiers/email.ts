import nodemailer from 'nodemailer';
import { type Alarm, ALARM_TYPES, type AlarmType } from '../model.js';
import type { AlarmNotice, Notifier } from './notifier.js';

export interface EmailNotifierOptions {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure?: boolean;
  /** Refuse to send without STARTTLS (production); tests against a local sink leave it off. */
  requireTls?: boolean;
  auth?: { user: string; pass: string };
  from: string;
  /** Recipients of every alarm type without its own list in `toByType`. */
  to?: readonly string[];
  /** Recipients per alarm type, instead of `to`. A type with no recipient at all is not e-mailed. */
  toByType?: Partial<Record<AlarmType, readonly string[]>>;
  channel?: string;
  timeoutMs?: number;
}

const TITLES: Record<Alarm['type'], string> = {
  'led-fault': 'LED fault',
  'gateway-silent': 'Gateway silent',
  'clock-skew': 'Gateway clock fault',
  'backlog-growing': 'Gateway backlog growing',
  'data-gap': 'Data gap',
  'registry-mismatch': 'Registry mismatch',
  'readings-dropped': 'Gateway disk full: readings dropped',
};

/**
 * A plain-text e-mail per alarm event through an SMTP server (nodemailer), to the recipients of the alarm's
 * type. It declares the types that have recipients, so the service hands it only those.
 */
export function createEmailNotifier(options: EmailNotifierOptions): Notifier {
  const recipientsOf = (type: AlarmType): readonly string[] => options.toByType?.[type] ?? options.to ?? [];
  const alarmTypes = ALARM_TYPES.filter((type) => recipientsOf(type).length > 0);
  if (alarmTypes.length === 0) throw new RangeError('the e-mail notifier needs at least one recipient');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure ?? false,
    requireTLS: options.requireTls ?? false,
    ...(options.auth === undefined ? {} : { auth: options.auth }),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    channel: options.channel ?? 'email',
    alarmTypes,
    async send({ event, alarm }: AlarmNotice) {
      const to = recipientsOf(alarm.type);
      if (to.length === 0) throw new RangeError(`no e-mail recipient for ${alarm.type} alarms`);
      const title = TITLES[alarm.type];
      const subject = `[QT-LED] ${title} ${event}${alarm.vesselId === null ? '' : `: ${alarm.vesselId}`}`;
      const lines = [
        `${title} ${event} for ${alarm.vesselId ?? 'the fleet'}.`,
        '',
        alarm.detail,
        '',
        `Raised: ${new Date(alarm.raisedAtMs).toISOString()}`,
        ...(alarm.clearedAtMs === null ? [] : [`Cleared: ${new Date(alarm.clearedAtMs).toISOString()}`]),
        ...(alarm.acknowledgedBy === null ? [] : [`Acknowledged by: ${alarm.acknowledgedBy}`]),
        `Alarm id: ${alarm.id}`,
        '',
        'Evidence:',
        JSON.stringify(alarm.evidence, null, 2),
      ];
      await transport.sendMail({ from: options.from, to: [...to], subject, text: lines.join('\n') });
    },
    close() {
      transport.close();
      return Promise.resolve();
    },
  };
}
