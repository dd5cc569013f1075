import type { DeadLetter, TelemetryStore } from '@qt-led/store';
import { type InfluxClient, literal, rowsOf } from './influx-client.js';
import { LETTERS, letterFromRow, letterLine } from './influx-schema.js';

export type DeadLetterQueries = Pick<
  TelemetryStore,
  'listDeadLetters' | 'getDeadLetter' | 'markDeadLetterReplayed'
>;

/**
 * Dead letters: newest first, by reason, replayed ones hidden unless asked for; one by id; marking one
 * replayed rewrites its point with `replayed_ms`. `lookup` is how marking finds the letter — the store's
 * own `getDeadLetter`.
 */
export function deadLetterQueries(
  client: InfluxClient,
  lookup: (id: string) => Promise<DeadLetter | undefined>,
): DeadLetterQueries {
  return {
    async listDeadLetters(q) {
      const found: DeadLetter[] = [];
      let before = q.beforeMs === undefined ? undefined : `${q.beforeMs}ms`;
      // Replayed letters are filtered here (InfluxQL cannot test a field for absence), so page until full.
      for (;;) {
        const conditions = [
          ...(q.reason === undefined ? [] : [`reason = ${literal(q.reason)}`]),
          ...(before === undefined ? [] : [`time < ${before}`]),
        ];
        const page = rowsOf(
          (
            await client.query(
              `SELECT * FROM ${LETTERS}${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY time DESC LIMIT ${q.limit}`,
            )
          )[0],
        ).map(letterFromRow);
        found.push(...page.filter((l) => q.includeReplayed === true || l.replayedAtMs === null));
        if (page.length < q.limit || found.length >= q.limit) return found.slice(0, q.limit);
        before = (page.at(-1) as DeadLetter).id;
      }
    },
    async getDeadLetter(id) {
      if (!/^\d{1,19}$/.test(id)) return undefined;
      const rows = rowsOf((await client.query(`SELECT * FROM ${LETTERS} WHERE time = ${id}`))[0]);
      return rows[0] === undefined ? undefined : letterFromRow(rows[0]);
    },
    async markDeadLetterReplayed(id, atMs) {
      const letter = await lookup(id);
      if (letter === undefined) return;
      await client.write([letterLine(id, letter, atMs)]);
    },
  };
}
