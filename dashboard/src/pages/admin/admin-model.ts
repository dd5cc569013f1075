// What the admin pages work out from the API's answers, without touching the page (no DOM here).
import { ApiError } from '../../api/client.js';
import {
  type ApiTokenRecord,
  type DeadLetter,
  PARTNER_IDS,
  type PartnerId,
  type Role,
} from '../../api/types.js';
import type { AdminMessageKey } from '../../i18n/admin-i18n.js';

export const ADMIN_TABS = ['users', 'tokens', 'ingest'] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];

/** `#/admin`, `#/admin/users`, `#/admin/tokens`, `#/admin/ingest`, `#/admin/ingest/dead-letters/:id`. */
export type AdminRoute =
  { tab: 'users' | 'tokens' | 'ingest'; deadLetterId?: undefined } | { tab: 'ingest'; deadLetterId: string };

export function adminRouteOf(params: readonly string[]): AdminRoute | undefined {
  const [tab = 'users', ...rest] = params;
  if (!(ADMIN_TABS as readonly string[]).includes(tab)) return undefined;
  if (rest.length === 0) return { tab: tab as AdminTab };
  const [what, id] = rest;
  if (
    tab === 'ingest' &&
    what === 'dead-letters' &&
    id !== undefined &&
    /^[0-9]+$/.test(id) &&
    rest.length === 2
  )
    return { tab: 'ingest', deadLetterId: id };
  return undefined;
}

/** One sample of the Prometheus text exposition format. */
export interface Sample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

/**
 * The samples of a Prometheus text exposition (`# HELP`/`# TYPE` comments skipped). Enough of the format for
 * ingest's own metrics: label values with escaped quotes, `NaN` and `±Inf`, an optional timestamp.
 */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/.exec(line);
    if (match === null) continue;
    const [, name = '', , labelText = '', valueText = ''] = match;
    const labels: Record<string, string> = {};
    for (const label of labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      const [, key = '', value = ''] = label;
      labels[key] = value.replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
    }
    const value =
      valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number.parseFloat(valueText);
    samples.push({ name, labels, value });
  }
  return samples;
}

/** The message outcomes that are not "set aside": valid ones, and the platform's own downlinks ignored. */
const NOT_SET_ASIDE = new Set(['valid', 'not-telemetry', 'internal-error']);

export interface IngestFigure {
  key: AdminMessageKey;
  /** null: the metric is not in the exposition (another ingest version). */
  value: number | null;
  /** Worth a look when above zero (write failures, a disk backlog). */
  warnAbove0?: boolean;
}

/** The few figures an admin reads first, from ingest's metrics. */
export function ingestFigures(samples: readonly Sample[]): IngestFigure[] {
  const sum = (name: string, keep: (s: Sample) => boolean = () => true): number | null => {
    const matching = samples.filter((s) => s.name === name);
    return matching.length === 0 ? null : matching.filter(keep).reduce((total, s) => total + s.value, 0);
  };
  const outcome = (s: Sample): string => s.labels['outcome'] ?? '';
  return [
    {
      key: 'ingest.metric.messagesValid',
      value: sum('qtled_ingest_messages_total', (s) => outcome(s) === 'valid'),
    },
    {
      key: 'ingest.metric.messagesSetAside',
      value: sum('qtled_ingest_messages_total', (s) => !NOT_SET_ASIDE.has(outcome(s))),
      warnAbove0: true,
    },
    { key: 'ingest.metric.readingsWritten', value: sum('qtled_ingest_points_written_total') },
    { key: 'ingest.metric.writeFailures', value: sum('qtled_ingest_write_failures_total'), warnAbove0: true },
    { key: 'ingest.metric.backlogReadings', value: sum('qtled_ingest_backlog_readings'), warnAbove0: true },
    { key: 'ingest.metric.acksSent', value: sum('qtled_ingest_acks_sent_total') },
    { key: 'ingest.metric.gapsOpen', value: sum('qtled_ingest_gaps_open') },
    { key: 'ingest.metric.clockSkewFlagged', value: sum('qtled_ingest_clock_skew_flagged_total') },
  ];
}

export type TokenState = 'active' | 'expired' | 'revoked';

export function tokenState(token: ApiTokenRecord, nowMs: number): TokenState {
  if (token.revokedAtMs !== null) return 'revoked';
  if (token.expiresAtMs !== null && token.expiresAtMs <= nowMs) return 'expired';
  return 'active';
}

/** A token's expiry from a local date: 00:00 Viet Nam time (UTC+7, no daylight saving) on that day. */
export function expiryOf(localDate: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(localDate)) return undefined;
  const ms = Date.parse(`${localDate}T00:00:00+07:00`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function isPartnerId(value: unknown): value is PartnerId {
  return typeof value === 'string' && (PARTNER_IDS as readonly string[]).includes(value);
}

/** A partner select's value as the API takes it: '' (none chosen) is null. */
export function partnerOfChoice(value: string): PartnerId | null {
  return isPartnerId(value) ? value : null;
}

/**
 * The `partner` field of a new account or token: sent only with the role partner and a partner chosen
 * (the API refuses a partner on any other role, and the select is hidden for them anyway).
 */
export function partnerField(role: Role, value: string): { partner?: PartnerId } {
  const partner = partnerOfChoice(value);
  return role === 'partner' && partner !== null ? { partner } : {};
}

/** The payload for reading: JSON indented, other text as it is, binary (base64) as the API sent it. */
export function payloadText(letter: Pick<DeadLetter, 'payload' | 'payloadEncoding'>): string {
  if (letter.payloadEncoding !== 'utf8') return letter.payload;
  try {
    return JSON.stringify(JSON.parse(letter.payload), null, 2);
  } catch {
    return letter.payload;
  }
}

/** A list row's payload: one line, at most `chars` characters. */
export function payloadPreview(letter: Pick<DeadLetter, 'payload' | 'payloadBytes'>, chars = 80): string {
  const line = letter.payload.replace(/\s+/g, ' ').trim();
  const cut = line.length > chars || letter.payloadBytes > letter.payload.length;
  return cut ? `${line.slice(0, chars)}…` : line;
}

/** Codes whose meaning the admin pages say in the admin's language (the server's words follow). */
const KNOWN_CODES = new Set([
  'USER_EXISTS',
  'LAST_ADMIN',
  'SELF_DELETE',
  'USER_NOT_FOUND',
  'INVALID_REQUEST',
  'NOT_FOUND',
  'DEAD_LETTER_NOT_FOUND',
  'DEAD_LETTER_STILL_REFUSED',
]);

/** What to tell an admin when the API refused: a translated line, and the server's own message. */
export interface Refusal {
  key: AdminMessageKey;
  code: string;
  serverMessage: string;
}

export function refusalOf(error: unknown): Refusal {
  if (error instanceof ApiError) {
    const key = KNOWN_CODES.has(error.code)
      ? (`admin.code.${error.code}` as AdminMessageKey)
      : 'admin.refused';
    return { key, code: error.code, serverMessage: error.message };
  }
  return { key: 'admin.refused', code: 'NETWORK', serverMessage: String(error) };
}

/** The API answers 503 with this code where ingest runs in a process of its own (compose). */
export function ingestElsewhere(error: unknown): boolean {
  return error instanceof ApiError && error.status === 503 && error.code === 'INGEST_NOT_IN_PROCESS';
}
