import { describe, expect, it } from 'vitest';
import { credentialsFor, parseCliOptions, parseCredentials } from './cli-options.js';

const NOW = Date.UTC(2024, 5, 1, 12, 30, 15);

describe('the command line', () => {
  it('backfills N days up to now, as fast as acknowledged, by default', () => {
    const parsed = parseCliOptions(['--backfill', '30d', '--vessels', '5', '--seed', '42'], {}, NOW);
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    const o = parsed.options;
    expect(o.backfill).toBe(true);
    expect(o.speed).toBe(Number.POSITIVE_INFINITY);
    expect(o.endMs).toBeLessThanOrEqual(NOW);
    expect((o.endMs ?? 0) - o.startMs).toBe(30 * 86_400_000);
    expect(o.vessels).toBe(5);
    expect(o.seed).toBe(42);
    expect(o.faults.realistic).toBe(true);
    expect(o.drain).toBe(true);
  });

  it('runs live at real speed with the environment as defaults', () => {
    const parsed = parseCliOptions(
      ['--vessels', 'QT-90145-TS,QT-01009-TS', '--speed', '60', '--faults', 'none'],
      { MQTT_URL: 'mqtt://broker:1883', MQTT_TOPIC_ROOT: 'staging', DATA_DIR: '/var/lib/qtled' },
      NOW,
    );
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    expect(parsed.options).toMatchObject({
      vessels: ['QT-90145-TS', 'QT-01009-TS'],
      speed: 60,
      endMs: undefined,
      brokerUrl: 'mqtt://broker:1883',
      topicRoot: 'staging',
      dataDir: '/var/lib/qtled/gateways',
      backfill: false,
    });
  });

  it('reports every problem at once', () => {
    const parsed = parseCliOptions(
      ['--speed', 'fast', '--seed=-1', '--backfill', '3 weeks', '--topic-root', 'a/#', '--username', 'x'],
      {},
      NOW,
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.join('\n')).toMatch(
      /--seed[\s\S]*--backfill[\s\S]*--speed[\s\S]*--topic-root[\s\S]*--username/,
    );
  });

  it('takes the TLS files from flags or the environment, and refuses them with a plain broker URL', () => {
    const parsed = parseCliOptions(
      ['--broker', 'mqtts://mosquitto:8883', '--cert', 'gw.crt', '--key', 'gw.key'],
      { MQTT_CA_PATH: '/tls/ca.crt' },
      NOW,
    );
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    expect(parsed.options).toMatchObject({ caFile: '/tls/ca.crt', certFile: 'gw.crt', keyFile: 'gw.key' });
    const plain = parseCliOptions(
      ['--broker', 'mqtt://mosquitto:1883', '--ca', 'ca.crt', '--cert', 'c'],
      {},
      NOW,
    );
    expect(plain.ok).toBe(false);
    if (plain.ok) return;
    expect(plain.problems.join('\n')).toMatch(/--cert and --key go together[\s\S]*need a TLS broker/);
  });

  it('finds per-gateway credentials by vessel, gateway or *', () => {
    const table = parseCredentials({
      'QT-90145-TS': { username: 'a', password: '1' },
      '*': { username: 'z', password: '9' },
    });
    expect(credentialsFor(table, 'QT-90145-TS', 'gw-41a11a97')).toEqual({ username: 'a', password: '1' });
    expect(credentialsFor(table, 'QT-01009-TS', 'gw-662d62d0')).toEqual({ username: 'z', password: '9' });
    expect(() => parseCredentials({ x: { username: 'a' } })).toThrow(/x/);
  });
});
