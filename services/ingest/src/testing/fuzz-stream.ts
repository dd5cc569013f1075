// Test support: a mixed stream of good and corrupted gateway messages drawn from the contract's JSON Schema,
// with what ingest must make of each, for the pipeline's fuzz tests (unit and integration).
import {
  type BootId,
  type Channel,
  generateJsonSchemas,
  jsonSchemaFileName,
  type Reading,
  topicFor,
  type VesselId,
} from '@qt-led/contract';
import { type JsonSchema, schemaArbitrary } from '@qt-led/test-harness';
import type { StoredReading, TelemetryStore } from '@qt-led/store';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { IngestMetrics } from '../metrics.js';
import type { Spool } from '../spool.js';
import { fleet, T0 } from './builders.js';

const schemas = generateJsonSchemas();
const schemaOf = (channel: Channel): JsonSchema =>
  JSON.parse(schemas.get(jsonSchemaFileName(channel)) ?? '{}') as JsonSchema;
const telemetrySchema = schemaOf('telemetry');
const readingSchema = (
  (telemetrySchema['properties'] as Record<string, JsonSchema>)['readings'] as JsonSchema
)['items'] as JsonSchema;

/** Good readings are stamped within a day of T0, when the fleet's gateways are aboard. */
const GOOD_FROM_MS = T0;
const GOOD_TO_MS = T0 + 86_400_000;

export interface FuzzMessage {
  topic: string;
  payload: string | Uint8Array;
  /** The `messages` outcome ingest must count; 'set-aside' where only "some decode error" can be said. */
  outcome: string;
  /** Dead letters it must leave, by reason. */
  letters: Record<string, number>;
}

export interface FuzzCase {
  bootId: BootId;
  messages: FuzzMessage[];
  /** Every reading that must be stored, once, as sent. */
  good: Map<number, { reading: Reading; gatewayId: string }>;
}

type Flaw = 'good' | 'future' | 'ancient' | 'far-future';
const flawArb = fc.constantFrom<Flaw>('good', 'good', 'good', 'future', 'ancient', 'far-future');
const vesselArb = fc.constantFrom(...fleet);
/** Fields the contract does not know: accepted and dropped, never a reason to refuse a reading. */
const EXTRA_KEYS = ['extra', 'note', 'x-firmware'];
const extraArb = fc.option(
  fc.dictionary(fc.constantFrom(...EXTRA_KEYS), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
  {
    nil: undefined,
  },
);

const readingDraft = fc.record({
  body: schemaArbitrary(readingSchema),
  flaw: flawArb,
  timeOffsetMs: fc.integer({ min: 0, max: GOOD_TO_MS - GOOD_FROM_MS - 1 }),
  extra: extraArb,
});

const telemetryDraft = fc.record({
  vessel: vesselArb,
  readings: fc.array(readingDraft, { minLength: 1, maxLength: 6 }),
  extra: extraArb,
});

/** Presence, heartbeats and events as the contract allows them. */
const deviceArb = fc.oneof(
  ...(['presence', 'heartbeat', 'events'] as const).map((channel) =>
    schemaArbitrary(schemaOf(channel)).map((body) => ({ channel, body: body as Record<string, unknown> })),
  ),
);

/** What can go wrong with a message besides its readings' times. */
const corruption = fc.constantFrom(
  'none',
  'none',
  'none',
  'none',
  'gateway-mismatch',
  'random-bytes',
  'truncated',
  'wrong-type',
  'nan-string',
  'huge-number',
  'wrong-vessel',
  'reading-of-other-vessel',
  'unknown-vessel',
  'oversize',
  'resend',
  'unknown-topic',
  'device',
  'downlink',
);

export interface StreamOptions {
  topicRoot: string;
  /** Over a real broker, topics ingest does not subscribe to never reach it. */
  overBroker: boolean;
  maxMessages: number;
}

/** An arbitrary case: one gateway boot's stream of messages, mixed good and bad, with their expectations. */
export function fuzzCaseArbitrary(options: StreamOptions): fc.Arbitrary<FuzzCase> {
  const item = fc.record({
    telemetry: telemetryDraft,
    corruption: corruption.filter((c) => !options.overBroker || (c !== 'unknown-topic' && c !== 'downlink')),
    cut: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
    leaf: fc.nat(),
    device: deviceArb,
  });
  return fc
    .array(item, { minLength: 1, maxLength: options.maxMessages })
    .map((items) => build(nextBoot(), items, options));
}

let boots = 0;
/**
 * A boot id of its own for every case, shrunk ones too, so that a case's readings are told from those of the
 * cases before it in the same store (the order of draws is the seed's, so the ids are too).
 */
function nextBoot(): BootId {
  boots += 1;
  return `f0${boots.toString(16).padStart(14, '0')}` as BootId;
}

type Item = {
  telemetry: {
    vessel: (typeof fleet)[number];
    readings: {
      body: unknown;
      flaw: Flaw;
      timeOffsetMs: number;
      extra: Record<string, unknown> | undefined;
    }[];
    extra: Record<string, unknown> | undefined;
  };
  corruption: string;
  cut: number;
  bytes: Uint8Array;
  leaf: number;
  device: { channel: Channel; body: Record<string, unknown> };
};

function build(bootId: BootId, items: Item[], options: StreamOptions): FuzzCase {
  const good = new Map<number, { reading: Reading; gatewayId: string }>();
  const messages: FuzzMessage[] = [];
  let seq = 0;
  const sent: FuzzMessage[] = [];
  const now = Date.now();
  for (const { telemetry, corruption: c, cut, bytes, leaf, device } of items) {
    const { vessel } = telemetry;
    const topic = topicFor('telemetry', vessel.vesselId, options.topicRoot);
    const mismatch = c === 'gateway-mismatch';
    const gatewayId = mismatch ? otherVessel(vessel.vesselId).gatewayId : vessel.gatewayId;
    const readings = telemetry.readings.map(({ body, flaw, timeOffsetMs, extra }) => {
      const r: Record<string, unknown> = {
        ...(body as Record<string, unknown>),
        ...extra,
        vesselId: vessel.vesselId,
        bootId,
        seq: seq++,
      };
      r['deviceTimeMs'] =
        flaw === 'good'
          ? GOOD_FROM_MS + timeOffsetMs
          : flaw === 'future'
            ? now + 86_400_000 + timeOffsetMs
            : flaw === 'far-future'
              ? Number.MAX_SAFE_INTEGER - timeOffsetMs
              : Date.UTC(1970, 0, 1) + timeOffsetMs;
      // The one rule JSON Schema cannot state: a reading carries at least one sensor group.
      if (r['led'] === undefined && r['fuel'] === undefined && r['position'] === undefined)
        r['position'] = { fix: 'none' };
      return { reading: r as unknown as Reading, flaw };
    });
    const batch = {
      ...telemetry.extra,
      schema: 'qtled.telemetry/1',
      vesselId: vessel.vesselId,
      gatewayId,
      sentAtMs: now,
      readings: readings.map((r) => r.reading),
    };
    const text = JSON.stringify(batch);
    const validLetters = (): Record<string, number> => {
      const letters: Record<string, number> = {};
      for (const { flaw } of readings) {
        const reason =
          flaw === 'ancient'
            ? 'time-before-epoch-floor'
            : flaw === 'good'
              ? mismatch
                ? 'gateway-mismatch'
                : undefined
              : 'time-in-future';
        if (reason !== undefined) letters[reason] = 1;
      }
      return letters;
    };
    const goodBatch = (): FuzzMessage => {
      for (const { reading, flaw } of readings)
        if (flaw === 'good' && !mismatch) good.set(reading.seq, { reading, gatewayId });
      const m = { topic, payload: text, outcome: 'valid', letters: validLetters() };
      sent.push(m);
      return m;
    };
    const setAside = (outcome: string, payload: string | Uint8Array = text, on = topic): FuzzMessage => ({
      topic: on,
      payload,
      outcome,
      letters: { [outcome === 'set-aside' ? 'any' : outcome]: 1 },
    });
    let message: FuzzMessage;
    switch (c) {
      case 'random-bytes':
        message = setAside('set-aside', bytes);
        break;
      case 'truncated':
        message = setAside('invalid-json', text.slice(0, Math.floor(cut * text.length)));
        break;
      case 'wrong-type':
      case 'nan-string':
      case 'huge-number':
        message = setAside('schema-violation', mutateLeaf(batch, leaf, c));
        break;
      case 'wrong-vessel':
        message = setAside(
          'vessel-mismatch',
          text,
          topicFor('telemetry', otherVessel(vessel.vesselId).vesselId, options.topicRoot),
        );
        break;
      case 'reading-of-other-vessel': {
        const [first, ...rest] = batch.readings;
        message = setAside(
          'schema-violation',
          JSON.stringify({
            ...batch,
            readings: [{ ...first, vesselId: otherVessel(vessel.vesselId).vesselId }, ...rest],
          }),
        );
        break;
      }
      case 'unknown-vessel': {
        const stranger = 'QT-99999-TS';
        const forged = {
          ...batch,
          vesselId: stranger,
          readings: batch.readings.map((r) => ({ ...r, vesselId: stranger })),
        };
        message = setAside(
          'unknown-vessel',
          JSON.stringify(forged),
          topicFor('telemetry', stranger as VesselId, options.topicRoot),
        );
        break;
      }
      case 'oversize':
        message = setAside(
          'payload-too-large',
          JSON.stringify({ ...batch, padding: 'x'.repeat(256 * 1024) }),
        );
        break;
      case 'unknown-topic':
        message = setAside('unknown-topic', text, `elsewhere/${topic}`);
        break;
      case 'device': {
        // Heartbeats and events stamped far ahead are set aside (a store keyed by time would refuse them);
        // those stamped by a clock reset are stored, as the status service's evidence.
        const atMs = device.body['atMs'];
        const reason = typeof atMs === 'number' && atMs > now + 300_000 ? 'time-in-future' : undefined;
        message = {
          topic: topicFor(device.channel, vessel.vesselId, options.topicRoot),
          payload: JSON.stringify({ ...device.body, vesselId: vessel.vesselId }),
          outcome: 'valid',
          letters: reason === undefined ? {} : { [reason]: 1 },
        };
        break;
      }
      case 'downlink':
        // Readings on a downlink topic: checked against that channel's schema, which they do not fit.
        message = setAside('schema-violation', text, topicFor('ack', vessel.vesselId, options.topicRoot));
        break;
      case 'resend': {
        const earlier = sent.at(Math.floor(cut * sent.length));
        if (earlier !== undefined) {
          messages.push({ ...earlier });
          continue;
        }
        // Nothing to resend yet: an ordinary batch.
        message = goodBatch();
        break;
      }
      default:
        message = goodBatch();
    }
    messages.push(message);
  }
  return { bootId, messages, good };
}

function otherVessel(vesselId: VesselId): (typeof fleet)[number] {
  return fleet.find((v) => v.vesselId !== vesselId) as (typeof fleet)[number];
}

/** The batch as text with one leaf (picked by `index`) given a value of the wrong kind. */
function mutateLeaf(batch: Record<string, unknown>, index: number, kind: string): string {
  const leaves: { holder: Record<string, unknown>; key: string }[] = [];
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (EXTRA_KEYS.includes(key)) continue;
      if (value !== null && typeof value === 'object') walk(value);
      else if (key !== 'schema' || typeof value !== 'string')
        leaves.push({ holder: node as Record<string, unknown>, key });
    }
  };
  const copy = JSON.parse(JSON.stringify(batch)) as Record<string, unknown>;
  walk(copy);
  const { holder, key } = leaves[index % leaves.length] as (typeof leaves)[number];
  const old = holder[key];
  if (kind === 'nan-string') holder[key] = typeof old === 'number' ? 'NaN' : Number.NaN;
  else if (kind === 'huge-number') holder[key] = typeof old === 'number' ? '__HUGE__' : 1e308;
  else holder[key] = typeof old === 'string' ? 12 : typeof old === 'number' ? '12' : 'true';
  return JSON.stringify(copy).replace('"__HUGE__"', '1e400');
}

const DECODE_REASONS = [
  'invalid-utf8',
  'invalid-json',
  'schema-violation',
  'unknown-topic',
  'payload-too-large',
];

export interface CaseSubjects {
  store: Pick<TelemetryStore, 'readings' | 'listDeadLetters'>;
  metrics: IngestMetrics;
  /** Dead letters the cases so far must have left, by reason ('any': some decode reason). */
  letters: Map<string, number>;
  /** Error lines ingest logged: none may appear. */
  errors: string[];
  spool: Pick<Spool, 'depth'>;
}

async function outcomes(metrics: IngestMetrics): Promise<Map<string, number>> {
  const { values } = await metrics.messages.get();
  return new Map(values.map((v) => [String(v.labels.outcome), v.value]));
}

/**
 * Feeds a case (`feed` delivers its messages and waits until ingest is idle) and checks the properties:
 * nothing logged as an error, every message counted once under the outcome it deserves, nothing left in
 * the disk backlog, and every good reading stored once with the values sent. The dead letters it predicts
 * are added to `letters`, for {@link expectDeadLetters} after the run (listing them after every case would
 * make the run quadratic).
 */
export async function expectCaseHandled(
  c: FuzzCase,
  s: CaseSubjects,
  feed: () => Promise<void>,
): Promise<void> {
  s.errors.length = 0;
  const before = await outcomes(s.metrics);
  await feed();
  const after = await outcomes(s.metrics);
  expect(s.errors).toEqual([]);
  const delta = new Map([...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)]));
  const expected = new Map<string, number>();
  for (const m of c.messages) expected.set(m.outcome, (expected.get(m.outcome) ?? 0) + 1);
  const loose = expected.get('set-aside') ?? 0;
  expected.delete('set-aside');
  expectCounts(delta, expected, loose);
  expect(s.spool.depth().batches).toBe(0);

  for (const m of c.messages)
    for (const [reason, n] of Object.entries(m.letters))
      s.letters.set(reason, (s.letters.get(reason) ?? 0) + n);

  const stored: StoredReading[] = [];
  for (const { vesselId } of fleet)
    stored.push(
      ...(await s.store.readings(vesselId, GOOD_FROM_MS, GOOD_TO_MS)).filter((r) => r.bootId === c.bootId),
    );
  expect(stored.map((r) => r.seq).sort((a, b) => a - b)).toEqual([...c.good.keys()].sort((a, b) => a - b));
  for (const r of stored) {
    const sent = c.good.get(r.seq);
    if (sent === undefined) continue;
    expect(withoutTimes(r)).toEqual(expectedStored(sent.reading, sent.gatewayId));
  }
}

/**
 * Counts against predictions: exact, except that a message of random bytes may fail any decode check, so
 * the decode reasons may exceed their predictions by `loose` in all, and no more.
 */
function expectCounts(got: Map<string, number>, want: Map<string, number>, loose: number): void {
  let extra = 0;
  for (const key of new Set([...got.keys(), ...want.keys()])) {
    const count = got.get(key) ?? 0;
    const wanted = want.get(key) ?? 0;
    if (count === 0 && wanted === 0) continue;
    if (DECODE_REASONS.includes(key) && count >= wanted) extra += count - wanted;
    else expect({ key, count }).toEqual({ key, count: wanted });
  }
  expect(extra).toBe(loose);
}

/** Every dead letter in the store, counted by reason, against what the cases predicted. */
export async function expectDeadLetters(
  store: Pick<TelemetryStore, 'listDeadLetters'>,
  predicted: Map<string, number>,
): Promise<number> {
  const want = new Map(predicted);
  const loose = want.get('any') ?? 0;
  want.delete('any');
  const total = [...want.values()].reduce((sum, n) => sum + n, loose);
  const all = await store.listDeadLetters({ limit: total + 1, includeReplayed: true });
  const got = new Map<string, number>();
  for (const l of all) got.set(l.reason, (got.get(l.reason) ?? 0) + 1);
  expectCounts(got, want, loose);
  return all.length;
}

function withoutTimes(r: StoredReading): Partial<StoredReading> {
  const { receivedAtMs: _received, clockSkewMs: _skew, ...rest } = r;
  return rest;
}

/** The reading as the store must give it back: flattened by hand from what was sent, not by ingest's code. */
function expectedStored(r: Reading, gatewayId: string): Partial<StoredReading> {
  const p = r.position;
  const fixed = p !== undefined && p.fix !== 'none' ? p : undefined;
  return {
    vesselId: r.vesselId,
    gatewayId: gatewayId as StoredReading['gatewayId'],
    bootId: r.bootId,
    seq: r.seq,
    deviceTimeMs: r.deviceTimeMs,
    timeSource: r.timeSource ?? null,
    ledPowerW: r.led?.powerW ?? null,
    ledEnergyKwh: r.led?.energyKwh ?? null,
    lampsOn: r.led?.lampsOn ?? null,
    ledMeterId: r.led?.meterId ?? null,
    fuelRateLph: r.fuel?.rateLph ?? null,
    fuelTotalL: r.fuel?.totalL ?? null,
    fix: p?.fix ?? null,
    lat: fixed?.lat ?? null,
    lon: fixed?.lon ?? null,
    speedKn: fixed?.speedKn ?? null,
    headingDeg: fixed?.headingDeg ?? null,
  };
}
