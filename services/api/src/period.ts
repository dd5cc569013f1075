import type { LocalDate } from '@qt-led/contract';
import { localDateStartMs } from '@qt-led/jcm';
import { badRequest } from './errors.js';

const DAY_MS = 86_400_000;

/** A validated `[fromMs, toMs)` from `from`/`to` that are local dates (Viet Nam midnight) or epoch ms. */
export function periodMs(
  from: LocalDate | number,
  to: LocalDate | number,
  maxDays: number,
): { fromMs: number; toMs: number } {
  const fromMs = typeof from === 'number' ? from : localDateStartMs(from);
  const toMs = typeof to === 'number' ? to : localDateStartMs(to);
  if (toMs <= fromMs) {
    throw badRequest(`query parameter "to": the period must end after it starts (to is exclusive)`);
  }
  if (toMs - fromMs > maxDays * DAY_MS) {
    throw badRequest(
      `query parameter "to": a period spans at most ${maxDays} days; ask for several shorter ones`,
    );
  }
  return { fromMs, toMs };
}
