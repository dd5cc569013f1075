import type Database from 'better-sqlite3';
import type { DeadLetterQuery, TelemetryStore } from '@qt-led/store';
import { type LetterRow, letterFromRow } from './sqlite-rows.js';

/** Dead letters: newest first, by reason, replayed ones hidden unless asked for; one by id; mark replayed. */
export function deadLetterQueries(
  db: Database.Database,
): Pick<TelemetryStore, 'listDeadLetters' | 'getDeadLetter' | 'markDeadLetterReplayed'> {
  const selectLetter = db.prepare('SELECT * FROM dead_letters WHERE id = ?');
  const markReplayed = db.prepare('UPDATE dead_letters SET replayed_ms = ? WHERE id = ?');
  return {
    listDeadLetters(query: DeadLetterQuery) {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (query.reason !== undefined) {
        where.push('reason = ?');
        params.push(query.reason);
      }
      if (query.beforeMs !== undefined) {
        where.push('received_ms < ?');
        params.push(query.beforeMs);
      }
      if (query.includeReplayed !== true) where.push('replayed_ms IS NULL');
      const sql = `SELECT * FROM dead_letters ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY received_ms DESC, id DESC LIMIT ?`;
      return Promise.resolve((db.prepare(sql).all(...params, query.limit) as LetterRow[]).map(letterFromRow));
    },
    getDeadLetter(id) {
      const row = /^\d+$/.test(id) ? (selectLetter.get(Number(id)) as LetterRow | undefined) : undefined;
      return Promise.resolve(row === undefined ? undefined : letterFromRow(row));
    },
    markDeadLetterReplayed(id, atMs) {
      markReplayed.run(atMs, Number(id));
      return Promise.resolve();
    },
  };
}
