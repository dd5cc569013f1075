import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from './logger.js';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes JSON lines with the process name, the component and UTC time', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ name: 'ingest', level: 'info', destination: stream });
    logger.child({ component: 'mqtt' }).info({ vesselId: 'QT-90145-TS' }, 'connected');
    logger.debug('not at info level');
    const [line, ...rest] = lines();
    expect(rest).toEqual([]);
    expect(line).toMatchObject({
      name: 'ingest',
      component: 'mqtt',
      vesselId: 'QT-90145-TS',
      msg: 'connected',
    });
    expect(String(line?.['time'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('never writes credentials', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ name: 'api', level: 'info', destination: stream });
    logger.info(
      {
        config: { MQTT_PASSWORD: 'hunter2', INFLUX_TOKEN: 'tok-123', MQTT_URL: 'mqtt://broker' },
        req: { headers: { authorization: 'Bearer abc', cookie: 'sid=1' } },
        password: 'p',
        connect: { username: 'gw', password: 'gw-secret' },
      },
      'starting',
    );
    const text = JSON.stringify(lines());
    for (const secret of ['hunter2', 'tok-123', 'Bearer abc', 'sid=1', 'gw-secret', '"p"']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('mqtt://broker');
    expect(text).toContain('[redacted]');
  });

  it('serialises errors under err with their stack', () => {
    const { stream, lines } = capture();
    createLogger({ name: 'api', level: 'info', destination: stream }).error(
      { err: new Error('disk full') },
      'write failed',
    );
    expect(lines()[0]?.['err']).toMatchObject({
      type: 'Error',
      message: 'disk full',
      stack: expect.stringContaining('disk full') as unknown,
    });
  });
});

describe('redactUrl', () => {
  it('removes user info and keeps the rest', () => {
    expect(redactUrl('mqtt://gw-1:s3cret@broker.example:1883')).toBe(
      'mqtt://%5Bredacted%5D@broker.example:1883',
    );
    expect(redactUrl('http://127.0.0.1:8086')).toBe('http://127.0.0.1:8086');
    expect(redactUrl('::nonsense')).toBe('[unparseable URL]');
  });
});
