import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

/**
 * The whole environment the service reads, parsed once at boot. Every knob lives here so that
 * a typo or a bad value stops the process with a readable message instead of surfacing later.
 */
const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATA_DIR: Type.String({ minLength: 1, default: './data', description: 'Embedded PostgreSQL folder, or memory:// for a throwaway one' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  CORS_ORIGINS: Type.String({ default: '', description: 'Comma-separated allow-list of browser origins' }),
  TRUST_PROXY: Type.String({ default: '', pattern: '^[0-9a-fA-F.:/, ]*$', description: 'Comma-separated addresses or CIDRs of the proxies whose X-Forwarded-For names the client' }),
  BOOTSTRAP_ADMIN_KEY: Type.Optional(Type.String({ minLength: 24, maxLength: 200 })),
  MIGRATE_ON_START: Type.Boolean({ default: true }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 10_485_760, default: 1_048_576 }),
  DB_POOL_MAX: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  DB_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
  DB_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 3_000 }),
  EXPORT_READER_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 60_000, description: 'How long a streamed export waits for its reader to take a batch before giving its database connection back and failing' }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
  AUTH_CACHE_TTL_MS: Type.Integer({ minimum: 0, maximum: 300_000, default: 5_000 }),
  PII_HASH_KEY: Type.Optional(Type.String({ minLength: 16, maxLength: 200 })),
  RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 6_000 }),
  RATE_LIMIT_REPORTS_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 600 }),
  RATE_LIMIT_BATCH_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 120 }),
  RATE_LIMIT_FAILED_KEYS_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 30, description: 'Unknown or revoked API keys one address may present per minute' }),
});

export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** Parses an environment (process.env by default) into a Config, or throws ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.keys(ConfigSchema.properties);
  const input: Record<string, unknown> = {};
  for (const name of known) {
    const value = env[name];
    if (value !== undefined && value !== '') input[name] = value;
  }
  const withDefaults = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, input));
  const errors = Value.Errors(ConfigSchema, withDefaults);
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const name = e.instancePath.replace(/^\//, '') || String((e.params as { requiredProperties?: string[] }).requiredProperties ?? '');
      return `  ${name}: ${e.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${[...new Set(lines)].join('\n')}`);
  }
  return withDefaults as Config;
}

const commaList = (value: string): string[] => value.split(',').map((item) => item.trim()).filter(Boolean);

export function corsOrigins(config: Config): string[] {
  return commaList(config.CORS_ORIGINS);
}

/**
 * Fastify's `trustProxy`: the proxies believed about the client's address (X-Forwarded-For). Behind
 * a proxy left untrusted every client has the proxy's address and shares its per-address budgets
 * (calls without a key, unknown keys). Only listed addresses: trusting any sender, or a hop count,
 * would let a client that reaches the service directly choose its own address.
 */
export function trustedProxies(config: Config): string[] | false {
  const proxies = commaList(config.TRUST_PROXY);
  return proxies.length > 0 ? proxies : false;
}
