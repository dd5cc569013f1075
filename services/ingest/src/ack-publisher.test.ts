import { Ack, type BootId, decodeMessage, topicFor } from '@qt-led/contract';
import { createLogger } from '@qt-led/runtime';
import { describe, expect, it } from 'vitest';
import { createAckPublisher } from './ack-publisher.js';
import { createIngestMetrics } from './metrics.js';
import { fleet, metricValue } from './testing/builders.js';

const ROOT = 'qtled-test';
const [a, b] = fleet as [(typeof fleet)[number], (typeof fleet)[number]];
const logger = createLogger({ name: 'ack-publisher-test', level: 'silent' });

function setup(fail = false) {
  const published: { topic: string; payload: string; options: { qos: 1; retain: boolean } }[] = [];
  const metrics = createIngestMetrics();
  const acks = createAckPublisher({
    mqtt: {
      publishAsync(topic, payload, options) {
        if (fail) return Promise.reject(new Error('connection lost'));
        published.push({ topic, payload, options });
        return Promise.resolve();
      },
    },
    clock: { now: () => 5_000 },
    logger,
    metrics,
    topicRoot: ROOT,
  });
  return { acks, published, metrics };
}

describe('ack publisher', () => {
  it('publishes one retained QoS 1 ack per vessel, covering every boot it has confirmed', async () => {
    const { acks, published, metrics } = setup();
    acks.confirmDurable({ [a.vesselId]: { ['aaaa0001' as BootId]: [0, 1, 2] } });
    acks.confirmDurable({
      [a.vesselId]: { ['bbbb0002' as BootId]: [0, 1] },
      [b.vesselId]: { ['cccc0003' as BootId]: [4, 5] },
    });
    await acks.settled();
    expect(published.map((p) => [p.topic, p.options])).toEqual([
      [topicFor('ack', a.vesselId, ROOT), { qos: 1, retain: true }],
      [topicFor('ack', a.vesselId, ROOT), { qos: 1, retain: true }],
      [topicFor('ack', b.vesselId, ROOT), { qos: 1, retain: true }],
    ]);
    const latest = decodeMessage(published[1]?.topic ?? '', published[1]?.payload ?? '', { root: ROOT });
    expect(latest.ok && latest.channel === 'ack' && Ack.parse(latest.payload).boots).toEqual([
      { bootId: 'bbbb0002', throughSeq: 1 },
      { bootId: 'aaaa0001', throughSeq: 2 },
    ]);
    const other = JSON.parse(published[2]?.payload ?? '{}') as Ack;
    expect(other.boots).toEqual([{ bootId: 'cccc0003', throughSeq: -1, storedRanges: [[4, 5]] }]);
    expect(other.atMs).toBe(5_000);
    expect(await metricValue(metrics, 'qtled_ingest_acks_sent_total')).toBe(3);
  });

  it('a publish that fails is logged and settles: the gateway resends, the next ack carries the state', async () => {
    const { acks, metrics } = setup(true);
    acks.confirmDurable({ [a.vesselId]: { ['aaaa0001' as BootId]: [0] } });
    await acks.settled();
    expect(await metricValue(metrics, 'qtled_ingest_acks_sent_total')).toBe(0);
  });
});
