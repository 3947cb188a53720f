import type { SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { DatabaseHandle, Executor } from './client.js';
import { queryRows } from './raw.js';

const dialect = new PgDialect();

/** A batch of a streamed query's rows, and an executor on the stream's own connection for the work the batch needs (a report's labels). */
export interface StreamedBatch<T> {
  rows: T[];
  db: Executor;
}

export interface StreamOptions {
  /** How long a batch may wait for the reader to take it before the stream gives its connection back and fails. */
  readerTimeoutMs: number;
  batchSize?: number;
}

/**
 * Yields a query's rows in batches. On a server it reads through a cursor (DECLARE, then FETCH a
 * batch at a time) in a read-only transaction on a connection of its own, so a million-row export
 * holds one batch in memory and one connection: the lookups a batch needs run on that same
 * connection between fetches. A protocol-level cursor (pg-cursor) occupies its connection until
 * it closes, so those lookups took a second one from the pool, and as many exports at once as
 * the pool has connections each held one and waited for another until the pool's connect timeout
 * failed them all (test/faults/silent-export.fault.ts found it with a pool of one). Every FETCH
 * is an ordinary query, which the query watchdog times like any other. The embedded database is
 * for small installations and simply reads everything.
 */
export async function* streamRows<T>(handle: DatabaseHandle, query: SQL, { readerTimeoutMs, batchSize = 2000 }: StreamOptions): AsyncGenerator<StreamedBatch<T>> {
  if (!handle.pool) {
    const rows = await queryRows<T>(handle.db, query);
    for (let i = 0; i < rows.length; i += batchSize) yield { rows: rows.slice(i, i + batchSize), db: handle.db };
    return;
  }
  const { sql, params } = dialect.sqlToQuery(query);
  const client = await handle.pool.connect();
  let read = false;
  let abandoned: Error | undefined;
  try {
    // The reader may take its time with a batch (a slow download): no idle-in-transaction limit for
    // this transaction, which ends with the stream (a closed response ends the stream).
    await client.query('begin transaction read only; set local idle_in_transaction_session_timeout = 0');
    await client.query({ text: `declare streamed_rows no scroll cursor for ${sql}`, values: params });
    const db = drizzle({ client }) as unknown as Executor;
    for (;;) {
      const { rows } = await client.query<T & object>(`fetch forward ${batchSize} from streamed_rows`);
      if (rows.length === 0) break;
      // A reader that stops taking batches (a client that stopped reading but keeps its socket
      // open) must not keep the connection: past the limit it goes back to the pool, broken (the
      // server rolls the transaction back), and the stream fails when it is read again.
      const stalled = setTimeout(() => {
        abandoned = new Error(`The export's reader took no rows for ${readerTimeoutMs} ms`);
        client.release(abandoned);
      }, readerTimeoutMs);
      try {
        yield { rows, db };
      } finally {
        clearTimeout(stalled);
      }
      if (abandoned) throw abandoned;
    }
    read = true;
  } finally {
    // Stopped early (the reader went away, a query failed): rolled back. A connection that cannot
    // even do that is broken, and the pool drops it instead of lending it again.
    if (!abandoned) {
      const broken = await client.query(read ? 'commit' : 'rollback').then(() => undefined, (err: Error) => err);
      client.release(broken);
    }
  }
}
