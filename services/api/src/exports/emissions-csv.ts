import type { FleetResult } from '@qt-led/jcm';
import { csvRecord } from '@qt-led/partner-packages';
import { EMISSION_COLUMNS, emissionRows } from './emissions-table.js';

/**
 * The figures as RFC 4180 CSV (UTF-8, CRLF, header row): one row per vessel, then the fleet total; numbers
 * unrounded as the calculator gives them (the reported, rounded reduction has its own column), empty
 * fields for "not applicable / no data".
 */
export function emissionsCsv(result: FleetResult): string {
  return [EMISSION_COLUMNS.map((c) => c.header), ...emissionRows(result)].map(csvRecord).join('');
}
