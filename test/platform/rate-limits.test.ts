import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createKeyWithId, createTenant } from '../helpers/factories.js';

// Budgets are per key, so each test's own tenant keys start fresh; the admin key sets up.
let t: TestApp;
beforeAll(async () => { t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '40', RATE_LIMIT_REPORTS_PER_MINUTE: '2' }); });
afterAll(async () => { await t.close(); });

describe('rate limits', () => {
  test('a key past its budget gets 429 problem+json with Retry-After and RateLimit headers; other keys are unaffected', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const path = `/v1/communities/${tenant.community.id}`;
    const answers = [];
    for (let i = 0; i < 41; i += 1) answers.push(await call(t.app, tenant.communityAdminKey, 'GET', path));
    expect(answers.slice(0, 40).every((r) => r.statusCode === 200)).toBe(true);
    expect(answers[0]!.headers['ratelimit-limit']).toBe('40');
    const limited = answers[40]!;
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.json().code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await call(t.app, tenant.coordinatorKey, 'GET', path)).statusCode).toBe(200);
  });

  test('reports have a stricter budget than the rest', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const url = `/v1/reports/summary?communityId=${tenant.community.id}`;
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await call(t.app, tenant.reporterKey, 'GET', url)).statusCode);
    expect(statuses).toEqual([200, 200, 429]);
  });

  test('a client past its budget of unknown keys is refused every key the service does not know lately, until its minute ends', async () => {
    const limited = await createTestApp({ RATE_LIMIT_FAILED_KEYS_PER_MINUTE: '3', TRUST_PROXY: '10.9.9.9' });
    try {
      const tenant = await createTenant(limited.app, limited.adminKey);
      const path = `/v1/communities/${tenant.community.id}`;
      const from = (remoteAddress: string, key: string, headers: Record<string, string> = {}) =>
        limited.app.inject({ method: 'GET', url: path, remoteAddress, headers: { authorization: `Bearer ${key}`, ...headers } });
      const fresh = () => createKeyWithId(limited.app, limited.adminKey, { role: 'community_admin', communityId: tenant.community.id });
      const lately = await fresh();
      expect((await from('10.0.0.2', lately.secret)).statusCode).toBe(200); // verified once: known for ten minutes

      for (let i = 0; i < 3; i += 1) expect((await from('10.0.0.1', `vh_unknown_${'x'.repeat(30)}${i}`)).statusCode).toBe(401);
      const refused = await from('10.0.0.1', (await fresh()).secret);
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.json().code).toBe('rate_limited');
      expect(refused.json().detail).toMatch(/unknown or revoked API keys from this address/);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect((await from('10.0.0.1', `vh_unknown_${'y'.repeat(30)}`)).statusCode).toBe(429);
      // A key that verified lately still passes from the refused address (the others behind a shared proxy).
      expect((await from('10.0.0.1', lately.secret)).statusCode).toBe(200);
      // Revoked, it is forgotten at once.
      expect((await call(limited.app, limited.adminKey, 'DELETE', `/v1/api-keys/${lately.id}`)).statusCode).toBeLessThan(300);
      expect((await from('10.0.0.1', lately.secret)).statusCode).toBe(429);
      // Other clients are not affected; through the trusted proxy the client's own address counts.
      expect((await from('10.0.0.2', (await fresh()).secret)).statusCode).toBe(200);
      expect((await from('10.9.9.9', (await fresh()).secret, { 'x-forwarded-for': '10.0.0.3' })).statusCode).toBe(200);
      expect((await from('10.9.9.9', (await fresh()).secret, { 'x-forwarded-for': '10.0.0.1' })).statusCode).toBe(429);
    } finally {
      await limited.close();
    }
  });

  test('health checks are never limited', async () => {
    for (let i = 0; i < 8; i += 1) expect((await call(t.app, null, 'GET', '/health/live')).statusCode).toBe(200);
  });
});
