import type { I18n } from '../i18n/i18n.js';
import type { VesselStatusCode } from '../api/types.js';
import { h } from './dom.js';

/** One colour per status, chosen to stay apart for the common colour-vision deficiencies; text always goes with it. */
export const STATUS_COLOURS: Readonly<Record<VesselStatusCode, string>> = {
  'in-port': '#2563eb',
  'at-sea-reporting': '#15803d',
  'at-sea-out-of-coverage': '#0e7490',
  'silent-possible-fault': '#b91c1c',
  'led-fault': '#ea580c',
  'clock-fault': '#7e22ce',
  'backlog-growing': '#a16207',
  'no-data': '#6b7280',
};

/**
 * What the fleet page shows instead of a status while the embedded default loads its simulated history:
 * the statuses the API serves then are those of the simulated past, not faults of today.
 */
export const HISTORY_LOADING = 'history-loading';
export type DisplayStatus = VesselStatusCode | typeof HISTORY_LOADING;

/** Neutral: a slate grey, apart from "no data"'s and from every status colour. */
const HISTORY_LOADING_COLOUR = '#94a3b8';

/** Conditions an officer should look into. */
export const ATTENTION: ReadonlySet<VesselStatusCode> = new Set([
  'silent-possible-fault',
  'led-fault',
  'clock-fault',
  'backlog-growing',
]);

export function statusColour(code: string): string {
  if (code === HISTORY_LOADING) return HISTORY_LOADING_COLOUR;
  return (STATUS_COLOURS as Readonly<Record<string, string>>)[code] ?? STATUS_COLOURS['no-data'];
}

export function statusBadge(i18n: I18n, code: DisplayStatus): HTMLSpanElement {
  return h(
    'span',
    { class: 'status', 'data-status': code },
    h('span', { class: 'dot', style: `background:${statusColour(code)}`, 'aria-hidden': 'true' }),
    i18n.tDynamic(`status.${code}`),
  );
}
