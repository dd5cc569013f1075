import { describe, expect, it } from 'vitest';
import { csvRecord, parseCsv } from './csv.js';

describe('CSV (RFC 4180)', () => {
  it('quotes fields with commas, quotes and line breaks, and parses them back', () => {
    const fields = ['plain', 'a,b', 'say "hi"', 'two\r\nlines', '', 'Cửa Tùng', '1.5e-7'];
    const text = csvRecord(fields) + csvRecord([1, null, true]);
    expect(text).toBe('plain,"a,b","say ""hi""","two\r\nlines",,Cửa Tùng,1.5e-7\r\n1,,true\r\n');
    expect(parseCsv(text)).toEqual([fields, ['1', '', 'true']]);
  });
});
