import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client.js';
import type { ApiTokenRecord } from '../../api/types.js';
import {
  adminRouteOf,
  expiryOf,
  ingestElsewhere,
  ingestFigures,
  isPartnerId,
  parsePrometheus,
  partnerField,
  partnerOfChoice,
  payloadPreview,
  payloadText,
  refusalOf,
  tokenState,
} from './admin-model.js';

describe('admin routes', () => {
  it('opens users by default, each tab, and one dead letter', () => {
    expect(adminRouteOf([])).toEqual({ tab: 'users' });
    expect(adminRouteOf(['tokens'])).toEqual({ tab: 'tokens' });
    expect(adminRouteOf(['ingest', 'dead-letters', '17'])).toEqual({ tab: 'ingest', deadLetterId: '17' });
  });

  it('refuses what is not a page', () => {
    expect(adminRouteOf(['nowhere'])).toBeUndefined();
    expect(adminRouteOf(['ingest', 'dead-letters', 'abc'])).toBeUndefined();
    expect(adminRouteOf(['users', 'x'])).toBeUndefined();
  });
});

// As prom-client writes it (the ingest service's registry).
const EXPOSITION = `# HELP qtled_ingest_messages_total MQTT messages received, by outcome
# TYPE qtled_ingest_messages_total counter
qtled_ingest_messages_total{outcome="valid"} 1200
qtled_ingest_messages_total{outcome="invalid-json"} 2
qtled_ingest_messages_total{outcome="unknown-vessel"} 1
qtled_ingest_messages_total{outcome="not-telemetry"} 5
# TYPE qtled_ingest_points_written_total counter
qtled_ingest_points_written_total 34567
qtled_ingest_write_failures_total 0
qtled_ingest_backlog_readings 0
qtled_ingest_write_seconds_bucket{le="+Inf"} 12
qtled_ingest_process_label{version="say \\"hi\\""} NaN
`;

describe('ingest metrics', () => {
  it('reads the samples of the Prometheus text format', () => {
    const samples = parsePrometheus(EXPOSITION);
    expect(samples).toHaveLength(9);
    expect(samples[0]).toEqual({
      name: 'qtled_ingest_messages_total',
      labels: { outcome: 'valid' },
      value: 1200,
    });
    expect(samples.find((s) => s.name === 'qtled_ingest_write_seconds_bucket')?.labels).toEqual({
      le: '+Inf',
    });
    expect(samples.at(-1)?.labels).toEqual({ version: 'say "hi"' });
    expect(samples.at(-1)?.value).toBeNaN();
  });

  it('sums what an admin reads first, and says which metric is missing', () => {
    const figures = Object.fromEntries(
      ingestFigures(parsePrometheus(EXPOSITION)).map((f) => [f.key, f.value]),
    );
    expect(figures).toMatchObject({
      'ingest.metric.messagesValid': 1200,
      // Refused ones only: ignored downlinks are not set aside.
      'ingest.metric.messagesSetAside': 3,
      'ingest.metric.readingsWritten': 34567,
      'ingest.metric.writeFailures': 0,
      'ingest.metric.acksSent': null,
    });
  });
});

describe('the operator view elsewhere', () => {
  it('tells the compose answer (503, INGEST_NOT_IN_PROCESS) from a failure', () => {
    expect(ingestElsewhere(new ApiError(503, 'INGEST_NOT_IN_PROCESS', 'on its own port'))).toBe(true);
    expect(ingestElsewhere(new ApiError(503, 'HTTP_503', 'Service Unavailable'))).toBe(false);
    expect(ingestElsewhere(new Error('network'))).toBe(false);
  });
});

describe('refusals', () => {
  it('says a known code in the admin language and keeps the server message', () => {
    const refusal = refusalOf(new ApiError(409, 'LAST_ADMIN', '"admin" is the only admin'));
    expect(refusal).toEqual({
      key: 'admin.code.LAST_ADMIN',
      code: 'LAST_ADMIN',
      serverMessage: '"admin" is the only admin',
    });
    expect(refusalOf(new ApiError(418, 'TEAPOT', 'no')).key).toBe('admin.refused');
  });
});

describe('tokens', () => {
  const token: ApiTokenRecord = {
    id: 'tok_abcdefghijkl',
    name: 'NEDO',
    role: 'partner',
    scopes: null,
    createdAtMs: 0,
    createdBy: 'admin',
    expiresAtMs: 10_000,
    revokedAtMs: null,
    lastUsedAtMs: null,
  };

  it('is active until it expires or is revoked', () => {
    expect(tokenState(token, 5_000)).toBe('active');
    expect(tokenState(token, 10_000)).toBe('expired');
    expect(tokenState({ ...token, revokedAtMs: 1 }, 5_000)).toBe('revoked');
    expect(tokenState({ ...token, expiresAtMs: null }, Number.MAX_SAFE_INTEGER)).toBe('active');
  });

  it('expires at midnight in Viet Nam on the chosen day', () => {
    expect(expiryOf('2025-01-31')).toBe('2025-01-30T17:00:00.000Z');
    expect(expiryOf('')).toBeUndefined();
  });
});

describe('dead letter payloads', () => {
  it('indents JSON, keeps other text and base64 as they came', () => {
    expect(payloadText({ payload: '{"a":1}', payloadEncoding: 'utf8' })).toBe('{\n  "a": 1\n}');
    expect(payloadText({ payload: '{"a":', payloadEncoding: 'utf8' })).toBe('{"a":');
    expect(payloadText({ payload: 'AAEC', payloadEncoding: 'base64' })).toBe('AAEC');
  });

  it('previews one line, marked when cut', () => {
    expect(payloadPreview({ payload: '{\n "a": 1 }', payloadBytes: 11 })).toBe('{ "a": 1 }');
    expect(payloadPreview({ payload: 'x'.repeat(100), payloadBytes: 100 }, 10)).toBe(`${'x'.repeat(10)}…`);
    // The list carries the first 500 characters only: a longer payload is cut even when they fit.
    expect(payloadPreview({ payload: 'abc', payloadBytes: 900 })).toBe('abc…');
  });
});

describe("a partner's partner", () => {
  it('knows the partners and nothing else', () => {
    expect(isPartnerId('nedo')).toBe(true);
    expect(isPartnerId('stanley-electric')).toBe(true);
    expect(isPartnerId('')).toBe(false);
    expect(isPartnerId('NEDO')).toBe(false);
    expect(isPartnerId(undefined)).toBe(false);
  });

  it('reads a select\'s value, the empty "none" as null', () => {
    expect(partnerOfChoice('stanley-electric')).toBe('stanley-electric');
    expect(partnerOfChoice('')).toBeNull();
    expect(partnerOfChoice('toshiba')).toBeNull();
  });

  it('sends a partner with the partner role only, and only one chosen', () => {
    expect(partnerField('partner', 'nedo')).toEqual({ partner: 'nedo' });
    expect(partnerField('partner', '')).toEqual({});
    // The API refuses a partner on another role: a value left in a hidden select is not sent.
    for (const role of ['officer', 'analyst', 'admin'] as const) {
      expect(partnerField(role, 'nedo')).toEqual({});
    }
  });
});
