import { LocalDate, SERIES_FIELDS, type SeriesField, VesselId } from '@qt-led/contract';
import { z } from 'zod';

/**
 * Request schemas shared by the routes. Query strings arrive as strings, so each schema says in its message
 * what a valid value looks like; the error handler adds the parameter's name.
 */

/** An ISO 8601 instant with its zone (`Z` or `+07:00`), as epoch milliseconds. */
export const Instant = z.iso
  .datetime({
    offset: true,
    error:
      'expected an ISO 8601 instant with its zone, like 2024-03-01T00:00:00Z or 2024-03-01T07:00:00+07:00',
  })
  .transform((text) => Date.parse(text));

export { LocalDate, VesselId };

/** A local date (the day starts at local midnight in Viet Nam) or an instant; see {@link Instant}. */
export const DateOrInstant = z.union([LocalDate, Instant], {
  error:
    'expected a local date YYYY-MM-DD (midnight in Viet Nam) or an ISO 8601 instant like 2024-03-01T00:00:00Z',
});

const STEP_UNITS_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A bucket width like `30s`, `5m`, `1h`, `1d`, as milliseconds. */
export const Step = z
  .string()
  .regex(
    /^[1-9]\d{0,5}(s|m|h|d)$/,
    'expected a step like 30s, 5m, 1h or 1d (a whole number and s, m, h or d)',
  )
  .transform(
    (text) => Number(text.slice(0, -1)) * STEP_UNITS_MS[text.slice(-1) as keyof typeof STEP_UNITS_MS],
  );

/** `ledPowerW,lampsOn` → the fields, each one of SERIES_FIELDS, no repeats. */
export const SeriesFields = z
  .string()
  .transform((text, ctx) => {
    const names = text.split(',').map((n) => n.trim());
    const unknown = names.filter((n) => !(SERIES_FIELDS as readonly string[]).includes(n));
    if (unknown.length > 0 || names.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown field${unknown.length === 1 ? '' : 's'} ${unknown.map((n) => JSON.stringify(n)).join(', ')}; the fields are ${SERIES_FIELDS.join(', ')} (comma-separated)`,
      });
      return z.NEVER;
    }
    return [...new Set(names)] as SeriesField[];
  })
  .meta({ description: `comma-separated, from: ${SERIES_FIELDS.join(', ')}` });

/** A comma-separated list of vessel ids. */
export const VesselIdList = z
  .string()
  .transform((text, ctx) => {
    const ids = [...new Set(text.split(',').map((id) => id.trim()))];
    const bad = ids.filter((id) => !VesselId.safeParse(id).success);
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `${bad.map((id) => JSON.stringify(id)).join(', ')}: a vessel id is a Quang Tri registration number like QT-90145-TS (several: comma-separated)`,
      });
      return z.NEVER;
    }
    return ids as VesselId[];
  })
  .meta({ description: 'one vessel id or several, comma-separated (QT-90145-TS,QT-90146-TS)' });

/** A page size from 1 to `max`. */
export function pageLimit(defaultLimit: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, `expected a whole number from 1 to ${max}`)
    .transform(Number)
    .pipe(
      z.number().int().min(1, `expected a whole number from 1 to ${max}`).max(max, `at most ${max} per page`),
    )
    .optional()
    .transform((value) => value ?? defaultLimit)
    .meta({ description: `page size, 1–${max} (default ${defaultLimit})` });
}

export const VesselParams = z.strictObject({ id: VesselId });
