/** Instants written as partners read them: local time with the zone's offset, never a bare "Z". */

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset at an instant, `+07:00`. */
export function utcOffsetAt(ms: number, timeZone: string): string {
  let format = offsetFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, format);
  }
  const name = format.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  return name === 'GMT' ? '+00:00' : name.slice(3);
}

/** ISO 8601 local time with offset, to the second: `2026-11-30T18:05:00+07:00`. */
export function zonedIso(ms: number, timeZone: string): string {
  const offset = utcOffsetAt(ms, timeZone);
  const sign = offset.startsWith('-') ? -1 : 1;
  const [h, m] = offset.slice(1).split(':').map(Number);
  const shifted = new Date(ms + sign * ((h ?? 0) * 60 + (m ?? 0)) * 60_000);
  return `${shifted.toISOString().slice(0, 19)}${offset}`;
}

export function utcIso(ms: number): string {
  return new Date(ms).toISOString();
}
