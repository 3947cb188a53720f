import type pg from 'pg';

/**
 * What the watchdog reads of a node-postgres client: its query in flight and its socket (pg 8's
 * internals; test/faults/silent-server.fault.ts fails if an upgrade changes them).
 */
interface ClientInternals {
  _getActiveQuery?(): unknown;
  connection?: { stream?: { destroy(err?: Error): void } };
}

export interface QueryWatchdog {
  stop(): void;
}

/**
 * Destroys the connection of a query PostgreSQL has not answered within `limitMs`, so that its
 * request fails like one whose connection was lost (503) instead of hanging on a server or network
 * that stopped answering. The server's statement_timeout ends slow statements; this is for
 * silence, which a stopped server or a dropped route give.
 *
 * node-postgres offers this as `query_timeout`, but with it every query's result outlived two
 * young-generation collections (through the closure it wraps each query's callback in: faking its
 * timer away changed nothing): under the list load each page's rows were promoted to the old
 * generation, and the service spent 538 instead of 310 µs of CPU per page, with a 7-14 ms
 * mark-compact pause every ~200 ms (A/B, 8 connections: p99 33 -> 12 ms). One timer per pool looks
 * at each connection's query in flight instead, and a query it sees in flight for longer than the
 * limit ends with the connection.
 */
export function watchQueries(pool: pg.Pool, limitMs: number): QueryWatchdog {
  const clients = new Set<pg.PoolClient>();
  const seen = new Map<pg.PoolClient, { query: unknown; since: number }>();
  pool.on('connect', (client) => clients.add(client as pg.PoolClient));
  pool.on('remove', (client) => {
    clients.delete(client as pg.PoolClient);
    seen.delete(client as pg.PoolClient);
  });
  const timer = setInterval(() => {
    const now = performance.now();
    for (const client of clients) {
      const internals = client as unknown as ClientInternals;
      const query = internals._getActiveQuery?.();
      const last = seen.get(client);
      if (!query) seen.delete(client);
      else if (last?.query !== query) seen.set(client, { query, since: now });
      else if (now - last.since > limitMs) {
        seen.delete(client);
        // After the socket reads this turn of the event loop still has to make (a loop stalled past
        // the limit runs its timers first): an answer already received is not thrown away.
        setImmediate(() => {
          if (internals._getActiveQuery?.() === query) {
            internals.connection?.stream?.destroy(new Error(`Query read timeout: PostgreSQL did not answer within ${limitMs} ms`));
          }
        });
      }
    }
  }, Math.max(50, Math.floor(limitMs / 4)));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
