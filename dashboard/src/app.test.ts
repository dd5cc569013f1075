import { describe, expect, it } from 'vitest';
import { parseRoute } from './app.js';

describe('parseRoute', () => {
  it('reads the pages and the vessel id from the hash', () => {
    expect(parseRoute('#/fleet')).toEqual({ page: 'fleet', params: [] });
    expect(parseRoute('#/vessel/QT-90145-TS')).toEqual({ page: 'vessel', params: ['QT-90145-TS'] });
    expect(parseRoute('#/login')).toEqual({ page: 'login', params: [] });
    expect(parseRoute('#/packages')).toEqual({ page: 'packages', params: [] });
    expect(parseRoute('#/admin/ingest/dead-letters/42')).toEqual({
      page: 'admin',
      params: ['ingest', 'dead-letters', '42'],
    });
  });

  it('leaves the choice to the role when the hash is empty or unknown', () => {
    expect(parseRoute('')).toBeUndefined();
    expect(parseRoute('#/')).toBeUndefined();
    expect(parseRoute('#/nowhere')).toBeUndefined();
    expect(parseRoute('#/vessel')).toBeUndefined();
  });
});
