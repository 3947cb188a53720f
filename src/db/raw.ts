import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from './client.js';

/**
 * Runs hand-written SQL and returns its rows, the same way on node-postgres and PGlite.
 *
 * `prepared` names the statement: PostgreSQL then parses and plans it once per connection
 * instead of on every call, which was most of the server time of a recorded entry (the ledger's
 * write statements spent ~0.5 ms each planning and ~0.05 ms executing). Give a name only to a
 * statement whose text never varies between calls; PGlite ignores it.
 */
export async function queryRows<T>(db: Executor, query: SQL, prepared?: string): Promise<T[]> {
  if (prepared) {
    const { session, dialect } = db as unknown as Preparing;
    return (await session.prepareQuery(dialect.sqlToQuery(query), undefined, prepared, false).execute() as { rows: T[] }).rows;
  }
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** Drizzle's session and dialect, which its raw `execute` uses but does not let a name through. */
interface Preparing {
  session: { prepareQuery(query: unknown, fields: undefined, name: string, arrayMode: false): { execute(): Promise<unknown> } };
  dialect: { sqlToQuery(query: SQL): unknown };
}

/** One array parameter (`${array(ids)}::uuid[]`); a bare JS array in `sql` would expand into a list. */
export const array = (values: readonly unknown[]): ReturnType<typeof sql.param> => sql.param(values);
