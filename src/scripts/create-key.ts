import { Value } from 'typebox/value';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { CreateApiKeyBody } from '../modules/api-keys/api-key-schemas.js';
import { createApiKeyService } from '../modules/api-keys/api-key-service.js';
import { cliLogger, parseFlags } from './cli.js';

/**
 * `npm run key -- --role admin --name ops [--community <id>] [--organization <id>] [--region 6103]`
 * Mints a key from the shell with the same rules as POST /v1/api-keys, audited as the system.
 */
const flags = parseFlags(process.argv.slice(2));
const input = {
  name: flags.name ?? 'cli',
  role: flags.role ?? 'admin',
  ...(flags.community ? { communityId: flags.community } : {}),
  ...(flags.organization ? { organizationId: flags.organization } : {}),
  ...(flags.region ? { regionCode: flags.region } : {}),
};
if (!Value.Check(CreateApiKeyBody, input)) {
  const problems = Value.Errors(CreateApiKeyBody, input).map((e) => `  ${e.instancePath || 'input'}: ${e.message}`);
  process.stderr.write(`Invalid key options:\n${problems.join('\n')}\nUsage: npm run key -- --role admin|community_admin|coordinator|reporter --name NAME [--community ID] [--organization ID] [--region PREFIX]\n`);
  process.exit(64);
}

const config = loadConfig();
const log = cliLogger();
const handle = await openDatabase(config, log);
try {
  if (config.MIGRATE_ON_START) await runMigrations(handle);
  const service = createApiKeyService(handle.db, { forget: () => undefined });
  const system = { actor: { keyId: '00000000-0000-7000-8000-000000000000', role: 'admin' as const, communityId: null, organizationId: null, regionCode: null }, requestId: 'cli', log };
  const key = await service.create(system, input);
  process.stdout.write(`${JSON.stringify({ ...key, secret: undefined })}\n\nsecret (shown once): ${key.secret}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await handle.close();
}
