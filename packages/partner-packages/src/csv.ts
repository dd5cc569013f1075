/**
 * CSV as partners open it: UTF-8 with a byte-order mark (Excel in Japan and Viet Nam then reads it as
 * UTF-8, not Shift_JIS or Windows-1258), RFC 4180 quoting, CRLF records, and text cells that a spreadsheet
 * would run as a formula (`=`, `+`, `-`, `@`, tab, CR) prefixed with an apostrophe. Numbers stay numbers.
 */

export type CsvCell = string | number | boolean | null;

const BOM = '\uFEFF';
const FORMULA_LEADING = /^[=+\-@\t\r]/;

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, quotes doubled. */
export function csvField(value: CsvCell): string {
  if (value === null) return '';
  const text = typeof value === 'string' && FORMULA_LEADING.test(value) ? `'${value}` : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRecord(values: readonly CsvCell[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** A whole file: BOM, one header row, the rows. */
export function csvFile(header: readonly string[], rows: readonly (readonly CsvCell[])[]): Buffer {
  return Buffer.from(BOM + csvRecord(header) + rows.map(csvRecord).join(''), 'utf8');
}

/** The inverse, for tests and for partners' scripts: records of fields, quoted fields unquoted, BOM dropped. */
export function parseCsv(input: string): string[][] {
  const text = input.startsWith(BOM) ? input.slice(1) : input;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    } else field += c;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}
