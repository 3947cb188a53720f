import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { expectProblem } from '../helpers/problems.js';

describe('Health', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  test('GET /health/live answers 200 without a key', async () => {
    const res = await call(t.app, null, 'GET', '/health/live');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  test('GET /health/ready answers 200 without a key and names the database', async () => {
    const res = await call(t.app, null, 'GET', '/health/ready');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: process.env.VH_TEST_DB === 'postgres' ? 'postgres' : 'embedded' });
  });

  test('with the database unreachable, /health/live still answers 200 and /health/ready answers 503 with Retry-After', async () => {
    // Port 1 on loopback refuses at once: the pool is created, but no query can ever succeed.
    const app = await buildApp(loadConfig({
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing', MIGRATE_ON_START: 'false', LOG_LEVEL: 'silent', DB_CONNECT_TIMEOUT_MS: '500',
    }));
    try {
      await app.ready();
      const live = await call(app, null, 'GET', '/health/live');
      expect(live.statusCode).toBe(200);
      const ready = await call(app, null, 'GET', '/health/ready');
      expectProblem(ready, 503, 'service_unavailable');
      expect(ready.headers['retry-after']).toBe('5');
    } finally {
      await app.close();
    }
  });
});
