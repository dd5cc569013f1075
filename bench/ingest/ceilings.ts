// The two physical ceilings of docs/performance.md's protocol, measured in the same run:
//   - broker delivery: a bare QoS 1 subscriber that only counts, fed as fast as one publisher can;
//   - database write: prebuilt line protocol (ours' layout) in batches of 5,000, two writes in flight,
//     into a database that already holds the fleet's series.
import { performance } from 'node:perf_hooks';
import type { Fleet } from './fleet.js';
import { gatewayMessage, telemetryFilter } from './fleet.js';
import { connect, type Session } from './measure.js';
import { prebuiltLine, seedSeries, writeLines } from './points.js';
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

/** After the fleet's series exist (seeded, not timed), as in a running database. */
export async function databaseCeiling(session: Session, fleet: Fleet, batches: number): Promise<number> {
  await session.admin.createDatabase('ceiling');
  await seedSeries(session.influxUrl, 'ceiling', fleet);
  const offset = fleet.vessels.length;
  const bodies = Array.from({ length: batches }, (_, b) =>
    Array.from({ length: 5_000 }, (_, i) => prebuiltLine(fleet, offset + b * 5_000 + i)).join('\n'),
  );
  const started = performance.now();
  let next = 0;
  const writer = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++] as string;
      await writeLines(session.influxUrl, 'ceiling', body);
    }
  };
  await Promise.all([writer(), writer()]);
  return (bodies.length * 5_000) / ((performance.now() - started) / 1000);
}
