import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import Fastify from 'fastify';
import { loadConfig } from '../../src/config.js';
import { loggerOptions } from '../../src/lib/logging.js';
import databasePlugin from '../../src/plugins/database.js';
import problemsPlugin from '../../src/plugins/problems.js';
import { call, createTestApp, testDatabaseEnv, type TestApp } from '../helpers/test-app.js';
import { createTenant } from '../helpers/factories.js';

describe('Logs', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp({ LOG_LEVEL: 'trace' }); });
  afterAll(async () => { await t.close(); });

  test('log one line per request with the request id and path', async () => {
    await call(t.app, t.adminKey, 'GET', '/v1/communities?limit=3', undefined, { 'x-request-id': 'log-line-check' });
    const lines = t.logs.filter((line) => line.includes('log-line-check')).map((line) => JSON.parse(line));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.some((line) => line.req?.path === '/v1/communities')).toBe(true);
    expect(lines.some((line) => line.res?.statusCode === 200)).toBe(true);
  });

  test('never contain a bearer secret, whether it is accepted, refused or malformed', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const unknown = 'vh_never_issued_secret_0123456789abcdef';
    await call(t.app, t.adminKey, 'GET', '/v1/communities');
    await call(t.app, tenant.coordinatorKey, 'POST', '/v1/organizations', { communityId: tenant.community.id, name: 'x', kind: 'shop' });
    await call(t.app, tenant.communityAdminKey, 'POST', '/v1/communities', { name: 'x' });
    await call(t.app, unknown, 'GET', '/v1/communities');
    await call(t.app, null, 'GET', '/v1/communities', undefined, { authorization: `Token ${unknown}` });
    await call(t.app, t.adminKey, 'POST', '/v1/communities', '{"broken', { 'content-type': 'application/json' });
    const logs = t.logs.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [t.adminKey, tenant.coordinatorKey, tenant.communityAdminKey, tenant.reporterKey, unknown]) {
      expect(logs).not.toContain(secret);
      expect(logs).not.toContain(secret.slice(3));
    }
  });

  test('never contain a newly minted secret, nor the query string', async () => {
    const res = await call(t.app, t.adminKey, 'POST', '/v1/api-keys', { name: 'fresh', role: 'reporter' });
    const { secret } = res.json();
    await call(t.app, t.adminKey, 'GET', '/v1/organizations?q=13800001234');
    const logs = t.logs.join('');
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain('13800001234');
  });
});

describe('Logs of a failed database query', () => {
  test('keep the SQL text and SQLSTATE but never the values of the query', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
    const config = loadConfig({ ...testDatabaseEnv(), MIGRATE_ON_START: 'false', LOG_LEVEL: 'info' });
    const app = Fastify({ logger: loggerOptions(config, stream), pluginTimeout: 120_000 });
    await app.register(problemsPlugin);
    await app.register(databasePlugin, { config });
    // A real query that PostgreSQL refuses, carrying a phone number as its parameter.
    app.get('/fails', async () => app.db.execute(sql`select ${'13800001234'}::int as n`));
    try {
      await app.ready();
      const res = await app.inject({ method: 'GET', url: '/fails' });
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toContain('13800001234');
      const failed = lines.map((line) => JSON.parse(line)).find((line) => line.msg === 'request failed');
      expect(failed.err).toMatchObject({ type: 'DatabaseError', query: expect.stringContaining('$1'), sqlState: '22003' });
      expect(lines.join('')).not.toContain('13800001234');
    } finally {
      await app.close();
    }
  });
});
