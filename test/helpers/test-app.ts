import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { issueKey } from '../../src/modules/api-keys/api-key-service.js';

export interface TestApp {
  app: FastifyInstance;
  adminKey: string;
  /** Every log line the app wrote, for tests that search them. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * The database the global setup chose: the run's server database, or an embedded PGlite of this
 * app's own (a copy of the migrated template, removed by the global teardown; in memory without one).
 */
export function testDatabaseEnv(): Record<string, string> {
  if (process.env.VH_TEST_DB === 'postgres') return { DATABASE_URL: process.env.VH_TEST_DATABASE_URL!, MIGRATE_ON_START: 'false' };
  const template = process.env.VH_TEST_PGLITE_TEMPLATE;
  if (!template) return { DATA_DIR: 'memory://', MIGRATE_ON_START: 'true' };
  const copy = join(mkdtempSync(join(dirname(template), 'copy-')), 'db');
  cpSync(template, copy, { recursive: true });
  return { DATA_DIR: copy, MIGRATE_ON_START: 'true' };
}

export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({ LOG_LEVEL: 'info', AUTH_CACHE_TTL_MS: '0', ...testDatabaseEnv(), ...env });
  const app = await buildApp(config, { logStream });
  await app.ready();
  const { secret } = await issueKey(app.db, { name: 'test admin', role: 'admin' });
  const close = async (): Promise<void> => {
    await app.close();
    if (app.database.kind === 'embedded' && !config.DATA_DIR.startsWith('memory://')) rmSync(dirname(config.DATA_DIR), { recursive: true, force: true });
  };
  return { app, adminKey: secret, logs, close };
}

export type Response = LightMyRequestResponse;

/** `inject` with a bearer key and a JSON body. */
export function call(app: FastifyInstance, key: string | null, method: InjectOptions['method'], url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return app.inject({
    method,
    url,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    ...(body !== undefined ? { payload: body as InjectOptions['payload'] } : {}),
  });
}
