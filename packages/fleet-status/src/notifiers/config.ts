import { boolVar, intVar, secretVar, urlVar } from '@qt-led/runtime';
import { z } from 'zod';
import { ALARM_TYPES, type AlarmType } from '../model.js';
import { createEmailNotifier } from './email.js';
import type { Notifier } from './notifier.js';
import { createWebhookNotifier } from './webhook.js';

const EXAMPLE_BY_TYPE = 'led-fault=tech@x.vn,ops@x.vn;gateway-silent=ops@x.vn';
const isAddress = (value: string): boolean => z.email().safeParse(value).success;

/** `a@x.vn, b@x.vn` → the addresses; the first that is none is named in the error. */
function parseAddressList(value: string): { addresses: string[] } | { error: string } {
  const addresses = value
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  const bad = addresses.find((a) => !isAddress(a));
  if (bad !== undefined) return { error: `"${bad}" is not an e-mail address` };
  if (addresses.length === 0) return { error: 'expected at least one e-mail address' };
  return { addresses };
}

const addressListVar = () =>
  z
    .string()
    .transform((value, ctx) => {
      const parsed = parseAddressList(value);
      if ('addresses' in parsed) return parsed.addresses;
      ctx.addIssue({
        code: 'custom',
        message: `expected comma-separated e-mail addresses, e.g. ops@x.vn,tech@x.vn: ${parsed.error}`,
      });
      return z.NEVER;
    })
    .optional()
    .transform((v) => v ?? []);

/** `type=a@x,b@x;type=c@x` → recipients per alarm type; each problem named with its entry. */
function parseRecipientsByType(
  value: string,
): { byType: Partial<Record<AlarmType, string[]>> } | { error: string } {
  const byType: Partial<Record<AlarmType, string[]>> = {};
  for (const entry of value.split(';').map((e) => e.trim())) {
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq < 0) return { error: `"${entry}" is not type=addresses` };
    const type = entry.slice(0, eq).trim();
    if (!(ALARM_TYPES as readonly string[]).includes(type)) {
      return { error: `unknown alarm type "${type}" (expected one of ${ALARM_TYPES.join(', ')})` };
    }
    if (byType[type as AlarmType] !== undefined) return { error: `alarm type ${type} is listed twice` };
    const list = parseAddressList(entry.slice(eq + 1));
    if ('error' in list) return { error: `${type}: ${list.error}` };
    byType[type as AlarmType] = list.addresses;
  }
  return { byType };
}

const recipientsByTypeVar = () =>
  z
    .string()
    .transform((value, ctx) => {
      const parsed = parseRecipientsByType(value);
      if ('byType' in parsed) return parsed.byType;
      ctx.addIssue({
        code: 'custom',
        message: `expected alarm-type=addresses entries separated by ;, e.g. ${EXAMPLE_BY_TYPE}: ${parsed.error}`,
      });
      return z.NEVER;
    })
    .optional()
    .transform((v) => v ?? {});

/**
 * Where alarms are sent, from the environment: a variable fragment for the schema of every process that
 * evaluates alarms (the API, the platform), so that each of them can notify. Call
 * {@link checkAlarmNotificationEnv} from the schema's superRefine for the rules across variables.
 */
export const alarmNotificationEnv = {
  /** Unset: no webhook. Receives `{ schema, event, alarm }` as JSON. */
  ALARM_WEBHOOK_URL: urlVar(['http', 'https']).optional(),
  /** Sent as the Authorization header of the webhook, e.g. `Bearer …`. */
  ALARM_WEBHOOK_AUTHORIZATION: secretVar().optional(),
  /** Unset: no e-mail. */
  SMTP_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:-]+$/, 'expected a host name or IP address without scheme, e.g. smtp.example.vn')
    .optional(),
  SMTP_PORT: intVar({ min: 1, max: 65_535, default: 587 }),
  /** TLS from the first byte (port 465); false: STARTTLS on a plain connection. */
  SMTP_SECURE: boolVar(false),
  /** Refuse to send over a connection that did not upgrade with STARTTLS. */
  SMTP_REQUIRE_TLS: boolVar(true),
  SMTP_USERNAME: z.string().min(1).optional(),
  SMTP_PASSWORD: secretVar().optional(),
  /** Sender of alarm e-mails: an address or `Name <address>`. */
  ALARM_EMAIL_FROM: z
    .string()
    .refine((value) => isAddress(/<([^<>]+)>\s*$/.exec(value)?.[1] ?? value), {
      message: 'expected an e-mail address or Name <address>, e.g. QT-LED alarms <alarms@x.vn>',
    })
    .optional(),
  /** Recipients of every alarm type that has no list in ALARM_EMAIL_TO_BY_TYPE. */
  ALARM_EMAIL_TO: addressListVar(),
  /** Recipients per alarm type, instead of ALARM_EMAIL_TO for that type. */
  ALARM_EMAIL_TO_BY_TYPE: recipientsByTypeVar(),
};

/** The alarm notification variables once parsed. */
export type AlarmNotificationConfig = z.output<z.ZodObject<typeof alarmNotificationEnv>>;

/** The names of the alarm notification variables; `.env.example` documents each. */
export const ALARM_NOTIFICATION_ENV_VARIABLES = Object.keys(alarmNotificationEnv);

type Frozen<T> = T extends readonly (infer U)[]
  ? readonly Frozen<U>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;

/**
 * Rules across the notification variables: e-mail needs a sender and a recipient, SMTP credentials go in
 * pairs, and a setting that would be ignored (a part without the host or URL it belongs to) is an error,
 * so a half-configured channel is not silently dropped.
 */
export function checkAlarmNotificationEnv(
  env: {
    ALARM_WEBHOOK_URL?: string | undefined;
    ALARM_WEBHOOK_AUTHORIZATION?: string | undefined;
    SMTP_HOST?: string | undefined;
    SMTP_USERNAME?: string | undefined;
    SMTP_PASSWORD?: string | undefined;
    ALARM_EMAIL_FROM?: string | undefined;
    ALARM_EMAIL_TO?: readonly string[] | undefined;
    ALARM_EMAIL_TO_BY_TYPE?: Frozen<Partial<Record<AlarmType, string[]>>> | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  const issue = (variable: string, message: string): void => {
    ctx.addIssue({ code: 'custom', path: [variable], message });
  };
  if (env.ALARM_WEBHOOK_AUTHORIZATION !== undefined && env.ALARM_WEBHOOK_URL === undefined) {
    issue(
      'ALARM_WEBHOOK_AUTHORIZATION',
      'set ALARM_WEBHOOK_URL too, or leave this unset: there is no webhook',
    );
  }
  const emailSettings: [string, boolean][] = [
    ['SMTP_USERNAME', env.SMTP_USERNAME !== undefined],
    ['SMTP_PASSWORD', env.SMTP_PASSWORD !== undefined],
    ['ALARM_EMAIL_FROM', env.ALARM_EMAIL_FROM !== undefined],
    ['ALARM_EMAIL_TO', (env.ALARM_EMAIL_TO ?? []).length > 0],
    ['ALARM_EMAIL_TO_BY_TYPE', Object.keys(env.ALARM_EMAIL_TO_BY_TYPE ?? {}).length > 0],
  ];
  const isSet = (name: string): boolean => emailSettings.some(([n, set]) => n === name && set);
  if (env.SMTP_HOST !== undefined) {
    if (!isSet('ALARM_EMAIL_FROM')) {
      issue('ALARM_EMAIL_FROM', 'required when SMTP_HOST is set: the sender of alarm e-mails');
    }
    if (!isSet('ALARM_EMAIL_TO') && !isSet('ALARM_EMAIL_TO_BY_TYPE')) {
      issue(
        'ALARM_EMAIL_TO',
        'SMTP_HOST is set: give recipients in ALARM_EMAIL_TO and/or ALARM_EMAIL_TO_BY_TYPE',
      );
    }
  } else {
    for (const [name, set] of emailSettings) {
      if (set)
        issue(name, 'set SMTP_HOST too, or leave this unset: no alarm e-mail is sent without SMTP_HOST');
    }
  }
  if ((env.SMTP_USERNAME === undefined) !== (env.SMTP_PASSWORD === undefined)) {
    issue(
      env.SMTP_USERNAME === undefined ? 'SMTP_USERNAME' : 'SMTP_PASSWORD',
      'SMTP_USERNAME and SMTP_PASSWORD go together',
    );
  }
}

/**
 * The notifiers the configuration asks for: a webhook (channel `webhook`) when ALARM_WEBHOOK_URL is set,
 * an e-mail notifier (channel `email`) when SMTP_HOST is set, sending each alarm to the recipients of its
 * type (else ALARM_EMAIL_TO) and taking only the types that have one.
 */
export function notifiersFromConfig(config: Frozen<AlarmNotificationConfig>): Notifier[] {
  const out: Notifier[] = [];
  if (config.ALARM_WEBHOOK_URL !== undefined) {
    out.push(
      createWebhookNotifier({
        url: config.ALARM_WEBHOOK_URL,
        ...(config.ALARM_WEBHOOK_AUTHORIZATION === undefined
          ? {}
          : { headers: { authorization: config.ALARM_WEBHOOK_AUTHORIZATION } }),
      }),
    );
  }
  if (config.SMTP_HOST !== undefined) {
    if (config.ALARM_EMAIL_FROM === undefined) {
      throw new RangeError('SMTP_HOST is set without ALARM_EMAIL_FROM (checkAlarmNotificationEnv says so)');
    }
    out.push(
      createEmailNotifier({
        host: config.SMTP_HOST,
        port: config.SMTP_PORT,
        secure: config.SMTP_SECURE,
        requireTls: config.SMTP_REQUIRE_TLS,
        ...(config.SMTP_USERNAME === undefined || config.SMTP_PASSWORD === undefined
          ? {}
          : { auth: { user: config.SMTP_USERNAME, pass: config.SMTP_PASSWORD } }),
        from: config.ALARM_EMAIL_FROM,
        to: config.ALARM_EMAIL_TO,
        toByType: config.ALARM_EMAIL_TO_BY_TYPE,
      }),
    );
  }
  return out;
}
