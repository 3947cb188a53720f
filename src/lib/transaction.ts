import type { Database, Executor } from '../db/client.js';

/** Runs `work` in one database transaction; the audit event and the change commit together or not at all. */
export async function inTransaction<T>(db: Database, work: (tx: Executor) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => work(tx as unknown as Executor));
}
