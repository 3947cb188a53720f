import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import Cursor from 'pg-cursor';
import type { DatabaseHandle } from './client.js';
import { queryRows } from './raw.js';

const dialect = new PgDialect();

/**
 * Yields a query's rows in batches. On a server it reads through a cursor on its own connection,
 * so a million-row export holds one batch in memory at a time; the embedded database is for
 * small installations and simply reads everything.
 */
export async function* streamRows<T>(handle: DatabaseHandle, query: SQL, batchSize = 2000): AsyncGenerator<T[]> {
  if (!handle.pool) {
    const rows = await queryRows<T>(handle.db, query);
    for (let i = 0; i < rows.length; i += batchSize) yield rows.slice(i, i + batchSize);
    return;
  }
  const { sql, params } = dialect.sqlToQuery(query);
  const client = await handle.pool.connect();
  // The cursor is one query in flight for as long as the reader takes: the watchdog times each
  // fetch (and the close) on its own, and leaves the cursor alone while the reader has the rows.
  const watchdog = handle.watchdog;
  const fetch = async <R>(wait: () => Promise<R>): Promise<R> => {
    watchdog?.watch(client);
    try {
      return await wait();
    } finally {
      watchdog?.exempt(client);
    }
  };
  try {
    const cursor = client.query(new Cursor<T>(sql, params as unknown[]));
    try {
      for (;;) {
        const rows = await fetch(() => cursor.read(batchSize));
        if (rows.length === 0) return;
        yield rows;
      }
    } finally {
      await fetch(() => cursor.close()).catch(() => undefined);
    }
  } finally {
    watchdog?.watch(client);
    client.release();
  }
}
