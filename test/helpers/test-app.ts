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

/** The database the global setup chose: a fresh server database, or an in-memory PGlite per file. */
export function testDatabaseEnv(): Record<string, string> {
  return process.env.VH_TEST_DB === 'postgres'
    ? { DATABASE_URL: process.env.VH_TEST_DATABASE_URL!, MIGRATE_ON_START: 'false' }
    : { DATA_DIR: 'memory://', MIGRATE_ON_START: 'true' };
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
  return { app, adminKey: secret, logs, close: () => app.close() };
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
