import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { cliLogger } from './cli.js';

/** `npm run migrate`: applies pending migrations to DATABASE_URL, or to the embedded database in DATA_DIR. */
const config = loadConfig();
const log = cliLogger();
const handle = await openDatabase(config, log);
try {
  await runMigrations(handle);
  process.stdout.write(`migrations applied (${handle.kind})\n`);
} finally {
  await handle.close();
}
