import type { DeadLetter, DeadLetterQuery } from '@qt-led/store';

/**
 * What the API asks of ingest, the port the API owns: whether it keeps up (`/readyz`), and, for admins,
 * its metrics and dead letters. In `npm start` the ingest module in the same process answers; a process
 * without ingest leaves it out, and the operator routes say where ingest's own endpoints are.
 */
export interface IngestOperations {
  ready(): boolean | Promise<boolean>;
  metricsText(): Promise<string>;
  readonly metricsContentType: string;
  /** The newest first, each payload abbreviated (ingest's own endpoint lists them the same way). */
  listDeadLetters(query: DeadLetterQuery): Promise<DeadLetter[]>;
  getDeadLetter(id: string): Promise<DeadLetter | undefined>;
  replayDeadLetter(id: string): Promise<{ replayed: boolean; reason?: string }>;
}
