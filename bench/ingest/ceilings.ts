// The two physical ceilings of docs/performance.md's protocol, measured in the same run:
//   - broker delivery: a bare QoS 1 subscriber that only counts, fed as fast as one publisher can;
//   - database write: prebuilt line protocol (ours' layout) in batches of 5,000, two writes in flight.
import { performance } from 'node:perf_hooks';
import type { Fleet } from './fleet.js';
import { gatewayMessage, telemetryFilter } from './fleet.js';
import { connect, type Session } from './measure.js';
import { pollUntil, sleep } from './process.js';

export async function brokerCeiling(session: Session, fleet: Fleet, count: number): Promise<number> {
  const root = 'ceiling';
  let received = 0;
  let first = 0;
  let last = 0;
  const sub = await connect(session.brokerUrl, 'bench-bare-sub');
  sub.on('message', () => {
    if (received === 0) first = performance.now();
    received++;
    last = performance.now();
  });
  await sub.subscribeAsync(telemetryFilter(root), { qos: 1 });
  const pub = await connect(session.brokerUrl, 'bench-bare-pub');
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const { topic, payload } = gatewayMessage(fleet, root, i, now + Math.floor(i / fleet.vessels.length));
    pub.publish(topic, payload, { qos: 1 });
    if (i % 1000 === 0) await sleep(0);
  }
  const all = await pollUntil(() => received >= count, 60_000, 10);
  await Promise.allSettled([sub.endAsync(true), pub.endAsync(true)]);
  if (!all) throw new Error(`only ${received} of ${count} messages delivered within 60 s`);
  return received / ((last - first) / 1000);
}

function line(fleet: Fleet, index: number): string {
  const vessel = fleet.vessels[index % fleet.vessels.length] as Fleet['vessels'][number];
  const seq = Math.floor(index / fleet.vessels.length);
  const t = 1_717_000_000_000 + index;
  return `telemetry,vessel=${vessel.vesselId} boot="be0c4a11",seq=${seq}i,gateway="${vessel.gatewayId}",received_ms=${t}i,led_power_w=12000.5,led_energy_kwh=1000.25,lamps_on=40i,fuel_rate_lph=7.4,fuel_total_l=9000.5,fix="3d",lat=17.1,lon=107.4,speed_kn=0.4,heading_deg=90 ${t}${String(seq % 1_000_000).padStart(6, '0')}`;
}

export async function databaseCeiling(session: Session, fleet: Fleet, batches: number): Promise<number> {
  await session.admin.createDatabase('ceiling');
  const bodies = Array.from({ length: batches }, (_, b) =>
    Array.from({ length: 5_000 }, (_, i) => line(fleet, b * 5_000 + i)).join('\n'),
  );
  const started = performance.now();
  let next = 0;
  const writer = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++] as string;
      const response = await fetch(`${session.influxUrl}/write?db=ceiling&precision=ns`, {
        method: 'POST',
        body,
        signal: AbortSignal.timeout(30_000),
      });
      if (!response.ok) throw new Error(`write failed: ${response.status} ${await response.text()}`);
    }
  };
  await Promise.all([writer(), writer()]);
  return (bodies.length * 5_000) / ((performance.now() - started) / 1000);
}
