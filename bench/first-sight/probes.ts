// What the bench asks the platform: its HTTP API as a client would, and a round trip through its embedded
// broker. Every request has a timeout; every figure is the bench's own wall clock.
import { randomBytes } from 'node:crypto';
import type { VesselList } from '@qt-led/contract';
import mqtt from 'mqtt';

export interface Timed<T> {
  ms: number;
  status: number;
  body: T;
}

/** One request, timed from sending to the whole body read. */
export async function timedRequest<T = unknown>(
  url: string,
  init: { token?: string; method?: string; json?: unknown; timeoutMs: number; signal?: AbortSignal },
): Promise<Timed<T>> {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers['authorization'] = `Bearer ${init.token}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const started = performance.now();
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
    signal:
      init.signal === undefined
        ? AbortSignal.timeout(init.timeoutMs)
        : AbortSignal.any([AbortSignal.timeout(init.timeoutMs), init.signal]),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the text is the body
  }
  return { ms, status: response.status, body: body as T };
}

export async function login(baseUrl: string, username: string, password: string): Promise<string> {
  const answer = await timedRequest<{ token?: string }>(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    json: { username, password },
    timeoutMs: 30_000,
  });
  if (answer.status !== 200 || typeof answer.body.token !== 'string') {
    throw new Error(
      `login as ${username}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`,
    );
  }
  return answer.body.token;
}

/** A user of `role` made by the admin, logged in: the figures are asked for as that role would. */
export async function userWithRole(
  baseUrl: string,
  adminToken: string,
  role: string,
  username = `bench-${role}`,
): Promise<string> {
  const password = randomBytes(18).toString('base64url');
  const created = await timedRequest(`${baseUrl}/api/v1/users`, {
    method: 'POST',
    token: adminToken,
    json: { username, role, password },
    timeoutMs: 30_000,
  });
  if (created.status !== 201) {
    throw new Error(
      `creating ${username}: HTTP ${created.status} ${JSON.stringify(created.body).slice(0, 200)}`,
    );
  }
  return login(baseUrl, username, password);
}

export async function vesselList(baseUrl: string, token: string): Promise<Timed<VesselList>> {
  const answer = await timedRequest<VesselList>(`${baseUrl}/api/v1/vessels`, { token, timeoutMs: 60_000 });
  if (answer.status !== 200) throw new Error(`GET /api/v1/vessels: HTTP ${answer.status}`);
  return answer;
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** `/healthz` again and again (one at a time, `intervalMs` apart) until `stop()`; each latency kept. */
export function healthzProbe(baseUrl: string, intervalMs: number): { stop(): Promise<number[]> } {
  const latencies: number[] = [];
  const control = { running: true };
  const loop = (async () => {
    while (control.running) {
      const started = performance.now();
      try {
        const answer = await timedRequest(`${baseUrl}/healthz`, { timeoutMs: 60_000 });
        latencies.push(answer.status === 200 ? answer.ms : Number.POSITIVE_INFINITY);
      } catch {
        // A probe that failed or timed out counts as infinitely late (it shows in p99).
        latencies.push(Number.POSITIVE_INFINITY);
      }
      const wait = intervalMs - (performance.now() - started);
      if (wait > 0) await sleep(wait);
    }
  })();
  return {
    async stop() {
      control.running = false;
      await loop;
      return latencies;
    },
  };
}

/**
 * A client of the embedded broker that publishes to itself every `intervalMs` (QoS 0, a bench topic outside
 * the platform's topic root, so ingest never sees it) and notes when each message comes back.
 */
export async function brokerPing(
  brokerUrl: string,
  intervalMs: number,
  login: { username: string; password: string },
): Promise<{
  window(fromMs: number, toMs: number): { maxGapMs: number; received: number; maxRoundTripMs: number };
  stop(): Promise<void>;
}> {
  const client = await mqtt.connectAsync(brokerUrl, {
    clientId: `bench-first-sight-${randomBytes(4).toString('hex')}`,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...login,
  });
  const topic = `bench/first-sight/${randomBytes(4).toString('hex')}/ping`;
  const received: { atMs: number; roundTripMs: number }[] = [];
  client.on('message', (_topic, payload) => {
    const sentAt = Number(payload.toString());
    const now = performance.now();
    received.push({ atMs: now, roundTripMs: now - sentAt });
  });
  await client.subscribeAsync(topic, { qos: 0 });
  const timer = setInterval(() => {
    client.publish(topic, String(performance.now()), { qos: 0 });
  }, intervalMs);
  return {
    window(fromMs, toMs) {
      // The longest time without a delivery inside [fromMs, toMs], the window's edges included.
      const inside = received.filter((r) => r.atMs >= fromMs && r.atMs <= toMs);
      let previous = fromMs;
      let maxGapMs = 0;
      for (const r of inside) {
        maxGapMs = Math.max(maxGapMs, r.atMs - previous);
        previous = r.atMs;
      }
      maxGapMs = Math.max(maxGapMs, toMs - previous);
      const maxRoundTripMs = Math.max(0, ...inside.map((r) => r.roundTripMs));
      return { maxGapMs, received: inside.length, maxRoundTripMs };
    },
    async stop() {
      clearInterval(timer);
      await client.endAsync(true);
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
