import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import authPlugin from '../../src/plugins/auth/auth-plugin.js';
import databasePlugin from '../../src/plugins/database.js';
import { testDatabaseEnv } from '../helpers/test-app.js';

/** A bare app with the real database and auth plugins: the smallest place where a route can be added. */
async function bareApp(): Promise<FastifyInstance> {
  const config = loadConfig({ ...testDatabaseEnv(), MIGRATE_ON_START: 'false', LOG_LEVEL: 'silent' });
  // Generous: opening an embedded database can take a while on a busy machine.
  const app = Fastify({ logger: false, pluginTimeout: 120_000 });
  await app.register(databasePlugin, { config });
  await app.register(authPlugin, { cacheTtlMs: 0, failedKeysPerMinute: 1_000_000 });
  return app;
}

describe('Auth plugin › deny by default', () => {
  test('a route that declares no permission stops the app from starting', async () => {
    const app = await bareApp();
    try {
      app.register(async (scope) => {
        scope.get('/v1/forgotten', async () => ({ ok: true }));
      });
      await expect(app.ready()).rejects.toThrow('Route GET /v1/forgotten declares no permission (config.permission)');
    } finally {
      await app.close();
    }
  });

  test('a route that names a permission the table does not know stops the app from starting', async () => {
    const app = await bareApp();
    try {
      app.register(async (scope) => {
        scope.post('/v1/typo', { config: { permission: 'communties:create' as never } }, async () => ({ ok: true }));
      });
      await expect(app.ready()).rejects.toThrow(/POST \/v1\/typo declares no permission/);
    } finally {
      await app.close();
    }
  });

  test('a route with a permission starts, and demands a key unless it is public', async () => {
    const app = await bareApp();
    try {
      app.get('/open', { config: { permission: 'public' } }, async () => ({ ok: true }));
      app.get('/closed', { config: { permission: 'communities:read' } }, async () => ({ ok: true }));
      await app.ready();
      expect((await app.inject({ method: 'GET', url: '/open' })).statusCode).toBe(200);
      const closed = await app.inject({ method: 'GET', url: '/closed' });
      expect(closed.statusCode).toBe(401);
      expect(closed.headers['www-authenticate']).toBe('Bearer');
    } finally {
      await app.close();
    }
  });
});
