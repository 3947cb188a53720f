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
  // The cursor's one query stays in flight while the reader takes its time; the server's
  // statement_timeout still bounds each fetch.
  handle.watchdog?.exempt(client);
  const cursor = client.query(new Cursor<T>(sql, params as unknown[]));
  try {
    for (;;) {
      const rows = await cursor.read(batchSize);
      if (rows.length === 0) return;
      yield rows;
    }
  } finally {
    await cursor.close().catch(() => undefined);
    handle.watchdog?.watch(client);
    client.release();
  }
}
