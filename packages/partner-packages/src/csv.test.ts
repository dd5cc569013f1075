import { describe, expect, it } from 'vitest';
import { csvFile, csvRecord, parseCsv } from './csv.js';

describe('CSV (RFC 4180)', () => {
  it('quotes fields with commas, quotes and line breaks, and parses them back', () => {
    const fields = ['plain', 'a,b', 'say "hi"', 'two\r\nlines', '', 'Cửa Tùng', '1.5e-7'];
    const text = csvRecord(fields) + csvRecord([1, null, true]);
    expect(text).toBe('plain,"a,b","say ""hi""","two\r\nlines",,Cửa Tùng,1.5e-7\r\n1,,true\r\n');
    expect(parseCsv(text)).toEqual([fields, ['1', '', 'true']]);
  });

  it('neutralises text that a spreadsheet would run as a formula, never numbers, and starts files with a BOM', () => {
    expect(csvRecord(['=1+1', '+A1', '-2 lamps', '@SUM(A1)', -2, 'ok'])).toBe(
      "'=1+1,'+A1,'-2 lamps,'@SUM(A1),-2,ok\r\n",
    );
    const file = csvFile(['a / あ'], [['x']]);
    expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(parseCsv(file.toString('utf8'))).toEqual([['a / あ'], ['x']]);
  });
});
