import { mkdirSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import type { Config } from '../config.js';
import { CallbackClient } from './callback-client.js';
import { watchQueries } from './query-watchdog.js';
import * as schema from './schema/index.js';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
/** Anything that runs queries: the database itself or an open transaction. */
export type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'execute'>;

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'embedded';
  /** Present only on a server: the pool, for code that streams with its own client. */
  pool?: pg.Pool;
  close(): Promise<void>;
}

/** Returns timestamps and numerics as the driver's strings/Dates we map explicitly; int8 as number is safe below 2^53. */
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export async function openDatabase(config: Config, log: FastifyBaseLogger): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) return openPostgres(config, config.DATABASE_URL, log);
  return openEmbedded(config.DATA_DIR);
}

function openPostgres(config: Config, url: string, log: FastifyBaseLogger): DatabaseHandle {
  const pool = new pg.Pool({
    Client: CallbackClient,
    connectionString: url,
    max: config.DB_POOL_MAX,
    connectionTimeoutMillis: config.DB_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    statement_timeout: config.DB_STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: config.DB_STATEMENT_TIMEOUT_MS * 2,
    application_name: 'volunteer-hours',
    // An idle connection to a vanished server is noticed by TCP; a query in flight by the watchdog.
    keepAlive: true,
  });
  // Not pg's query_timeout: see watchQueries. The server's own timeout comes first, by a second.
  const watchdog = watchQueries(pool, config.DB_STATEMENT_TIMEOUT_MS + 1_000);
  // An idle or busy client losing its connection emits 'error'; unhandled, that would crash the process.
  pool.on('error', (err) => log.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'database client error'));
  pool.on('connect', (client) => {
    client.on('error', (err) => log.warn({ err: { message: err.message } }, 'database connection error'));
  });
  const db = drizzlePg({ client: pool, schema, casing: 'snake_case' }) as unknown as Database;
  return {
    db, kind: 'postgres', pool,
    // The watchdog outlives the pool's end, which waits for every query: one stuck would hang it.
    close: () => pool.end().finally(() => watchdog.stop()),
  };
}

/**
 * PGlite and its Drizzle driver are loaded only here: a service on a PostgreSQL server never
 * needs them, and importing them cost its startup ~60 ms (1,820 -> 1,750 ms to ready, 5 alternating starts).
 */
async function openEmbedded(dataDir: string): Promise<DatabaseHandle> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const [{ PGlite }, { btree_gist }, { drizzle: drizzlePglite }] = await Promise.all([
    import('@electric-sql/pglite'), import('@electric-sql/pglite/contrib/btree_gist'), import('drizzle-orm/pglite'),
  ]);
  const client = await PGlite.create(dataDir, { extensions: { btree_gist } });
  const db = drizzlePglite({ client, schema, casing: 'snake_case' }) as unknown as Database;
  return { db, kind: 'embedded', close: () => client.close() };
}

export async function ping(db: Database): Promise<void> {
  await db.execute(sql`select 1`);
}
