import { ConfigError, createLogger, type EnvSource, loadConfig } from '@qt-led/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AlarmCondition } from '../alarm-rules.js';
import { openAlarmStore } from '../alarm-store.js';
import { applyAlarmConditions } from '../alarm-transitions.js';
import { ALARM_TYPES, type AlarmType } from '../model.js';
import { createNotificationDispatcher } from '../notification-dispatcher.js';
import { type HttpReceiver, type SmtpSink, startHttpReceiver, startSmtpSink } from '@qt-led/test-harness';
import { VESSEL } from '../testing/readings.js';
import {
  ALARM_NOTIFICATION_ENV_VARIABLES,
  alarmNotificationEnv,
  checkAlarmNotificationEnv,
  notifiersFromConfig,
} from './config.js';

// As a process composes it: the fragment in its schema, the cross-variable check in its superRefine.
const schema = z.object({ ...alarmNotificationEnv }).superRefine(checkAlarmNotificationEnv);
const load = (env: EnvSource) => loadConfig('api', schema, env);

function problemsOf(env: EnvSource): { variable: string; message: string }[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

const SMTP = { SMTP_HOST: 'smtp.example.vn', ALARM_EMAIL_FROM: 'alarms@qtled.example' };

describe('alarm notification configuration', () => {
  it('names its variables', () => {
    expect(ALARM_NOTIFICATION_ENV_VARIABLES).toEqual([
      'ALARM_WEBHOOK_URL',
      'ALARM_WEBHOOK_AUTHORIZATION',
      'SMTP_HOST',
      'SMTP_PORT',
      'SMTP_SECURE',
      'SMTP_REQUIRE_TLS',
      'SMTP_USERNAME',
      'SMTP_PASSWORD',
      'ALARM_EMAIL_FROM',
      'ALARM_EMAIL_TO',
      'ALARM_EMAIL_TO_BY_TYPE',
    ]);
  });

  it('notifies nobody when nothing is set, with production-safe SMTP defaults', () => {
    const config = load({});
    expect(config).toEqual({
      SMTP_PORT: 587,
      SMTP_SECURE: false,
      SMTP_REQUIRE_TLS: true,
      ALARM_EMAIL_TO: [],
      ALARM_EMAIL_TO_BY_TYPE: {},
    });
    expect(notifiersFromConfig(config)).toEqual([]);
  });

  it('parses a full configuration', () => {
    const config = load({
      ALARM_WEBHOOK_URL: 'https://ops.example.vn/hooks/alarms',
      ALARM_WEBHOOK_AUTHORIZATION: 'Bearer s3cret',
      SMTP_HOST: 'smtp.example.vn',
      SMTP_PORT: '465',
      SMTP_SECURE: 'true',
      SMTP_REQUIRE_TLS: 'no',
      SMTP_USERNAME: 'alarms',
      SMTP_PASSWORD: 'pw',
      ALARM_EMAIL_FROM: 'QT-LED alarms <alarms@qtled.example>',
      ALARM_EMAIL_TO: ' ops@x.vn , duty@x.vn,',
      ALARM_EMAIL_TO_BY_TYPE: 'led-fault=tech@x.vn,ops@x.vn; gateway-silent = ops@x.vn ;',
    });
    expect(config).toMatchObject({
      SMTP_PORT: 465,
      SMTP_SECURE: true,
      SMTP_REQUIRE_TLS: false,
      ALARM_EMAIL_TO: ['ops@x.vn', 'duty@x.vn'],
      ALARM_EMAIL_TO_BY_TYPE: { 'led-fault': ['tech@x.vn', 'ops@x.vn'], 'gateway-silent': ['ops@x.vn'] },
    });
    const notifiers = notifiersFromConfig(config);
    expect(notifiers.map((n) => n.channel)).toEqual(['webhook', 'email']);
    // ALARM_EMAIL_TO catches every type the per-type list leaves out.
    expect(notifiers[1]?.alarmTypes).toHaveLength(ALARM_TYPES.length);
  });

  it('rejects bad values, each named with its variable', () => {
    const problems = problemsOf({
      ALARM_WEBHOOK_URL: 'ftp://ops.example.vn',
      SMTP_HOST: 'smtp://smtp.example.vn',
      SMTP_PORT: '0',
      SMTP_SECURE: 'maybe',
      ALARM_EMAIL_FROM: 'alarms at qtled',
      ALARM_EMAIL_TO: 'ops@x.vn,not-an-address',
      ALARM_EMAIL_TO_BY_TYPE: 'led-fault=tech@x.vn;lamp-broken=ops@x.vn',
    });
    const byVariable = Object.fromEntries(problems.map((p) => [p.variable, p.message]));
    expect(byVariable).toEqual({
      ALARM_WEBHOOK_URL: 'expected a URL with scheme http:// or https://',
      SMTP_HOST: 'expected a host name or IP address without scheme, e.g. smtp.example.vn',
      SMTP_PORT: 'expected a whole number between 1 and 65535',
      SMTP_SECURE: 'expected true or false',
      ALARM_EMAIL_FROM: 'expected an e-mail address or Name <address>, e.g. QT-LED alarms <alarms@x.vn>',
      ALARM_EMAIL_TO:
        'expected comma-separated e-mail addresses, e.g. ops@x.vn,tech@x.vn: "not-an-address" is not an e-mail address',
      ALARM_EMAIL_TO_BY_TYPE: expect.stringContaining(
        'unknown alarm type "lamp-broken" (expected one of led-fault, gateway-silent, clock-skew, backlog-growing, data-gap, registry-mismatch, readings-dropped)',
      ) as string,
    });
    expect(problems).toHaveLength(7);
    expect(() => load({ ALARM_EMAIL_TO: 'ops@x.vn;duty@x.vn' })).toThrow(
      /api: configuration is invalid \(1 problem\); see \.env\.example\n {2}ALARM_EMAIL_TO: expected comma-separated/,
    );
  });

  it('explains what is wrong inside ALARM_EMAIL_TO_BY_TYPE', () => {
    const messageOf = (value: string) => {
      const problems = problemsOf({ ...SMTP, ALARM_EMAIL_TO_BY_TYPE: value });
      expect(problems.map((p) => p.variable)).toEqual(['ALARM_EMAIL_TO_BY_TYPE']);
      return problems[0]?.message;
    };
    const prefix =
      'expected alarm-type=addresses entries separated by ;, e.g. led-fault=tech@x.vn,ops@x.vn;gateway-silent=ops@x.vn: ';
    expect(messageOf('led-fault=tech@x.vn,tech-at-x')).toBe(
      `${prefix}led-fault: "tech-at-x" is not an e-mail address`,
    );
    expect(messageOf('led-fault')).toBe(`${prefix}"led-fault" is not type=addresses`);
    expect(messageOf('led-fault=')).toBe(`${prefix}led-fault: expected at least one e-mail address`);
    expect(messageOf('data-gap=a@x.vn;data-gap=b@x.vn')).toBe(`${prefix}alarm type data-gap is listed twice`);
  });

  it('checks the variables that go together', () => {
    expect(problemsOf({ SMTP_HOST: 'smtp.example.vn' })).toEqual([
      {
        variable: 'ALARM_EMAIL_FROM',
        message: 'required when SMTP_HOST is set: the sender of alarm e-mails',
      },
      {
        variable: 'ALARM_EMAIL_TO',
        message: 'SMTP_HOST is set: give recipients in ALARM_EMAIL_TO and/or ALARM_EMAIL_TO_BY_TYPE',
      },
    ]);
    expect(problemsOf({ ...SMTP, ALARM_EMAIL_TO: 'ops@x.vn', SMTP_USERNAME: 'alarms' })).toEqual([
      { variable: 'SMTP_PASSWORD', message: 'SMTP_USERNAME and SMTP_PASSWORD go together' },
    ]);
    // A recipient per type is enough.
    expect(load({ ...SMTP, ALARM_EMAIL_TO_BY_TYPE: 'led-fault=tech@x.vn' }).SMTP_HOST).toBe(
      'smtp.example.vn',
    );
    // Settings that would be ignored are refused: a forgotten SMTP_HOST or URL is not silence.
    expect(problemsOf({ ALARM_EMAIL_TO: 'ops@x.vn', ALARM_WEBHOOK_AUTHORIZATION: 'Bearer t' })).toEqual([
      {
        variable: 'ALARM_WEBHOOK_AUTHORIZATION',
        message: 'set ALARM_WEBHOOK_URL too, or leave this unset: there is no webhook',
      },
      {
        variable: 'ALARM_EMAIL_TO',
        message: 'set SMTP_HOST too, or leave this unset: no alarm e-mail is sent without SMTP_HOST',
      },
    ]);
  });
});

describe('notifiers from the configuration, with real receivers', () => {
  let hook: HttpReceiver;
  let smtp: SmtpSink;
  beforeAll(async () => {
    hook = await startHttpReceiver(200);
    smtp = await startSmtpSink();
  });
  afterAll(async () => {
    await hook.close();
    await smtp.close();
  });

  /** Raises one alarm of each type through the configured notifiers; the alarms with their records. */
  async function raiseEach(env: EnvSource, types: readonly AlarmType[]) {
    const alarms = openAlarmStore(':memory:');
    const logger = createLogger({ name: 'notifier-config-test', level: 'silent' });
    const dispatcher = createNotificationDispatcher({
      alarms,
      notifiers: notifiersFromConfig(load(env)),
      config: { notifyRetries: 0, notifyBackoffMs: 0 },
      clock: { now: () => Date.now() },
      logger,
      onDelivered: () => undefined,
    });
    const conditions = types.map((type): AlarmCondition => ({
      type,
      vesselId: VESSEL,
      active: true,
      detail: `${type} test`,
      evidence: {},
    }));
    applyAlarmConditions({ alarms, dispatcher, logger, onChange: () => undefined }, Date.now(), conditions);
    await dispatcher.whenNotified();
    const raised = alarms.list({ limit: 10 });
    await dispatcher.close();
    alarms.close();
    return Object.fromEntries(raised.map((a) => [a.type, a]));
  }

  const mailsTo = () =>
    smtp.messages.map((m) => [/Subject: \[QT-LED\] (.+) raised/.exec(m.data)?.[1], [...m.to].sort()]);

  it('e-mails each alarm type to its own recipients only; a type with none gets no e-mail and no failure', async () => {
    smtp.messages.length = 0;
    const byType = await raiseEach(
      {
        ALARM_WEBHOOK_URL: hook.url,
        ALARM_WEBHOOK_AUTHORIZATION: 'Bearer alarm-hook-token',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        SMTP_REQUIRE_TLS: 'false', // the local sink offers no STARTTLS
        ALARM_EMAIL_FROM: 'QT-LED alarms <alarms@qtled.example>',
        ALARM_EMAIL_TO_BY_TYPE: 'led-fault=tech@x.vn,ops@x.vn;gateway-silent=ops@x.vn',
      },
      ['led-fault', 'gateway-silent', 'data-gap'],
    );
    expect(mailsTo().sort()).toEqual([
      ['Gateway silent', ['ops@x.vn']],
      ['LED fault', ['ops@x.vn', 'tech@x.vn']],
    ]);
    expect(smtp.messages.every((m) => m.from === 'alarms@qtled.example')).toBe(true);
    const channels = (type: AlarmType) => byType[type]?.notifications.map((n) => [n.channel, n.state]);
    expect(channels('led-fault')).toEqual([
      ['email', 'sent'],
      ['webhook', 'sent'],
    ]);
    expect(channels('data-gap')).toEqual([['webhook', 'sent']]);
    // The webhook takes every type and sends the configured Authorization header.
    expect(hook.requests).toBe(3);
    expect(hook.headers.map((h) => h.authorization)).toEqual(Array(3).fill('Bearer alarm-hook-token'));
  });

  it('sends the types without a list of their own to ALARM_EMAIL_TO', async () => {
    smtp.messages.length = 0;
    const byType = await raiseEach(
      {
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        SMTP_REQUIRE_TLS: 'false',
        ALARM_EMAIL_FROM: 'alarms@qtled.example',
        ALARM_EMAIL_TO: 'duty@x.vn',
        ALARM_EMAIL_TO_BY_TYPE: 'led-fault=tech@x.vn',
      },
      ['led-fault', 'data-gap'],
    );
    expect(mailsTo().sort()).toEqual([
      ['Data gap', ['duty@x.vn']],
      ['LED fault', ['tech@x.vn']],
    ]);
    expect(byType['data-gap']?.notifications.map((n) => [n.channel, n.state])).toEqual([['email', 'sent']]);
  });
});
