import { REGISTRY_TIME_ZONE, type LocalDate } from '@qt-led/contract';

export const MS_PER_HOUR = 3_600_000;

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, ms (UTC+7 → 25,200,000), from the platform's zone database. */
function offsetMsAt(instantMs: number, timeZone: string): number {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      calendar: 'iso8601',
      numberingSystem: 'latn',
    });
    offsetFormats.set(timeZone, format);
  }
  const part: Record<string, number> = {};
  for (const p of format.formatToParts(instantMs)) if (p.type !== 'literal') part[p.type] = Number(p.value);
  const wall = Date.UTC(
    part['year'] ?? 0,
    (part['month'] ?? 1) - 1,
    part['day'] ?? 1,
    part['hour'] ?? 0,
    part['minute'] ?? 0,
    part['second'] ?? 0,
  );
  return wall - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant a local calendar date begins (local midnight) in a zone, default Viet Nam — the zone of the
 * registry's dates. Registry versions and reporting periods are local dates, readings are UTC instants;
 * this is the one place they meet.
 */
export function localDateStartMs(date: LocalDate, timeZone: string = REGISTRY_TIME_ZONE): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RangeError(`not a local date written YYYY-MM-DD: ${JSON.stringify(date)}`);
  const asUtc = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const first = asUtc - offsetMsAt(asUtc, timeZone);
  const second = asUtc - offsetMsAt(first, timeZone);
  return second;
}
