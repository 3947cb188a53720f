import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';

const silent = { warn: () => undefined } as unknown as Parameters<typeof openDatabase>[1];

/**
 * Picks the test database, in this order: TEST_DATABASE_URL; a PostgreSQL container when a
 * Docker engine answers; otherwise embedded PGlite (each test app then gets its own copy of one
 * migrated template). On a server, a fresh database is created for the run and the production
 * migrations run once.
 */
export default async function globalSetup(): Promise<void> {
  const serverUrl = process.env.TEST_DATABASE_URL ?? (await startContainer());
  if (!serverUrl) {
    process.env.VH_TEST_DB = 'embedded';
    process.env.VH_TEST_PGLITE_TEMPLATE = await embeddedTemplate();
    process.stdout.write('\n[test] no TEST_DATABASE_URL and no Docker engine: using embedded PGlite\n');
    return;
  }
  const name = `vh_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  process.env.VH_TEST_DB = 'postgres';
  process.env.VH_TEST_DATABASE_URL = url.toString();
  process.env.VH_TEST_SERVER_URL = serverUrl;
  process.env.VH_TEST_DATABASE_NAME = name;

  const config = loadConfig({ DATABASE_URL: url.toString(), LOG_LEVEL: 'silent' });
  const handle = await openDatabase(config, silent);
  await runMigrations(handle);
  await handle.close();
}

/**
 * One embedded database with the production migrations applied, in a folder each test app copies:
 * opening a copy takes about a second, initialising a fresh PGlite ten or more on a busy machine.
 */
async function embeddedTemplate(): Promise<string> {
  const folder = join(mkdtempSync(join(tmpdir(), 'vh-test-pglite-')), 'template');
  const handle = await openDatabase(loadConfig({ DATA_DIR: folder, LOG_LEVEL: 'silent' }), silent);
  await runMigrations(handle);
  await handle.close();
  return folder;
}

async function startContainer(): Promise<string | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no Docker engine answered')), 5_000)),
    ]);
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').start();
    (globalThis as { __pgContainer?: { stop(): Promise<unknown> } }).__pgContainer = container;
    return container.getConnectionUri();
  } catch {
    return undefined;
  }
}
