import { sql, type Placeholder, type SQL } from 'drizzle-orm';
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
  session: { prepareQuery(query: unknown, fields: undefined, name: string, arrayMode: false): { execute(values?: Record<string, unknown>): Promise<unknown> } };
  dialect: { sqlToQuery(query: SQL): { sql: string } };
}

/** One placeholder per value of a `statement`, to write into its SQL: `${v.ids}::uuid[]`. */
export type Slots<V> = { readonly [K in keyof V]-?: Placeholder<K & string> };

/** What a fragment shared by statements takes per value: a statement's placeholder, or a column of a row source (`sql\`i.key\``). */
export type Exprs<V> = { readonly [K in keyof V]-?: Placeholder<K & string> | SQL };

const slots = new Proxy({}, { get: (_, key) => sql.placeholder(String(key)) });

/**
 * A named statement whose SQL is written once: `write` gets a placeholder per value, its text is
 * compiled on the first call, and every call after that only binds its values. Writing the SQL
 * per call (Drizzle building and walking the tree of fragments) was ~13% of the service's CPU
 * per recorded entry (CPU profile under the POST load). Constants may stay inline in `write`.
 */
export function statement<Row, V extends object>(name: string, write: (v: Slots<V>) => SQL): Statement<Row, V> {
  let compiled: { sql: string } | undefined;
  const compile = (db: Executor) => (compiled ??= (db as unknown as Preparing).dialect.sqlToQuery(write(slots as Slots<V>)));
  const run = async (db: Executor, values: V) => {
    const query = compile(db);
    return ((await (db as unknown as Preparing).session.prepareQuery(query, undefined, name, false).execute(values as Record<string, unknown>)) as { rows: Row[] }).rows;
  };
  return Object.assign(run, { sqlOf: (db: Executor) => compile(db).sql });
}

/** A named statement (see `statement`); `sqlOf` is its text as PostgreSQL gets it, for tests of its plan. */
export type Statement<Row, V> = ((db: Executor, values: V) => Promise<Row[]>) & { sqlOf(db: Executor): string };

/** A json column's value: node-postgres parses json columns, PGlite may hand them over as text. */
export const fromJson = <T>(value: unknown): T | undefined => (typeof value === 'string' ? JSON.parse(value) as T : (value ?? undefined) as T | undefined);

/** One array parameter (`${array(ids)}::uuid[]`); a bare JS array in `sql` would expand into a list. */
export const array = (values: readonly unknown[]): ReturnType<typeof sql.param> => sql.param(values);
