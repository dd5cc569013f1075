import type { AppContext } from '../app.js';
import type { VesselDetail, VesselStatus } from '../api/types.js';
import type { I18n } from '../i18n/i18n.js';
import { clear, h } from '../ui/dom.js';
import { statusBadge } from '../ui/status.js';

type Evidence = VesselStatus['evidence'];

/** The head of a vessel page; a live status change swaps the badge and redraws the facts. */
export interface VesselHeader {
  showStatus(status: VesselStatus): void;
}

/** Title, status with its start, lamps, the facts and the server's evidence, drawn into `header`. */
export function renderVesselHeader(ctx: AppContext, header: HTMLElement, vessel: VesselDetail): VesselHeader {
  const { i18n } = ctx;
  let statusSlot = statusBadge(i18n, vessel.status.status);
  const facts = h('dl', { class: 'facts' });
  drawFacts(ctx, facts, vessel);
  const statusLine = h(
    'p',
    { class: 'status-line' },
    statusSlot,
    vessel.status.sinceMs === null
      ? ''
      : ` ${i18n.t('vessel.since', { time: i18n.dateTime(vessel.status.sinceMs) })}`,
  );
  clear(header);
  header.append(
    h(
      'h1',
      {},
      i18n.t('vessel.title', { id: vessel.vesselId }),
      h('span', { class: 'muted' }, ` ${vessel.name}`),
    ),
    statusLine,
    lampsLine(i18n, vessel),
    facts,
    h(
      'details',
      { class: 'evidence' },
      h('summary', {}, i18n.t('vessel.evidence')),
      h('p', { lang: 'en' }, vessel.status.explanation),
    ),
  );
  return {
    showStatus(status) {
      const next = statusBadge(i18n, status.status);
      statusSlot.replaceWith(next);
      statusSlot = next;
      drawFacts(ctx, facts, { ...vessel, status });
    },
  };
}

function lampsLine(i18n: I18n, vessel: VesselDetail): HTMLElement | string {
  if (vessel.ledLamps === null) return '';
  return h(
    'p',
    { class: 'muted' },
    i18n.t('vessel.lamps', {
      count: vessel.ledLamps.count,
      ratedW: i18n.quantity(vessel.ledLamps.ratedW, 'unit.w', 0),
    }),
  );
}

function drawFacts(ctx: AppContext, facts: HTMLElement, v: VesselDetail): void {
  clear(facts);
  for (const [term, value] of factList(ctx, v)) {
    facts.append(h('div', {}, h('dt', {}, term), h('dd', {}, value)));
  }
}

/** Home port, last report, trip state, position, LED power, lamps, queue and clock skew. */
function factList(ctx: AppContext, v: VesselDetail): [term: string, value: string][] {
  const { i18n } = ctx;
  const e = v.status.evidence;
  const missing = i18n.t('common.missing');
  return [
    [i18n.t('fleet.col.homePort'), `${v.homePort} · ${i18n.t('vessel.district', { district: v.district })}`],
    [
      i18n.t('fleet.col.lastReport'),
      `${i18n.age(e.lastReadingAtMs, ctx.now())} · ${i18n.dateTime(e.lastReadingAtMs)}`,
    ],
    [i18n.t('vessel.tripState'), i18n.t(`trip.${e.tripState}`)],
    [i18n.t('vessel.position'), positionText(i18n, e)],
    [i18n.t('fleet.col.ledPower'), `${i18n.power(e.ledPowerW)} / ${i18n.power(e.expectedLedPowerW)}`],
    [
      i18n.t('fleet.col.lampsOn'),
      e.lampsOn === null
        ? missing
        : i18n.t('fleet.lampsOf', { on: i18n.number(e.lampsOn, 0), count: v.ledLamps?.count ?? missing }),
    ],
    [
      i18n.t('vessel.queue'),
      e.heartbeat === null ? missing : i18n.quantity(e.heartbeat.queueDepth, 'unit.readings', 0),
    ],
    [
      i18n.t('vessel.clockSkew'),
      e.clockSkewMs === null ? missing : i18n.quantity(e.clockSkewMs / 1000, 'unit.s', 1),
    ],
  ];
}

/** Where the boat is, and how far from the nearest port when the server knows it. */
function positionText(i18n: I18n, e: Evidence): string {
  if (e.position === null) return i18n.t('common.missing');
  const at = `${i18n.number(e.position.lat, 4)}°N ${i18n.number(e.position.lon, 4)}°E`;
  if (e.nearestPort === null || e.distanceToPortNm === null) return at;
  const distance = i18n.quantity(e.distanceToPortNm, 'unit.nm');
  return `${at} · ${i18n.t('vessel.nearestPort', { port: e.nearestPort, distance })}`;
}
