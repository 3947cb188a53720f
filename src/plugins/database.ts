import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { openDatabase, type Database, type DatabaseHandle } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import type { KeyVerifier } from '../modules/api-keys/key-verifier.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Database;
    database: DatabaseHandle;
    keyVerifier: KeyVerifier;
  }
}

async function databasePlugin(app: FastifyInstance, options: { config: Config }): Promise<void> {
  const handle = await openDatabase(options.config, app.log);
  app.decorate('database', handle);
  app.decorate('db', handle.db);
  // Registered first so that it runs last: in-flight requests finish before the pool closes.
  app.addHook('onClose', async () => {
    await handle.close();
  });
  if (options.config.MIGRATE_ON_START) await runMigrations(handle);
}

export default fp(databasePlugin, { name: 'database' });
