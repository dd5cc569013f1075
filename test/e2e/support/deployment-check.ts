// What every shipped deployment must do with the features that were once wired only in test fixtures: an
// alarm raised in it reaches a real webhook receiver and a real SMTP sink; a registry uploaded through the
// API reaches ingest (a new vessel's readings are stored, not dead-lettered); stored readings arrive on the
// live stream. Run against `npm start`'s module list and against the compose services as processes.
import {
  type FleetRegistry,
  type TelemetryBatch,
  type VesselId,
  encodePayload,
  topicFor,
} from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import {
  claimFirstAdmin,
  fetchPost,
  type HttpReceiver,
  type MqttServer,
  type SmtpSink,
  connectMqtt,
  waitFor,
} from '@qt-led/test-harness';
import { expect } from 'vitest';

export interface Deployment {
  apiUrl: string;
  /** The first admin's one-time credentials file. */
  adminCredentialsPath: string;
  /** The broker the deployment's ingest listens to, as a boat would reach it. */
  broker: MqttServer;
  topicRoot: string;
  webhook: HttpReceiver;
  smtp: SmtpSink;
  /** Ingest's dead letters as the operator sees them (npm start: through the API; compose: ingest's port). */
  deadLetters(adminToken: string): Promise<{ reason: string; topic: string }[]>;
}

/** The packaged registry with one more boat, on its own gateway and meters. */
export function registryWith(vesselId: VesselId): { registry: FleetRegistry; gatewayId: string } {
  // A mutable copy of the packaged (frozen) registry.
  const registry = JSON.parse(JSON.stringify(loadFleetRegistry().registry)) as FleetRegistry;
  const first = registry.vessels[0];
  if (first === undefined) throw new Error('the packaged registry is empty');
  const gatewayId = 'gw-0e2e2e01';
  const copy = JSON.parse(JSON.stringify(first)) as typeof first;
  Object.assign(copy, { vesselId, name: 'Thử Nghiệm 01' });
  for (const version of copy.versions) {
    Object.assign(version, { gatewayId });
    Object.assign(version.meter, { meterId: 'EM-E2E-0001' });
    if (version.fuelMeter !== null) Object.assign(version.fuelMeter, { meterId: 'FM-E2E-0001' });
  }
  registry.vessels.push(copy);
  return { registry, gatewayId };
}

function batch(vesselId: VesselId, gatewayId: string, seq: number, nowMs: number): TelemetryBatch {
  return {
    schema: 'qtled.telemetry/1',
    vesselId,
    gatewayId,
    sentAtMs: nowMs,
    readings: [
      {
        vesselId,
        bootId: 'e2e0000000000001',
        seq,
        deviceTimeMs: nowMs - 1_000,
        timeSource: 'gps',
        led: { powerW: 9_000 + seq, energyKwh: 1_000 + seq / 100, lampsOn: 30 },
        fuel: { rateLph: 6, totalL: 5_000 + seq / 10 },
        position: {
          fix: '3d',
          lat: 16.85,
          lon: 107.2,
          speedKn: 0.2,
          headingDeg: 90,
          satellites: 9,
          hdop: 0.9,
        },
      },
    ],
  } as TelemetryBatch;
}

interface StreamEvent {
  event: string;
  data: unknown;
}

/** Reads a server-sent event stream until aborted, collecting its events. */
function openStream(url: string, token: string): { events: StreamEvent[]; close(): void } {
  const events: StreamEvent[] = [];
  const controller = new AbortController();
  void (async () => {
    const response = await fetch(`${url}/api/v1/stream?events=reading,alarm`, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    if (response.body === null) return;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) });
      }
    }
  })().catch(() => undefined);
  return { events, close: () => controller.abort() };
}

export async function checkDeployment(d: Deployment, vesselId: VesselId): Promise<void> {
  const { token } = await claimFirstAdmin(fetchPost(d.apiUrl), d.adminCredentialsPath);
  const auth = { authorization: `Bearer ${token}` };
  const stream = openStream(d.apiUrl, token);
  const boat = await connectMqtt(d.broker, { clientId: `e2e-boat-${vesselId}` });
  const { registry, gatewayId } = registryWith(vesselId);
  const topic = topicFor('telemetry', vesselId, d.topicRoot);
  let seq = 0;
  const publish = async (): Promise<void> => {
    seq += 1;
    await boat.publishAsync(topic, encodePayload('telemetry', batch(vesselId, gatewayId, seq, Date.now())), {
      qos: 1,
    });
  };
  try {
    // 1. A boat the registry does not know: set aside, and the registry-mismatch alarm reaches both channels.
    await publish();
    await waitFor(
      async () =>
        (await d.deadLetters(token)).some((l) => l.reason === 'unknown-vessel' && l.topic === topic),
      { timeoutMs: 30_000, description: 'the unknown boat’s readings dead-lettered as unknown-vessel' },
    );
    await waitFor(
      () =>
        d.webhook.bodies.some((b) => {
          const notice = b as {
            event?: string;
            alarm?: { type?: string; evidence?: { unknownVesselIds?: string[] } };
          };
          return (
            notice.event === 'raised' &&
            notice.alarm?.type === 'registry-mismatch' &&
            (notice.alarm.evidence?.unknownVesselIds ?? []).includes(vesselId)
          );
        }),
      { timeoutMs: 60_000, description: 'the registry-mismatch alarm at the webhook receiver' },
    );
    await waitFor(
      () => d.smtp.messages.some((m) => m.data.includes(vesselId) && /Registry mismatch/.test(m.data)),
      {
        timeoutMs: 30_000,
        description: 'the registry-mismatch alarm at the SMTP sink',
      },
    );
    expect(stream.events.some((e) => e.event === 'alarm')).toBe(true);

    // 2. An admin uploads a registry with the boat: ingest takes it without a restart.
    const upload = await fetch(`${d.apiUrl}/api/v1/registry`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(registry),
    });
    expect(upload.status).toBe(200);
    const stored = async (): Promise<boolean> => {
      const response = await fetch(`${d.apiUrl}/api/v1/vessels/${vesselId}`, { headers: auth });
      if (response.status !== 200) return false;
      return ((await response.json()) as { latest: unknown }).latest !== null;
    };
    await waitFor(
      async () => {
        if (await stored()) return true;
        await publish(); // a boat keeps sending; ingest takes its readings once it knows the boat
        return false;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 500,
        description: 'the new boat’s readings stored after the registry upload',
      },
    );

    // 3. What was stored reached the live stream.
    await waitFor(
      () =>
        stream.events.some(
          (e) => e.event === 'reading' && (e.data as { vesselId?: string }).vesselId === vesselId,
        ),
      { timeoutMs: 15_000, description: 'a reading event for the new boat on the live stream' },
    );
  } finally {
    stream.close();
    await boat.endAsync();
  }
}
