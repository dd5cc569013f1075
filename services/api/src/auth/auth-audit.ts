import type Database from 'better-sqlite3';
import type { AuditAction, AuditEntry } from '@qt-led/contract';

export interface AuditLog {
  /** Appends an entry; never throws for a well-formed one (the log is an append-only table). */
  record(entry: Omit<AuditEntry, 'seq'>): void;
  /** Newest first, a page at a time: `beforeSeq` is the last `seq` of the previous page. */
  list(query: { beforeSeq?: number; limit: number; action?: AuditAction }): AuditEntry[];
}

interface AuditRow {
  seq: number;
  at_ms: number;
  actor: string;
  action: string;
  target: string | null;
  detail: string | null;
  ip: string | null;
}

/** The audit log in the auth database: who did what, when, from where. */
export function auditLog(db: Database.Database): AuditLog {
  db.exec(`
    CREATE TABLE IF NOT EXISTS audit_log (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      at_ms INTEGER NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      target TEXT,
      detail TEXT,
      ip TEXT
    );
    CREATE INDEX IF NOT EXISTS audit_log_by_action ON audit_log(action, seq);
  `);
  const insert = db.prepare(
    'INSERT INTO audit_log (at_ms, actor, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const page = db.prepare<[number, number], AuditRow>(
    'SELECT * FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?',
  );
  const pageOf = db.prepare<[string, number, number], AuditRow>(
    'SELECT * FROM audit_log WHERE action = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
  );
  const entryOf = (row: AuditRow): AuditEntry => ({
    seq: row.seq,
    atMs: row.at_ms,
    actor: row.actor,
    action: row.action as AuditAction,
    target: row.target,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
    ip: row.ip,
  });
  return {
    record(entry) {
      insert.run(
        entry.atMs,
        entry.actor,
        entry.action,
        entry.target,
        entry.detail === null ? null : JSON.stringify(entry.detail),
        entry.ip,
      );
    },
    list({ beforeSeq, limit, action }) {
      const before = beforeSeq ?? Number.MAX_SAFE_INTEGER;
      const rows = action === undefined ? page.all(before, limit) : pageOf.all(action, before, limit);
      return rows.map(entryOf);
    },
  };
}
