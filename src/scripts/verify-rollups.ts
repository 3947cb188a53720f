import { loadConfig } from '../config.js';
import { isUuid } from '../lib/ids.js';
import { openDatabase } from '../db/client.js';
import { checkRollups } from '../modules/reports/rollup-check.js';
import { rebuildRollups } from '../modules/reports/rollup-rebuild.js';
import { cliLogger, parseFlags } from './cli.js';

/**
 * `npm run verify:rollups [-- --repair] [--community <id>]`: recomputes every report rollup (or one
 * community's) from the ledger and prints each difference; exits 1 if there is any. With
 * --repair, rebuilds them afterwards, in one transaction that reports read around.
 */
const flags = parseFlags(process.argv.slice(2).map((a) => (a === '--repair' ? '--repair=yes' : a)));
const community = flags.community || undefined;
if (community !== undefined && !isUuid(community)) {
  process.stderr.write('--community takes a community id (a UUID)\n');
  process.exit(2);
}
// Recomputing a city's rollups reads the whole ledger: minutes, not a request's seconds.
const handle = await openDatabase(loadConfig({ ...process.env, DB_STATEMENT_TIMEOUT_MS: '600000' }), cliLogger());
try {
  const started = Date.now();
  const differences = await checkRollups(handle.db, community);
  for (const d of differences.slice(0, 200)) process.stdout.write(`${d.table} ${d.key}: stored ${d.stored}, ledger says ${d.expected}\n`);
  if (differences.length > 200) process.stdout.write(`… and ${differences.length - 200} more\n`);
  process.stdout.write(`${differences.length === 0 ? 'rollups match the ledger' : `${differences.length} differences`} (${Date.now() - started} ms)\n`);
  if (differences.length > 0 && flags.repair) {
    await rebuildRollups(handle.db, community);
    process.stdout.write('rollups rebuilt from the ledger\n');
  } else if (differences.length > 0) {
    process.exitCode = 1;
  }
} finally {
  await handle.close();
}
