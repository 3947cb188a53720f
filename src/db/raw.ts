import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from './client.js';

/** Runs hand-written SQL and returns its rows, the same way on node-postgres and PGlite. */
export async function queryRows<T>(db: Executor, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** One array parameter (`${array(ids)}::uuid[]`); a bare JS array in `sql` would expand into a list. */
export const array = (values: readonly unknown[]): ReturnType<typeof sql.param> => sql.param(values);
