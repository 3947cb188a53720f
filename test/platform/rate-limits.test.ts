import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createTenant } from '../helpers/factories.js';

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

  test('health checks are never limited', async () => {
    for (let i = 0; i < 8; i += 1) expect((await call(t.app, null, 'GET', '/health/live')).statusCode).toBe(200);
  });
});
