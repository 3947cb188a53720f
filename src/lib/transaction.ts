import { sql } from 'drizzle-orm';
import { NodePgSession, NodePgTransaction } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Database, Executor } from '../db/client.js';

export interface TransactionOptions {
  /**
   * Plan every statement of the transaction once per connection (PostgreSQL's generic plan). For
   * the ledger's write statements, which look rows up by key in arrays: PostgreSQL planned the
   * references statement of a recorded entry afresh on every call, because a plan for a known
   * one-element array always looks cheaper than one for any array, and that planning took 0.66 ms
   * of the statement's 0.93 (statement log, bind vs execute). Set with BEGIN in one round trip.
   * It covers the transaction's unnamed statements too, so use it only where every statement
   * looks rows up by key (the recorder's: references, overlaps, inserts, rollups).
   */
  genericPlans?: boolean;
  /**
   * Read the transaction's clock (`now()`, which stamps every row it writes) when it begins, for
   * `work` to build rows with before any statement of its own has answered. In the round trip of BEGIN.
   */
  clock?: boolean;
}

/** Drizzle's session over the pool, whose parts a transaction of our own is made of (as Drizzle's own `transaction` makes it). */
interface PoolSession {
  client: unknown;
  dialect: ConstructorParameters<typeof NodePgSession>[1];
  schema: ConstructorParameters<typeof NodePgSession>[2];
  options: ConstructorParameters<typeof NodePgSession>[3];
}

/** What a transaction tells `work` besides its executor: its clock, when asked for (see `clock`). */
export interface Begun {
  now?: Date;
}

const CLOCK = 'select now() as now';
const clockOf = (result: { rows: Array<{ now: Date | string }> }): Date => new Date(result.rows[0]!.now);

/** Runs `work` in one database transaction; the audit event and the change commit together or not at all. */
export async function inTransaction<T>(db: Database, work: (tx: Executor, begun: Begun) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const session = (db as unknown as { session: PoolSession }).session;
  // On embedded PGlite (one connection, statement names ignored) the setting would buy nothing.
  if (!options.genericPlans || !(session.client instanceof pg.Pool)) {
    return db.transaction(async (tx) => work(tx as unknown as Executor, options.clock ? { now: clockOf(await tx.execute(sql.raw(CLOCK)) as never) } : {}));
  }
  const client = await session.client.connect();
  let broken: Error | undefined;
  try {
    const tx = new NodePgTransaction(session.dialect, new NodePgSession(client, session.dialect, session.schema, session.options), session.schema);
    // A simple query (no parameters) may hold several statements; it answers one result per statement.
    const begun = await client.query(`begin; set local plan_cache_mode = force_generic_plan${options.clock ? `; ${CLOCK}` : ''}`) as unknown as Array<{ rows: Array<{ now: Date }> }>;
    const result = await work(tx as unknown as Executor, options.clock ? { now: clockOf(begun[2]!) } : {});
    await client.query('commit');
    return result;
  } catch (err) {
    // A connection that cannot even roll back is broken: the pool drops it instead of lending it again.
    broken = await client.query('rollback').then(() => undefined, (rollbackError: Error) => rollbackError);
    throw err;
  } finally {
    client.release(broken);
  }
}
