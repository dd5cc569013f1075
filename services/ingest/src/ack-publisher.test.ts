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
    // a's first ack was still in flight when the second confirmation came: its follow-up comes after b's.
    expect(published.map((p) => [p.topic, p.options])).toEqual([
      [topicFor('ack', a.vesselId, ROOT), { qos: 1, retain: true }],
      [topicFor('ack', b.vesselId, ROOT), { qos: 1, retain: true }],
      [topicFor('ack', a.vesselId, ROOT), { qos: 1, retain: true }],
    ]);
    const latest = decodeMessage(published[2]?.topic ?? '', published[2]?.payload ?? '', { root: ROOT });
    expect(latest.ok && latest.channel === 'ack' && Ack.parse(latest.payload).boots).toEqual([
      { bootId: 'bbbb0002', throughSeq: 1 },
      { bootId: 'aaaa0001', throughSeq: 2 },
    ]);
    const other = JSON.parse(published[1]?.payload ?? '{}') as Ack;
    expect(other.boots).toEqual([{ bootId: 'cccc0003', throughSeq: -1, storedRanges: [[4, 5]] }]);
    expect(other.atMs).toBe(5_000);
    expect(await metricValue(metrics, 'qtled_ingest_acks_sent_total')).toBe(3);
  });

  it('keeps one ack per vessel in flight, and folds what is confirmed meanwhile into one follow-up', async () => {
    const sent: { topic: string; payload: string; done: () => void; fail: (e: Error) => void }[] = [];
    const metrics = createIngestMetrics();
    const acks = createAckPublisher({
      mqtt: {
        publishAsync: (topic, payload) =>
          new Promise((resolve, reject) => {
            sent.push({ topic, payload, done: () => resolve(undefined), fail: reject });
          }),
      },
      clock: { now: () => 5_000 },
      logger,
      metrics,
      topicRoot: ROOT,
    });
    const boot = 'aaaa0001' as BootId;
    const bootsOf = (i: number) => (JSON.parse(sent[i]?.payload ?? '{}') as Ack).boots;
    acks.confirmDurable({ [a.vesselId]: { [boot]: [0, 1] } });
    acks.confirmDurable({ [a.vesselId]: { [boot]: [2] }, [b.vesselId]: { [boot]: [0] } });
    acks.confirmDurable({ [a.vesselId]: { [boot]: [3, 5] } }, { [a.vesselId]: { [boot]: [0] } });
    // One in flight per vessel: a's first, b's.
    expect(sent.map((s) => s.topic)).toEqual([
      topicFor('ack', a.vesselId, ROOT),
      topicFor('ack', b.vesselId, ROOT),
    ]);
    expect(bootsOf(0)).toEqual([{ bootId: boot, throughSeq: 1 }]);
    let settled = false;
    const settling = acks.settled().then(() => {
      settled = true;
    });
    sent[1]?.done();
    sent[0]?.fail(new Error('connection lost')); // a failed publish also lets the follow-up go
    await new Promise((resolve) => setTimeout(resolve, 0));
    // a's follow-up: one ack with the state of both later confirmations; settled() waits for it.
    expect(sent).toHaveLength(3);
    expect(bootsOf(2)).toEqual([
      { bootId: boot, throughSeq: 3, storedRanges: [[5, 5]], eventsThroughSeq: 0 },
    ]);
    expect(settled).toBe(false);
    acks.confirmDurable({ [a.vesselId]: { [boot]: [4] } });
    sent[2]?.done();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(sent).toHaveLength(4);
    expect(bootsOf(3)).toEqual([{ bootId: boot, throughSeq: 5, eventsThroughSeq: 0 }]);
    expect(settled).toBe(false);
    sent[3]?.done();
    await settling;
    expect(await metricValue(metrics, 'qtled_ingest_acks_sent_total')).toBe(3);
    // Nothing in flight: the next confirmation is published at once.
    acks.confirmDurable({ [a.vesselId]: { [boot]: [6] } });
    expect(sent).toHaveLength(5);
  });

  it('a publish that fails is logged and settles: the gateway resends, the next ack carries the state', async () => {
    const { acks, metrics } = setup(true);
    acks.confirmDurable({ [a.vesselId]: { ['aaaa0001' as BootId]: [0] } });
    await acks.settled();
    expect(await metricValue(metrics, 'qtled_ingest_acks_sent_total')).toBe(0);
  });
});
