import { describe, expect, it } from 'vitest';
import { VesselId } from './ids.js';
import { assertTopicRoot, parseTopic, subscriptionFor, topicFor } from './topics.js';

const vessel = VesselId.parse('QT-01009-TS');

describe('topic scheme', () => {
  it('builds and parses every channel under a root', () => {
    expect(topicFor('telemetry', vessel)).toBe('qtled/v1/vessels/QT-01009-TS/telemetry');
    const topic = topicFor('presence', vessel, 'test/t_1a2b');
    expect(topic).toBe('test/t_1a2b/v1/vessels/QT-01009-TS/presence');
    expect(parseTopic(topic, 'test/t_1a2b')).toEqual({ ok: true, vesselId: vessel, channel: 'presence' });
  });

  it('says why a topic is not ours', () => {
    expect(parseTopic('qtled/v2/vessels/QT-01009-TS/telemetry')).toEqual({
      ok: false,
      reason: 'topic "qtled/v2/vessels/QT-01009-TS/telemetry" uses scheme version "v2", expected "v1"',
    });
    expect(parseTopic('qtled/v1/vessels/boat-7/telemetry')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('invalid vessel id "boat-7"') as unknown,
    });
    expect(parseTopic('qtled/v1/vessels/QT-01009-TS/telemetry/extra')).toMatchObject({ ok: false });
    expect(parseTopic('qtled/v1/vessels/QT-01009-TS/toString')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('unknown channel') as unknown,
    });
  });

  it('builds plain and shared subscriptions', () => {
    expect(subscriptionFor('telemetry')).toBe('qtled/v1/vessels/+/telemetry');
    expect(subscriptionFor('telemetry', { shareGroup: 'ingest' })).toBe(
      '$share/ingest/qtled/v1/vessels/+/telemetry',
    );
    expect(() => subscriptionFor('telemetry', { shareGroup: 'a/b' })).toThrow(/shared-subscription group/);
  });

  it('refuses roots that would publish to wildcards or system topics', () => {
    for (const root of ['', '#', 'a/+/b', '$SYS', 'a//b', '/a']) {
      expect(() => {
        assertTopicRoot(root);
      }, root).toThrow(/invalid MQTT topic root/);
    }
    expect(() => {
      assertTopicRoot('test/t_0f');
    }).not.toThrow();
  });
});
